#include "engine/strategy/strategy_parse_blocks.hpp"

#include <fmt/format.h>

namespace rb {

namespace {

// `false` turns a block off, `true` or an object turns it on; returns whether it is on.
bool read_switch(const JsonNode& node) {
  if (node.value().is_boolean()) {
    return node.as_bool();
  }
  node.expect_object();
  return node.get_bool("enabled", true);
}

}  // namespace

std::vector<int> parse_statuses(const JsonNode& node) {
  std::vector<int> out;
  for (const auto& element : node.elements()) {
    const auto status = element.as_int();
    if (status < 100 || status > 599) {
      element.fail(fmt::format("expected an HTTP status from 100 to 599, found {}", status));
    }
    out.push_back(static_cast<int>(status));
  }
  return out;
}

std::vector<AttemptClass> parse_classes(const JsonNode& node) {
  std::vector<AttemptClass> out;
  for (const auto& element : node.elements()) {
    const std::string name = element.as_string();
    const auto cls = attempt_class_from_name(name);
    if (!cls || *cls == AttemptClass::kSuccess || *cls == AttemptClass::kHttpStatus ||
        *cls == AttemptClass::kCancelled) {
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

SelectorConfig parse_selector(const JsonNode& node, SelectorConfig config) {
  const JsonNode kind_node = node.is_string() ? node : node.at("kind");
  if (!node.is_string()) {
    node.allow_only({"kind", "ewma_decay", "failure_penalty", "latency_alpha", "error_decay",
                     "max_consecutive_errors"});
  }
  const std::string kind = kind_node.as_string();
  if (!selector_kind_from_name(kind, config.kind)) {
    kind_node.fail(fmt::format("unknown endpoint selector \"{}\" (expected one of: {})", kind,
                               selector_kind_names()));
  }
  if (node.is_string()) {
    return config;
  }
  config.ewma_decay = node.get_duration("ewma_decay", config.ewma_decay);
  if (config.ewma_decay.count() <= 0) {
    node.at("ewma_decay").fail("expected an EWMA decay above 0");
  }
  config.failure_penalty = node.get_duration("failure_penalty", config.failure_penalty);
  config.latency_alpha = node.get_number_in("latency_alpha", config.latency_alpha, 0.001, 1.0);
  config.error_decay = node.get_duration("error_decay", config.error_decay);
  config.max_consecutive_errors = static_cast<int>(
      node.get_int_in("max_consecutive_errors", config.max_consecutive_errors, 1, 1000));
  return config;
}

RetryBudgetConfig parse_budget(const JsonNode& node, RetryBudgetConfig config) {
  auto read_kind = [&config](const JsonNode& kind) {
    const std::string text = kind.as_string();
    using K = RetryBudgetConfig::Kind;
    for (K k : {K::kNone, K::kTokenBucket, K::kRatio}) {
      if (retry_budget_kind_name(k) == text) {
        config.kind = k;
        return;
      }
    }
    kind.fail(
        fmt::format("unknown retry budget \"{}\" (expected none, token-bucket or ratio)", text));
  };
  if (node.is_string()) {
    read_kind(node);
    return config;
  }
  node.allow_only(
      {"kind", "max_tokens", "token_ratio", "ratio", "window", "min_retries_per_second"});
  read_kind(node.at("kind"));
  config.max_tokens = node.get_number_in("max_tokens", config.max_tokens, 1.0, 1e6);
  config.token_ratio = node.get_number_in("token_ratio", config.token_ratio, 0.0, 1e6);
  config.ratio = node.get_number_in("ratio", config.ratio, 0.0, 100.0);
  config.window = node.get_duration("window", config.window);
  if (config.window < from_millis(10)) {
    node.at("window").fail("expected a budget window of at least 10 ms");
  }
  config.min_retries_per_second =
      node.get_number_in("min_retries_per_second", config.min_retries_per_second, 0.0, 1e9);
  return config;
}

ThrottleConfig parse_throttle(const JsonNode& node, ThrottleConfig config) {
  config.enabled = read_switch(node);
  if (!node.is_object()) {
    return config;
  }
  node.allow_only({"enabled", "k", "window", "reject_statuses"});
  config.k = node.get_number_in("k", config.k, 1.0, 100.0);
  config.window = node.get_duration("window", config.window);
  if (config.window < from_millis(10)) {
    node.at("window").fail("expected a throttle window of at least 10 ms");
  }
  if (auto statuses = node.find("reject_statuses")) {
    config.reject_statuses = parse_statuses(*statuses);
  }
  return config;
}

BreakerConfig parse_breaker(const JsonNode& node, BreakerConfig config) {
  if (node.value().is_boolean()) {
    config.scope =
        node.as_bool() ? BreakerConfig::Scope::kPerEndpoint : BreakerConfig::Scope::kNone;
    return config;
  }
  node.allow_only({"scope", "consecutive_failures", "failure_rate", "window", "min_requests",
                   "open_duration", "half_open_probes"});
  const std::string scope = node.get_string("scope", "per-endpoint");
  using S = BreakerConfig::Scope;
  bool known = false;
  for (S s : {S::kNone, S::kGlobal, S::kPerEndpoint}) {
    if (breaker_scope_name(s) == scope) {
      config.scope = s;
      known = true;
    }
  }
  if (!known) {
    node.at("scope").fail(
        fmt::format("unknown breaker scope \"{}\" (expected none, global or per-endpoint)", scope));
  }
  config.consecutive_failures = static_cast<int>(
      node.get_int_in("consecutive_failures", config.consecutive_failures, 0, 1000000));
  config.failure_rate = node.get_number_in("failure_rate", config.failure_rate, 0.0, 1.0);
  config.window = node.get_duration("window", config.window);
  if (config.window < from_millis(10)) {
    node.at("window").fail("expected a breaker window of at least 10 ms");
  }
  config.min_requests =
      static_cast<int>(node.get_int_in("min_requests", config.min_requests, 1, 1000000));
  config.open_duration = node.get_duration("open_duration", config.open_duration);
  config.half_open_probes =
      static_cast<int>(node.get_int_in("half_open_probes", config.half_open_probes, 1, 1000));
  if (config.scope != S::kNone && config.consecutive_failures == 0 && config.failure_rate == 0) {
    node.fail("a breaker needs \"consecutive_failures\" or \"failure_rate\" above 0 to trip");
  }
  return config;
}

HedgeConfig parse_hedge(const JsonNode& node, HedgeConfig config) {
  config.enabled = read_switch(node);
  if (!node.is_object()) {
    return config;
  }
  node.allow_only({"enabled", "delay", "percentile", "min_samples"});
  config.delay = node.get_duration("delay", config.delay);
  config.percentile = node.get_number_in("percentile", config.percentile, 0.0, 100.0);
  config.min_samples = static_cast<int>(node.get_int_in(
      "min_samples", config.min_samples, 1, static_cast<std::int64_t>(HedgePolicy::kCapacity)));
  return config;
}

RetryQueueConfig parse_queue(const JsonNode& node, RetryQueueConfig config) {
  config.enabled = read_switch(node);
  if (!node.is_object()) {
    return config;
  }
  node.allow_only({"enabled", "capacity", "drain_rate", "delay"});
  config.capacity = static_cast<std::size_t>(
      node.get_int_in("capacity", static_cast<std::int64_t>(config.capacity), 1, 10000000));
  config.drain_rate = node.get_number_in("drain_rate", config.drain_rate, 0.0, 1e9);
  config.delay = node.get_duration("delay", config.delay);
  return config;
}

FallbackConfig parse_fallback(const JsonNode& node, FallbackConfig config) {
  node.allow_only({"statuses", "outcomes", "field", "values"});
  if (auto statuses = node.find("statuses")) {
    config.statuses = parse_statuses(*statuses);
  }
  if (auto outcomes = node.find("outcomes")) {
    config.classes = parse_classes(*outcomes);
  }
  config.field = node.get_string("field", config.field);
  if (config.field.empty()) {
    node.at("field").fail("expected the name of a JSON body field, found an empty string");
  }
  if (auto values = node.find("values")) {
    config.values.clear();
    for (const auto& element : values->elements()) {
      config.values.push_back(element.as_string());
    }
  }
  if (config.values.empty()) {
    node.fail("missing \"values\": a fallback needs at least one substitute value");
  }
  if (config.statuses.empty() && config.classes.empty()) {
    node.fail("a fallback needs \"statuses\" or \"outcomes\" that switch to it");
  }
  return config;
}

}  // namespace rb
