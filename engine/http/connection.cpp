#include "engine/http/connection.hpp"

#include <utility>

#include "engine/http/uv_clock.hpp"

namespace rb::http {

namespace {

Connection& connection_of(void* data) {
  return *static_cast<Connection*>(data);
}

}  // namespace

Connection::Connection(uv_loop_t* loop, ConnectionEvents& events, ReadBuffers& buffers,
                       std::size_t endpoint, const ParserLimits& limits)
    : loop_(loop), events_(events), buffers_(buffers), endpoint_(endpoint), parser_(limits) {}

int Connection::open(const sockaddr* address, Duration connect_timeout,
                     const TlsContext* tls_context, const std::string& host,
                     SSL_SESSION** session_slot) {
  uv_tcp_init(loop_, &tcp_);
  uv_timer_init(loop_, &connect_timer_);
  open_handles_ = 2;
  tcp_.data = this;
  connect_timer_.data = this;
  connect_request_.data = this;
  write_request_.data = this;
  if (tls_context != nullptr) {
    tls_ = std::make_unique<TlsStream>(*tls_context, host, session_slot);
  }
  uv_tcp_nodelay(&tcp_, 1);
  const int rc = uv_tcp_connect(&connect_request_, &tcp_, address, on_connect);
  if (rc != 0) {
    close();
    return rc;
  }
  const std::uint64_t delay = timer_delay_until(loop_, now_ns() + connect_timeout);
  uv_timer_start(&connect_timer_, on_connect_timeout, delay, 0);
  return 0;
}

void Connection::send(const char* data, std::size_t size, bool head_request) {
  parser_.reset(head_request);
  state_ = State::kBusy;
  first_byte_seen_ = false;
  ++requests_;
  if (tls_ == nullptr) {
    write_bytes(data, size);
    return;
  }
  if (!tls_->write(data, size)) {
    fail(AttemptClass::kTlsError, tls_->error());
    return;
  }
  flush_tls_output();
}

void Connection::close() {
  if (state_ == State::kClosing) {
    return;
  }
  if (tls_ != nullptr && state_ == State::kIdle && !writing_) {
    // A clean close keeps the TLS session resumable, which an abrupt one would not.
    write_buffer_.clear();
    if (tls_->shut_down(write_buffer_)) {
      uv_buf_t buffer =
          uv_buf_init(write_buffer_.data(), static_cast<unsigned>(write_buffer_.size()));
      uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &buffer, 1);  // best effort
    }
  }
  state_ = State::kClosing;
  uv_timer_stop(&connect_timer_);
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&connect_timer_), on_handle_closed);
  events_.on_closing(*this);
}

void Connection::on_connect(uv_connect_t* request, int status) {
  Connection& self = connection_of(request->data);
  if (self.closing()) {
    return;
  }
  if (status == 0) {
    self.connected();
    return;
  }
  AttemptClass cls = AttemptClass::kRefused;
  if (status == UV_ETIMEDOUT) {
    cls = AttemptClass::kConnectTimeout;
  } else if (status == UV_ECONNRESET) {
    cls = AttemptClass::kReset;
  }
  // Other connect errors (unreachable network or host) also mean the upstream was not
  // reached, so they count as refused.
  self.fail(cls, std::string("connect failed: ") + uv_strerror(status));
}

void Connection::on_connect_timeout(uv_timer_t* timer) {
  connection_of(timer->data).fail(AttemptClass::kConnectTimeout, "connect timed out");
}

void Connection::connected() {
  const int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), on_alloc, on_read);
  if (rc != 0) {
    fail(AttemptClass::kReset, std::string("read start failed: ") + uv_strerror(rc));
    return;
  }
  if (tls_ == nullptr) {
    become_ready();
    return;
  }
  if (!tls_->valid()) {
    fail(AttemptClass::kTlsError, tls_->error());
    return;
  }
  state_ = State::kHandshaking;
  if (tls_->handshake() == TlsStream::Step::kError) {
    fail(AttemptClass::kTlsError, tls_->error());
    return;
  }
  flush_tls_output();
}

void Connection::become_ready() {
  uv_timer_stop(&connect_timer_);
  state_ = State::kIdle;
  events_.on_ready(*this);
}

void Connection::fail(AttemptClass cls, std::string reason) {
  if (closing()) {
    return;
  }
  close();
  events_.on_failure(*this, cls, reason);
}

void Connection::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buffer) {
  Connection& self = connection_of(handle->data);
  *buffer = uv_buf_init(self.buffers_.socket, ReadBuffers::kSize);
}

void Connection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
  Connection& self = connection_of(stream->data);
  if (self.closing()) {
    return;
  }
  if (nread > 0) {
    self.handle_socket_bytes(buffer->base, static_cast<std::size_t>(nread));
  } else if (nread < 0) {
    self.handle_read_error(nread);
  }
}

void Connection::handle_socket_bytes(const char* data, std::size_t size) {
  if (tls_ == nullptr) {
    handle_plain_bytes(data, size);
  } else {
    handle_tls_bytes(data, size);
  }
}

