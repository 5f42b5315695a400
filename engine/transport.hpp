#pragma once

#include <cstdint>

#include "common/time.hpp"
#include "engine/outcome.hpp"

namespace rb {

// Lane keys stay below this bound: 2^24 request slots with two lanes each.
inline constexpr std::uint32_t kMaxLaneKeys = std::uint32_t{1} << 25;

// One attempt that the request flow hands to a transport.
struct AttemptSpec {
  std::uint64_t token = 0;  // opaque to the transport; handed back with the result
  // A number below kMaxLaneKeys that no other attempt in flight has at the same time. The
  // request flow derives it from the request's slot and lane, so a transport may keep its
  // attempts in an array indexed by it instead of a map keyed by token.
  std::uint32_t lane_key = 0;
  std::uint64_t request_id = 0;  // the logical request, for logs
  std::size_t endpoint = 0;      // index into the run's endpoint list
  Duration started_at{0};        // clock time at which the attempt starts
  Duration deadline_at{0};       // the attempt must end by then (0: only its own timeouts)
  // Which prepared request to send: 0 is the scenario's request, i > 0 the fallback variant
  // i (see request_variants() in engine/strategy/fallback.hpp). A transport that prepared
  // fewer variants sends variant 0.
  std::uint32_t variant = 0;
};

// Receives the end of each attempt. Called exactly once per started attempt, unless the
// attempt was cancelled, in which case it is never called.
class AttemptSink {
 public:
  virtual ~AttemptSink() = default;
  virtual void on_attempt_done(std::uint64_t token, const AttemptResult& result) = 0;
};

// Sends attempts to endpoints: real sockets in live runs, a fault model in simulated ones.
class Transport {
 public:
  virtual ~Transport() = default;

  // Starts an attempt. The result arrives later through the sink, never from inside start().
  virtual void start(const AttemptSpec& spec) = 0;

  // Abandons the attempt in flight that was started with this token and lane key; its
  // result is never delivered.
  virtual void cancel(std::uint64_t token, std::uint32_t lane_key) = 0;
};

// The clock and timers that the request flow runs on. The driver that owns the scheduler
// delivers each timer back to the request flow with RequestFlow::on_timer(token).
class Scheduler {
 public:
  virtual ~Scheduler() = default;

  virtual Duration now() const = 0;

  // Arranges for the token to come back at or after `at`.
  virtual void schedule(Duration at, std::uint64_t token) = 0;
};

}  // namespace rb
