#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/strategy/endpoint_selector.hpp"
#include "engine/strategy/sliding_window.hpp"

namespace rb {

// Settings of a circuit breaker.
struct BreakerConfig {
  enum class Scope {
    kNone,         // no breaker
    kGlobal,       // one breaker for the strategy: open means every request fails fast
    kPerEndpoint,  // one per endpoint: the selector skips open endpoints
  };
  Scope scope = Scope::kNone;
  int consecutive_failures = 5;  // trips after this many failed attempts in a row; 0 = off
  double failure_rate = 0.5;  // trips when this fraction of the window's attempts failed; 0 = off
  Duration window{from_seconds(10)};  // failure-rate window
  int min_requests = 20;  // attempts the window needs before the failure rate can trip it
  Duration open_duration{from_seconds(5)};  // time open before it lets probes through
  int half_open_probes = 1;  // attempts let through half-open; as many successes close it
};

std::string breaker_scope_name(BreakerConfig::Scope scope);

// One breaker: closed, open, half-open.
//
// Closed: every attempt result is counted; the breaker trips (opens) when the consecutive
// failures reach consecutive_failures, or when the window holds at least min_requests
// attempts and failed / attempts >= failure_rate. Open: nothing is allowed until
// open_duration has passed since it tripped, then it is half-open. Half-open: up to
// half_open_probes attempts are allowed; that many successes close it (counts reset), and
// any failure opens it again. Results of attempts started before the breaker became
// half-open are ignored while it is half-open or open. A cancelled probe gives its slot back.
class CircuitBreaker {
 public:
  enum class State : std::uint8_t { kClosed, kOpen, kHalfOpen };

  explicit CircuitBreaker(const BreakerConfig& config);

  bool allows(Duration now) const;
  State state(Duration now) const;

  void on_attempt_start(Duration now);
  void on_attempt_end(EndpointOutcome outcome, Duration started_at, Duration now);

  std::uint64_t trips() const { return trips_; }

 private:
  void enter_half_open_if_due(Duration now);
  void trip(Duration now);
  void close();

  BreakerConfig config_;
  State state_ = State::kClosed;
  int consecutive_ = 0;
  SlidingWindow window_;  // total: attempts, hits: failures
  Duration opened_at_{0};
  Duration half_open_since_{0};
  int probes_started_ = 0;
  int probe_successes_ = 0;
  std::uint64_t trips_ = 0;
};

// The strategy's breakers: none, one global, or one per endpoint.
class BreakerSet {
 public:
  BreakerSet(const BreakerConfig& config, std::size_t endpoints);

  bool enabled() const { return !breakers_.empty(); }
  bool global() const { return scope_ == BreakerConfig::Scope::kGlobal; }

  // Whether an attempt may go to `endpoint` now.
  bool allows(std::size_t endpoint, Duration now) const;

  // Marks endpoints whose breaker refuses in `excluded` (one byte per endpoint) and returns
  // how many endpoints remain allowed.
  std::size_t mark_excluded(Duration now, std::vector<std::uint8_t>& excluded) const;

  void on_attempt_start(std::size_t endpoint, Duration now);
  void on_attempt_end(std::size_t endpoint, EndpointOutcome outcome, Duration started_at,
                      Duration now);

  std::uint64_t trips() const;
  const CircuitBreaker& breaker(std::size_t index) const { return breakers_[index]; }

 private:
  CircuitBreaker& breaker_for(std::size_t endpoint) { return breakers_[global() ? 0 : endpoint]; }
  const CircuitBreaker& breaker_for(std::size_t endpoint) const {
    return breakers_[global() ? 0 : endpoint];
  }

  BreakerConfig::Scope scope_;
  std::vector<CircuitBreaker> breakers_;
};

}  // namespace rb
