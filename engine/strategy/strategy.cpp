#include "engine/strategy/strategy.hpp"

#include <algorithm>

namespace rb {

namespace {

EndpointOutcome outcome_of(const AttemptResult& result) {
  if (result.cls == AttemptClass::kCancelled) {
    return EndpointOutcome::kCancelled;
  }
  return result.cls == AttemptClass::kSuccess ? EndpointOutcome::kSuccess
                                              : EndpointOutcome::kFailure;
}

}  // namespace

Strategy::Strategy(const StrategyConfig& config, const std::vector<double>& endpoint_weights,
                   std::uint64_t seed)
    : config_(config),
      rng_(seed),
      selector_(make_selector(config.selector, endpoint_weights)),
      policy_(config.retry),
      budget_(config.budget),
      throttle_(config.throttle),
      breakers_(config.breaker, endpoint_weights.size()),
      hedge_(config.hedge),
      queue_(config.queue),
      excluded_(endpoint_weights.size(), 0) {}

RequestAdmission Strategy::admit(Duration now) {
  if (breakers_.enabled() && breakers_.mark_excluded(now, excluded_) == 0) {
    return {false, FailFastReason::kBreakerOpen};
  }
  if (!throttle_.admit(now, rng_)) {
    return {false, FailFastReason::kThrottled};
  }
  budget_.on_request(now);
  return {true, FailFastReason::kThrottled};
}

std::optional<std::size_t> Strategy::choose_endpoint(const SelectContext& context, Duration now,
                                                     std::optional<std::size_t> avoid) {
  std::size_t allowed = excluded_.size();
  if (breakers_.enabled()) {
    allowed = breakers_.mark_excluded(now, excluded_);
    if (allowed == 0) {
      return std::nullopt;
    }
  } else {
    std::fill(excluded_.begin(), excluded_.end(), 0);
  }
  if (avoid && *avoid < excluded_.size() && excluded_[*avoid] == 0 && allowed > 1) {
    excluded_[*avoid] = 1;
    --allowed;
  }
  SelectContext scoped = context;
  scoped.excluded = allowed == excluded_.size() ? nullptr : excluded_.data();
  return selector_->select(scoped, now, rng_);
}

void Strategy::attempt_started(std::size_t endpoint, Duration now) {
  selector_->on_attempt_start(endpoint, now);
  breakers_.on_attempt_start(endpoint, now);
}

void Strategy::learn(std::size_t endpoint, const AttemptResult& result, Duration latency,
                     Duration now) {
  const EndpointOutcome outcome = outcome_of(result);
  selector_->on_attempt_end(endpoint, outcome, latency, now);
  breakers_.on_attempt_end(endpoint, outcome, now - latency, now);
  if (outcome == EndpointOutcome::kCancelled) {
    return;
  }
  throttle_.on_attempt_result(now, result);
  budget_.on_attempt_result(outcome == EndpointOutcome::kSuccess, policy_.is_retryable(result));
  if (outcome == EndpointOutcome::kSuccess) {
    hedge_.observe(latency);
  }
}

void Strategy::attempt_observed(std::size_t endpoint, const AttemptResult& result, Duration latency,
                                Duration now) {
  learn(endpoint, result, latency, now);
}

bool Strategy::would_retry(const AttemptResult& result, std::uint32_t variant) const {
  const bool fallback =
      variant + 1 < config_.fallback.variant_count() && fallback_matches(config_.fallback, result);
  return fallback || policy_.is_retryable(result);
}

void Strategy::apply_limits(RetryDecision& decision, Duration now) {
  if (!budget_.allows_retry(now)) {
    decision.verdict = RetryVerdict::kBudgetExhausted;
  } else if (breakers_.enabled() && breakers_.mark_excluded(now, excluded_) == 0) {
    decision.verdict = RetryVerdict::kBreakerOpen;
  } else if (!throttle_.admit(now, rng_)) {
    decision.verdict = RetryVerdict::kThrottled;
  }
  if (decision.verdict != RetryVerdict::kRetry) {
    decision.delay = Duration(0);
    decision.fallback = false;
    return;
  }
  budget_.on_retry(now);
}

RetryDecision Strategy::attempt_finished(const RetryContext& context, std::size_t endpoint,
                                         const AttemptResult& result, Duration latency,
                                         Duration now) {
  learn(endpoint, result, latency, now);

  // A fallback outcome retries with the next variant even when the lists do not retry it.
  RetryContext scoped = context;
  const bool fallback = context.variant + 1 < config_.fallback.variant_count() &&
                        fallback_matches(config_.fallback, result);
  scoped.force_retryable = context.force_retryable || fallback;
  RetryDecision decision = policy_.decide(scoped, result, now, rng_);
  decision.variant = context.variant;
  if (decision.verdict != RetryVerdict::kRetry) {
    return decision;
  }
  if (fallback) {
    decision.fallback = true;
    decision.variant = context.variant + 1;
  }
  apply_limits(decision, now);
  if (decision.verdict != RetryVerdict::kRetry) {
    decision.variant = context.variant;
  }
  return decision;
}

bool Strategy::admit_hedge(Duration now) {
  if (!budget_.allows_retry(now)) {
    return false;
  }
  if (breakers_.enabled() && breakers_.mark_excluded(now, excluded_) == 0) {
    return false;
  }
  if (!throttle_.admit(now, rng_)) {
    return false;
  }
  budget_.on_retry(now);
  return true;
}

}  // namespace rb
