#pragma once

#include <cstdint>
#include <vector>

#include "engine/strategy/endpoint_selector.hpp"

namespace rb {

// The allowed endpoint with the highest health score, ties to the lowest index:
//
//   score = 70 x success rate + 30 x (1 - min(latency EWMA / 1000 ms, 1))
//
// with success rate = successes / (successes + errors). An endpoint that has not succeeded
// yet scores 0. The latency EWMA covers successful attempts only: the first sets it, each
// later one updates it to alpha x latency + (1 - alpha) x EWMA.
//
// Error decay: let e be the time of the endpoint's last error. At any time t >= e the
// endpoint's error count is reduced by floor((t - e) / period), never below 0, and e moves
// forward by that many periods, so one error is forgotten per full period without a new
// error. Successes never decay. Cancelled attempts count as neither.
class HealthScoreSelector : public EndpointSelector {
 public:
  HealthScoreSelector(std::size_t count, double latency_alpha, Duration error_decay);

  std::size_t select(const SelectContext& context, Duration now, Rng& rng) override;
  void on_attempt_end(std::size_t endpoint, EndpointOutcome outcome, Duration latency,
                      Duration now) override;

  // The score at `now`, from 0 to 100, with errors decayed up to `now`.
  double score(std::size_t endpoint, Duration now) const;
  std::uint64_t errors(std::size_t endpoint, Duration now) const;

 private:
  struct Health {
    std::uint64_t successes = 0;
    std::uint64_t errors = 0;
    Duration decay_anchor{0};  // last error, or the last decay step after it
    double latency_ewma_ms = 0;
  };

  // Errors forgotten by `now` and the anchor they move to.
  std::uint64_t decay_steps(const Health& health, Duration now) const;
  void apply_decay(Health& health, Duration now) const;

  std::vector<Health> endpoints_;
  double latency_alpha_;
  Duration error_decay_;
};

}  // namespace rb