void Connection::handle_tls_bytes(const char* data, std::size_t size) {
  tls_->feed_input(data, size);
  if (state_ == State::kHandshaking) {
    const TlsStream::Step step = tls_->handshake();
    flush_tls_output();
    if (step == TlsStream::Step::kError) {
      fail(AttemptClass::kTlsError, tls_->error());
      return;
    }
    if (step == TlsStream::Step::kWantInput || closing()) {
      return;
    }
    become_ready();
  }
  // Decrypt everything available. A read may also consume TLS 1.3 session tickets and
  // return no application bytes.
  while (!closing()) {
    const long got = tls_->read(buffers_.plain, ReadBuffers::kSize);
    if (got > 0) {
      handle_plain_bytes(buffers_.plain, static_cast<std::size_t>(got));
      continue;
    }
    if (got == 0) {
      break;
    }
    if (tls_->closed_by_peer()) {
      handle_read_error(UV_EOF);
    } else {
      fail(AttemptClass::kTlsError, tls_->error());
    }
    return;
  }
  if (!closing()) {
    flush_tls_output();
  }
}

void Connection::handle_plain_bytes(const char* data, std::size_t size) {
  if (state_ != State::kBusy) {
    events_.on_unsolicited(*this);
    return;
  }
  if (!first_byte_seen_) {
    first_byte_seen_ = true;
    events_.on_first_byte(*this);
    if (closing()) {
      return;
    }
  }
  std::size_t consumed = 0;
  const ParseStatus status = parser_.feed(data, size, consumed);
  if (status == ParseStatus::kNeedMore) {
    return;
  }
  if (status == ParseStatus::kError) {
    fail(AttemptClass::kParseError, parser_.error());
    return;
  }
  state_ = State::kIdle;
  events_.on_response(*this, size - consumed);
}

void Connection::handle_read_error(ssize_t nread) {
  if (closing()) {
    return;
  }
  if (nread != UV_EOF) {
    // ECONNRESET and the rarer read errors (ETIMEDOUT from keepalive probes, EPIPE) all
    // mean the connection was torn down under the request.
    fail(AttemptClass::kReset, std::string("read failed: ") + uv_strerror(static_cast<int>(nread)));
    return;
  }
  peer_closed_ = true;
  if (state_ == State::kHandshaking) {
    fail(AttemptClass::kTlsError, "connection closed during the TLS handshake");
    return;
  }
  if (state_ == State::kBusy && parser_.finish() == ParseStatus::kComplete) {
    // A body delimited by the close of the connection.
    state_ = State::kIdle;
    events_.on_response(*this, 0);
    close();
    return;
  }
  const std::string reason =
      state_ == State::kBusy ? parser_.error() : std::string("idle connection closed by the peer");
  fail(AttemptClass::kClosedEarly, reason);
}

void Connection::write_bytes(const char* data, std::size_t size) {
  if (writing_) {
    backlog_.append(data, size);
    return;
  }
  start_write(data, size);
}

void Connection::flush_tls_output() {
  if (writing_) {
    tls_->take_output(backlog_);
    return;
  }
  write_buffer_.clear();
  if (tls_->take_output(write_buffer_)) {
    start_write(write_buffer_.data(), write_buffer_.size());
  }
}

void Connection::start_write(const char* data, std::size_t size) {
  // Write synchronously first. A small request nearly always fits in the socket buffer, and
  // uv_try_write skips the write request and the POLLOUT start and stop that uv_write does,
  // each of which costs an epoll_ctl call in libuv 1.44.
  uv_buf_t buffer = uv_buf_init(const_cast<char*>(data), static_cast<unsigned int>(size));
  const int written = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &buffer, 1);
  if (written >= 0 && static_cast<std::size_t>(written) == size) {
    return;
  }
  if (written < 0 && written != UV_EAGAIN) {
    fail(AttemptClass::kReset, std::string("write failed: ") + uv_strerror(written));
    return;
  }
  const std::size_t sent = written > 0 ? static_cast<std::size_t>(written) : 0;
  buffer = uv_buf_init(const_cast<char*>(data) + sent, static_cast<unsigned int>(size - sent));
  const int rc =
      uv_write(&write_request_, reinterpret_cast<uv_stream_t*>(&tcp_), &buffer, 1, on_write);
  if (rc != 0) {
    fail(AttemptClass::kReset, std::string("write failed: ") + uv_strerror(rc));
    return;
  }
  writing_ = true;
}

void Connection::on_write(uv_write_t* request, int status) {
  Connection& self = connection_of(request->data);
  self.writing_ = false;
  if (self.closing()) {
    return;
  }
  if (status < 0) {
    self.fail(AttemptClass::kReset, std::string("write failed: ") + uv_strerror(status));
    return;
  }
  if (!self.backlog_.empty()) {
    std::swap(self.write_buffer_, self.backlog_);
    self.backlog_.clear();
    self.start_write(self.write_buffer_.data(), self.write_buffer_.size());
  }
}

void Connection::on_handle_closed(uv_handle_t* handle) {
  Connection& self = connection_of(handle->data);
  if (--self.open_handles_ == 0) {
    self.events_.on_closed(self);
  }
}

}  // namespace rb::http
