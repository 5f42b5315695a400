#pragma once

#include <string>
#include <vector>

#include "engine/metrics.hpp"

namespace rb {

// The direction in which a metric moves when a strategy gets better.
enum class Direction {
  kLowerIsBetter,   // latency, amplification, failures
  kHigherIsBetter,  // success rate
  kNeutral,         // request counts, which the load profile sets
};

// One named per-strategy metric, shared by summary.csv, thresholds and compare.
struct MetricDefinition {
  std::string name;         // as written in thresholds and CSV headers, e.g. "p99_ms"
  std::string description;  // one line with the unit
  Direction direction;
  bool compared;  // whether `compare` checks it for regressions
  double (*value)(const StrategyMetrics&);
};

// Every metric, in the column order of summary.csv.
const std::vector<MetricDefinition>& metric_catalog();

// The metric with that name, or nullptr.
const MetricDefinition* find_metric(const std::string& name);

// The accepted names, comma separated, for error messages.
std::string metric_names();

// Requests that ended because a guard refused a retry instead of the retry policy: retry
// budget, adaptive throttling, open circuit breakers and a full retry queue.
std::uint64_t failed_fast_count(const StrategyMetrics& metrics);

}  // namespace rb
