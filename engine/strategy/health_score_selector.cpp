#include "engine/strategy/health_score_selector.hpp"

#include <algorithm>

namespace rb {

namespace {

constexpr double kSuccessWeight = 70.0;
constexpr double kLatencyWeight = 30.0;
constexpr double kLatencyScaleMs = 1000.0;  // an EWMA at or above this earns no latency points

}  // namespace

HealthScoreSelector::HealthScoreSelector(std::size_t count, double latency_alpha,
                                         Duration error_decay)
    : endpoints_(count),
      latency_alpha_(std::clamp(latency_alpha, 1e-6, 1.0)),
      error_decay_(error_decay) {}

std::uint64_t HealthScoreSelector::decay_steps(const Health& health, Duration now) const {
  if (health.errors == 0 || error_decay_.count() <= 0 || now <= health.decay_anchor) {
    return 0;
  }
  const auto periods = static_cast<std::uint64_t>((now - health.decay_anchor) / error_decay_);
  return std::min(periods, health.errors);
}

void HealthScoreSelector::apply_decay(Health& health, Duration now) const {
  const std::uint64_t steps = decay_steps(health, now);
  health.errors -= steps;
  health.decay_anchor += error_decay_ * static_cast<std::int64_t>(steps);
}

std::uint64_t HealthScoreSelector::errors(std::size_t endpoint, Duration now) const {
  const Health& health = endpoints_[endpoint];
  return health.errors - decay_steps(health, now);
}

double HealthScoreSelector::score(std::size_t endpoint, Duration now) const {
  const Health& health = endpoints_[endpoint];
  if (health.successes == 0) {
    return 0.0;
  }
  const double successes = static_cast<double>(health.successes);
  const double success_rate = successes / (successes + static_cast<double>(errors(endpoint, now)));
  const double latency_share = std::min(health.latency_ewma_ms / kLatencyScaleMs, 1.0);
  return kSuccessWeight * success_rate + kLatencyWeight * (1.0 - latency_share);
}

std::size_t HealthScoreSelector::select(const SelectContext& context, Duration now, Rng&) {
  std::size_t best = next_allowed(context, 0, endpoints_.size());
  double best_score = score(best, now);
  for (std::size_t i = best + 1; i < endpoints_.size(); ++i) {
    if (!context.allowed(i)) {
      continue;
    }
    const double candidate = score(i, now);
    if (candidate > best_score) {
      best = i;
      best_score = candidate;
    }
  }
  return best;
}

void HealthScoreSelector::on_attempt_end(std::size_t endpoint, EndpointOutcome outcome,
                                         Duration latency, Duration now) {
  Health& health = endpoints_[endpoint];
  apply_decay(health, now);
  switch (outcome) {
    case EndpointOutcome::kSuccess: {
      const double ms = to_millis(std::max(Duration(0), latency));
      health.latency_ewma_ms =
          health.successes == 0
              ? ms
              : latency_alpha_ * ms + (1.0 - latency_alpha_) * health.latency_ewma_ms;
      ++health.successes;
      break;
    }
    case EndpointOutcome::kFailure:
      ++health.errors;
      health.decay_anchor = now;
      break;
    case EndpointOutcome::kCancelled:
      break;
  }
}

}  // namespace rb
