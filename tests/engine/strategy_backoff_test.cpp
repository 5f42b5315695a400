#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/strategy/backoff.hpp"

namespace rb {
namespace {

using Kind = BackoffConfig::Kind;

BackoffConfig make(Kind kind, double base_ms, double cap_ms, double multiplier = 2.0,
                   double step_ms = 0) {
  BackoffConfig c;
  c.kind = kind;
  c.base = from_millis(base_ms);
  c.cap = from_millis(cap_ms);
  c.multiplier = multiplier;
  c.step = from_millis(step_ms);
  return c;
}

struct DeterministicCase {
  Kind kind;
  int n;
  double expected_ms;
};

class DeterministicBackoff : public ::testing::TestWithParam<DeterministicCase> {};

// base 1 s, multiplier 2, cap 8 s, linear step 500 ms.
TEST_P(DeterministicBackoff, MatchesFormula) {
  const DeterministicCase c = GetParam();
  Backoff backoff(make(c.kind, 1000, 8000, 2.0, 500));
  Rng rng(1);
  EXPECT_DOUBLE_EQ(to_millis(backoff.delay(c.n, Duration(0), rng)), c.expected_ms);
}

INSTANTIATE_TEST_SUITE_P(
    Formulas, DeterministicBackoff,
    ::testing::Values(DeterministicCase{Kind::kNone, 3, 0},
                      DeterministicCase{Kind::kConstant, 5, 1000},
                      DeterministicCase{Kind::kLinear, 0, 1000},    // 1000 + 500 * 0
                      DeterministicCase{Kind::kLinear, 4, 3000},    // 1000 + 500 * 4
                      DeterministicCase{Kind::kLinear, 100, 8000},  // capped
                      DeterministicCase{Kind::kExponential, 0, 1000},
                      DeterministicCase{Kind::kExponential, 1, 2000},
                      DeterministicCase{Kind::kExponential, 3, 8000},  // 1-2-4-8
                      DeterministicCase{Kind::kExponential, 4, 8000},  // 16 s capped to 8 s
                      DeterministicCase{Kind::kUrllib3, 0, 0},         // urllib3: no first sleep
                      DeterministicCase{Kind::kUrllib3, 1, 2000},      // 1 * 2^1
                      DeterministicCase{Kind::kUrllib3, 2, 4000}));    // 1 * 2^2

TEST(Backoff, FullJitterWithinRange) {
  Backoff backoff(make(Kind::kFullJitter, 100, 10000));
  Rng rng(3);
  for (int n = 0; n < 8; ++n) {
    const double upper = std::min(10000.0, 100.0 * std::pow(2.0, n));
    for (int i = 0; i < 50; ++i) {
      const double ms = to_millis(backoff.delay(n, Duration(0), rng));
      EXPECT_GE(ms, 0.0);
      EXPECT_LT(ms, upper);
    }
  }
}

TEST(Backoff, EqualJitterKeepsHalf) {
  Backoff backoff(make(Kind::kEqualJitter, 100, 10000));
  Rng rng(5);
  for (int i = 0; i < 100; ++i) {
    const double ms = to_millis(backoff.delay(3, Duration(0), rng));  // v = 800 ms
    EXPECT_GE(ms, 400.0);
    EXPECT_LT(ms, 800.0);
  }
}

TEST(Backoff, DecorrelatedWithinBaseAndTriple) {
  Backoff backoff(make(Kind::kDecorrelated, 100, 5000));
  Rng rng(9);
  Duration previous{0};
  for (int i = 0; i < 100; ++i) {
    const Duration next = backoff.delay(i, previous, rng);
    const double last_ms = previous.count() > 0 ? to_millis(previous) : 100.0;
    EXPECT_GE(to_millis(next), 100.0);
    EXPECT_LE(to_millis(next), std::min(5000.0, last_ms * 3.0));
    previous = next;
  }
}

TEST(Backoff, OpenAiJitterScalesDown) {
  Backoff backoff(make(Kind::kOpenAi, 500, 8000));
  Rng rng(11);
  for (int i = 0; i < 100; ++i) {
    const double ms = to_millis(backoff.delay(1, Duration(0), rng));  // min(0.5 * 2, 8) = 1 s
    EXPECT_GT(ms, 750.0);
    EXPECT_LE(ms, 1000.0);
  }
}

class BackoffBounds : public ::testing::TestWithParam<Kind> {};

// No overflow, never negative and never above the cap, even at attempt 1,000.
TEST_P(BackoffBounds, CappedAfterThousandAttempts) {
  Backoff backoff(make(GetParam(), 250, 30000, 10.0, 1000));
  Rng rng(13);
  Duration previous{0};
  for (int n = 0; n <= 1000; ++n) {
    const Duration d = backoff.delay(n, previous, rng);
    ASSERT_GE(d.count(), 0) << "n=" << n;
    ASSERT_LE(d, from_seconds(30)) << "n=" << n;
    previous = d;
  }
}

INSTANTIATE_TEST_SUITE_P(AllKinds, BackoffBounds,
                         ::testing::Values(Kind::kNone, Kind::kConstant, Kind::kLinear,
                                           Kind::kExponential, Kind::kFullJitter,
                                           Kind::kEqualJitter, Kind::kDecorrelated, Kind::kUrllib3,
                                           Kind::kOpenAi));

TEST(Backoff, SameSeedSameDelays) {
  Backoff backoff(make(Kind::kFullJitter, 100, 10000));
  Rng a(21);
  Rng b(21);
  for (int n = 0; n < 10; ++n) {
    EXPECT_EQ(backoff.delay(n, Duration(0), a), backoff.delay(n, Duration(0), b));
  }
}

}  // namespace
}  // namespace rb
