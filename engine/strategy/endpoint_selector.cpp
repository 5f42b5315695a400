#include "engine/strategy/endpoint_selector.hpp"

#include <array>
#include <stdexcept>

#include "engine/strategy/health_score_selector.hpp"
#include "engine/strategy/least_outstanding_selector.hpp"
#include "engine/strategy/p2c_ewma_selector.hpp"
#include "engine/strategy/skip_unhealthy_selector.hpp"

namespace rb {

namespace {

using Kind = SelectorConfig::Kind;

constexpr std::array<Kind, 9> kAllKinds = {
    Kind::kSingle,  Kind::kRoundRobin,  Kind::kRotateOnFailure,
    Kind::kRandom,  Kind::kWeighted,    Kind::kLeastOutstanding,
    Kind::kP2cEwma, Kind::kHealthScore, Kind::kSkipUnhealthy};

}  // namespace

std::string selector_kind_name(SelectorConfig::Kind kind) {
  switch (kind) {
    case Kind::kSingle:
      return "single";
    case Kind::kRoundRobin:
      return "round-robin";
    case Kind::kRotateOnFailure:
      return "rotate-on-failure";
    case Kind::kRandom:
      return "random";
    case Kind::kWeighted:
      return "weighted";
    case Kind::kLeastOutstanding:
      return "least-outstanding";
    case Kind::kP2cEwma:
      return "p2c-ewma";
    case Kind::kHealthScore:
      return "health-score";
    case Kind::kSkipUnhealthy:
      return "skip-unhealthy";
  }
  return "single";
}

bool selector_kind_from_name(const std::string& name, SelectorConfig::Kind& kind) {
  for (Kind k : kAllKinds) {
    if (selector_kind_name(k) == name) {
      kind = k;
      return true;
    }
  }
  return false;
}

std::string selector_kind_names() {
  std::string out;
  for (Kind k : kAllKinds) {
    out += (out.empty() ? "" : ", ") + selector_kind_name(k);
  }
  return out;
}

std::size_t next_allowed(const SelectContext& context, std::size_t start, std::size_t count) {
  for (std::size_t step = 0; step < count; ++step) {
    const std::size_t candidate = (start + step) % count;
    if (context.allowed(candidate)) {
      return candidate;
    }
  }
  return start % count;
}

namespace {

class SingleSelector : public EndpointSelector {
 public:
  explicit SingleSelector(std::size_t count) : count_(count) {}

  // The first endpoint, or the first allowed one after it while it is excluded.
  std::size_t select(const SelectContext& context, Duration, Rng&) override {
    return next_allowed(context, 0, count_);
  }

 private:
  std::size_t count_;
};

class RoundRobinSelector : public EndpointSelector {
 public:
  explicit RoundRobinSelector(std::size_t count) : count_(count) {}

  std::size_t select(const SelectContext& context, Duration, Rng&) override {
    const std::size_t chosen = next_allowed(context, next_, count_);
    next_ = (chosen + 1) % count_;
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

  // An excluded current endpoint is passed over without moving the cursor.
  std::size_t select(const SelectContext& context, Duration, Rng&) override {
    return next_allowed(context, current_, count_);
  }

  void on_attempt_end(std::size_t endpoint, EndpointOutcome outcome, Duration, Duration) override {
    // Only a failure on the current endpoint moves the cursor, so a burst of failures
    // from requests already in flight does not skip past the next endpoint.
    if (outcome == EndpointOutcome::kFailure && endpoint == current_) {
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

  // Uniform over the allowed endpoints: draw k in [0, allowed) and take the k-th allowed.
  std::size_t select(const SelectContext& context, Duration, Rng& rng) override {
    if (context.excluded == nullptr) {
      return static_cast<std::size_t>(rng.below(count_));
    }
    std::size_t allowed = 0;
    for (std::size_t i = 0; i < count_; ++i) {
      allowed += context.allowed(i) ? 1 : 0;
    }
    if (allowed == 0) {
      return static_cast<std::size_t>(rng.below(count_));
    }
    std::size_t pick = static_cast<std::size_t>(rng.below(allowed));
    for (std::size_t i = 0; i < count_; ++i) {
      if (context.allowed(i) && pick-- == 0) {
        return i;
      }
    }
    return count_ - 1;
  }

 private:
  std::size_t count_;
};

class WeightedSelector : public EndpointSelector {
 public:
  explicit WeightedSelector(const std::vector<double>& weights) {
    for (double w : weights) {
      weights_.push_back(w > 0 ? w : 0);
    }
    double total = 0;
    for (double w : weights_) {
      total += w;
    }
    if (total <= 0) {
      throw std::invalid_argument("weighted selector needs at least one positive weight");
    }
  }

  // A point in [0, total allowed weight) picks the endpoint whose share contains it.
  std::size_t select(const SelectContext& context, Duration, Rng& rng) override {
    double total = 0;
    for (std::size_t i = 0; i < weights_.size(); ++i) {
      total += context.allowed(i) ? weights_[i] : 0;
    }
    if (total <= 0) {
      return next_allowed(context, 0, weights_.size());
    }
    double point = rng.uniform(0.0, total);
    std::size_t last_allowed = 0;
    for (std::size_t i = 0; i < weights_.size(); ++i) {
      if (!context.allowed(i) || weights_[i] <= 0) {
        continue;
      }
      last_allowed = i;
      if (point < weights_[i]) {
        return i;
      }
      point -= weights_[i];
    }
    return last_allowed;
  }

 private:
  std::vector<double> weights_;
};

}  // namespace

std::unique_ptr<EndpointSelector> make_selector(const SelectorConfig& config,
                                                const std::vector<double>& weights) {
  const std::size_t count = weights.size();
  if (count == 0) {
    throw std::invalid_argument("a strategy needs at least one endpoint");
  }
  switch (config.kind) {
    case Kind::kSingle:
      return std::make_unique<SingleSelector>(count);
    case Kind::kRoundRobin:
      return std::make_unique<RoundRobinSelector>(count);
    case Kind::kRotateOnFailure:
      return std::make_unique<RotateOnFailureSelector>(count);
    case Kind::kRandom:
      return std::make_unique<RandomSelector>(count);
    case Kind::kWeighted:
      return std::make_unique<WeightedSelector>(weights);
    case Kind::kLeastOutstanding:
      return std::make_unique<LeastOutstandingSelector>(count);
    case Kind::kP2cEwma:
      return std::make_unique<P2cEwmaSelector>(count, config.ewma_decay, config.failure_penalty);
    case Kind::kHealthScore:
      return std::make_unique<HealthScoreSelector>(count, config.latency_alpha, config.error_decay);
    case Kind::kSkipUnhealthy:
      return std::make_unique<SkipUnhealthySelector>(count, config.max_consecutive_errors);
  }
  return std::make_unique<SingleSelector>(count);
}

}  // namespace rb
