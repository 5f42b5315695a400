// Correctness of the load engine on its own: exact schedules in nanoseconds, clamped
// latencies, and a live run against a closed port whose every attempt must fail and be
// counted. Tests that need a fake upstream live in tests/app/engine_live_test.cpp.
#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <vector>

#include "engine/live_driver.hpp"
#include "engine/pacer.hpp"
#include "engine/strategy/presets.hpp"
#include "engine/time_series.hpp"

namespace rb {
namespace {

std::vector<Duration> schedule_of(const LoadProfile& profile) {
  Pacer pacer(profile, 9);
  std::vector<Duration> out;
  while (pacer.peek() && out.size() < 1'000'000) {
    out.push_back(*pacer.peek());
    pacer.pop();
  }
  return out;
}

TEST(EngineCorrectness, ScheduleKeepsNanoseconds) {
  LoadProfile profile;
  profile.rate = 3;
  profile.duration = from_seconds(1);
  const std::vector<Duration> times = schedule_of(profile);
  ASSERT_EQ(times.size(), 3u);
  EXPECT_EQ(times[1].count(), 333'333'333);
  EXPECT_EQ(times[2].count(), 666'666'666);
}

TEST(EngineCorrectness, ScheduleCountsMatchProfiles) {
  LoadProfile ramp;
  ramp.kind = LoadProfile::Kind::kRamp;
  ramp.rate_from = 1000;
  ramp.rate_to = 3000;
  ramp.duration = from_seconds(2);
  EXPECT_EQ(schedule_of(ramp).size(), 4000u);

  LoadProfile steps;
  steps.kind = LoadProfile::Kind::kSteps;
  steps.steps = {{500, from_seconds(1)}, {0, from_seconds(1)}, {2000, from_millis(500)}};
  steps.duration = from_millis(2500);
  EXPECT_EQ(schedule_of(steps).size(), 1500u);

  LoadProfile slow;
  slow.rate = 0.25;
  slow.duration = from_seconds(10);
  EXPECT_EQ(schedule_of(slow).size(), 3u);  // at 0, 4 and 8 s

  LoadProfile poisson;
  poisson.kind = LoadProfile::Kind::kPoisson;
  poisson.rate = 10'000;
  poisson.duration = from_seconds(2);
  const std::size_t arrivals = schedule_of(poisson).size();
  EXPECT_GT(arrivals, 19'000u);
  EXPECT_LT(arrivals, 21'000u);
}

TEST(EngineCorrectness, ScheduleNeverGoesBack) {
  LoadProfile poisson;
  poisson.kind = LoadProfile::Kind::kPoisson;
  poisson.rate = 5000;
  poisson.duration = from_seconds(1);
  const std::vector<Duration> times = schedule_of(poisson);
  for (std::size_t i = 1; i < times.size(); ++i) {
    ASSERT_GE(times[i], times[i - 1]) << "at request " << i;
  }
}

TEST(EngineCorrectness, LatencyAboveMaximumClampedInSeries) {
  StrategyMetrics metrics(1);
  const Duration two_hours = from_seconds(7200);
  metrics.latency.record(two_hours);
  metrics.series.on_completed(from_millis(10), false, two_hours);
  metrics.series.finish();

  EXPECT_EQ(metrics.latency.count(), 1u);
  EXPECT_EQ(metrics.latency.clamped(), 1u);
  EXPECT_EQ(metrics.latency.max_micros(), Histogram::kHighestMicros);
  EXPECT_EQ(metrics.latency.percentile_micros(99), Histogram::kHighestMicros);
  ASSERT_EQ(metrics.series.seconds().size(), 1u);
  EXPECT_GE(metrics.series.seconds()[0].p99_us, Histogram::kHighestMicros * 99 / 100);
}

// A port that was just bound and closed again refuses connections on loopback.
std::uint16_t closed_port() {
  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_tcp_t server;
  uv_tcp_init(&loop, &server);
  sockaddr_in address{};
  uv_ip4_addr("127.0.0.1", 0, &address);
  uv_tcp_bind(&server, reinterpret_cast<const sockaddr*>(&address), 0);
  sockaddr_storage bound{};
  int length = sizeof bound;
  uv_tcp_getsockname(&server, reinterpret_cast<sockaddr*>(&bound), &length);
  const std::uint16_t port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  uv_close(reinterpret_cast<uv_handle_t*>(&server), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return port;
}

TEST(EngineCorrectness, RefusedAttemptsAllCountedAsFailures) {
  const std::vector<Endpoint> endpoints = {
      parse_endpoint_url("closed", "http://127.0.0.1:" + std::to_string(closed_port()))};
  LiveRunOptions options;
  options.load.rate = 100;
  options.load.duration = from_millis(500);
  options.load.grace = from_seconds(2);
  StrategyMetrics metrics(endpoints.size());
  const LiveRunOutcome outcome = run_live(*find_preset("no-retry"), endpoints, RequestTemplate{},
                                          http::HttpClientOptions{}, options, metrics);

  EXPECT_FALSE(outcome.interrupted);
  EXPECT_EQ(metrics.requests, 50u);
  EXPECT_EQ(metrics.succeeded, 0u);
  EXPECT_EQ(metrics.succeeded + metrics.failed + metrics.dropped, metrics.requests);
  EXPECT_EQ(metrics.attempt_classes[static_cast<std::size_t>(AttemptClass::kRefused)],
            metrics.attempts);
  EXPECT_EQ(metrics.latency.count(), metrics.requests);
}

TEST(EngineCorrectness, StopFlagEndsLoadPhaseEarly) {
  const std::vector<Endpoint> endpoints = {
      parse_endpoint_url("closed", "http://127.0.0.1:" + std::to_string(closed_port()))};
  const std::atomic<bool> stop{true};
  LiveRunOptions options;
  options.load.rate = 100;
  options.load.duration = from_seconds(30);
  options.stop_requested = &stop;
  StrategyMetrics metrics(endpoints.size());
  const LiveRunOutcome outcome = run_live(*find_preset("no-retry"), endpoints, RequestTemplate{},
                                          http::HttpClientOptions{}, options, metrics);

  EXPECT_TRUE(outcome.interrupted);
  EXPECT_LT(outcome.load_seconds, 1.0);
  EXPECT_EQ(metrics.succeeded + metrics.failed + metrics.dropped, metrics.requests);
}

}  // namespace
}  // namespace rb
