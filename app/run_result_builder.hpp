#pragma once

#include <chrono>
#include <nlohmann/json.hpp>

#include "app/run_settings.hpp"
#include "app/scenario.hpp"
#include "reports/result.hpp"

namespace rb {

// Collects a run's metadata and per-strategy results into a RunResult; the live and the
// simulated runners share it so both produce the same schema.
class RunResultBuilder {
 public:
  RunResultBuilder(const Scenario& scenario, const RunSettings& settings);

  void add_strategy(const StrategyConfig& strategy, StrategyMetrics metrics, double load_seconds,
                    double drain_seconds, nlohmann::json upstreams);
  void mark_partial() { result_.partial = true; }
  RunResult finish();

 private:
  RunResult result_;
  std::chrono::steady_clock::time_point started_;
};

// The strategy's settings as result files show them.
nlohmann::json strategy_to_json(const StrategyConfig& strategy);

}  // namespace rb
