#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.hpp"
#include "engine/outcome.hpp"
#include "engine/request_template.hpp"
#include "engine/strategy/circuit_breaker.hpp"
#include "engine/strategy/decision_log.hpp"
#include "engine/strategy/endpoint_selector.hpp"
#include "engine/strategy/fallback.hpp"
#include "engine/strategy/hedging.hpp"
#include "engine/strategy/retry_budget.hpp"
#include "engine/strategy/retry_policy.hpp"
#include "engine/strategy/retry_queue.hpp"
#include "engine/strategy/throttle.hpp"

namespace rb {

// A named client strategy as the scenario describes it.
struct StrategyConfig {
  std::string name;         // shown in reports; unique within a scenario
  std::string preset;       // the preset it started from, "" when none
  std::string description;  // one line for reports
  SelectorConfig selector;
  RetryConfig retry;
  RetryBudgetConfig budget;
  ThrottleConfig throttle;
  BreakerConfig breaker;
  HedgeConfig hedge;
  RetryQueueConfig queue;
  FallbackConfig fallback;
  AttemptTimeouts timeouts;      // per-attempt timeouts the transport enforces
  std::size_t decision_log = 0;  // attempts (the first N of the run) kept in the decision log
};

// Whether a request may start, and why not.
struct RequestAdmission {
  bool admitted = true;
  FailFastReason reason = FailFastReason::kThrottled;  // meaningful when not admitted
};

// A strategy at run time: selector, retry policy, budget, throttle, breakers, hedging, retry
// queue and fallback, with their random source. It sees events and the current time through
// its arguments and never touches sockets or clocks, so the live driver and the simulator
// run the same decisions.
class Strategy {
 public:
  Strategy(const StrategyConfig& config, const std::vector<double>& endpoint_weights,
           std::uint64_t seed);

  // Decides whether a new logical request may send its first attempt: a global breaker
  // that is open, every per-endpoint breaker open, or the throttle fails it fast.
  RequestAdmission admit(Duration now);

  // The endpoint for the next attempt, skipping endpoints whose breaker is open and, when
  // another endpoint is allowed, `avoid` (a hedge's partner). Nothing when every breaker
  // refuses.
  std::optional<std::size_t> choose_endpoint(const SelectContext& context, Duration now,
                                             std::optional<std::size_t> avoid = std::nullopt);
  void attempt_started(std::size_t endpoint, Duration now);

  // Learns from a finished attempt and decides whether the request retries, after how long
  // and with which request variant. Budget, throttle and breakers can refuse a retry that
  // the policy allows.
  RetryDecision attempt_finished(const RetryContext& context, std::size_t endpoint,
                                 const AttemptResult& result, Duration latency, Duration now);

  // Learns from an attempt without deciding anything: a cancelled hedge loser, or a failure
  // while the request's other attempt is still in flight.
  void attempt_observed(std::size_t endpoint, const AttemptResult& result, Duration latency,
                        Duration now);

  // Whether a failed attempt is one the request would retry or fall back on.
  bool would_retry(const AttemptResult& result, std::uint32_t variant) const;

  bool hedging() const { return hedge_.enabled(); }
  Duration hedge_delay() const { return hedge_.delay(); }
  // Decides whether a hedge may be sent now: the budget, breakers and throttle must allow it.
  bool admit_hedge(Duration now);

  bool queueing() const { return queue_.enabled(); }
  RetryQueue& retry_queue() { return queue_; }

  std::size_t endpoint_count() const { return excluded_.size(); }
  std::uint64_t breaker_trips() const { return breakers_.trips(); }
  double budget_tokens() const { return budget_.tokens(); }
  const StrategyConfig& config() const { return config_; }

 private:
  void learn(std::size_t endpoint, const AttemptResult& result, Duration latency, Duration now);
  // Refuses a retry the policy granted when the budget, breakers or throttle say no.
  void apply_limits(RetryDecision& decision, Duration now);

  StrategyConfig config_;
  Rng rng_;
  std::unique_ptr<EndpointSelector> selector_;
  RetryPolicy policy_;
  RetryBudget budget_;
  AdaptiveThrottle throttle_;
  BreakerSet breakers_;
  HedgePolicy hedge_;
  RetryQueue queue_;
  std::vector<std::uint8_t> excluded_;  // scratch for choose_endpoint, one byte per endpoint
};

}  // namespace rb
