#include "engine/http/http_transport.hpp"

#include <algorithm>
#include <stdexcept>

#include "common/log.hpp"
#include "engine/http/uv_clock.hpp"

namespace rb::http {

namespace {

bool any_tls(const std::vector<Endpoint>& endpoints) {
  return std::any_of(endpoints.begin(), endpoints.end(), [](const Endpoint& e) { return e.tls; });
}

// Upper bound on loop turns the destructor runs while waiting for handles to close.
constexpr int kMaxCloseTurns = 1000;

}  // namespace

HttpTransport::HttpTransport(uv_loop_t* loop, std::vector<Endpoint> endpoints,
                             const RequestTemplate& request, const HttpClientOptions& options,
                             AttemptSink& sink)
    : loop_(loop), options_(options), sink_(sink), buffers_(std::make_unique<ReadBuffers>()) {
  options_.max_connections_per_endpoint =
      std::max<std::size_t>(1, options_.max_connections_per_endpoint);
  if (any_tls(endpoints)) {
    tls_ = std::make_unique<TlsContext>(options_);
  }
  pools_.reserve(endpoints.size());
  for (Endpoint& endpoint : endpoints) {
    pools_.push_back(
        std::make_unique<EndpointPool>(std::move(endpoint), request, options_.keep_alive));
  }
  uv_idle_init(loop_, &deliver_idle_);
  deliver_idle_.data = this;
  open_handles_ = 1;
  by_lane_.reserve(1024);
}

HttpTransport::~HttpTransport() {
  close();
  for (int turn = 0; turn < kMaxCloseTurns && !is_closed(); ++turn) {
    uv_run(loop_, UV_RUN_ONCE);
  }
  if (!is_closed()) {
    // Freeing memory that libuv still points to would be worse than leaking it.
    spdlog::error("HTTP transport destroyed with {} handles still open; leaking them",
                  open_handles_ + connections_.size());
    for (auto& attempt : attempts_) {
      static_cast<void>(attempt.release());
    }
    static_cast<void>(buffers_.release());
  }
}

void HttpTransport::set_request_variants(const std::vector<RequestTemplate>& variants) {
  for (auto& pool : pools_) {
    pool->variant_bytes.clear();
    for (std::size_t i = 1; i < variants.size(); ++i) {
      pool->variant_bytes.push_back(
          prepare_request(variants[i], pool->endpoint, options_.keep_alive));
    }
  }
}

void HttpTransport::start(const AttemptSpec& spec) {
  if (spec.endpoint >= pools_.size()) {
    throw std::out_of_range("attempt endpoint index " + std::to_string(spec.endpoint) +
                            " is not below the endpoint count " + std::to_string(pools_.size()));
  }
  if (closing_) {
    AttemptResult result;
    result.cls = AttemptClass::kCancelled;
    sink_.on_attempt_done(spec.token, result);
    return;
  }
  if (spec.lane_key >= kMaxLaneKeys) {
    throw std::out_of_range("attempt lane key " + std::to_string(spec.lane_key) + " is not below " +
                            std::to_string(kMaxLaneKeys));
  }
  if (spec.lane_key < by_lane_.size() && by_lane_[spec.lane_key] != nullptr) {
    throw std::logic_error("attempt lane key " + std::to_string(spec.lane_key) +
                           " is already in flight");
  }
  Attempt* attempt = acquire_attempt();
  attempt->token = spec.token;
  attempt->lane_key = spec.lane_key;
  attempt->request_id = spec.request_id;
  attempt->endpoint = spec.endpoint;
  attempt->variant = spec.variant;
  attempt->begin = now_ns();
  attempt->total_end = attempt->begin + options_.timeouts.total;
  attempt->deadline = spec.deadline_at;
  index_attempt(attempt);

  in_start_ = true;
  if (attempt->deadline.count() > 0 && attempt->deadline <= attempt->begin) {
    finish(attempt, result_for(attempt, AttemptClass::kDeadline));
  } else {
    attempt->phase = Attempt::Phase::kWaiting;
    arm_timer(attempt);
    pools_[spec.endpoint]->waiting.push_back({attempt, attempt->generation});
    pump(spec.endpoint);
  }
  in_start_ = false;
}

void HttpTransport::cancel(std::uint64_t token, std::uint32_t lane_key) {
  if (lane_key >= by_lane_.size()) {
    return;
  }
  Attempt* attempt = by_lane_[lane_key];
  if (attempt == nullptr || attempt->token != token) {
    return;
  }
  detach(attempt);
  unindex_attempt(attempt);
  release_attempt(attempt);
}

void HttpTransport::close() {
  if (closing_) {
    return;
  }
  closing_ = true;
  deliver_deferred();

  // End what is still in flight first, so that sink calls see a consistent transport.
  std::vector<std::pair<std::uint64_t, AttemptResult>> cancelled;
  for (Attempt* attempt : by_lane_) {
    if (attempt != nullptr) {
      cancelled.emplace_back(attempt->token, result_for(attempt, AttemptClass::kCancelled));
      detach(attempt);
      unindex_attempt(attempt);
      release_attempt(attempt);
    }
  }

  const std::vector<Connection*> connections = connections_;
  for (Connection* connection : connections) {
    connection->close();
  }
  for (auto& pool : pools_) {
    if (pool->resolve_request != nullptr) {
      uv_cancel(reinterpret_cast<uv_req_t*>(pool->resolve_request));
    }
  }
  const auto on_handle_closed = [](uv_handle_t* handle) {
    auto* attempt = static_cast<Attempt*>(handle->data);
    --attempt->owner->open_handles_;
  };
  for (auto& attempt : attempts_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&attempt->timer), on_handle_closed);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&deliver_idle_),
           [](uv_handle_t* handle) { --static_cast<HttpTransport*>(handle->data)->open_handles_; });

  for (const auto& [token, result] : cancelled) {
    sink_.on_attempt_done(token, result);
  }
}

