#include "engine/strategy/skip_unhealthy_selector.hpp"

#include <algorithm>

namespace rb {

SkipUnhealthySelector::SkipUnhealthySelector(std::size_t count, int max_consecutive_errors)
    : errors_(count, 0), threshold_(std::max(1, max_consecutive_errors)) {}

std::size_t SkipUnhealthySelector::select(const SelectContext& context, Duration, Rng&) {
  const std::size_t count = errors_.size();
  const std::size_t start = context.previous ? (*context.previous + 1) % count : 0;
  for (std::size_t step = 0; step < count; ++step) {
    const std::size_t candidate = (start + step) % count;
    if (context.allowed(candidate) && !skipped(candidate)) {
      return candidate;
    }
  }
  return next_allowed(context, start, count);
}

void SkipUnhealthySelector::on_attempt_end(std::size_t endpoint, EndpointOutcome outcome, Duration,
                                           Duration) {
  if (outcome == EndpointOutcome::kFailure) {
    ++errors_[endpoint];
  } else if (outcome == EndpointOutcome::kSuccess && errors_[endpoint] > 0) {
    --errors_[endpoint];
  }
}

}  // namespace rb
