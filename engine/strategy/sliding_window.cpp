#include "engine/strategy/sliding_window.hpp"

#include <algorithm>

namespace rb {

SlidingWindow::SlidingWindow(Duration window)
    : width_ns_(std::max<std::int64_t>(1, window.count() / static_cast<std::int64_t>(kBuckets))) {}

void SlidingWindow::add(Duration now, std::uint64_t total, std::uint64_t hits) {
  const std::int64_t index = index_of(now);
  Bucket& bucket = buckets_[static_cast<std::size_t>(index) % kBuckets];
  if (bucket.index != index) {
    bucket = Bucket{index, 0, 0};
  }
  bucket.total += total;
  bucket.hits += hits;
}

SlidingWindow::Totals SlidingWindow::totals(Duration now) const {
  const std::int64_t current = index_of(now);
  Totals out;
  for (const Bucket& bucket : buckets_) {
    if (bucket.index >= 0 && bucket.index <= current &&
        bucket.index > current - static_cast<std::int64_t>(kBuckets)) {
      out.total += bucket.total;
      out.hits += bucket.hits;
    }
  }
  return out;
}

void SlidingWindow::clear() {
  buckets_.fill(Bucket{});
}

}  // namespace rb
