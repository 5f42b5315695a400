#include "engine/metrics_merge.hpp"

#include <algorithm>
#include <stdexcept>

namespace rb {

namespace {

template <typename Array>
void add_arrays(Array& into, const Array& from) {
  for (std::size_t i = 0; i < into.size(); ++i) {
    into[i] += from[i];
  }
}

template <typename Key>
void add_maps(std::map<Key, std::uint64_t>& into, const std::map<Key, std::uint64_t>& from) {
  for (const auto& [key, count] : from) {
    into[key] += count;
  }
}

void merge_series(TimeSeries& into, const TimeSeries& from) {
  auto& rows = into.mutable_seconds();
  const auto& other = from.seconds();
  if (rows.size() < other.size()) {
    rows.resize(other.size());
  }
  for (std::size_t s = 0; s < other.size(); ++s) {
    SecondStats& row = rows[s];
    const SecondStats& add = other[s];
    row.sent += add.sent;
    row.completed += add.completed;
    row.succeeded += add.succeeded;
    row.failed += add.failed;
    row.dropped += add.dropped;
    row.attempts += add.attempts;
    row.p50_us = std::max(row.p50_us, add.p50_us);
    row.p99_us = std::max(row.p99_us, add.p99_us);
    if (row.endpoint_attempts.size() < add.endpoint_attempts.size()) {
      row.endpoint_attempts.resize(add.endpoint_attempts.size(), 0);
    }
    for (std::size_t e = 0; e < add.endpoint_attempts.size(); ++e) {
      row.endpoint_attempts[e] += add.endpoint_attempts[e];
    }
  }
}

}  // namespace

void merge_metrics(StrategyMetrics& into, const StrategyMetrics& from) {
  if (into.endpoints.size() != from.endpoints.size()) {
    throw std::invalid_argument("cannot merge metrics over " +
                                std::to_string(into.endpoints.size()) + " and " +
                                std::to_string(from.endpoints.size()) + " endpoints");
  }
  into.requests += from.requests;
  into.succeeded += from.succeeded;
  into.failed += from.failed;
  into.dropped += from.dropped;
  into.cancelled += from.cancelled;
  into.attempts += from.attempts;
  into.transport_retries += from.transport_retries;
  into.retry_after_invalid += from.retry_after_invalid;

  add_arrays(into.final_classes, from.final_classes);
  add_maps(into.final_statuses, from.final_statuses);
  add_arrays(into.attempt_classes, from.attempt_classes);
  add_maps(into.attempt_statuses, from.attempt_statuses);
  add_arrays(into.verdicts, from.verdicts);
  add_maps(into.retries_by_reason, from.retries_by_reason);
  add_arrays(into.waits, from.waits);
  add_arrays(into.wait_seconds, from.wait_seconds);
  add_maps(into.attempts_per_request, from.attempts_per_request);
  add_arrays(into.failed_fast, from.failed_fast);
  add_arrays(into.attempts_by_reason, from.attempts_by_reason);
  into.hedges_sent += from.hedges_sent;
  into.hedge_wins += from.hedge_wins;
  into.cancelled_losers += from.cancelled_losers;
  into.hedges_refused += from.hedges_refused;
  into.retries_queued += from.retries_queued;
  into.retry_queue_max_depth = std::max(into.retry_queue_max_depth, from.retry_queue_max_depth);
  into.breaker_trips += from.breaker_trips;
  // The decision log stays as the first shard's: it is a sample, not a count.

  into.latency.merge(from.latency);
  into.latency_succeeded.merge(from.latency_succeeded);
  into.service.merge(from.service);
  into.lag.merge(from.lag);

  for (std::size_t e = 0; e < into.endpoints.size(); ++e) {
    into.endpoints[e].attempts += from.endpoints[e].attempts;
    into.endpoints[e].succeeded += from.endpoints[e].succeeded;
    into.endpoints[e].failed += from.endpoints[e].failed;
    into.endpoints[e].cancelled += from.endpoints[e].cancelled;
  }
  merge_series(into.series, from.series);
}

}  // namespace rb
