#include "reports/metrics_json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "reports/histogram_json.hpp"

namespace rb {

namespace {

constexpr std::array<const char*, 3> kWaitReasonNames = {"backoff", "retry_after", "none"};

nlohmann::json class_counts_json(const ClassCounts& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    out[std::string(attempt_class_name(static_cast<AttemptClass>(i)))] = counts[i];
  }
  return out;
}

ClassCounts class_counts_from_json(const FieldReader& fields) {
  ClassCounts counts{};
  for (std::size_t i = 0; i < counts.size(); ++i) {
    counts[i] = fields.count(std::string(attempt_class_name(static_cast<AttemptClass>(i))));
  }
  return counts;
}

// Integer-keyed maps (statuses, attempts per request) become objects keyed by the number.
nlohmann::json int_map_json(const std::map<int, std::uint64_t>& map) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, count] : map) {
    out[std::to_string(key)] = count;
  }
  return out;
}

std::map<int, std::uint64_t> int_map_from_json(const FieldReader& fields) {
  std::map<int, std::uint64_t> out;
  for (const auto& [key, value] : fields.value().items()) {
    std::size_t used = 0;
    int number = 0;
    try {
      number = std::stoi(key, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != key.size() || key.empty()) {
      fields.fail(key, "expected an integer key");
    }
    out[number] = fields.count(key);
  }
  return out;
}

nlohmann::json verdicts_json(const StrategyMetrics& metrics) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < kRetryVerdictCount; ++i) {
    out[retry_verdict_name(static_cast<RetryVerdict>(i))] = metrics.verdicts[i];
  }
  return out;
}

nlohmann::json waits_json(const StrategyMetrics& metrics) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < kWaitReasonNames.size(); ++i) {
    out[kWaitReasonNames[i]] = {{"count", metrics.waits[i]}, {"seconds", metrics.wait_seconds[i]}};
  }
  return out;
}

nlohmann::json failed_fast_json(const StrategyMetrics& metrics) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < kFailFastReasonCount; ++i) {
    out[fail_fast_reason_name(static_cast<FailFastReason>(i))] = metrics.failed_fast[i];
  }
  return out;
}

nlohmann::json attempts_by_reason_json(const StrategyMetrics& metrics) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < kSendReasonCount; ++i) {
    out[send_reason_name(static_cast<SendReason>(i))] = metrics.attempts_by_reason[i];
  }
  return out;
}

nlohmann::json decision_log_json(const StrategyMetrics& metrics) {
  nlohmann::json out = nlohmann::json::array();
  for (const AttemptLogEntry& entry : metrics.attempt_log) {
    nlohmann::json row = {{"request", entry.request_id},
                          {"attempt", entry.attempt},
                          {"reason", send_reason_name(entry.reason)},
                          {"endpoint", entry.endpoint},
                          {"variant", entry.variant},
                          {"sent_ms", to_millis(entry.sent_at)},
                          {"waited_ms", to_millis(entry.waited)},
                          {"transport_retried", entry.transport_retried}};
    if (entry.reason == SendReason::kRetry || entry.reason == SendReason::kFallback) {
      AttemptResult cause;
      cause.cls = entry.cause_class;
      cause.status = entry.cause_status;
      row["cause"] = retry_reason_key(cause);
    }
    if (entry.ended) {
      AttemptResult result;
      result.cls = entry.result_class;
      result.status = entry.result_status;
      row["result"] =
          entry.result_class == AttemptClass::kSuccess ? "success" : retry_reason_key(result);
      row["latency_ms"] = to_millis(entry.latency);
    }
    out.push_back(std::move(row));
  }
  return out;
}

nlohmann::json endpoints_json(const StrategyMetrics& metrics,
                              const std::vector<std::string>& names) {
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < metrics.endpoints.size(); ++i) {
    const EndpointAttempts& counters = metrics.endpoints[i];
    out.push_back({{"name", i < names.size() ? names[i] : "endpoint " + std::to_string(i)},
                   {"attempts", counters.attempts},
                   {"succeeded", counters.succeeded},
                   {"failed", counters.failed},
                   {"cancelled", counters.cancelled}});
  }
  return out;
}

nlohmann::json series_json(const TimeSeries& series) {
  nlohmann::json out = nlohmann::json::array();
  const auto& seconds = series.seconds();
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    const SecondStats& s = seconds[i];
    out.push_back({{"second", i},
                   {"sent", s.sent},
                   {"completed", s.completed},
                   {"succeeded", s.succeeded},
                   {"failed", s.failed},
                   {"dropped", s.dropped},
                   {"attempts", s.attempts},
                   {"p50_ms", static_cast<double>(s.p50_us) / 1000.0},
                   {"p99_ms", static_cast<double>(s.p99_us) / 1000.0},
                   {"endpoint_attempts", s.endpoint_attempts}});
  }
  return out;
}

std::int64_t ms_to_micros(double ms) {
  return std::llround(ms * 1000.0);
}

