#include <gtest/gtest.h>

#include "engine/strategy/circuit_breaker.hpp"
#include "engine/strategy/fallback.hpp"
#include "engine/strategy/hedging.hpp"
#include "engine/strategy/retry_budget.hpp"
#include "engine/strategy/retry_queue.hpp"
#include "engine/strategy/throttle.hpp"

namespace rb {
namespace {

AttemptResult status(int code) {
  AttemptResult r;
  r.cls = code >= 200 && code < 300 ? AttemptClass::kSuccess : AttemptClass::kHttpStatus;
  r.status = code;
  return r;
}

TEST(TokenBucketBudget, StopsAtHalfTokens) {
  RetryBudgetConfig config;
  config.kind = RetryBudgetConfig::Kind::kTokenBucket;
  config.max_tokens = 10;
  config.token_ratio = 0.1;
  RetryBudget budget(config);
  // 10 tokens; each retryable failure takes 1. After 4 failures 6 > 5 still allows.
  for (int i = 0; i < 4; ++i) {
    budget.on_attempt_result(false, true);
  }
  EXPECT_DOUBLE_EQ(budget.tokens(), 6.0);
  EXPECT_TRUE(budget.allows_retry(Duration(0)));
  budget.on_attempt_result(false, true);  // 5 is not > 5
  EXPECT_FALSE(budget.allows_retry(Duration(0)));
  budget.on_attempt_result(true, false);  // 5.1 > 5
  EXPECT_TRUE(budget.allows_retry(Duration(0)));
}

TEST(TokenBucketBudget, StaysWithinBounds) {
  RetryBudgetConfig config;
  config.kind = RetryBudgetConfig::Kind::kTokenBucket;
  RetryBudget budget(config);
  for (int i = 0; i < 100; ++i) {
    budget.on_attempt_result(true, false);
  }
  EXPECT_DOUBLE_EQ(budget.tokens(), 10.0);
  for (int i = 0; i < 100; ++i) {
    budget.on_attempt_result(false, true);
  }
  EXPECT_DOUBLE_EQ(budget.tokens(), 0.0);
  budget.on_attempt_result(false, false);  // a non-retryable failure costs nothing
  EXPECT_DOUBLE_EQ(budget.tokens(), 0.0);
}

TEST(RatioBudget, AllowsTenPercent) {
  RetryBudgetConfig config;
  config.kind = RetryBudgetConfig::Kind::kRatio;
  config.ratio = 0.1;
  config.window = from_seconds(10);
  RetryBudget budget(config);
  for (int i = 0; i < 50; ++i) {
    budget.on_request(from_millis(i));
  }
  // 0.1 x 50 = 5 retries.
  int granted = 0;
  while (budget.allows_retry(from_millis(100)) && granted < 100) {
    budget.on_retry(from_millis(100));
    ++granted;
  }
  EXPECT_EQ(granted, 5);
}

TEST(RatioBudget, OldRequestsLeaveWindow) {
  RetryBudgetConfig config;
  config.kind = RetryBudgetConfig::Kind::kRatio;
  config.ratio = 1.0;
  config.window = from_seconds(10);
  RetryBudget budget(config);
  budget.on_request(from_seconds(0));
  EXPECT_TRUE(budget.allows_retry(from_seconds(5)));
  EXPECT_FALSE(budget.allows_retry(from_seconds(11)));  // the bucket [0, 1 s) has left
}

TEST(AdaptiveThrottle, ProbabilityFollowsFormula) {
  ThrottleConfig config;
  config.enabled = true;
  config.k = 2.0;
  AdaptiveThrottle throttle(config);
  Rng rng(1);
  for (int i = 0; i < 10; ++i) {
    throttle.admit(from_millis(i), rng);
  }
  for (int i = 0; i < 3; ++i) {
    throttle.on_attempt_result(from_millis(20), status(200));
  }
  throttle.on_attempt_result(from_millis(20), status(429));  // a rejection, not an accept
  // requests 10, accepts 3: (10 - 2 x 3) / (10 + 1) = 4 / 11.
  EXPECT_DOUBLE_EQ(throttle.reject_probability(from_millis(30)), 4.0 / 11.0);
}

TEST(AdaptiveThrottle, HealthyNeverRejects) {
  ThrottleConfig config;
  config.enabled = true;
  AdaptiveThrottle throttle(config);
  Rng rng(1);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(throttle.admit(from_millis(i), rng));
    throttle.on_attempt_result(from_millis(i), status(200));
  }
  EXPECT_DOUBLE_EQ(throttle.reject_probability(from_seconds(1)), 0.0);
}

TEST(AdaptiveThrottle, TotalFailureRejectsMost) {
  ThrottleConfig config;
  config.enabled = true;
  AdaptiveThrottle throttle(config);
  Rng rng(3);
  int rejected = 0;
  for (int i = 0; i < 1000; ++i) {
    if (!throttle.admit(from_millis(i), rng)) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 900);  // p = n / (n + 1) with no accepts
}

BreakerConfig breaker_config() {
  BreakerConfig config;
  config.scope = BreakerConfig::Scope::kGlobal;
  config.consecutive_failures = 3;
  config.failure_rate = 0;
  config.open_duration = from_seconds(5);
  config.half_open_probes = 2;
  return config;
}

TEST(CircuitBreaker, TripsOnConsecutiveFailures) {
  CircuitBreaker breaker(breaker_config());
  const auto fail = [&](Duration at) {
    breaker.on_attempt_start(at);
    breaker.on_attempt_end(EndpointOutcome::kFailure, at, at);
  };
  fail(from_seconds(1));
  fail(from_seconds(1));
  EXPECT_TRUE(breaker.allows(from_seconds(1)));
  fail(from_seconds(1));
  EXPECT_EQ(breaker.state(from_seconds(1)), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(breaker.allows(from_seconds(5)));
  EXPECT_EQ(breaker.trips(), 1u);
}

TEST(CircuitBreaker, HalfOpenProbesClose) {
  CircuitBreaker breaker(breaker_config());
  for (int i = 0; i < 3; ++i) {
    breaker.on_attempt_start(Duration(0));
    breaker.on_attempt_end(EndpointOutcome::kFailure, Duration(0), Duration(0));
  }
  const Duration half = from_seconds(5);  // open_duration after the trip
  EXPECT_TRUE(breaker.allows(half));
  breaker.on_attempt_start(half);
  breaker.on_attempt_start(half);
  EXPECT_FALSE(breaker.allows(half));  // both probes are out
  breaker.on_attempt_end(EndpointOutcome::kSuccess, half, half + from_millis(1));
  EXPECT_EQ(breaker.state(half), CircuitBreaker::State::kHalfOpen);
  breaker.on_attempt_end(EndpointOutcome::kSuccess, half, half + from_millis(2));
  EXPECT_EQ(breaker.state(half), CircuitBreaker::State::kClosed);
}

TEST(CircuitBreaker, ProbeFailureReopens) {
  CircuitBreaker breaker(breaker_config());
  for (int i = 0; i < 3; ++i) {
    breaker.on_attempt_start(Duration(0));
    breaker.on_attempt_end(EndpointOutcome::kFailure, Duration(0), Duration(0));
  }
  const Duration half = from_seconds(6);
  breaker.on_attempt_start(half);
  breaker.on_attempt_end(EndpointOutcome::kFailure, half, half);
  EXPECT_FALSE(breaker.allows(half + from_seconds(1)));
  EXPECT_EQ(breaker.trips(), 2u);
}

TEST(CircuitBreaker, CancelledProbeGivesSlotBack) {
  BreakerConfig config = breaker_config();
  config.half_open_probes = 1;
  CircuitBreaker breaker(config);
  for (int i = 0; i < 3; ++i) {
    breaker.on_attempt_start(Duration(0));
    breaker.on_attempt_end(EndpointOutcome::kFailure, Duration(0), Duration(0));
  }
  const Duration half = from_seconds(5);
  breaker.on_attempt_start(half);
  EXPECT_FALSE(breaker.allows(half));
  breaker.on_attempt_end(EndpointOutcome::kCancelled, half, half);
  EXPECT_TRUE(breaker.allows(half));
}

TEST(CircuitBreaker, TripsOnFailureRate) {
  BreakerConfig config;
  config.scope = BreakerConfig::Scope::kGlobal;
  config.consecutive_failures = 0;
  config.failure_rate = 0.5;
  config.min_requests = 10;
  CircuitBreaker breaker(config);
  // Alternating results: 50 % failures, but the window needs 10 attempts first.
  for (int i = 0; i < 9; ++i) {
    const auto outcome = i % 2 == 0 ? EndpointOutcome::kFailure : EndpointOutcome::kSuccess;
    breaker.on_attempt_end(outcome, from_millis(i), from_millis(i));
  }
  EXPECT_TRUE(breaker.allows(from_millis(10)));  // 5 of 9, below min_requests
  breaker.on_attempt_end(EndpointOutcome::kSuccess, from_millis(10), from_millis(10));
  EXPECT_FALSE(breaker.allows(from_millis(10)));  // 5 of 10 = 0.5 >= 0.5 trips it
  EXPECT_EQ(breaker.trips(), 1u);
}

TEST(CircuitBreaker, CancelledIsNotFailure) {
  CircuitBreaker breaker(breaker_config());
  for (int i = 0; i < 10; ++i) {
    breaker.on_attempt_end(EndpointOutcome::kCancelled, Duration(0), Duration(0));
  }
  EXPECT_EQ(breaker.trips(), 0u);
}

TEST(BreakerSet, PerEndpointMarksOpen) {
  BreakerConfig config = breaker_config();
  config.scope = BreakerConfig::Scope::kPerEndpoint;
  BreakerSet set(config, 3);
  for (int i = 0; i < 3; ++i) {
    set.on_attempt_end(1, EndpointOutcome::kFailure, Duration(0), Duration(0));
  }
  std::vector<std::uint8_t> excluded(3, 0);
  EXPECT_EQ(set.mark_excluded(Duration(0), excluded), 2u);
  EXPECT_EQ(excluded[1], 1);
}

TEST(HedgePolicy, FixedDelay) {
  HedgeConfig config;
  config.enabled = true;
  config.delay = from_millis(50);
  HedgePolicy hedge(config);
  EXPECT_EQ(hedge.delay(), from_millis(50));
}

TEST(HedgePolicy, PercentileAfterMinSamples) {
  HedgeConfig config;
  config.enabled = true;
  config.delay = from_millis(500);
  config.percentile = 90;
  config.min_samples = 10;
  HedgePolicy hedge(config);
  for (int i = 1; i <= 9; ++i) {
    hedge.observe(from_millis(i * 10));
  }
  EXPECT_EQ(hedge.delay(), from_millis(500));  // 9 samples: still the fixed delay
  hedge.observe(from_millis(100));
  // 10 samples 10..100 ms: nearest rank ceil(0.9 x 10) = 9th smallest = 90 ms.
  EXPECT_EQ(hedge.delay(), from_millis(90));
}

TEST(RetryQueue, FifoAtDrainRate) {
  RetryQueueConfig config;
  config.enabled = true;
  config.capacity = 2;
  config.drain_rate = 10;  // one per 100 ms
  RetryQueue queue(config);
  EXPECT_TRUE(queue.push(1, Duration(0), from_millis(10)));
  EXPECT_TRUE(queue.push(2, Duration(0), from_millis(10)));
  EXPECT_FALSE(queue.push(3, Duration(0), Duration(0)));  // full
  EXPECT_FALSE(queue.pop(from_millis(5)).has_value());    // head not ready
  EXPECT_EQ(queue.pop(from_millis(10)).value_or(0), 1u);
  EXPECT_EQ(queue.next_release().value_or(Duration(0)), from_millis(110));
  EXPECT_FALSE(queue.pop(from_millis(50)).has_value());
  EXPECT_EQ(queue.pop(from_millis(110)).value_or(0), 2u);
  EXPECT_EQ(queue.max_depth(), 2u);
}

TEST(RetryQueue, MinimumDelay) {
  RetryQueueConfig config;
  config.enabled = true;
  config.delay = from_seconds(1);
  RetryQueue queue(config);
  ASSERT_TRUE(queue.push(7, from_seconds(2), from_seconds(2)));
  EXPECT_EQ(queue.next_release().value_or(Duration(0)), from_seconds(3));
}

TEST(Fallback, VariantsSubstituteField) {
  RequestTemplate base;
  base.body = R"({"model":"gpt-4o","messages":[]})";
  FallbackConfig config;
  config.statuses = {429};
  config.values = {"gpt-4o-mini", "small"};
  const auto variants = request_variants(base, config);
  ASSERT_EQ(variants.size(), 3u);
  EXPECT_EQ(variants[0].body, base.body);
  EXPECT_NE(variants[1].body.find("\"model\":\"gpt-4o-mini\""), std::string::npos);
  EXPECT_NE(variants[2].body.find("\"model\":\"small\""), std::string::npos);
  EXPECT_TRUE(fallback_matches(config, status(429)));
  EXPECT_FALSE(fallback_matches(config, status(503)));
}

}  // namespace
}  // namespace rb
