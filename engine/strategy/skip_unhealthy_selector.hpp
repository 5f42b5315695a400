#pragma once

#include <cstdint>
#include <vector>

#include "engine/strategy/endpoint_selector.hpp"

namespace rb {

// Walks the endpoints in order and takes the first allowed one with fewer than N consecutive
// errors. A first attempt starts the walk at endpoint 0, a retry at the endpoint after the
// previous attempt's. When every endpoint is skipped, the walk's starting endpoint is tried
// anyway (the next one, for a retry). A failure adds one error and a success takes one off
// (never below 0). Cancelled attempts count as neither.
class SkipUnhealthySelector : public EndpointSelector {
 public:
  SkipUnhealthySelector(std::size_t count, int max_consecutive_errors);

  std::size_t select(const SelectContext& context, Duration now, Rng& rng) override;
  void on_attempt_end(std::size_t endpoint, EndpointOutcome outcome, Duration latency,
                      Duration now) override;

  int errors(std::size_t endpoint) const { return errors_[endpoint]; }
  bool skipped(std::size_t endpoint) const { return errors_[endpoint] >= threshold_; }

 private:
  std::vector<int> errors_;
  int threshold_;
};

}  // namespace rb
