#include "engine/pacer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace rb {
namespace {

std::vector<Duration> schedule(const LoadProfile& profile, ShardSpec shard = {}) {
  Pacer pacer(profile, 1, shard);
  std::vector<Duration> out;
  while (pacer.peek() && out.size() < 100000) {
    out.push_back(*pacer.peek());
    pacer.pop();
  }
  return out;
}

LoadProfile constant(double rate, double seconds) {
  LoadProfile p;
  p.kind = LoadProfile::Kind::kConstant;
  p.rate = rate;
  p.duration = from_seconds(seconds);
  return p;
}

TEST(Pacer, ConstantRateSpacesEvenly) {
  const auto times = schedule(constant(4, 1));
  ASSERT_EQ(times.size(), 4u);
  EXPECT_EQ(times[0], Duration(0));
  EXPECT_EQ(times[1], from_millis(250));
  EXPECT_EQ(times[3], from_millis(750));
}

TEST(Pacer, FractionalRateBelowOnePerSecond) {
  // 0.5/s over 5 s: requests at 0, 2 and 4 s.
  const auto times = schedule(constant(0.5, 5));
  ASSERT_EQ(times.size(), 3u);
  EXPECT_EQ(times[2], from_seconds(4));
}

TEST(Pacer, ConstantCountMatchesRateTimesDuration) {
  EXPECT_EQ(schedule(constant(1000, 3)).size(), 3000u);
  EXPECT_EQ(schedule(constant(33.3, 3)).size(), 100u);  // 99.9 rounds up to the 100th at 2.97 s
}

TEST(Pacer, RampCountIsTheAreaUnderTheRate) {
  LoadProfile p;
  p.kind = LoadProfile::Kind::kRamp;
  p.rate_from = 0;
  p.rate_to = 100;
  p.duration = from_seconds(10);
  const auto times = schedule(p);
  // (0 + 100) / 2 * 10 = 500 requests.
  EXPECT_EQ(times.size(), 500u);
  // Half of them come in the last 2.93 s: the cumulative count t^2 * 5 reaches 250 at 7.07 s.
  EXPECT_NEAR(to_seconds(times[250]), 7.07, 0.01);
}

TEST(Pacer, StepsFollowEachStage) {
  LoadProfile p;
  p.kind = LoadProfile::Kind::kSteps;
  p.steps = {{10, from_seconds(1)}, {0, from_seconds(1)}, {20, from_seconds(1)}};
  p.duration = from_seconds(3);
  const auto times = schedule(p);
  ASSERT_EQ(times.size(), 30u);
  EXPECT_EQ(times[9], from_millis(900));
  EXPECT_EQ(times[10], from_seconds(2));
  EXPECT_EQ(times[29], from_millis(2950));
}

TEST(Pacer, PoissonMeanRateAndDeterminism) {
  LoadProfile p;
  p.kind = LoadProfile::Kind::kPoisson;
  p.rate = 200;
  p.duration = from_seconds(50);
  const auto a = schedule(p);
  const auto b = schedule(p);
  EXPECT_EQ(a, b);
  // 10,000 expected; a Poisson count's standard deviation is 100.
  EXPECT_NEAR(static_cast<double>(a.size()), 10000.0, 500.0);
}

TEST(Pacer, MaxRequestsStopsTheSchedule) {
  LoadProfile p = constant(100, 10);
  p.max_requests = 7;
  EXPECT_EQ(schedule(p).size(), 7u);
}

TEST(Pacer, ShardsPartitionTheSchedule) {
  const LoadProfile p = constant(10, 1);  // 10 requests; 3 shards take 4, 3, 3
  const auto s0 = schedule(p, {0, 3});
  const auto s1 = schedule(p, {1, 3});
  const auto s2 = schedule(p, {2, 3});
  EXPECT_EQ(s0.size() + s1.size() + s2.size(), 10u);
  EXPECT_EQ(s0.size(), 4u);
  EXPECT_EQ(s1.front(), from_millis(100));
}

TEST(Pacer, SubRateShardsNeverRoundToZero) {
  // 0.9 requests per second for 10 s is 9 requests; 4 shards still send all 9.
  const LoadProfile p = constant(0.9, 10);
  std::size_t total = 0;
  for (int i = 0; i < 4; ++i) {
    total += schedule(p, {i, 4}).size();
  }
  EXPECT_EQ(total, 9u);
}

TEST(Pacer, UsersProfileHasNoSchedule) {
  LoadProfile p;
  p.kind = LoadProfile::Kind::kUsers;
  p.users = 5;
  EXPECT_TRUE(schedule(p).empty());
}

}  // namespace
}  // namespace rb
