#include "engine/strategy/strategy_parse.hpp"

#include <fmt/format.h>

#include "engine/strategy/presets.hpp"

namespace rb {

namespace {

BackoffConfig parse_backoff(const JsonNode& node, BackoffConfig config) {
  if (node.is_string()) {
    if (!backoff_kind_from_name(node.as_string(), config.kind)) {
      node.fail(fmt::format("unknown backoff \"{}\" (expected none, constant, linear, "
                            "exponential, full-jitter, equal-jitter, decorrelated-jitter or "
                            "urllib3)",
                            node.as_string()));
    }
    return config;
  }
  node.allow_only({"kind", "base", "multiplier", "step", "cap"});
  if (auto kind = node.find("kind")) {
    if (!backoff_kind_from_name(kind->as_string(), config.kind)) {
      kind->fail(fmt::format("unknown backoff kind \"{}\" (expected none, constant, linear, "
                             "exponential, full-jitter, equal-jitter, decorrelated-jitter or "
                             "urllib3)",
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
      mode.fail(fmt::format("unknown Retry-After mode \"{}\" (expected ignore, max or "
                            "header-only)",
                            text));
    }
  };
  if (node.is_string()) {
    read_mode(node);
    return config;
  }
  node.allow_only({"mode", "cap"});
  if (auto mode = node.find("mode")) {
    read_mode(*mode);
  }
  config.cap = node.get_duration("cap", config.cap);
  return config;
}

std::vector<AttemptClass> parse_classes(const JsonNode& node) {
  std::vector<AttemptClass> out;
  for (const auto& element : node.elements()) {
    const std::string name = element.as_string();
    const auto cls = attempt_class_from_name(name);
    if (!cls || *cls == AttemptClass::kSuccess || *cls == AttemptClass::kHttpStatus) {
      element.fail(fmt::format(
          "unknown outcome \"{}\" (expected connect_timeout, first_byte_timeout, "
          "total_timeout, deadline, refused, reset, closed_early, tls_error, parse_error or "
          "dns_error)",
          name));
    }
    out.push_back(*cls);
  }
  return out;
}

RetryConfig parse_retry(const JsonNode& node, RetryConfig config) {
  node.allow_only({"max_attempts", "statuses", "outcomes", "retry_non_idempotent",
                   "retry_after", "deadline", "backoff"});
  config.max_attempts =
      static_cast<int>(node.get_int_in("max_attempts", config.max_attempts, 1, 1000));
  if (auto statuses = node.find("statuses")) {
    config.retry_statuses.clear();
    for (const auto& element : statuses->elements()) {
      const auto status = element.as_int();
      if (status < 100 || status > 599) {
        element.fail(fmt::format("expected an HTTP status from 100 to 599, found {}", status));
      }
      config.retry_statuses.push_back(static_cast<int>(status));
    }
  }
  if (auto outcomes = node.find("outcomes")) {
    config.retry_classes = parse_classes(*outcomes);
  }
  config.retry_non_idempotent = node.get_bool("retry_non_idempotent",
                                              config.retry_non_idempotent);
  if (auto retry_after = node.find("retry_after")) {
    config.retry_after = parse_retry_after(*retry_after, config.retry_after);
  }
  config.deadline = node.get_duration("deadline", config.deadline);
  if (auto backoff = node.find("backoff")) {
    config.backoff = parse_backoff(*backoff, config.backoff);
  }
  return config;
}

SelectorConfig parse_selector(const JsonNode& node, SelectorConfig config) {
  const JsonNode kind_node = node.is_string() ? node : node.at("kind");
  if (!node.is_string()) {
    node.allow_only({"kind"});
  }
  const std::string kind = kind_node.as_string();
  if (!selector_kind_from_name(kind, config.kind)) {
    kind_node.fail(fmt::format("unknown endpoint selector \"{}\" (expected single, round-robin, "
                               "rotate-on-failure, random or weighted)",
                               kind));
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
  node.allow_only({"name", "preset", "description", "selector", "retry", "timeouts"});
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
  if (auto own = node.find("timeouts")) {
    config.timeouts = parse_timeouts(*own, config.timeouts);
  }
  return config;
}

}  // namespace rb
