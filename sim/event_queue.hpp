#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "common/time.hpp"

namespace rb::sim {

// What a simulated event does when its time comes.
enum class EventKind : std::uint8_t {
  kArrival,     // the pacer's next logical request is due
  kRetryTimer,  // a request flow timer (payload: the flow's token)
  kUserStart,   // a closed-loop user starts its next request (payload: the user)
  kAttemptEnd,  // a simulated attempt ends (payload: the attempt id)
  kCheck,       // the end-of-run check
};

struct Event {
  Duration at{0};
  EventKind kind = EventKind::kCheck;
  std::uint64_t payload = 0;
};

// A queue of events in virtual time, earliest first; equal times pop in insertion order,
// which keeps runs deterministic.
//
// A simulation never schedules an event before the one it is handling (push() moves one
// that would be to the current time), so the queue is a radix heap: bucket i contains the events
// whose time differs from the last popped time first in bit i-1 (bucket 0: the same time). A push
// is one append. A pop takes the front of bucket 0, or, when it is empty, finds the earliest event
// of the lowest non-empty bucket, makes its time the last popped time and spreads that bucket over
// the lower ones. Each event moves down at most 64 times and in practice a few, through contiguous
// memory, where a binary heap pays a cache miss and a mispredicted branch on every level.
//
// Order among equal times: events with the same time always share a bucket, every bucket
// keeps push order and spreading keeps it, so they leave in the order they came.
class EventQueue {
 public:
  void push(Duration at, EventKind kind, std::uint64_t payload) {
    // An event due in the past runs next, as the earliest one.
    at = at < last_ ? last_ : at;
    place(Event{at, kind, payload});
    ++size_;
  }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  // The time of the event pop() returns next, without moving anything: a lower bucket contains
  // only earlier times than a higher one. Precondition: !empty().
  Duration next_time() const {
    if (front_ < buckets_[0].size()) {
      return buckets_[0][front_].at;
    }
    return earliest_[lowest_occupied()];
  }

  // Precondition: !empty().
  Event pop() {
    if (front_ == buckets_[0].size()) {
      refill_front();
    }
    --size_;
    const Event event = buckets_[0][front_++];
    if (front_ == buckets_[0].size()) {
      buckets_[0].clear();
      front_ = 0;
    }
    return event;
  }

 private:
  static constexpr std::size_t kBuckets = 65;

  std::size_t bucket_of(Duration at) const {
    const auto diff = static_cast<std::uint64_t>(at.count() ^ last_.count());
    return diff == 0 ? 0 : static_cast<std::size_t>(64 - std::countl_zero(diff));
  }

  // Buckets 1 to 64 map to bits 0 to 63 of occupied_. Bucket 0 has no bit, because pop()
  // reads it directly.
  static std::uint64_t bit_of(std::size_t index) { return std::uint64_t{1} << (index - 1); }
  std::size_t lowest_occupied() const {
    return static_cast<std::size_t>(std::countr_zero(occupied_)) + 1;
  }

  void place(const Event& event) {
    const std::size_t index = bucket_of(event.at);
    std::vector<Event>& bucket = buckets_[index];
    if (bucket.empty() || event.at < earliest_[index]) {
      earliest_[index] = event.at;
    }
    if (index > 0) {
      occupied_ |= bit_of(index);
    }
    bucket.push_back(event);
  }

  // Precondition: the queue is not empty and bucket 0 has been consumed.
  void refill_front() {
    const std::size_t index = lowest_occupied();
    occupied_ &= ~bit_of(index);
    last_ = earliest_[index];
    std::vector<Event> spread = std::move(buckets_[index]);
    buckets_[index] = std::move(spare_);
    for (const Event& event : spread) {
      place(event);
    }
    spread.clear();
    spare_ = std::move(spread);  // keeps its capacity for the next refill
  }

  std::array<std::vector<Event>, kBuckets> buckets_;
  std::array<Duration, kBuckets> earliest_{};  // earliest time in each non-empty bucket
  std::vector<Event> spare_;                   // an empty vector with capacity
  std::uint64_t occupied_ = 0;                 // non-empty buckets, see bit_of()
  std::size_t front_ = 0;                      // next event of bucket 0
  std::size_t size_ = 0;
  Duration last_{0};
};

}  // namespace rb::sim
