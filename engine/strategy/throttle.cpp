#include "engine/strategy/throttle.hpp"

#include <algorithm>

namespace rb {

AdaptiveThrottle::AdaptiveThrottle(const ThrottleConfig& config)
    : config_(config), window_(config.window) {}

double AdaptiveThrottle::reject_probability(Duration now) const {
  if (!config_.enabled) {
    return 0.0;
  }
  const SlidingWindow::Totals totals = window_.totals(now);
  const double requests = static_cast<double>(totals.total);
  const double accepts = static_cast<double>(totals.hits);
  return std::max(0.0, (requests - config_.k * accepts) / (requests + 1.0));
}

bool AdaptiveThrottle::admit(Duration now, Rng& rng) {
  if (!config_.enabled) {
    return true;
  }
  const double probability = reject_probability(now);
  window_.add(now, 1, 0);
  // No draw when the probability is 0, so a healthy run's random stream is left untouched.
  return probability <= 0.0 || !rng.chance(probability);
}

void AdaptiveThrottle::on_attempt_result(Duration now, const AttemptResult& result) {
  if (!config_.enabled) {
    return;
  }
  bool accepted = result.cls == AttemptClass::kSuccess;
  if (result.cls == AttemptClass::kHttpStatus) {
    accepted = std::find(config_.reject_statuses.begin(), config_.reject_statuses.end(),
                         result.status) == config_.reject_statuses.end();
  }
  if (accepted) {
    window_.add(now, 0, 1);
  }
}

}  // namespace rb
