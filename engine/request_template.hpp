#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/time.hpp"

namespace rb {

// The request a scenario sends, before it is bound to an endpoint.
struct RequestTemplate {
  std::string method = "GET";
  std::string path = "/";  // path and query, appended to the endpoint's base path
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<std::string> secret_headers;  // extra header names to redact in outputs
};

// Per-attempt timeouts applied by the transport.
struct AttemptTimeouts {
  Duration connect{from_seconds(5)};      // TCP connect plus TLS handshake
  Duration first_byte{from_seconds(30)};  // from the request written to the first response byte
  Duration total{from_seconds(30)};       // from the attempt's start to its end
};

// What is wrong with a request header, or "" when it can be sent: the name must be an
// RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~) other than Content-Length and
// Transfer-Encoding, which the request builder sets from the body, and the value must hold
// no control byte but tab: a line break would end the header early and inject another.
std::string header_problem(const std::string& name, const std::string& value);

// What is wrong with a request method, or "" when it is one of GET, HEAD, POST, PUT,
// DELETE, OPTIONS, PATCH and TRACE, written in capitals. CONNECT is left out because it
// opens a tunnel rather than asking for a response.
std::string method_problem(const std::string& method);

// Builds the bytes of an HTTP/1.1 request for one endpoint: request line, Host, the
// template's headers, Content-Length when there is a body, then the body.
std::string render_request(const RequestTemplate& request, const std::string& host_header,
                           const std::string& base_path);

}  // namespace rb
