#include <gtest/gtest.h>
#include <uv.h>
#include <csignal>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/endpoint.hpp"
#include "engine/http/http_transport.hpp"

namespace rb::http {
namespace {

// The in-test servers write to clients that have already closed; the retrybench binary
// ignores SIGPIPE for the same reason, and so must this test process.
const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

constexpr const char* kOkResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

class TestServer;

// One accepted connection of the test server.
struct ServerConnection {
  uv_tcp_t tcp{};
  uv_timer_t timer{};  // used by the trickle and streaming behaviours
  TestServer* server = nullptr;
  std::string input;
  std::string pending;  // bytes the trickle behaviour still has to send
  int requests = 0;     // complete request heads received on this connection
  bool closed = false;
};

// A raw HTTP server on 127.0.0.1 port 0, on the test's loop. `on_request` decides what to
// do with each request head.
class TestServer {
 public:
  using Handler = std::function<void(TestServer&, ServerConnection&)>;

  TestServer(uv_loop_t* loop, Handler on_request, bool ipv6 = false)
      : loop_(loop), on_request_(std::move(on_request)) {
    uv_tcp_init(loop_, &listener_);
    listener_.data = this;
    sockaddr_storage address{};
    if (ipv6) {
      uv_ip6_addr("::1", 0, reinterpret_cast<sockaddr_in6*>(&address));
    } else {
      uv_ip4_addr("127.0.0.1", 0, reinterpret_cast<sockaddr_in*>(&address));
    }
    listening_ = uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&address), 0) == 0 &&
                 uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 128, on_connection) == 0;
    sockaddr_storage bound{};
    int size = sizeof(bound);
    uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &size);
    // sin_port and sin6_port sit at the same offset.
    port_ = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }

  bool listening() const { return listening_; }

  ~TestServer() {
    for (auto& connection : connections_) {
      close(*connection);
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
    // Let the close callbacks run before the memory goes away.
    for (int i = 0; i < 100 && uv_run(loop_, UV_RUN_NOWAIT) != 0; ++i) {
    }
  }

  std::uint16_t port() const { return port_; }
  int accepted() const { return static_cast<int>(connections_.size()); }
  int requests() const { return requests_; }

  void write(ServerConnection& connection, std::string bytes) {
    if (connection.closed) {
      return;
    }
    auto* request = new uv_write_t;
    auto* owned = new std::string(std::move(bytes));
    request->data = owned;
    uv_buf_t buffer = uv_buf_init(owned->data(), static_cast<unsigned int>(owned->size()));
    const int rc = uv_write(request, reinterpret_cast<uv_stream_t*>(&connection.tcp), &buffer, 1,
                            [](uv_write_t* done, int) {
                              delete static_cast<std::string*>(done->data);
                              delete done;
                            });
    if (rc != 0) {
      delete owned;
      delete request;
    }
  }

  void close(ServerConnection& connection) {
    if (connection.closed) {
      return;
    }
    connection.closed = true;
    uv_timer_stop(&connection.timer);
    uv_close(reinterpret_cast<uv_handle_t*>(&connection.tcp), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&connection.timer), nullptr);
  }

  void reset(ServerConnection& connection) {
    if (connection.closed) {
      return;
    }
    connection.closed = true;
    uv_timer_stop(&connection.timer);
    uv_tcp_close_reset(&connection.tcp, nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&connection.timer), nullptr);
  }

  // Sends `bytes` one byte every `interval_ms`.
  void trickle(ServerConnection& connection, std::string bytes, std::uint64_t interval_ms) {
    connection.pending = std::move(bytes);
    uv_timer_start(
        &connection.timer,
        [](uv_timer_t* timer) {
          auto& self = *static_cast<ServerConnection*>(timer->data);
          if (self.pending.empty()) {
            uv_timer_stop(timer);
            return;
          }
          self.server->write(self, self.pending.substr(0, 1));
          self.pending.erase(0, 1);
        },
        0, interval_ms);
  }

  // Sends chunks of a body that never ends, one every millisecond.
  void stream_forever(ServerConnection& connection) {
    write(connection, "HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n");
    uv_timer_start(
        &connection.timer,
        [](uv_timer_t* timer) {
          auto& self = *static_cast<ServerConnection*>(timer->data);
          self.server->write(self, std::string(256 * 1024, 'x'));
        },
        0, 1);
  }

 private:
  static void on_connection(uv_stream_t* listener, int status) {
    auto& self = *static_cast<TestServer*>(listener->data);
    if (status != 0) {
      return;
    }
    auto connection = std::make_unique<ServerConnection>();
    connection->server = &self;
    uv_tcp_init(self.loop_, &connection->tcp);
    uv_timer_init(self.loop_, &connection->timer);
    connection->tcp.data = connection.get();
    connection->timer.data = connection.get();
    if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&connection->tcp)) != 0) {
      self.close(*connection);
      self.connections_.push_back(std::move(connection));
      return;
    }
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&connection->tcp),
        [](uv_handle_t*, std::size_t suggested, uv_buf_t* buffer) {
          *buffer = uv_buf_init(new char[suggested], static_cast<unsigned int>(suggested));
        },
        on_read);
    self.connections_.push_back(std::move(connection));
  }

  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
    auto& connection = *static_cast<ServerConnection*>(stream->data);
    TestServer& self = *connection.server;
    if (nread < 0) {
      self.close(connection);
    } else if (nread > 0) {
      connection.input.append(buffer->base, static_cast<std::size_t>(nread));
    }
    delete[] buffer->base;
    for (std::size_t end = connection.input.find("\r\n\r\n");
         !connection.closed && end != std::string::npos; end = connection.input.find("\r\n\r\n")) {
      connection.input.erase(0, end + 4);
      ++connection.requests;
      ++self.requests_;
      self.on_request_(self, connection);
    }
  }

  uv_loop_t* loop_;
  Handler on_request_;
  uv_tcp_t listener_{};
  std::uint16_t port_ = 0;
  bool listening_ = false;
  int requests_ = 0;
  std::vector<std::unique_ptr<ServerConnection>> connections_;
};

