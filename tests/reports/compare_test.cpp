#include "reports/compare.hpp"

#include <gtest/gtest.h>

#include "tests/reports/sample_result.hpp"

namespace rb {
namespace {

using testing::make_sample_result;

const MetricChange& change_of(const Comparison& comparison, const std::string& strategy,
                              const std::string& metric) {
  for (const MetricChange& change : comparison.changes) {
    if (change.strategy == strategy && change.metric == metric) {
      return change;
    }
  }
  throw std::runtime_error("no change for " + strategy + " " + metric);
}

TEST(Compare, IdenticalHasNoRegression) {
  const Comparison comparison = compare_results(make_sample_result(), make_sample_result(), 5);
  EXPECT_FALSE(comparison.has_regression());
  EXPECT_EQ(change_of(comparison, "rotate-on-429", "p99_ms").change_percent, 0);
}

TEST(Compare, SlowerBeyondToleranceRegresses) {
  const Comparison comparison =
      compare_results(make_sample_result(1.0), make_sample_result(1.2), 5);
  EXPECT_TRUE(comparison.has_regression());
  const MetricChange& p99 = change_of(comparison, "rotate-on-429", "p99_ms");
  EXPECT_TRUE(p99.regression);
  EXPECT_NEAR(p99.change_percent, 20.0, 0.5);
}

TEST(Compare, SlowerWithinToleranceOk) {
  const Comparison comparison =
      compare_results(make_sample_result(1.0), make_sample_result(1.03), 5);
  EXPECT_FALSE(comparison.has_regression());
}

TEST(Compare, FasterIsImprovement) {
  const Comparison comparison =
      compare_results(make_sample_result(1.0), make_sample_result(0.5), 5);
  EXPECT_FALSE(comparison.has_regression());
  EXPECT_TRUE(change_of(comparison, "urllib3 default", "p50_ms").improvement);
}

TEST(Compare, LowerSuccessRateRegresses) {
  // 93 of 100 succeed in the baseline, 78 of 100 in the current run: -16 %.
  const Comparison comparison =
      compare_results(make_sample_result(1.0, 5), make_sample_result(1.0, 20), 5);
  const MetricChange& rate = change_of(comparison, "rotate-on-429", "success_rate");
  EXPECT_TRUE(rate.regression);
  EXPECT_LT(rate.change_percent, -5);
}

TEST(Compare, HigherSuccessRateIsNotRegression) {
  const Comparison comparison =
      compare_results(make_sample_result(1.0, 20), make_sample_result(1.0, 5), 5);
  EXPECT_FALSE(change_of(comparison, "rotate-on-429", "success_rate").regression);
  EXPECT_TRUE(change_of(comparison, "rotate-on-429", "success_rate").improvement);
}

TEST(Compare, DifferentScenarioRejected) {
  RunResult other = make_sample_result();
  other.scenario_name = "outage";
  try {
    compare_results(make_sample_result(), other, 5);
    FAIL() << "expected CompareMismatch";
  } catch (const CompareMismatch& e) {
    EXPECT_NE(std::string(e.what()).find("different scenarios"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("\"outage\""), std::string::npos);
  }
}

TEST(Compare, DifferentSchemaRejected) {
  RunResult other = make_sample_result();
  other.schema_version = 0;
  EXPECT_THROW(compare_results(make_sample_result(), other, 5), CompareMismatch);
}

TEST(Compare, NoCommonStrategyRejected) {
  RunResult other = make_sample_result();
  for (StrategyResult& strategy : other.strategies) {
    strategy.name += "-renamed";
  }
  EXPECT_THROW(compare_results(make_sample_result(), other, 5), CompareMismatch);
}

TEST(Compare, ReportsMissingAndNewStrategies) {
  RunResult current = make_sample_result();
  current.strategies[1].name = "hedged";
  const Comparison comparison = compare_results(make_sample_result(), current, 5);
  EXPECT_EQ(comparison.missing_strategies, std::vector<std::string>{"urllib3 default"});
  EXPECT_EQ(comparison.new_strategies, std::vector<std::string>{"hedged"});
  const std::string table = format_comparison(comparison, 5);
  EXPECT_NE(table.find("\"urllib3 default\" is in the baseline"), std::string::npos);
}

TEST(Compare, TableFitsAndMarksRegression) {
  const Comparison comparison =
      compare_results(make_sample_result(1.0), make_sample_result(1.5), 5);
  const std::string table = format_comparison(comparison, 5);
  EXPECT_NE(table.find("REGRESSION"), std::string::npos);
  EXPECT_NE(table.find("regression found"), std::string::npos);
  std::size_t start = 0;
  for (std::size_t end; (end = table.find('\n', start)) != std::string::npos; start = end + 1) {
    EXPECT_LE(end - start, 100u) << table.substr(start, end - start);
  }
}

TEST(Tolerance, Parses) {
  EXPECT_DOUBLE_EQ(parse_tolerance("5"), 5);
  EXPECT_DOUBLE_EQ(parse_tolerance("5%"), 5);
  EXPECT_DOUBLE_EQ(parse_tolerance("0.5%"), 0.5);
  EXPECT_THROW(parse_tolerance("five"), std::invalid_argument);
  EXPECT_THROW(parse_tolerance("-1"), std::invalid_argument);
  EXPECT_THROW(parse_tolerance("%"), std::invalid_argument);
  EXPECT_THROW(parse_tolerance("5%%"), std::invalid_argument);
}

}  // namespace
}  // namespace rb