TimeSeries series_from_json(const FieldReader& fields, std::size_t endpoint_count) {
  TimeSeries series(endpoint_count);
  const nlohmann::json& rows = fields.array("timeseries");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const FieldReader row = fields.element("timeseries", i);
    SecondStats s;
    s.sent = row.count("sent");
    s.completed = row.count("completed");
    s.succeeded = row.count("succeeded");
    s.failed = row.count("failed");
    // Absent from results written before drops were counted per second.
    s.dropped = row.value().contains("dropped") ? row.count("dropped") : 0;
    s.attempts = row.count("attempts");
    s.p50_us = ms_to_micros(row.number("p50_ms"));
    s.p99_us = ms_to_micros(row.number("p99_ms"));
    const nlohmann::json& per_endpoint = row.array("endpoint_attempts");
    for (const nlohmann::json& value : per_endpoint) {
      if (!value.is_number_unsigned()) {
        row.fail("endpoint_attempts", "expected non-negative integers, found " + value.dump());
      }
      s.endpoint_attempts.push_back(value.get<std::uint64_t>());
    }
    series.mutable_seconds().push_back(std::move(s));
  }
  return series;
}

}  // namespace

nlohmann::json final_outcomes_json(const StrategyMetrics& metrics) {
  nlohmann::json out = nlohmann::json::object();
  out["success"] = metrics.succeeded;
  for (const auto& [status, count] : metrics.final_statuses) {
    out["status_" + std::to_string(status)] = count;
  }
  for (std::size_t i = 0; i < metrics.final_classes.size(); ++i) {
    const auto cls = static_cast<AttemptClass>(i);
    if (cls == AttemptClass::kSuccess || cls == AttemptClass::kHttpStatus ||
        metrics.final_classes[i] == 0) {
      continue;
    }
    out[std::string(attempt_class_name(cls))] = metrics.final_classes[i];
  }
  if (metrics.dropped != 0) {
    out["dropped"] = metrics.dropped;
  }
  for (std::size_t i = 0; i < kFailFastReasonCount; ++i) {
    if (metrics.failed_fast[i] != 0) {
      out["failed_fast_" + fail_fast_reason_name(static_cast<FailFastReason>(i))] =
          metrics.failed_fast[i];
    }
  }
  return out;
}

void metrics_to_json(const StrategyMetrics& metrics, const std::vector<std::string>& endpoint_names,
                     nlohmann::json& out, BucketPairs pairs) {
  out["requests"] = metrics.requests;
  out["succeeded"] = metrics.succeeded;
  out["failed"] = metrics.failed;
  out["dropped"] = metrics.dropped;
  out["cancelled"] = metrics.cancelled;
  out["success_rate"] = metrics.success_rate();
  out["attempts"] = metrics.attempts;
  out["amplification"] = metrics.amplification();
  out["transport_retries"] = metrics.transport_retries;
  out["retry_after_invalid"] = metrics.retry_after_invalid;

  out["latency_ms"] = percentile_summary_json(metrics.latency);
  out["latency_succeeded_ms"] = percentile_summary_json(metrics.latency_succeeded);
  out["service_time_ms"] = percentile_summary_json(metrics.service);
  out["scheduling_lag_ms"] = percentile_summary_json(metrics.lag);

  out["outcomes"] = final_outcomes_json(metrics);
  out["final_classes"] = class_counts_json(metrics.final_classes);
  out["final_statuses"] = int_map_json(metrics.final_statuses);
  out["attempt_classes"] = class_counts_json(metrics.attempt_classes);
  out["attempt_statuses"] = int_map_json(metrics.attempt_statuses);
  out["verdicts"] = verdicts_json(metrics);
  out["retries_by_reason"] = metrics.retries_by_reason;
  out["waits"] = waits_json(metrics);
  out["attempts_per_request"] = int_map_json(metrics.attempts_per_request);
  out["failed_fast"] = failed_fast_json(metrics);
  out["attempts_by_reason"] = attempts_by_reason_json(metrics);
  out["hedging"] = {{"hedges_sent", metrics.hedges_sent},
                    {"hedge_wins", metrics.hedge_wins},
                    {"cancelled_losers", metrics.cancelled_losers},
                    {"hedges_refused", metrics.hedges_refused}};
  out["retry_queue"] = {{"queued", metrics.retries_queued},
                        {"max_depth", metrics.retry_queue_max_depth}};
  out["breaker_trips"] = metrics.breaker_trips;
  if (!metrics.attempt_log.empty()) {
    out["decision_log"] = decision_log_json(metrics);
  }
  out["endpoints"] = endpoints_json(metrics, endpoint_names);
  out["timeseries"] = series_json(metrics.series);
  nlohmann::json histograms = nlohmann::json::object();
  for (const NamedHistogram& named : kResultHistograms) {
    histograms[named.name] = histogram_to_json(metrics.*named.histogram, pairs);
  }
  out["histograms"] = std::move(histograms);
}

