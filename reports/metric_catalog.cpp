#include "reports/metric_catalog.hpp"

namespace rb {

namespace {

double to_ms(std::int64_t micros) {
  return static_cast<double>(micros) / 1000.0;
}

double verdict(const StrategyMetrics& m, RetryVerdict v) {
  return static_cast<double>(m.verdicts[static_cast<std::size_t>(v)]);
}

std::vector<MetricDefinition> build_catalog() {
  using D = Direction;
  return {
      {"requests", "logical requests the load profile produced", D::kNeutral, false,
       [](const StrategyMetrics& m) { return static_cast<double>(m.requests); }},
      {"succeeded", "logical requests that succeeded", D::kNeutral, false,
       [](const StrategyMetrics& m) { return static_cast<double>(m.succeeded); }},
      {"failed", "logical requests that ended without success", D::kLowerIsBetter, false,
       [](const StrategyMetrics& m) { return static_cast<double>(m.failed); }},
      {"dropped", "logical requests not started because the in-flight limit was reached",
       D::kLowerIsBetter, false,
       [](const StrategyMetrics& m) { return static_cast<double>(m.dropped); }},
      {"cancelled", "logical requests still in flight when the grace period ended",
       D::kLowerIsBetter, false,
       [](const StrategyMetrics& m) { return static_cast<double>(m.cancelled); }},
      {"success_rate", "succeeded / requests, 0 to 1", D::kHigherIsBetter, true,
       [](const StrategyMetrics& m) { return m.success_rate(); }},
      {"error_rate", "(failed + dropped) / requests, 0 to 1", D::kLowerIsBetter, true,
       [](const StrategyMetrics& m) {
         return m.requests == 0
                    ? 0.0
                    : static_cast<double>(m.failed + m.dropped) / static_cast<double>(m.requests);
       }},
      {"attempts", "attempts the strategy started", D::kLowerIsBetter, false,
       [](const StrategyMetrics& m) { return static_cast<double>(m.attempts); }},
      {"amplification", "attempts per started logical request", D::kLowerIsBetter, true,
       [](const StrategyMetrics& m) { return m.amplification(); }},
      {"retries", "retries the strategy decided on", D::kLowerIsBetter, false,
       [](const StrategyMetrics& m) { return verdict(m, RetryVerdict::kRetry); }},
      {"failed_fast", "requests ended by a retry budget, throttling, breaker or full queue",
       D::kNeutral, false,
       [](const StrategyMetrics& m) { return static_cast<double>(failed_fast_count(m)); }},
      {"p50_ms", "median intended-time latency of all requests, ms", D::kLowerIsBetter, true,
       [](const StrategyMetrics& m) { return to_ms(m.latency.percentile_micros(50)); }},
      {"p90_ms", "90th percentile latency, ms", D::kLowerIsBetter, true,
       [](const StrategyMetrics& m) { return to_ms(m.latency.percentile_micros(90)); }},
      {"p99_ms", "99th percentile latency, ms", D::kLowerIsBetter, true,
       [](const StrategyMetrics& m) { return to_ms(m.latency.percentile_micros(99)); }},
      {"p999_ms", "99.9th percentile latency, ms", D::kLowerIsBetter, true,
       [](const StrategyMetrics& m) { return to_ms(m.latency.percentile_micros(99.9)); }},
      {"max_ms", "maximum latency, ms", D::kLowerIsBetter, true,
       [](const StrategyMetrics& m) { return to_ms(m.latency.max_micros()); }},
      {"mean_ms", "mean latency, ms", D::kLowerIsBetter, true,
       [](const StrategyMetrics& m) { return m.latency.mean_micros() / 1000.0; }},
      {"succeeded_p50_ms", "median latency of successful requests, ms", D::kLowerIsBetter, false,
       [](const StrategyMetrics& m) { return to_ms(m.latency_succeeded.percentile_micros(50)); }},
      {"succeeded_p99_ms", "99th percentile latency of successful requests, ms", D::kLowerIsBetter,
       false,
       [](const StrategyMetrics& m) { return to_ms(m.latency_succeeded.percentile_micros(99)); }},
      {"service_p50_ms", "median service time of attempts, ms", D::kLowerIsBetter, false,
       [](const StrategyMetrics& m) { return to_ms(m.service.percentile_micros(50)); }},
      {"service_p99_ms", "99th percentile service time of attempts, ms", D::kLowerIsBetter, false,
       [](const StrategyMetrics& m) { return to_ms(m.service.percentile_micros(99)); }},
      {"lag_p99_ms", "99th percentile scheduling lag of first attempts, ms", D::kLowerIsBetter,
       false, [](const StrategyMetrics& m) { return to_ms(m.lag.percentile_micros(99)); }},
  };
}

}  // namespace

std::uint64_t failed_fast_count(const StrategyMetrics& metrics) {
  std::uint64_t total = 0;
  for (const RetryVerdict v : {RetryVerdict::kBudgetExhausted, RetryVerdict::kThrottled,
                               RetryVerdict::kBreakerOpen, RetryVerdict::kQueueFull}) {
    total += metrics.verdicts[static_cast<std::size_t>(v)];
  }
  return total;
}

const std::vector<MetricDefinition>& metric_catalog() {
  static const std::vector<MetricDefinition> catalog = build_catalog();
  return catalog;
}

const MetricDefinition* find_metric(const std::string& name) {
  for (const MetricDefinition& metric : metric_catalog()) {
    if (metric.name == name) {
      return &metric;
    }
  }
  return nullptr;
}

std::string metric_names() {
  std::string out;
  for (const MetricDefinition& metric : metric_catalog()) {
    out += out.empty() ? "" : ", ";
    out += metric.name;
  }
  return out;
}

}  // namespace rb
