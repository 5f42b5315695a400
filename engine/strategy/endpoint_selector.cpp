#include "engine/strategy/endpoint_selector.hpp"

#include <numeric>
#include <stdexcept>

namespace rb {

std::string selector_kind_name(SelectorConfig::Kind kind) {
  switch (kind) {
    case SelectorConfig::Kind::kSingle:
      return "single";
    case SelectorConfig::Kind::kRoundRobin:
      return "round-robin";
    case SelectorConfig::Kind::kRotateOnFailure:
      return "rotate-on-failure";
    case SelectorConfig::Kind::kRandom:
      return "random";
    case SelectorConfig::Kind::kWeighted:
      return "weighted";
  }
  return "single";
}

bool selector_kind_from_name(const std::string& name, SelectorConfig::Kind& kind) {
  using K = SelectorConfig::Kind;
  for (K k : {K::kSingle, K::kRoundRobin, K::kRotateOnFailure, K::kRandom, K::kWeighted}) {
    if (selector_kind_name(k) == name) {
      kind = k;
      return true;
    }
  }
  return false;
}

namespace {

class SingleSelector : public EndpointSelector {
 public:
  std::size_t select(const SelectContext&, Duration, Rng&) override { return 0; }
};

class RoundRobinSelector : public EndpointSelector {
 public:
  explicit RoundRobinSelector(std::size_t count) : count_(count) {}

  std::size_t select(const SelectContext&, Duration, Rng&) override {
    const std::size_t chosen = next_;
    next_ = (next_ + 1) % count_;
    return chosen;
  }

 private:
  std::size_t count_;
  std::size_t next_ = 0;
};

// One shared cursor, as in the loops that keep a global "current endpoint" index: every
// request uses the current endpoint, and a failure there moves the cursor to the next one.
class RotateOnFailureSelector : public EndpointSelector {
 public:
  explicit RotateOnFailureSelector(std::size_t count) : count_(count) {}

  std::size_t select(const SelectContext&, Duration, Rng&) override { return current_; }

  void on_attempt_end(std::size_t endpoint, bool success, Duration, Duration) override {
    // Only a failure on the current endpoint moves the cursor, so a burst of failures
    // from requests already in flight does not skip past the next endpoint.
    if (!success && endpoint == current_) {
      current_ = (current_ + 1) % count_;
    }
  }

 private:
  std::size_t count_;
  std::size_t current_ = 0;
};

class RandomSelector : public EndpointSelector {
 public:
  explicit RandomSelector(std::size_t count) : count_(count) {}

  std::size_t select(const SelectContext&, Duration, Rng& rng) override {
    return static_cast<std::size_t>(rng.below(count_));
  }

 private:
  std::size_t count_;
};

class WeightedSelector : public EndpointSelector {
 public:
  explicit WeightedSelector(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) {
      total += w > 0 ? w : 0;
      cumulative_.push_back(total);
    }
    if (total <= 0) {
      throw std::invalid_argument("weighted selector needs at least one positive weight");
    }
  }

  std::size_t select(const SelectContext&, Duration, Rng& rng) override {
    const double point = rng.uniform(0.0, cumulative_.back());
    for (std::size_t i = 0; i < cumulative_.size(); ++i) {
      if (point < cumulative_[i]) {
        return i;
      }
    }
    return cumulative_.size() - 1;
  }

 private:
  std::vector<double> cumulative_;
};

}  // namespace

std::unique_ptr<EndpointSelector> make_selector(const SelectorConfig& config,
                                                const std::vector<double>& weights) {
  const std::size_t count = weights.size();
  if (count == 0) {
    throw std::invalid_argument("a strategy needs at least one endpoint");
  }
  switch (config.kind) {
    case SelectorConfig::Kind::kSingle:
      return std::make_unique<SingleSelector>();
    case SelectorConfig::Kind::kRoundRobin:
      return std::make_unique<RoundRobinSelector>(count);
    case SelectorConfig::Kind::kRotateOnFailure:
      return std::make_unique<RotateOnFailureSelector>(count);
    case SelectorConfig::Kind::kRandom:
      return std::make_unique<RandomSelector>(count);
    case SelectorConfig::Kind::kWeighted:
      return std::make_unique<WeightedSelector>(weights);
  }
  return std::make_unique<SingleSelector>();
}

}  // namespace rb
