#include <gtest/gtest.h>

#include <map>
#include <queue>
#include <vector>

#include "engine/request_flow.hpp"

// RequestFlow against a scripted transport and a manual clock: hedging, fallback variants,
// the retry queue and fail-fast paths.
namespace rb {
namespace {

class ManualScheduler : public Scheduler {
 public:
  Duration now() const override { return now_; }
  void schedule(Duration at, std::uint64_t token) override { timers_.push({at, seq_++, token}); }

  // Fires timers due by `until` in time order, advancing the clock to each.
  void run_until(Duration until, RequestFlow& flow) {
    while (!timers_.empty() && timers_.top().at <= until) {
      const Timer timer = timers_.top();
      timers_.pop();
      now_ = std::max(now_, timer.at);
      flow.on_timer(timer.token);
    }
    now_ = std::max(now_, until);
  }

  Duration now_{0};

 private:
  struct Timer {
    Duration at;
    std::uint64_t seq;
    std::uint64_t token;
    bool operator>(const Timer& other) const {
      return at != other.at ? at > other.at : seq > other.seq;
    }
  };
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::uint64_t seq_ = 0;
};

class ScriptedTransport : public Transport {
 public:
  void start(const AttemptSpec& spec) override { started.push_back(spec); }
  void cancel(std::uint64_t token, std::uint32_t lane_key) override {
    cancelled.push_back(token);
    cancelled_lanes.push_back(lane_key);
  }

  std::vector<AttemptSpec> started;
  std::vector<std::uint64_t> cancelled;
  std::vector<std::uint32_t> cancelled_lanes;
};

AttemptResult status(int code) {
  AttemptResult r;
  r.cls = code >= 200 && code < 300 ? AttemptClass::kSuccess : AttemptClass::kHttpStatus;
  r.status = code;
  return r;
}

struct Harness {
  explicit Harness(const StrategyConfig& config, std::size_t endpoints = 2)
      : strategy(config, std::vector<double>(endpoints, 1.0), 5),
        metrics(endpoints),
        flow(scheduler, transport, strategy, metrics, FlowOptions{}) {}

