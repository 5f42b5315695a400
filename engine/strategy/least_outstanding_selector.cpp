#include "engine/strategy/least_outstanding_selector.hpp"

namespace rb {

LeastOutstandingSelector::LeastOutstandingSelector(std::size_t count) : outstanding_(count, 0) {}

std::size_t LeastOutstandingSelector::select(const SelectContext& context, Duration, Rng&) {
  const std::size_t count = outstanding_.size();
  std::size_t best = next_allowed(context, cursor_, count);
  for (std::size_t step = 0; step < count; ++step) {
    const std::size_t candidate = (cursor_ + step) % count;
    if (context.allowed(candidate) && outstanding_[candidate] < outstanding_[best]) {
      best = candidate;
    }
  }
  cursor_ = (best + 1) % count;
  return best;
}

void LeastOutstandingSelector::on_attempt_start(std::size_t endpoint, Duration) {
  ++outstanding_[endpoint];
}

// Every started attempt ends exactly once here, cancelled ones included.
void LeastOutstandingSelector::on_attempt_end(std::size_t endpoint, EndpointOutcome, Duration,
                                              Duration) {
  if (outstanding_[endpoint] > 0) {
    --outstanding_[endpoint];
  }
}

}  // namespace rb
