#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/endpoint.hpp"
#include "engine/http/http_client_options.hpp"
#include "engine/load_profile.hpp"
#include "engine/metrics.hpp"
#include "engine/pacer.hpp"
#include "engine/request_template.hpp"
#include "engine/strategy/strategy.hpp"

namespace rb {

// A snapshot for the progress line, taken once a second.
struct LiveProgress {
  double elapsed_s = 0;        // since the load phase began
  std::uint64_t requests = 0;  // logical requests so far
  std::uint64_t completed = 0;
  std::uint64_t succeeded = 0;
  std::int64_t p99_us = 0;     // intended-time latency p99 so far
};

// Settings of one live strategy run.
struct LiveRunOptions {
  LoadProfile load;
  ShardSpec shard;
  std::uint64_t seed = 1;
  // Set from a signal handler: stop the pacer and drain. Checked every few milliseconds.
  const std::atomic<bool>* stop_requested = nullptr;
  std::function<void(const LiveProgress&)> on_progress;  // called about once a second
};

// What a live run produced besides the metrics.
struct LiveRunOutcome {
  bool interrupted = false;      // stop_requested cut the load phase short
  double load_seconds = 0;       // how long the load phase actually ran
  double drain_seconds = 0;      // how long in-flight requests took to finish afterwards
};

// Runs one strategy in real time on its own libuv loop: the pacer fires logical requests at
// their intended times, the request flow turns them into attempts over the HTTP transport,
// and the metrics fill as results arrive.
LiveRunOutcome run_live(const StrategyConfig& strategy, const std::vector<Endpoint>& endpoints,
                        const RequestTemplate& request, const http::HttpClientOptions& client,
                        const LiveRunOptions& options, StrategyMetrics& metrics);

}  // namespace rb
