#include "engine/http/connection_pool.hpp"

#include <uv.h>

#include <algorithm>
#include <cctype>
#include <utility>

namespace rb::http {

namespace {

bool equals_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Whether the request may be sent twice without changing its effect: its method is one that
// RFC 9110 calls idempotent (GET, HEAD, PUT, DELETE, OPTIONS, TRACE), or it carries an
// Idempotency-Key or X-Idempotency-Key header.
bool safe_to_resend(const RequestTemplate& request) {
  for (const char* method : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"}) {
    if (request.method == method) {
      return true;
    }
  }
  return std::any_of(request.headers.begin(), request.headers.end(), [](const auto& header) {
    return equals_ignoring_case(header.first, "idempotency-key") ||
           equals_ignoring_case(header.first, "x-idempotency-key");
  });
}

}  // namespace

EndpointPool::EndpointPool(Endpoint endpoint_in, const RequestTemplate& request, bool keep_alive)
    : endpoint(std::move(endpoint_in)),
      request_bytes(prepare_request(request, endpoint, keep_alive)),
      head_request(request.method == "HEAD"),
      resend_safe(safe_to_resend(request)) {
  if (parse_ip_literal(endpoint.host, endpoint.port, address)) {
    resolve_state = ResolveState::kResolved;
  }
}

EndpointPool::~EndpointPool() {
  if (tls_session != nullptr) {
    SSL_SESSION_free(tls_session);
  }
}

void EndpointPool::remove_idle(Connection* connection) {
  const auto it = std::find(idle.begin(), idle.end(), connection);
  if (it != idle.end()) {
    idle.erase(it);
  }
}

std::string prepare_request(const RequestTemplate& request, const Endpoint& endpoint,
                            bool keep_alive) {
  std::string bytes = render_request(request, endpoint.host_header(), endpoint.base_path);
  if (keep_alive) {
    return bytes;
  }
  const bool has_connection = std::any_of(
      request.headers.begin(), request.headers.end(),
      [](const auto& header) { return equals_ignoring_case(header.first, "connection"); });
  const std::size_t end_of_headers = bytes.find("\r\n\r\n");
  if (!has_connection && end_of_headers != std::string::npos) {
    bytes.insert(end_of_headers, "\r\nConnection: close");
  }
  return bytes;
}

bool parse_ip_literal(const std::string& host, std::uint16_t port, sockaddr_storage& out) {
  out = {};
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&out)) == 0) {
    return true;
  }
  out = {};
  return uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&out)) == 0;
}

}  // namespace rb::http
