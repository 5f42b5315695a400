#pragma once

#include <string>
#include <vector>

#include "engine/strategy/strategy.hpp"
#include "reports/result.hpp"

namespace rb {

// One swept strategy parameter and the values it takes.
struct SweepAxis {
  std::string key;             // for example "retry.max_attempts"
  std::vector<double> values;  // in the order given
};

// Parses "KEY=FROM..TO" (integers, step 1), "KEY=FROM..TO:STEP" or "KEY=V1,V2,...".
// Throws ConfigError naming --sweep and listing the keys that can be swept.
SweepAxis parse_sweep(const std::string& text);

// Returns one strategy per grid point per base strategy, named "BASE[key=value,...]".
// Throws ConfigError when a key is swept twice or the grid has more than 10,000 points.
std::vector<StrategyConfig> expand_sweep(const std::vector<StrategyConfig>& strategies,
                                         const std::vector<SweepAxis>& axes);

// sweep.csv: one row per grid point with its parameter values and main metrics.
std::string sweep_csv(const RunResult& result, const std::vector<SweepAxis>& axes);

}  // namespace rb
