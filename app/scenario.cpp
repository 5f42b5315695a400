#include "app/scenario.hpp"

#include <fmt/format.h>

#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <set>

#include "common/log.hpp"
#include "engine/http/tls.hpp"
#include "engine/request_template.hpp"
#include "engine/strategy/strategy_parse.hpp"

namespace rb {

namespace {

LoadProfile::Kind parse_load_kind(const JsonNode& node) {
  const std::string kind = node.as_string();
  if (kind == "constant") {
    return LoadProfile::Kind::kConstant;
  }
  if (kind == "ramp") {
    return LoadProfile::Kind::kRamp;
  }
  if (kind == "steps") {
    return LoadProfile::Kind::kSteps;
  }
  if (kind == "poisson") {
    return LoadProfile::Kind::kPoisson;
  }
  if (kind == "users") {
    return LoadProfile::Kind::kUsers;
  }
  node.fail(fmt::format(
      "unknown load kind \"{}\" (expected constant, ramp, steps, poisson or users)", kind));
}

constexpr double kMaxRate = 10'000'000;  // requests per second

LoadProfile parse_load(const JsonNode& node) {
  node.allow_only({"kind", "rate", "from", "to", "steps", "users", "think_time",
                   "requests_per_user", "duration", "max_in_flight", "max_requests", "grace"});
  LoadProfile load;
  load.kind = node.has("kind") ? parse_load_kind(node.at("kind")) : LoadProfile::Kind::kConstant;
  load.duration = node.get_duration("duration", load.duration);
  if (load.duration.count() <= 0) {
    node.at("duration").fail("expected a duration above 0");
  }
  load.grace = node.get_duration("grace", load.grace);
  load.max_in_flight = node.get_int_in("max_in_flight", load.max_in_flight, 1, 10'000'000);
  load.max_requests = node.get_int_in("max_requests", 0, 0, 1'000'000'000'000);

  switch (load.kind) {
    case LoadProfile::Kind::kConstant:
    case LoadProfile::Kind::kPoisson:
      load.rate = node.at("rate").as_number();
      if (load.rate <= 0 || load.rate > kMaxRate) {
        node.at("rate").fail(
            fmt::format("expected a rate above 0 and at most {} requests per second, found {}",
                        kMaxRate, load.rate));
      }
      break;
    case LoadProfile::Kind::kRamp:
      load.rate_from = node.get_number_in("from", 0, 0, kMaxRate);
      load.rate_to = node.at("to").as_number();
      if (load.rate_to < 0 || load.rate_to > kMaxRate || load.rate_from + load.rate_to <= 0) {
        node.at("to").fail("expected a ramp end rate from 0 to 10000000, with from + to above 0");
      }
      break;
    case LoadProfile::Kind::kSteps: {
      load.duration = Duration(0);
      for (const auto& step_node : node.at("steps").elements()) {
        step_node.allow_only({"rate", "duration"});
        LoadStep step;
        step.rate = step_node.at("rate").as_number();
        step.duration = step_node.at("duration").as_duration();
        if (step.rate < 0 || step.rate > kMaxRate) {
          step_node.at("rate").fail("expected a rate from 0 to 10000000 requests per second");
        }
        load.duration += step.duration;
        load.steps.push_back(step);
      }
      if (load.steps.empty() || load.duration.count() <= 0) {
        node.at("steps").fail("expected at least one step with a duration above 0");
      }
      if (node.has("duration")) {
        node.at("duration")
            .fail(
                "a steps profile takes its length from its steps; remove "
                "\"duration\"");
      }
      break;
    }
    case LoadProfile::Kind::kUsers:
      load.users = node.at("users").as_int();
      if (load.users < 1 || load.users > 1'000'000) {
        node.at("users").fail(fmt::format("expected 1 to 1000000 users, found {}", load.users));
      }
      load.think_time = node.get_duration("think_time", Duration(0));
      load.requests_per_user = node.get_int_in("requests_per_user", 0, 0, 1'000'000'000);
      // Each user has at most one request in flight, so the limit only needs to hold them all.
      if (!node.has("max_in_flight")) {
        load.max_in_flight = std::max(load.max_in_flight, load.users);
      } else if (load.max_in_flight < load.users) {
        node.at("max_in_flight")
            .fail(fmt::format("{} users need max_in_flight of at least {}, found {}; the "
                              "others could never send",
                              load.users, load.users, load.max_in_flight));
      }
      break;
  }
  return load;
}

// Loads the CA file the way a run will, so that validate catches a directory, an empty file
// or one without a PEM certificate instead of the first TLS connection.
void check_ca_file(const JsonNode& node, const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) {
    node.fail(fmt::format("cannot read CA file \"{}\": {}", path, std::strerror(errno)));
  }
  http::HttpClientOptions options;
  options.ca_file = path;
  try {
    http::TlsContext context(options);
  } catch (const std::runtime_error& e) {
    node.fail(fmt::format("CA file \"{}\" contains no usable PEM certificate: {}", path, e.what()));
  }
}

RequestTemplate parse_request(const JsonNode& node) {
  node.allow_only({"method", "path", "headers", "body", "secret_headers"});
  RequestTemplate request;
  request.method = node.get_string("method", "POST");
  if (const std::string problem = method_problem(request.method); !problem.empty()) {
    node.at("method").fail(problem);
  }
  request.path = node.get_string("path", "/v1/chat/completions");
  const bool bad_character = std::any_of(request.path.begin(), request.path.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
  });
  if (bad_character) {
    node.at("path").fail(
        "a path must not contain spaces or control characters; "
        "percent-encode them (%20 for a space)");
  }
  if (request.path.empty() || request.path.front() != '/') {
    node.at("path").fail(
        fmt::format("expected a path starting with /, found \"{}\"", request.path));
  }
  if (auto headers = node.find("headers")) {
    for (const auto& [name, value] : headers->members()) {
      const std::string text = value.as_string();
      if (const std::string problem = header_problem(name, text); !problem.empty()) {
        value.fail(problem);
      }
      request.headers.emplace_back(name, text);
    }
  }
  if (auto body = node.find("body")) {
    // A body given as JSON is sent as its compact text; a string is sent as written.
    request.body = body->is_string() ? body->as_string() : body->value().dump();
  }
  if (auto secrets = node.find("secret_headers")) {
    for (const auto& element : secrets->elements()) {
      request.secret_headers.push_back(element.as_string());
    }
  }
  return request;
}

UpstreamSpec parse_upstream(const JsonNode& node) {
  node.allow_only({"name", "url", "fake", "weight"});
  UpstreamSpec upstream;
  upstream.name = node.at("name").as_string();
  if (upstream.name.empty()) {
    node.at("name").fail("expected a non-empty name");
  }
  upstream.weight = node.get_number_in("weight", 1.0, 0.0, 1e6);
  if (auto url = node.find("url")) {
    upstream.url = url->as_string();
    try {
      parse_endpoint_url(upstream.name, *upstream.url);
    } catch (const std::invalid_argument& e) {
      url->fail(fmt::format("invalid URL \"{}\": {}", *upstream.url, e.what()));
    }
  }
  if (auto fake = node.find("fake")) {
    upstream.fake = parse_fault_profile(*fake);
  }
  if (!upstream.url && !upstream.fake) {
    node.fail(
        "an upstream needs \"url\" (a real upstream) or \"fake\" (a fault profile for a "
        "fake upstream)");
  }
  return upstream;
}

ThresholdSpec parse_threshold(const JsonNode& node) {
  ThresholdSpec spec;
  const JsonNode* expression = &node;
  std::optional<JsonNode> field;
  if (!node.is_string()) {
    node.allow_only({"strategy", "expr"});
    spec.strategy = node.get_string("strategy", "");
    field = node.at("expr");
    expression = &*field;
  }
  spec.expression = expression->as_string();
  try {
    check_threshold_expression(spec.expression);
  } catch (const std::invalid_argument& e) {
    expression->fail(e.what());
  }
  return spec;
}

void check_names(const Scenario& scenario, const JsonNode& root) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < scenario.upstreams.size(); ++i) {
    if (!seen.insert(scenario.upstreams[i].name).second) {
      root.at("upstreams")
          .elements()[i]
          .at("name")
          .fail(fmt::format("duplicate upstream name \"{}\"", scenario.upstreams[i].name));
    }
  }
  seen.clear();
  for (std::size_t i = 0; i < scenario.strategies.size(); ++i) {
    if (!seen.insert(scenario.strategies[i].name).second) {
      root.at("strategies")
          .elements()[i]
          .fail(fmt::format("duplicate strategy name \"{}\"", scenario.strategies[i].name));
    }
  }
  for (std::size_t i = 0; i < scenario.thresholds.size(); ++i) {
    const auto& name = scenario.thresholds[i].strategy;
    if (!name.empty() && seen.count(name) == 0) {
      root.at("thresholds")
          .elements()[i]
          .fail(fmt::format("threshold names strategy \"{}\", which the scenario does not define",
                            name));
    }
  }
}

}  // namespace

