#pragma once

#include <atomic>
#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/load_profile.hpp"
#include "engine/metrics.hpp"
#include "engine/pacer.hpp"
#include "engine/request_template.hpp"
#include "engine/strategy/strategy.hpp"
#include "fakeserver/profile.hpp"
#include "sim/sim_transport.hpp"

namespace rb::sim {

// One upstream as the simulator models it.
struct SimUpstream {
  std::string name;
  FaultProfile profile;
  double weight = 1.0;
};

// Settings of one simulated strategy run.
struct SimRunOptions {
  LoadProfile load;
  ShardSpec shard;
  std::uint64_t seed = 1;
  NetworkModel network;
  std::time_t wall_start_unix = 0;  // wall-clock time that virtual time 0 stands for
  // Set from a signal handler: end the simulation early. Checked every few thousand events.
  const std::atomic<bool>* stop_requested = nullptr;
};

struct SimRunOutcome {
  double load_seconds = 0;   // virtual length of the load phase
  double drain_seconds = 0;  // virtual time in-flight requests took to finish afterwards
  std::uint64_t events = 0;  // events processed
  bool interrupted = false;  // stop_requested ended it early
  nlohmann::json upstreams;  // what each modelled upstream saw
};

// Runs one strategy in virtual time: the same pacer, request flow and strategy as a live
// run, against FaultModels of the upstreams. Deterministic for a given seed.
SimRunOutcome run_sim(const StrategyConfig& strategy, const std::vector<SimUpstream>& upstreams,
                      const RequestTemplate& request, const SimRunOptions& options,
                      StrategyMetrics& metrics);

}  // namespace rb::sim
