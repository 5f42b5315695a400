#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "engine/endpoint.hpp"
#include "engine/http/attempt.hpp"
#include "engine/http/connection.hpp"
#include "engine/http/connection_pool.hpp"
#include "engine/http/http_client_options.hpp"
#include "engine/http/tls.hpp"
#include "engine/request_template.hpp"
#include "engine/transport.hpp"

namespace rb::http {

// Counters of what the transport did, beyond the per-attempt results.
struct TransportStats {
  std::uint64_t connections_opened = 0;  // TCP connections started
  std::uint64_t transport_retries = 0;   // requests resent after a stale keep-alive close
  std::uint64_t unsolicited_responses =
      0;  // connections closed for bytes with no request outstanding
  std::uint64_t tls_sessions_resumed = 0;  // TLS handshakes that resumed a session
};

// HTTP/1.1 client transport on one libuv loop, with keep-alive pools per endpoint and TLS.
// All calls must come from the loop's thread.
class HttpTransport final : public Transport, private ConnectionEvents {
 public:
  // Throws std::runtime_error when the TLS context cannot be set up.
  HttpTransport(uv_loop_t* loop, std::vector<Endpoint> endpoints, const RequestTemplate& request,
                const HttpClientOptions& options, AttemptSink& sink);
  // Calls close() and runs the loop until every handle is closed.
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Throws std::out_of_range when spec.endpoint is not an endpoint index.
  void start(const AttemptSpec& spec) override;
  void cancel(std::uint64_t token, std::uint32_t lane_key) override;

  // Ends every attempt in flight with kCancelled (delivered to the sink from inside close())
  // and closes every handle. The handles finish closing on the next loop iterations, after
  // which is_closed() is true and uv_run can return. start() after close() delivers
  // kCancelled synchronously, the one case where a result comes from inside start().
  void close();
  bool is_closed() const { return closing_ && open_handles_ == 0 && connections_.empty(); }

  const TransportStats& stats() const { return stats_; }

  // Prepares the fallback variants of the request (variants[0] is the scenario's own request
  // and is already prepared); an attempt whose spec.variant has none sends variant 0.
  void set_request_variants(const std::vector<RequestTemplate>& variants);
  std::size_t open_connections(std::size_t endpoint) const;

 private:
  // A finished attempt whose result waits for the next loop iteration.
  struct DeferredResult {
    std::uint64_t token;
    AttemptResult result;
  };

  // ConnectionEvents
  void on_ready(Connection& connection) override;
  void on_first_byte(Connection& connection) override;
  void on_response(Connection& connection, std::size_t extra_bytes) override;
  void on_unsolicited(Connection& connection) override;
  void on_failure(Connection& connection, AttemptClass cls, const std::string& reason) override;
  void on_closing(Connection& connection) override;
  void on_closed(Connection& connection) override;

  // Attempt lifecycle, in http_transport.cpp.
  Attempt* acquire_attempt();
  void release_attempt(Attempt* attempt);
  void arm_timer(Attempt* attempt);
  void on_attempt_timer(Attempt* attempt);
  void finish(Attempt* attempt, AttemptResult result);
  void log_failure(EndpointPool& pool, std::uint64_t request_id, AttemptClass cls,
                   const std::string& reason);
  AttemptResult result_for(const Attempt* attempt, AttemptClass cls) const;
  void deliver_deferred();
  void index_attempt(Attempt* attempt);
  void unindex_attempt(const Attempt* attempt);

  // Dispatch, in http_dispatch.cpp.
  void pump(std::size_t endpoint);
  void open_connection(Attempt* attempt);
  void send_on(Attempt* attempt, Connection* connection);
  void make_idle(Connection* connection);
  void detach(Attempt* attempt);
  void start_resolve(std::size_t endpoint);
  void on_resolved(std::size_t endpoint, int status, addrinfo* result);
  void fail_waiting(std::size_t endpoint, AttemptClass cls);
  bool try_transport_retry(Attempt* attempt, const Connection& connection, AttemptClass cls);

  uv_loop_t* loop_;
  HttpClientOptions options_;
  AttemptSink& sink_;
  std::unique_ptr<TlsContext> tls_;
  std::vector<std::unique_ptr<EndpointPool>> pools_;
  std::unique_ptr<ReadBuffers> buffers_;
  std::vector<std::unique_ptr<Attempt>> attempts_;  // every pooled attempt
  std::vector<Attempt*> free_attempts_;
  // Attempts in flight by lane key (AttemptSpec::lane_key), nullptr where none: an array
  // lookup per result where a token map cost a hash and a node per attempt.
  std::vector<Attempt*> by_lane_;
  std::vector<Connection*> connections_;  // every connection whose handles are not closed
  std::vector<DeferredResult> deferred_;
  std::vector<DeferredResult> delivering_;
  uv_idle_t deliver_idle_{};
  bool in_start_ = false;
  bool closing_ = false;
  std::size_t open_handles_ = 0;  // handles and requests whose callbacks are still due
  TransportStats stats_;
};

}  // namespace rb::http