// Records results and checks that none arrives from inside start().
class RecordingSink : public AttemptSink {
 public:
  void on_attempt_done(std::uint64_t token, const AttemptResult& result) override {
    EXPECT_FALSE(in_start) << "result for token " << token << " delivered inside start()";
    results.emplace_back(token, result);
    if (on_done) {
      on_done(token, result);
    }
  }

  bool in_start = false;
  std::vector<std::pair<std::uint64_t, AttemptResult>> results;
  std::function<void(std::uint64_t, const AttemptResult&)> on_done;
};

class HttpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override { uv_loop_init(&loop_); }

  void TearDown() override {
    transport_.reset();
    server_.reset();
    uv_run(&loop_, UV_RUN_NOWAIT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle was left open";
  }

  void serve(TestServer::Handler handler, bool ipv6 = false) {
    server_ = std::make_unique<TestServer>(&loop_, std::move(handler), ipv6);
    if (!ipv6) {
      ASSERT_TRUE(server_->listening());
    }
  }

  void make_transport(HttpClientOptions options = {}, std::string url = "") {
    if (url.empty()) {
      url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/";
    }
    std::vector<Endpoint> endpoints{parse_endpoint_url("test", url)};
    transport_ = std::make_unique<HttpTransport>(&loop_, endpoints, request_, options, sink_);
  }

  void start(std::uint64_t token, Duration deadline_after = Duration{0}) {
    AttemptSpec spec;
    spec.token = token;
    spec.lane_key = static_cast<std::uint32_t>(token);
    spec.request_id = token;
    spec.started_at = Duration(static_cast<std::int64_t>(uv_hrtime()));
    if (deadline_after.count() > 0) {
      spec.deadline_at = spec.started_at + deadline_after;
    }
    sink_.in_start = true;
    transport_->start(spec);
    sink_.in_start = false;
  }

  // Runs the loop until `count` results arrived or `limit` passed.
  void run_until_results(std::size_t count, Duration limit = from_seconds(10)) {
    uv_timer_t tick;
    uv_timer_init(&loop_, &tick);
    uv_timer_start(
        &tick, [](uv_timer_t*) {}, 10, 10);
    const auto end = uv_hrtime() + static_cast<std::uint64_t>(limit.count());
    while (sink_.results.size() < count && uv_hrtime() < end) {
      uv_run(&loop_, UV_RUN_ONCE);
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);
    ASSERT_EQ(sink_.results.size(), count);
  }

  const AttemptResult& result(std::size_t i) const { return sink_.results.at(i).second; }

  uv_loop_t loop_{};
  RequestTemplate request_;
  RecordingSink sink_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpTransport> transport_;
};

void respond_ok(TestServer& server, ServerConnection& connection) {
  server.write(connection, kOkResponse);
}

