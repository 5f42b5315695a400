#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "fakeserver/fault_model.hpp"

namespace rb {

// What one fake endpoint received and answered since its start or last reset.
struct EndpointStats {
  std::string name;               // endpoint name from the profile
  std::string address;            // "127.0.0.1:PORT"
  std::uint64_t connections = 0;  // connections accepted
  std::uint64_t received = 0;     // complete requests parsed
  std::uint64_t malformed = 0;    // requests rejected as malformed (400, 413, 431)
  std::uint64_t answered = 0;     // responses sent, including truncated ones
  std::map<int, std::uint64_t> answered_by_status;  // responses per HTTP status
  std::map<std::string, std::uint64_t> faults;      // injected faults per kind, non-zero only
  CapacityCounters capacity;                        // capacity state at the time of the snapshot
};

// The JSON form served at /__stats and written into results.
nlohmann::json to_json(const EndpointStats& stats);

// The counters an endpoint updates on its serving thread; cheap to bump, copied into
// EndpointStats on request.
struct EndpointCounters {
  std::uint64_t connections = 0;
  std::uint64_t received = 0;
  std::uint64_t malformed = 0;
  std::uint64_t answered = 0;
  std::array<std::uint64_t, 600> by_status{};
  std::array<std::uint64_t, static_cast<std::size_t>(FaultKind::kCount)> faults{};

  void count_answer(int status);
  void count_fault(FaultKind kind);
  void fill(EndpointStats& stats) const;
};

}  // namespace rb
