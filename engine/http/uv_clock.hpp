#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>

#include "common/time.hpp"

namespace rb::http {

// The current uv_hrtime as a Duration.
inline Duration now_ns() {
  return Duration(static_cast<std::int64_t>(uv_hrtime()));
}

// The delay in milliseconds to pass to uv_timer_start so that the timer fires no earlier
// than `at` on the uv_hrtime clock. libuv counts timers from the loop's cached millisecond
// time, which never runs ahead of uv_hrtime, so aiming at the rounded-up millisecond holds.
inline std::uint64_t timer_delay_until(uv_loop_t* loop, Duration at) {
  const auto target_ms = std::chrono::ceil<std::chrono::milliseconds>(at).count();
  const auto loop_ms = static_cast<std::int64_t>(uv_now(loop));
  return target_ms > loop_ms ? static_cast<std::uint64_t>(target_ms - loop_ms) : 0;
}

}  // namespace rb::http
