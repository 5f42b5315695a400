#include <cstdio>
#include <string>

#include "reports/metric_catalog.hpp"
#include "reports/writers.hpp"

namespace rb {

namespace {

constexpr int kNameWidth = 28;  // longer strategy names are cut with "~"

const char* const kBold = "\033[1m";
const char* const kGreen = "\033[32m";
const char* const kRed = "\033[31m";
const char* const kReset = "\033[0m";

std::string fit_name(const std::string& name) {
  if (name.size() <= static_cast<std::size_t>(kNameWidth)) {
    return name;
  }
  return name.substr(0, kNameWidth - 1) + "~";
}

std::string format_row(const std::string& name, const StrategyMetrics& m, bool color) {
  const double rate = m.success_rate() * 100.0;
  char line[160];
  std::snprintf(
      line, sizeof line, "%-*s %8.2f %9.1f %9.1f %9.1f %6.2f %10llu %8llu", kNameWidth,
      fit_name(name).c_str(), rate, static_cast<double>(m.latency.percentile_micros(50)) / 1000.0,
      static_cast<double>(m.latency.percentile_micros(99)) / 1000.0,
      static_cast<double>(m.latency.max_micros()) / 1000.0, m.amplification(),
      static_cast<unsigned long long>(m.attempts), static_cast<unsigned long long>(m.failed));
  if (!color) {
    return line;
  }
  const char* tint = m.failed == 0 ? kGreen : (rate < 90.0 ? kRed : "");
  return std::string(tint) + line + kReset;
}

}  // namespace

// Columns: name 28, success 8, three latencies 9 each, amplification 6, attempts 10 and
// failed 8, with single spaces between: 95 characters.
std::string format_comparison_table(const RunResult& result, bool color) {
  char header[160];
  std::snprintf(header, sizeof header, "%-*s %8s %9s %9s %9s %6s %10s %8s", kNameWidth, "strategy",
                "success%", "p50 ms", "p99 ms", "max ms", "ampl", "attempts", "failed");
  std::string out = color ? std::string(kBold) + header + kReset : std::string(header);
  out += '\n';
  for (const StrategyResult& strategy : result.strategies) {
    out += format_row(strategy.name, strategy.metrics, color);
    out += '\n';
  }
  if (result.partial) {
    out += "(partial run: cut short before every strategy finished)\n";
  }
  return out;
}

}  // namespace rb
