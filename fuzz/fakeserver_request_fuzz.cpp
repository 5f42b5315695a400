// libFuzzer target: the fake server's request handling. Each input is sent as the bytes of
// one client connection to a fake endpoint on 127.0.0.1 (a random port, one endpoint for the
// whole process), followed by a half-close; the endpoint parses, decides and answers on
// its libuv loop, which this target drives until the endpoint closes the connection.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "fakeserver/endpoint_config.hpp"
#include "fakeserver/http_endpoint.hpp"

namespace {

// A fake endpoint with an API key, a model list and small request limits, so inputs reach
// the 401, 404, 413 and 431 paths as well as the completions.
rb::FakeEndpointConfig fuzz_config() {
  rb::FakeEndpointConfig config;
  config.name = "fuzz";
  config.bind = "127.0.0.1";
  config.port = 0;
  config.profile.models = {"gpt-fuzz"};
  config.profile.api_key = "fuzz-key";
  config.profile.max_header_bytes = 2048;
  config.profile.max_body_bytes = 4096;
  return config;
}

struct Server {
  uv_loop_t loop{};
  std::unique_ptr<rb::HttpEndpoint> endpoint;

  Server() {
    uv_loop_init(&loop);
    endpoint = std::make_unique<rb::HttpEndpoint>(&loop, fuzz_config(), 1);
    endpoint->listen();
  }
};

Server& server() {
  static Server* instance = new Server();  // lives until exit; libFuzzer never returns
  return *instance;
}

int connect_client(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);  // EINPROGRESS
  return fd;
}

// Writes what the socket takes now; the rest is sent on later turns of the loop.
void send_some(int fd, const std::uint8_t*& data, std::size_t& left) {
  if (left == 0) {
    return;
  }
  const ssize_t n = ::send(fd, data, left, MSG_NOSIGNAL);
  if (n > 0) {
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

// Reads and discards; returns false once the endpoint closed (EOF or reset).
bool drain(int fd) {
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      continue;
    }
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Server& s = server();
  const int fd = connect_client(s.endpoint->port());
  bool half_closed = false;
  // Bounded: at most 2000 turns of 1 ms, far more than an answer without latency needs.
  for (int turn = 0; turn < 2000; ++turn) {
    uv_run(&s.loop, UV_RUN_NOWAIT);
    send_some(fd, data, size);
    if (size == 0 && !half_closed) {
      half_closed = ::shutdown(fd, SHUT_WR) == 0;
    }
    if (!drain(fd)) {
      break;
    }
    pollfd waiting{fd, POLLIN, 0};
    ::poll(&waiting, 1, 1);
  }
  ::close(fd);
  // Let the endpoint see the close and free the connection.
  for (int turn = 0; turn < 4; ++turn) {
    uv_run(&s.loop, UV_RUN_NOWAIT);
  }
  return 0;
}
