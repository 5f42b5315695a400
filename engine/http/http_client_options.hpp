#pragma once

#include <cstddef>
#include <string>

#include "engine/http/response_parser.hpp"
#include "engine/request_template.hpp"

namespace rb::http {

// Settings of the HTTP/1.1 client transport.
struct HttpClientOptions {
  std::size_t max_connections_per_endpoint = 64;  // open connections per endpoint; more wait FIFO
  AttemptTimeouts timeouts;  // connect (with TLS handshake), first byte, and total per attempt
  bool keep_alive = true;    // reuse connections; false adds "Connection: close" to requests
  bool insecure = false;     // skip TLS certificate and host name verification (warns once)
  std::string ca_file;       // PEM file of trusted CAs instead of the system store; "" for system
  ParserLimits limits;       // response header and body size limits
};

}  // namespace rb::http
