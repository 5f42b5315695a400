#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/metrics.hpp"
#include "reports/histogram_json.hpp"
#include "reports/json_fields.hpp"

namespace rb {

// Final outcomes by kind: "success", "dropped", "status_NNN" for failed requests whose last
// attempt got an HTTP status, and each other attempt class name ("reset", ...).
nlohmann::json final_outcomes_json(const StrategyMetrics& metrics);

// Adds every StrategyMetrics field to `out` (a strategy's object in result.json): counts,
// rates, percentile summaries, breakdowns, per-endpoint counters, the time series and the
// histograms in sparse form. `endpoint_names` label the per-endpoint counters. With
// BucketPairs::kLeftEmpty the histograms' bucket arrays stay empty.
void metrics_to_json(const StrategyMetrics& metrics, const std::vector<std::string>& endpoint_names,
                     nlohmann::json& out, BucketPairs pairs = BucketPairs::kIncluded);

// The histograms of StrategyMetrics under the names result.json gives them.
struct NamedHistogram {
  const char* name;
  const Histogram StrategyMetrics::*histogram;
};
inline constexpr NamedHistogram kResultHistograms[] = {
    {"latency", &StrategyMetrics::latency},
    {"latency_succeeded", &StrategyMetrics::latency_succeeded},
    {"service", &StrategyMetrics::service},
    {"lag", &StrategyMetrics::lag},
};

// Reads what metrics_to_json wrote; throws ResultFileError naming the field.
StrategyMetrics metrics_from_json(const FieldReader& fields, std::size_t endpoint_count);

}  // namespace rb
