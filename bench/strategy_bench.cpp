#include <benchmark/benchmark.h>

#include <vector>

#include "engine/strategy/backoff.hpp"
#include "engine/strategy/endpoint_selector.hpp"
#include "engine/strategy/strategy.hpp"

// The cost of one strategy decision on the hot path: a selector's select() plus its
// on_attempt_start/on_attempt_end bookkeeping, and one backoff delay.
namespace rb {
namespace {

void BM_Selector(benchmark::State& state, SelectorConfig::Kind kind) {
  SelectorConfig config;
  config.kind = kind;
  auto selector = make_selector(config, std::vector<double>(8, 1.0));
  Rng rng(1);
  Duration now{0};
  std::int64_t i = 0;
  for (auto _ : state) {
    now += from_micros(100);
    const std::size_t endpoint = selector->select({}, now, rng);
    selector->on_attempt_start(endpoint, now);
    const auto outcome = (++i % 7 == 0) ? EndpointOutcome::kFailure : EndpointOutcome::kSuccess;
    selector->on_attempt_end(endpoint, outcome, from_millis(20), now);
    benchmark::DoNotOptimize(endpoint);
  }
}

BENCHMARK_CAPTURE(BM_Selector, single, SelectorConfig::Kind::kSingle);
BENCHMARK_CAPTURE(BM_Selector, round_robin, SelectorConfig::Kind::kRoundRobin);
BENCHMARK_CAPTURE(BM_Selector, rotate_on_failure, SelectorConfig::Kind::kRotateOnFailure);
BENCHMARK_CAPTURE(BM_Selector, random, SelectorConfig::Kind::kRandom);
BENCHMARK_CAPTURE(BM_Selector, weighted, SelectorConfig::Kind::kWeighted);
BENCHMARK_CAPTURE(BM_Selector, least_outstanding, SelectorConfig::Kind::kLeastOutstanding);
BENCHMARK_CAPTURE(BM_Selector, p2c_ewma, SelectorConfig::Kind::kP2cEwma);
BENCHMARK_CAPTURE(BM_Selector, health_score, SelectorConfig::Kind::kHealthScore);
BENCHMARK_CAPTURE(BM_Selector, skip_unhealthy, SelectorConfig::Kind::kSkipUnhealthy);

void BM_Backoff(benchmark::State& state, BackoffConfig::Kind kind) {
  BackoffConfig config;
  config.kind = kind;
  const Backoff backoff(config);
  Rng rng(1);
  Duration previous{0};
  int n = 0;
  for (auto _ : state) {
    previous = backoff.delay(n, previous, rng);
    n = (n + 1) % 16;
    benchmark::DoNotOptimize(previous);
  }
}

BENCHMARK_CAPTURE(BM_Backoff, none, BackoffConfig::Kind::kNone);
BENCHMARK_CAPTURE(BM_Backoff, constant, BackoffConfig::Kind::kConstant);
BENCHMARK_CAPTURE(BM_Backoff, linear, BackoffConfig::Kind::kLinear);
BENCHMARK_CAPTURE(BM_Backoff, exponential, BackoffConfig::Kind::kExponential);
BENCHMARK_CAPTURE(BM_Backoff, full_jitter, BackoffConfig::Kind::kFullJitter);
BENCHMARK_CAPTURE(BM_Backoff, equal_jitter, BackoffConfig::Kind::kEqualJitter);
BENCHMARK_CAPTURE(BM_Backoff, decorrelated, BackoffConfig::Kind::kDecorrelated);
BENCHMARK_CAPTURE(BM_Backoff, urllib3, BackoffConfig::Kind::kUrllib3);
BENCHMARK_CAPTURE(BM_Backoff, openai, BackoffConfig::Kind::kOpenAi);

// A full strategy round trip with every optional block on: choose, start, finish, decide.
void BM_StrategyFullDecision(benchmark::State& state) {
  StrategyConfig config;
  config.selector.kind = SelectorConfig::Kind::kP2cEwma;
  config.retry.max_attempts = 3;
  config.budget.kind = RetryBudgetConfig::Kind::kRatio;
  config.throttle.enabled = true;
  config.breaker.scope = BreakerConfig::Scope::kPerEndpoint;
  config.hedge.enabled = true;
  config.hedge.percentile = 95;
  Strategy strategy(config, std::vector<double>(8, 1.0), 1);
  AttemptResult result;
  result.cls = AttemptClass::kHttpStatus;
  result.status = 503;
  Duration now{0};
  for (auto _ : state) {
    now += from_micros(100);
    benchmark::DoNotOptimize(strategy.admit(now));
    const auto endpoint = strategy.choose_endpoint({}, now).value_or(0);
    strategy.attempt_started(endpoint, now);
    RetryContext context;
    context.attempts_made = 1;
    benchmark::DoNotOptimize(
        strategy.attempt_finished(context, endpoint, result, from_millis(20), now));
  }
}

BENCHMARK(BM_StrategyFullDecision);

}  // namespace
}  // namespace rb
