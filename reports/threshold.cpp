#include "reports/threshold.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "reports/metric_catalog.hpp"
#include "reports/threshold_expression.hpp"

namespace rb {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string trim(const std::string& text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) {
    ++begin;
  }
  while (end > begin && is_space(text[end - 1])) {
    --end;
  }
  return text.substr(begin, end - begin);
}

[[noreturn]] void reject(const std::string& expression, const std::string& reason) {
  throw std::invalid_argument("invalid threshold \"" + expression + "\": " + reason +
                              ". Expected \"METRIC OP NUMBER\" with OP one of < <= > >= == != "
                              "and METRIC one of " +
                              metric_names());
}

// The operator and where it starts; two-character operators are tried first.
std::pair<ThresholdOp, std::size_t> find_operator(const std::string& expression,
                                                  std::size_t& length) {
  static const std::vector<std::pair<std::string, ThresholdOp>> kOperators = {
      {"<=", ThresholdOp::kLessEqual}, {">=", ThresholdOp::kGreaterEqual},
      {"==", ThresholdOp::kEqual},     {"!=", ThresholdOp::kNotEqual},
      {"<", ThresholdOp::kLess},       {">", ThresholdOp::kGreater}};
  for (const auto& [text, op] : kOperators) {
    const std::size_t at = expression.find(text);
    if (at != std::string::npos) {
      length = text.size();
      return {op, at};
    }
  }
  reject(expression, "no comparison operator");
}

}  // namespace

std::string threshold_op_text(ThresholdOp op) {
  switch (op) {
    case ThresholdOp::kLess:
      return "<";
    case ThresholdOp::kLessEqual:
      return "<=";
    case ThresholdOp::kGreater:
      return ">";
    case ThresholdOp::kGreaterEqual:
      return ">=";
    case ThresholdOp::kEqual:
      return "==";
    case ThresholdOp::kNotEqual:
      return "!=";
  }
  return "?";
}

ParsedThreshold parse_threshold_expression(const std::string& expression) {
  std::size_t length = 0;
  const auto [op, at] = find_operator(expression, length);
  ParsedThreshold parsed;
  parsed.op = op;
  parsed.metric = trim(expression.substr(0, at));
  const std::string number = trim(expression.substr(at + length));

  if (parsed.metric.empty()) {
    reject(expression, "the metric name is missing");
  }
  if (find_metric(parsed.metric) == nullptr) {
    reject(expression, "unknown metric \"" + parsed.metric + "\"");
  }
  std::size_t used = 0;
  try {
    parsed.limit = std::stod(number, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (number.empty() || used != number.size() || !std::isfinite(parsed.limit)) {
    reject(expression, "\"" + number + "\" is not a number");
  }
  return parsed;
}

bool threshold_holds(ThresholdOp op, double actual, double limit) {
  switch (op) {
    case ThresholdOp::kLess:
      return actual < limit;
    case ThresholdOp::kLessEqual:
      return actual <= limit;
    case ThresholdOp::kGreater:
      return actual > limit;
    case ThresholdOp::kGreaterEqual:
      return actual >= limit;
    case ThresholdOp::kEqual:
      return actual == limit;
    case ThresholdOp::kNotEqual:
      return actual != limit;
  }
  return false;
}

void check_threshold_expression(const std::string& expression) {
  parse_threshold_expression(expression);
}

std::vector<ThresholdResult> evaluate_thresholds(const std::vector<ThresholdSpec>& specs,
                                                 const RunResult& result) {
  std::vector<ThresholdResult> out;
  for (const ThresholdSpec& spec : specs) {
    const ParsedThreshold parsed = parse_threshold_expression(spec.expression);
    const MetricDefinition& metric = *find_metric(parsed.metric);
    for (const StrategyResult& strategy : result.strategies) {
      if (!spec.strategy.empty() && spec.strategy != strategy.name) {
        continue;
      }
      ThresholdResult evaluated;
      evaluated.strategy = strategy.name;
      evaluated.expression = spec.expression;
      evaluated.metric = parsed.metric;
      evaluated.actual = metric.value(strategy.metrics);
      evaluated.limit = parsed.limit;
      evaluated.passed = threshold_holds(parsed.op, evaluated.actual, parsed.limit);
      out.push_back(std::move(evaluated));
    }
  }
  return out;
}

std::string describe_threshold(const ThresholdResult& threshold) {
  char text[256];
  const double miss = std::fabs(threshold.actual - threshold.limit);
  if (threshold.passed) {
    std::snprintf(text, sizeof text, "%s: %s passed (%s = %g)", threshold.strategy.c_str(),
                  threshold.expression.c_str(), threshold.metric.c_str(), threshold.actual);
  } else if (threshold.limit != 0) {
    std::snprintf(text, sizeof text, "%s: %s failed: %s = %g, off the limit %g by %g (%.1f%%)",
                  threshold.strategy.c_str(), threshold.expression.c_str(),
                  threshold.metric.c_str(), threshold.actual, threshold.limit, miss,
                  miss / std::fabs(threshold.limit) * 100.0);
  } else {
    std::snprintf(text, sizeof text, "%s: %s failed: %s = %g, off the limit %g by %g",
                  threshold.strategy.c_str(), threshold.expression.c_str(),
                  threshold.metric.c_str(), threshold.actual, threshold.limit, miss);
  }
  return text;
}

}  // namespace rb
