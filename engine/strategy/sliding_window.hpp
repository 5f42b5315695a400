#pragma once

#include <array>
#include <cstdint>

#include "common/time.hpp"

namespace rb {

// Two counts (a total and the hits among it) over a sliding window. The window is split into
// kBuckets buckets of window / kBuckets each; a bucket's counts leave the window together, so
// the totals cover between (kBuckets - 1) and kBuckets bucket widths of history. Clock times
// are expected to be non-negative.
class SlidingWindow {
 public:
  static constexpr std::size_t kBuckets = 10;

  struct Totals {
    std::uint64_t total = 0;
    std::uint64_t hits = 0;
  };

  explicit SlidingWindow(Duration window);

  void add(Duration now, std::uint64_t total, std::uint64_t hits);
  Totals totals(Duration now) const;
  void clear();

 private:
  struct Bucket {
    std::int64_t index = -1;  // which bucket width of the clock it counts; -1: empty
    std::uint64_t total = 0;
    std::uint64_t hits = 0;
  };

  std::int64_t index_of(Duration now) const { return now.count() / width_ns_; }

  std::array<Bucket, kBuckets> buckets_{};
  std::int64_t width_ns_;
};

}  // namespace rb
