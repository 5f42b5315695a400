#include <gtest/gtest.h>

#include "app/scenario.hpp"
#include "app/sim_runner.hpp"
#include "reports/result_json.hpp"

namespace rb {
namespace {

std::string scenario_path(const std::string& name) {
  return std::string(RETRYBENCH_SOURCE_DIR) + "/scenarios/" + name;
}

RunResult simulate(const Scenario& scenario) {
  RunSettings settings;
  settings.mode = "sim";
  settings.progress = false;
  return run_scenario_sim(scenario, settings);
}

// The fields that record the wall clock or the host, which docs/results.md names.
nlohmann::json without_wall_clock(nlohmann::json document) {
  for (const char* key : {"started_at", "wall_seconds", "host", "version"}) {
    document.erase(key);
  }
  return document;
}

TEST(SimMode, SameSeedGivesSameResult) {
  const Scenario scenario = load_scenario(scenario_path("quickstart.json"));
  const nlohmann::json first = without_wall_clock(result_to_json(simulate(scenario)));
  const nlohmann::json second = without_wall_clock(result_to_json(simulate(scenario)));
  EXPECT_EQ(first.dump(), second.dump());
}

TEST(SimMode, OtherSeedGivesOtherResult) {
  Scenario scenario = load_scenario(scenario_path("quickstart.json"));
  const nlohmann::json first = without_wall_clock(result_to_json(simulate(scenario)));
  scenario.seed += 1;
  const nlohmann::json second = without_wall_clock(result_to_json(simulate(scenario)));
  EXPECT_NE(first.dump(), second.dump());
}

TEST(SimMode, ResultSaysSim) {
  const Scenario scenario = load_scenario(scenario_path("quickstart.json"));
  const nlohmann::json document = result_to_json(simulate(scenario));
  EXPECT_EQ(document["mode"], "sim");
}

// Brooker's contention experiment: plain exponential backoff keeps clients in lockstep, so
// it makes the most calls; full jitter spreads them and makes far fewer.
TEST(SimMode, JitterBeatsPlainExponentialUnderContention) {
  const Scenario scenario = load_scenario(scenario_path("backoff-jitter-contention.json"));
  const RunResult result = simulate(scenario);
  std::map<std::string, const StrategyMetrics*> by_name;
  for (const auto& strategy : result.strategies) {
    by_name[strategy.name] = &strategy.metrics;
  }
  ASSERT_EQ(by_name.count("exponential"), 1u);
  ASSERT_EQ(by_name.count("full-jitter"), 1u);
  const StrategyMetrics& plain = *by_name["exponential"];
  for (const auto& [name, metrics] : by_name) {
    EXPECT_EQ(metrics->succeeded, 100u) << name;
    if (name != "exponential") {
      EXPECT_LT(metrics->attempts, plain.attempts) << name;
      EXPECT_LT(metrics->latency.max_micros(), plain.latency.max_micros()) << name;
    }
  }
  // "Far fewer": less than half the calls of plain exponential backoff.
  EXPECT_LT(2 * by_name["full-jitter"]->attempts, plain.attempts);
}

}  // namespace
}  // namespace rb