TEST_F(HttpTransportTest, SuccessAndKeepAliveReuse) {
  serve(respond_ok);
  make_transport();
  for (std::uint64_t token = 1; token <= 5; ++token) {
    start(token);
    run_until_results(token);
  }
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(result(i).cls, AttemptClass::kSuccess);
    EXPECT_EQ(result(i).status, 200);
    EXPECT_EQ(result(i).connection_reused, i > 0);
    EXPECT_GT(result(i).service_time.count(), 0);
  }
  EXPECT_EQ(server_->accepted(), 1);
  EXPECT_EQ(transport_->stats().connections_opened, 1u);
}

TEST_F(HttpTransportTest, KeepAliveOffOpensEachTime) {
  serve([](TestServer& server, ServerConnection& connection) {
    server.write(connection, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    server.close(connection);
  });
  HttpClientOptions options;
  options.keep_alive = false;
  make_transport(options);
  for (std::uint64_t token = 1; token <= 3; ++token) {
    start(token);
    run_until_results(token);
    EXPECT_EQ(result(token - 1).cls, AttemptClass::kSuccess);
  }
  EXPECT_EQ(server_->accepted(), 3);
}

TEST_F(HttpTransportTest, MaxConnectionsQueuesFifo) {
  serve([](TestServer& server, ServerConnection& connection) {
    server.trickle(connection, kOkResponse, 1);
  });
  HttpClientOptions options;
  options.max_connections_per_endpoint = 2;
  make_transport(options);
  for (std::uint64_t token = 1; token <= 6; ++token) {
    start(token);
  }
  EXPECT_EQ(transport_->open_connections(0), 2u);
  run_until_results(6);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(result(i).cls, AttemptClass::kSuccess);
  }
  EXPECT_EQ(server_->accepted(), 2);
  EXPECT_EQ(server_->requests(), 6);
}

TEST_F(HttpTransportTest, HttpStatusAndRetryAfter) {
  serve([](TestServer& server, ServerConnection& connection) {
    server.write(connection,
                 "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nretry-after-ms: 2500\r\n"
                 "Content-Length: 0\r\n\r\n");
  });
  make_transport();
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kHttpStatus);
  EXPECT_EQ(result(0).status, 429);
  EXPECT_EQ(result(0).retry_after, "3");
  EXPECT_EQ(result(0).retry_after_ms, "2500");
}

TEST_F(HttpTransportTest, RedirectNotFollowed) {
  serve([](TestServer& server, ServerConnection& connection) {
    server.write(connection, "HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n");
  });
  make_transport();
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kHttpStatus);
  EXPECT_EQ(result(0).status, 302);
  EXPECT_EQ(server_->requests(), 1);
}

TEST_F(HttpTransportTest, RefusedWhenNothingListens) {
  uv_tcp_t probe;
  uv_tcp_init(&loop_, &probe);
  sockaddr_in address{};
  uv_ip4_addr("127.0.0.1", 0, &address);
  uv_tcp_bind(&probe, reinterpret_cast<const sockaddr*>(&address), 0);
  sockaddr_storage bound{};
  int size = sizeof(bound);
  uv_tcp_getsockname(&probe, reinterpret_cast<sockaddr*>(&bound), &size);
  const int port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  uv_close(reinterpret_cast<uv_handle_t*>(&probe), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);

  make_transport({}, "http://127.0.0.1:" + std::to_string(port) + "/");
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kRefused);
}

TEST_F(HttpTransportTest, ResetByPeer) {
  serve([](TestServer& server, ServerConnection& connection) { server.reset(connection); });
  make_transport();
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kReset);
  EXPECT_FALSE(result(0).transport_retried);
}

TEST_F(HttpTransportTest, ClosedEarlyWithoutResponse) {
  serve([](TestServer& server, ServerConnection& connection) { server.close(connection); });
  make_transport();
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kClosedEarly);
}

TEST_F(HttpTransportTest, ClosedEarlyShortBody) {
  serve([](TestServer& server, ServerConnection& connection) {
    server.write(connection, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
    server.close(connection);
  });
  make_transport();
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kClosedEarly);
}

TEST_F(HttpTransportTest, CloseDelimitedBodySucceeds) {
  serve([](TestServer& server, ServerConnection& connection) {
    server.write(connection, "HTTP/1.1 200 OK\r\n\r\nbody until close");
    server.close(connection);
  });
  make_transport();
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kSuccess);
}

TEST_F(HttpTransportTest, FirstByteTimeout) {
  serve([](TestServer&, ServerConnection&) {});  // never answers
  HttpClientOptions options;
  options.timeouts.first_byte = from_millis(200);
  make_transport(options);
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kFirstByteTimeout);
  EXPECT_GE(result(0).service_time, from_millis(200));
  EXPECT_LT(result(0).service_time, from_seconds(3));
}

