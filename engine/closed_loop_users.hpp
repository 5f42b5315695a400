#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/time.hpp"
#include "engine/load_profile.hpp"

namespace rb {

// How long a closed-loop user waits, at least, after a request that sent no attempt
// (dropped at max_in_flight, failed fast by a budget or breaker). Without a pause such a user
// would start its next request from inside the refusal: unbounded recursion, and in virtual
// time a loop that never advances the clock.
inline constexpr Duration kRefusedRequestPause = from_millis(1);

// How long `user` waits before its next request after one that ended.
inline Duration pause_after(const LoadProfile& load, bool sent) {
  return sent ? load.think_time : std::max(load.think_time, kRefusedRequestPause);
}

// The request budget of closed-loop users: how many requests each user has started, and
// whether it may start another under requests_per_user and max_requests. The live driver
// and the simulator share it so both stop users at the same point.
class ClosedLoopUsers {
 public:
  explicit ClosedLoopUsers(const LoadProfile& load)
      : load_(load), started_(static_cast<std::size_t>(load.open_loop() ? 0 : load.users), 0) {}

  void on_started(std::int64_t user) {
    ++started_[static_cast<std::size_t>(user)];
    ++total_started_;
  }

  bool may_continue(std::int64_t user) const {
    if (load_.requests_per_user > 0 &&
        started_[static_cast<std::size_t>(user)] >= load_.requests_per_user) {
      return false;
    }
    return load_.max_requests <= 0 || total_started_ < load_.max_requests;
  }

 private:
  LoadProfile load_;
  std::vector<std::int64_t> started_;  // requests started, per user
  std::int64_t total_started_ = 0;     // requests started by all users
};

}  // namespace rb
