#include <cstdio>
#include <stdexcept>
#include <string>

#include "app/commands.hpp"
#include "reports/compare.hpp"
#include "reports/result_json.hpp"

namespace rb {

namespace {

int run_compare(const std::string& baseline_file, const std::string& current_file,
                const std::string& tolerance_text) {
  try {
    const double tolerance = parse_tolerance(tolerance_text);
    const RunResult baseline = load_result_file(baseline_file);
    const RunResult current = load_result_file(current_file);
    const Comparison comparison = compare_results(baseline, current, tolerance);
    std::fputs(format_comparison(comparison, tolerance).c_str(), stdout);
    return comparison.has_regression() ? kExitThresholdFailed : kExitOk;
  } catch (const ResultFileError& e) {
    std::fprintf(stderr, "retrybench compare: %s\n", e.what());
  } catch (const CompareMismatch& e) {
    std::fprintf(stderr, "retrybench compare: cannot compare %s with %s: %s\n",
                 baseline_file.c_str(), current_file.c_str(), e.what());
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "retrybench compare: %s\n", e.what());
  }
  return kExitInvalidInput;
}

}  // namespace

void add_compare_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand(
      "compare",
      "Compare a run with a baseline per strategy and metric; exit 1 on a regression beyond "
      "the tolerance, 2 when the files cannot be compared");
  auto baseline = std::make_shared<std::string>();
  auto current = std::make_shared<std::string>();
  auto tolerance = std::make_shared<std::string>("5");
  command->add_option("BASELINE", *baseline, "The baseline result.json")->required();
  command->add_option("CURRENT", *current, "The result.json of the run to check")->required();
  command
      ->add_option("--tolerance", *tolerance,
                   "Allowed change before a metric counts as a regression, in percent of the "
                   "baseline value (\"5\" or \"5%\")")
      ->capture_default_str();
  command->callback([&exit_code, baseline, current, tolerance] {
    exit_code = run_compare(*baseline, *current, *tolerance);
  });
}

}  // namespace rb
