#pragma once

#include "common/time.hpp"

namespace rb {

// A token bucket on an explicit clock: `rps` tokens per second refill it up to `burst`, and
// each admitted request takes one token. Times are durations since the owner's start; they
// must not go backwards between calls.
class TokenBucket {
 public:
  TokenBucket() = default;

  // Sets the rate and size and fills the bucket; `now` is the time of the fill.
  TokenBucket(double rps, double burst, Duration now);

  // Changes rate and size from `now` on, keeping the tokens accrued so far (capped at burst).
  void reconfigure(double rps, double burst, Duration now);

  // Takes one token when at least one is available at `now`; returns whether it did.
  bool try_take(Duration now);

  // Tokens available at `now` (fractional).
  double tokens(Duration now) const;

  // Time from `now` until one whole token is available (0 when one is available now).
  Duration time_until_token(Duration now) const;

  // Time from `now` until the bucket is full again.
  Duration time_until_full(Duration now) const;

  double rps() const { return rps_; }
  double burst() const { return burst_; }

 private:
  void refill(Duration now);
  Duration seconds_for(double tokens) const;

  double rps_ = 1;     // refill rate, tokens per second
  double burst_ = 1;   // capacity, tokens
  double tokens_ = 1;  // tokens at last_
  Duration last_{0};   // time of the last refill
};

}  // namespace rb
