#include <cmath>
#include <cstdio>

#include "reports/html_sections.hpp"
#include "reports/junit.hpp"
#include "reports/svg_chart.hpp"

namespace rb {

namespace {

// The percentile axis runs over x = log10(1 / (1 - p)): 0 at 0 %, 5 at 99.999 %.
constexpr double kMaxNines = 5.0;

std::vector<ChartTick> percentile_ticks() {
  return {{0, "0%"}, {1, "90%"}, {2, "99%"}, {3, "99.9%"}, {4, "99.99%"}, {5, "99.999%"}};
}

std::vector<std::pair<double, double>> percentile_curve(const Histogram& histogram) {
  std::vector<std::pair<double, double>> points;
  if (histogram.count() == 0) {
    return points;
  }
  for (double x = 0; x <= kMaxNines + 1e-9; x += 0.05) {
    const double percentile = (1.0 - std::pow(10.0, -x)) * 100.0;
    points.emplace_back(x, static_cast<double>(histogram.percentile_micros(percentile)) / 1000.0);
  }
  return points;
}

// Fault phases from the scenario: upstreams[i].fake.phases[j] with "from" and "to" in
// seconds since the load phase started.
std::vector<ChartBand> fault_phases(const nlohmann::json& scenario) {
  std::vector<ChartBand> out;
  const auto upstreams = scenario.find("upstreams");
  if (!scenario.is_object() || upstreams == scenario.end() || !upstreams->is_array()) {
    return out;
  }
  for (const nlohmann::json& upstream : *upstreams) {
    if (!upstream.is_object() || !upstream.contains("fake") || !upstream["fake"].is_object()) {
      continue;
    }
    const nlohmann::json& fake = upstream["fake"];
    if (!fake.contains("phases") || !fake["phases"].is_array()) {
      continue;
    }
    const std::string name = upstream.value("name", std::string("upstream"));
    for (const nlohmann::json& phase : fake["phases"]) {
      if (phase.is_object() && phase.contains("from") && phase["from"].is_number() &&
          phase.contains("to") && phase["to"].is_number()) {
        out.push_back({phase["from"].get<double>(), phase["to"].get<double>(), name});
      }
    }
  }
  return out;
}

std::string charts_block(const std::string& heading, const std::vector<LineChart>& charts) {
  std::string out = "<h3>" + xml_escape(heading) + "</h3><div class=\"charts\">";
  for (const LineChart& chart : charts) {
    out += render_line_chart(chart);
  }
  return out + "</div>\n";
}

std::vector<LineChart> strategy_series_charts(const StrategyResult& strategy,
                                              const std::vector<ChartBand>& phases) {
  const std::string x_label = "time since load start (s)";
  LineChart throughput{
      "Throughput: " + strategy.name, x_label, "per second (1/s)", {}, phases, {}, true};
  LineChart rates{"Success and error rate: " + strategy.name,
                  x_label,
                  "share of completed requests (%)",
                  {},
                  phases,
                  {},
                  true};
  LineChart p99{
      "p99 latency per second: " + strategy.name, x_label, "latency (ms)", {}, phases, {}, true};
  ChartSeries sent{"requests sent", {}, false, 0};
  ChartSeries completed{"requests completed", {}, false, 2};
  ChartSeries attempts{"attempts started", {}, true, 3};
  ChartSeries success{"success rate", {}, false, 2};
  ChartSeries error{"error rate", {}, false, 1};
  ChartSeries latency{"p99", {}, false, 4};
  const auto& seconds = strategy.metrics.series.seconds();
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    const SecondStats& s = seconds[i];
    const double t = static_cast<double>(i) + 0.5;  // the middle of second i
    sent.points.emplace_back(t, static_cast<double>(s.sent));
    completed.points.emplace_back(t, static_cast<double>(s.completed));
    attempts.points.emplace_back(t, static_cast<double>(s.attempts));
    if (s.completed + s.dropped > 0) {
      // Rates over every request that ended or was dropped, as the run's error_rate counts.
      const double total = static_cast<double>(s.completed + s.dropped);
      success.points.emplace_back(t, 100.0 * static_cast<double>(s.succeeded) / total);
      error.points.emplace_back(t, 100.0 * static_cast<double>(s.failed + s.dropped) / total);
    }
    if (s.completed > 0) {
      latency.points.emplace_back(t, static_cast<double>(s.p99_us) / 1000.0);
    }
  }
  throughput.series = {sent, completed, attempts};
  rates.series = {success, error};
  p99.series = {latency};
  return {throughput, rates, p99};
}

}  // namespace

