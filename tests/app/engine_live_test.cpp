// Correctness of the live load engine against in-process fake upstreams: coordinated
// omission, achieved rates per load profile, counts, failure classes, timeouts and the end
// of a run. Every run is short and bounded by its scenario's duration and grace period.
#include <gtest/gtest.h>

#include <string>

#include "app/live_runner.hpp"
#include "app/scenario.hpp"

namespace rb {
namespace {

// Parses a scenario whose `upstreams`, `load` and `timeouts` are the given JSON fragments.
Scenario make_scenario(const std::string& upstreams, const std::string& load,
                       const std::string& timeouts, const std::string& extra = "") {
  const std::string text = R"({"name": "engine-live", "seed": 5, "upstreams": )" + upstreams +
                           R"(, "load": )" + load + R"(, "timeouts": )" + timeouts +
                           R"(, "request": {"method": "GET", "path": "/v1/models"})" + extra +
                           R"(, "strategies": ["no-retry"]})";
  JsonDocument doc = JsonDocument::parse("engine_live.json", text);
  return parse_scenario(doc);
}

const char* const kQuickTimeouts = R"({"connect": "1s", "first_byte": "2s", "total": "2s"})";
const char* const kOneFake = R"([{"name": "a", "fake": {"latency": 1}}])";

StrategyResult run_one(const Scenario& scenario) {
  RunSettings settings;
  settings.progress = false;
  RunResult result = run_scenario_live(scenario, settings);
  EXPECT_EQ(result.strategies.size(), 1u);
  return result.strategies.at(0);
}

std::uint64_t class_count(const ClassCounts& counts, AttemptClass cls) {
  return counts[static_cast<std::size_t>(cls)];
}

// An upstream delays every response by 1 s during one second of a 5 s run. An open-loop
// client keeps sending on schedule, so about a fifth of the requests see the stall, and the
// intended-time p99 must show it. A client with coordinated omission would wait out the
// stall and report a p99 near the normal 1 ms.
TEST(EngineLive, StallShowsInIntendedTimeP99) {
  const Scenario scenario = make_scenario(
      R"([{"name": "a", "fake": {"latency": 1,
                                 "phases": [{"from": "2s", "to": "3s", "latency": "1s"}]}}])",
      R"({"rate": 100, "duration": "5s", "grace": "5s"})", kQuickTimeouts,
      R"(, "client": {"max_connections": 4})");
  const StrategyResult strategy = run_one(scenario);
  const StrategyMetrics& m = strategy.metrics;

  EXPECT_EQ(m.requests, 500u);
  EXPECT_EQ(m.succeeded, m.requests);
  EXPECT_GE(m.latency.percentile_micros(99), 800'000);
  EXPECT_GE(m.latency.max_micros(), 900'000);
  EXPECT_LT(m.latency.percentile_micros(50), 200'000);
  // With 4 connections, the requests queued behind the stalled ones wait longer than the
  // 1 s service time: only the intended-time latency includes that wait.
  EXPECT_GT(m.latency.max_micros(), m.service.max_micros());
}

struct ProfileCase {
  const char* name;
  const char* load;
  std::uint64_t min_requests;
  std::uint64_t max_requests;
};

// Each open-loop profile sends exactly its schedule in a short live run. Poisson arrivals
// are random and closed-loop users depend on the response time, so they get a range.
TEST(EngineLive, AchievedRatesMatchProfiles) {
  const ProfileCase cases[] = {
      {"constant", R"({"kind": "constant", "rate": 200, "duration": "1s"})", 200, 200},
      {"fractional", R"({"kind": "constant", "rate": 2.5, "duration": "2s"})", 5, 5},
      {"ramp", R"({"kind": "ramp", "from": 100, "to": 300, "duration": "1s"})", 200, 200},
      {"steps",
       R"({"kind": "steps", "steps": [{"rate": 100, "duration": "500ms"},
                                      {"rate": 300, "duration": "500ms"}]})",
       200, 200},
      {"poisson", R"({"kind": "poisson", "rate": 400, "duration": "1s"})", 300, 500},
      {"users", R"({"kind": "users", "users": 4, "think_time": "50ms", "duration": "1s"})", 40, 84},
  };
  for (const ProfileCase& profile : cases) {
    SCOPED_TRACE(profile.name);
    const StrategyResult strategy = run_one(make_scenario(kOneFake, profile.load, kQuickTimeouts));
    const StrategyMetrics& m = strategy.metrics;
    EXPECT_GE(m.requests, profile.min_requests);
    EXPECT_LE(m.requests, profile.max_requests);
    EXPECT_EQ(m.succeeded, m.requests);
    EXPECT_GE(strategy.load_seconds, 0.9);
    EXPECT_LT(strategy.load_seconds, 5.0);
    // Every request starts on time on an idle loopback; 50 ms is a generous upper bound.
    EXPECT_LT(m.lag.percentile_micros(99), 50'000);
  }
}

