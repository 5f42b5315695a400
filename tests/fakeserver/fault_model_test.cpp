#include "fakeserver/fault_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "fakeserver/token_bucket.hpp"

namespace rb {
namespace {

FaultProfile parse(const std::string& text) {
  const JsonDocument doc = JsonDocument::parse("profile.json", text);
  return parse_fault_profile(JsonNode::root(doc));
}

RequestFacts completion(std::string_view model = "gpt-4o-mini") {
  RequestFacts facts;
  facts.method = "POST";
  facts.path = "/v1/chat/completions";
  facts.body_bytes = 100;
  facts.model = model;
  return facts;
}

// Counts decisions by status over `n` requests spaced 1 ms apart.
std::map<int, int> count_statuses(FaultModel& model, int n) {
  std::map<int, int> counts;
  for (int i = 0; i < n; ++i) {
    ++counts[model.decide(from_millis(i), completion()).status];
  }
  return counts;
}

// True when `count` of `n` is within 5 standard deviations of probability `p`.
bool within_bounds(int count, int n, double p) {
  const double sigma = std::sqrt(n * p * (1 - p));
  return std::abs(count - n * p) <= 5 * sigma + 1;
}

TEST(TokenBucket, StartsFullAndRefills) {
  TokenBucket bucket(10, 5, Duration(0));
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(bucket.try_take(Duration(0))) << i;
  }
  EXPECT_FALSE(bucket.try_take(Duration(0)));
  EXPECT_EQ(bucket.time_until_token(Duration(0)), from_millis(100));
  EXPECT_FALSE(bucket.try_take(from_millis(99)));
  EXPECT_TRUE(bucket.try_take(from_millis(100)));
  EXPECT_NEAR(bucket.tokens(from_millis(100)), 0.0, 1e-9);
  EXPECT_EQ(bucket.time_until_full(from_millis(100)), from_millis(500));
  EXPECT_NEAR(bucket.tokens(from_seconds(100)), 5.0, 1e-9);
}

TEST(TokenBucket, ReconfigureKeepsTokens) {
  TokenBucket bucket(10, 10, Duration(0));
  for (int i = 0; i < 8; ++i) {
    bucket.try_take(Duration(0));
  }
  bucket.reconfigure(1, 1, Duration(0));
  EXPECT_NEAR(bucket.tokens(Duration(0)), 1.0, 1e-9);
  bucket.reconfigure(100, 100, Duration(0));
  EXPECT_NEAR(bucket.tokens(Duration(0)), 1.0, 1e-9);
  EXPECT_NEAR(bucket.tokens(from_millis(10)), 2.0, 1e-9);
}

TEST(FaultModel, NoFaultsAnswers200) {
  FaultModel model(parse("{}"), 1);
  const Decision d = model.decide(Duration(0), completion());
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.body, BodyKind::kCompletion);
  EXPECT_EQ(d.fault, FaultKind::kNone);
  EXPECT_EQ(d.delay, Duration(0));
  EXPECT_TRUE(d.uses_capacity);
  EXPECT_EQ(d.prompt_tokens, 25u);
  EXPECT_GT(d.completion_tokens, 0u);
}

TEST(FaultModel, Routes) {
  FaultModel model(parse("{}"), 1);
  RequestFacts facts;
  facts.method = "GET";
  facts.path = "/v1/models";
  EXPECT_EQ(model.decide(Duration(0), facts).body, BodyKind::kModels);
  facts.path = "/health";
  EXPECT_EQ(model.decide(Duration(0), facts).body, BodyKind::kHealth);
  facts.path = "/__stats";
  EXPECT_EQ(model.decide(Duration(0), facts).body, BodyKind::kStats);
  facts.path = "/nope";
  EXPECT_EQ(model.decide(Duration(0), facts).status, 404);
  facts.path = "/v1/chat/completions";
  EXPECT_EQ(model.decide(Duration(0), facts).status, 405);
}

