#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/time.hpp"

namespace rb {

// Settings of the retry queue.
struct RetryQueueConfig {
  bool enabled = false;
  std::size_t capacity = 100;  // requests that can wait at once; more fail with queue_full
  double drain_rate = 10;      // requests released per second; 0 = no rate limit
  Duration delay{0};           // minimum time a request waits in the queue
};

// A bounded FIFO of requests waiting to retry. A request enters with the time its backoff
// ends, becomes ready at max(that time, entry + delay), and leaves in arrival order, at most
// one every 1 / drain_rate seconds. A request behind a later-ready head waits for the head.
// Storage is allocated once, at construction.
class RetryQueue {
 public:
  explicit RetryQueue(const RetryQueueConfig& config);

  bool enabled() const { return config_.enabled; }

  // Adds a request; returns false when the queue is full.
  bool push(std::uint64_t key, Duration now, Duration backoff_ends_at);

  // When the head may leave, or nothing when the queue is empty.
  std::optional<Duration> next_release() const;

  // Removes and returns the head when it may leave at `now`.
  std::optional<std::uint64_t> pop(Duration now);

  std::size_t size() const { return size_; }
  std::size_t max_depth() const { return max_depth_; }

 private:
  struct Entry {
    std::uint64_t key = 0;
    Duration ready_at{0};
  };

  RetryQueueConfig config_;
  std::vector<Entry> ring_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::size_t max_depth_ = 0;
  Duration spacing_{0};
  std::optional<Duration> last_release_;
};

}  // namespace rb
