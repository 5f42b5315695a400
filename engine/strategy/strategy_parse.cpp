#include "engine/strategy/strategy_parse.hpp"

#include <fmt/format.h>

#include "engine/strategy/presets.hpp"
#include "engine/strategy/strategy_parse_blocks.hpp"

namespace rb {

namespace {

BackoffConfig parse_backoff(const JsonNode& node, BackoffConfig config) {
  if (node.is_string()) {
    if (!backoff_kind_from_name(node.as_string(), config.kind)) {
      node.fail(
          fmt::format("unknown backoff \"{}\" (expected none, constant, linear, "
                      "exponential, full-jitter, equal-jitter, decorrelated-jitter, "
                      "urllib3 or openai)",
                      node.as_string()));
    }
    return config;
  }
  node.allow_only({"kind", "base", "multiplier", "step", "cap"});
  if (auto kind = node.find("kind")) {
    if (!backoff_kind_from_name(kind->as_string(), config.kind)) {
      kind->fail(
          fmt::format("unknown backoff kind \"{}\" (expected none, constant, linear, "
                      "exponential, full-jitter, equal-jitter, decorrelated-jitter, "
                      "urllib3 or openai)",
                      kind->as_string()));
    }
  }
  config.base = node.get_duration("base", config.base);
  config.multiplier = node.get_number_in("multiplier", config.multiplier, 1.0, 100.0);
  config.step = node.get_duration("step", config.step);
  config.cap = node.get_duration("cap", config.cap);
  if (config.cap < config.base && config.kind != BackoffConfig::Kind::kNone) {
    node.fail(fmt::format("backoff cap ({} ms) is below its base ({} ms)", to_millis(config.cap),
                          to_millis(config.base)));
  }
  return config;
}

RetryAfterConfig parse_retry_after(const JsonNode& node, RetryAfterConfig config) {
  auto read_mode = [&config](const JsonNode& mode) {
    const std::string text = mode.as_string();
    if (text == "ignore") {
      config.mode = RetryAfterConfig::Mode::kIgnore;
    } else if (text == "max") {
      config.mode = RetryAfterConfig::Mode::kMax;
    } else if (text == "header-only") {
      config.mode = RetryAfterConfig::Mode::kHeaderOnly;
    } else {
      mode.fail(
          fmt::format("unknown Retry-After mode \"{}\" (expected ignore, max or "
                      "header-only)",
                      text));
    }
  };
  if (node.is_string()) {
    read_mode(node);
    return config;
  }
  node.allow_only({"mode", "cap", "zero_uses_backoff", "over_cap_uses_backoff"});
  if (auto mode = node.find("mode")) {
    read_mode(*mode);
  }
  config.cap = node.get_duration("cap", config.cap);
  config.zero_uses_backoff = node.get_bool("zero_uses_backoff", config.zero_uses_backoff);
  config.over_cap_uses_backoff =
      node.get_bool("over_cap_uses_backoff", config.over_cap_uses_backoff);
  return config;
}

RetryConfig parse_retry(const JsonNode& node, RetryConfig config) {
  node.allow_only({"max_attempts", "statuses", "outcomes", "retry_non_idempotent",
                   "retry_unsent_non_idempotent", "retry_after", "deadline", "backoff"});
  config.max_attempts =
      static_cast<int>(node.get_int_in("max_attempts", config.max_attempts, 1, 1000));
  if (auto statuses = node.find("statuses")) {
    config.retry_statuses = parse_statuses(*statuses);
  }
  if (auto outcomes = node.find("outcomes")) {
    config.retry_classes = parse_classes(*outcomes);
  }
  config.retry_non_idempotent = node.get_bool("retry_non_idempotent", config.retry_non_idempotent);
  config.retry_unsent_non_idempotent =
      node.get_bool("retry_unsent_non_idempotent", config.retry_unsent_non_idempotent);
  if (auto retry_after = node.find("retry_after")) {
    config.retry_after = parse_retry_after(*retry_after, config.retry_after);
  }
  config.deadline = node.get_duration("deadline", config.deadline);
  if (auto backoff = node.find("backoff")) {
    config.backoff = parse_backoff(*backoff, config.backoff);
  }
  return config;
}

StrategyConfig start_from_preset(const JsonNode& node) {
  const std::string name = node.as_string();
  auto preset = find_preset(name);
  if (!preset) {
    node.fail(fmt::format("unknown preset \"{}\" (expected one of: {})", name, preset_names()));
  }
  return *preset;
}

}  // namespace

AttemptTimeouts parse_timeouts(const JsonNode& node, const AttemptTimeouts& defaults) {
  node.allow_only({"connect", "first_byte", "total"});
  AttemptTimeouts out = defaults;
  out.connect = node.get_duration("connect", out.connect);
  out.first_byte = node.get_duration("first_byte", out.first_byte);
  out.total = node.get_duration("total", out.total);
  for (const char* key : {"connect", "first_byte", "total"}) {
    if (auto value = node.find(key); value && value->as_duration().count() <= 0) {
      value->fail("expected a timeout above 0");
    }
  }
  return out;
}

StrategyConfig parse_strategy(const JsonNode& node, const AttemptTimeouts& timeouts) {
  StrategyConfig config;
  config.timeouts = timeouts;
  if (node.is_string()) {
    config = start_from_preset(node);
    config.timeouts = timeouts;
    return config;
  }
  node.allow_only({"name", "preset", "description", "selector", "retry", "budget", "throttle",
                   "breaker", "hedge", "queue", "fallback", "timeouts", "decision_log"});
  if (auto preset = node.find("preset")) {
    config = start_from_preset(*preset);
    config.timeouts = timeouts;
  }
  config.name = node.get_string("name", config.name);
  if (config.name.empty()) {
    node.fail("missing required field \"name\" (or a \"preset\" to take the name from)");
  }
  config.description = node.get_string("description", config.description);
  if (auto selector = node.find("selector")) {
    config.selector = parse_selector(*selector, config.selector);
  }
  if (auto retry = node.find("retry")) {
    config.retry = parse_retry(*retry, config.retry);
  }
  if (auto budget = node.find("budget")) {
    config.budget = parse_budget(*budget, config.budget);
  }
  if (auto throttle = node.find("throttle")) {
    config.throttle = parse_throttle(*throttle, config.throttle);
  }
  if (auto breaker = node.find("breaker")) {
    config.breaker = parse_breaker(*breaker, config.breaker);
  }
  if (auto hedge = node.find("hedge")) {
    config.hedge = parse_hedge(*hedge, config.hedge);
  }
  if (auto queue = node.find("queue")) {
    config.queue = parse_queue(*queue, config.queue);
  }
  if (auto fallback = node.find("fallback")) {
    config.fallback = parse_fallback(*fallback, config.fallback);
  }
  config.decision_log = static_cast<std::size_t>(
      node.get_int_in("decision_log", static_cast<std::int64_t>(config.decision_log), 0, 1000000));
  if (auto own = node.find("timeouts")) {
    config.timeouts = parse_timeouts(*own, config.timeouts);
  }
  return config;
}

}  // namespace rb