TEST(FaultModel, UnknownModelAndInvalidBody) {
  FaultModel model(parse(R"({"models": ["a", "b"]})"), 1);
  EXPECT_EQ(model.decide(Duration(0), completion("b")).status, 200);
  const Decision unknown = model.decide(Duration(0), completion("c"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.error, ErrorKind::kModelNotFound);
  RequestFacts invalid = completion("a");
  invalid.body_valid = false;
  EXPECT_EQ(model.decide(Duration(0), invalid).status, 400);
}

TEST(FaultModel, ApiKeyRequired) {
  FaultModel model(parse(R"({"api_key": "sk-1"})"), 1);
  RequestFacts facts = completion();
  EXPECT_EQ(model.decide(Duration(0), facts).status, 401);
  facts.api_key = "sk-2";
  EXPECT_EQ(model.decide(Duration(0), facts).status, 401);
  facts.api_key = "sk-1";
  EXPECT_EQ(model.decide(Duration(0), facts).status, 200);
}

TEST(FaultModel, ProbabilityZeroAndOne) {
  FaultModel never(parse(R"({"errors": [{"status": 503, "probability": 0}],
                             "connection": {"reset_before_response": 0}})"),
                   7);
  EXPECT_EQ(count_statuses(never, 5000)[200], 5000);
  FaultModel always(parse(R"({"errors": [{"status": 502, "probability": 1}]})"), 7);
  EXPECT_EQ(count_statuses(always, 5000)[502], 5000);
  FaultModel reset(parse(R"({"connection": {"reset_before_response": 1}})"), 7);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(reset.decide(from_millis(i), completion()).connection,
              ConnectionFault::kResetBeforeResponse);
  }
}

TEST(FaultModel, ErrorProbabilitiesWithinBounds) {
  FaultModel model(parse(R"({"errors": [{"status": 500, "probability": 0.1},
                                        {"status": 503, "probability": 0.05},
                                        {"status": 429, "probability": 0.2}]})"),
                   42);
  const int n = 5000;
  auto counts = count_statuses(model, n);
  EXPECT_TRUE(within_bounds(counts[500], n, 0.1)) << counts[500];
  EXPECT_TRUE(within_bounds(counts[503], n, 0.05)) << counts[503];
  EXPECT_TRUE(within_bounds(counts[429], n, 0.2)) << counts[429];
  EXPECT_TRUE(within_bounds(counts[200], n, 0.65)) << counts[200];
}

TEST(FaultModel, ConnectionFaultsAndTimeoutsWithinBounds) {
  FaultModel model(parse(R"({"connection": {"reset_before_response": 0.1,
                                            "reset_mid_response": 0.05,
                                            "close_without_response": 0.05,
                                            "truncated_body": 0.05,
                                            "malformed_status_line": 0.05},
                             "timeout": {"probability": 0.1}})"),
                   3);
  const int n = 5000;
  std::map<FaultKind, int> counts;
  for (int i = 0; i < n; ++i) {
    const Decision d = model.decide(from_millis(i), completion());
    ++counts[d.fault];
    if (d.fault == FaultKind::kTimeoutHold) {
      ASSERT_TRUE(d.hold);
    }
  }
  EXPECT_TRUE(within_bounds(counts[FaultKind::kResetBeforeResponse], n, 0.1));
  EXPECT_TRUE(within_bounds(counts[FaultKind::kResetMidResponse], n, 0.05));
  EXPECT_TRUE(within_bounds(counts[FaultKind::kCloseWithoutResponse], n, 0.05));
  EXPECT_TRUE(within_bounds(counts[FaultKind::kTruncatedBody], n, 0.05));
  EXPECT_TRUE(within_bounds(counts[FaultKind::kMalformedStatusLine], n, 0.05));
  EXPECT_TRUE(within_bounds(counts[FaultKind::kTimeoutHold], n, 0.1));
}

TEST(FaultModel, TimeoutWithDelay) {
  FaultModel model(parse(R"({"timeout": {"probability": 1, "delay": "30s"}, "latency": 5})"), 1);
  const Decision d = model.decide(Duration(0), completion());
  EXPECT_FALSE(d.hold);
  EXPECT_EQ(d.fault, FaultKind::kTimeoutDelay);
  EXPECT_EQ(d.delay, from_seconds(30));
}

TEST(FaultModel, RateLimitOnFakeClock) {
  FaultModel model(parse(R"({"rate_limit": {"rps": 10, "burst": 2}})"), 1);
  const Decision first = model.decide(Duration(0), completion());
  EXPECT_EQ(first.status, 200);
  ASSERT_TRUE(first.rate_limit);
  EXPECT_EQ(first.rate_limit->limit, 2);
  EXPECT_EQ(first.rate_limit->remaining, 1);
  EXPECT_EQ(first.rate_limit->reset, from_millis(100));
  EXPECT_EQ(model.decide(Duration(0), completion()).status, 200);

  const Decision limited = model.decide(Duration(0), completion());
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.fault, FaultKind::kRateLimited);
  EXPECT_EQ(limited.retry_after, from_millis(100));
  EXPECT_EQ(limited.rate_limit->remaining, 0);
  EXPECT_FALSE(limited.uses_capacity);

  EXPECT_EQ(model.decide(from_millis(50), completion()).status, 429);
  EXPECT_EQ(model.decide(from_millis(100), completion()).status, 200);
}

