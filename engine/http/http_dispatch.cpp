// Dispatch half of HttpTransport: DNS, connection pool, connection events.
#include <algorithm>
#include <cstring>
#include <deque>
#include <string>

#include "common/log.hpp"
#include "engine/http/http_transport.hpp"
#include "engine/http/uv_clock.hpp"

namespace rb::http {

namespace {

Attempt* attempt_of(const Connection& connection) {
  return static_cast<Attempt*>(connection.attempt);
}

bool is_success_status(int status) {
  return status >= 200 && status < 300;
}

}  // namespace

void HttpTransport::pump(std::size_t endpoint) {
  EndpointPool& pool = *pools_[endpoint];
  while (!closing_ && !pool.waiting.empty()) {
    const WaitingAttempt entry = pool.waiting.front();
    Attempt* attempt = entry.attempt;
    if (attempt->generation != entry.generation || attempt->phase != Attempt::Phase::kWaiting) {
      pool.waiting.pop_front();  // the attempt ended while it waited
      continue;
    }
    if (pool.resolve_state != ResolveState::kResolved) {
      if (pool.resolve_state == ResolveState::kUnresolved) {
        start_resolve(endpoint);
      }
      return;
    }
    if (!attempt->needs_fresh && !pool.idle.empty()) {
      Connection* connection = pool.idle.back();
      pool.idle.pop_back();
      pool.waiting.pop_front();
      send_on(attempt, connection);
      continue;
    }
    if (pool.open_connections < options_.max_connections_per_endpoint) {
      pool.waiting.pop_front();
      open_connection(attempt);
      continue;
    }
    return;  // every connection is busy: the attempt keeps its place in the queue
  }
}

void HttpTransport::open_connection(Attempt* attempt) {
  EndpointPool& pool = *pools_[attempt->endpoint];
  auto* connection = new Connection(loop_, *this, *buffers_, attempt->endpoint, options_.limits);
  connections_.push_back(connection);
  ++pool.open_connections;
  ++stats_.connections_opened;
  connection->attempt = attempt;
  attempt->connection = connection;
  attempt->phase = Attempt::Phase::kBound;
  attempt->needs_fresh = false;

  const TlsContext* tls = pool.endpoint.tls ? tls_.get() : nullptr;
  const int rc =
      connection->open(reinterpret_cast<const sockaddr*>(&pool.address), options_.timeouts.connect,
                       tls, pool.endpoint.host, &pool.tls_session);
  if (rc != 0) {
    // The connection is already closing.
    connection->attempt = nullptr;
    attempt->connection = nullptr;
    spdlog::debug("connect to {} for request {} failed: {}", pool.endpoint.url, attempt->request_id,
                  uv_strerror(rc));
    finish(attempt, result_for(attempt, AttemptClass::kRefused));
  }
}

void HttpTransport::send_on(Attempt* attempt, Connection* connection) {
  const EndpointPool& pool = *pools_[attempt->endpoint];
  attempt->phase = Attempt::Phase::kSent;
  attempt->connection = connection;
  attempt->connection_reused = connection->requests() > 0;
  connection->attempt = attempt;
  const Duration now = now_ns();
  if (attempt->written_at.count() == 0) {
    attempt->written_at = now;  // a transport retry keeps the first write's time
  }
  attempt->first_byte_end = now + options_.timeouts.first_byte;
  arm_timer(attempt);
  const std::string& bytes = attempt->variant > 0 && attempt->variant <= pool.variant_bytes.size()
                                 ? pool.variant_bytes[attempt->variant - 1]
                                 : pool.request_bytes;
  connection->send(bytes.data(), bytes.size(), pool.head_request);
}

void HttpTransport::make_idle(Connection* connection) {
  connection->attempt = nullptr;
  connection->set_idle();
  pools_[connection->endpoint()]->idle.push_back(connection);
  pump(connection->endpoint());
}

void HttpTransport::detach(Attempt* attempt) {
  Connection* connection = attempt->connection;
  attempt->connection = nullptr;
  if (connection == nullptr) {
    return;  // a waiting attempt: its queue entry is skipped later
  }
  connection->attempt = nullptr;
  if (attempt->phase == Attempt::Phase::kSent) {
    // A request is on the wire, so the connection cannot carry another one.
    connection->close();
  }
  // A connection still connecting goes on and serves the next waiting attempt.
}

void HttpTransport::start_resolve(std::size_t endpoint) {
  EndpointPool& pool = *pools_[endpoint];
  pool.resolve_state = ResolveState::kResolving;
  auto* request = new uv_getaddrinfo_t;
  request->data = this;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  const std::string port = std::to_string(pool.endpoint.port);
  const auto on_done = [](uv_getaddrinfo_t* done, int status, addrinfo* result) {
    auto* self = static_cast<HttpTransport*>(done->data);
    --self->open_handles_;
    for (std::size_t i = 0; i < self->pools_.size(); ++i) {
      if (self->pools_[i]->resolve_request == done) {
        self->pools_[i]->resolve_request = nullptr;
        self->on_resolved(i, status, result);
      }
    }
    uv_freeaddrinfo(result);
    delete done;
  };
  const int rc =
      uv_getaddrinfo(loop_, request, on_done, pool.endpoint.host.c_str(), port.c_str(), &hints);
  if (rc != 0) {
    delete request;
    on_resolved(endpoint, rc, nullptr);
    return;
  }
  pool.resolve_request = request;
  ++open_handles_;
}

void HttpTransport::on_resolved(std::size_t endpoint, int status, addrinfo* result) {
  EndpointPool& pool = *pools_[endpoint];
  if (closing_) {
    return;
  }
  if (status == 0 && result != nullptr && result->ai_addrlen <= sizeof(pool.address)) {
    std::memcpy(&pool.address, result->ai_addr, result->ai_addrlen);
    pool.resolve_state = ResolveState::kResolved;
    pump(endpoint);
    return;
  }
  // A failed lookup is not cached: the next attempt looks the name up again.
  pool.resolve_state = ResolveState::kUnresolved;
  spdlog::warn("DNS lookup of {} for {} failed: {}", pool.endpoint.host, pool.endpoint.url,
               uv_strerror(status));
  fail_waiting(endpoint, AttemptClass::kDnsError);
}

void HttpTransport::fail_waiting(std::size_t endpoint, AttemptClass cls) {
  std::deque<WaitingAttempt> waiting;
  waiting.swap(pools_[endpoint]->waiting);
  for (const WaitingAttempt& entry : waiting) {
    Attempt* attempt = entry.attempt;
    if (attempt->generation == entry.generation && attempt->phase == Attempt::Phase::kWaiting) {
      finish(attempt, result_for(attempt, cls));
    }
  }
}

bool HttpTransport::try_transport_retry(Attempt* attempt, const Connection& connection,
                                        AttemptClass cls) {
  const bool stale_close = cls == AttemptClass::kReset || cls == AttemptClass::kClosedEarly;
  const bool reused = connection.requests() > 1;
  EndpointPool& pool = *pools_[attempt->endpoint];
  // The server may have read and acted on the request before it closed. So a POST or PATCH
  // without an Idempotency-Key is not resent: it ends in its class, and the strategy's retry
  // rules decide.
  if (!stale_close || !reused || !pool.resend_safe || attempt->phase != Attempt::Phase::kSent ||
      attempt->transport_retried || connection.parser().started()) {
    return false;
  }
  spdlog::debug("resending request {} to {} on a fresh connection: the kept-alive one closed",
                attempt->request_id, pool.endpoint.url);
  ++stats_.transport_retries;
  attempt->transport_retried = true;
  attempt->needs_fresh = true;
  attempt->phase = Attempt::Phase::kWaiting;
  attempt->first_byte_end = Duration{0};
  arm_timer(attempt);
  pool.waiting.push_front({attempt, attempt->generation});
  pump(attempt->endpoint);
  return true;
}

void HttpTransport::on_ready(Connection& connection) {
  if (connection.tls_session_reused()) {
    ++stats_.tls_sessions_resumed;
  }
  Attempt* attempt = attempt_of(connection);
  if (attempt == nullptr) {
    make_idle(&connection);
    return;
  }
  send_on(attempt, &connection);
}

void HttpTransport::on_first_byte(Connection& connection) {
  Attempt* attempt = attempt_of(connection);
  if (attempt != nullptr) {
    attempt->first_byte_end = Duration{0};
    arm_timer(attempt);
  }
}

void HttpTransport::on_response(Connection& connection, std::size_t extra_bytes) {
  Attempt* attempt = attempt_of(connection);
  connection.attempt = nullptr;
  const std::size_t endpoint = connection.endpoint();
  ResponseParser& parser = connection.parser();
  const bool reuse = options_.keep_alive && connection.keep_alive() && extra_bytes == 0;
  if (extra_bytes > 0) {
    // The response itself is complete and counts; the bytes after it belong to no request, so
    // the connection can no longer be trusted and is closed.
    ++stats_.unsolicited_responses;
    spdlog::debug("closing connection to {}: {} bytes followed the response",
                  pools_[endpoint]->endpoint.url, extra_bytes);
  }
  if (attempt != nullptr) {
    const AttemptClass cls =
        is_success_status(parser.status()) ? AttemptClass::kSuccess : AttemptClass::kHttpStatus;
    AttemptResult result = result_for(attempt, cls);
    result.status = parser.status();
    result.retry_after = parser.take_retry_after();
    result.retry_after_ms = parser.take_retry_after_ms();
    attempt->connection = nullptr;
    if (reuse) {
      connection.set_idle();
      pools_[endpoint]->idle.push_back(&connection);
    } else {
      connection.close();
    }
    finish(attempt, std::move(result));
    pump(endpoint);
    return;
  }
  if (reuse) {
    make_idle(&connection);
  } else {
    connection.close();
  }
}

void HttpTransport::on_unsolicited(Connection& connection) {
  ++stats_.unsolicited_responses;
  spdlog::debug("closing connection to {}: bytes arrived with no request outstanding",
                pools_[connection.endpoint()]->endpoint.url);
  connection.close();
}

// Logs the first failure of each class on an endpoint as a warning, because otherwise its
// reason (a certificate that failed to verify, say) is hidden behind a bare count. Later
// ones go to debug level, so that a run with many failures does not flood the log.
void HttpTransport::log_failure(EndpointPool& pool, std::uint64_t request_id, AttemptClass cls,
                                const std::string& reason) {
  static_assert(kAttemptClassCount <= 32, "warned_classes has one bit per class");
  const std::uint32_t bit = std::uint32_t{1} << static_cast<unsigned>(cls);
  if ((pool.warned_classes & bit) == 0) {
    pool.warned_classes |= bit;
    spdlog::warn(
        "attempt for request {} to {} failed ({}): {}; later {} failures on this "
        "endpoint are logged at debug level",
        request_id, pool.endpoint.url, attempt_class_name(cls), reason, attempt_class_name(cls));
    return;
  }
  spdlog::debug("attempt for request {} to {} failed ({}): {}", request_id, pool.endpoint.url,
                attempt_class_name(cls), reason);
}

void HttpTransport::on_failure(Connection& connection, AttemptClass cls,
                               const std::string& reason) {
  Attempt* attempt = attempt_of(connection);
  connection.attempt = nullptr;
  const std::size_t endpoint = connection.endpoint();
  if (attempt == nullptr) {
    spdlog::debug("connection to {} closed: {}", pools_[endpoint]->endpoint.url, reason);
    pump(endpoint);
    return;
  }
  attempt->connection = nullptr;
  if (try_transport_retry(attempt, connection, cls)) {
    return;
  }
  log_failure(*pools_[endpoint], attempt->request_id, cls, reason);
  finish(attempt, result_for(attempt, cls));
  pump(endpoint);
}

void HttpTransport::on_closing(Connection& connection) {
  EndpointPool& pool = *pools_[connection.endpoint()];
  pool.remove_idle(&connection);
  --pool.open_connections;
}

void HttpTransport::on_closed(Connection& connection) {
  const auto it = std::find(connections_.begin(), connections_.end(), &connection);
  if (it != connections_.end()) {
    *it = connections_.back();
    connections_.pop_back();
  }
  delete &connection;
}

}  // namespace rb::http
