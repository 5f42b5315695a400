#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.hpp"
#include "common/time.hpp"

namespace rb {

// Settings for choosing the endpoint of each attempt.
struct SelectorConfig {
  enum class Kind {
    kSingle,            // always the first endpoint
    kRoundRobin,        // each attempt goes to the next endpoint in turn
    kRotateOnFailure,   // stay on one endpoint until an attempt there fails, then move on
    kRandom,            // uniform random endpoint
    kWeighted,          // random endpoint with probability proportional to its weight
    kLeastOutstanding,  // the endpoint with the fewest attempts in flight
    kP2cEwma,           // the cheaper of two random endpoints, cost = EWMA x (outstanding + 1)
    kHealthScore,       // the endpoint with the highest health score
    kSkipUnhealthy,     // the next endpoint with fewer than N consecutive errors
  };
  Kind kind = Kind::kRoundRobin;
  // p2c-ewma: time constant of the latency EWMA's exponential decay.
  Duration ewma_decay{from_seconds(10)};
  // p2c-ewma: a failed attempt is observed as at least this latency, so an endpoint that
  // fails fast does not look fast.
  Duration failure_penalty{from_seconds(1)};
  // health-score: weight of the newest latency in the EWMA, in (0, 1].
  double latency_alpha = 0.2;
  // health-score: one error is forgotten after each full period without a new error.
  Duration error_decay{from_seconds(300)};
  // skip-unhealthy: consecutive errors at which an endpoint is skipped.
  int max_consecutive_errors = 3;
};

std::string selector_kind_name(SelectorConfig::Kind kind);
bool selector_kind_from_name(const std::string& name, SelectorConfig::Kind& kind);
std::string selector_kind_names();  // comma-separated, for messages

// The facts about an attempt that a selector places.
struct SelectContext {
  int attempt_index = 0;                // 0 for the first attempt of a request
  std::optional<std::size_t> previous;  // endpoint of the request's previous attempt
  bool previous_failed = false;         // whether that attempt failed
  // excluded[i] != 0 means endpoint i must not be chosen (its circuit breaker is open, or a
  // hedge wants another endpoint). Null means none is excluded. The caller guarantees that
  // at least one endpoint is allowed.
  const std::uint8_t* excluded = nullptr;

  bool allowed(std::size_t endpoint) const {
    return excluded == nullptr || excluded[endpoint] == 0;
  }
};

// How an attempt ended, as selectors and breakers count it. Cancelled attempts (hedge losers,
// the end of a run) carry no information about the endpoint and are never counted as failures.
enum class EndpointOutcome : std::uint8_t { kSuccess, kFailure, kCancelled };

// Chooses an endpoint for each attempt and learns from attempt results. Pure logic: time
// and randomness come in as arguments.
class EndpointSelector {
 public:
  virtual ~EndpointSelector() = default;

  virtual std::size_t select(const SelectContext& context, Duration now, Rng& rng) = 0;
  virtual void on_attempt_start(std::size_t /*endpoint*/, Duration /*now*/) {}
  virtual void on_attempt_end(std::size_t /*endpoint*/, EndpointOutcome /*outcome*/,
                              Duration /*latency*/, Duration /*now*/) {}
};

// The first allowed endpoint at or after `start`, wrapping around; `start % count` when none
// is allowed.
std::size_t next_allowed(const SelectContext& context, std::size_t start, std::size_t count);

// Builds a selector over `weights.size()` endpoints (weights are used by kWeighted).
std::unique_ptr<EndpointSelector> make_selector(const SelectorConfig& config,
                                                const std::vector<double>& weights);

}  // namespace rb
