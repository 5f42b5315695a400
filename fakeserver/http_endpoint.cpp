#include "fakeserver/http_endpoint.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <vector>

#include "common/log.hpp"
#include "fakeserver/http_connection.hpp"

namespace rb {

namespace {

// How often idle, header and linger deadlines are checked; deadlines fire up to this late.
constexpr std::uint64_t kSweepIntervalMs = 250;

// Delay before retrying a listener that could not be reopened after a "refuse" outage.
constexpr std::uint64_t kRelistenRetryMs = 100;

constexpr int kListenBacklog = 1024;

bool is_ipv6(const std::string& address) {
  return address.find(':') != std::string::npos;
}

int resolve(const std::string& bind, int port, sockaddr_storage& storage) {
  if (is_ipv6(bind)) {
    return uv_ip6_addr(bind.c_str(), port, reinterpret_cast<sockaddr_in6*>(&storage));
  }
  return uv_ip4_addr(bind.c_str(), port, reinterpret_cast<sockaddr_in*>(&storage));
}

int bound_port(uv_tcp_t* tcp) {
  sockaddr_storage storage{};
  int length = sizeof(storage);
  if (uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return 0;
  }
  if (storage.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
}

}  // namespace

HttpEndpoint::HttpEndpoint(uv_loop_t* loop, FakeEndpointConfig config, std::uint64_t seed)
    : loop_(loop),
      config_(std::move(config)),
      model_(config_.profile, seed),
      renderer_(config_.profile, config_.name),
      port_(config_.port) {
  uv_timer_init(loop_, &phase_timer_);
  uv_timer_init(loop_, &sweep_timer_);
  phase_timer_.data = this;
  sweep_timer_.data = this;
  start_ns_ = uv_hrtime();
}

HttpEndpoint::~HttpEndpoint() = default;

std::string HttpEndpoint::address() const {
  if (is_ipv6(config_.bind)) {
    return fmt::format("[{}]:{}", config_.bind, port_);
  }
  return fmt::format("{}:{}", config_.bind, port_);
}

Duration HttpEndpoint::now() const {
  return Duration(uv_hrtime() - start_ns_);
}

uv_buf_t HttpEndpoint::read_buffer() {
  return uv_buf_init(read_buffer_.data(), static_cast<unsigned int>(read_buffer_.size()));
}

void HttpEndpoint::listen() {
  open_listener();
  spdlog::info("fake endpoint {}: listening on http://{}", config_.name, address());
  uv_timer_start(
      &sweep_timer_, [](uv_timer_t* timer) { static_cast<HttpEndpoint*>(timer->data)->sweep(); },
      kSweepIntervalMs, kSweepIntervalMs);
  apply_phase();
}

void HttpEndpoint::open_listener() {
  sockaddr_storage storage{};
  const std::string where = fmt::format("{}:{}", config_.bind, port_);
  int rc = resolve(config_.bind, port_, storage);
  auto* listener = new uv_tcp_t;
  uv_tcp_init(loop_, listener);
  listener->data = this;
  if (rc == 0) {
    rc = uv_tcp_bind(listener, reinterpret_cast<const sockaddr*>(&storage), 0);
  }
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener), kListenBacklog,
                   [](uv_stream_t* server, int status) {
                     static_cast<HttpEndpoint*>(server->data)->on_connection(server, status);
                   });
  }
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(listener),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); });
    throw std::runtime_error(fmt::format("cannot listen on {}: {}", where, uv_strerror(rc)));
  }
  listener_ = listener;
  port_ = bound_port(listener);
}

void HttpEndpoint::close_listener() {
  if (listener_ == nullptr) {
    return;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(listener_),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); });
  listener_ = nullptr;
}

void HttpEndpoint::on_connection(uv_stream_t* server, int status) {
  if (status < 0) {
    spdlog::warn("fake endpoint {}: accept failed: {}", config_.name, uv_strerror(status));
    return;
  }
  auto* connection = new HttpConnection(*this);
  if (uv_accept(server, connection->stream()) != 0) {
    connection->abort(false);
    return;
  }
  uv_tcp_nodelay(connection->tcp(), 1);
  ++counters_.connections;

  connection->next = connections_;
  if (connections_ != nullptr) {
    connections_->prev = connection;
  }
  connections_ = connection;
  connection->start();
}

