#pragma once

#include <chrono>
#include <cstdint>

namespace rb {

// A span of time or a point in time, in nanoseconds. Points are measured from the start of
// the clock that produced them (uv_hrtime in live runs, zero in simulated ones).
using Duration = std::chrono::nanoseconds;

constexpr Duration from_seconds(double seconds) {
  return Duration(static_cast<std::int64_t>(seconds * 1e9));
}

constexpr Duration from_millis(double millis) {
  return Duration(static_cast<std::int64_t>(millis * 1e6));
}

constexpr Duration from_micros(double micros) {
  return Duration(static_cast<std::int64_t>(micros * 1e3));
}

constexpr double to_seconds(Duration d) {
  return static_cast<double>(d.count()) / 1e9;
}

constexpr double to_millis(Duration d) {
  return static_cast<double>(d.count()) / 1e6;
}

}  // namespace rb
