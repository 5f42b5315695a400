#pragma once

#include <uv.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "fakeserver/endpoint_config.hpp"
#include "fakeserver/endpoint_stats.hpp"
#include "fakeserver/fault_model.hpp"
#include "fakeserver/response_renderer.hpp"

namespace rb {

class HttpConnection;

// One fake endpoint on a libuv loop: a listener, its connections, its fault model and its
// counters. Every method runs on the loop's thread.
class HttpEndpoint {
 public:
  HttpEndpoint(uv_loop_t* loop, FakeEndpointConfig config, std::uint64_t seed);
  ~HttpEndpoint();

  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // Binds and listens; throws std::runtime_error "cannot listen on ADDR:PORT: reason".
  void listen();

  // Clears counters, the fault model and capacity, restarts the phase clock at zero and
  // closes connections that wait for an answer; idle keep-alive connections stay open.
  void reset(std::uint64_t seed);

  // Closes the listener, the timers and every connection; the loop completes the closes.
  void close();

  EndpointStats stats() const;
  int port() const { return port_; }
  const std::string& name() const { return config_.name; }
  std::string address() const;  // "127.0.0.1:PORT" or "[::1]:PORT"

  // Interface for connections.
  uv_loop_t* loop() const { return loop_; }
  Duration now() const;  // since the start or the last reset
  FaultModel& model() { return model_; }
  ResponseRenderer& renderer() { return renderer_; }
  EndpointCounters& counters() { return counters_; }
  const FaultProfile& profile() const { return config_.profile; }
  std::uint64_t add_ticket(HttpConnection* connection);
  void drop_ticket(std::uint64_t ticket);
  void start_ticket(std::optional<std::uint64_t> ticket, Duration now);
  void remove_connection(HttpConnection* connection);
  uv_buf_t read_buffer();
  std::uint64_t next_sequence() { return ++sequence_; }
  std::string stats_json() const;

 private:
  void open_listener();
  void close_listener();
  void apply_phase();
  void arm_phase_timer();
  void sweep();
  void on_connection(uv_stream_t* server, int status);

  uv_loop_t* loop_;
  FakeEndpointConfig config_;
  FaultModel model_;
  ResponseRenderer renderer_;
  EndpointCounters counters_;
  int port_ = 0;                  // bound port, fixed after the first listen()
  std::uint64_t start_ns_ = 0;    // uv_hrtime() at the start or the last reset
  uv_tcp_t* listener_ = nullptr;  // null while a "refuse" outage keeps it closed
  uv_timer_t phase_timer_{};      // fires at phase starts and ends
  uv_timer_t sweep_timer_{};      // closes idle and slow connections
  bool closing_ = false;
  std::uint64_t sequence_ = 0;     // completion ids
  std::uint64_t next_ticket_ = 0;  // capacity tickets, unique for the endpoint's life
  std::unordered_map<std::uint64_t, HttpConnection*> tickets_;
  HttpConnection* connections_ = nullptr;  // head of the intrusive list of open connections
  std::array<char, 65536> read_buffer_{};  // shared by all connections; reads are synchronous
};

}  // namespace rb