TEST(FaultModel, RateLimitAdmitsTheRateOverTime) {
  FaultModel model(parse(R"({"rate_limit": {"rps": 50, "burst": 1}})"), 1);
  int ok = 0;
  // 200 requests per second for 10 s: about 50 per second pass.
  for (int i = 0; i < 2000; ++i) {
    ok += model.decide(from_millis(5 * i), completion()).status == 200 ? 1 : 0;
  }
  EXPECT_GE(ok, 499);
  EXPECT_LE(ok, 501);
}

TEST(FaultModel, FixedRetryAfter) {
  FaultModel model(parse(R"({"rate_limit": {"rps": 1, "retry_after": "7s"}})"), 1);
  model.decide(Duration(0), completion());
  EXPECT_EQ(model.decide(Duration(0), completion()).retry_after, from_seconds(7));
}

TEST(FaultModel, PhasesStartAndEndOnTime) {
  FaultModel model(parse(R"({"phases": [
      {"from": "10s", "to": "20s", "outage": "503"},
      {"from": "30s", "to": "40s", "outage": "black_hole"},
      {"from": "50s", "to": "60s", "outage": "refuse"},
      {"from": "70s", "to": "80s", "errors": [{"status": 500, "probability": 1}]}]})"),
                   1);
  EXPECT_EQ(model.decide(from_seconds(9.999), completion()).status, 200);
  EXPECT_EQ(model.decide(from_seconds(10), completion()).status, 503);
  EXPECT_EQ(model.decide(from_seconds(10), completion()).fault, FaultKind::kOutage503);
  EXPECT_EQ(model.decide(from_seconds(19.999), completion()).status, 503);
  EXPECT_EQ(model.decide(from_seconds(20), completion()).status, 200);
  EXPECT_TRUE(model.decide(from_seconds(35), completion()).hold);
  EXPECT_TRUE(model.accepts_connections(from_seconds(49)));
  EXPECT_FALSE(model.accepts_connections(from_seconds(50)));
  EXPECT_TRUE(model.accepts_connections(from_seconds(60)));
  EXPECT_EQ(model.decide(from_seconds(75), completion()).status, 500);
  EXPECT_EQ(model.decide(from_seconds(80), completion()).status, 200);

  EXPECT_EQ(model.next_phase_change(Duration(0)), from_seconds(10));
  EXPECT_EQ(model.next_phase_change(from_seconds(10)), from_seconds(20));
  EXPECT_EQ(model.next_phase_change(from_seconds(80)), Duration::max());
}

TEST(FaultModel, HealthReflectsOutageOnly) {
  FaultModel model(parse(R"({"errors": [{"status": 500, "probability": 1}],
                             "phases": [{"from": "1s", "to": "2s", "outage": "503"}]})"),
                   1);
  RequestFacts health;
  health.method = "GET";
  health.path = "/health";
  EXPECT_EQ(model.decide(Duration(0), health).status, 200);
  EXPECT_EQ(model.decide(from_seconds(1), health).status, 503);
}

TEST(FaultModel, SameSeedSameDecisions) {
  const FaultProfile profile = parse(R"({
      "latency": {"distribution": "exponential", "mean": 20},
      "errors": [{"status": 503, "probability": 0.2}],
      "connection": {"reset_before_response": 0.1}})");
  FaultModel a(profile, 99);
  FaultModel b(profile, 99);
  FaultModel c(profile, 100);
  int differences = 0;
  for (int i = 0; i < 2000; ++i) {
    const Decision da = a.decide(from_millis(i), completion());
    const Decision db = b.decide(from_millis(i), completion());
    const Decision dc = c.decide(from_millis(i), completion());
    ASSERT_EQ(da.status, db.status) << i;
    ASSERT_EQ(da.delay, db.delay) << i;
    ASSERT_EQ(da.connection, db.connection) << i;
    differences += da.status != dc.status || da.delay != dc.delay ? 1 : 0;
  }
  EXPECT_GT(differences, 100);

  a.reset(99);
  FaultModel fresh(profile, 99);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(a.decide(from_millis(i), completion()).delay,
              fresh.decide(from_millis(i), completion()).delay);
  }
}

double mean_ms(FaultModel& model, int n, std::vector<double>* samples = nullptr) {
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const double ms = to_millis(model.decide(from_millis(i), completion()).delay);
    sum += ms;
    if (samples != nullptr) {
      samples->push_back(ms);
    }
  }
  return sum / n;
}

