#include "engine/strategy/strategy.hpp"

namespace rb {

Strategy::Strategy(const StrategyConfig& config, const std::vector<double>& endpoint_weights,
                   std::uint64_t seed)
    : config_(config),
      rng_(seed),
      selector_(make_selector(config.selector, endpoint_weights)),
      policy_(config.retry) {}

std::size_t Strategy::choose_endpoint(const SelectContext& context, Duration now) {
  return selector_->select(context, now, rng_);
}

void Strategy::attempt_started(std::size_t endpoint, Duration now) {
  selector_->on_attempt_start(endpoint, now);
}

RetryDecision Strategy::attempt_finished(const RetryContext& context, std::size_t endpoint,
                                         const AttemptResult& result, Duration latency,
                                         Duration now) {
  selector_->on_attempt_end(endpoint, result.cls == AttemptClass::kSuccess, latency, now);
  return policy_.decide(context, result, now, rng_);
}

}  // namespace rb
