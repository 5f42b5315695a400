#include "engine/strategy/retry_policy.hpp"

#include <algorithm>
#include <array>

namespace rb {

std::string retry_verdict_name(RetryVerdict verdict) {
  static constexpr std::array<const char*, kRetryVerdictCount> kNames = {
      "succeeded",    "retry",          "not_retryable",    "attempts_exhausted",
      "deadline",     "non_idempotent", "budget_exhausted", "throttled",
      "breaker_open", "queue_full"};
  return kNames[static_cast<std::size_t>(verdict)];
}

bool is_idempotent_method(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS" || method == "TRACE";
}

bool is_unsent_outcome(AttemptClass cls) {
  return cls == AttemptClass::kConnectTimeout || cls == AttemptClass::kRefused ||
         cls == AttemptClass::kDnsError || cls == AttemptClass::kTlsError;
}

RetryPolicy::RetryPolicy(const RetryConfig& config) : config_(config), backoff_(config.backoff) {}

bool RetryPolicy::is_retryable(const AttemptResult& result) const {
  if (result.cls == AttemptClass::kSuccess) {
    return false;
  }
  if (result.cls == AttemptClass::kHttpStatus) {
    return std::find(config_.retry_statuses.begin(), config_.retry_statuses.end(), result.status) !=
           config_.retry_statuses.end();
  }
  return std::find(config_.retry_classes.begin(), config_.retry_classes.end(), result.cls) !=
         config_.retry_classes.end();
}

std::optional<Duration> RetryPolicy::header_delay(const AttemptResult& result,
                                                  std::time_t wall_now_unix, bool& invalid) const {
  invalid = false;
  RetryAfterValue value;
  if (result.retry_after_ms) {
    value = parse_retry_after_ms(*result.retry_after_ms);
  }
  if (value.status != RetryAfterValue::Status::kValid && result.retry_after) {
    value = parse_retry_after(*result.retry_after, wall_now_unix);
  }
  if (value.status == RetryAfterValue::Status::kInvalid) {
    invalid = true;
    return std::nullopt;
  }
  if (value.status == RetryAfterValue::Status::kAbsent) {
    return std::nullopt;
  }
  const RetryAfterConfig& rules = config_.retry_after;
  if ((rules.zero_uses_backoff && value.delay.count() == 0) ||
      (rules.over_cap_uses_backoff && value.delay > rules.cap)) {
    return std::nullopt;
  }
  return std::min(value.delay, rules.cap);
}

RetryDecision RetryPolicy::decide(const RetryContext& context, const AttemptResult& result,
                                  Duration now, Rng& rng) const {
  RetryDecision decision;
  if (result.cls == AttemptClass::kSuccess) {
    decision.verdict = RetryVerdict::kSucceeded;
    return decision;
  }
  if (result.cls == AttemptClass::kCancelled ||
      (!context.force_retryable && !is_retryable(result))) {
    decision.verdict = RetryVerdict::kNotRetryable;
    return decision;
  }
  const bool unsent = config_.retry_unsent_non_idempotent && is_unsent_outcome(result.cls);
  if (!context.idempotent && !config_.retry_non_idempotent && !unsent) {
    decision.verdict = RetryVerdict::kNonIdempotent;
    return decision;
  }
  if (context.attempts_made >= config_.max_attempts) {
    decision.verdict = RetryVerdict::kAttemptsExhausted;
    return decision;
  }

  // The wait: the backoff, and the server's header according to the mode.
  const int retry_index = context.attempts_made - 1;
  const Duration backoff = backoff_.delay(retry_index, context.previous_delay, rng);
  decision.delay = backoff;
  decision.wait_reason = backoff.count() > 0 ? WaitReason::kBackoff : WaitReason::kNone;
  if (config_.retry_after.mode != RetryAfterConfig::Mode::kIgnore) {
    bool invalid = false;
    const auto header = header_delay(result, context.wall_now_unix, invalid);
    decision.retry_after_invalid = invalid;
    if (header) {
      const bool header_wins =
          config_.retry_after.mode == RetryAfterConfig::Mode::kHeaderOnly || *header > backoff;
      if (header_wins) {
        decision.delay = *header;
        decision.wait_reason = WaitReason::kRetryAfter;
      }
    }
  }

  if (config_.deadline.count() > 0 &&
      now + decision.delay >= context.request_started_at + config_.deadline) {
    decision.verdict = RetryVerdict::kDeadline;
    decision.delay = Duration(0);
    return decision;
  }
  decision.verdict = RetryVerdict::kRetry;
  return decision;
}

}  // namespace rb
