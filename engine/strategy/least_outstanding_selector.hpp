#pragma once

#include <cstdint>
#include <vector>

#include "engine/strategy/endpoint_selector.hpp"

namespace rb {

// The allowed endpoint with the fewest attempts in flight. Ties go to the first tied endpoint
// at or after a cursor that moves past each choice, so equal endpoints take turns.
class LeastOutstandingSelector : public EndpointSelector {
 public:
  explicit LeastOutstandingSelector(std::size_t count);

  std::size_t select(const SelectContext& context, Duration now, Rng& rng) override;
  void on_attempt_start(std::size_t endpoint, Duration now) override;
  void on_attempt_end(std::size_t endpoint, EndpointOutcome outcome, Duration latency,
                      Duration now) override;

  std::int64_t outstanding(std::size_t endpoint) const { return outstanding_[endpoint]; }

 private:
  std::vector<std::int64_t> outstanding_;
  std::size_t cursor_ = 0;
};

}  // namespace rb
