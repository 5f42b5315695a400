#include <cstdio>
#include <limits>

#include "reports/html_sections.hpp"
#include "reports/junit.hpp"
#include "reports/metric_catalog.hpp"
#include "reports/threshold_expression.hpp"

namespace rb {

namespace {

struct Column {
  std::string heading;  // with the unit
  std::string metric;   // catalog name
  double scale;         // display multiplier (100 for rates shown in percent)
  const char* format;
};

const std::vector<Column>& columns() {
  static const std::vector<Column> kColumns = {{"success %", "success_rate", 100, "%.2f"},
                                               {"p50 ms", "p50_ms", 1, "%.1f"},
                                               {"p90 ms", "p90_ms", 1, "%.1f"},
                                               {"p99 ms", "p99_ms", 1, "%.1f"},
                                               {"p99.9 ms", "p999_ms", 1, "%.1f"},
                                               {"max ms", "max_ms", 1, "%.1f"},
                                               {"amplification", "amplification", 1, "%.3f"},
                                               {"attempts", "attempts", 1, "%.0f"},
                                               {"retries", "retries", 1, "%.0f"},
                                               {"failed fast", "failed_fast", 1, "%.0f"},
                                               {"failed", "failed", 1, "%.0f"},
                                               {"dropped", "dropped", 1, "%.0f"}};
  return kColumns;
}

// The best value of a column over all strategies; NaN for a neutral metric.
double best_value(const RunResult& result, const MetricDefinition& metric) {
  if (metric.direction == Direction::kNeutral || result.strategies.size() < 2) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const bool lower = metric.direction == Direction::kLowerIsBetter;
  double best =
      lower ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  for (const StrategyResult& strategy : result.strategies) {
    const double value = metric.value(strategy.metrics);
    best = lower ? std::min(best, value) : std::max(best, value);
  }
  return best;
}

std::string reasons_text(const StrategyMetrics& metrics) {
  std::string out;
  for (const auto& [reason, count] : metrics.retries_by_reason) {
    out += (out.empty() ? "" : ", ") + reason + " " + std::to_string(count);
  }
  return out.empty() ? "none" : out;
}

}  // namespace

std::string comparison_section(const RunResult& result) {
  std::string out =
      "<h2>Strategies</h2><p>Latency is measured from each logical request's "
      "intended start. Best value per column in green.</p><table "
      "class=\"comparison\"><tr><th class=\"name\">strategy</th>";
  for (const Column& column : columns()) {
    out += "<th>" + xml_escape(column.heading) + "</th>";
  }
  out += "<th class=\"name\">retries by reason</th></tr>\n";
  std::vector<double> best;
  for (const Column& column : columns()) {
    best.push_back(best_value(result, *find_metric(column.metric)));
  }
  for (const StrategyResult& strategy : result.strategies) {
    out += "<tr><td class=\"name\" title=\"" + xml_escape(strategy.description) + "\">" +
           xml_escape(strategy.name) + "</td>";
    for (std::size_t i = 0; i < columns().size(); ++i) {
      const Column& column = columns()[i];
      const double value = find_metric(column.metric)->value(strategy.metrics);
      char text[64];
      std::snprintf(text, sizeof text, column.format, value * column.scale);
      out += value == best[i] ? "<td class=\"best\">" : "<td>";
      out += std::string(text) + "</td>";
    }
    out += "<td class=\"name\">" + xml_escape(reasons_text(strategy.metrics)) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string threshold_section(const RunResult& result) {
  if (result.thresholds.empty()) {
    return "";
  }
  std::string out =
      "<h2>Thresholds</h2><table><tr><th class=\"name\">result</th><th "
      "class=\"name\">detail</th></tr>";
  for (const ThresholdResult& threshold : result.thresholds) {
    out += std::string("<tr><td class=\"name\">") + (threshold.passed ? "passed" : "FAILED") +
           "</td><td class=\"name\">" + xml_escape(describe_threshold(threshold)) + "</td></tr>";
  }
  return out + "</table>\n";
}

}  // namespace rb
