#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "app/live_runner.hpp"
#include "app/scenario.hpp"
#include "app/sim_runner.hpp"

namespace rb {
namespace {

// Tolerances between a live and a simulated run of the same short scenario; the reasons
// are in docs/simulator.md. Latency tolerances are relative with an absolute floor, because
// a live run adds loopback, parsing and scheduling time that the model only approximates.
constexpr double kSuccessRateAbsolute = 0.06;
constexpr double kAmplificationRelative = 0.12;
constexpr double kP50Relative = 0.25;
constexpr double kP50FloorMs = 5;
constexpr double kP99Relative = 0.40;
constexpr double kP99FloorMs = 25;
// Scenarios whose simulated run takes longer than this in virtual time are not run live
// here; they would take minutes of real time.
constexpr double kMaxLiveSeconds = 25;

bool close_enough(double live, double sim, double relative, double floor) {
  return std::fabs(live - sim) <= std::max(floor, relative * std::max(live, sim));
}

class LiveSimAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(LiveSimAgreement, MetricsAgree) {
  Scenario scenario = load_scenario(GetParam());
  // A short version: at most 3 s of load per strategy.
  if (scenario.load.kind != LoadProfile::Kind::kSteps) {
    scenario.load.duration = std::min(scenario.load.duration, from_seconds(3));
  }
  RunSettings settings;
  settings.progress = false;
  settings.mode = "sim";
  const RunResult sim = run_scenario_sim(scenario, settings);
  double virtual_seconds = 0;
  for (const auto& strategy : sim.strategies) {
    virtual_seconds += strategy.load_seconds + strategy.drain_seconds;
  }
  if (virtual_seconds > kMaxLiveSeconds) {
    GTEST_SKIP() << "simulated run takes " << virtual_seconds << " s; too long to run live here";
  }

  settings.mode = "live";
  const RunResult live = run_scenario_live(scenario, settings);
  ASSERT_EQ(live.strategies.size(), sim.strategies.size());
  for (std::size_t i = 0; i < live.strategies.size(); ++i) {
    const StrategyMetrics& l = live.strategies[i].metrics;
    const StrategyMetrics& s = sim.strategies[i].metrics;
    SCOPED_TRACE(live.strategies[i].name);
    EXPECT_EQ(l.requests, s.requests);
    EXPECT_NEAR(l.success_rate(), s.success_rate(), kSuccessRateAbsolute);
    EXPECT_TRUE(close_enough(l.amplification(), s.amplification(), kAmplificationRelative, 0.02))
        << "amplification live " << l.amplification() << " sim " << s.amplification();
    const double live_p50 = l.latency.percentile_micros(50) / 1000.0;
    const double sim_p50 = s.latency.percentile_micros(50) / 1000.0;
    EXPECT_TRUE(close_enough(live_p50, sim_p50, kP50Relative, kP50FloorMs))
        << "p50 live " << live_p50 << " ms, sim " << sim_p50 << " ms";
    const double live_p99 = l.latency.percentile_micros(99) / 1000.0;
    const double sim_p99 = s.latency.percentile_micros(99) / 1000.0;
    EXPECT_TRUE(close_enough(live_p99, sim_p99, kP99Relative, kP99FloorMs))
        << "p99 live " << live_p99 << " ms, sim " << sim_p99 << " ms";
  }
}

std::vector<std::string> live_capable_scenarios() {
  std::vector<std::string> out;
  const auto dir = std::filesystem::path(RETRYBENCH_SOURCE_DIR) / "scenarios";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    // Only scenarios whose every upstream is fake can run live here without a network.
    const Scenario scenario = load_scenario(entry.path().string());
    const bool all_fake = std::all_of(scenario.upstreams.begin(), scenario.upstreams.end(),
                                      [](const UpstreamSpec& u) { return u.fake && !u.url; });
    if (all_fake) {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, LiveSimAgreement, ::testing::ValuesIn(live_capable_scenarios()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = std::filesystem::path(info.param).stem().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace rb
