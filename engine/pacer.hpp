#pragma once

#include <cstdint>
#include <optional>

#include "common/rng.hpp"
#include "engine/load_profile.hpp"

namespace rb {

// Which share of a schedule this process sends: request i of the full schedule belongs to
// shard (i mod count). Shards together send exactly the full schedule.
struct ShardSpec {
  std::int64_t index = 0;
  std::int64_t count = 1;
};

// The open-loop schedule: the intended start time of every logical request, as an offset
// from the start of the load phase. It does no I/O and reads no clock, so it can be tested
// from a table, and the live driver and the simulator walk the same schedule.
class Pacer {
 public:
  Pacer(const LoadProfile& profile, std::uint64_t seed, ShardSpec shard = {});

  // The intended offset of the next request of this shard, or nothing when the schedule has
  // ended (past the profile's duration or its request limit).
  std::optional<Duration> peek() const { return next_; }
  void pop();

  std::int64_t issued() const { return issued_; }  // requests popped so far by this shard

  // Whether the schedule has ended at the profile's request limit (max_requests) rather
  // than at its duration.
  bool reached_request_limit() const {
    return !next_ && profile_.max_requests > 0 && full_index_ >= profile_.max_requests;
  }

 private:
  // The offset of request `index` of the full schedule, or nothing past the end.
  std::optional<Duration> offset_of(std::int64_t index);
  void find_next();

  LoadProfile profile_;
  ShardSpec shard_;
  Rng rng_;
  std::int64_t full_index_ = 0;  // index in the full schedule of the next candidate
  double poisson_at_s_ = 0;      // poisson: arrival time of the last generated request
  std::int64_t poisson_index_ = -1;
  std::optional<Duration> next_;
  std::int64_t issued_ = 0;
};

}  // namespace rb
