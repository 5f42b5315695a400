#pragma once

#include <string>

#include "reports/result.hpp"

namespace rb::testing {

// A two-strategy, two-endpoint RunResult with every metric filled by hand: histograms with
// known values, class and status counts, verdicts, waits and a three-second time series.
// `latency_scale` multiplies every recorded latency, `failed` sets the failed requests of
// the first strategy, so tests can make a slower or less reliable copy.
RunResult make_sample_result(double latency_scale = 1.0, std::uint64_t failed = 5);

// A fresh empty folder under the system temporary directory.
std::string make_temp_dir();

// The whole content of a file.
std::string read_text(const std::string& path);

void write_text(const std::string& path, const std::string& text);

}  // namespace rb::testing
