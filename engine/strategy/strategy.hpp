#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/rng.hpp"
#include "engine/outcome.hpp"
#include "engine/request_template.hpp"
#include "engine/strategy/endpoint_selector.hpp"
#include "engine/strategy/retry_policy.hpp"

namespace rb {

// A named client strategy as the scenario describes it.
struct StrategyConfig {
  std::string name;         // shown in reports; unique within a scenario
  std::string preset;       // the preset it started from, "" when none
  std::string description;  // one line for reports
  SelectorConfig selector;
  RetryConfig retry;
  AttemptTimeouts timeouts;  // per-attempt timeouts the transport enforces
};

// A strategy at run time: the selector, the retry policy and their random source. It sees
// events and the current time through its arguments and never touches sockets or clocks,
// so the live driver and the simulator run the same decisions.
class Strategy {
 public:
  Strategy(const StrategyConfig& config, const std::vector<double>& endpoint_weights,
           std::uint64_t seed);

  std::size_t choose_endpoint(const SelectContext& context, Duration now);
  void attempt_started(std::size_t endpoint, Duration now);

  // Learns from a finished attempt and decides whether the request retries.
  RetryDecision attempt_finished(const RetryContext& context, std::size_t endpoint,
                                 const AttemptResult& result, Duration latency, Duration now);

  const StrategyConfig& config() const { return config_; }

 private:
  StrategyConfig config_;
  Rng rng_;
  std::unique_ptr<EndpointSelector> selector_;
  RetryPolicy policy_;
};

}  // namespace rb
