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
    kSingle,           // always the first endpoint
    kRoundRobin,       // each attempt goes to the next endpoint in turn
    kRotateOnFailure,  // stay on one endpoint until an attempt there fails, then move on
    kRandom,           // uniform random endpoint
    kWeighted,         // random endpoint with probability proportional to its weight
  };
  Kind kind = Kind::kRoundRobin;
};

std::string selector_kind_name(SelectorConfig::Kind kind);
bool selector_kind_from_name(const std::string& name, SelectorConfig::Kind& kind);

// What a selector knows about the attempt it places.
struct SelectContext {
  int attempt_index = 0;                   // 0 for the first attempt of a request
  std::optional<std::size_t> previous;     // endpoint of the request's previous attempt
  bool previous_failed = false;            // whether that attempt failed
};

// Chooses an endpoint for each attempt and learns from attempt results. Pure logic: time
// and randomness come in as arguments.
class EndpointSelector {
 public:
  virtual ~EndpointSelector() = default;

  virtual std::size_t select(const SelectContext& context, Duration now, Rng& rng) = 0;
  virtual void on_attempt_start(std::size_t /*endpoint*/, Duration /*now*/) {}
  virtual void on_attempt_end(std::size_t /*endpoint*/, bool /*success*/, Duration /*latency*/,
                              Duration /*now*/) {}
};

// Builds a selector over `weights.size()` endpoints (weights are used by kWeighted).
std::unique_ptr<EndpointSelector> make_selector(const SelectorConfig& config,
                                                const std::vector<double>& weights);

}  // namespace rb
