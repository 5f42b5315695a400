#include "reports/writers.hpp"

#include <filesystem>
#include <set>
#include <stdexcept>
#include <system_error>

#include "reports/atomic_file.hpp"
#include "reports/csv_reports.hpp"
#include "reports/hgrm.hpp"
#include "reports/html_report.hpp"
#include "reports/junit.hpp"
#include "reports/result_json.hpp"

namespace rb {

namespace {

// A strategy name made safe as a file name: letters, digits, '-', '_' and '.' are kept and
// every other byte becomes '_'.
std::string file_stem(const std::string& name) {
  std::string out;
  for (const char c : name) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    out += safe ? c : '_';
  }
  if (out.empty() || out[0] == '.') {
    out.insert(out.begin(), '_');
  }
  return out;
}

}  // namespace

std::string hgrm_file_name(const std::string& strategy_name) {
  return file_stem(strategy_name) + ".hgrm";
}

std::vector<std::string> write_reports(const RunResult& result, const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    throw std::runtime_error("cannot write " + dir + ": " + error.message());
  }

  std::vector<std::string> written;
  const auto write = [&](const std::string& name, const std::string& content) {
    const std::string path = (std::filesystem::path(dir) / name).string();
    write_file_atomically(path, content);
    written.push_back(path);
  };
  {
    // Streamed: a long run's histograms make result.json the largest file by far.
    const std::string path = (std::filesystem::path(dir) / "result.json").string();
    write_file_atomically(path, [&](std::ostream& out) {
      write_result_json(out, result);
      out << '\n';
    });
    written.push_back(path);
  }
  write("summary.csv", summary_csv(result));
  write("timeseries.csv", timeseries_csv(result));
  write("latency.csv", latency_csv(result));
  // Names such as "a/b" and "a_b" map to one file name, so later ones get "-2", "-3" and so on.
  std::set<std::string> hgrm_names;
  for (const StrategyResult& strategy : result.strategies) {
    std::string name = hgrm_file_name(strategy.name);
    for (int n = 2; !hgrm_names.insert(name).second; ++n) {
      name = file_stem(strategy.name) + "-" + std::to_string(n) + ".hgrm";
    }
    write(name, histogram_to_hgrm(strategy.metrics.latency));
  }
  write("junit.xml", junit_xml(result));
  write("report.html", html_report(result));
  return written;
}

}  // namespace rb
