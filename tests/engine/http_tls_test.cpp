#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/endpoint.hpp"
#include "engine/http/http_transport.hpp"

namespace rb::http {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

KeyPtr make_key() {
  return KeyPtr(EVP_EC_gen("P-256"), EVP_PKEY_free);
}

void add_extension(X509* cert, X509V3_CTX* context, int nid, const char* value) {
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, context, nid, value);
  ASSERT_NE(extension, nullptr) << "extension " << OBJ_nid2sn(nid) << " = " << value;
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// Issues a certificate for `key`, self-signed when `issuer` is null. Validity is given in
// seconds relative to now.
CertPtr make_cert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key,
                  bool ca, const char* subject_alt_names, long not_before, long not_after) {
  static long serial = 1;
  CertPtr cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr,
                 0);
  add_extension(cert.get(), &context, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
  add_extension(cert.get(), &context, NID_subject_key_identifier, "hash");
  if (ca) {
    add_extension(cert.get(), &context, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), &context, NID_authority_key_identifier, "keyid:always");
    add_extension(cert.get(), &context, NID_subject_alt_name, subject_alt_names);
  }
  X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256());
  return cert;
}

void write_pem(const std::filesystem::path& path, X509* cert) {
  FILE* file = std::fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  PEM_write_X509(file, cert);
  std::fclose(file);
}

