// End-to-end runs of `run_scenario_live` against upstreams that break HTTP on purpose. Each
// case starts its own server on 127.0.0.1 port 0 and checks that every attempt gets the
// expected class, none counts as a success, the run ends within its timeouts and memory
// stays bounded. Every case prints its observed class and time to detect, which
// docs/reliability.md records.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/live_runner.hpp"
#include "app/scenario.hpp"
#include "common/json_reader.hpp"

namespace rb {
namespace {

using Clock = std::chrono::steady_clock;

// What a hostile server does with one accepted connection. It must return soon after
// `stopping` becomes true.
using Behaviour = std::function<void(int fd, const std::atomic<bool>& stopping)>;

// A TCP server on 127.0.0.1 port 0 that runs `behaviour` on each accepted connection, each on
// its own thread. The destructor stops and joins every thread.
class HostileServer {
 public:
  explicit HostileServer(Behaviour behaviour) : behaviour_(std::move(behaviour)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 64) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    socklen_t size = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  ~HostileServer() {
    stopping_ = true;
    acceptor_.join();
    for (auto& handler : handlers_) {
      handler.join();
    }
    ::close(listener_);
  }

  std::string url(const char* scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_);
  }
  int accepted() const { return accepted_; }

 private:
  void accept_loop() {
    while (!stopping_) {
      pollfd waiting{listener_, POLLIN, 0};
      if (::poll(&waiting, 1, 20) <= 0) {
        continue;
      }
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) {
        continue;
      }
      ++accepted_;
      handlers_.emplace_back([this, fd] {
        behaviour_(fd, stopping_);
        ::close(fd);
      });
    }
  }

  Behaviour behaviour_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::vector<std::thread> handlers_;  // touched by the acceptor thread only until join
};

// Waits up to `timeout_ms` for `fd` to become readable; false on timeout or stop.
bool wait_readable(int fd, int timeout_ms, const std::atomic<bool>& stopping) {
  const auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!stopping && Clock::now() < end) {
    pollfd waiting{fd, POLLIN, 0};
    if (::poll(&waiting, 1, 20) > 0) {
      return true;
    }
  }
  return false;
}

// Reads until the end of a request head ("\r\n\r\n"), the peer closes, or 5 s pass. The
// requests in these tests have no body worth reading (GET).
bool read_request_head(int fd, const std::atomic<bool>& stopping) {
  std::string head;
  char buffer[4096];
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (!wait_readable(fd, 5000, stopping)) {
      return false;
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      return false;
    }
    head.append(buffer, static_cast<std::size_t>(n));
  }
  return true;
}

bool send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Sleeps in short steps so a stopping server does not wait the whole time.
void sleep_unless_stopping(int ms, const std::atomic<bool>& stopping) {
  const auto end = Clock::now() + std::chrono::milliseconds(ms);
  while (!stopping && Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Closes with an RST instead of a FIN.
void reset_connection(int fd) {
  linger option{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof option);
}

// Keeps the connection open, reading and discarding, until the peer closes or the server
// stops, so a test's close comes from the client.
void hold_until_peer_closes(int fd, const std::atomic<bool>& stopping) {
  char buffer[4096];
  while (wait_readable(fd, 60'000, stopping)) {
    if (::recv(fd, buffer, sizeof buffer, 0) <= 0) {
      return;
    }
  }
}

constexpr const char* kOkResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// The scenario every case runs: 5 requests at 10 per second, no retries, timeouts of 1 s
// (connect and first byte) and 2 s (total).
Scenario hostile_scenario(const std::string& url, const std::string& client = "{}",
                          const std::string& strategies = R"(["no-retry"])") {
  const std::string text = R"({
    "name": "hostile", "seed": 1,
    "upstreams": [{"name": "hostile", "url": ")" +
                           url + R"("}],
    "load": {"rate": 10, "duration": "500ms", "grace": "4s"},
    "request": {"method": "GET", "path": "/v1/models"},
    "timeouts": {"connect": "1s", "first_byte": "1s", "total": "2s"},
    "client": )" + client + R"(,
    "strategies": )" + strategies +
                           R"(
  })";
  return parse_scenario(JsonDocument::parse("hostile.json", text));
}

// What a run against one hostile upstream produced.
struct Observed {
  StrategyMetrics metrics;
  double wall_seconds = 0;
  long max_rss_growth_kib = 0;
};