TEST_F(HttpTransportTest, ConnectTimeoutCoversTlsHandshake) {
  serve([](TestServer&, ServerConnection&) {});  // accepts TCP, never responds to the ClientHello
  HttpClientOptions options;
  options.insecure = true;
  options.timeouts.connect = from_millis(200);
  make_transport(options, "https://127.0.0.1:" + std::to_string(server_->port()) + "/");
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kConnectTimeout);
  EXPECT_GE(result(0).service_time, from_millis(200));
  EXPECT_LT(result(0).service_time, from_seconds(3));
}

TEST_F(HttpTransportTest, TotalTimeoutAgainstTrickle) {
  serve([](TestServer& server, ServerConnection& connection) {
    server.trickle(connection, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 100);
  });
  HttpClientOptions options;
  options.timeouts.total = from_millis(500);
  make_transport(options);
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kTotalTimeout);
  EXPECT_GE(result(0).service_time, from_millis(480));
  EXPECT_LT(result(0).service_time, from_seconds(3));
}

TEST_F(HttpTransportTest, DeadlineAgainstOneBytePerSecond) {
  serve([](TestServer& server, ServerConnection& connection) {
    server.trickle(connection, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 1000);
  });
  make_transport();
  start(1, from_millis(1500));
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kDeadline);
  EXPECT_GE(result(0).service_time, from_millis(1400));
  EXPECT_LT(result(0).service_time, from_seconds(4));
}

TEST_F(HttpTransportTest, DeadlineAlreadyPassed) {
  serve(respond_ok);
  make_transport();
  AttemptSpec spec;
  spec.token = 9;
  spec.deadline_at = Duration(1);
  sink_.in_start = true;
  transport_->start(spec);
  sink_.in_start = false;
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kDeadline);
}

TEST_F(HttpTransportTest, QueueWaitCountsInTotalTimeout) {
  serve([](TestServer&, ServerConnection&) {});  // never responds
  HttpClientOptions options;
  options.max_connections_per_endpoint = 1;
  options.timeouts.total = from_millis(300);
  options.timeouts.first_byte = from_seconds(10);
  make_transport(options);
  start(1);
  start(2);
  run_until_results(2);
  EXPECT_EQ(result(0).cls, AttemptClass::kTotalTimeout);
  EXPECT_EQ(result(1).cls, AttemptClass::kTotalTimeout);
  EXPECT_EQ(server_->requests(), 1);
}

// Every connection responds to its first request and closes silently on its second.
void close_on_second_request(TestServer& server, ServerConnection& connection) {
  if (connection.requests == 1) {
    server.write(connection, kOkResponse);
  } else {
    server.close(connection);
  }
}

TEST_F(HttpTransportTest, StaleKeepAliveRetriedOnce) {
  serve(close_on_second_request);
  make_transport();
  start(1);
  run_until_results(1);
  start(2);
  run_until_results(2);
  EXPECT_EQ(result(0).cls, AttemptClass::kSuccess);
  EXPECT_EQ(result(1).cls, AttemptClass::kSuccess);
  EXPECT_TRUE(result(1).transport_retried);
  EXPECT_EQ(transport_->stats().transport_retries, 1u);
  EXPECT_EQ(server_->accepted(), 2);
}

TEST_F(HttpTransportTest, StalePostNotResent) {
  serve(close_on_second_request);
  request_.method = "POST";
  request_.body = "{}";
  make_transport();
  start(1);
  run_until_results(1);
  start(2);
  run_until_results(2);
  EXPECT_EQ(result(0).cls, AttemptClass::kSuccess);
  EXPECT_EQ(result(1).cls, AttemptClass::kClosedEarly);
  EXPECT_FALSE(result(1).transport_retried);
  EXPECT_EQ(transport_->stats().transport_retries, 0u);
  EXPECT_EQ(server_->accepted(), 1);
}

TEST_F(HttpTransportTest, StalePostWithIdempotencyKeyResent) {
  serve(close_on_second_request);
  request_.method = "POST";
  request_.body = "{}";
  request_.headers.emplace_back("Idempotency-Key", "k-1");
  make_transport();
  start(1);
  run_until_results(1);
  start(2);
  run_until_results(2);
  EXPECT_EQ(result(1).cls, AttemptClass::kSuccess);
  EXPECT_TRUE(result(1).transport_retried);
  EXPECT_EQ(transport_->stats().transport_retries, 1u);
  EXPECT_EQ(server_->accepted(), 2);
}