// A blocking TLS server on a thread: one connection at a time, responds to every request head
// with a small 200 response and keeps the connection open until the client closes it.
class TlsTestServer {
 public:
  TlsTestServer(X509* cert, EVP_PKEY* key) {
    context_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(context_, cert);
    SSL_CTX_use_PrivateKey(context_, key);
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(listener_, 16);
    socklen_t size = sizeof(address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~TlsTestServer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
    SSL_CTX_free(context_);
  }

  std::uint16_t port() const { return port_; }
  int handshakes() const { return handshakes_; }
  int resumed() const { return resumed_; }

 private:
  void serve() {
    // Bounded: the destructor sets stop_, and every wait below times out.
    while (!stop_) {
      pollfd waiting{listener_, POLLIN, 0};
      if (poll(&waiting, 1, 50) <= 0) {
        continue;
      }
      const int fd = accept(listener_, nullptr, nullptr);
      if (fd >= 0) {
        handle(fd);
        ::close(fd);
      }
    }
  }

  void handle(int fd) {
    timeval timeout{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    SSL* ssl = SSL_new(context_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      ++handshakes_;
      if (SSL_session_reused(ssl)) {
        ++resumed_;
      }
      answer_requests(ssl);
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    ERR_clear_error();
  }

  void answer_requests(SSL* ssl) {
    std::string input;
    char buffer[4096];
    for (int reads = 0; reads < 1000 && !stop_; ++reads) {
      const int got = SSL_read(ssl, buffer, sizeof(buffer));
      if (got <= 0) {
        return;
      }
      input.append(buffer, static_cast<std::size_t>(got));
      for (auto end = input.find("\r\n\r\n"); end != std::string::npos;
           end = input.find("\r\n\r\n")) {
        input.erase(0, end + 4);
        static const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        SSL_write(ssl, response.data(), static_cast<int>(response.size()));
      }
    }
  }

  SSL_CTX* context_ = nullptr;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> handshakes_{0};
  std::atomic<int> resumed_{0};
  std::thread thread_;
};

class RecordingSink : public AttemptSink {
 public:
  void on_attempt_done(std::uint64_t, const AttemptResult& result) override {
    results.push_back(result);
  }
  std::vector<AttemptResult> results;
};

// Certificates generated once for the whole suite, in a temporary folder.
class HttpTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ =
        std::filesystem::temp_directory_path() / ("retrybench-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder_);
    ca_key_ = make_key().release();
    ca_ =
        make_cert(ca_key_, "retrybench test CA", nullptr, nullptr, true, "", -60, 86400).release();
    other_ca_key_ = make_key().release();
    other_ca_ =
        make_cert(other_ca_key_, "unrelated CA", nullptr, nullptr, true, "", -60, 86400).release();
    server_key_ = make_key().release();
    good_ = make_cert(server_key_, "localhost", ca_, ca_key_, false, "IP:127.0.0.1,DNS:localhost",
                      -60, 86400)
                .release();
    wrong_name_ = make_cert(server_key_, "wrong.example", ca_, ca_key_, false, "DNS:wrong.example",
                            -60, 86400)
                      .release();
    expired_ = make_cert(server_key_, "localhost", ca_, ca_key_, false,
                         "IP:127.0.0.1,DNS:localhost", -7200, -3600)
                   .release();
    write_pem(folder_ / "ca.pem", ca_);
    write_pem(folder_ / "other-ca.pem", other_ca_);
  }

  static void TearDownTestSuite() {
    for (X509* cert : {ca_, other_ca_, good_, wrong_name_, expired_}) {
      X509_free(cert);
    }
    for (EVP_PKEY* key : {ca_key_, other_ca_key_, server_key_}) {
      EVP_PKEY_free(key);
    }
    std::filesystem::remove_all(folder_);
  }

  void SetUp() override { uv_loop_init(&loop_); }
  void TearDown() override {
    transport_.reset();
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  HttpClientOptions options_for(const char* ca_file) {
    HttpClientOptions options;
    options.ca_file = (folder_ / ca_file).string();
    options.timeouts.connect = from_seconds(5);
    return options;
  }

  // Sends `count` attempts one after another and returns when all results are in.
  void run_attempts(const TlsTestServer& server, const HttpClientOptions& options, int count) {
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
    transport_ = std::make_unique<HttpTransport>(
        &loop_, std::vector<Endpoint>{parse_endpoint_url("tls", url)}, RequestTemplate{}, options,
        sink_);
    for (int i = 0; i < count; ++i) {
      AttemptSpec spec;
      spec.token = static_cast<std::uint64_t>(i + 1);
      spec.lane_key = static_cast<std::uint32_t>(i + 1);
      transport_->start(spec);
      const auto end = uv_hrtime() + 10'000'000'000ull;
      while (sink_.results.size() < spec.token && uv_hrtime() < end) {
        uv_run(&loop_, UV_RUN_ONCE);
      }
      ASSERT_EQ(sink_.results.size(), spec.token);
    }
  }

  static inline std::filesystem::path folder_;
  static inline EVP_PKEY* ca_key_ = nullptr;
  static inline EVP_PKEY* other_ca_key_ = nullptr;
  static inline EVP_PKEY* server_key_ = nullptr;
  static inline X509* ca_ = nullptr;
  static inline X509* other_ca_ = nullptr;
  static inline X509* good_ = nullptr;
  static inline X509* wrong_name_ = nullptr;
  static inline X509* expired_ = nullptr;

  uv_loop_t loop_{};
  RecordingSink sink_;
  std::unique_ptr<HttpTransport> transport_;
};

TEST_F(HttpTlsTest, SucceedsWithTestCa) {
  TlsTestServer server(good_, server_key_);
  run_attempts(server, options_for("ca.pem"), 2);
  EXPECT_EQ(sink_.results[0].cls, AttemptClass::kSuccess);
  EXPECT_EQ(sink_.results[1].cls, AttemptClass::kSuccess);
  EXPECT_TRUE(sink_.results[1].connection_reused);
  EXPECT_EQ(server.handshakes(), 1);
}

TEST_F(HttpTlsTest, WrongHostNameIsTlsError) {
  TlsTestServer server(wrong_name_, server_key_);
  run_attempts(server, options_for("ca.pem"), 1);
  EXPECT_EQ(sink_.results[0].cls, AttemptClass::kTlsError);
}

TEST_F(HttpTlsTest, ExpiredCertificateIsTlsError) {
  TlsTestServer server(expired_, server_key_);
  run_attempts(server, options_for("ca.pem"), 1);
  EXPECT_EQ(sink_.results[0].cls, AttemptClass::kTlsError);
}

TEST_F(HttpTlsTest, UnknownCaIsTlsError) {
  TlsTestServer server(good_, server_key_);
  run_attempts(server, options_for("other-ca.pem"), 1);
  EXPECT_EQ(sink_.results[0].cls, AttemptClass::kTlsError);
}

TEST_F(HttpTlsTest, InsecureSkipsVerification) {
  TlsTestServer server(expired_, server_key_);
  HttpClientOptions options = options_for("other-ca.pem");
  options.insecure = true;
  run_attempts(server, options, 1);
  EXPECT_EQ(sink_.results[0].cls, AttemptClass::kSuccess);
}

TEST_F(HttpTlsTest, ReconnectResumesSession) {
  TlsTestServer server(good_, server_key_);
  HttpClientOptions options = options_for("ca.pem");
  options.keep_alive = false;  // every attempt opens a new connection
  run_attempts(server, options, 2);
  EXPECT_EQ(sink_.results[0].cls, AttemptClass::kSuccess);
  EXPECT_EQ(sink_.results[1].cls, AttemptClass::kSuccess);
  EXPECT_EQ(server.handshakes(), 2);
  EXPECT_EQ(server.resumed(), 1);
  EXPECT_EQ(transport_->stats().tls_sessions_resumed, 1u);
}

}  // namespace
}  // namespace rb::http