std::size_t HttpTransport::open_connections(std::size_t endpoint) const {
  return pools_.at(endpoint)->open_connections;
}

Attempt* HttpTransport::acquire_attempt() {
  if (free_attempts_.empty()) {
    auto attempt = std::make_unique<Attempt>();
    uv_timer_init(loop_, &attempt->timer);
    attempt->timer.data = attempt.get();
    attempt->owner = this;
    ++open_handles_;
    free_attempts_.push_back(attempt.get());
    attempts_.push_back(std::move(attempt));
  }
  Attempt* attempt = free_attempts_.back();
  free_attempts_.pop_back();
  return attempt;
}

void HttpTransport::release_attempt(Attempt* attempt) {
  // The timer stays armed: the attempt that reuses this slot finds it set for an earlier
  // time and keeps it (see arm_timer), which saves a timer-heap removal and insertion per
  // request. Should it fire while the slot is free, on_attempt_timer does nothing.
  ++attempt->generation;
  attempt->phase = Attempt::Phase::kFree;
  attempt->connection = nullptr;
  attempt->first_byte_end = Duration{0};
  attempt->written_at = Duration{0};
  attempt->transport_retried = false;
  attempt->needs_fresh = false;
  attempt->connection_reused = false;
  free_attempts_.push_back(attempt);
}

void HttpTransport::arm_timer(Attempt* attempt) {
  Duration earliest = attempt->total_end;
  if (attempt->deadline.count() > 0) {
    earliest = std::min(earliest, attempt->deadline);
  }
  if (attempt->first_byte_end.count() > 0) {
    earliest = std::min(earliest, attempt->first_byte_end);
  }
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&attempt->timer)) &&
      attempt->timer_at <= earliest) {
    // Armed for an earlier limit already: when it fires, on_attempt_timer finds that no
    // limit has passed and re-arms for this one. Most attempts end before any limit, so
    // this saves two timer-heap updates per request.
    return;
  }
  attempt->timer_at = earliest;
  const std::uint64_t timeout = timer_delay_until(loop_, earliest);
  uv_timer_start(
      &attempt->timer,
      [](uv_timer_t* timer) {
        auto* fired = static_cast<Attempt*>(timer->data);
        fired->owner->on_attempt_timer(fired);
      },
      timeout, 0);
}

void HttpTransport::on_attempt_timer(Attempt* attempt) {
  if (attempt->phase == Attempt::Phase::kFree) {
    return;  // armed for an attempt that has ended
  }
  const Duration now = now_ns();
  // Of the limits that have passed, the earliest one names the class.
  AttemptClass cls = AttemptClass::kCancelled;
  Duration limit = Duration::max();
  const auto consider = [&](Duration at, AttemptClass candidate) {
    if (at.count() > 0 && at <= now && at < limit) {
      limit = at;
      cls = candidate;
    }
  };
  consider(attempt->deadline, AttemptClass::kDeadline);
  consider(attempt->total_end, AttemptClass::kTotalTimeout);
  consider(attempt->first_byte_end, AttemptClass::kFirstByteTimeout);
  if (limit == Duration::max()) {
    arm_timer(attempt);
    return;
  }
  spdlog::debug("attempt for request {} to {} ended: {}", attempt->request_id,
                pools_[attempt->endpoint]->endpoint.url, attempt_class_name(cls));
  detach(attempt);
  finish(attempt, result_for(attempt, cls));
}

AttemptResult HttpTransport::result_for(const Attempt* attempt, AttemptClass cls) const {
  AttemptResult result;
  result.cls = cls;
  const Duration from = attempt->written_at.count() > 0 ? attempt->written_at : attempt->begin;
  result.service_time = now_ns() - from;
  result.transport_retried = attempt->transport_retried;
  result.connection_reused = attempt->connection_reused;
  return result;
}

void HttpTransport::finish(Attempt* attempt, AttemptResult result) {
  const std::uint64_t token = attempt->token;
  unindex_attempt(attempt);
  release_attempt(attempt);
  if (in_start_) {
    deferred_.push_back({token, std::move(result)});
    uv_idle_start(&deliver_idle_, [](uv_idle_t* idle) {
      static_cast<HttpTransport*>(idle->data)->deliver_deferred();
    });
    return;
  }
  sink_.on_attempt_done(token, result);
}

void HttpTransport::deliver_deferred() {
  std::swap(deferred_, delivering_);
  for (const DeferredResult& entry : delivering_) {
    sink_.on_attempt_done(entry.token, entry.result);
  }
  delivering_.clear();
  if (deferred_.empty() && !closing_) {
    uv_idle_stop(&deliver_idle_);
  }
}

void HttpTransport::index_attempt(Attempt* attempt) {
  if (attempt->lane_key >= by_lane_.size()) {
    by_lane_.resize(static_cast<std::size_t>(attempt->lane_key) + 1, nullptr);
  }
  by_lane_[attempt->lane_key] = attempt;
}

void HttpTransport::unindex_attempt(const Attempt* attempt) {
  if (attempt->lane_key < by_lane_.size() && by_lane_[attempt->lane_key] == attempt) {
    by_lane_[attempt->lane_key] = nullptr;
  }
}

}  // namespace rb::http