TEST_F(HttpTransportTest, EndlessBodyHitsLimit) {
  serve(
      [](TestServer& server, ServerConnection& connection) { server.stream_forever(connection); });
  HttpClientOptions options;
  options.limits.max_body_bytes = 4 * 1024 * 1024;
  make_transport(options);
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kParseError);
}

TEST_F(HttpTransportTest, HugeHeaderHitsLimit) {
  serve([](TestServer& server, ServerConnection& connection) {
    server.write(connection, "HTTP/1.1 200 OK\r\nX-Big: " + std::string(1024 * 1024, 'a') +
                                 "\r\nContent-Length: 0\r\n\r\n");
  });
  make_transport();
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kParseError);
}

TEST_F(HttpTransportTest, RandomBytesAreParseError) {
  serve([](TestServer& server, ServerConnection& connection) {
    std::string noise(512, '\0');
    std::uint32_t state = 12345;
    for (char& c : noise) {
      state = state * 1103515245u + 12345u;
      c = static_cast<char>(state >> 24);
    }
    server.write(connection, noise);
  });
  make_transport();
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kParseError);
}

TEST_F(HttpTransportTest, TwoResponsesCloseConnection) {
  serve([](TestServer& server, ServerConnection& connection) {
    server.write(connection, std::string(kOkResponse) + kOkResponse);
  });
  make_transport();
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kSuccess);
  start(2);
  run_until_results(2);
  EXPECT_EQ(result(1).cls, AttemptClass::kSuccess);
  EXPECT_FALSE(result(1).connection_reused);
  EXPECT_EQ(server_->accepted(), 2);
  EXPECT_GE(transport_->stats().unsolicited_responses, 1u);
}

TEST_F(HttpTransportTest, CancelDeliversNothing) {
  serve([](TestServer&, ServerConnection&) {});
  make_transport();
  start(1);
  start(2);
  transport_->cancel(1, 1);
  transport_->cancel(2, 2);
  start(3);
  transport_->cancel(3, 3);
  uv_timer_t wait;
  uv_timer_init(&loop_, &wait);
  uv_timer_start(
      &wait, [](uv_timer_t*) {}, 100, 0);
  uv_run(&loop_, UV_RUN_ONCE);
  uv_close(reinterpret_cast<uv_handle_t*>(&wait), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_TRUE(sink_.results.empty());
}

TEST_F(HttpTransportTest, CancelNeedsTheAttemptsTokenAndLaneKey) {
  serve(respond_ok);
  make_transport();
  start(1);
  transport_->cancel(1, 2);  // another lane: nothing there
  transport_->cancel(7, 1);  // the lane, but another attempt's token
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kSuccess);
}

TEST_F(HttpTransportTest, LaneKeyInFlightIsRefused) {
  serve([](TestServer&, ServerConnection&) {});
  make_transport();
  start(1);
  AttemptSpec again;
  again.token = 2;
  again.lane_key = 1;
  EXPECT_THROW(transport_->start(again), std::logic_error);
  AttemptSpec beyond;
  beyond.token = 3;
  beyond.lane_key = kMaxLaneKeys;
  EXPECT_THROW(transport_->start(beyond), std::out_of_range);
}

TEST_F(HttpTransportTest, CloseCancelsInFlightAndEndsLoop) {
  serve([](TestServer&, ServerConnection&) {});
  make_transport();
  start(1);
  start(2);
  run_until_results(0, from_millis(50));
  transport_->close();
  ASSERT_EQ(sink_.results.size(), 2u);
  EXPECT_EQ(result(0).cls, AttemptClass::kCancelled);
  for (int i = 0; i < 100 && !transport_->is_closed(); ++i) {
    uv_run(&loop_, UV_RUN_NOWAIT);
  }
  EXPECT_TRUE(transport_->is_closed());
}

TEST_F(HttpTransportTest, HostNameResolved) {
  serve(respond_ok);
  make_transport({}, "http://localhost:" + std::to_string(server_->port()) + "/");
  start(1);
  run_until_results(1);
  // localhost may resolve to ::1 first, where this IPv4 server does not listen.
  EXPECT_TRUE(result(0).cls == AttemptClass::kSuccess || result(0).cls == AttemptClass::kRefused);
}

TEST_F(HttpTransportTest, Ipv6LiteralLoopback) {
  serve(respond_ok, /*ipv6=*/true);
  if (!server_->listening()) {
    GTEST_SKIP() << "IPv6 loopback is not available here";
  }
  make_transport({}, "http://[::1]:" + std::to_string(server_->port()) + "/");
  start(1);
  run_until_results(1);
  EXPECT_EQ(result(0).cls, AttemptClass::kSuccess);
}

}  // namespace
}  // namespace rb::http