long max_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

Observed run_against(const Scenario& scenario) {
  // The binary ignores SIGPIPE (install_stop_signals), so a write to a peer that reset the
  // connection fails with EPIPE instead of ending the process. The test does the same.
  std::signal(SIGPIPE, SIG_IGN);
  RunSettings settings;
  settings.progress = false;
  const long rss_before = max_rss_kib();
  const auto start = Clock::now();
  RunResult result = run_scenario_live(scenario, settings);
  Observed observed;
  observed.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  observed.max_rss_growth_kib = max_rss_kib() - rss_before;
  EXPECT_EQ(result.strategies.size(), 1u);
  if (!result.strategies.empty()) {
    observed.metrics = std::move(result.strategies[0].metrics);
  }
  return observed;
}

// The classes that the attempts ended in, by name.
std::set<std::string> classes_seen(const StrategyMetrics& metrics) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < kAttemptClassCount; ++i) {
    if (metrics.attempt_classes[i] > 0) {
      names.insert(std::string(attempt_class_name(static_cast<AttemptClass>(i))));
    }
  }
  return names;
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    out += (out.empty() ? "" : ",") + name;
  }
  return out;
}

// Checks what every case must hold: all 5 requests ran, each took exactly one attempt, none
// succeeded, every attempt ended in one of `allowed`, nothing waited past the total timeout
// (2 s) and memory stayed bounded. Prints the case's observed class and detection time.
void expect_failed_as(const char* label, const Observed& observed,
                      const std::set<std::string>& allowed) {
  const StrategyMetrics& m = observed.metrics;
  const std::set<std::string> seen = classes_seen(m);
  std::printf("[hostile] %-26s class %-18s detect max %6.0f ms p50 %6.0f ms wall %.2f s\n", label,
              joined(seen).c_str(), static_cast<double>(m.service.max_micros()) / 1000.0,
              static_cast<double>(m.service.percentile_micros(50)) / 1000.0, observed.wall_seconds);
  EXPECT_EQ(m.requests, 5u);
  EXPECT_EQ(m.succeeded, 0u);
  EXPECT_EQ(m.failed, 5u);
  EXPECT_EQ(m.attempts, 5u);
  EXPECT_EQ(m.endpoints[0].succeeded, 0u);
  for (const auto& name : seen) {
    EXPECT_TRUE(allowed.count(name) == 1) << "unexpected class " << name;
  }
  // The total timeout is 2 s; 300 ms covers the timer and the loop.
  EXPECT_LE(m.latency.max_micros(), 2'300'000);
  // Load 0.5 s, then at most the 2 s total timeout of the last attempt, plus start-up.
  EXPECT_LT(observed.wall_seconds, 4.0);
  EXPECT_LT(observed.max_rss_growth_kib, 64 * 1024);
}

TEST(HostileUpstream, OneBytePerSecond) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (!read_request_head(fd, stopping)) {
      return;
    }
    const std::string response = kOkResponse;
    for (const char byte : response) {
      if (stopping || !send_all(fd, std::string(1, byte))) {
        return;
      }
      sleep_unless_stopping(1000, stopping);
    }
  });
  const Observed observed = run_against(hostile_scenario(server.url()));
  expect_failed_as("one byte per second", observed, {"total_timeout"});
  EXPECT_GE(observed.metrics.service.min_micros(), 1'900'000);
}

TEST(HostileUpstream, BlackHoleNeverReads) {
  HostileServer server(
      [](int, const std::atomic<bool>& stopping) { sleep_unless_stopping(60'000, stopping); });
  const Observed observed = run_against(hostile_scenario(server.url()));
  expect_failed_as("black hole (never reads)", observed, {"first_byte_timeout"});
  EXPECT_GE(observed.metrics.service.min_micros(), 900'000);
}

TEST(HostileUpstream, EndlessBody) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (!read_request_head(fd, stopping)) {
      return;
    }
    if (!send_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) {
      return;
    }
    const std::string chunk = "4000\r\n" + std::string(0x4000, 'x') + "\r\n";
    while (!stopping && send_all(fd, chunk)) {
    }
  });
  const Observed observed = run_against(hostile_scenario(server.url()));
  // Whichever comes first: the 64 MiB body limit or the 2 s total timeout.
  expect_failed_as("endless body", observed, {"parse_error", "total_timeout"});
}

TEST(HostileUpstream, OneMebibyteHeaderBlock) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (!read_request_head(fd, stopping)) {
      return;
    }
    std::string head = "HTTP/1.1 200 OK\r\n";
    while (head.size() < 1024 * 1024) {
      head += "X-Filler: " + std::string(1000, 'h') + "\r\n";
    }
    head += "Content-Length: 2\r\n\r\nok";
    send_all(fd, head);
    hold_until_peer_closes(fd, stopping);
  });
  const Observed observed = run_against(hostile_scenario(server.url()));
  expect_failed_as("1 MiB header block", observed, {"parse_error"});
  EXPECT_LT(observed.metrics.service.max_micros(), 500'000);
}

