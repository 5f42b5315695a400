#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "engine/strategy/presets.hpp"
#include "fakeserver/profile.hpp"
#include "sim/sim_driver.hpp"

namespace {

// Two upstreams that fail often enough that about a fifth of the attempts are retries: one
// with 10 % 503 and 5 % 429 with Retry-After, one with 15 % 503. Both answer in 20 ms.
std::vector<rb::sim::SimUpstream> faulty_upstreams() {
  rb::LatencySpec latency;
  latency.value = rb::from_millis(20);

  rb::FaultProfile first;
  first.latency = latency;
  first.errors = {{503, 0.10, std::nullopt, std::nullopt},
                  {429, 0.05, std::nullopt, rb::from_millis(50)}};
  rb::FaultProfile second;
  second.latency = latency;
  second.errors = {{503, 0.15, std::nullopt, std::nullopt}};
  return {{"a", first, 1.0}, {"b", second, 1.0}};
}

// Simulated attempts per second of wall time, on one core, for `preset` at 100,000 requests
// per second of virtual time for 10 virtual seconds.
void simulate(benchmark::State& state, const char* preset) {
  const std::vector<rb::sim::SimUpstream> upstreams = faulty_upstreams();
  rb::StrategyConfig strategy = *rb::find_preset(preset);
  strategy.retry.backoff.base = rb::from_millis(10);
  strategy.retry.retry_non_idempotent = true;
  rb::RequestTemplate request;
  request.method = "POST";
  request.path = "/v1/chat/completions";
  request.body = R"({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]})";
  rb::sim::SimRunOptions options;
  options.load.rate = 100'000;
  options.load.duration = rb::from_seconds(10);
  options.load.max_in_flight = 1'000'000;

  std::uint64_t attempts = 0;
  std::uint64_t requests = 0;
  for (auto _ : state) {
    rb::StrategyMetrics metrics(upstreams.size());
    rb::sim::run_sim(strategy, upstreams, request, options, metrics);
    attempts += metrics.attempts;
    requests += metrics.requests;
  }
  state.counters["attempts_per_s"] =
      benchmark::Counter(static_cast<double>(attempts), benchmark::Counter::kIsRate);
  state.counters["amplification"] =
      static_cast<double>(attempts) / static_cast<double>(requests == 0 ? 1 : requests);
}

void BM_SimFullJitter(benchmark::State& state) {
  simulate(state, "full-jitter");
}
// Five repetitions of three runs each, reported as mean, median and spread: on a shared
// machine one repetition's figure moves by a fifth from the next.
BENCHMARK(BM_SimFullJitter)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

void BM_SimHealthScore(benchmark::State& state) {
  simulate(state, "tutorial-health-score");
}
BENCHMARK(BM_SimHealthScore)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace
