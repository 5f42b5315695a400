#pragma once

#include <string>
#include <vector>

#include "engine/outcome.hpp"
#include "engine/request_template.hpp"

namespace rb {

// Retrying with a substituted request field, the way LLM routers fall back to another model.
struct FallbackConfig {
  std::vector<int> statuses;          // HTTP statuses that switch to the next variant
  std::vector<AttemptClass> classes;  // non-HTTP outcomes that switch to the next variant
  std::string field = "model";        // top-level field of the JSON request body to replace
  std::vector<std::string> values;    // replacement values, tried in order; empty: no fallback

  bool enabled() const { return !values.empty(); }
  std::size_t variant_count() const { return 1 + values.size(); }
};

// Whether `result` switches a request to its next variant.
bool fallback_matches(const FallbackConfig& config, const AttemptResult& result);

// The request variants a transport prepares: index 0 is `base`, index i > 0 has the body's
// `field` set to values[i - 1]. A body that is not a JSON object is left unchanged, so
// every variant is then the base request.
std::vector<RequestTemplate> request_variants(const RequestTemplate& base,
                                              const FallbackConfig& config);

}  // namespace rb
