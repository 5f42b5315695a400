#include "app/one_line.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/request_template.hpp"
#include "engine/strategy/presets.hpp"

namespace rb {

namespace {

const char* const kSource = "<command line>";

[[noreturn]] void flag_error(const std::string& flag, const std::string& message) {
  throw ConfigError(kSource, std::nullopt, flag, message);
}

std::string read_body(const std::string& body) {
  if (body.empty() || body.front() != '@') {
    return body;
  }
  const std::string path = body.substr(1);
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    flag_error("--body", fmt::format("body file {} is a directory; name a file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    flag_error("--body", fmt::format("cannot open body file {}", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    flag_error("--body", fmt::format("failed to read body file {}", path));
  }
  return text.str();
}

}  // namespace

Scenario scenario_from_flags(const RunSettings& settings) {
  Scenario scenario;
  scenario.file = kSource;
  scenario.name = "url";
  scenario.seed = settings.seed.value_or(1);

  Endpoint endpoint;
  try {
    endpoint = parse_endpoint_url("target", settings.url);
  } catch (const std::invalid_argument& e) {
    flag_error("--url", fmt::format("invalid URL \"{}\": {}", settings.url, e.what()));
  }
  const std::string path = endpoint.base_path.empty() ? "/" : endpoint.base_path;
  UpstreamSpec upstream;
  upstream.name = "target";
  upstream.url = fmt::format("{}://{}", endpoint.tls ? "https" : "http", endpoint.host_header());
  scenario.upstreams.push_back(upstream);

  if (settings.rate && settings.connections) {
    flag_error("--rate", "give --rate (open loop) or --connections (closed loop), not both");
  }
  if (settings.connections) {
    scenario.load.kind = LoadProfile::Kind::kUsers;
    scenario.load.users = *settings.connections;
    if (scenario.load.users < 1 || scenario.load.users > 1'000'000) {
      flag_error("--connections", "expected 1 to 1000000 connections");
    }
    scenario.load.max_in_flight = std::max(scenario.load.max_in_flight, scenario.load.users);
    // One connection per user, as wrk -c N opens N: the pool's default of 64 would queue the rest.
    scenario.client.max_connections_per_endpoint =
        std::max<std::size_t>(scenario.client.max_connections_per_endpoint,
                              static_cast<std::size_t>(scenario.load.users));
  } else {
    scenario.load.kind = LoadProfile::Kind::kConstant;
    scenario.load.rate = settings.rate.value_or(10);
  }
  scenario.load.duration = from_seconds(settings.duration_s.value_or(10));

  if (const std::string problem = method_problem(settings.method); !problem.empty()) {
    flag_error("--method", problem);
  }
  scenario.request.method = settings.method;
  scenario.request.path = path;
  for (const auto& header : settings.headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos || colon == 0) {
      flag_error("--header", fmt::format("expected 'Name: value', found '{}'", header));
    }
    std::string value = header.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') {
      value.erase(0, 1);
    }
    std::string name = header.substr(0, colon);
    while (!name.empty() && name.back() == ' ') {
      name.pop_back();
    }
    if (const std::string problem = header_problem(name, value); !problem.empty()) {
      flag_error("--header", problem);
    }
    scenario.request.headers.emplace_back(std::move(name), value);
  }
  scenario.request.body = read_body(settings.body);

  const std::string preset =
      settings.strategies.empty() ? std::string("no-retry") : settings.strategies.front();
  for (const auto& name :
       settings.strategies.empty() ? std::vector<std::string>{preset} : settings.strategies) {
    auto config = find_preset(name);
    if (!config) {
      flag_error("--strategy",
                 fmt::format("unknown preset \"{}\" (expected one of: {})", name, preset_names()));
    }
    config->timeouts = scenario.timeouts;
    scenario.strategies.push_back(*config);
  }
  scenario.client.timeouts = scenario.timeouts;
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : scenario.request.headers) {
    headers[name] = value;
  }
  nlohmann::json load = {{"duration", fmt::format("{}s", to_seconds(scenario.load.duration))}};
  if (scenario.load.kind == LoadProfile::Kind::kUsers) {
    load["kind"] = "users";
    load["users"] = scenario.load.users;
  } else {
    load["kind"] = "constant";
    load["rate"] = scenario.load.rate;
  }
  nlohmann::json strategies = nlohmann::json::array();
  for (const StrategyConfig& strategy : scenario.strategies) {
    strategies.push_back(strategy.name);
  }
  scenario.source = {
      {"name", scenario.name},
      {"upstreams", {{{"name", "target"}, {"url", *upstream.url}}}},
      {"request", {{"method", settings.method}, {"path", path}, {"headers", headers}}},
      {"load", load},
      {"strategies", strategies}};
  return scenario;
}

}  // namespace rb
