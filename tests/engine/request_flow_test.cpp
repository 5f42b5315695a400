#include "engine/request_flow.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>

namespace rb {
namespace {

// A clock and timer list that a test advances by hand.
class ManualScheduler : public Scheduler {
 public:
  Duration now() const override { return now_; }
  void schedule(Duration at, std::uint64_t token) override { timers_.emplace(at, token); }

  // Moves the clock to the next timer and returns its token.
  std::uint64_t fire_next() {
    auto it = timers_.begin();
    now_ = it->first;
    const std::uint64_t token = it->second;
    timers_.erase(it);
    return token;
  }

  Duration now_{0};
  std::multimap<Duration, std::uint64_t> timers_;
};

// Records started attempts; the test answers them.
class ScriptedTransport : public Transport {
 public:
  void start(const AttemptSpec& spec) override { started.push_back(spec); }
  void cancel(std::uint64_t token, std::uint32_t lane_key) override {
    cancelled.push_back(token);
    cancelled_lanes.push_back(lane_key);
  }
  std::deque<AttemptSpec> started;
  std::vector<std::uint64_t> cancelled;
  std::vector<std::uint32_t> cancelled_lanes;
};

AttemptResult status(int code) {
  AttemptResult r;
  r.status = code;
  r.cls = code >= 200 && code < 300 ? AttemptClass::kSuccess : AttemptClass::kHttpStatus;
  return r;
}

struct Fixture {
  explicit Fixture(StrategyConfig config, std::int64_t max_in_flight = 100)
      : strategy(config, {1.0, 1.0}, 7), metrics(2) {
    FlowOptions options;
    options.max_in_flight = max_in_flight;
    flow = std::make_unique<RequestFlow>(scheduler, transport, strategy, metrics, options);
  }
  ManualScheduler scheduler;
  ScriptedTransport transport;
  Strategy strategy;
  StrategyMetrics metrics;
  std::unique_ptr<RequestFlow> flow;
};

StrategyConfig retrying(int attempts) {
  StrategyConfig c;
  c.name = "test";
  c.selector.kind = SelectorConfig::Kind::kRoundRobin;
  c.retry.max_attempts = attempts;
  c.retry.backoff = {BackoffConfig::Kind::kExponential, from_seconds(1), 2.0, Duration(0),
                     from_seconds(8)};
  return c;
}

TEST(RequestFlow, SuccessOnFirstAttempt) {
  Fixture f(retrying(3));
  f.flow->start_request(Duration(0));
  ASSERT_EQ(f.transport.started.size(), 1u);
  f.scheduler.now_ = from_millis(20);
  f.flow->on_attempt_done(f.transport.started[0].token, status(200));
  EXPECT_EQ(f.metrics.requests, 1u);
  EXPECT_EQ(f.metrics.succeeded, 1u);
  EXPECT_EQ(f.metrics.attempts, 1u);
  EXPECT_EQ(f.metrics.latency.max_micros(), 20'000);
  EXPECT_EQ(f.flow->in_flight(), 0u);
}

TEST(RequestFlow, RetriesAfterBackoffOnAnotherEndpoint) {
  Fixture f(retrying(3));
  f.flow->start_request(Duration(0));
  f.flow->on_attempt_done(f.transport.started[0].token, status(503));
  // The retry waits for the 1 s backoff.
  EXPECT_EQ(f.transport.started.size(), 1u);
  ASSERT_EQ(f.scheduler.timers_.size(), 1u);
  EXPECT_EQ(f.scheduler.timers_.begin()->first, from_seconds(1));
  f.flow->on_timer(f.scheduler.fire_next());
  ASSERT_EQ(f.transport.started.size(), 2u);
  EXPECT_NE(f.transport.started[1].endpoint, f.transport.started[0].endpoint);
  f.flow->on_attempt_done(f.transport.started[1].token, status(200));
  EXPECT_EQ(f.metrics.succeeded, 1u);
  EXPECT_EQ(f.metrics.attempts, 2u);
  EXPECT_EQ(f.metrics.retries_by_reason["status_503"], 1u);
  EXPECT_DOUBLE_EQ(f.metrics.amplification(), 2.0);
}

TEST(RequestFlow, MaxAttemptsMeansAttemptsInAll) {
  Fixture f(retrying(3));
  f.flow->start_request(Duration(0));
  for (int i = 0; i < 3; ++i) {
    f.flow->on_attempt_done(f.transport.started.back().token, status(503));
    if (!f.scheduler.timers_.empty()) {
      f.flow->on_timer(f.scheduler.fire_next());
    }
  }
  EXPECT_EQ(f.transport.started.size(), 3u);
  EXPECT_EQ(f.metrics.failed, 1u);
  EXPECT_EQ(f.metrics.final_statuses[503], 1u);
  EXPECT_EQ(f.metrics.verdicts[static_cast<std::size_t>(RetryVerdict::kAttemptsExhausted)], 1u);
  EXPECT_EQ(f.metrics.requests, f.metrics.succeeded + f.metrics.failed);
}

TEST(RequestFlow, RetryAfterLongerThanBackoffWins) {
  Fixture f(retrying(2));
  f.flow->start_request(Duration(0));
  AttemptResult limited = status(429);
  limited.retry_after = "5";
  f.flow->on_attempt_done(f.transport.started[0].token, limited);
  ASSERT_EQ(f.scheduler.timers_.size(), 1u);
  EXPECT_EQ(f.scheduler.timers_.begin()->first, from_seconds(5));
  EXPECT_EQ(f.metrics.waits[static_cast<std::size_t>(WaitReason::kRetryAfter)], 1u);
}

TEST(RequestFlow, InFlightLimitDropsAndCounts) {
  Fixture f(retrying(1), 2);
  for (int i = 0; i < 5; ++i) {
    f.flow->start_request(Duration(0));
  }
  EXPECT_EQ(f.transport.started.size(), 2u);
  EXPECT_EQ(f.metrics.dropped, 3u);
  EXPECT_EQ(f.metrics.requests, 5u);
  EXPECT_EQ(f.metrics.failed, 0u);  // dropped requests were never sent, so none failed
  const auto& seconds = f.metrics.series.seconds();
  ASSERT_EQ(seconds.size(), 1u);
  EXPECT_EQ(seconds[0].dropped, 3u);
  EXPECT_EQ(seconds[0].completed, 0u);
  EXPECT_EQ(seconds[0].failed, 0u);
}

TEST(RequestFlow, CancelAllCountsWhatIsLeft) {
  Fixture f(retrying(3));
  f.flow->start_request(Duration(0));
  f.flow->start_request(Duration(0));
  f.flow->on_attempt_done(f.transport.started[0].token, status(503));  // now waiting to retry
  f.scheduler.now_ = from_millis(300);
  f.flow->cancel_all();
  EXPECT_EQ(f.metrics.cancelled, 2u);
  EXPECT_EQ(f.metrics.failed, 2u);
  EXPECT_EQ(f.transport.cancelled.size(), 1u);  // only the attempt on the wire
  EXPECT_EQ(f.metrics.latency.max_micros(), 300'000);
  EXPECT_EQ(f.flow->in_flight(), 0u);
}

TEST(RequestFlow, LateResultsAreIgnored) {
  Fixture f(retrying(1));
  f.flow->start_request(Duration(0));
  const std::uint64_t token = f.transport.started[0].token;
  f.flow->on_attempt_done(token, status(200));
  f.flow->on_attempt_done(token, status(200));
  EXPECT_EQ(f.metrics.succeeded, 1u);
  // The slot is reused with a new generation, so the old token stays stale.
  f.flow->start_request(Duration(0));
  f.flow->on_attempt_done(token, status(500));
  EXPECT_EQ(f.metrics.failed, 0u);
}

TEST(RequestFlow, LatencyCountsFromTheIntendedStart) {
  Fixture f(retrying(1));
  f.scheduler.now_ = from_millis(500);  // the pacer was late by 500 ms
  f.flow->start_request(Duration(0));
  f.scheduler.now_ = from_millis(510);
  f.flow->on_attempt_done(f.transport.started[0].token, status(200));
  EXPECT_EQ(f.metrics.latency.max_micros(), 510'000);
  EXPECT_EQ(f.metrics.lag.max_micros(), 500'000);
}

TEST(RequestFlow, PostIsNotRetriedByDefault) {
  StrategyConfig c = retrying(3);
  Fixture f(c);
  FlowOptions options;
  options.idempotent = false;
  RequestFlow flow(f.scheduler, f.transport, f.strategy, f.metrics, options);
  flow.start_request(Duration(0));
  flow.on_attempt_done(f.transport.started[0].token, status(503));
  EXPECT_EQ(f.metrics.verdicts[static_cast<std::size_t>(RetryVerdict::kNonIdempotent)], 1u);
  EXPECT_EQ(f.metrics.failed, 1u);
}

}  // namespace
}  // namespace rb
