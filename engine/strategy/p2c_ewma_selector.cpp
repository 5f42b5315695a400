#include "engine/strategy/p2c_ewma_selector.hpp"

#include <algorithm>
#include <cmath>

namespace rb {

P2cEwmaSelector::P2cEwmaSelector(std::size_t count, Duration decay, Duration failure_penalty)
    : peers_(count),
      decay_ns_(std::max(1.0, static_cast<double>(decay.count()))),
      failure_penalty_(failure_penalty) {}

double P2cEwmaSelector::cost(std::size_t endpoint) const {
  const Peer& peer = peers_[endpoint];
  return peer.ewma_ns * static_cast<double>(peer.outstanding + 1);
}

std::size_t P2cEwmaSelector::select(const SelectContext& context, Duration, Rng& rng) {
  const std::size_t count = peers_.size();
  std::size_t allowed = 0;
  for (std::size_t i = 0; i < count; ++i) {
    allowed += context.allowed(i) ? 1 : 0;
  }
  if (allowed <= 1) {
    return next_allowed(context, 0, count);
  }
  // Two distinct ranks among the allowed endpoints: the second skips over the first.
  const std::size_t first_rank = static_cast<std::size_t>(rng.below(allowed));
  std::size_t second_rank = static_cast<std::size_t>(rng.below(allowed - 1));
  if (second_rank >= first_rank) {
    ++second_rank;
  }
  std::size_t first = count;
  std::size_t second = count;
  std::size_t rank = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!context.allowed(i)) {
      continue;
    }
    if (rank == first_rank) {
      first = i;
    }
    if (rank == second_rank) {
      second = i;
    }
    ++rank;
  }
  return cost(second) < cost(first) ? second : first;
}

void P2cEwmaSelector::on_attempt_start(std::size_t endpoint, Duration) {
  ++peers_[endpoint].outstanding;
}

void P2cEwmaSelector::on_attempt_end(std::size_t endpoint, EndpointOutcome outcome,
                                     Duration latency, Duration now) {
  Peer& peer = peers_[endpoint];
  if (peer.outstanding > 0) {
    --peer.outstanding;
  }
  if (outcome == EndpointOutcome::kCancelled) {
    return;
  }
  Duration observed = latency;
  if (outcome == EndpointOutcome::kFailure) {
    observed = std::max(observed, failure_penalty_);
  }
  const double sample = static_cast<double>(std::max(Duration(0), observed).count());
  if (!peer.sampled) {
    peer.ewma_ns = sample;
    peer.sampled = true;
  } else {
    const double elapsed =
        static_cast<double>(std::max(Duration(0), now - peer.last_sample_at).count());
    const double keep = std::exp(-elapsed / decay_ns_);
    peer.ewma_ns = peer.ewma_ns * keep + sample * (1.0 - keep);
  }
  peer.last_sample_at = now;
}

}  // namespace rb