TEST(HostileUpstream, RandomBytes) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (!read_request_head(fd, stopping)) {
      return;
    }
    std::mt19937 random(static_cast<unsigned>(fd));
    std::string noise(4096, '\0');
    for (char& c : noise) {
      c = static_cast<char>(random() & 0xff);
    }
    noise[0] = 'Z';  // never the start of "HTTP/"
    send_all(fd, noise);
    hold_until_peer_closes(fd, stopping);
  });
  const Observed observed = run_against(hostile_scenario(server.url()));
  expect_failed_as("random bytes", observed, {"parse_error"});
  EXPECT_LT(observed.metrics.service.max_micros(), 500'000);
}

// Found by the response parser fuzz target: llhttp 8.1 accepts a one-digit status code.
TEST(HostileUpstream, StatusCodeNotThreeDigits) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (read_request_head(fd, stopping)) {
      send_all(fd, "HTTP/1.1 2 OK\r\nContent-Length: 2\r\n\r\nok");
      hold_until_peer_closes(fd, stopping);
    }
  });
  const Observed observed = run_against(hostile_scenario(server.url()));
  expect_failed_as("one-digit status code", observed, {"parse_error"});
  EXPECT_TRUE(observed.metrics.attempt_statuses.empty());
}

TEST(HostileUpstream, ResetMidBody) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (!read_request_head(fd, stopping)) {
      return;
    }
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(100, 'b'));
    sleep_unless_stopping(50, stopping);
    reset_connection(fd);
  });
  const Observed observed = run_against(hostile_scenario(server.url()));
  expect_failed_as("reset mid-body", observed, {"reset"});
  EXPECT_LT(observed.metrics.service.max_micros(), 500'000);
}

TEST(HostileUpstream, CloseAfterStatusLine) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (read_request_head(fd, stopping)) {
      send_all(fd, "HTTP/1.1 200 OK\r\n");
    }
  });
  const Observed observed = run_against(hostile_scenario(server.url()));
  expect_failed_as("close after status line", observed, {"closed_early"});
  EXPECT_LT(observed.metrics.service.max_micros(), 500'000);
}

TEST(HostileUpstream, ContentLengthLargerThanBodyThenClose) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (read_request_head(fd, stopping)) {
      send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nshort");
    }
  });
  const Observed observed = run_against(hostile_scenario(server.url()));
  expect_failed_as("Content-Length > body, close", observed, {"closed_early"});
  EXPECT_LT(observed.metrics.service.max_micros(), 500'000);
}

TEST(HostileUpstream, ContentLengthLargerThanBodyThenSilence) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (read_request_head(fd, stopping)) {
      send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nshort");
      hold_until_peer_closes(fd, stopping);
    }
  });
  const Observed observed = run_against(hostile_scenario(server.url()));
  expect_failed_as("Content-Length > body, open", observed, {"total_timeout"});
}

// A second, unrequested response after a complete one must not be taken as the response to
// the next request on the connection. The first response is the real one, so it succeeds.
TEST(HostileUpstream, TwoResponsesToOneRequest) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    while (read_request_head(fd, stopping)) {
      const std::string second = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
      if (!send_all(fd, std::string(kOkResponse) + second)) {
        return;
      }
    }
  });
  const Observed observed = run_against(hostile_scenario(server.url()));
  const StrategyMetrics& m = observed.metrics;
  std::printf("[hostile] %-26s class %-18s connections %d wall %.2f s\n", "two responses",
              joined(classes_seen(m)).c_str(), server.accepted(), observed.wall_seconds);
  EXPECT_EQ(m.requests, 5u);
  EXPECT_EQ(m.attempts, 5u);
  EXPECT_EQ(m.succeeded, 5u);
  EXPECT_EQ(m.attempt_statuses.count(503), 0u) << "the unrequested 503 was taken as a response";
  // The connection that carried extra bytes is closed, so each request needs a new one.
  EXPECT_EQ(server.accepted(), 5);
}

