#include "engine/strategy/retry_queue.hpp"

#include <algorithm>

namespace rb {

RetryQueue::RetryQueue(const RetryQueueConfig& config)
    : config_(config),
      ring_(config.enabled ? std::max<std::size_t>(1, config.capacity) : 0),
      spacing_(config.drain_rate > 0 ? from_seconds(1.0 / config.drain_rate) : Duration(0)) {}

bool RetryQueue::push(std::uint64_t key, Duration now, Duration backoff_ends_at) {
  if (ring_.empty() || size_ >= config_.capacity || size_ >= ring_.size()) {
    return false;
  }
  ring_[(head_ + size_) % ring_.size()] = {key, std::max(backoff_ends_at, now + config_.delay)};
  ++size_;
  max_depth_ = std::max(max_depth_, size_);
  return true;
}

std::optional<Duration> RetryQueue::next_release() const {
  if (size_ == 0) {
    return std::nullopt;
  }
  Duration at = ring_[head_].ready_at;
  if (last_release_) {
    at = std::max(at, *last_release_ + spacing_);
  }
  return at;
}

std::optional<std::uint64_t> RetryQueue::pop(Duration now) {
  const auto release = next_release();
  if (!release || *release > now) {
    return std::nullopt;
  }
  const std::uint64_t key = ring_[head_].key;
  head_ = (head_ + 1) % ring_.size();
  --size_;
  last_release_ = now;
  return key;
}

}  // namespace rb
