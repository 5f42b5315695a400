#pragma once

#include "app/run_settings.hpp"
#include "app/scenario.hpp"
#include "reports/result.hpp"

namespace rb {

// Runs every strategy of the scenario in real time, one after another, against its real
// upstreams and its fake ones (started here on their own thread and reset before each
// strategy, so every strategy meets the same conditions). Throws std::runtime_error when
// the run cannot start.
RunResult run_scenario_live(const Scenario& scenario, const RunSettings& settings);

}  // namespace rb