TEST(HostileUpstream, TlsHandshakeWithPlainHttpServer) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (wait_readable(fd, 2000, stopping)) {
      send_all(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
  });
  const Observed observed = run_against(hostile_scenario(server.url("https")));
  expect_failed_as("TLS handshake failure", observed, {"tls_error"});
  EXPECT_LT(observed.metrics.service.max_micros(), 500'000);
}

TEST(HostileUpstream, TlsHandshakeStalls) {
  HostileServer server(
      [](int fd, const std::atomic<bool>& stopping) { hold_until_peer_closes(fd, stopping); });
  const Observed observed = run_against(hostile_scenario(server.url("https")));
  // The connect timeout covers the TLS handshake.
  expect_failed_as("TLS handshake stalls", observed, {"connect_timeout"});
}

// Certificates made in the test: a CA, and leaf certificates it signs.
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

void add_extension(X509* cert, X509V3_CTX* context, int nid, const char* value) {
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, context, nid, value);
  ASSERT_NE(extension, nullptr);
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// Issues a certificate valid from `not_before` to `not_after` seconds relative to now,
// self-signed (a CA) when `issuer` is null.
CertPtr issue(EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, const char* alt_names,
              long not_before, long not_after) {
  static long serial = 100;
  CertPtr cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const char* common_name = issuer == nullptr ? "hostile test CA" : "hostile test server";
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr,
                 0);
  const bool ca = issuer == nullptr;
  add_extension(cert.get(), &context, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
  add_extension(cert.get(), &context, NID_subject_key_identifier, "hash");
  if (ca) {
    add_extension(cert.get(), &context, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), &context, NID_authority_key_identifier, "keyid:always");
    add_extension(cert.get(), &context, NID_subject_alt_name, alt_names);
  }
  X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256());
  return cert;
}

// A CA written to a PEM file for the scenario's client.ca_file.
class TestCa {
 public:
  TestCa() : key_(EVP_EC_gen("P-256"), EVP_PKEY_free), cert_(nullptr, X509_free) {
    cert_ = issue(key_.get(), nullptr, nullptr, nullptr, -3600, 86400);
    path_ = std::filesystem::temp_directory_path() /
            ("retrybench-hostile-ca-" + std::to_string(::getpid()) + ".pem");
    FILE* file = std::fopen(path_.c_str(), "w");
    PEM_write_X509(file, cert_.get());
    std::fclose(file);
  }
  ~TestCa() { std::filesystem::remove(path_); }

  X509* cert() const { return cert_.get(); }
  EVP_PKEY* key() const { return key_.get(); }
  std::string client_json() const { return R"({"ca_file": ")" + path_.string() + R"("})"; }

 private:
  KeyPtr key_;
  CertPtr cert_;
  std::filesystem::path path_;
};

// A behaviour that completes a TLS handshake with the certificate of `context` (when the
// client accepts it) and responds to each request with 200.
Behaviour tls_behaviour(SSL_CTX* context) {
  return [context](int fd, const std::atomic<bool>& stopping) {
    // Blocking reads give up after 5 s, so a client that never closes cannot hang the test.
    timeval read_timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof read_timeout);
    SSL* ssl = SSL_new(context);
    SSL_set_fd(ssl, fd);
    // The socket is blocking; the client either completes the handshake or aborts it with
    // an alert and a close, so SSL_accept returns.
    if (wait_readable(fd, 2000, stopping) && SSL_accept(ssl) == 1) {
      char buffer[4096];
      while (!stopping && SSL_read(ssl, buffer, sizeof buffer) > 0) {
        SSL_write(ssl, kOkResponse, static_cast<int>(std::strlen(kOkResponse)));
      }
    }
    SSL_free(ssl);
  };
}

class HostileTls : public ::testing::Test {
 protected:
  SSL_CTX* server_context(const char* alt_names, long not_before, long not_after) {
    leaf_ = issue(leaf_key_.get(), ca_.cert(), ca_.key(), alt_names, not_before, not_after);
    context_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(context_, leaf_.get());
    SSL_CTX_use_PrivateKey(context_, leaf_key_.get());
    return context_;
  }
  ~HostileTls() override { SSL_CTX_free(context_); }

