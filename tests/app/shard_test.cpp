#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/rng.hpp"
#include "engine/metrics_merge.hpp"
#include "fakeserver/fleet.hpp"
#include "reports/merge_results.hpp"
#include "reports/result_json.hpp"

namespace rb {
namespace {

TEST(ShardMerge, HistogramMergeMatchesOneProcess) {
  // The same latencies recorded by one process, or split over four shards and merged.
  Rng rng(11);
  StrategyMetrics whole(1);
  std::vector<StrategyMetrics> shards(4, StrategyMetrics(1));
  for (int i = 0; i < 20000; ++i) {
    const Duration latency = from_micros(std::exp(rng.uniform(0, 14)));
    whole.latency.record(latency);
    ++whole.requests;
    shards[static_cast<std::size_t>(i % 4)].latency.record(latency);
    ++shards[static_cast<std::size_t>(i % 4)].requests;
  }
  StrategyMetrics merged = shards[0];
  for (std::size_t s = 1; s < shards.size(); ++s) {
    merge_metrics(merged, shards[s]);
  }
  EXPECT_EQ(merged.requests, whole.requests);
  for (double p : {50.0, 90.0, 99.0, 99.9, 100.0}) {
    EXPECT_EQ(merged.latency.percentile_micros(p), whole.latency.percentile_micros(p)) << p;
  }
}

RunResult shard_result(std::int64_t index, std::int64_t count) {
  RunResult r;
  r.scenario_name = "s";
  r.endpoints = {"a"};
  r.shard_index = index;
  r.shard_count = count;
  StrategyResult strategy;
  strategy.name = "no-retry";
  strategy.metrics = StrategyMetrics(1);
  strategy.metrics.requests = 10;
  strategy.metrics.succeeded = 10;
  strategy.metrics.attempts = 10;
  r.strategies.push_back(std::move(strategy));
  return r;
}

TEST(ShardMerge, AddsCounts) {
  const RunResult merged =
      merge_results({shard_result(0, 2), shard_result(1, 2)}, {"r0.json", "r1.json"});
  EXPECT_EQ(merged.strategies[0].metrics.requests, 20u);
  EXPECT_EQ(merged.merged_shards, (std::vector<std::int64_t>{0, 1}));
}

TEST(ShardMerge, MissingShardIsNamed) {
  try {
    merge_results({shard_result(0, 4), shard_result(1, 4), shard_result(3, 4)},
                  {"r0.json", "r1.json", "r3.json"});
    FAIL() << "expected a MergeError";
  } catch (const MergeError& e) {
    EXPECT_NE(std::string(e.what()).find("shard 2 of 4 is missing"), std::string::npos) << e.what();
  }
}

// The message of the MergeError that merging `results` throws, or "" when none.
std::string merge_error(const std::vector<RunResult>& results) {
  std::vector<std::string> files;
  for (std::size_t i = 0; i < results.size(); ++i) {
    files.push_back("r" + std::to_string(i) + ".json");
  }
  try {
    merge_results(results, files);
  } catch (const MergeError& e) {
    return e.what();
  }
  return "";
}

TEST(ShardMerge, RejectsMergedInput) {
  const RunResult merged =
      merge_results({shard_result(0, 2), shard_result(1, 2)}, {"r0.json", "r1.json"});
  const std::string message = merge_error({merged, shard_result(1, 2)});
  EXPECT_NE(message.find("already a merge of shards 0, 1"), std::string::npos) << message;
}

TEST(ShardMerge, RejectsOtherSeedDurationOrFlags) {
  RunResult seed = shard_result(1, 2);
  seed.seed = 9;
  EXPECT_NE(merge_error({shard_result(0, 2), seed}).find("seed"), std::string::npos);
  RunResult duration = shard_result(1, 2);
  duration.duration_s = 3;
  EXPECT_NE(merge_error({shard_result(0, 2), duration}).find("duration"), std::string::npos);
  RunResult rate = shard_result(1, 2);
  rate.scenario = {{"load", {{"rate", 300}}}};
  EXPECT_NE(merge_error({shard_result(0, 2), rate}).find("--rate"), std::string::npos);
}

TEST(ShardMerge, RejectsCountOverflow) {
  RunResult a = shard_result(0, 2);
  RunResult b = shard_result(1, 2);
  for (RunResult* r : {&a, &b}) {
    r->strategies[0].metrics.requests = UINT64_MAX - 1;
    r->strategies[0].metrics.succeeded = UINT64_MAX - 1;
  }
  EXPECT_NE(merge_error({a, b}).find("overflows"), std::string::npos);
}

TEST(ShardMerge, RejectsOtherScenario) {
  RunResult other = shard_result(1, 2);
  other.scenario_name = "t";
  EXPECT_THROW(merge_results({shard_result(0, 2), other}, {"a.json", "b.json"}), MergeError);
}

TEST(ShardMerge, RejectsOtherStrategies) {
  RunResult other = shard_result(1, 2);
  other.strategies[0].name = "full-jitter";
  EXPECT_THROW(merge_results({shard_result(0, 2), other}, {"a.json", "b.json"}), MergeError);
}

TEST(ShardMerge, RejectsDuplicateIndex) {
  EXPECT_THROW(merge_results({shard_result(0, 2), shard_result(0, 2)}, {"a.json", "b.json"}),
               MergeError);
}

// Four shard processes against one fake upstream send, after merge, the same number of
// requests as one process at the full rate, and thresholds are judged on the merged result.
TEST(ShardRun, FourProcessesMergeToTheFullRate) {
  FakeEndpointConfig config;
  config.name = "upstream";
  FakeFleet fleet({config}, 5);
  fleet.start();

  const auto dir = std::filesystem::temp_directory_path() / "rb-shard-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto scenario = dir / "s.json";
  std::ofstream(scenario) << R"({"name": "sharded", "upstreams": [{"name": "u", "url": ")"
                          << fleet.base_urls()[0] << R"("}],
    "load": {"rate": 90, "duration": "2s", "grace": "2s"},
    "request": {"method": "GET", "path": "/v1/models"},
    "strategies": ["no-retry"],
    "thresholds": ["requests == 180", "success_rate >= 0.99"]})";

  const std::string binary = RETRYBENCH_BINARY;
  const auto start_at = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() +
                        2;
  std::string command = "set -e; ";
  for (int i = 0; i < 4; ++i) {
    command += binary + " run " + scenario.string() + " --no-progress --shard " +
               std::to_string(i) + "/4 --start-at " + std::to_string(start_at) + " --out " +
               (dir / ("shard" + std::to_string(i))).string() + " >/dev/null 2>&1 & ";
  }
  command += "wait";
  ASSERT_EQ(std::system(("sh -c '" + command + "'").c_str()), 0);

  std::string merge = binary + " merge";
  for (int i = 0; i < 4; ++i) {
    merge += " " + (dir / ("shard" + std::to_string(i)) / "result.json").string();
  }
  merge += " --out " + (dir / "merged").string() + " >/dev/null 2>&1";
  EXPECT_EQ(std::system(merge.c_str()), 0);

  const RunResult merged = load_result_file((dir / "merged" / "result.json").string());
  ASSERT_EQ(merged.strategies.size(), 1u);
  EXPECT_EQ(merged.strategies[0].metrics.requests, 180u);
  EXPECT_EQ(merged.merged_shards.size(), 4u);
  ASSERT_EQ(merged.thresholds.size(), 2u);
  EXPECT_TRUE(merged.thresholds[0].passed);

  // One process at the full rate sends the same number.
  const std::string single = binary + " run " + scenario.string() + " --no-progress --out " +
                             (dir / "single").string() + " >/dev/null 2>&1";
  EXPECT_EQ(std::system(single.c_str()), 0);
  const RunResult whole = load_result_file((dir / "single" / "result.json").string());
  EXPECT_EQ(whole.strategies[0].metrics.requests, merged.strategies[0].metrics.requests);
  fleet.stop();
}

}  // namespace
}  // namespace rb
