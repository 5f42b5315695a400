#include "reports/compare.hpp"

#include <cmath>
#include <cstdio>

#include "reports/metric_catalog.hpp"

namespace rb {

namespace {

const StrategyResult* find_strategy(const RunResult& result, const std::string& name) {
  for (const StrategyResult& strategy : result.strategies) {
    if (strategy.name == name) {
      return &strategy;
    }
  }
  return nullptr;
}

void check_comparable(const RunResult& baseline, const RunResult& current) {
  if (baseline.schema_version != current.schema_version) {
    throw CompareMismatch("the results have different schema versions (baseline " +
                          std::to_string(baseline.schema_version) + ", current " +
                          std::to_string(current.schema_version) +
                          "); regenerate the baseline with this retrybench");
  }
  if (baseline.scenario_name != current.scenario_name) {
    throw CompareMismatch("the results come from different scenarios (baseline \"" +
                          baseline.scenario_name + "\", current \"" + current.scenario_name +
                          "\"); compare runs of the same scenario");
  }
}

MetricChange compare_metric(const std::string& strategy, const MetricDefinition& metric,
                            const StrategyMetrics& before, const StrategyMetrics& after,
                            double tolerance_percent) {
  MetricChange change;
  change.strategy = strategy;
  change.metric = metric.name;
  change.baseline = metric.value(before);
  change.current = metric.value(after);
  const double delta = change.current - change.baseline;
  bool beyond = false;
  if (change.baseline != 0) {
    change.change_percent = delta / std::fabs(change.baseline) * 100.0;
    beyond = std::fabs(change.change_percent) > tolerance_percent;
  } else {
    beyond = std::fabs(delta) > tolerance_percent / 100.0;
  }
  bool worse = false;
  if (metric.direction == Direction::kLowerIsBetter) {
    worse = delta > 0;
  } else if (metric.direction == Direction::kHigherIsBetter) {
    worse = delta < 0;
  }
  const bool better = metric.direction != Direction::kNeutral && delta != 0 && !worse;
  change.regression = beyond && worse;
  change.improvement = beyond && better;
  return change;
}

}  // namespace

bool Comparison::has_regression() const {
  for (const MetricChange& change : changes) {
    if (change.regression) {
      return true;
    }
  }
  return false;
}

Comparison compare_results(const RunResult& baseline, const RunResult& current,
                           double tolerance_percent) {
  check_comparable(baseline, current);
  Comparison comparison;
  for (const StrategyResult& before : baseline.strategies) {
    const StrategyResult* after = find_strategy(current, before.name);
    if (after == nullptr) {
      comparison.missing_strategies.push_back(before.name);
      continue;
    }
    for (const MetricDefinition& metric : metric_catalog()) {
      if (metric.compared) {
        comparison.changes.push_back(
            compare_metric(before.name, metric, before.metrics, after->metrics, tolerance_percent));
      }
    }
  }
  for (const StrategyResult& after : current.strategies) {
    if (find_strategy(baseline, after.name) == nullptr) {
      comparison.new_strategies.push_back(after.name);
    }
  }
  if (comparison.changes.empty()) {
    throw CompareMismatch(
        "the results have no strategy name in common; compare runs of the "
        "same strategies");
  }
  return comparison;
}

std::string format_comparison(const Comparison& comparison, double tolerance_percent) {
  char line[200];
  std::snprintf(line, sizeof line, "%-28.28s %-14s %14s %14s %9s  %s\n", "strategy", "metric",
                "baseline", "current", "change", "verdict");
  std::string out = line;
  for (const MetricChange& c : comparison.changes) {
    const char* verdict = "ok";
    if (c.regression) {
      verdict = "REGRESSION";
    } else if (c.improvement) {
      verdict = "improved";
    }
    std::snprintf(line, sizeof line, "%-28.28s %-14s %14.4g %14.4g %+8.1f%%  %s\n",
                  c.strategy.c_str(), c.metric.c_str(), c.baseline, c.current, c.change_percent,
                  verdict);
    out += line;
  }
  for (const std::string& name : comparison.missing_strategies) {
    out += "strategy \"" + name + "\" is in the baseline but not in the current run\n";
  }
  for (const std::string& name : comparison.new_strategies) {
    out += "strategy \"" + name + "\" is new in the current run (no baseline)\n";
  }
  std::snprintf(line, sizeof line, "tolerance %g%%: %s\n", tolerance_percent,
                comparison.has_regression() ? "regression found" : "no regression");
  out += line;
  return out;
}

double parse_tolerance(const std::string& text) {
  std::string number = text;
  if (!number.empty() && number.back() == '%') {
    number.pop_back();
  }
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(number, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (number.empty() || used != number.size() || !std::isfinite(value) || value < 0) {
    throw std::invalid_argument("invalid tolerance \"" + text +
                                "\": expected a non-negative percentage such as 5 or 5%");
  }
  return value;
}

}  // namespace rb
