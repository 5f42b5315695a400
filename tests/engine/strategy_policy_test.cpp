#include <gtest/gtest.h>

#include "engine/strategy/presets.hpp"
#include "engine/strategy/retry_policy.hpp"

namespace rb {
namespace {

AttemptResult status(int code) {
  AttemptResult r;
  r.cls = AttemptClass::kHttpStatus;
  r.status = code;
  return r;
}

AttemptResult outcome(AttemptClass cls) {
  AttemptResult r;
  r.cls = cls;
  return r;
}

RetryConfig constant_config(int max_attempts) {
  RetryConfig c;
  c.max_attempts = max_attempts;
  c.backoff.kind = BackoffConfig::Kind::kConstant;
  c.backoff.base = from_seconds(1);
  return c;
}

TEST(RetryPolicy, MaxAttemptsIsTotal) {
  RetryPolicy policy(constant_config(3));
  Rng rng(1);
  RetryContext context;
  int attempts = 0;
  RetryVerdict verdict = RetryVerdict::kRetry;
  while (verdict == RetryVerdict::kRetry && attempts < 100) {
    context.attempts_made = ++attempts;
    verdict = policy.decide(context, status(503), Duration(0), rng).verdict;
  }
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(verdict, RetryVerdict::kAttemptsExhausted);
}

class RetryableOutcome : public ::testing::TestWithParam<AttemptClass> {};

TEST_P(RetryableOutcome, RetriesByDefault) {
  RetryPolicy policy(constant_config(2));
  EXPECT_TRUE(policy.is_retryable(outcome(GetParam())));
}

INSTANTIATE_TEST_SUITE_P(DefaultClasses, RetryableOutcome,
                         ::testing::Values(AttemptClass::kConnectTimeout,
                                           AttemptClass::kFirstByteTimeout,
                                           AttemptClass::kTotalTimeout, AttemptClass::kRefused,
                                           AttemptClass::kReset, AttemptClass::kClosedEarly));

TEST(RetryPolicy, StatusListDecides) {
  RetryPolicy policy(constant_config(2));
  EXPECT_TRUE(policy.is_retryable(status(429)));
  EXPECT_FALSE(policy.is_retryable(status(400)));
  EXPECT_FALSE(policy.is_retryable(outcome(AttemptClass::kCancelled)));
}

TEST(RetryPolicy, PostNotRetriedByDefault) {
  RetryPolicy policy(constant_config(3));
  Rng rng(1);
  RetryContext context;
  context.attempts_made = 1;
  context.idempotent = false;
  EXPECT_EQ(policy.decide(context, status(503), Duration(0), rng).verdict,
            RetryVerdict::kNonIdempotent);
  // The request never reached the upstream, so a retry cannot repeat work.
  EXPECT_EQ(policy.decide(context, outcome(AttemptClass::kRefused), Duration(0), rng).verdict,
            RetryVerdict::kRetry);
}

RetryDecision decide_with_headers(RetryAfterConfig::Mode mode, const char* retry_after,
                                  const char* retry_after_ms = nullptr) {
  RetryConfig config = constant_config(3);
  config.retry_after.mode = mode;
  config.retry_after.cap = from_seconds(60);
  RetryPolicy policy(config);
  Rng rng(1);
  AttemptResult result = status(429);
  if (retry_after != nullptr) {
    result.retry_after = retry_after;
  }
  if (retry_after_ms != nullptr) {
    result.retry_after_ms = retry_after_ms;
  }
  RetryContext context;
  context.attempts_made = 1;
  context.wall_now_unix = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  return policy.decide(context, result, Duration(0), rng);
}

struct HeaderCase {
  RetryAfterConfig::Mode mode;
  const char* retry_after;
  const char* retry_after_ms;
  double expected_s;
  bool invalid;
};

class RetryAfterHeader : public ::testing::TestWithParam<HeaderCase> {};

// The backoff is a constant 1 s and the cap 60 s.
TEST_P(RetryAfterHeader, WaitFollowsMode) {
  const HeaderCase c = GetParam();
  const RetryDecision d = decide_with_headers(c.mode, c.retry_after, c.retry_after_ms);
  EXPECT_EQ(d.verdict, RetryVerdict::kRetry);
  EXPECT_DOUBLE_EQ(to_seconds(d.delay), c.expected_s);
  EXPECT_EQ(d.retry_after_invalid, c.invalid);
}

using Mode = RetryAfterConfig::Mode;
INSTANTIATE_TEST_SUITE_P(
    Forms, RetryAfterHeader,
    ::testing::Values(HeaderCase{Mode::kMax, "5", nullptr, 5.0, false},
                      HeaderCase{Mode::kMax, "0", nullptr, 1.0, false},  // max(1 s, 0)
                      HeaderCase{Mode::kHeaderOnly, "0", nullptr, 0.0, false},
                      HeaderCase{Mode::kMax, nullptr, "2500", 2.5, false},
                      HeaderCase{Mode::kMax, "Sun, 06 Nov 1994 08:49:47 GMT", nullptr, 10.0, false},
                      HeaderCase{Mode::kMax, "3600", nullptr, 60.0, false},  // capped
                      HeaderCase{Mode::kMax, "-5", nullptr, 1.0, true},      // backoff
                      HeaderCase{Mode::kMax, "soon", nullptr, 1.0, true},
                      HeaderCase{Mode::kIgnore, "30", nullptr, 1.0, false}));

TEST(RetryPolicy, DeadlineStopsRetry) {
  RetryConfig config = constant_config(5);
  config.deadline = from_millis(1500);
  RetryPolicy policy(config);
  Rng rng(1);
  RetryContext context;
  context.attempts_made = 1;
  // now 600 ms + 1 s backoff = 1.6 s, past the 1.5 s deadline.
  EXPECT_EQ(policy.decide(context, status(503), from_millis(600), rng).verdict,
            RetryVerdict::kDeadline);
  EXPECT_EQ(policy.decide(context, status(503), from_millis(400), rng).verdict,
            RetryVerdict::kRetry);
}

TEST(Presets, Urllib3MatchesRetryObject) {
  const auto config = find_preset("urllib3-default");
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->retry.max_attempts, 4);  // total=3 retries
  EXPECT_EQ(config->retry.retry_statuses, (std::vector<int>{429, 500, 502, 503, 504}));
  RetryPolicy policy(config->retry);
  Rng rng(1);
  RetryContext context;
  // Sleeps before retries 1, 2, 3: 0, 2, 4 s (backoff_factor * 2^(k - 1), none for k = 1).
  const double expected[] = {0.0, 2.0, 4.0};
  for (int k = 1; k <= 3; ++k) {
    context.attempts_made = k;
    EXPECT_DOUBLE_EQ(to_seconds(policy.decide(context, status(503), Duration(0), rng).delay),
                     expected[k - 1]);
  }
}

TEST(Presets, OpenAiIgnoresOverCapHeader) {
  const auto config = find_preset("openai-python");
  ASSERT_TRUE(config.has_value());
  RetryPolicy policy(config->retry);
  Rng rng(1);
  RetryContext context;
  context.attempts_made = 1;
  context.idempotent = false;  // POST retries: openai-python sends an idempotency key
  AttemptResult result = status(429);
  result.retry_after = "120";
  const RetryDecision d = policy.decide(context, result, Duration(0), rng);
  EXPECT_EQ(d.verdict, RetryVerdict::kRetry);
  EXPECT_GT(to_seconds(d.delay), 0.375);  // 0.5 s x (1 - 0.25 x [0, 1))
  EXPECT_LE(to_seconds(d.delay), 0.5);
  result.retry_after = "7";
  EXPECT_DOUBLE_EQ(to_seconds(policy.decide(context, result, Duration(0), rng).delay), 7.0);
}

TEST(Presets, AllNamedAndDistinct) {
  for (const char* name :
       {"no-retry", "tutorial-rotate-429", "tutorial-health-score", "tutorial-skip-unhealthy",
        "full-jitter", "urllib3-default", "openai-python", "full-jitter-token-bucket",
        "p2c-ewma-breaker", "hedged"}) {
    const auto config = find_preset(name);
    ASSERT_TRUE(config.has_value()) << name;
    EXPECT_EQ(config->name, name);
  }
  EXPECT_EQ(find_preset("tutorial-skip-unhealthy")->selector.max_consecutive_errors, 3);
  EXPECT_EQ(find_preset("tutorial-health-score")->retry.max_attempts, 4);
}

}  // namespace
}  // namespace rb
