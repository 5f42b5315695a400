#include "engine/strategy/decision_log.hpp"

namespace rb {

std::string send_reason_name(SendReason reason) {
  switch (reason) {
    case SendReason::kFirst:
      return "first";
    case SendReason::kRetry:
      return "retry";
    case SendReason::kHedge:
      return "hedge";
    case SendReason::kFallback:
      return "fallback";
  }
  return "first";
}

std::string fail_fast_reason_name(FailFastReason reason) {
  switch (reason) {
    case FailFastReason::kThrottled:
      return "throttled";
    case FailFastReason::kBreakerOpen:
      return "breaker_open";
  }
  return "throttled";
}

}  // namespace rb
