#pragma once

#include "app/run_settings.hpp"
#include "app/scenario.hpp"

namespace rb {

// Builds a scenario from `run --url URL [--rate N | --connections N] ...` without a file.
// Throws ConfigError (with "<command line>" as the file) on bad flags.
Scenario scenario_from_flags(const RunSettings& settings);

}  // namespace rb
