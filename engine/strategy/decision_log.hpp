#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/time.hpp"
#include "engine/outcome.hpp"

namespace rb {

// The reason an attempt was sent.
enum class SendReason : std::uint8_t {
  kFirst,     // the request's first attempt
  kRetry,     // a retry after a failed attempt
  kHedge,     // a hedge sent while another attempt was still in flight
  kFallback,  // a retry with the next request variant (see FallbackConfig)
};
inline constexpr std::size_t kSendReasonCount = 4;
std::string send_reason_name(SendReason reason);

// The reason a request ended before its first attempt.
enum class FailFastReason : std::uint8_t {
  kThrottled,    // adaptive client-side throttling rejected it
  kBreakerOpen,  // the circuit breaker (global, or every endpoint's) was open
};
inline constexpr std::size_t kFailFastReasonCount = 2;
std::string fail_fast_reason_name(FailFastReason reason);

// One attempt in the decision log.
struct AttemptLogEntry {
  std::uint64_t request_id = 0;
  int attempt = 0;  // 1 for the request's first attempt
  SendReason reason = SendReason::kFirst;
  // The outcome that caused a retry or fallback (kSuccess with status 0 for first attempts
  // and hedges).
  AttemptClass cause_class = AttemptClass::kSuccess;
  int cause_status = 0;
  std::size_t endpoint = 0;
  std::uint32_t variant = 0;  // request variant (0: the scenario's request)
  Duration sent_at{0};        // from the start of the load phase
  Duration waited{0};         // the backoff or Retry-After wait before it, 0 for none
  AttemptClass result_class = AttemptClass::kCancelled;  // how it ended
  int result_status = 0;
  Duration latency{0};             // from its start to its end
  bool transport_retried = false;  // the transport replaced a stale keep-alive connection once
  bool ended = false;              // false while in flight
};

}  // namespace rb
