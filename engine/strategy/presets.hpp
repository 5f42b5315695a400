#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/strategy/strategy.hpp"

namespace rb {

// A named strategy that reproduces a client loop people copy, or a modern baseline.
struct Preset {
  std::string name;
  std::string description;
  StrategyConfig config;
};

const std::vector<Preset>& presets();
std::optional<StrategyConfig> find_preset(const std::string& name);
std::string preset_names();  // comma-separated, for messages

}  // namespace rb
