#include "fakeserver/profile.hpp"

#include <fmt/format.h>

#include <cmath>

namespace rb {

namespace {

constexpr const char* kProfileKeys[] = {"models",
                                        "api_key",
                                        "reply",
                                        "latency",
                                        "rate_limit",
                                        "errors",
                                        "timeout",
                                        "connection",
                                        "capacity",
                                        "phases",
                                        "retry_after_format",
                                        "retry_after_ms",
                                        "idle_timeout",
                                        "header_timeout",
                                        "max_header_bytes",
                                        "max_body_bytes"};

double read_probability(const JsonNode& node, const std::string& key) {
  return node.get_number_in(key, 0.0, 0.0, 1.0);
}

Duration read_positive_duration(const JsonNode& node, const std::string& key) {
  const JsonNode child = node.at(key);
  const Duration value = child.as_duration();
  if (value <= Duration(0)) {
    child.fail("expected a duration above 0");
  }
  return value;
}

LatencySpec parse_latency_object(const JsonNode& node) {
  const std::string kind = node.at("distribution").as_string();
  LatencySpec spec;
  if (kind == "constant") {
    node.allow_only({"distribution", "value"});
    spec.kind = LatencyKind::kConstant;
    spec.value = node.at("value").as_duration();
  } else if (kind == "uniform") {
    node.allow_only({"distribution", "min", "max"});
    spec.kind = LatencyKind::kUniform;
    spec.min = node.at("min").as_duration();
    spec.max = node.at("max").as_duration();
    if (spec.max < spec.min) {
      node.at("max").fail("expected max to be at least min");
    }
  } else if (kind == "normal") {
    node.allow_only({"distribution", "mean", "stddev"});
    spec.kind = LatencyKind::kNormal;
    spec.mean = node.at("mean").as_duration();
    spec.stddev = node.at("stddev").as_duration();
  } else if (kind == "lognormal") {
    node.allow_only({"distribution", "median", "p99"});
    spec.kind = LatencyKind::kLognormal;
    spec.median = read_positive_duration(node, "median");
    spec.p99 = node.at("p99").as_duration();
    if (spec.p99 < spec.median) {
      node.at("p99").fail("expected p99 to be at least the median");
    }
  } else if (kind == "exponential") {
    node.allow_only({"distribution", "mean"});
    spec.kind = LatencyKind::kExponential;
    spec.mean = node.at("mean").as_duration();
  } else {
    node.at("distribution")
        .fail(fmt::format("unknown distribution \"{}\" (expected constant, uniform, normal, "
                          "lognormal or exponential)",
                          kind));
  }
  return spec;
}

// A latency is a duration (constant) or an object naming its distribution.
LatencySpec parse_latency(const JsonNode& node) {
  if (node.is_object()) {
    return parse_latency_object(node);
  }
  LatencySpec spec;
  spec.value = node.as_duration();
  return spec;
}

RateLimitSpec parse_rate_limit(const JsonNode& node) {
  node.allow_only({"rps", "burst", "retry_after", "headers"});
  RateLimitSpec spec;
  const JsonNode rps = node.at("rps");
  spec.rps = rps.as_number();
  if (!(spec.rps > 0) || spec.rps > 1e9) {
    rps.fail(fmt::format("expected requests per second above 0, found {}", spec.rps));
  }
  spec.burst = node.get_number_in("burst", std::max(1.0, std::ceil(spec.rps)), 1.0, 1e9);
  if (auto retry_after = node.find("retry_after")) {
    spec.retry_after = retry_after->as_duration();
  }
  spec.headers = node.get_bool("headers", true);
  return spec;
}

ErrorSpec parse_error(const JsonNode& node) {
  node.allow_only({"status", "probability", "body", "retry_after"});
  ErrorSpec spec;
  spec.status = static_cast<int>(node.at("status").as_int());
  if (spec.status < 400 || spec.status > 599) {
    node.at("status").fail(fmt::format("expected a status from 400 to 599, found {}", spec.status));
  }
  node.at("probability");
  spec.probability = read_probability(node, "probability");
  if (auto body = node.find("body")) {
    spec.body = body->as_string();
  }
  if (auto retry_after = node.find("retry_after")) {
    spec.retry_after = retry_after->as_duration();
  }
  return spec;
}

std::vector<ErrorSpec> parse_errors(const JsonNode& node) {
  std::vector<ErrorSpec> errors;
  for (const JsonNode& element : node.elements()) {
    errors.push_back(parse_error(element));
  }
  return errors;
}

TimeoutSpec parse_timeout(const JsonNode& node) {
  node.allow_only({"probability", "delay"});
  TimeoutSpec spec;
  spec.probability = read_probability(node, "probability");
  if (auto delay = node.find("delay")) {
    spec.delay = delay->as_duration();
  }
  return spec;
}

ConnectionFaultSpec parse_connection(const JsonNode& node) {
  node.allow_only({"reset_before_response", "reset_mid_response", "close_without_response",
                   "truncated_body", "malformed_status_line"});
  ConnectionFaultSpec spec;
  spec.reset_before_response = read_probability(node, "reset_before_response");
  spec.reset_mid_response = read_probability(node, "reset_mid_response");
  spec.close_without_response = read_probability(node, "close_without_response");
  spec.truncated_body = read_probability(node, "truncated_body");
  spec.malformed_status_line = read_probability(node, "malformed_status_line");
  return spec;
}

CapacitySpec parse_capacity(const JsonNode& node) {
  node.allow_only({"concurrency", "queue", "reject_status"});
  CapacitySpec spec;
  node.at("concurrency");
  spec.concurrency = static_cast<int>(node.get_int_in("concurrency", 1, 1, 1000000));
  spec.queue = static_cast<int>(node.get_int_in("queue", 0, 0, 10000000));
  spec.reject_status = static_cast<int>(node.get_int_in("reject_status", 503, 400, 599));
  return spec;
}

OutageMode parse_outage(const JsonNode& node) {
  const std::string mode = node.as_string();
  if (mode == "refuse") {
    return OutageMode::kRefuse;
  }
  if (mode == "503") {
    return OutageMode::kAll503;
  }
  if (mode == "black_hole") {
    return OutageMode::kBlackHole;
  }
  node.fail(fmt::format("unknown outage mode \"{}\" (expected refuse, 503 or black_hole)", mode));
}

// Sum of the per-request fault probabilities, which are drawn as one categorical choice.
double fault_probability_sum(const std::vector<ErrorSpec>& errors, const TimeoutSpec& timeout,
                             const ConnectionFaultSpec& c) {
  double sum = timeout.probability + c.reset_before_response + c.reset_mid_response +
               c.close_without_response + c.truncated_body + c.malformed_status_line;
  for (const auto& error : errors) {
    sum += error.probability;
  }
  return sum;
}

void check_probability_sum(const JsonNode& node, const std::vector<ErrorSpec>& errors,
                           const TimeoutSpec& timeout, const ConnectionFaultSpec& connection) {
  const double sum = fault_probability_sum(errors, timeout, connection);
  if (sum > 1.0 + 1e-9) {
    node.fail(
        fmt::format("the probabilities of errors, timeout and connection faults add up to "
                    "{}, expected at most 1",
                    sum));
  }
}

PhaseSpec parse_phase(const JsonNode& node, const FaultProfile& base) {
  node.allow_only(
      {"from", "to", "outage", "latency", "rate_limit", "errors", "timeout", "connection"});
  PhaseSpec phase;
  phase.from = node.get_duration("from", Duration(0));
  phase.to = node.get_duration("to", Duration::max());
  if (phase.to <= phase.from) {
    node.at("to").fail("expected \"to\" to be later than \"from\"");
  }
  if (auto outage = node.find("outage")) {
    phase.outage = parse_outage(*outage);
  }

  // A present null turns the part off for the phase, for example "rate_limit": null.
  FaultOverrides& o = phase.overrides;
  if (node.has("latency")) {
    auto latency = node.find("latency");
    o.latency = latency ? std::optional<LatencySpec>(parse_latency(*latency)) : std::nullopt;
  }
  if (node.has("rate_limit")) {
    auto rate_limit = node.find("rate_limit");
    o.rate_limit =
        rate_limit ? std::optional<RateLimitSpec>(parse_rate_limit(*rate_limit)) : std::nullopt;
  }
  if (auto errors = node.find("errors")) {
    o.errors = parse_errors(*errors);
  }
  if (auto timeout = node.find("timeout")) {
    o.timeout = parse_timeout(*timeout);
  }
  if (auto connection = node.find("connection")) {
    o.connection = parse_connection(*connection);
  }

  check_probability_sum(node, o.errors.value_or(base.errors), o.timeout.value_or(base.timeout),
                        o.connection.value_or(base.connection));
  return phase;
}

std::vector<std::string> parse_models(const JsonNode& node) {
  std::vector<std::string> models;
  for (const JsonNode& element : node.elements()) {
    models.push_back(element.as_string());
    if (models.back().empty()) {
      element.fail("expected a non-empty model id");
    }
  }
  return models;
}

RetryAfterFormat parse_retry_after_format(const JsonNode& node) {
  const std::string format = node.as_string();
  if (format == "seconds") {
    return RetryAfterFormat::kSeconds;
  }
  if (format == "http-date") {
    return RetryAfterFormat::kHttpDate;
  }
  if (format == "none") {
    return RetryAfterFormat::kNone;
  }
  node.fail(fmt::format("unknown Retry-After format \"{}\" (expected seconds, http-date or none)",
                        format));
}

void parse_api_surface(const JsonNode& node, FaultProfile& profile) {
  if (auto models = node.find("models")) {
    profile.models = parse_models(*models);
  }
  if (auto api_key = node.find("api_key")) {
    profile.api_key = api_key->as_string();
    if (profile.api_key->empty()) {
      api_key->fail("expected a non-empty API key");
    }
  }
  profile.reply = node.get_string("reply", profile.reply);
}

void parse_faults(const JsonNode& node, FaultProfile& profile) {
  if (auto latency = node.find("latency")) {
    profile.latency = parse_latency(*latency);
  }
  if (auto rate_limit = node.find("rate_limit")) {
    profile.rate_limit = parse_rate_limit(*rate_limit);
  }
  if (auto errors = node.find("errors")) {
    profile.errors = parse_errors(*errors);
  }
  if (auto timeout = node.find("timeout")) {
    profile.timeout = parse_timeout(*timeout);
  }
  if (auto connection = node.find("connection")) {
    profile.connection = parse_connection(*connection);
  }
  if (auto capacity = node.find("capacity")) {
    profile.capacity = parse_capacity(*capacity);
  }
  check_probability_sum(node, profile.errors, profile.timeout, profile.connection);
}

void parse_server_limits(const JsonNode& node, FaultProfile& profile) {
  if (auto format = node.find("retry_after_format")) {
    profile.retry_after_format = parse_retry_after_format(*format);
  }
  profile.retry_after_ms = node.get_bool("retry_after_ms", false);
  if (node.has("idle_timeout")) {
    profile.idle_timeout = read_positive_duration(node, "idle_timeout");
  }
  if (node.has("header_timeout")) {
    profile.header_timeout = read_positive_duration(node, "header_timeout");
  }
  profile.max_header_bytes = node.get_int_in("max_header_bytes", 16384, 256, 1 << 24);
  profile.max_body_bytes = node.get_int_in("max_body_bytes", 1 << 20, 0, std::int64_t{1} << 32);
}

}  // namespace

const std::vector<std::string>& fault_profile_keys() {
  static const std::vector<std::string> keys(std::begin(kProfileKeys), std::end(kProfileKeys));
  return keys;
}

FaultProfile parse_fault_profile(const JsonNode& node, const std::vector<std::string>& extra_keys) {
  std::vector<std::string> allowed = fault_profile_keys();
  allowed.insert(allowed.end(), extra_keys.begin(), extra_keys.end());
  node.allow_only(allowed);

  FaultProfile profile;
  parse_api_surface(node, profile);
  parse_faults(node, profile);
  parse_server_limits(node, profile);

  if (auto phases = node.find("phases")) {
    for (const JsonNode& element : phases->elements()) {
      profile.phases.push_back(parse_phase(element, profile));
    }
  }
  return profile;
}

}  // namespace rb
