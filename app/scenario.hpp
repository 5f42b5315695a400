#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/endpoint.hpp"
#include "engine/http/http_client_options.hpp"
#include "engine/load_profile.hpp"
#include "engine/request_template.hpp"
#include "engine/strategy/strategy.hpp"
#include "fakeserver/profile.hpp"
#include "reports/threshold.hpp"

namespace rb {

// One upstream of a scenario: a real URL, or a fake upstream started inside the process.
struct UpstreamSpec {
  std::string name;
  std::optional<std::string> url;    // a real upstream; absent for a fake one
  std::optional<FaultProfile> fake;  // the fake upstream's profile; absent for a real one
  double weight = 1.0;               // for the weighted selector
};

// A scenario file, loaded and checked.
struct Scenario {
  std::string file;  // where it was read from
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  std::vector<UpstreamSpec> upstreams;
  LoadProfile load;
  RequestTemplate request;
  AttemptTimeouts timeouts;  // defaults for every strategy
  http::HttpClientOptions client;
  std::vector<StrategyConfig> strategies;
  std::vector<ThresholdSpec> thresholds;
  nlohmann::json source;  // the document after ${NAME} expansion
};

// Reads and checks a scenario file; throws ConfigError naming the file, the JSON path, the
// line and what was expected.
Scenario load_scenario(const std::string& file);

// Checks and reads a scenario from an already parsed document.
Scenario parse_scenario(const JsonDocument& doc);

// The scenario JSON with every secret header value replaced by "[redacted]".
nlohmann::json redacted_scenario(const Scenario& scenario);

}  // namespace rb
