#pragma once

#include <vector>

#include "common/rng.hpp"
#include "engine/outcome.hpp"
#include "engine/strategy/sliding_window.hpp"

namespace rb {

// Adaptive client-side throttling, from "Handling Overload" in Google's SRE book.
struct ThrottleConfig {
  bool enabled = false;
  double k = 2.0;  // accepts multiplier: lower rejects sooner (the book suggests 2)
  Duration window{from_seconds(120)};  // history of requests and accepts (the book uses 2 min)
  // HTTP statuses that mean the upstream rejected the attempt rather than accepting it.
  std::vector<int> reject_statuses{429, 503};
};

// Rejects an attempt locally with probability max(0, (requests - K x accepts) /
// (requests + 1)), where requests counts every attempt the client wanted to send in the
// window (those rejected locally included) and accepts counts the attempts the upstream
// accepted: a success, or an HTTP status outside reject_statuses. Timeouts and connection
// errors are not accepts.
class AdaptiveThrottle {
 public:
  explicit AdaptiveThrottle(const ThrottleConfig& config);

  double reject_probability(Duration now) const;

  // Counts one request and returns false when it is rejected locally.
  bool admit(Duration now, Rng& rng);

  void on_attempt_result(Duration now, const AttemptResult& result);

  bool enabled() const { return config_.enabled; }

 private:
  ThrottleConfig config_;
  SlidingWindow window_;  // total: requests, hits: accepts
};

}  // namespace rb