// Rejects request counts that contradict each other, so that reports and comparisons never
// show a success rate above 1. Files written before 2026-12-04 counted dropped requests in
// `failed` as well, so requests = succeeded + failed is accepted too.
void check_request_counts(const FieldReader& fields, const StrategyMetrics& m) {
  for (const auto& [key, value] : {std::pair<const char*, std::uint64_t>{"succeeded", m.succeeded},
                                   {"failed", m.failed},
                                   {"dropped", m.dropped}}) {
    if (value > m.requests) {
      fields.fail(key, fmt::format("{} is above requests ({})", value, m.requests));
    }
  }
  if (m.cancelled > m.failed) {
    fields.fail("cancelled", fmt::format("{} is above failed ({})", m.cancelled, m.failed));
  }
  const std::uint64_t ended = m.succeeded + m.failed;
  if (ended + m.dropped != m.requests && ended != m.requests) {
    fields.fail("requests", fmt::format("{} is not succeeded + failed + dropped ({} + {} + {})",
                                        m.requests, m.succeeded, m.failed, m.dropped));
  }
}

StrategyMetrics metrics_from_json(const FieldReader& fields, std::size_t endpoint_count) {
  StrategyMetrics m(endpoint_count);
  m.requests = fields.count("requests");
  m.succeeded = fields.count("succeeded");
  m.failed = fields.count("failed");
  m.dropped = fields.count("dropped");
  m.cancelled = fields.count("cancelled");
  m.attempts = fields.count("attempts");
  m.transport_retries = fields.count("transport_retries");
  m.retry_after_invalid = fields.count("retry_after_invalid");
  check_request_counts(fields, m);

  m.final_classes = class_counts_from_json(fields.object("final_classes"));
  m.final_statuses = int_map_from_json(fields.object("final_statuses"));
  m.attempt_classes = class_counts_from_json(fields.object("attempt_classes"));
  m.attempt_statuses = int_map_from_json(fields.object("attempt_statuses"));

  const FieldReader verdicts = fields.object("verdicts");
  for (std::size_t i = 0; i < kRetryVerdictCount; ++i) {
    m.verdicts[i] = verdicts.count(retry_verdict_name(static_cast<RetryVerdict>(i)));
  }
  const FieldReader reasons = fields.object("retries_by_reason");
  for (const auto& [key, value] : reasons.value().items()) {
    m.retries_by_reason[key] = reasons.count(key);
  }
  const FieldReader waits = fields.object("waits");
  for (std::size_t i = 0; i < kWaitReasonNames.size(); ++i) {
    const FieldReader wait = waits.object(kWaitReasonNames[i]);
    m.waits[i] = wait.count("count");
    m.wait_seconds[i] = wait.number("seconds");
  }
  m.attempts_per_request = int_map_from_json(fields.object("attempts_per_request"));
  // Fields added with the strategy blocks; results written before them lack them.
  if (fields.value().contains("failed_fast")) {
    const FieldReader failed_fast = fields.object("failed_fast");
    for (std::size_t i = 0; i < kFailFastReasonCount; ++i) {
      m.failed_fast[i] = failed_fast.count(fail_fast_reason_name(static_cast<FailFastReason>(i)));
    }
  }
  if (fields.value().contains("attempts_by_reason")) {
    const FieldReader by_reason = fields.object("attempts_by_reason");
    for (std::size_t i = 0; i < kSendReasonCount; ++i) {
      m.attempts_by_reason[i] = by_reason.count(send_reason_name(static_cast<SendReason>(i)));
    }
  }
  if (fields.value().contains("hedging")) {
    const FieldReader hedging = fields.object("hedging");
    m.hedges_sent = hedging.count("hedges_sent");
    m.hedge_wins = hedging.count("hedge_wins");
    m.cancelled_losers = hedging.count("cancelled_losers");
    m.hedges_refused = hedging.count("hedges_refused");
  }
  if (fields.value().contains("retry_queue")) {
    const FieldReader queue = fields.object("retry_queue");
    m.retries_queued = queue.count("queued");
    m.retry_queue_max_depth = queue.count("max_depth");
  }
  if (fields.value().contains("breaker_trips")) {
    m.breaker_trips = fields.count("breaker_trips");
  }

  const nlohmann::json& endpoints = fields.array("endpoints");
  if (endpoints.size() != endpoint_count) {
    fields.fail("endpoints", "has " + std::to_string(endpoints.size()) +
                                 " entries but the run has " + std::to_string(endpoint_count) +
                                 " endpoints");
  }
  for (std::size_t i = 0; i < endpoint_count; ++i) {
    const FieldReader endpoint = fields.element("endpoints", i);
    m.endpoints[i] = {endpoint.count("attempts"), endpoint.count("succeeded"),
                      endpoint.count("failed"),
                      endpoint.value().contains("cancelled") ? endpoint.count("cancelled") : 0};
  }
  m.series = series_from_json(fields, endpoint_count);

  const FieldReader histograms = fields.object("histograms");
  m.latency = histogram_from_json(histograms.object("latency"));
  m.latency_succeeded = histogram_from_json(histograms.object("latency_succeeded"));
  m.service = histogram_from_json(histograms.object("service"));
  m.lag = histogram_from_json(histograms.object("lag"));
  return m;
}

}  // namespace rb
