#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/time.hpp"

namespace rb {

// One stage of a `steps` profile.
struct LoadStep {
  double rate = 0;          // logical requests per second during this stage
  Duration duration{0};     // length of this stage
};

// How logical requests arrive. Open-loop kinds fix each request's intended start time in
// advance; the closed-loop `users` kind starts a request when a user's previous one ends.
struct LoadProfile {
  enum class Kind { kConstant, kRamp, kSteps, kPoisson, kUsers };

  Kind kind = Kind::kConstant;
  double rate = 10;                 // requests per second (constant, poisson)
  double rate_from = 0;             // ramp start rate, requests per second
  double rate_to = 0;               // ramp end rate, requests per second
  std::vector<LoadStep> steps;      // steps profile stages, in order
  std::int64_t users = 0;           // closed loop: concurrent users
  Duration think_time{0};           // closed loop: pause between a user's requests
  std::int64_t requests_per_user = 0;  // closed loop: requests each user sends; 0 = unlimited

  Duration duration{from_seconds(10)};  // length of the load phase
  std::int64_t max_in_flight = 10000;   // logical requests in flight; beyond it they drop
  std::int64_t max_requests = 0;        // stop after this many logical requests; 0 = no limit
  Duration grace{from_seconds(5)};      // how long in-flight requests may finish after the end

  bool open_loop() const { return kind != Kind::kUsers; }
};

std::string load_kind_name(LoadProfile::Kind kind);

}  // namespace rb
