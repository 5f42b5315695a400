#include "reports/merge_results.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/metrics_merge.hpp"

namespace rb {

namespace {

std::vector<std::string> strategy_names(const RunResult& result) {
  std::vector<std::string> names;
  for (const auto& strategy : result.strategies) {
    names.push_back(strategy.name);
  }
  return names;
}

void check_same_run(const RunResult& first, const RunResult& other, const std::string& file,
                    const std::string& first_file) {
  auto mismatch = [&](const std::string& what, const std::string& a, const std::string& b) {
    throw MergeError(fmt::format("cannot merge {}: its {} is \"{}\" but {} has \"{}\"", file, what,
                                 b, first_file, a));
  };
  if (other.schema_version != first.schema_version) {
    mismatch("schema version", std::to_string(first.schema_version),
             std::to_string(other.schema_version));
  }
  if (other.scenario_name != first.scenario_name) {
    mismatch("scenario", first.scenario_name, other.scenario_name);
  }
  if (other.mode != first.mode) {
    mismatch("mode", first.mode, other.mode);
  }
  if (strategy_names(other) != strategy_names(first)) {
    mismatch("strategy list", fmt::format("{}", fmt::join(strategy_names(first), ", ")),
             fmt::format("{}", fmt::join(strategy_names(other), ", ")));
  }
  if (other.endpoints != first.endpoints) {
    mismatch("endpoint list", fmt::format("{}", fmt::join(first.endpoints, ", ")),
             fmt::format("{}", fmt::join(other.endpoints, ", ")));
  }
  if (other.shard_count != first.shard_count) {
    mismatch("shard count", std::to_string(first.shard_count), std::to_string(other.shard_count));
  }
  if (other.seed != first.seed) {
    mismatch("seed", std::to_string(first.seed), std::to_string(other.seed));
  }
  if (other.duration_s != first.duration_s) {
    mismatch("duration", fmt::format("{} s", first.duration_s),
             fmt::format("{} s", other.duration_s));
  }
  if (other.scenario != first.scenario) {
    // Command-line overrides such as --rate are written into the stored scenario.
    throw MergeError(fmt::format(
        "cannot merge {}: its scenario differs from the one in {} (a flag such as --rate, "
        "--duration or --strategy was given to one shard and not the other)",
        file, first_file));
  }
}

// A file that merge wrote covers several shards already; merging it again with one of them
// would count that shard twice.
void check_not_merged(const RunResult& result, const std::string& file) {
  if (!result.merged_shards.empty()) {
    throw MergeError(fmt::format(
        "{} is already a merge of shards {}; merge the shards' own result files instead", file,
        fmt::join(result.merged_shards, ", ")));
  }
}

// Throws when adding `from`'s request or attempt count to `into`'s would wrap 64 bits.
void check_sums_fit(const StrategyMetrics& into, const StrategyMetrics& from,
                    const std::string& file) {
  std::uint64_t sum = 0;
  if (__builtin_add_overflow(into.requests, from.requests, &sum) ||
      __builtin_add_overflow(into.attempts, from.attempts, &sum)) {
    throw MergeError(fmt::format("cannot merge {}: a request count overflows 64 bits", file));
  }
}

// Every index from 0 to count - 1 must appear exactly once.
void check_shard_indexes(const std::vector<RunResult>& shards,
                         const std::vector<std::string>& files) {
  const std::int64_t count = shards.front().shard_count;
  std::map<std::int64_t, std::string> seen;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const std::int64_t index = shards[i].shard_index;
    auto [it, inserted] = seen.emplace(index, files[i]);
    if (!inserted) {
      throw MergeError(fmt::format("shard {} of {} appears twice: in {} and {}", index, count,
                                   it->second, files[i]));
    }
  }
  std::vector<std::string> missing;
  for (std::int64_t index = 0; index < count; ++index) {
    if (seen.count(index) == 0) {
      missing.push_back(std::to_string(index));
    }
  }
  if (!missing.empty()) {
    throw MergeError(
        fmt::format("shard {} of {} is missing (indexes run from 0 to {}); merge "
                    "every shard's result.json",
                    fmt::join(missing, ", "), count, count - 1));
  }
}

}  // namespace

RunResult merge_results(const std::vector<RunResult>& shards,
                        const std::vector<std::string>& files) {
  if (shards.empty()) {
    throw MergeError("no results to merge");
  }
  for (std::size_t i = 0; i < shards.size(); ++i) {
    check_not_merged(shards[i], files[i]);
  }
  for (std::size_t i = 1; i < shards.size(); ++i) {
    check_same_run(shards.front(), shards[i], files[i], files.front());
  }
  check_shard_indexes(shards, files);

  RunResult merged = shards.front();
  merged.shard_index = 0;
  merged.merged_shards.clear();
  merged.thresholds.clear();
  for (std::size_t s = 0; s < merged.strategies.size(); ++s) {
    merged.strategies[s].upstreams = nlohmann::json::array();
  }
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const RunResult& shard = shards[i];
    merged.merged_shards.push_back(shard.shard_index);
    merged.partial = merged.partial || shard.partial;
    merged.wall_seconds = std::max(merged.wall_seconds, shard.wall_seconds);
    for (std::size_t s = 0; s < merged.strategies.size(); ++s) {
      StrategyResult& into = merged.strategies[s];
      const StrategyResult& from = shard.strategies[s];
      if (i > 0) {
        check_sums_fit(into.metrics, from.metrics, files[i]);
        merge_metrics(into.metrics, from.metrics);
        into.load_seconds = std::max(into.load_seconds, from.load_seconds);
        into.drain_seconds = std::max(into.drain_seconds, from.drain_seconds);
      }
      into.upstreams.push_back({{"shard", shard.shard_index}, {"upstreams", from.upstreams}});
    }
  }
  std::sort(merged.merged_shards.begin(), merged.merged_shards.end());
  return merged;
}

std::vector<ThresholdSpec> thresholds_of_scenario(const nlohmann::json& scenario) {
  std::vector<ThresholdSpec> specs;
  if (!scenario.is_object() || !scenario.contains("thresholds") ||
      !scenario["thresholds"].is_array()) {
    return specs;
  }
  for (const auto& entry : scenario["thresholds"]) {
    ThresholdSpec spec;
    if (entry.is_string()) {
      spec.expression = entry.get<std::string>();
    } else if (entry.is_object() && entry.contains("expr") && entry["expr"].is_string()) {
      spec.expression = entry["expr"].get<std::string>();
      if (entry.contains("strategy") && entry["strategy"].is_string()) {
        spec.strategy = entry["strategy"].get<std::string>();
      }
    } else {
      continue;
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace rb
