#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "reports/json_fields.hpp"
#include "reports/merge_results.hpp"
#include "reports/result_json.hpp"
#include "reports/writers.hpp"

namespace rb {

namespace {

int run_merge(const std::vector<std::string>& files, const std::string& out_dir) {
  std::vector<RunResult> shards;
  try {
    for (const auto& file : files) {
      shards.push_back(load_result_file(file));
    }
  } catch (const ResultFileError& e) {
    std::fprintf(stderr, "retrybench merge: %s\n", e.what());
    return kExitInvalidInput;
  }

  RunResult merged;
  try {
    merged = merge_results(shards, files);
  } catch (const MergeError& e) {
    std::fprintf(stderr, "retrybench merge: %s\n", e.what());
    return kExitInvalidInput;
  }
  // Thresholds are judged again on the whole run, not per shard.
  merged.thresholds = evaluate_thresholds(thresholds_of_scenario(merged.scenario), merged);

  try {
    write_reports(merged, out_dir);
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "retrybench merge: %s\n", e.what());
    return kExitRunFailed;
  }
  std::fputs(format_comparison_table(merged, false).c_str(), stdout);
  std::printf("merged %zu shard results into %s/\n", shards.size(), out_dir.c_str());

  bool failed = false;
  for (const auto& threshold : merged.thresholds) {
    if (!threshold.passed) {
      std::printf("threshold failed: %s: %s (actual %.6g, limit %.6g)\n",
                  threshold.strategy.c_str(), threshold.expression.c_str(), threshold.actual,
                  threshold.limit);
      failed = true;
    }
  }
  return failed ? kExitThresholdFailed : kExitOk;
}

}  // namespace

void add_merge_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand(
      "merge",
      "Merge the result.json files of the shards of one run (run --shard I/N) into one result: "
      "counts add and histograms merge without loss; then write every report and check the "
      "scenario's thresholds on the merged result");
  auto files = std::make_shared<std::vector<std::string>>();
  auto out_dir = std::make_shared<std::string>("retrybench-out/merged");
  command->add_option("RESULTS", *files, "The shards' result.json files")->required();
  command->add_option("--out", *out_dir, "Folder for the merged reports")->capture_default_str();
  command->callback([&exit_code, files, out_dir] { exit_code = run_merge(*files, *out_dir); });
}

}  // namespace rb
