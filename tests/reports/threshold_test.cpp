#include "reports/threshold.hpp"

#include <gtest/gtest.h>

#include "reports/threshold_expression.hpp"
#include "tests/reports/sample_result.hpp"

namespace rb {
namespace {

std::string rejection(const std::string& expression) {
  try {
    check_threshold_expression(expression);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(ThresholdParse, AcceptsEachOperator) {
  const std::vector<std::pair<std::string, ThresholdOp>> cases = {
      {"p99_ms < 800", ThresholdOp::kLess},
      {"p99_ms<=800", ThresholdOp::kLessEqual},
      {"success_rate > 0.9", ThresholdOp::kGreater},
      {"success_rate >= 0.99", ThresholdOp::kGreaterEqual},
      {"failed == 0", ThresholdOp::kEqual},
      {"dropped != 3", ThresholdOp::kNotEqual}};
  for (const auto& [text, op] : cases) {
    const ParsedThreshold parsed = parse_threshold_expression(text);
    EXPECT_EQ(parsed.op, op) << text;
  }
  const ParsedThreshold parsed = parse_threshold_expression("  amplification <= 1.2 ");
  EXPECT_EQ(parsed.metric, "amplification");
  EXPECT_DOUBLE_EQ(parsed.limit, 1.2);
}

TEST(ThresholdParse, AcceptsEveryRequiredMetric) {
  for (const char* metric :
       {"success_rate", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms",
        "amplification", "attempts", "failed", "requests", "error_rate", "dropped"}) {
    EXPECT_EQ(rejection(std::string(metric) + " < 1"), "") << metric;
  }
}

TEST(ThresholdParse, UnknownMetricListsAccepted) {
  const std::string message = rejection("p98_ms < 800");
  EXPECT_NE(message.find("unknown metric \"p98_ms\""), std::string::npos) << message;
  EXPECT_NE(message.find("success_rate"), std::string::npos) << message;
  EXPECT_NE(message.find("amplification"), std::string::npos) << message;
}

TEST(ThresholdParse, RejectsMalformed) {
  EXPECT_NE(rejection("p99_ms 800").find("no comparison operator"), std::string::npos);
  EXPECT_NE(rejection("< 800").find("metric name is missing"), std::string::npos);
  EXPECT_NE(rejection("p99_ms < fast").find("\"fast\" is not a number"), std::string::npos);
  EXPECT_NE(rejection("p99_ms < ").find("is not a number"), std::string::npos);
  EXPECT_NE(rejection("p99_ms < 800ms").find("is not a number"), std::string::npos);
}

TEST(ThresholdEvaluate, PerStrategyAndForAll) {
  const RunResult result = testing::make_sample_result();
  const std::vector<ThresholdResult> evaluated = evaluate_thresholds(
      {{"", "success_rate >= 0.9"}, {"urllib3 default", "p99_ms < 800"}}, result);
  ASSERT_EQ(evaluated.size(), 3u);
  EXPECT_EQ(evaluated[0].strategy, "rotate-on-429");
  EXPECT_TRUE(evaluated[0].passed);
  EXPECT_DOUBLE_EQ(evaluated[0].actual, 0.93);
  EXPECT_EQ(evaluated[1].strategy, "urllib3 default");
  EXPECT_TRUE(evaluated[1].passed);
  EXPECT_EQ(evaluated[2].strategy, "urllib3 default");
  EXPECT_EQ(evaluated[2].metric, "p99_ms");
  EXPECT_FALSE(evaluated[2].passed);
  EXPECT_NEAR(evaluated[2].actual, 990.0, 1.0);
  EXPECT_DOUBLE_EQ(evaluated[2].limit, 800.0);
}

TEST(ThresholdEvaluate, ErrorRateAndAmplification) {
  const RunResult result = testing::make_sample_result();
  const auto evaluated =
      evaluate_thresholds({{"", "error_rate <= 0.07"}, {"", "amplification < 1.3"}}, result);
  ASSERT_EQ(evaluated.size(), 4u);
  EXPECT_DOUBLE_EQ(evaluated[0].actual, 0.07);
  EXPECT_TRUE(evaluated[0].passed);
  EXPECT_DOUBLE_EQ(evaluated[2].actual, 130.0 / 98.0);
  EXPECT_FALSE(evaluated[2].passed);
}

TEST(ThresholdDescribe, SaysByHowMuch) {
  const ThresholdResult failed{"fast", "p99_ms < 800", "p99_ms", 1000, 800, false};
  EXPECT_EQ(describe_threshold(failed),
            "fast: p99_ms < 800 failed: p99_ms = 1000, off the limit 800 by 200 (25.0%)");
}

}  // namespace
}  // namespace rb
