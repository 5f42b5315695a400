#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "engine/strategy/presets.hpp"
#include "sim/sim_driver.hpp"

// Qualitative truths about strategies that the literature predicts and a bug would break,
// checked in virtual time against seeded fault models.
namespace rb {
namespace {

RequestTemplate chat_request() {
  RequestTemplate request;
  request.method = "POST";
  request.path = "/v1/chat/completions";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  return request;
}

FaultProfile failing(int status, double probability) {
  FaultProfile profile;
  LatencySpec latency;
  latency.value = from_millis(20);
  profile.latency = latency;
  ErrorSpec error;
  error.status = status;
  error.probability = probability;
  profile.errors.push_back(error);
  return profile;
}

FaultProfile healthy() {
  return failing(503, 0.0);
}

sim::SimRunOptions open_loop(double rate, double seconds) {
  sim::SimRunOptions options;
  options.load.kind = LoadProfile::Kind::kConstant;
  options.load.rate = rate;
  options.load.duration = from_seconds(seconds);
  options.load.grace = from_seconds(60);
  options.seed = 7;
  options.wall_start_unix = 1700000000;
  return options;
}

StrategyMetrics run(const StrategyConfig& strategy, const std::vector<sim::SimUpstream>& upstreams,
                    const sim::SimRunOptions& options) {
  StrategyMetrics metrics(upstreams.size());
  sim::run_sim(strategy, upstreams, chat_request(), options, metrics);
  return metrics;
}

StrategyConfig preset(const char* name) {
  auto config = find_preset(name);
  EXPECT_TRUE(config.has_value()) << name;
  config->retry.retry_non_idempotent = true;  // the request is a POST
  return *config;
}

// Closed-loop users whose requests are refused without an attempt (every breaker open, or
// the harness's in-flight limit) used to start their next request from inside the refusal:
// unbounded recursion, and in virtual time a loop that never moved the clock. Each such user
// now pauses kRefusedRequestPause (1 ms) first, so the run ends and its counts stay bounded.
TEST(StrategyTruths, RefusedUsersPauseNotSpin) {
  sim::SimRunOptions options;
  options.load.kind = LoadProfile::Kind::kUsers;
  options.load.users = 20;
  options.load.duration = from_seconds(2);
  options.load.grace = from_seconds(5);
  options.seed = 7;

  const std::vector<sim::SimUpstream> down = {{"a", failing(503, 1.0), 1.0},
                                              {"b", failing(503, 1.0), 1.0}};
  const StrategyMetrics breakers = run(preset("p2c-ewma-breaker"), down, options);
  EXPECT_GT(breakers.breaker_trips, 0U);
  EXPECT_GT(breakers.verdicts[static_cast<std::size_t>(RetryVerdict::kBreakerOpen)] +
                breakers.failed_fast[static_cast<std::size_t>(FailFastReason::kBreakerOpen)],
            0U);
  // At most one request per user per millisecond of the run, and far fewer sent attempts.
  EXPECT_LE(breakers.requests, 20U * 2000U + 20U);

  options.load.max_in_flight = 5;  // 15 of the 20 users can never have a request in flight
  const StrategyMetrics crowded = run(preset("no-retry"), {{"a", healthy(), 1.0}}, options);
  EXPECT_GT(crowded.dropped, 0U);
  EXPECT_GT(crowded.succeeded, 0U);
  EXPECT_LE(crowded.dropped, 15U * 2000U + 15U);
}

TEST(StrategyTruths, NoRetryLowestAmplification) {
  const std::vector<sim::SimUpstream> upstreams = {{"a", failing(503, 0.4), 1.0},
                                                   {"b", failing(503, 0.4), 1.0}};
  const auto options = open_loop(50, 10);
  const double baseline = run(preset("no-retry"), upstreams, options).amplification();
  EXPECT_DOUBLE_EQ(baseline, 1.0);
  for (const char* name : {"tutorial-rotate-429", "full-jitter", "full-jitter-token-bucket",
                           "openai-python", "tutorial-skip-unhealthy", "hedged"}) {
    EXPECT_GT(run(preset(name), upstreams, options).amplification(), baseline) << name;
  }
}

TEST(StrategyTruths, RatioBudgetCapsAmplification) {
  StrategyConfig config = preset("full-jitter");
  config.retry.max_attempts = 5;
  config.budget.kind = RetryBudgetConfig::Kind::kRatio;
  config.budget.ratio = 0.1;
  config.budget.window = from_seconds(10);
  const std::vector<sim::SimUpstream> upstreams = {{"down", failing(503, 1.0), 1.0}};
  const StrategyMetrics metrics = run(config, upstreams, open_loop(100, 30));
  EXPECT_EQ(metrics.succeeded, 0u);
  EXPECT_LE(metrics.amplification(), 1.11);
  EXPECT_GE(metrics.amplification(), 1.08);
  EXPECT_GT(metrics.verdicts[static_cast<std::size_t>(RetryVerdict::kBudgetExhausted)], 0u);

  StrategyConfig unlimited = config;
  unlimited.budget.kind = RetryBudgetConfig::Kind::kNone;
  EXPECT_GT(run(unlimited, upstreams, open_loop(100, 30)).amplification(), 4.5);
}

TEST(StrategyTruths, TokenBucketStopsAtHalf) {
  StrategyConfig config = preset("full-jitter-token-bucket");
  config.retry.max_attempts = 5;
  const std::vector<sim::SimUpstream> upstreams = {{"down", failing(503, 1.0), 1.0}};
  const StrategyMetrics metrics = run(config, upstreams, open_loop(20, 10));
  // 10 tokens, 1 per failure, retries only while tokens > 5: the first 5 failures leave 5,
  // so at most 5 retries are ever granted, whatever the number of requests.
  const std::uint64_t retries = metrics.attempts - (metrics.requests - metrics.dropped);
  EXPECT_LE(retries, 5u);
  EXPECT_GE(retries, 4u);
  EXPECT_GT(metrics.verdicts[static_cast<std::size_t>(RetryVerdict::kBudgetExhausted)], 150u);
}

TEST(StrategyTruths, RotateOnFailureLeavesFailedEndpoint) {
  FaultProfile outage = healthy();
  PhaseSpec phase;
  phase.from = Duration(0);
  phase.to = Duration::max();
  phase.outage = OutageMode::kRefuse;
  outage.phases.push_back(phase);
  const std::vector<sim::SimUpstream> upstreams = {
      {"down", outage, 1.0}, {"b", healthy(), 1.0}, {"c", healthy(), 1.0}};
  const auto options = open_loop(50, 10);
  const StrategyMetrics rotate = run(preset("tutorial-rotate-429"), upstreams, options);
  const StrategyMetrics round_robin = run(preset("no-retry"), upstreams, options);
  EXPECT_LE(rotate.endpoints[0].attempts, 2u);
  EXPECT_GT(round_robin.endpoints[0].attempts, 150u);  // a third of 500
  EXPECT_EQ(rotate.succeeded, rotate.requests);
}

TEST(StrategyTruths, RetryAfterHonoredPerRequest) {
  ErrorSpec limited;
  limited.status = 429;
  limited.probability = 0.5;
  limited.retry_after = from_seconds(3);
  FaultProfile profile = healthy();
  profile.errors = {limited};
  StrategyConfig config = preset("tutorial-rotate-429");
  config.decision_log = 100000;
  const std::vector<sim::SimUpstream> upstreams = {{"limited", profile, 1.0}};
  const StrategyMetrics metrics = run(config, upstreams, open_loop(20, 10));

  std::map<std::uint64_t, const AttemptLogEntry*> previous;
  int checked = 0;
  for (const AttemptLogEntry& entry : metrics.attempt_log) {
    auto it = previous.find(entry.request_id);
    if (it != previous.end() && it->second->result_status == 429) {
      const Duration answered = it->second->sent_at + it->second->latency;
      EXPECT_GE(entry.sent_at - answered, from_seconds(3)) << "request " << entry.request_id;
      ++checked;
    }
    previous[entry.request_id] = &entry;
  }
  EXPECT_GT(checked, 50);
}

// The largest number of retries sent within any 10 ms of the run.
std::uint64_t peak_retries_per_10ms(const StrategyMetrics& metrics) {
  std::map<std::int64_t, std::uint64_t> buckets;
  for (const AttemptLogEntry& entry : metrics.attempt_log) {
    if (entry.reason == SendReason::kRetry) {
      ++buckets[entry.sent_at.count() / from_millis(10).count()];
    }
  }
  std::uint64_t peak = 0;
  for (const auto& [bucket, count] : buckets) {
    peak = std::max(peak, count);
  }
  return peak;
}

TEST(StrategyTruths, JitterSpreadsRetries) {
  sim::SimRunOptions options = open_loop(0, 30);
  options.load.kind = LoadProfile::Kind::kUsers;
  options.load.users = 100;
  options.load.requests_per_user = 1;  // 100 requests at t = 0, like clients after an outage
  const std::vector<sim::SimUpstream> upstreams = {{"down", failing(503, 1.0), 1.0}};

  StrategyConfig plain = preset("full-jitter");
  plain.retry.backoff.kind = BackoffConfig::Kind::kExponential;
  plain.decision_log = 10000;
  StrategyConfig jittered = preset("full-jitter");
  jittered.decision_log = 10000;

  const std::uint64_t plain_peak = peak_retries_per_10ms(run(plain, upstreams, options));
  const std::uint64_t jitter_peak = peak_retries_per_10ms(run(jittered, upstreams, options));
  EXPECT_GE(plain_peak, 95u);  // every client retries in the same instant
  // Full jitter spreads the first retries over [0, 100 ms): about 10 per 10 ms.
  EXPECT_LE(jitter_peak, 30u);
}

}  // namespace
}  // namespace rb