Scenario parse_scenario(const JsonDocument& doc) {
  const JsonNode root = JsonNode::root(doc);
  root.expect_object();
  root.allow_only({"$schema", "name", "description", "seed", "upstreams", "load", "request",
                   "timeouts", "client", "strategies", "thresholds"});

  Scenario scenario;
  scenario.file = doc.name();
  scenario.source = doc.root();
  scenario.name = root.at("name").as_string();
  scenario.description = root.get_string("description", "");
  scenario.seed = static_cast<std::uint64_t>(root.get_int_in("seed", 1, 0, INT64_MAX));

  for (const auto& node : root.at("upstreams").elements()) {
    scenario.upstreams.push_back(parse_upstream(node));
  }
  if (scenario.upstreams.empty()) {
    root.at("upstreams").fail("expected at least one upstream");
  }
  scenario.load = parse_load(root.at("load"));
  scenario.request =
      root.has("request")
          ? parse_request(root.at("request"))
          : RequestTemplate{
                "POST",
                "/v1/chat/completions",
                {{"Content-Type", "application/json"}},
                R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]})",
                {}};
  if (auto timeouts = root.find("timeouts")) {
    scenario.timeouts = parse_timeouts(*timeouts, scenario.timeouts);
  }
  if (auto client = root.find("client")) {
    client->allow_only({"max_connections", "keep_alive", "insecure", "ca_file",
                        "max_response_header_bytes", "max_response_body_bytes"});
    scenario.client.max_connections_per_endpoint =
        static_cast<std::size_t>(client->get_int_in("max_connections", 64, 1, 100000));
    scenario.client.keep_alive = client->get_bool("keep_alive", true);
    scenario.client.insecure = client->get_bool("insecure", false);
    scenario.client.ca_file = client->get_string("ca_file", "");
    if (!scenario.client.ca_file.empty()) {
      check_ca_file(client->at("ca_file"), scenario.client.ca_file);
    }
    // A response past either limit ends its attempt as a parse error.
    scenario.client.limits.max_header_bytes = static_cast<std::size_t>(client->get_int_in(
        "max_response_header_bytes", 64 * 1024, 1024, std::int64_t{16} * 1024 * 1024));
    scenario.client.limits.max_body_bytes = static_cast<std::uint64_t>(
        client->get_int_in("max_response_body_bytes", std::int64_t{64} * 1024 * 1024, 0,
                           std::int64_t{16} * 1024 * 1024 * 1024));
  }
  scenario.client.timeouts = scenario.timeouts;

  for (const auto& node : root.at("strategies").elements()) {
    scenario.strategies.push_back(parse_strategy(node, scenario.timeouts));
  }
  if (scenario.strategies.empty()) {
    root.at("strategies").fail("expected at least one strategy");
  }
  if (auto thresholds = root.find("thresholds")) {
    for (const auto& node : thresholds->elements()) {
      scenario.thresholds.push_back(parse_threshold(node));
    }
  }
  check_names(scenario, root);
  return scenario;
}

