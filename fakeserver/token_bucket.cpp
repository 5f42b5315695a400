#include "fakeserver/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace rb {

TokenBucket::TokenBucket(double rps, double burst, Duration now)
    : rps_(rps), burst_(burst), tokens_(burst), last_(now) {}

void TokenBucket::reconfigure(double rps, double burst, Duration now) {
  refill(now);
  rps_ = rps;
  burst_ = burst;
  tokens_ = std::min(tokens_, burst_);
}

void TokenBucket::refill(Duration now) {
  tokens_ = tokens(now);
  last_ = std::max(last_, now);
}

double TokenBucket::tokens(Duration now) const {
  if (now <= last_) {
    return tokens_;
  }
  return std::min(burst_, tokens_ + to_seconds(now - last_) * rps_);
}

bool TokenBucket::try_take(Duration now) {
  refill(now);
  // The small tolerance keeps float rounding from losing a token that is due exactly now.
  if (tokens_ + 1e-9 < 1.0) {
    return false;
  }
  tokens_ = std::max(0.0, tokens_ - 1.0);
  return true;
}

Duration TokenBucket::seconds_for(double missing) const {
  if (missing <= 0) {
    return Duration(0);
  }
  return Duration(static_cast<std::int64_t>(std::ceil(missing / rps_ * 1e9)));
}

Duration TokenBucket::time_until_token(Duration now) const {
  return seconds_for(1.0 - tokens(now));
}

Duration TokenBucket::time_until_full(Duration now) const {
  return seconds_for(burst_ - tokens(now));
}

}  // namespace rb
