#pragma once

#include <string>
#include <vector>

#include "common/json_reader.hpp"
#include "fakeserver/profile.hpp"

namespace rb {

// One fake endpoint to start: where it listens and how it behaves.
struct FakeEndpointConfig {
  std::string name = "fake";       // label in logs, statistics and completion ids
  std::string bind = "127.0.0.1";  // IPv4 or IPv6 address to listen on
  int port = 0;                    // TCP port; 0 picks a free one
  FaultProfile profile;            // API surface and faults
};

// Reads one endpoint object: "name", "bind", "port" and the fault profile fields.
// `default_name` is used when "name" is absent.
FakeEndpointConfig parse_endpoint_config(const JsonNode& node, const std::string& default_name);

// Reads a `retrybench serve` profile file: {"endpoints": [{...}, ...]}. Names must be unique.
// Throws ConfigError naming the file, the JSON path and the line.
std::vector<FakeEndpointConfig> parse_serve_profile(const JsonDocument& doc);

// Returns true for loopback addresses (127.0.0.0/8, ::1, "localhost").
bool is_loopback_address(const std::string& address);

}  // namespace rb
