#pragma once

// A small blocking HTTP/1.1 client on POSIX sockets for tests: it sends raw bytes and reads
// responses with receive timeouts, so every test stays bounded in time.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace rb::testing {

// One parsed response, or what happened instead.
struct RawResponse {
  int status = 0;    // 0 when no status line arrived
  std::string head;  // status line and headers
  std::string body;
  bool reset = false;      // the read failed with ECONNRESET
  bool closed = false;     // the server closed (FIN) before a complete response
  bool timed_out = false;  // nothing complete within the receive timeout

  std::string header(const std::string& name) const {
    std::string lower_head;
    for (char c : head) {
      lower_head += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string key = "\r\n";
    for (char c : name) {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    key += ":";
    const std::size_t at = lower_head.find(key);
    if (at == std::string::npos) {
      return "";
    }
    std::size_t start = at + key.size();
    while (start < head.size() && head[start] == ' ') {
      ++start;
    }
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

class RawClient {
 public:
  explicit RawClient(int port, int timeout_ms = 3000) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    connect_errno_ = connected_ ? 0 : errno;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  int connect_errno() const { return connect_errno_; }

  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Reads one answer: the head, then Content-Length bytes of body.
  RawResponse read_response() {
    RawResponse r;
    std::size_t head_end = std::string::npos;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(r)) {
        return r;
      }
    }
    r.head = buffer_.substr(0, head_end);
    buffer_.erase(0, head_end + 4);
    if (r.head.rfind("HTTP/1.1 ", 0) == 0) {
      r.status = std::atoi(r.head.c_str() + 9);
    }
    const std::string length = r.header("content-length");
    const std::size_t body_size = length.empty() ? 0 : std::stoul(length);
    while (buffer_.size() < body_size) {
      if (!fill(r)) {
        r.body = buffer_;
        return r;
      }
    }
    r.body = buffer_.substr(0, body_size);
    buffer_.erase(0, body_size);
    return r;
  }

  RawResponse request(const std::string& bytes) {
    send(bytes);
    return read_response();
  }

  // Waits for the server to close; returns true on FIN or RST within the timeout.
  bool wait_closed(bool* was_reset = nullptr) {
    RawResponse r;
    while (fill(r)) {
    }
    if (was_reset != nullptr) {
      *was_reset = r.reset;
    }
    return r.closed || r.reset;
  }

 private:
  bool fill(RawResponse& r) {
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) {
      r.closed = true;
    } else if (errno == ECONNRESET) {
      r.reset = true;
    } else {
      r.timed_out = true;
    }
    return false;
  }

  int fd_ = -1;
  bool connected_ = false;
  int connect_errno_ = 0;
  std::string buffer_;
};

inline std::string get(const std::string& path, const std::string& extra_headers = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers + "\r\n";
}

inline std::string post_completion(const std::string& model,
                                   const std::string& extra_headers = "") {
  const std::string body =
      R"({"model":")" + model + R"(","messages":[{"role":"user","content":"Hello there"}]})";
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
         "application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

}  // namespace rb::testing