// Four upstreams that never succeed, one failure kind each, sent round-robin without
// retries: counts add up, every class appears, and none of them counts as a success.
TEST(EngineLive, NoFailureCountsAsSuccess) {
  const Scenario scenario = make_scenario(
      R"([{"name": "broken", "fake": {"connection": {"reset_before_response": 0.2,
              "reset_mid_response": 0.2, "close_without_response": 0.2,
              "truncated_body": 0.2, "malformed_status_line": 0.2}}},
          {"name": "errors", "fake": {"errors": [{"status": 503, "probability": 0.5},
                                                 {"status": 429, "probability": 0.5}]}},
          {"name": "hold", "fake": {"timeout": {"probability": 1}}},
          {"name": "down", "fake": {"phases": [{"outage": "refuse"}]}}])",
      R"({"rate": 100, "duration": "2s", "grace": "3s"})",
      R"({"connect": "1s", "first_byte": "300ms", "total": "300ms"})");
  const StrategyMetrics& m = run_one(scenario).metrics;

  EXPECT_EQ(m.requests, 200u);
  EXPECT_EQ(m.succeeded, 0u);
  EXPECT_EQ(m.succeeded + m.failed + m.dropped, m.requests);
  EXPECT_EQ(m.dropped, 0u);
  EXPECT_EQ(m.attempts, m.requests - m.dropped);
  EXPECT_EQ(class_count(m.attempt_classes, AttemptClass::kSuccess), 0u);
  EXPECT_EQ(m.latency_succeeded.count(), 0u);
  EXPECT_EQ(m.latency.count(), m.requests);
  EXPECT_GT(class_count(m.attempt_classes, AttemptClass::kReset), 0u);
  EXPECT_GT(class_count(m.attempt_classes, AttemptClass::kClosedEarly), 0u);
  EXPECT_GT(class_count(m.attempt_classes, AttemptClass::kParseError), 0u);
  EXPECT_GT(class_count(m.attempt_classes, AttemptClass::kHttpStatus), 0u);
  EXPECT_GT(class_count(m.attempt_classes, AttemptClass::kRefused), 0u);
  EXPECT_GT(class_count(m.attempt_classes, AttemptClass::kTotalTimeout) +
                class_count(m.attempt_classes, AttemptClass::kFirstByteTimeout),
            0u);
  std::uint64_t classified = 0;
  for (const std::uint64_t count : m.attempt_classes) {
    classified += count;
  }
  EXPECT_EQ(classified, m.attempts);
  EXPECT_EQ(m.attempt_statuses.count(200), 0u);
}

// An upstream that never sends a response: each attempt ends at the 300 ms total timeout, and both
// its service time and the request's latency are the time it actually took.
TEST(EngineLive, TimedOutAttemptRecordsElapsedTime) {
  const Scenario scenario =
      make_scenario(R"([{"name": "hold", "fake": {"timeout": {"probability": 1}}}])",
                    R"({"rate": 20, "duration": "1s", "grace": "3s"})",
                    R"({"connect": "1s", "first_byte": "5s", "total": "300ms"})");
  const StrategyMetrics& m = run_one(scenario).metrics;

  EXPECT_EQ(m.requests, 20u);
  EXPECT_EQ(class_count(m.attempt_classes, AttemptClass::kTotalTimeout), m.requests);
  EXPECT_EQ(m.service.count(), m.requests);
  // Service time starts when the bytes are written, after the connect that the total
  // timeout also covers, so it may be a little under 300 ms.
  EXPECT_GE(m.service.min_micros(), 250'000);
  EXPECT_LT(m.service.max_micros(), 800'000);
  EXPECT_GE(m.latency.min_micros(), 300'000);
  EXPECT_LT(m.latency.max_micros(), 800'000);
}

// Requests still waiting when the load phase ends are waited for up to the grace period,
// then counted as cancelled failures with the time they had taken.
TEST(EngineLive, InFlightAtEndCancelledAfterGrace) {
  const Scenario scenario =
      make_scenario(R"([{"name": "hold", "fake": {"timeout": {"probability": 1}}}])",
                    R"({"rate": 20, "duration": "500ms", "grace": "1s"})",
                    R"({"connect": "1s", "first_byte": "30s", "total": "30s"})");
  const StrategyResult strategy = run_one(scenario);
  const StrategyMetrics& m = strategy.metrics;

  EXPECT_EQ(m.requests, 10u);
  EXPECT_EQ(m.cancelled, m.requests);
  EXPECT_EQ(m.failed, m.requests);
  EXPECT_EQ(m.succeeded, 0u);
  EXPECT_EQ(m.latency.count(), m.requests);
  // The last request started at 450 ms and was cancelled at 500 ms + 1 s grace.
  EXPECT_GE(m.latency.min_micros(), 1'000'000);
  EXPECT_LT(m.latency.max_micros(), 4'000'000);
  EXPECT_GE(strategy.drain_seconds, 0.99);
  EXPECT_LT(strategy.drain_seconds, 3.0);
}

}  // namespace
}  // namespace rb
