// Builders shared by the reports tests (in a _test.cpp file so the test glob picks it up).
#include "tests/reports/sample_result.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rb::testing {

namespace {

StrategyMetrics make_metrics(double scale, std::uint64_t failed) {
  StrategyMetrics m(2);
  m.requests = 100;
  m.failed = failed;
  m.dropped = 2;
  m.succeeded = m.requests - m.failed - m.dropped;
  m.cancelled = 1;
  m.attempts = 130;
  m.transport_retries = 3;
  m.retry_after_invalid = 1;
  for (int i = 1; i <= 1000; ++i) {
    const auto micros = static_cast<std::int64_t>(i * 1000 * scale);
    m.latency.record_micros(micros);
    if (i % 10 != 0) {
      m.latency_succeeded.record_micros(micros);
    }
    m.service.record_micros(micros / 2);
    m.lag.record_micros(i);
  }
  m.final_classes[static_cast<std::size_t>(AttemptClass::kHttpStatus)] = failed - 1;
  m.final_classes[static_cast<std::size_t>(AttemptClass::kCancelled)] = 1;
  m.final_statuses[503] = failed - 1;
  m.attempt_classes[static_cast<std::size_t>(AttemptClass::kSuccess)] = 93;
  m.attempt_classes[static_cast<std::size_t>(AttemptClass::kHttpStatus)] = 30;
  m.attempt_classes[static_cast<std::size_t>(AttemptClass::kReset)] = 7;
  m.attempt_statuses[200] = 93;
  m.attempt_statuses[429] = 20;
  m.attempt_statuses[503] = 10;
  m.verdicts[static_cast<std::size_t>(RetryVerdict::kSucceeded)] = 93;
  m.verdicts[static_cast<std::size_t>(RetryVerdict::kRetry)] = 32;
  m.verdicts[static_cast<std::size_t>(RetryVerdict::kAttemptsExhausted)] = 4;
  m.verdicts[static_cast<std::size_t>(RetryVerdict::kBreakerOpen)] = 1;
  m.retries_by_reason = {{"status_429", 20}, {"status_503", 5}, {"reset", 7}};
  m.waits = {25, 7, 0};
  m.wait_seconds = {31.25, 14.5, 0};
  m.attempts_per_request = {{1, 70}, {2, 20}, {3, 8}};
  m.endpoints[0] = {80, 60, 20};
  m.endpoints[1] = {50, 33, 17};
  for (int second = 0; second < 3; ++second) {
    SecondStats s;
    s.sent = 33 + static_cast<std::uint64_t>(second);
    s.completed = 32;
    s.succeeded = 30 - static_cast<std::uint64_t>(second);
    s.failed = 2 + static_cast<std::uint64_t>(second);
    s.attempts = 43;
    s.p50_us = static_cast<std::int64_t>(500'123 * scale);
    s.p99_us = static_cast<std::int64_t>(990'777 * scale);
    s.endpoint_attempts = {27, 16};
    m.series.mutable_seconds().push_back(s);
  }
  return m;
}

}  // namespace

RunResult make_sample_result(double latency_scale, std::uint64_t failed) {
  RunResult result;
  result.version = "0.1.0";
  result.scenario_name = "storm, \"429\" <test>";
  result.scenario_file = "scenarios/storm.json";
  result.mode = "sim";
  result.seed = 18'446'744'073'709'551'615ULL;
  result.duration_s = 3;
  result.started_at = "2024-05-01T12:00:00Z";
  result.wall_seconds = 0.25;
  result.host = "ci-runner";
  result.endpoints = {"primary", "backup"};
  result.scenario = {{"name", result.scenario_name},
                     {"upstreams",
                      {{{"name", "primary"},
                        {"fake", {{"phases", {{{"from", 1}, {"to", 2}, {"status_503", 1.0}}}}}}},
                       {{"name", "backup"}, {"url", "http://127.0.0.1:9/"}}}}};
  for (const char* name : {"rotate-on-429", "urllib3 default"}) {
    StrategyResult strategy;
    strategy.name = name;
    strategy.description = "a strategy, with a comma";
    strategy.config = {{"max_attempts", 4}};
    strategy.metrics = make_metrics(latency_scale, failed);
    strategy.load_seconds = 3.0;
    strategy.drain_seconds = 0.5;
    strategy.upstreams = {{"primary", {{"requests", 80}}}};
    result.strategies.push_back(std::move(strategy));
  }
  result.thresholds.push_back({"rotate-on-429", "p99_ms < 800", "p99_ms", 990.0, 800, false});
  return result;
}

std::string make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "rb-reports-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  return pattern;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace rb::testing
