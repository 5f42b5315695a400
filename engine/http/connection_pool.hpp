#pragma once

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "engine/endpoint.hpp"
#include "engine/request_template.hpp"

namespace rb::http {

class Connection;
struct Attempt;

// An attempt waiting for a connection. `generation` distinguishes a live entry from one whose
// attempt already ended (timed out or cancelled) and was reused.
struct WaitingAttempt {
  Attempt* attempt;
  std::uint32_t generation;
};

// How far the endpoint's host name is resolved.
enum class ResolveState : std::uint8_t { kUnresolved, kResolving, kResolved };

// Per-endpoint client state: the prepared request, the resolved address, the keep-alive
// connections and the attempts waiting for one.
struct EndpointPool {
  EndpointPool(Endpoint endpoint_in, const RequestTemplate& request, bool keep_alive);
  ~EndpointPool();
  EndpointPool(const EndpointPool&) = delete;
  EndpointPool& operator=(const EndpointPool&) = delete;

  // Removes a connection from the idle list, if it is there.
  void remove_idle(Connection* connection);

  Endpoint endpoint;
  std::string request_bytes;               // the rendered request, written as is for every attempt
  std::vector<std::string> variant_bytes;  // fallback variants 1..n; [i - 1] is variant i
  bool head_request = false;               // the method is HEAD, so responses have no body
  // Whether the transport may resend the request once on a fresh connection when a
  // kept-alive one closes under it: an idempotent method or an Idempotency-Key header.
  bool resend_safe = false;
  std::uint32_t warned_classes = 0;  // AttemptClass bits already logged as a warning
  ResolveState resolve_state = ResolveState::kUnresolved;
  sockaddr_storage address{};                   // valid when resolve_state is kResolved
  uv_getaddrinfo_t* resolve_request = nullptr;  // the lookup in flight, owned by the transport
  std::vector<Connection*> idle;                // open keep-alive connections with no request
  std::size_t open_connections = 0;             // connections not closing, idle or not
  std::deque<WaitingAttempt> waiting;           // attempts in FIFO order
  SSL_SESSION* tls_session = nullptr;           // the latest session, offered on the next connect
};

// Renders the template for one endpoint, adding "Connection: close" when keep-alive is off
// and the template sets no Connection header.
std::string prepare_request(const RequestTemplate& request, const Endpoint& endpoint,
                            bool keep_alive);

// Parses an IPv4 or IPv6 literal with the port into `out`. Returns false for a host name.
bool parse_ip_literal(const std::string& host, std::uint16_t port, sockaddr_storage& out);

}  // namespace rb::http
