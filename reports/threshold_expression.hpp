#pragma once

#include <string>

#include "reports/result.hpp"

namespace rb {

enum class ThresholdOp { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

// A threshold expression split into its parts.
struct ParsedThreshold {
  std::string metric;  // a name from the metric catalog
  ThresholdOp op = ThresholdOp::kLess;
  double limit = 0;  // in the metric's unit
};

// Parses "METRIC OP NUMBER"; throws std::invalid_argument listing the accepted metrics.
ParsedThreshold parse_threshold_expression(const std::string& expression);

std::string threshold_op_text(ThresholdOp op);

bool threshold_holds(ThresholdOp op, double actual, double limit);

// One line for the terminal and JUnit: which threshold, the value and by how much it
// missed, for example "fast: p99_ms < 800 failed: p99_ms = 950, off the limit 800 by 150
// (18.8%)".
std::string describe_threshold(const ThresholdResult& threshold);

}  // namespace rb
