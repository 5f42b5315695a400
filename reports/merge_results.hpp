#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "reports/result.hpp"
#include "reports/threshold.hpp"

namespace rb {

// Shard results that cannot be merged: another scenario, strategy list, mode or schema
// version, or a missing or repeated shard index.
class MergeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Merges the results of the shards of one run into one result: counts add and histograms
// merge without loss. `files` names each result in errors. Throws MergeError.
RunResult merge_results(const std::vector<RunResult>& shards,
                        const std::vector<std::string>& files);

// Reads the thresholds of the scenario a result embeds ("thresholds" in result.scenario).
std::vector<ThresholdSpec> thresholds_of_scenario(const nlohmann::json& scenario);

}  // namespace rb
