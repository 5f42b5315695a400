#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/metrics.hpp"

namespace rb {

// The version of the result.json layout. Raise it on any change that an older reader
// would misread; docs/results.md lists what each version added.
inline constexpr int kResultSchemaVersion = 1;

// One evaluated threshold.
struct ThresholdResult {
  std::string strategy;    // the strategy it was evaluated on
  std::string expression;  // as written, for example "p99_ms < 800"
  std::string metric;      // the metric name, for example "p99_ms"
  double actual = 0;       // the metric's value
  double limit = 0;        // the number on the right of the operator
  bool passed = false;
};

// Everything about one strategy's run.
struct StrategyResult {
  std::string name;
  std::string description;
  nlohmann::json config;  // the strategy's settings as result.json shows them
  StrategyMetrics metrics;
  double load_seconds = 0;   // how long its load phase actually ran
  double drain_seconds = 0;  // how long in-flight requests took to finish after it
  nlohmann::json upstreams;  // what each fake upstream saw during this strategy, by name
};

// The whole run: the input of `compare` and `report`, and the source of every report file.
struct RunResult {
  int schema_version = kResultSchemaVersion;
  std::string version;  // retrybench version that produced it
  std::string scenario_name;
  std::string scenario_file;
  std::string mode = "live";  // "live" or "sim"
  std::uint64_t seed = 0;
  double duration_s = 0;               // the load phase's configured length per strategy, seconds
  bool partial = false;                // true when the run was cut short (signal, failure)
  std::string started_at;              // wall-clock start, ISO 8601 UTC
  double wall_seconds = 0;             // elapsed wall time of the whole run
  std::string host;                    // machine name
  std::vector<std::string> endpoints;  // endpoint names, in index order
  std::int64_t shard_index = 0;        // this process's shard, 0-based (0 when not sharded)
  std::int64_t shard_count = 1;        // shards in the run (1 when not sharded)
  std::vector<std::int64_t> merged_shards;  // shard indexes a merged result combines; else empty
  nlohmann::json scenario;                  // the scenario as loaded, secrets redacted
  std::vector<StrategyResult> strategies;
  std::vector<ThresholdResult> thresholds;
};

}  // namespace rb
