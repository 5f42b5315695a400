#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/time.hpp"
#include "engine/http/response_parser.hpp"
#include "engine/http/tls.hpp"
#include "engine/outcome.hpp"

namespace rb::http {

class Connection;

// Read buffers shared by every connection of one loop. libuv calls alloc_cb and read_cb
// back to back for one stream, and read_cb consumes all bytes, so one buffer is enough.
struct ReadBuffers {
  static constexpr std::size_t kSize = 64 * 1024;
  char socket[kSize];  // bytes from the socket (ciphertext under TLS)
  char plain[kSize];   // decrypted bytes under TLS
};

// Events that a connection reports to its owner. Every call happens from a libuv callback or from
// Connection::close(), never from the constructor.
class ConnectionEvents {
 public:
  virtual ~ConnectionEvents() = default;
  // TCP is connected and, under TLS, the handshake is done.
  virtual void on_ready(Connection& connection) = 0;
  // The first response byte of the current request arrived.
  virtual void on_first_byte(Connection& connection) = 0;
  // The response to the current request is complete. `extra_bytes` follow it in the same
  // read, which no request asked for.
  virtual void on_response(Connection& connection, std::size_t extra_bytes) = 0;
  // Bytes arrived while no request was outstanding.
  virtual void on_unsolicited(Connection& connection) = 0;
  // The connection failed and is already closing.
  virtual void on_failure(Connection& connection, AttemptClass cls, const std::string& reason) = 0;
  // close() began; called once, synchronously from close().
  virtual void on_closing(Connection& connection) = 0;
  // Every handle is closed; the owner may delete the connection now.
  virtual void on_closed(Connection& connection) = 0;
};

// One client connection: TCP, optional TLS, one request at a time, the response parser.
class Connection {
 public:
  // The connection's lifecycle, in order.
  enum class State : std::uint8_t { kConnecting, kHandshaking, kIdle, kBusy, kClosing };

  Connection(uv_loop_t* loop, ConnectionEvents& events, ReadBuffers& buffers, std::size_t endpoint,
             const ParserLimits& limits);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts connecting. Under TLS, `tls_context` and `session_slot` must outlive the
  // connection. Returns 0 or a libuv error; on error the connection is already closing.
  int open(const sockaddr* address, Duration connect_timeout, const TlsContext* tls_context,
           const std::string& host, SSL_SESSION** session_slot);

  // Writes one request. `data` must stay valid until the response is complete.
  void send(const char* data, std::size_t size, bool head_request);

  // Closes every handle. Idempotent. Calls on_closing now and on_closed later.
  void close();

  State state() const { return state_; }
  bool closing() const { return state_ == State::kClosing; }
  std::size_t endpoint() const { return endpoint_; }
  // Requests written on this connection, the current one included.
  std::uint32_t requests() const { return requests_; }
  ResponseParser& parser() { return parser_; }
  const ResponseParser& parser() const { return parser_; }
  bool tls_session_reused() const { return tls_ != nullptr && tls_->session_reused(); }
  bool keep_alive() const { return parser_.keep_alive() && !peer_closed_; }
  // Marks the connection idle after a complete response.
  void set_idle() { state_ = State::kIdle; }

  // The attempt bound to this connection, owned by the transport; nullptr when none.
  void* attempt = nullptr;

 private:
  static void on_connect(uv_connect_t* request, int status);
  static void on_connect_timeout(uv_timer_t* timer);
  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buffer);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer);
  static void on_write(uv_write_t* request, int status);
  static void on_handle_closed(uv_handle_t* handle);

  void connected();
  void become_ready();
  void fail(AttemptClass cls, std::string reason);
  void handle_socket_bytes(const char* data, std::size_t size);
  void handle_tls_bytes(const char* data, std::size_t size);
  void handle_plain_bytes(const char* data, std::size_t size);
  void handle_read_error(ssize_t nread);
  void write_bytes(const char* data, std::size_t size);
  void flush_tls_output();
  void start_write(const char* data, std::size_t size);

  uv_loop_t* loop_;
  ConnectionEvents& events_;
  ReadBuffers& buffers_;
  std::size_t endpoint_;
  State state_ = State::kConnecting;
  uv_tcp_t tcp_{};
  uv_timer_t connect_timer_{};
  uv_connect_t connect_request_{};
  uv_write_t write_request_{};
  int open_handles_ = 0;
  ResponseParser parser_;
  std::unique_ptr<TlsStream> tls_;
  std::uint32_t requests_ = 0;
  bool first_byte_seen_ = false;
  bool peer_closed_ = false;
  bool writing_ = false;
  std::string write_buffer_;  // bytes of the write in flight when they must be owned
  std::string backlog_;       // bytes waiting for the write in flight to finish
};

}  // namespace rb::http
