#include "engine/strategy/fallback.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace rb {

bool fallback_matches(const FallbackConfig& config, const AttemptResult& result) {
  if (!config.enabled() || result.cls == AttemptClass::kSuccess ||
      result.cls == AttemptClass::kCancelled) {
    return false;
  }
  if (result.cls == AttemptClass::kHttpStatus) {
    return std::find(config.statuses.begin(), config.statuses.end(), result.status) !=
           config.statuses.end();
  }
  return std::find(config.classes.begin(), config.classes.end(), result.cls) !=
         config.classes.end();
}

std::vector<RequestTemplate> request_variants(const RequestTemplate& base,
                                              const FallbackConfig& config) {
  std::vector<RequestTemplate> out{base};
  const nlohmann::json body = nlohmann::json::parse(base.body, nullptr, false, true);
  for (const std::string& value : config.values) {
    RequestTemplate variant = base;
    if (body.is_object()) {
      nlohmann::json changed = body;
      changed[config.field] = value;
      variant.body = changed.dump();
    }
    out.push_back(std::move(variant));
  }
  return out;
}

}  // namespace rb
