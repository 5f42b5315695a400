#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "common/rng.hpp"
#include "engine/outcome.hpp"
#include "engine/strategy/backoff.hpp"
#include "engine/strategy/retry_after.hpp"

namespace rb {

// Handling of the Retry-After and retry-after-ms response headers.
struct RetryAfterConfig {
  enum class Mode {
    kIgnore,      // use the backoff only
    kMax,         // wait max(backoff, header)
    kHeaderOnly,  // wait the header's delay when there is one, else the backoff
  };
  Mode mode = Mode::kMax;
  Duration cap{from_seconds(60)};      // a header asking for longer is cut to this
  bool zero_uses_backoff = false;      // a header of 0 counts as absent (urllib3, openai-python)
  bool over_cap_uses_backoff = false;  // a header above the cap counts as absent, not cut
};

// The retry rules: retryable outcomes, attempt limit, waits and deadline.
struct RetryConfig {
  int max_attempts = 1;  // attempts in all, the first included; 1 means no retry
  std::vector<int> retry_statuses{429, 500, 502, 503, 504};  // HTTP statuses that retry
  // Non-HTTP outcomes that retry (timeouts, refused, reset, closed early by default).
  std::vector<AttemptClass> retry_classes{
      AttemptClass::kConnectTimeout, AttemptClass::kFirstByteTimeout,
      AttemptClass::kTotalTimeout,   AttemptClass::kRefused,
      AttemptClass::kReset,          AttemptClass::kClosedEarly};
  bool retry_non_idempotent = false;  // whether POST and PATCH retry (off: they may repeat work)
  // Whether non-idempotent requests still retry outcomes that mean the request never reached
  // the upstream (connect timeout, refused, DNS and TLS errors), as urllib3 does.
  bool retry_unsent_non_idempotent = true;
  RetryAfterConfig retry_after;
  Duration deadline{0};  // overall per-request deadline from its intended start; 0 = none
  BackoffConfig backoff;
};

// The verdict a strategy returns after an attempt ends. Each value is counted in the result.
enum class RetryVerdict : std::uint8_t {
  kSucceeded,          // the attempt succeeded; the request is done
  kRetry,              // send another attempt after the delay
  kNotRetryable,       // the outcome is not in the retryable set
  kAttemptsExhausted,  // max_attempts reached
  kDeadline,           // the next attempt could not start before the request's deadline
  kNonIdempotent,      // the method is not idempotent and the policy does not retry it
  kBudgetExhausted,    // a retry budget refused the retry
  kThrottled,          // adaptive throttling refused the retry
  kBreakerOpen,        // every endpoint's circuit breaker is open
  kQueueFull,          // the retry queue had no room
};
inline constexpr std::size_t kRetryVerdictCount = 10;
std::string retry_verdict_name(RetryVerdict verdict);

// The source of a retry wait's length.
enum class WaitReason : std::uint8_t { kBackoff, kRetryAfter, kNone };

struct RetryDecision {
  RetryVerdict verdict = RetryVerdict::kNotRetryable;
  Duration delay{0};  // wait before the next attempt (kRetry only)
  WaitReason wait_reason = WaitReason::kNone;
  bool retry_after_invalid = false;  // a header was present but unusable
  bool fallback = false;             // the retry switches to the next request variant
  std::uint32_t variant = 0;         // request variant of the next attempt
};

// Facts about the logical request that the policy needs.
struct RetryContext {
  int attempts_made = 0;           // attempts started so far, this one included
  Duration request_started_at{0};  // intended start of the logical request
  Duration previous_delay{0};      // the last backoff delay used, 0 before the first retry
  bool idempotent = true;          // from the request method
  std::time_t wall_now_unix = 0;   // wall-clock seconds when the response arrived
  std::uint32_t variant = 0;       // request variant of the attempt (0: the scenario's request)
  bool force_retryable = false;    // retry this outcome even when it is not in the lists
};

// The pure retry decision: retryable or not, and the wait before the next attempt.
class RetryPolicy {
 public:
  explicit RetryPolicy(const RetryConfig& config);

  bool is_retryable(const AttemptResult& result) const;

  RetryDecision decide(const RetryContext& context, const AttemptResult& result, Duration now,
                       Rng& rng) const;

  const RetryConfig& config() const { return config_; }

 private:
  // The header's delay, or nothing when absent or invalid (`invalid` is set for the second case).
  std::optional<Duration> header_delay(const AttemptResult& result, std::time_t wall_now_unix,
                                       bool& invalid) const;

  RetryConfig config_;
  Backoff backoff_;
};

// True for methods that RFC 9110 defines as idempotent.
bool is_idempotent_method(const std::string& method);

// True for outcomes that mean the request bytes never reached the upstream.
bool is_unsent_outcome(AttemptClass cls);

}  // namespace rb
