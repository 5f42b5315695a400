#include <gtest/gtest.h>

#include "app/live_runner.hpp"
#include "app/scenario.hpp"
#include "app/sim_runner.hpp"

namespace rb {
namespace {

// A short live scenario against in-process fake upstreams that answer 200, 429 with
// Retry-After and 503.
Scenario short_scenario() {
  JsonDocument doc = JsonDocument::parse("live.json", R"({
    "name": "live-test",
    "seed": 3,
    "upstreams": [
      {"name": "a", "fake": {"rate_limit": {"rps": 20, "burst": 5, "retry_after": "100ms"},
                             "errors": [{"status": 503, "probability": 0.1}]}},
      {"name": "b", "fake": {"errors": [{"status": 503, "probability": 0.2}]}}
    ],
    "load": {"rate": 50, "duration": "1500ms", "grace": "5s"},
    "request": {"method": "GET", "path": "/v1/models"},
    "timeouts": {"connect": "1s", "first_byte": "2s", "total": "2s"},
    "strategies": [
      "no-retry",
      {"name": "retry", "retry": {"max_attempts": 3,
                                   "backoff": {"kind": "exponential", "base": "10ms", "cap": "200ms"}}}
    ]
  })");
  return parse_scenario(doc);
}

TEST(LiveRun, CountsAddUp) {
  const Scenario scenario = short_scenario();
  RunSettings settings;
  settings.progress = false;
  const RunResult result = run_scenario_live(scenario, settings);

  ASSERT_EQ(result.strategies.size(), 2u);
  EXPECT_FALSE(result.partial);
  EXPECT_EQ(result.mode, "live");
  for (const auto& strategy : result.strategies) {
    const StrategyMetrics& m = strategy.metrics;
    SCOPED_TRACE(strategy.name);
    // 50 per second for 1.5 s.
    EXPECT_EQ(m.requests, 75u);
    EXPECT_EQ(m.succeeded + m.failed, m.requests);
    EXPECT_GE(m.attempts, m.requests);
    EXPECT_EQ(m.latency.count(), m.requests);
    EXPECT_GT(m.succeeded, 0u);
    EXPECT_EQ(m.dropped, 0u);
    EXPECT_EQ(m.endpoints[0].attempts + m.endpoints[1].attempts, m.attempts);
    ASSERT_TRUE(strategy.upstreams.is_array());
    ASSERT_EQ(strategy.upstreams.size(), 2u);
  }
  const StrategyMetrics& no_retry = result.strategies[0].metrics;
  const StrategyMetrics& retry = result.strategies[1].metrics;
  EXPECT_EQ(no_retry.attempts, no_retry.requests);
  EXPECT_GT(no_retry.failed, 0u);  // 10-20 % of 503s over 75 requests
  EXPECT_GT(retry.attempts, retry.requests);
  EXPECT_GE(retry.succeeded, no_retry.succeeded);
}

TEST(SimRun, SameScenarioRunsInVirtualTime) {
  const Scenario scenario = short_scenario();
  RunSettings settings;
  settings.mode = "sim";
  settings.progress = false;
  const RunResult result = run_scenario_sim(scenario, settings);
  ASSERT_EQ(result.strategies.size(), 2u);
  EXPECT_EQ(result.mode, "sim");
  for (const auto& strategy : result.strategies) {
    const StrategyMetrics& m = strategy.metrics;
    EXPECT_EQ(m.requests, 75u);
    EXPECT_EQ(m.succeeded + m.failed, m.requests);
    EXPECT_GE(m.attempts, m.requests);
  }
}

TEST(SimRun, RealUrlCannotBeSimulated) {
  JsonDocument doc = JsonDocument::parse("real.json", R"({
    "name": "real", "upstreams": [{"name": "a", "url": "http://127.0.0.1:9"}],
    "load": {"rate": 1, "duration": "1s"}, "strategies": ["no-retry"]})");
  const Scenario scenario = parse_scenario(doc);
  RunSettings settings;
  settings.mode = "sim";
  try {
    run_scenario_sim(scenario, settings);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(e.message().find("cannot be simulated"), std::string::npos);
  }
}

}  // namespace
}  // namespace rb