void HttpEndpoint::remove_connection(HttpConnection* connection) {
  if (connection->prev != nullptr) {
    connection->prev->next = connection->next;
  } else if (connections_ == connection) {
    connections_ = connection->next;
  } else {
    return;  // never listed: accept failed
  }
  if (connection->next != nullptr) {
    connection->next->prev = connection->prev;
  }
  connection->next = nullptr;
  connection->prev = nullptr;
}

// Opens or closes the listener for a "refuse" outage and arms the timer for the next change.
void HttpEndpoint::apply_phase() {
  if (closing_) {
    return;
  }
  const Duration at = now();
  const bool accepting = model_.accepts_connections(at);
  if (!accepting && listener_ != nullptr) {
    spdlog::info("fake endpoint {}: outage, refusing connections", config_.name);
    close_listener();
    while (connections_ != nullptr) {
      connections_->abort(true);
    }
  }
  if (accepting && listener_ == nullptr) {
    try {
      open_listener();
      spdlog::info("fake endpoint {}: outage over, accepting connections", config_.name);
    } catch (const std::runtime_error& e) {
      spdlog::error("fake endpoint {}: {}; retrying", config_.name, e.what());
      uv_timer_start(
          &phase_timer_,
          [](uv_timer_t* timer) { static_cast<HttpEndpoint*>(timer->data)->apply_phase(); },
          kRelistenRetryMs, 0);
      return;
    }
  }
  arm_phase_timer();
}

void HttpEndpoint::arm_phase_timer() {
  const Duration at = now();
  const Duration next = model_.next_phase_change(at);
  if (next == Duration::max()) {
    uv_timer_stop(&phase_timer_);
    return;
  }
  // One millisecond past the boundary, so that the phase has changed when the timer fires.
  const auto ms = static_cast<std::uint64_t>((next - at).count() / 1000000) + 1;
  uv_timer_start(
      &phase_timer_,
      [](uv_timer_t* timer) { static_cast<HttpEndpoint*>(timer->data)->apply_phase(); }, ms, 0);
}

void HttpEndpoint::sweep() {
  const std::uint64_t now_ms = uv_now(loop_);
  HttpConnection* connection = connections_;
  while (connection != nullptr) {
    HttpConnection* next = connection->next;  // check_timeouts may unlink it
    connection->check_timeouts(now_ms);
    connection = next;
  }
}

std::uint64_t HttpEndpoint::add_ticket(HttpConnection* connection) {
  const std::uint64_t ticket = ++next_ticket_;
  tickets_.emplace(ticket, connection);
  return ticket;
}

void HttpEndpoint::drop_ticket(std::uint64_t ticket) {
  tickets_.erase(ticket);
}

void HttpEndpoint::start_ticket(std::optional<std::uint64_t> ticket, Duration now) {
  while (ticket) {
    auto it = tickets_.find(*ticket);
    if (it != tickets_.end()) {
      it->second->on_ticket_started(*ticket, now);
      return;
    }
    // The ticket's connection is gone without cancelling it; free the slot again.
    ticket = model_.finish(*ticket, now);
  }
}

void HttpEndpoint::reset(std::uint64_t seed) {
  // Connections waiting for responses belong to the previous run; close them first so that
  // their cancellations reach the old state, then start over.
  std::vector<HttpConnection*> waiting;
  for (HttpConnection* c = connections_; c != nullptr; c = c->next) {
    if (c->has_pending()) {
      waiting.push_back(c);
    }
  }
  for (HttpConnection* c : waiting) {
    c->abort(false);
  }

  model_.reset(seed);
  tickets_.clear();
  counters_ = EndpointCounters{};
  start_ns_ = uv_hrtime();
  apply_phase();
  spdlog::debug("fake endpoint {}: reset with seed {}", config_.name, seed);
}

void HttpEndpoint::close() {
  if (closing_) {
    return;
  }
  closing_ = true;
  close_listener();
  while (connections_ != nullptr) {
    connections_->abort(false);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&phase_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sweep_timer_), nullptr);
  spdlog::info("fake endpoint {}: stopped", config_.name);
}

EndpointStats HttpEndpoint::stats() const {
  EndpointStats stats;
  stats.name = config_.name;
  stats.address = address();
  counters_.fill(stats);
  stats.capacity = model_.capacity_counters();
  return stats;
}

std::string HttpEndpoint::stats_json() const {
  return to_json(stats()).dump();
}

}  // namespace rb