  ManualScheduler scheduler;
  ScriptedTransport transport;
  Strategy strategy;
  StrategyMetrics metrics;
  RequestFlow flow;
};

StrategyConfig hedged_config() {
  StrategyConfig c;
  c.selector.kind = SelectorConfig::Kind::kRoundRobin;
  c.retry.max_attempts = 2;
  c.retry.backoff.kind = BackoffConfig::Kind::kNone;
  c.hedge.enabled = true;
  c.hedge.delay = from_millis(50);
  c.decision_log = 10;
  return c;
}

TEST(RequestFlowHedge, HedgeWinsLoserCancelled) {
  Harness h(hedged_config());
  h.flow.start_request(Duration(0));
  ASSERT_EQ(h.transport.started.size(), 1u);
  h.scheduler.run_until(from_millis(50), h.flow);
  ASSERT_EQ(h.transport.started.size(), 2u);
  const AttemptSpec primary = h.transport.started[0];
  const AttemptSpec hedge = h.transport.started[1];
  EXPECT_NE(primary.token, hedge.token);
  EXPECT_NE(primary.lane_key, hedge.lane_key);  // both are in flight at once
  EXPECT_NE(primary.endpoint, hedge.endpoint);  // a hedge goes to another endpoint

  h.scheduler.now_ = from_millis(60);
  h.flow.on_attempt_done(hedge.token, status(200));
  ASSERT_EQ(h.transport.cancelled.size(), 1u);
  EXPECT_EQ(h.transport.cancelled[0], primary.token);
  EXPECT_EQ(h.transport.cancelled_lanes[0], primary.lane_key);
  EXPECT_EQ(h.metrics.succeeded, 1u);
  EXPECT_EQ(h.metrics.hedges_sent, 1u);
  EXPECT_EQ(h.metrics.hedge_wins, 1u);
  EXPECT_EQ(h.metrics.cancelled_losers, 1u);
  EXPECT_EQ(h.metrics.endpoints[primary.endpoint].cancelled, 1u);
  EXPECT_EQ(h.metrics.endpoints[primary.endpoint].failed, 0u);  // cancelled is no failure
  // The loser's late result is ignored.
  h.flow.on_attempt_done(primary.token, status(200));
  EXPECT_EQ(h.metrics.succeeded, 1u);
  ASSERT_EQ(h.metrics.attempt_log.size(), 2u);
  EXPECT_EQ(h.metrics.attempt_log[1].reason, SendReason::kHedge);
  EXPECT_EQ(h.metrics.attempt_log[0].result_class, AttemptClass::kCancelled);
}

TEST(RequestFlowHedge, NoHedgeAfterFastAnswer) {
  Harness h(hedged_config());
  h.flow.start_request(Duration(0));
  h.scheduler.now_ = from_millis(10);
  h.flow.on_attempt_done(h.transport.started[0].token, status(200));
  h.scheduler.run_until(from_millis(100), h.flow);
  EXPECT_EQ(h.transport.started.size(), 1u);
  EXPECT_EQ(h.metrics.hedges_sent, 0u);
}

TEST(RequestFlowHedge, FailureWaitsForPartner) {
  Harness h(hedged_config());
  h.flow.start_request(Duration(0));
  h.scheduler.run_until(from_millis(50), h.flow);
  ASSERT_EQ(h.transport.started.size(), 2u);
  h.flow.on_attempt_done(h.transport.started[0].token, status(503));
  EXPECT_EQ(h.flow.in_flight(), 1u);  // still waiting for the hedge
  h.flow.on_attempt_done(h.transport.started[1].token, status(200));
  EXPECT_EQ(h.metrics.succeeded, 1u);
  EXPECT_EQ(h.metrics.hedge_wins, 1u);
  EXPECT_EQ(h.metrics.cancelled_losers, 0u);
}

TEST(RequestFlowFallback, SwitchesVariant) {
  StrategyConfig c;
  c.selector.kind = SelectorConfig::Kind::kSingle;
  c.retry.max_attempts = 3;
  c.retry.retry_statuses = {};
  c.retry.backoff.kind = BackoffConfig::Kind::kNone;
  c.fallback.statuses = {404};
  c.fallback.values = {"small-model"};
  c.decision_log = 10;
  Harness h(c, 1);
  h.flow.start_request(Duration(0));
  EXPECT_EQ(h.transport.started[0].variant, 0u);
  h.flow.on_attempt_done(h.transport.started[0].token, status(404));
  ASSERT_EQ(h.transport.started.size(), 2u);
  EXPECT_EQ(h.transport.started[1].variant, 1u);
  EXPECT_EQ(h.metrics.attempts_by_reason[static_cast<std::size_t>(SendReason::kFallback)], 1u);
  // No variant is left, and 404 is not in the retry list: the request fails.
  h.flow.on_attempt_done(h.transport.started[1].token, status(404));
  EXPECT_EQ(h.transport.started.size(), 2u);
  EXPECT_EQ(h.metrics.failed, 1u);
  EXPECT_EQ(h.metrics.attempt_log[1].cause_status, 404);
}

TEST(RequestFlowQueue, OverflowFailsRequest) {
  StrategyConfig c;
  c.selector.kind = SelectorConfig::Kind::kSingle;
  c.retry.max_attempts = 2;
  c.retry.backoff.kind = BackoffConfig::Kind::kNone;
  c.queue.enabled = true;
  c.queue.capacity = 1;
  c.queue.drain_rate = 10;
  Harness h(c, 1);
  h.flow.start_request(Duration(0));
  h.flow.start_request(Duration(0));
  h.flow.on_attempt_done(h.transport.started[0].token, status(503));
  h.flow.on_attempt_done(h.transport.started[1].token, status(503));
  EXPECT_EQ(h.metrics.verdicts[static_cast<std::size_t>(RetryVerdict::kQueueFull)], 1u);
  EXPECT_EQ(h.metrics.failed, 1u);
  h.scheduler.run_until(from_millis(1), h.flow);
  EXPECT_EQ(h.transport.started.size(), 3u);  // the queued retry left the queue
  EXPECT_EQ(h.metrics.retries_queued, 1u);
}

TEST(RequestFlowBreaker, GlobalOpenFailsFast) {
  StrategyConfig c;
  c.selector.kind = SelectorConfig::Kind::kSingle;
  c.retry.max_attempts = 1;
  c.breaker.scope = BreakerConfig::Scope::kGlobal;
  c.breaker.consecutive_failures = 2;
  c.breaker.open_duration = from_seconds(5);
  Harness h(c, 1);
  for (int i = 0; i < 2; ++i) {
    h.flow.start_request(Duration(0));
    h.flow.on_attempt_done(h.transport.started.back().token, status(503));
  }
  h.flow.start_request(Duration(0));
  EXPECT_EQ(h.transport.started.size(), 2u);
  EXPECT_EQ(h.metrics.failed_fast[static_cast<std::size_t>(FailFastReason::kBreakerOpen)], 1u);
  EXPECT_EQ(h.metrics.attempts_per_request[0], 1u);
  EXPECT_EQ(h.metrics.breaker_trips, 1u);
  EXPECT_EQ(h.metrics.failed, 3u);
}

TEST(RequestFlowTokens, StayBelowBit63) {
  Harness h(hedged_config());
  for (int i = 0; i < 100; ++i) {
    h.flow.start_request(Duration(0));
  }
  for (const AttemptSpec& spec : h.transport.started) {
    EXPECT_EQ(spec.token >> 63, 0u);
  }
}

TEST(RequestFlowCancel, CancelAllCountsCancelled) {
  Harness h(hedged_config());
  h.flow.start_request(Duration(0));
  h.scheduler.run_until(from_millis(50), h.flow);
  h.flow.cancel_all();
  EXPECT_EQ(h.transport.cancelled.size(), 2u);
  EXPECT_EQ(h.metrics.cancelled, 1u);
  EXPECT_EQ(h.metrics.final_classes[static_cast<std::size_t>(AttemptClass::kCancelled)], 1u);
}

}  // namespace
}  // namespace rb
