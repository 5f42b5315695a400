#pragma once

#include <string>

#include "reports/result.hpp"

namespace rb {

// summary.csv: a header row, then one row per strategy with every metric of the catalog.
std::string summary_csv(const RunResult& result);

// timeseries.csv: one row per strategy per second of the load phase, with the attempts
// each endpoint received in that second.
std::string timeseries_csv(const RunResult& result);

// latency.csv: the percentile spectrum per strategy, intended-time latency and service
// time side by side, in milliseconds.
std::string latency_csv(const RunResult& result);

// The percentiles that latency.csv and the HTML curves list, in percent.
const std::vector<double>& spectrum_percentiles();

}  // namespace rb
