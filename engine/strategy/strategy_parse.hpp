#pragma once

#include "common/json_reader.hpp"
#include "engine/strategy/strategy.hpp"

namespace rb {

// Reads a strategy from the scenario: either a preset name as a string, or an object with
// an optional "preset" to start from and fields that override it. `timeouts` are the
// scenario's defaults. Throws ConfigError naming the path of any bad field.
StrategyConfig parse_strategy(const JsonNode& node, const AttemptTimeouts& timeouts);

// Reads per-attempt timeouts ("connect", "first_byte", "total") over `defaults`.
AttemptTimeouts parse_timeouts(const JsonNode& node, const AttemptTimeouts& defaults);

}  // namespace rb