std::string percentile_section(const RunResult& result) {
  LineChart intended{"Latency by percentile, from intended start (all requests)",
                     "percentile (log scale of 1/(1-p))",
                     "latency (ms)",
                     {},
                     {},
                     percentile_ticks(),
                     true};
  LineChart service{"Service time by percentile (each attempt)",
                    "percentile (log scale of 1/(1-p))",
                    "service time (ms)",
                    {},
                    {},
                    percentile_ticks(),
                    true};
  int color = 0;
  for (const StrategyResult& strategy : result.strategies) {
    intended.series.push_back(
        {strategy.name, percentile_curve(strategy.metrics.latency), false, color});
    service.series.push_back(
        {strategy.name, percentile_curve(strategy.metrics.service), true, color});
    ++color;
  }
  return "<h2>Latency percentiles</h2>" +
         charts_block("Intended time and service time", {intended, service});
}

std::string timeseries_section(const RunResult& result) {
  const std::vector<ChartBand> phases = fault_phases(result.scenario);
  std::string out = "<h2>Time series</h2>";
  if (!phases.empty()) {
    out += "<p>Shaded: fault phases of the fake upstreams, labelled with the upstream.</p>";
  }
  for (const StrategyResult& strategy : result.strategies) {
    out += charts_block(strategy.name, strategy_series_charts(strategy, phases));
  }
  return out;
}

std::string attempts_section(const RunResult& result) {
  LineChart chart{"Attempts per logical request",
                  "attempts (count)",
                  "share of requests (%)",
                  {},
                  {},
                  {},
                  true};
  int color = 0;
  for (const StrategyResult& strategy : result.strategies) {
    ChartSeries series{strategy.name, {}, false, color++};
    double total = 0;
    for (const auto& [attempts, count] : strategy.metrics.attempts_per_request) {
      total += static_cast<double>(count);
    }
    for (const auto& [attempts, count] : strategy.metrics.attempts_per_request) {
      series.points.emplace_back(attempts, total == 0 ? 0 : 100.0 * count / total);
    }
    chart.series.push_back(std::move(series));
  }
  return "<h2>Attempts per request</h2>" + charts_block("All strategies", {chart});
}

std::string endpoint_load_section(const RunResult& result) {
  const std::vector<ChartBand> phases = fault_phases(result.scenario);
  std::vector<LineChart> charts;
  for (const StrategyResult& strategy : result.strategies) {
    LineChart chart{"Load received per endpoint: " + strategy.name,
                    "time since load start (s)",
                    "attempts per second (1/s)",
                    {},
                    phases,
                    {},
                    true};
    for (std::size_t e = 0; e < result.endpoints.size(); ++e) {
      ChartSeries series{result.endpoints[e], {}, false, static_cast<int>(e)};
      const auto& seconds = strategy.metrics.series.seconds();
      for (std::size_t i = 0; i < seconds.size(); ++i) {
        const auto& per_endpoint = seconds[i].endpoint_attempts;
        const double value = e < per_endpoint.size() ? static_cast<double>(per_endpoint[e]) : 0;
        series.points.emplace_back(static_cast<double>(i) + 0.5, value);
      }
      chart.series.push_back(std::move(series));
    }
    charts.push_back(std::move(chart));
  }
  return "<h2>Load per endpoint</h2>" + charts_block("Attempts each endpoint received", charts);
}

}  // namespace rb
