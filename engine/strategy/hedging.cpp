#include "engine/strategy/hedging.hpp"

#include <algorithm>
#include <cmath>

namespace rb {

HedgePolicy::HedgePolicy(const HedgeConfig& config) : config_(config) {}

Duration HedgePolicy::delay() const {
  if (config_.percentile <= 0 || !cached_) {
    return config_.delay;
  }
  return *cached_;
}

void HedgePolicy::observe(Duration latency) {
  if (!config_.enabled || config_.percentile <= 0) {
    return;
  }
  samples_[next_] = std::max<std::int64_t>(0, latency.count());
  next_ = (next_ + 1) % kCapacity;
  count_ = std::min(count_ + 1, kCapacity);
  ++since_refresh_;
  const bool first_ready = !cached_ && count_ >= static_cast<std::size_t>(config_.min_samples);
  if (first_ready || (cached_ && since_refresh_ >= kRefreshEvery)) {
    refresh();
  }
}

void HedgePolicy::refresh() {
  since_refresh_ = 0;
  if (count_ == 0) {
    return;
  }
  std::copy_n(samples_.begin(), count_, scratch_.begin());
  const double p = std::min(100.0, config_.percentile);
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  const std::size_t index = std::clamp<std::size_t>(rank, 1, count_) - 1;
  std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(index),
                   scratch_.begin() + static_cast<std::ptrdiff_t>(count_));
  cached_ = Duration(scratch_[index]);
}

}  // namespace rb
