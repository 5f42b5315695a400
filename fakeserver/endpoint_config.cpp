#include "fakeserver/endpoint_config.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <set>

namespace rb {

namespace {

void check_bind_address(const JsonNode& node) {
  const std::string address = node.as_string();
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, address.c_str(), &v4) != 1 &&
      inet_pton(AF_INET6, address.c_str(), &v6) != 1) {
    node.fail(fmt::format("expected a numeric IPv4 or IPv6 address, found \"{}\"", address));
  }
}

}  // namespace

FakeEndpointConfig parse_endpoint_config(const JsonNode& node, const std::string& default_name) {
  FakeEndpointConfig config;
  config.profile = parse_fault_profile(node, {"name", "bind", "port"});
  config.name = node.get_string("name", default_name);
  if (config.name.empty()) {
    node.at("name").fail("expected a non-empty name");
  }
  if (auto bind = node.find("bind")) {
    check_bind_address(*bind);
    config.bind = bind->as_string();
  }
  config.port = static_cast<int>(node.get_int_in("port", 0, 0, 65535));
  return config;
}

std::vector<FakeEndpointConfig> parse_serve_profile(const JsonDocument& doc) {
  const JsonNode root = JsonNode::root(doc);
  root.allow_only({"endpoints"});
  const JsonNode endpoints = root.at("endpoints");
  std::vector<FakeEndpointConfig> configs;
  std::set<std::string> names;
  for (const JsonNode& element : endpoints.elements()) {
    const std::string default_name = fmt::format("fake-{}", configs.size() + 1);
    configs.push_back(parse_endpoint_config(element, default_name));
    if (!names.insert(configs.back().name).second) {
      element.at("name").fail(fmt::format("duplicate endpoint name \"{}\"", configs.back().name));
    }
  }
  if (configs.empty()) {
    endpoints.fail("expected at least one endpoint");
  }
  return configs;
}

bool is_loopback_address(const std::string& address) {
  if (address == "localhost" || address == "::1") {
    return true;
  }
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  return false;
}

}  // namespace rb
