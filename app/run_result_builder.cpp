#include "app/run_result_builder.hpp"

#include <unistd.h>

#include <ctime>

#include "engine/strategy/backoff.hpp"

namespace rb {

namespace {

std::string iso_now_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) {
    return "unknown";
  }
  return name;
}

std::string retry_after_mode_name(RetryAfterConfig::Mode mode) {
  switch (mode) {
    case RetryAfterConfig::Mode::kIgnore:
      return "ignore";
    case RetryAfterConfig::Mode::kMax:
      return "max";
    case RetryAfterConfig::Mode::kHeaderOnly:
      return "header-only";
  }
  return "max";
}

}  // namespace

nlohmann::json strategy_to_json(const StrategyConfig& strategy) {
  const RetryConfig& retry = strategy.retry;
  nlohmann::json outcomes = nlohmann::json::array();
  for (AttemptClass cls : retry.retry_classes) {
    outcomes.push_back(attempt_class_name(cls));
  }
  const SelectorConfig& selector = strategy.selector;
  const RetryBudgetConfig& budget = strategy.budget;
  const ThrottleConfig& throttle = strategy.throttle;
  const BreakerConfig& breaker = strategy.breaker;
  const HedgeConfig& hedge = strategy.hedge;
  const RetryQueueConfig& queue = strategy.queue;
  const FallbackConfig& fallback = strategy.fallback;
  nlohmann::json fallback_outcomes = nlohmann::json::array();
  for (AttemptClass cls : fallback.classes) {
    fallback_outcomes.push_back(attempt_class_name(cls));
  }
  return {
      {"name", strategy.name},
      {"preset", strategy.preset},
      {"description", strategy.description},
      {"selector", selector_kind_name(selector.kind)},
      {"selector_settings",
       {{"ewma_decay_ms", to_millis(selector.ewma_decay)},
        {"failure_penalty_ms", to_millis(selector.failure_penalty)},
        {"latency_alpha", selector.latency_alpha},
        {"error_decay_ms", to_millis(selector.error_decay)},
        {"max_consecutive_errors", selector.max_consecutive_errors}}},
      {"retry",
       {{"max_attempts", retry.max_attempts},
        {"statuses", retry.retry_statuses},
        {"outcomes", outcomes},
        {"retry_non_idempotent", retry.retry_non_idempotent},
        {"retry_unsent_non_idempotent", retry.retry_unsent_non_idempotent},
        {"retry_after",
         {{"mode", retry_after_mode_name(retry.retry_after.mode)},
          {"cap_ms", to_millis(retry.retry_after.cap)},
          {"zero_uses_backoff", retry.retry_after.zero_uses_backoff},
          {"over_cap_uses_backoff", retry.retry_after.over_cap_uses_backoff}}},
        {"deadline_ms", to_millis(retry.deadline)},
        {"backoff",
         {{"kind", backoff_kind_name(retry.backoff.kind)},
          {"base_ms", to_millis(retry.backoff.base)},
          {"multiplier", retry.backoff.multiplier},
          {"step_ms", to_millis(retry.backoff.step)},
          {"cap_ms", to_millis(retry.backoff.cap)}}}}},
      {"budget",
       {{"kind", retry_budget_kind_name(budget.kind)},
        {"max_tokens", budget.max_tokens},
        {"token_ratio", budget.token_ratio},
        {"ratio", budget.ratio},
        {"window_ms", to_millis(budget.window)},
        {"min_retries_per_second", budget.min_retries_per_second}}},
      {"throttle",
       {{"enabled", throttle.enabled},
        {"k", throttle.k},
        {"window_ms", to_millis(throttle.window)},
        {"reject_statuses", throttle.reject_statuses}}},
      {"breaker",
       {{"scope", breaker_scope_name(breaker.scope)},
        {"consecutive_failures", breaker.consecutive_failures},
        {"failure_rate", breaker.failure_rate},
        {"window_ms", to_millis(breaker.window)},
        {"min_requests", breaker.min_requests},
        {"open_duration_ms", to_millis(breaker.open_duration)},
        {"half_open_probes", breaker.half_open_probes}}},
      {"hedge",
       {{"enabled", hedge.enabled},
        {"delay_ms", to_millis(hedge.delay)},
        {"percentile", hedge.percentile},
        {"min_samples", hedge.min_samples}}},
      {"queue",
       {{"enabled", queue.enabled},
        {"capacity", queue.capacity},
        {"drain_rate", queue.drain_rate},
        {"delay_ms", to_millis(queue.delay)}}},
      {"fallback",
       {{"statuses", fallback.statuses},
        {"outcomes", fallback_outcomes},
        {"field", fallback.field},
        {"values", fallback.values}}},
      {"decision_log", strategy.decision_log},
      {"timeouts",
       {{"connect_ms", to_millis(strategy.timeouts.connect)},
        {"first_byte_ms", to_millis(strategy.timeouts.first_byte)},
        {"total_ms", to_millis(strategy.timeouts.total)}}},
  };
}

RunResultBuilder::RunResultBuilder(const Scenario& scenario, const RunSettings& settings)
    : started_(std::chrono::steady_clock::now()) {
  result_.version = RETRYBENCH_VERSION;
  result_.scenario_name = scenario.name;
  result_.scenario_file = scenario.file;
  result_.mode = settings.mode;
  result_.seed = scenario.seed;
  result_.duration_s = to_seconds(scenario.load.duration);
  result_.started_at = iso_now_utc();
  result_.host = host_name();
  for (const auto& upstream : scenario.upstreams) {
    result_.endpoints.push_back(upstream.name);
  }
  result_.scenario = redacted_scenario(scenario);
  result_.shard_index = settings.shard.index;
  result_.shard_count = settings.shard.count;
}

void RunResultBuilder::add_strategy(const StrategyConfig& strategy, StrategyMetrics metrics,
                                    double load_seconds, double drain_seconds,
                                    nlohmann::json upstreams) {
  StrategyResult entry;
  entry.name = strategy.name;
  entry.description = strategy.description;
  entry.config = strategy_to_json(strategy);
  entry.metrics = std::move(metrics);
  entry.load_seconds = load_seconds;
  entry.drain_seconds = drain_seconds;
  entry.upstreams = std::move(upstreams);
  result_.strategies.push_back(std::move(entry));
}

RunResult RunResultBuilder::finish() {
  result_.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return std::move(result_);
}

}  // namespace rb
