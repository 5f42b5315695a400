#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>

#include "common/time.hpp"

namespace rb::http {

class Connection;
class HttpTransport;

// One attempt in flight, pooled and reused by the transport so that starting an attempt
// allocates nothing once the pool is warm. The timer lives as long as the pool entry.
struct Attempt {
  // The attempt's progress.
  enum class Phase : std::uint8_t {
    kFree,     // in the pool, not in use
    kWaiting,  // waiting for DNS or a connection
    kBound,    // bound to a connection that is still connecting
    kSent,     // the request was written on its connection
  };

  uv_timer_t timer{};  // fires at the earliest of the attempt's time limits
  HttpTransport* owner = nullptr;
  std::uint32_t generation = 0;  // bumped on reuse, so stale queue entries can be skipped
  Phase phase = Phase::kFree;
  std::uint64_t token = 0;
  std::uint32_t lane_key = 0;  // AttemptSpec::lane_key: its place in HttpTransport::by_lane_
  std::uint64_t request_id = 0;
  std::size_t endpoint = 0;
  std::uint32_t variant = 0;   // which prepared request to send (AttemptSpec::variant)
  Duration begin{0};           // uv_hrtime when start() was called
  Duration total_end{0};       // begin plus the total timeout
  Duration deadline{0};        // the request's deadline; 0 when none
  Duration first_byte_end{0};  // write time plus the first-byte timeout; 0 when not waiting
  Duration written_at{0};      // when the request was first handed to uv_write; 0 before
  Duration timer_at{0};        // the limit the running timer was armed for
  Connection* connection = nullptr;
  bool transport_retried = false;  // already resent once after a stale keep-alive connection
  bool needs_fresh = false;        // the next connection must be a new one
  bool connection_reused = false;  // the request went out on a kept-alive connection
};

}  // namespace rb::http
