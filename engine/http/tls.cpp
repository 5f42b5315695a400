#include "engine/http/tls.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <mutex>
#include <stdexcept>

#include "common/log.hpp"

namespace rb::http {

namespace {

// ALPN protocol list in wire format: a length byte, then the name.
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

bool is_ip_literal(const std::string& host) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// Keeps the newest session per endpoint. With TLS 1.3 sessions arrive after the handshake,
// so this callback, not SSL_get1_session after connect, is what sees them.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* slot = static_cast<SSL_SESSION**>(SSL_get_app_data(ssl));
  if (slot == nullptr) {
    return 0;
  }
  if (*slot != nullptr) {
    SSL_SESSION_free(*slot);
  }
  *slot = session;
  return 1;  // the slot now owns the reference
}

std::string drain_error_queue() {
  std::string out;
  char line[256];
  while (const unsigned long code = ERR_get_error()) {
    ERR_error_string_n(code, line, sizeof(line));
    if (!out.empty()) {
      out += "; ";
    }
    out += line;
  }
  return out;
}

}  // namespace

TlsContext::TlsContext(const HttpClientOptions& options) : verify_(!options.insecure) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) {
    throw std::runtime_error("SSL_CTX_new failed: " + drain_error_queue());
  }
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_alpn_protos(ctx_, kAlpnHttp11, sizeof(kAlpnHttp11));
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx_, on_new_session);
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_RELEASE_BUFFERS);
  if (!verify_) {
    // Every strategy builds its own context, but the warning appears once per process.
    static std::once_flag warned;
    std::call_once(warned, [] {
      spdlog::warn(
          "TLS certificate and host name verification is off (--insecure): the "
          "upstream's identity is not checked");
    });
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    return;
  }
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  const int loaded = options.ca_file.empty()
                         ? SSL_CTX_set_default_verify_paths(ctx_)
                         : SSL_CTX_load_verify_locations(ctx_, options.ca_file.c_str(), nullptr);
  if (loaded != 1) {
    const std::string reason = drain_error_queue();
    SSL_CTX_free(ctx_);
    throw std::runtime_error("loading the TLS trust store failed (CA file '" + options.ca_file +
                             "'): " + reason);
  }
}

TlsContext::~TlsContext() {
  SSL_CTX_free(ctx_);
}

TlsStream::TlsStream(const TlsContext& context, const std::string& host,
                     SSL_SESSION** session_slot) {
  ssl_ = SSL_new(context.native());
  if (ssl_ == nullptr) {
    record_error("SSL_new");
    return;
  }
  input_ = BIO_new(BIO_s_mem());
  output_ = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl_, input_, output_);
  SSL_set_connect_state(ssl_);
  SSL_set_app_data(ssl_, session_slot);

  const bool ip_literal = is_ip_literal(host);
  if (!ip_literal) {
    SSL_set_tlsext_host_name(ssl_, host.c_str());  // SNI is for names only (RFC 6066)
  }
  if (context.verify()) {
    if (ip_literal) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
    } else {
      SSL_set1_host(ssl_, host.c_str());
    }
  }
  if (session_slot != nullptr && *session_slot != nullptr) {
    SSL_set_session(ssl_, *session_slot);
  }
}

TlsStream::~TlsStream() {
  SSL_free(ssl_);
}

void TlsStream::feed_input(const char* data, std::size_t size) {
  BIO_write(input_, data, static_cast<int>(size));
}

TlsStream::Step TlsStream::handshake() {
  const int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    return Step::kDone;
  }
  const int reason = SSL_get_error(ssl_, rc);
  if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) {
    return Step::kWantInput;
  }
  record_error("handshake");
  return Step::kError;
}

bool TlsStream::write(const char* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const int rc = SSL_write(ssl_, data + done, static_cast<int>(size - done));
    if (rc <= 0) {
      record_error("write");
      return false;
    }
    done += static_cast<std::size_t>(rc);
  }
  return true;
}

long TlsStream::read(char* buffer, std::size_t capacity) {
  const int rc = SSL_read(ssl_, buffer, static_cast<int>(capacity));
  if (rc > 0) {
    return rc;
  }
  const int reason = SSL_get_error(ssl_, rc);
  if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) {
    return 0;
  }
  if (reason == SSL_ERROR_ZERO_RETURN) {
    closed_by_peer_ = true;
    return -1;
  }
  record_error("read");
  return -1;
}

bool TlsStream::take_output(std::string& out) {
  const std::size_t pending = BIO_ctrl_pending(output_);
  if (pending == 0) {
    return false;
  }
  const std::size_t old_size = out.size();
  out.resize(old_size + pending);
  const int got = BIO_read(output_, out.data() + old_size, static_cast<int>(pending));
  out.resize(old_size + static_cast<std::size_t>(got > 0 ? got : 0));
  return got > 0;
}

bool TlsStream::shut_down(std::string& out) {
  if (ssl_ == nullptr || !SSL_is_init_finished(ssl_)) {
    return false;
  }
  SSL_shutdown(ssl_);
  ERR_clear_error();
  return take_output(out);
}

bool TlsStream::session_reused() const {
  return ssl_ != nullptr && SSL_session_reused(ssl_);
}

void TlsStream::record_error(const char* step) {
  error_ = std::string("TLS ") + step + " failed";
  const std::string queue = drain_error_queue();
  if (!queue.empty()) {
    error_ += ": " + queue;
  }
  if (ssl_ != nullptr) {
    const long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK) {
      error_ += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) + ")";
    }
  }
}

}  // namespace rb::http