  TestCa ca_;
  KeyPtr leaf_key_{EVP_EC_gen("P-256"), EVP_PKEY_free};
  CertPtr leaf_{nullptr, X509_free};
  SSL_CTX* context_ = nullptr;
};

TEST_F(HostileTls, ValidCertificateSucceeds) {
  HostileServer server(tls_behaviour(server_context("IP:127.0.0.1", -3600, 86400)));
  const Observed observed = run_against(hostile_scenario(server.url("https"), ca_.client_json()));
  EXPECT_EQ(observed.metrics.succeeded, 5u) << joined(classes_seen(observed.metrics));
}

TEST_F(HostileTls, ExpiredCertificate) {
  HostileServer server(tls_behaviour(server_context("IP:127.0.0.1", -7200, -3600)));
  const Observed observed = run_against(hostile_scenario(server.url("https"), ca_.client_json()));
  expect_failed_as("expired certificate", observed, {"tls_error"});
  EXPECT_LT(observed.metrics.service.max_micros(), 500'000);
}

TEST_F(HostileTls, WronglyNamedCertificate) {
  HostileServer server(tls_behaviour(server_context("DNS:not-this-host.example", -3600, 86400)));
  const Observed observed = run_against(hostile_scenario(server.url("https"), ca_.client_json()));
  expect_failed_as("wrongly named certificate", observed, {"tls_error"});
  EXPECT_LT(observed.metrics.service.max_micros(), 500'000);
}

TEST_F(HostileTls, InsecureAcceptsWronglyNamedCertificate) {
  HostileServer server(tls_behaviour(server_context("DNS:not-this-host.example", -3600, 86400)));
  const Observed observed =
      run_against(hostile_scenario(server.url("https"), R"({"insecure": true})"));
  EXPECT_EQ(observed.metrics.succeeded, 5u) << joined(classes_seen(observed.metrics));
}

// Found by the Retry-After fuzz target: a date in year 9999 overflowed the wait's Duration.
// It is now an invalid Retry-After, so the retry falls back to its backoff.
TEST(HostileUpstream, RetryAfterInYear9999) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    while (read_request_head(fd, stopping)) {
      const std::string response =
          "HTTP/1.1 429 Too Many Requests\r\nRetry-After: Fri, 31 Dec 9999 23:59:59 GMT\r\n"
          "Content-Length: 0\r\n\r\n";
      if (!send_all(fd, response)) {
        return;
      }
    }
  });
  const Observed observed =
      run_against(hostile_scenario(server.url(), "{}",
                                   R"([{"name": "retry", "retry": {"max_attempts": 2,
           "backoff": {"kind": "constant", "base": "10ms"}}}])"));
  const StrategyMetrics& m = observed.metrics;
  EXPECT_EQ(m.requests, 5u);
  EXPECT_EQ(m.succeeded, 0u);
  EXPECT_EQ(m.attempts, 10u);
  EXPECT_GE(m.retry_after_invalid, 5u);
  EXPECT_LT(observed.wall_seconds, 4.0);
}

// Redirects are not followed: a 302 counts as its status and nothing reaches the target.
TEST(HostileUpstream, RedirectNotFollowed) {
  HostileServer target([](int, const std::atomic<bool>&) {});
  const std::string location = target.url() + "/moved";
  HostileServer server([location](int fd, const std::atomic<bool>& stopping) {
    while (read_request_head(fd, stopping)) {
      if (!send_all(fd, "HTTP/1.1 302 Found\r\nLocation: " + location +
                            "\r\nContent-Length: 0\r\n\r\n")) {
        return;
      }
    }
  });
  const Observed observed = run_against(hostile_scenario(server.url()));
  const StrategyMetrics& m = observed.metrics;
  EXPECT_EQ(m.requests, 5u);
  EXPECT_EQ(m.succeeded, 0u);
  EXPECT_EQ(m.attempts, 5u);
  ASSERT_EQ(m.attempt_statuses.count(302), 1u);
  EXPECT_EQ(m.attempt_statuses.at(302), 5u);
  EXPECT_EQ(m.attempt_classes[static_cast<std::size_t>(AttemptClass::kHttpStatus)], 5u);
  EXPECT_EQ(target.accepted(), 0);
}

}  // namespace
}  // namespace rb
