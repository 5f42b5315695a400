#include "engine/strategy/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace rb {

std::string backoff_kind_name(BackoffConfig::Kind kind) {
  switch (kind) {
    case BackoffConfig::Kind::kNone:
      return "none";
    case BackoffConfig::Kind::kConstant:
      return "constant";
    case BackoffConfig::Kind::kLinear:
      return "linear";
    case BackoffConfig::Kind::kExponential:
      return "exponential";
    case BackoffConfig::Kind::kFullJitter:
      return "full-jitter";
    case BackoffConfig::Kind::kEqualJitter:
      return "equal-jitter";
    case BackoffConfig::Kind::kDecorrelated:
      return "decorrelated-jitter";
    case BackoffConfig::Kind::kUrllib3:
      return "urllib3";
    case BackoffConfig::Kind::kOpenAi:
      return "openai";
  }
  return "none";
}

bool backoff_kind_from_name(const std::string& name, BackoffConfig::Kind& kind) {
  using K = BackoffConfig::Kind;
  for (K k : {K::kNone, K::kConstant, K::kLinear, K::kExponential, K::kFullJitter, K::kEqualJitter,
              K::kDecorrelated, K::kUrllib3, K::kOpenAi}) {
    if (backoff_kind_name(k) == name) {
      kind = k;
      return true;
    }
  }
  // Short aliases that people write.
  if (name == "full") {
    kind = K::kFullJitter;
  } else if (name == "equal") {
    kind = K::kEqualJitter;
  } else if (name == "decorrelated") {
    kind = K::kDecorrelated;
  } else {
    return false;
  }
  return true;
}

double Backoff::capped_exponential_ns(int n) const {
  const double base = static_cast<double>(config_.base.count());
  const double cap = static_cast<double>(config_.cap.count());
  const double growth = std::pow(config_.multiplier, static_cast<double>(std::max(0, n)));
  const double value = base * growth;
  if (!std::isfinite(value) || value > cap) {
    return cap;
  }
  return std::max(0.0, value);
}

Duration Backoff::delay(int n, Duration previous, Rng& rng) const {
  const double cap = static_cast<double>(config_.cap.count());
  const double base = static_cast<double>(config_.base.count());
  double ns = 0;
  switch (config_.kind) {
    case BackoffConfig::Kind::kNone:
      ns = 0;
      break;
    case BackoffConfig::Kind::kConstant:
      ns = base;
      break;
    case BackoffConfig::Kind::kLinear: {
      const double step =
          config_.step.count() > 0 ? static_cast<double>(config_.step.count()) : base;
      ns = base + step * static_cast<double>(std::max(0, n));
      break;
    }
    case BackoffConfig::Kind::kExponential:
      ns = capped_exponential_ns(n);
      break;
    case BackoffConfig::Kind::kFullJitter:
      ns = rng.uniform(0.0, capped_exponential_ns(n));
      break;
    case BackoffConfig::Kind::kEqualJitter: {
      const double v = capped_exponential_ns(n);
      ns = v / 2.0 + rng.uniform(0.0, v / 2.0);
      break;
    }
    case BackoffConfig::Kind::kUrllib3:
      ns = n <= 0 ? 0.0 : capped_exponential_ns(n);
      break;
    case BackoffConfig::Kind::kOpenAi:
      ns = capped_exponential_ns(n) * (1.0 - 0.25 * rng.uniform01());
      break;
    case BackoffConfig::Kind::kDecorrelated: {
      const double last = previous.count() > 0 ? static_cast<double>(previous.count()) : base;
      ns = rng.uniform(base, std::max(base, last * 3.0));
      break;
    }
  }
  if (!std::isfinite(ns)) {
    ns = cap;
  }
  ns = std::clamp(ns, 0.0, cap);
  return Duration(static_cast<std::int64_t>(ns));
}

}  // namespace rb
