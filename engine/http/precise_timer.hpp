#pragma once

#include <uv.h>

#include "common/time.hpp"

namespace rb::http {

// A one-shot timer on a libuv loop with nanosecond resolution, for the open-loop pacer.
// libuv's own timers count whole milliseconds, which would make requests up to a millisecond
// late. This one is a Linux timerfd on CLOCK_MONOTONIC, the clock of uv_hrtime, watched with
// uv_poll, so the kernel wakes the loop at the intended time (plus the timer slack, about
// 50 µs by default). Calls must come from the loop's thread.
class PreciseTimer {
 public:
  using Callback = void (*)(void* data);

  // Throws std::runtime_error when the timerfd cannot be created or watched.
  PreciseTimer(uv_loop_t* loop, Callback callback, void* data);
  // The handle must be closed with close() and the loop run before destruction.
  ~PreciseTimer() = default;
  PreciseTimer(const PreciseTimer&) = delete;
  PreciseTimer& operator=(const PreciseTimer&) = delete;

  // Arms the timer for `at` on the uv_hrtime clock, replacing any earlier setting. A time
  // that has passed fires on the next loop iteration.
  void start_at(Duration at);
  void stop();
  // Closes the handle; the descriptor is closed once libuv has let go of it.
  void close();

  // The time the timer is armed for, or Duration::max() when it is stopped.
  Duration armed_at() const { return armed_at_; }

 private:
  static void on_readable(uv_poll_t* handle, int status, int events);
  static void on_closed(uv_handle_t* handle);

  uv_poll_t poll_{};
  int fd_ = -1;
  Callback callback_;
  void* data_;
  Duration armed_at_ = Duration::max();
  bool closed_ = false;
};

}  // namespace rb::http
