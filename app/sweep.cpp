#include "app/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "common/json_reader.hpp"
#include "reports/csv.hpp"

namespace rb {

namespace {

[[noreturn]] void sweep_error(const std::string& message) {
  throw ConfigError("<command line>", std::nullopt, "--sweep", message);
}

using Setter = std::function<void(StrategyConfig&, double)>;

// The maximum number of grid points in one run, over every axis and base strategy. Each
// point is a whole simulated run, and all points are built before the first one starts.
constexpr std::size_t kMaxGridPoints = 10'000;

// The largest duration a scenario file accepts, in milliseconds (about 292 years).
constexpr double kMaxMillis = 9.2e12;

// The setter of one sweep key, and the range of values its scenario field accepts.
struct SweepKey {
  Setter set;
  double min = 0;
  double max = kMaxMillis;
  bool above_min = false;  // the value must be above `min`, not equal to it
  bool integer = false;
};

const std::map<std::string, SweepKey>& setters() {
  static const std::map<std::string, SweepKey> kSetters = {
      {"retry.max_attempts",
       {[](StrategyConfig& c, double v) { c.retry.max_attempts = static_cast<int>(v); }, 1, 1000,
        false, true}},
      {"retry.backoff.base_ms",
       {[](StrategyConfig& c, double v) { c.retry.backoff.base = from_millis(v); }}},
      {"retry.backoff.cap_ms",
       {[](StrategyConfig& c, double v) { c.retry.backoff.cap = from_millis(v); }}},
      {"retry.backoff.multiplier",
       {[](StrategyConfig& c, double v) { c.retry.backoff.multiplier = v; }, 1, 100}},
      {"retry.deadline_ms",
       {[](StrategyConfig& c, double v) { c.retry.deadline = from_millis(v); }}},
      {"retry.retry_after.cap_ms",
       {[](StrategyConfig& c, double v) { c.retry.retry_after.cap = from_millis(v); }}},
      {"timeouts.total_ms",
       {[](StrategyConfig& c, double v) { c.timeouts.total = from_millis(v); }, 0, kMaxMillis,
        true}},
      {"timeouts.first_byte_ms",
       {[](StrategyConfig& c, double v) { c.timeouts.first_byte = from_millis(v); }, 0, kMaxMillis,
        true}},
  };
  return kSetters;
}

// Throws when `value` is outside what `key` accepts in a scenario file.
void check_value(const std::string& key, const SweepKey& limits, double value) {
  const bool too_low = limits.above_min ? value <= limits.min : value < limits.min;
  const bool not_integer = limits.integer && value != std::floor(value);
  if (!too_low && value <= limits.max && !not_integer) {
    return;
  }
  sweep_error(fmt::format("invalid value {} for {} (expected {} {} {} to {})", value, key,
                          limits.integer ? "an integer" : "a number",
                          limits.above_min ? "above" : "from", limits.min, limits.max));
}

std::string known_keys() {
  std::string out;
  for (const auto& [key, setter] : setters()) {
    out += (out.empty() ? "" : ", ") + key;
  }
  return out;
}

double parse_number(const std::string& text, const std::string& whole) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value)) {
      return value;
    }
  } catch (const std::exception&) {
    // Reported below with the whole expression.
  }
  sweep_error(fmt::format("invalid number \"{}\" in \"{}\"", text, whole));
}

std::string format_value(double value) {
  return value == std::floor(value) ? fmt::format("{}", static_cast<long long>(value))
                                    : fmt::format("{}", value);
}

}  // namespace