Scenario load_scenario(const std::string& file) {
  JsonDocument doc = JsonDocument::load_file(file);
  // Reports show the scenario as written, so a key passed as ${NAME} never reaches them.
  const nlohmann::json as_written = doc.root();
  expand_environment(doc);
  Scenario scenario = parse_scenario(doc);
  scenario.source = as_written;
  return scenario;
}

nlohmann::json redacted_scenario(const Scenario& scenario) {
  nlohmann::json out = scenario.source;
  auto* headers =
      out.contains("request") && out["request"].is_object() && out["request"].contains("headers")
          ? &out["request"]["headers"]
          : nullptr;
  if (headers != nullptr && headers->is_object()) {
    for (auto it = headers->begin(); it != headers->end(); ++it) {
      bool secret = is_secret_header(it.key());
      for (const auto& name : scenario.request.secret_headers) {
        secret = secret || strcasecmp(name.c_str(), it.key().c_str()) == 0;
      }
      if (secret) {
        it.value() = "[redacted]";
      }
    }
  }
  // Fake upstreams may require an API key; that key is a secret too.
  if (out.contains("upstreams") && out["upstreams"].is_array()) {
    for (auto& upstream : out["upstreams"]) {
      if (upstream.is_object() && upstream.contains("fake") && upstream["fake"].is_object() &&
          upstream["fake"].contains("api_key")) {
        upstream["fake"]["api_key"] = "[redacted]";
      }
    }
  }
  return out;
}

}  // namespace rb