TEST(FaultModel, LatencyDistributions) {
  FaultModel constant(parse(R"({"latency": 20})"), 1);
  EXPECT_DOUBLE_EQ(mean_ms(constant, 100), 20.0);

  FaultModel uniform(parse(R"({"latency": {"distribution": "uniform", "min": 10, "max": 30}})"), 1);
  std::vector<double> samples;
  EXPECT_NEAR(mean_ms(uniform, 4000, &samples), 20.0, 0.5);
  EXPECT_GE(*std::min_element(samples.begin(), samples.end()), 10.0);
  EXPECT_LT(*std::max_element(samples.begin(), samples.end()), 30.0);

  FaultModel normal(parse(R"({"latency": {"distribution": "normal", "mean": 50, "stddev": 5}})"),
                    1);
  EXPECT_NEAR(mean_ms(normal, 4000), 50.0, 0.5);

  FaultModel exponential(parse(R"({"latency": {"distribution": "exponential", "mean": 40}})"), 1);
  EXPECT_NEAR(mean_ms(exponential, 4000), 40.0, 3.0);

  FaultModel lognormal(
      parse(R"({"latency": {"distribution": "lognormal", "median": 100, "p99": 1000}})"), 1);
  samples.clear();
  mean_ms(lognormal, 4000, &samples);
  std::sort(samples.begin(), samples.end());
  EXPECT_NEAR(samples[2000], 100.0, 10.0);
  EXPECT_NEAR(samples[3960], 1000.0, 250.0);
}

TEST(FaultModel, CapacityQueuesAndRejects) {
  FaultModel model(parse(R"({"capacity": {"concurrency": 2, "queue": 1}})"), 1);
  EXPECT_EQ(model.admit(1, Duration(0)), CapacityAdmission::kStarted);
  EXPECT_EQ(model.admit(2, Duration(0)), CapacityAdmission::kStarted);
  EXPECT_EQ(model.admit(3, Duration(0)), CapacityAdmission::kQueued);
  EXPECT_EQ(model.admit(4, Duration(0)), CapacityAdmission::kRejected);
  EXPECT_EQ(model.capacity_counters().rejected, 1);
  EXPECT_EQ(model.capacity_counters().peak_queued, 1);

  EXPECT_EQ(model.finish(1, from_millis(10)), std::optional<std::uint64_t>(3));
  EXPECT_EQ(model.capacity_counters().in_service, 2);
  EXPECT_EQ(model.capacity_counters().queued, 0);
  EXPECT_EQ(model.admit(5, from_millis(10)), CapacityAdmission::kQueued);
  EXPECT_EQ(model.cancel(5, from_millis(11)), std::nullopt);
  EXPECT_EQ(model.cancel(2, from_millis(11)), std::nullopt);
  EXPECT_EQ(model.capacity_counters().in_service, 1);
  EXPECT_EQ(model.cancel(77, from_millis(11)), std::nullopt);

  const Decision rejected = model.capacity_rejection(Route::kChatCompletions);
  EXPECT_EQ(rejected.status, 503);
  EXPECT_EQ(rejected.fault, FaultKind::kCapacityRejected);
}

TEST(FaultModel, ImmediateRejectWith409) {
  FaultModel model(parse(R"({"capacity": {"concurrency": 1, "reject_status": 409}})"), 1);
  EXPECT_EQ(model.admit(1, Duration(0)), CapacityAdmission::kStarted);
  EXPECT_EQ(model.admit(2, Duration(0)), CapacityAdmission::kRejected);
  EXPECT_EQ(model.capacity_rejection(Route::kChatCompletions).status, 409);
}

TEST(FaultModel, WithoutCapacityEveryoneStarts) {
  FaultModel model(parse("{}"), 1);
  for (std::uint64_t t = 1; t < 100; ++t) {
    ASSERT_EQ(model.admit(t, Duration(0)), CapacityAdmission::kStarted);
  }
}

TEST(HeaderFormats, ResetAndRetryAfter) {
  EXPECT_EQ(format_reset_duration(from_millis(20)), "20ms");
  EXPECT_EQ(format_reset_duration(from_millis(1500)), "1.5s");
  EXPECT_EQ(format_reset_duration(from_seconds(1)), "1s");
  EXPECT_EQ(format_reset_duration(from_seconds(360)), "6m0s");
  EXPECT_EQ(retry_after_seconds(from_millis(1)), 1);
  EXPECT_EQ(retry_after_seconds(from_millis(1000)), 1);
  EXPECT_EQ(retry_after_seconds(from_millis(1001)), 2);
  EXPECT_EQ(retry_after_seconds(Duration(0)), 0);
}

}  // namespace
}  // namespace rb
