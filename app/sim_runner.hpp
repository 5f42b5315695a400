#pragma once

#include "app/run_settings.hpp"
#include "app/scenario.hpp"
#include "reports/result.hpp"

namespace rb {

// Runs every strategy of the scenario in virtual time against models of its fake upstreams
// built from their fault profiles. Throws ConfigError when an upstream has no fault profile
// to model it.
RunResult run_scenario_sim(const Scenario& scenario, const RunSettings& settings);

}  // namespace rb
