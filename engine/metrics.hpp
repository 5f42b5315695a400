#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/histogram.hpp"
#include "engine/outcome.hpp"
#include "engine/strategy/decision_log.hpp"
#include "engine/strategy/retry_policy.hpp"
#include "engine/time_series.hpp"

namespace rb {

// Attempt counts for one endpoint during a strategy's run.
struct EndpointAttempts {
  std::uint64_t attempts = 0;   // attempts started
  std::uint64_t succeeded = 0;  // attempts that succeeded
  std::uint64_t failed = 0;     // attempts that ended in any other class but cancelled
  std::uint64_t cancelled = 0;  // attempts the harness cancelled (hedge losers, run end)
};

// Everything measured for one strategy. Logical requests and attempts are counted apart:
// requests = succeeded + failed + dropped, where failed includes cancelled requests.
struct StrategyMetrics {
  explicit StrategyMetrics(std::size_t endpoint_count = 0);

  std::uint64_t requests = 0;   // logical requests the load profile produced
  std::uint64_t succeeded = 0;  // logical requests whose final attempt succeeded
  std::uint64_t failed = 0;     // logical requests that ended without success (cancelled too)
  std::uint64_t dropped = 0;    // not started: the in-flight limit was reached (not in `failed`)
  std::uint64_t cancelled = 0;  // still in flight when the grace period ended (in `failed`)
  std::uint64_t attempts = 0;   // attempts started, by the strategy (transport retries apart)
  std::uint64_t transport_retries = 0;    // stale keep-alive connections retried by the transport
  std::uint64_t retry_after_invalid = 0;  // Retry-After headers that could not be used

  ClassCounts final_classes{};                    // class of each failed request's last attempt
  std::map<int, std::uint64_t> final_statuses;    // status of failed requests that got one
  ClassCounts attempt_classes{};                  // class of every attempt
  std::map<int, std::uint64_t> attempt_statuses;  // status of every attempt that got one
  std::array<std::uint64_t, kRetryVerdictCount> verdicts{};  // strategy verdicts, by kind
  std::map<std::string, std::uint64_t> retries_by_reason;    // "status_429", "reset", ...
  std::array<std::uint64_t, 3> waits{};                      // retry waits by WaitReason
  std::array<double, 3> wait_seconds{};                      // total wait by WaitReason, seconds
  std::map<int, std::uint64_t> attempts_per_request;         // requests by number of attempts
  // Requests that ended before any attempt, by FailFastReason: in `failed` and in
  // attempts_per_request[0], but in no final class.
  std::array<std::uint64_t, kFailFastReasonCount> failed_fast{};
  std::array<std::uint64_t, kSendReasonCount> attempts_by_reason{};  // attempts by SendReason
  std::uint64_t hedges_sent = 0;             // hedge attempts started (in attempts_by_reason too)
  std::uint64_t hedge_wins = 0;              // requests whose successful attempt was the hedge
  std::uint64_t cancelled_losers = 0;        // attempts cancelled because the other one succeeded
  std::uint64_t hedges_refused = 0;          // hedges the budget, a breaker or the throttle refused
  std::uint64_t retries_queued = 0;          // retries that entered the retry queue
  std::uint64_t retry_queue_max_depth = 0;   // most requests waiting in the retry queue at once
  std::uint64_t breaker_trips = 0;           // times a circuit breaker opened
  std::size_t attempt_log_limit = 0;         // entries attempt_log keeps (the run's first attempts)
  std::vector<AttemptLogEntry> attempt_log;  // the decision log, at most attempt_log_limit

  Histogram latency;            // logical request, from intended start to end, all outcomes
  Histogram latency_succeeded;  // the same, successful requests only
  Histogram service;            // each attempt, from its bytes written to its end
  Histogram lag;                // first attempt's actual start minus its intended start

  std::vector<EndpointAttempts> endpoints;
  TimeSeries series;

  double success_rate() const;
  double amplification() const;  // attempts per logical request that was started
};

// The reason key under which a retry after `result` is counted: "status_503", "reset", ...
std::string retry_reason_key(const AttemptResult& result);

}  // namespace rb
