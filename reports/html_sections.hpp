#pragma once

#include <string>

#include "reports/result.hpp"

namespace rb {

// The parts of report.html, each an <h2> heading with its content; all text is escaped.

// The strategy comparison table with the best value per column marked.
std::string comparison_section(const RunResult& result);
// Evaluated thresholds, passed and failed; empty when the run had none.
std::string threshold_section(const RunResult& result);
// Latency percentile curves on a log 1/(1-p) axis, intended time and service time.
std::string percentile_section(const RunResult& result);
// Per strategy: throughput, success and error rate and p99 per second, fault phases shaded.
std::string timeseries_section(const RunResult& result);
// How many attempts each logical request took, per strategy.
std::string attempts_section(const RunResult& result);
// Attempts each endpoint received per second, per strategy.
std::string endpoint_load_section(const RunResult& result);

}  // namespace rb
