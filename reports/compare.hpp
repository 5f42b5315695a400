#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "reports/result.hpp"

namespace rb {

// Two results that cannot be compared: different scenarios or schema versions, or no
// strategy in common.
class CompareMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One metric of one strategy in the baseline and the current run.
struct MetricChange {
  std::string strategy;
  std::string metric;   // a name from the metric catalog, e.g. "p99_ms"
  double baseline = 0;  // in the metric's unit
  double current = 0;
  double change_percent = 0;  // (current - baseline) / |baseline| * 100; 0 when both are 0
  bool regression = false;    // worse than the baseline by more than the tolerance
  bool improvement = false;   // better than the baseline by more than the tolerance
};

struct Comparison {
  std::vector<MetricChange> changes;
  std::vector<std::string> missing_strategies;  // in the baseline but not in the current run
  std::vector<std::string> new_strategies;      // in the current run only
  bool has_regression() const;
};

// Compares every strategy present in both results on each metric the catalog marks as
// compared. A change counts as a regression when the metric moved the wrong way by more
// than `tolerance_percent` of the baseline value. From a baseline of 0, the change counts
// when it exceeds tolerance / 100 in absolute terms (0.05 for 5 %). Throws CompareMismatch for
// different scenario names or schema versions, or when no strategy name is in both.
Comparison compare_results(const RunResult& baseline, const RunResult& current,
                           double tolerance_percent);

// The table of changes for the terminal, at most 100 columns wide.
std::string format_comparison(const Comparison& comparison, double tolerance_percent);

// Parses a tolerance written as "5" or "5%"; throws std::invalid_argument when it is not a
// non-negative number.
double parse_tolerance(const std::string& text);

}  // namespace rb
