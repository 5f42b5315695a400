#pragma once

#include <cstdint>
#include <vector>

#include "engine/strategy/endpoint_selector.hpp"

namespace rb {

// Power of two choices on a latency EWMA: draw two distinct allowed endpoints uniformly at
// random and take the one with the lower cost = EWMA latency x (attempts in flight + 1).
//
// The EWMA decays with time, not with the sample count: an attempt that ends `dt` after the
// endpoint's previous sample updates it to ewma * w + latency * (1 - w), w = exp(-dt / tau),
// so a sample's weight halves every tau * ln 2. The first sample sets the EWMA. An endpoint
// with no sample has EWMA 0 and so is tried first. A failed attempt counts as
// max(latency, failure_penalty). Cancelled attempts only leave the in-flight count.
class P2cEwmaSelector : public EndpointSelector {
 public:
  P2cEwmaSelector(std::size_t count, Duration decay, Duration failure_penalty);

  std::size_t select(const SelectContext& context, Duration now, Rng& rng) override;
  void on_attempt_start(std::size_t endpoint, Duration now) override;
  void on_attempt_end(std::size_t endpoint, EndpointOutcome outcome, Duration latency,
                      Duration now) override;

  double ewma_ns(std::size_t endpoint) const { return peers_[endpoint].ewma_ns; }
  double cost(std::size_t endpoint) const;

 private:
  struct Peer {
    double ewma_ns = 0;
    bool sampled = false;
    Duration last_sample_at{0};
    std::int64_t outstanding = 0;
  };

  std::vector<Peer> peers_;
  double decay_ns_;
  Duration failure_penalty_;
};

}  // namespace rb