SweepAxis parse_sweep(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos) {
    sweep_error(fmt::format("expected KEY=FROM..TO or KEY=V1,V2, found \"{}\"", text));
  }
  SweepAxis axis;
  axis.key = text.substr(0, equals);
  if (setters().count(axis.key) == 0) {
    sweep_error(fmt::format("unknown key \"{}\" (expected one of: {})", axis.key, known_keys()));
  }
  const std::string values = text.substr(equals + 1);
  if (const auto dots = values.find(".."); dots != std::string::npos) {
    const auto colon = values.find(':', dots);
    const double from = parse_number(values.substr(0, dots), text);
    const double to = parse_number(values.substr(dots + 2, colon - dots - 2), text);
    const double step =
        colon == std::string::npos ? 1.0 : parse_number(values.substr(colon + 1), text);
    if (step <= 0 || to < from || (to - from) / step > 1000) {
      sweep_error(
          fmt::format("invalid range \"{}\" (expected FROM <= TO, a step above 0 and at "
                      "most 1000 points)",
                      values));
    }
    for (double v = from; v <= to + step * 1e-9; v += step) {
      axis.values.push_back(v);
    }
  } else {
    std::size_t start = 0;
    while (start <= values.size()) {
      const auto comma = values.find(',', start);
      axis.values.push_back(parse_number(values.substr(start, comma - start), text));
      if (axis.values.size() > 1000) {
        sweep_error(fmt::format("too many values in \"{}\" (at most 1000)", text));
      }
      if (comma == std::string::npos) {
        break;
      }
      start = comma + 1;
    }
  }
  const SweepKey& limits = setters().at(axis.key);
  for (std::size_t i = 0; i < axis.values.size(); ++i) {
    check_value(axis.key, limits, axis.values[i]);
    // Two points with one value would get one name, and their reports one file.
    if (std::find(axis.values.begin(), axis.values.begin() + i, axis.values[i]) !=
        axis.values.begin() + i) {
      sweep_error(fmt::format("value {} appears twice in \"{}\"", axis.values[i], text));
    }
  }
  return axis;
}

std::vector<StrategyConfig> expand_sweep(const std::vector<StrategyConfig>& strategies,
                                         const std::vector<SweepAxis>& axes) {
  std::size_t grid = strategies.size();
  for (std::size_t i = 0; i < axes.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (axes[j].key == axes[i].key) {
        sweep_error(fmt::format("{} is swept twice; give its values in one --sweep", axes[i].key));
      }
    }
    grid *= std::max<std::size_t>(axes[i].values.size(), 1);
    if (grid > kMaxGridPoints) {
      sweep_error(
          fmt::format("the sweep has more than {} grid points (strategies times the values "
                      "of each key); sweep fewer values or strategies per run",
                      kMaxGridPoints));
    }
  }

  std::vector<StrategyConfig> points = strategies;
  for (const auto& axis : axes) {
    std::vector<StrategyConfig> next;
    const Setter& set = setters().at(axis.key).set;
    for (const auto& base : points) {
      for (double value : axis.values) {
        StrategyConfig point = base;
        set(point, value);
        const std::string label = axis.key + "=" + format_value(value);
        const auto bracket = point.name.find('[');
        point.name = bracket == std::string::npos
                         ? point.name + "[" + label + "]"
                         : point.name.substr(0, point.name.size() - 1) + "," + label + "]";
        next.push_back(std::move(point));
      }
    }
    points = std::move(next);
  }
  return points;
}

std::string sweep_csv(const RunResult& result, const std::vector<SweepAxis>& axes) {
  std::vector<std::string> header = {"strategy", "point"};
  for (const auto& axis : axes) {
    header.push_back(axis.key);
  }
  for (const char* column :
       {"requests", "success_rate", "attempts", "amplification", "p50_ms", "p99_ms", "max_ms"}) {
    header.emplace_back(column);
  }
  std::string out = csv_record(header);

  for (const auto& strategy : result.strategies) {
    const auto bracket = strategy.name.find('[');
    std::vector<std::string> row = {strategy.name.substr(0, bracket), strategy.name};
    for (const auto& axis : axes) {
      // The value is read back from the point's name, where expand_sweep wrote it.
      const std::string tag = axis.key + "=";
      const auto at = strategy.name.find(tag);
      std::string value;
      if (at != std::string::npos) {
        const auto end = strategy.name.find_first_of(",]", at);
        value = strategy.name.substr(at + tag.size(), end - at - tag.size());
      }
      row.push_back(value);
    }
    const StrategyMetrics& m = strategy.metrics;
    row.push_back(csv_number(static_cast<double>(m.requests)));
    row.push_back(csv_number(m.success_rate()));
    row.push_back(csv_number(static_cast<double>(m.attempts)));
    row.push_back(csv_number(m.amplification()));
    row.push_back(csv_number(m.latency.percentile_micros(50) / 1000.0));
    row.push_back(csv_number(m.latency.percentile_micros(99) / 1000.0));
    row.push_back(csv_number(m.latency.max_micros() / 1000.0));
    out += csv_record(row);
  }
  return out;
}

}  // namespace rb
