#include "app/sweep.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/json_reader.hpp"

namespace rb {
namespace {

// The message of the ConfigError that parse_sweep throws for `text`, or "" when none.
std::string parse_error(const std::string& text) {
  try {
    parse_sweep(text);
  } catch (const ConfigError& e) {
    return e.message();
  }
  return "";
}

std::string expand_error(const std::vector<StrategyConfig>& strategies,
                         const std::vector<SweepAxis>& axes) {
  try {
    expand_sweep(strategies, axes);
  } catch (const ConfigError& e) {
    return e.message();
  }
  return "";
}

TEST(Sweep, RangeAndListForms) {
  const SweepAxis range = parse_sweep("retry.max_attempts=1..4");
  EXPECT_EQ(range.key, "retry.max_attempts");
  EXPECT_EQ(range.values, (std::vector<double>{1, 2, 3, 4}));
  const SweepAxis stepped = parse_sweep("retry.backoff.base_ms=10..30:10");
  EXPECT_EQ(stepped.values, (std::vector<double>{10, 20, 30}));
  const SweepAxis list = parse_sweep("retry.backoff.multiplier=1.5,2,3");
  EXPECT_EQ(list.values, (std::vector<double>{1.5, 2, 3}));
}

TEST(Sweep, BadExpressionsRejected) {
  const struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"retry.max_attempts", "expected KEY=FROM..TO"},
      {"retry.nope=1..2", "unknown key"},
      {"retry.max_attempts=5..1", "invalid range"},
      {"retry.max_attempts=a..b", "invalid number"},
      {"retry.max_attempts=1..2000", "invalid range"},
      {"retry.max_attempts=0", "invalid value 0"},
      {"retry.max_attempts=1.5", "invalid value 1.5"},
      {"timeouts.total_ms=0", "above 0"},
      {"timeouts.first_byte_ms=0", "above 0"},
      {"timeouts.total_ms=1e308", "invalid value"},
      {"retry.deadline_ms=1e300", "invalid value"},
      {"retry.backoff.cap_ms=-1", "invalid value"},
      {"retry.backoff.multiplier=0.5", "invalid value"},
      {"retry.backoff.multiplier=101", "invalid value"},
      {"retry.max_attempts=2,2,3", "appears twice"},
  };
  for (const auto& c : cases) {
    EXPECT_NE(parse_error(c.text).find(c.message), std::string::npos)
        << c.text << ": " << parse_error(c.text);
  }
}

TEST(Sweep, LongListRejected) {
  std::string text = "retry.backoff.base_ms=0";
  for (int i = 1; i <= 1000; ++i) {
    text += "," + std::to_string(i);
  }
  EXPECT_NE(parse_error(text).find("too many values"), std::string::npos);
}

TEST(Sweep, GridNamesEachPoint) {
  StrategyConfig base;
  base.name = "s";
  const std::vector<StrategyConfig> points = expand_sweep(
      {base}, {parse_sweep("retry.max_attempts=1..2"), parse_sweep("retry.backoff.base_ms=10,20")});
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[0].name, "s[retry.max_attempts=1,retry.backoff.base_ms=10]");
  EXPECT_EQ(points[3].name, "s[retry.max_attempts=2,retry.backoff.base_ms=20]");
  EXPECT_EQ(points[3].retry.max_attempts, 2);
  EXPECT_EQ(points[3].retry.backoff.base, from_millis(20));
}

TEST(Sweep, RepeatedKeyRejected) {
  StrategyConfig base;
  base.name = "s";
  const std::string message = expand_error(
      {base}, {parse_sweep("retry.max_attempts=1..2"), parse_sweep("retry.max_attempts=3..4")});
  EXPECT_NE(message.find("swept twice"), std::string::npos) << message;
}

TEST(Sweep, HugeGridRejected) {
  StrategyConfig base;
  base.name = "s";
  const std::string message = expand_error({base}, {parse_sweep("retry.max_attempts=1..100"),
                                                    parse_sweep("retry.backoff.base_ms=1..1000"),
                                                    parse_sweep("retry.backoff.cap_ms=1..1000")});
  EXPECT_NE(message.find("more than 10000 grid points"), std::string::npos) << message;
}

}  // namespace
}  // namespace rb
