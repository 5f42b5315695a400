#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <string>

#include "engine/http/http_client_options.hpp"

namespace rb::http {

// The OpenSSL client context shared by every TLS connection of one transport: trust store,
// verification mode, ALPN and the client session cache hook.
class TlsContext {
 public:
  // Throws std::runtime_error when OpenSSL cannot create the context or load the CA file.
  explicit TlsContext(const HttpClientOptions& options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* native() const { return ctx_; }
  bool verify() const { return verify_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  bool verify_ = true;
};

// One TLS client session over memory BIOs: ciphertext from the socket goes in with
// feed_input(), ciphertext for the socket comes out with take_output().
class TlsStream {
 public:
  // The outcome of a handshake step.
  enum class Step : std::uint8_t { kWantInput, kDone, kError };

  // `session_slot` keeps the endpoint's latest session: it is offered for resumption and
  // replaced when the server sends a new one. It must outlive this stream.
  TlsStream(const TlsContext& context, const std::string& host, SSL_SESSION** session_slot);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  bool valid() const { return ssl_ != nullptr; }
  void feed_input(const char* data, std::size_t size);
  Step handshake();
  // Encrypts the plaintext. Returns false on a TLS error.
  bool write(const char* data, std::size_t size);
  // Decrypts into `buffer`. Returns the byte count, 0 when more input is needed, and -1 when
  // the peer closed the TLS session (close_notify) or on a TLS error (see error()).
  long read(char* buffer, std::size_t capacity);
  // Appends pending ciphertext to `out`. Returns false when there is none.
  bool take_output(std::string& out);
  bool session_reused() const;
  // Starts a clean TLS shutdown (close_notify) and appends its bytes to `out`. Returns
  // false when there is nothing to send.
  bool shut_down(std::string& out);
  // The OpenSSL error queue and the certificate verification result, for logs.
  const std::string& error() const { return error_; }
  bool closed_by_peer() const { return closed_by_peer_; }

 private:
  void record_error(const char* step);

  SSL* ssl_ = nullptr;
  BIO* input_ = nullptr;   // network to SSL; owned by ssl_
  BIO* output_ = nullptr;  // SSL to network; owned by ssl_
  bool closed_by_peer_ = false;
  std::string error_;
};

}  // namespace rb::http
