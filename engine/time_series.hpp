#pragma once

#include <cstdint>
#include <vector>

#include "common/time.hpp"
#include "engine/histogram.hpp"

namespace rb {

// Counts for one second of a run; seconds are numbered from the start of the load phase.
struct SecondStats {
  std::uint64_t sent = 0;       // logical requests started in this second
  std::uint64_t completed = 0;  // logical requests that ended in this second
  std::uint64_t succeeded = 0;  // of those, succeeded
  std::uint64_t failed = 0;     // of those, failed (cancelled included)
  std::uint64_t dropped = 0;    // of `sent`, those never started (not in `completed`)
  std::uint64_t attempts = 0;   // attempts started in this second
  std::int64_t p50_us = 0;      // median latency of the requests completed in this second
  std::int64_t p99_us = 0;      // 99th percentile of the same
  std::vector<std::uint64_t> endpoint_attempts;  // attempts started, per endpoint
};

// Per-second counters. Latencies per second go into one small histogram that is closed
// when a later second begins, so memory stays flat; completions arrive in time order.
class TimeSeries {
 public:
  explicit TimeSeries(std::size_t endpoint_count = 0) : endpoint_count_(endpoint_count) {}

  void on_sent(Duration offset);
  void on_attempt(Duration offset, std::size_t endpoint);
  void on_completed(Duration offset, bool succeeded, Duration latency);
  void on_dropped(Duration offset);
  void finish();  // closes the last open second's percentiles

  const std::vector<SecondStats>& seconds() const { return seconds_; }
  std::vector<SecondStats>& mutable_seconds() { return seconds_; }

 private:
  SecondStats& at(Duration offset);
  void close_percentiles();

  std::size_t endpoint_count_;
  std::vector<SecondStats> seconds_;
  Histogram open_{2};  // latencies of the second being filled
  std::int64_t open_second_ = -1;
};

}  // namespace rb
