#include <cstdio>
#include <stdexcept>
#include <string>

#include "app/commands.hpp"
#include "reports/result_json.hpp"
#include "reports/writers.hpp"

namespace rb {

namespace {

// Default output folder: the folder that contains the result file.
std::string folder_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

int run_report(const std::string& result_file, std::string out_dir) {
  RunResult result;
  try {
    result = load_result_file(result_file);
  } catch (const ResultFileError& e) {
    std::fprintf(stderr, "retrybench report: %s\n", e.what());
    return kExitInvalidInput;
  }
  if (out_dir.empty()) {
    out_dir = folder_of(result_file);
  }
  try {
    for (const std::string& path : write_reports(result, out_dir)) {
      std::printf("wrote %s\n", path.c_str());
    }
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "retrybench report: %s\n", e.what());
    return kExitRunFailed;
  }
  return kExitOk;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand(
      "report", "Regenerate every report file (CSV, .hgrm, HTML, JUnit XML) from a result.json");
  auto result_file = std::make_shared<std::string>();
  auto out_dir = std::make_shared<std::string>();
  command->add_option("RESULT", *result_file, "A result.json written by `retrybench run`")
      ->required();
  command->add_option("--out", *out_dir,
                      "Folder to write the files into (default: the folder of RESULT)");
  command->callback(
      [&exit_code, result_file, out_dir] { exit_code = run_report(*result_file, *out_dir); });
}

}  // namespace rb
