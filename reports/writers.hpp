#pragma once

#include <string>
#include <vector>

#include "reports/result.hpp"

namespace rb {

// Writes every report file of a run into `dir` (created when missing): result.json,
// summary.csv, timeseries.csv, latency.csv, one .hgrm per strategy, report.html and
// junit.xml. Each file is written to a temporary name and renamed. Returns the paths
// written; throws std::runtime_error "cannot write FILE: reason" on failure.
std::vector<std::string> write_reports(const RunResult& result, const std::string& dir);

// The comparison table for the terminal, at most 100 columns wide.
std::string format_comparison_table(const RunResult& result, bool color);

// The .hgrm file name of a strategy's intended-time latency histogram: the name with every
// byte other than letters, digits, '-', '_' and '.' replaced by '_'.
std::string hgrm_file_name(const std::string& strategy_name);

}  // namespace rb
