#include "engine/strategy/backoff.hpp"

#include <gtest/gtest.h>

namespace rb {
namespace {

BackoffConfig config(BackoffConfig::Kind kind, double base_s, double cap_s) {
  BackoffConfig c;
  c.kind = kind;
  c.base = from_seconds(base_s);
  c.cap = from_seconds(cap_s);
  c.multiplier = 2.0;
  return c;
}

TEST(Backoff, ExponentialDoublesUpToTheCap) {
  Rng rng(1);
  const Backoff backoff(config(BackoffConfig::Kind::kExponential, 1, 8));
  // 1 s * 2^n, capped at 8 s: 1, 2, 4, 8, 8.
  EXPECT_EQ(backoff.delay(0, Duration(0), rng), from_seconds(1));
  EXPECT_EQ(backoff.delay(1, Duration(0), rng), from_seconds(2));
  EXPECT_EQ(backoff.delay(2, Duration(0), rng), from_seconds(4));
  EXPECT_EQ(backoff.delay(3, Duration(0), rng), from_seconds(8));
  EXPECT_EQ(backoff.delay(4, Duration(0), rng), from_seconds(8));
}

TEST(Backoff, NoOverflowAfterManyAttempts) {
  Rng rng(1);
  for (auto kind : {BackoffConfig::Kind::kExponential, BackoffConfig::Kind::kFullJitter,
                    BackoffConfig::Kind::kEqualJitter, BackoffConfig::Kind::kDecorrelated,
                    BackoffConfig::Kind::kLinear, BackoffConfig::Kind::kUrllib3}) {
    const Backoff backoff(config(kind, 0.1, 30));
    Duration previous{0};
    for (int n = 0; n < 1000; ++n) {
      const Duration d = backoff.delay(n, previous, rng);
      ASSERT_GE(d.count(), 0) << backoff_kind_name(kind) << " n=" << n;
      ASSERT_LE(d, from_seconds(30)) << backoff_kind_name(kind) << " n=" << n;
      previous = d;
    }
  }
}

TEST(Backoff, FullJitterStaysBelowTheExponential) {
  Rng rng(5);
  const Backoff backoff(config(BackoffConfig::Kind::kFullJitter, 1, 100));
  for (int i = 0; i < 1000; ++i) {
    EXPECT_LE(backoff.delay(3, Duration(0), rng), from_seconds(8));
  }
}

TEST(Backoff, EqualJitterKeepsHalf) {
  Rng rng(5);
  const Backoff backoff(config(BackoffConfig::Kind::kEqualJitter, 1, 100));
  for (int i = 0; i < 1000; ++i) {
    // v = 8 s: the delay is 4 s plus up to 4 s.
    const Duration d = backoff.delay(3, Duration(0), rng);
    EXPECT_GE(d, from_seconds(4));
    EXPECT_LE(d, from_seconds(8));
  }
}

TEST(Backoff, DecorrelatedGrowsFromThePreviousDelay) {
  Rng rng(9);
  const Backoff backoff(config(BackoffConfig::Kind::kDecorrelated, 1, 100));
  for (int i = 0; i < 1000; ++i) {
    // random(base, previous * 3) = random(1 s, 6 s) for previous = 2 s.
    const Duration d = backoff.delay(5, from_seconds(2), rng);
    EXPECT_GE(d, from_seconds(1));
    EXPECT_LE(d, from_seconds(6));
  }
}

TEST(Backoff, LinearAddsTheStep) {
  Rng rng(1);
  BackoffConfig c = config(BackoffConfig::Kind::kLinear, 1, 100);
  c.step = from_millis(500);
  const Backoff backoff(c);
  EXPECT_EQ(backoff.delay(0, Duration(0), rng), from_seconds(1));
  EXPECT_EQ(backoff.delay(4, Duration(0), rng), from_seconds(3));  // 1 + 4 * 0.5
}

TEST(Backoff, Urllib3SkipsTheFirstSleep) {
  Rng rng(1);
  const Backoff backoff(config(BackoffConfig::Kind::kUrllib3, 1, 120));
  // backoff_factor * 2^(k - 1) for the k-th consecutive error, 0 for the first: 0, 2, 4.
  EXPECT_EQ(backoff.delay(0, Duration(0), rng), Duration(0));
  EXPECT_EQ(backoff.delay(1, Duration(0), rng), from_seconds(2));
  EXPECT_EQ(backoff.delay(2, Duration(0), rng), from_seconds(4));
}

TEST(Backoff, NoneAndConstant) {
  Rng rng(1);
  EXPECT_EQ(Backoff(config(BackoffConfig::Kind::kNone, 1, 10)).delay(3, Duration(0), rng),
            Duration(0));
  EXPECT_EQ(Backoff(config(BackoffConfig::Kind::kConstant, 1, 10)).delay(3, Duration(0), rng),
            from_seconds(1));
}

}  // namespace
}  // namespace rb
