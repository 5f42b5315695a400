#include "engine/metrics.hpp"

namespace rb {

StrategyMetrics::StrategyMetrics(std::size_t endpoint_count)
    : endpoints(endpoint_count), series(endpoint_count) {}

double StrategyMetrics::success_rate() const {
  return requests == 0 ? 0.0 : static_cast<double>(succeeded) / static_cast<double>(requests);
}

double StrategyMetrics::amplification() const {
  const std::uint64_t started = requests - dropped;
  return started == 0 ? 0.0 : static_cast<double>(attempts) / static_cast<double>(started);
}

std::string retry_reason_key(const AttemptResult& result) {
  if (result.cls == AttemptClass::kHttpStatus) {
    return "status_" + std::to_string(result.status);
  }
  return std::string(attempt_class_name(result.cls));
}

}  // namespace rb
