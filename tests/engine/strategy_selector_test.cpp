#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/strategy/endpoint_selector.hpp"
#include "engine/strategy/health_score_selector.hpp"
#include "engine/strategy/least_outstanding_selector.hpp"
#include "engine/strategy/p2c_ewma_selector.hpp"
#include "engine/strategy/skip_unhealthy_selector.hpp"

namespace rb {
namespace {

constexpr auto kSuccess = EndpointOutcome::kSuccess;
constexpr auto kFailure = EndpointOutcome::kFailure;
constexpr auto kCancelled = EndpointOutcome::kCancelled;

TEST(LeastOutstandingSelector, PicksFewestInFlight) {
  LeastOutstandingSelector selector(3);
  Rng rng(1);
  selector.on_attempt_start(0, Duration(0));
  selector.on_attempt_start(0, Duration(0));
  selector.on_attempt_start(1, Duration(0));
  EXPECT_EQ(selector.select({}, Duration(0), rng), 2u);
  selector.on_attempt_start(2, Duration(0));
  selector.on_attempt_start(2, Duration(0));
  // In flight: 2, 1, 2.
  EXPECT_EQ(selector.select({}, Duration(0), rng), 1u);
}

TEST(LeastOutstandingSelector, TiesTakeTurns) {
  LeastOutstandingSelector selector(3);
  Rng rng(1);
  EXPECT_EQ(selector.select({}, Duration(0), rng), 0u);
  EXPECT_EQ(selector.select({}, Duration(0), rng), 1u);
  EXPECT_EQ(selector.select({}, Duration(0), rng), 2u);
}

TEST(LeastOutstandingSelector, CancelledAttemptLeavesCount) {
  LeastOutstandingSelector selector(2);
  selector.on_attempt_start(0, Duration(0));
  selector.on_attempt_end(0, kCancelled, Duration(0), Duration(0));
  EXPECT_EQ(selector.outstanding(0), 0);
}

TEST(P2cEwmaSelector, EwmaDecaysWithTime) {
  const Duration tau = from_seconds(10);
  P2cEwmaSelector selector(2, tau, from_seconds(1));
  selector.on_attempt_start(0, Duration(0));
  selector.on_attempt_end(0, kSuccess, from_millis(100), from_seconds(1));
  EXPECT_DOUBLE_EQ(selector.ewma_ns(0), 100e6);  // the first sample sets it
  selector.on_attempt_start(0, from_seconds(1));
  selector.on_attempt_end(0, kSuccess, from_millis(200), from_seconds(11));
  // dt = 10 s = tau: w = e^-1 = 0.367879..., ewma = 100 ms * w + 200 ms * (1 - w) = 163.2 ms.
  EXPECT_NEAR(selector.ewma_ns(0), 100e6 * std::exp(-1.0) + 200e6 * (1 - std::exp(-1.0)), 1.0);
}

TEST(P2cEwmaSelector, FailureCountsAsPenalty) {
  P2cEwmaSelector selector(2, from_seconds(10), from_seconds(1));
  selector.on_attempt_start(1, Duration(0));
  selector.on_attempt_end(1, kFailure, from_micros(50), from_millis(1));
  EXPECT_DOUBLE_EQ(selector.ewma_ns(1), 1e9);  // max(50 us, 1 s)
}

TEST(P2cEwmaSelector, PrefersCheaperOfTwo) {
  P2cEwmaSelector selector(2, from_seconds(10), from_seconds(1));
  Rng rng(7);
  selector.on_attempt_start(0, Duration(0));
  selector.on_attempt_end(0, kSuccess, from_millis(500), from_millis(500));
  selector.on_attempt_start(1, Duration(0));
  selector.on_attempt_end(1, kSuccess, from_millis(10), from_millis(10));
  // With two endpoints both are always drawn, so the cheaper one always wins.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(selector.select({}, from_seconds(1), rng), 1u);
  }
}

TEST(P2cEwmaSelector, InFlightRaisesCost) {
  P2cEwmaSelector selector(2, from_seconds(10), from_seconds(1));
  selector.on_attempt_start(0, Duration(0));
  selector.on_attempt_end(0, kSuccess, from_millis(10), from_millis(10));
  selector.on_attempt_start(0, from_millis(10));
  selector.on_attempt_start(0, from_millis(10));
  EXPECT_DOUBLE_EQ(selector.cost(0), 10e6 * 3);  // EWMA x (2 in flight + 1)
}

TEST(HealthScoreSelector, ScoreFollowsFormula) {
  HealthScoreSelector selector(2, 0.2, from_seconds(300));
  EXPECT_DOUBLE_EQ(selector.score(0, Duration(0)), 0.0);  // no success yet
  selector.on_attempt_end(0, kSuccess, from_millis(200), from_seconds(1));
  selector.on_attempt_end(0, kSuccess, from_millis(400), from_seconds(2));
  selector.on_attempt_end(0, kSuccess, from_millis(300), from_seconds(3));
  selector.on_attempt_end(0, kFailure, from_millis(5), from_seconds(4));
  // EWMA: 200, then 0.2 * 400 + 0.8 * 200 = 240, then 0.2 * 300 + 0.8 * 240 = 252 ms.
  // score = 70 * 3/4 + 30 * (1 - 252 / 1000) = 52.5 + 22.44 = 74.94.
  EXPECT_NEAR(selector.score(0, from_seconds(4)), 74.94, 1e-9);
}

TEST(HealthScoreSelector, SlowLatencyEarnsNothing) {
  HealthScoreSelector selector(1, 0.2, from_seconds(300));
  selector.on_attempt_end(0, kSuccess, from_seconds(3), from_seconds(3));
  EXPECT_DOUBLE_EQ(selector.score(0, from_seconds(3)), 70.0);  // min(3000 / 1000, 1) = 1
}

TEST(HealthScoreSelector, ErrorsDecayOnePerPeriod) {
  const Duration period = from_seconds(300);
  HealthScoreSelector selector(1, 0.2, period);
  selector.on_attempt_end(0, kFailure, Duration(0), from_seconds(10));
  selector.on_attempt_end(0, kFailure, Duration(0), from_seconds(20));
  selector.on_attempt_end(0, kFailure, Duration(0), from_seconds(30));
  // The last error was at 30 s: one error leaves at 330 s, the next at 630 s.
  EXPECT_EQ(selector.errors(0, from_seconds(329)), 3u);
  EXPECT_EQ(selector.errors(0, from_seconds(330)), 2u);
  EXPECT_EQ(selector.errors(0, from_seconds(630)), 1u);
  EXPECT_EQ(selector.errors(0, from_seconds(5000)), 0u);
}

TEST(HealthScoreSelector, NewErrorRestartsDecay) {
  HealthScoreSelector selector(1, 0.2, from_seconds(300));
  selector.on_attempt_end(0, kFailure, Duration(0), from_seconds(0));
  selector.on_attempt_end(0, kFailure, Duration(0), from_seconds(299));
  EXPECT_EQ(selector.errors(0, from_seconds(301)), 2u);
  EXPECT_EQ(selector.errors(0, from_seconds(599)), 1u);
}

TEST(HealthScoreSelector, CancelledCountsAsNeither) {
  HealthScoreSelector selector(1, 0.2, from_seconds(300));
  selector.on_attempt_end(0, kCancelled, Duration(0), Duration(0));
  EXPECT_EQ(selector.errors(0, Duration(0)), 0u);
  EXPECT_DOUBLE_EQ(selector.score(0, Duration(0)), 0.0);
}

TEST(HealthScoreSelector, PicksHighestFirstOnTies) {
  HealthScoreSelector selector(3, 0.2, from_seconds(300));
  Rng rng(1);
  EXPECT_EQ(selector.select({}, Duration(0), rng), 0u);  // all 0: the first
  selector.on_attempt_end(2, kSuccess, from_millis(100), Duration(0));
  EXPECT_EQ(selector.select({}, Duration(0), rng), 2u);
}

TEST(SkipUnhealthySelector, SkipsAtThreshold) {
  SkipUnhealthySelector selector(3, 3);
  Rng rng(1);
  for (int i = 0; i < 3; ++i) {
    selector.on_attempt_end(0, kFailure, Duration(0), Duration(0));
  }
  EXPECT_TRUE(selector.skipped(0));
  EXPECT_EQ(selector.select({}, Duration(0), rng), 1u);
  selector.on_attempt_end(0, kSuccess, Duration(0), Duration(0));
  EXPECT_EQ(selector.errors(0), 2);  // a success takes one error off
  EXPECT_EQ(selector.select({}, Duration(0), rng), 0u);
}

TEST(SkipUnhealthySelector, RetryStartsAfterPrevious) {
  SkipUnhealthySelector selector(3, 3);
  Rng rng(1);
  SelectContext retry;
  retry.attempt_index = 1;
  retry.previous = 2;
  EXPECT_EQ(selector.select(retry, Duration(0), rng), 0u);
}

TEST(SkipUnhealthySelector, AllSkippedTriesNext) {
  SkipUnhealthySelector selector(3, 1);
  Rng rng(1);
  for (std::size_t e = 0; e < 3; ++e) {
    selector.on_attempt_end(e, kFailure, Duration(0), Duration(0));
  }
  SelectContext retry;
  retry.previous = 0;
  EXPECT_EQ(selector.select(retry, Duration(0), rng), 1u);
  EXPECT_EQ(selector.select({}, Duration(0), rng), 0u);
}

TEST(SkipUnhealthySelector, CancelledIsNotAnError) {
  SkipUnhealthySelector selector(1, 3);
  selector.on_attempt_end(0, kCancelled, Duration(0), Duration(0));
  EXPECT_EQ(selector.errors(0), 0);
}

// Every selector must respect the exclusion mask (open breakers, a hedge's partner).
class SelectorExclusion : public ::testing::TestWithParam<SelectorConfig::Kind> {};

TEST_P(SelectorExclusion, NeverPicksExcluded) {
  SelectorConfig config;
  config.kind = GetParam();
  auto selector = make_selector(config, {1.0, 2.0, 3.0, 4.0});
  Rng rng(42);
  const std::vector<std::uint8_t> excluded = {1, 0, 1, 0};
  SelectContext context;
  context.excluded = excluded.data();
  for (int i = 0; i < 200; ++i) {
    const std::size_t chosen = selector->select(context, from_millis(i), rng);
    ASSERT_LT(chosen, 4u);
    EXPECT_EQ(excluded[chosen], 0) << "picked excluded endpoint " << chosen;
    selector->on_attempt_start(chosen, from_millis(i));
    selector->on_attempt_end(chosen, i % 3 == 0 ? kFailure : kSuccess, from_millis(5),
                             from_millis(i));
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, SelectorExclusion,
    ::testing::Values(SelectorConfig::Kind::kSingle, SelectorConfig::Kind::kRoundRobin,
                      SelectorConfig::Kind::kRotateOnFailure, SelectorConfig::Kind::kRandom,
                      SelectorConfig::Kind::kWeighted, SelectorConfig::Kind::kLeastOutstanding,
                      SelectorConfig::Kind::kP2cEwma, SelectorConfig::Kind::kHealthScore,
                      SelectorConfig::Kind::kSkipUnhealthy),
    [](const auto& info) {
      std::string name = selector_kind_name(info.param);
      std::erase(name, '-');
      return name;
    });

TEST(SelectorNames, RoundTrip) {
  SelectorConfig::Kind kind{};
  for (const char* name : {"least-outstanding", "p2c-ewma", "health-score", "skip-unhealthy"}) {
    ASSERT_TRUE(selector_kind_from_name(name, kind)) << name;
    EXPECT_EQ(selector_kind_name(kind), name);
  }
}

}  // namespace
}  // namespace rb
