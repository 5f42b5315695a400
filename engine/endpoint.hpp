#pragma once

#include <cstdint>
#include <string>

namespace rb {

// One upstream address that attempts can be sent to.
struct Endpoint {
  std::string name;       // the scenario's name for it, used in reports
  std::string url;        // as written, for example "https://api.example.com:8443/v1"
  std::string host;       // host name or address literal, without brackets
  std::uint16_t port = 0;
  bool tls = false;       // https
  std::string base_path;  // path prefix from the URL, "" when none
  double weight = 1.0;    // used by the weighted selector

  // The value of the Host header: host, plus ":port" when it is not the scheme's default.
  std::string host_header() const;
};

// Parses "http://host[:port][/path]" or "https://...", including "[::1]" literals.
// Throws std::invalid_argument with a message that says what is wrong.
Endpoint parse_endpoint_url(const std::string& name, const std::string& url);

}  // namespace rb
