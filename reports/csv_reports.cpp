#include "reports/csv_reports.hpp"

#include "reports/csv.hpp"
#include "reports/metric_catalog.hpp"

namespace rb {

namespace {

std::string count_text(std::uint64_t value) {
  return std::to_string(value);
}

double micros_to_ms(std::int64_t micros) {
  return static_cast<double>(micros) / 1000.0;
}

}  // namespace

const std::vector<double>& spectrum_percentiles() {
  static const std::vector<double> percentiles = {
      0,  10,   20, 25,   30,    40,   50,    60,    70,     75,     80, 90,
      95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999, 100};
  return percentiles;
}

std::string summary_csv(const RunResult& result) {
  std::vector<std::string> header = {"strategy", "description"};
  for (const MetricDefinition& metric : metric_catalog()) {
    header.push_back(metric.name);
  }
  std::string out = csv_record(header);
  for (const StrategyResult& strategy : result.strategies) {
    std::vector<std::string> row = {strategy.name, strategy.description};
    for (const MetricDefinition& metric : metric_catalog()) {
      row.push_back(csv_number(metric.value(strategy.metrics)));
    }
    out += csv_record(row);
  }
  return out;
}

std::string timeseries_csv(const RunResult& result) {
  std::vector<std::string> header = {"strategy", "second",   "sent",   "completed", "succeeded",
                                     "failed",   "attempts", "p50_ms", "p99_ms"};
  for (const std::string& endpoint : result.endpoints) {
    header.push_back("attempts_" + endpoint);
  }
  std::string out = csv_record(header);
  for (const StrategyResult& strategy : result.strategies) {
    const auto& seconds = strategy.metrics.series.seconds();
    for (std::size_t i = 0; i < seconds.size(); ++i) {
      const SecondStats& s = seconds[i];
      std::vector<std::string> row = {strategy.name,
                                      std::to_string(i),
                                      count_text(s.sent),
                                      count_text(s.completed),
                                      count_text(s.succeeded),
                                      count_text(s.failed),
                                      count_text(s.attempts),
                                      csv_number(micros_to_ms(s.p50_us)),
                                      csv_number(micros_to_ms(s.p99_us))};
      for (std::size_t e = 0; e < result.endpoints.size(); ++e) {
        row.push_back(count_text(e < s.endpoint_attempts.size() ? s.endpoint_attempts[e] : 0));
      }
      out += csv_record(row);
    }
  }
  return out;
}

std::string latency_csv(const RunResult& result) {
  std::string out = csv_record(
      {"strategy", "percentile", "latency_ms", "succeeded_latency_ms", "service_time_ms"});
  for (const StrategyResult& strategy : result.strategies) {
    const StrategyMetrics& m = strategy.metrics;
    for (const double p : spectrum_percentiles()) {
      out += csv_record({strategy.name, csv_number(p),
                         csv_number(micros_to_ms(m.latency.percentile_micros(p))),
                         csv_number(micros_to_ms(m.latency_succeeded.percentile_micros(p))),
                         csv_number(micros_to_ms(m.service.percentile_micros(p)))});
    }
  }
  return out;
}

}  // namespace rb
