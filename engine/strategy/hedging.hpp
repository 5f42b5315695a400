#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "common/time.hpp"

namespace rb {

// Settings of hedged requests.
struct HedgeConfig {
  bool enabled = false;
  // Fixed hedge delay, and the delay used until `min_samples` latencies have been observed.
  Duration delay{from_millis(100)};
  // 0: always use `delay`. Otherwise hedge after this percentile (0-100] of the strategy's
  // observed successful attempt latencies.
  double percentile = 0;
  int min_samples = 20;  // latencies needed before the percentile replaces `delay`
};

// When to send a hedge: a fixed delay, or a running percentile of the latest kCapacity
// successful attempt latencies (nearest rank: the ceil(p / 100 x n)-th smallest). The
// percentile is recomputed every kRefreshEvery samples, so a decision reads a cached value
// and allocates nothing.
class HedgePolicy {
 public:
  static constexpr std::size_t kCapacity = 256;
  static constexpr std::size_t kRefreshEvery = 16;

  explicit HedgePolicy(const HedgeConfig& config);

  bool enabled() const { return config_.enabled; }

  // The wait after an attempt starts before its hedge is sent.
  Duration delay() const;

  void observe(Duration latency);

 private:
  void refresh();

  HedgeConfig config_;
  std::array<std::int64_t, kCapacity> samples_{};
  std::array<std::int64_t, kCapacity> scratch_{};
  std::size_t count_ = 0;  // samples stored, at most kCapacity
  std::size_t next_ = 0;   // ring position of the next sample
  std::size_t since_refresh_ = 0;
  std::optional<Duration> cached_;
};

}  // namespace rb
