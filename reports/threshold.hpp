#pragma once

#include <string>
#include <vector>

#include "reports/result.hpp"

namespace rb {

// A pass/fail condition from the scenario, such as "p99_ms < 800".
struct ThresholdSpec {
  std::string strategy;    // the strategy it applies to; "" for every strategy
  std::string expression;  // "METRIC OP NUMBER" with OP one of < <= > >= == !=
};

// Checks an expression's form and metric name; throws std::invalid_argument with a message
// that lists the accepted metrics when it is wrong.
void check_threshold_expression(const std::string& expression);

// Evaluates every threshold on every strategy it applies to.
std::vector<ThresholdResult> evaluate_thresholds(const std::vector<ThresholdSpec>& specs,
                                                 const RunResult& result);

}  // namespace rb
