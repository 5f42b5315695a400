#pragma once

#include <memory>
#include <string>

#include "common/rng.hpp"
#include "common/time.hpp"

namespace rb {

// How long to wait before a retry. Definitions follow Marc Brooker, "Exponential Backoff
// And Jitter" (AWS Architecture Blog, 2015); `n` is the retry's index, 0 for the first retry.
struct BackoffConfig {
  enum class Kind {
    kNone,          // 0
    kConstant,      // base
    kLinear,        // base + step * n
    kExponential,   // min(cap, base * multiplier^n)
    kFullJitter,    // random(0, min(cap, base * multiplier^n))
    kEqualJitter,   // v/2 + random(0, v/2) with v = min(cap, base * multiplier^n)
    kDecorrelated,  // min(cap, random(base, previous * 3)), previous starting at base
    kUrllib3,       // urllib3's Retry: 0 for n = 0, then min(cap, base * multiplier^n)
    kOpenAi,        // openai-python: min(cap, base * multiplier^n) * (1 - 0.25 * random(0, 1))
  };
  Kind kind = Kind::kExponential;
  Duration base{from_millis(100)};  // first delay
  double multiplier = 2.0;          // growth per retry (exponential kinds)
  Duration step{0};                 // linear growth per retry; 0 means equal to base
  Duration cap{from_seconds(30)};   // no delay exceeds this
};

std::string backoff_kind_name(BackoffConfig::Kind kind);
bool backoff_kind_from_name(const std::string& name, BackoffConfig::Kind& kind);

// Computes backoff delays. Stateless: the caller keeps `previous` per logical request.
class Backoff {
 public:
  explicit Backoff(const BackoffConfig& config) : config_(config) {}

  // The delay before retry `n` (0-based). `previous` is the delay used before the last
  // retry of the same request (0 for the first). Never negative, never above the cap, and
  // finite for any n.
  Duration delay(int n, Duration previous, Rng& rng) const;

  const BackoffConfig& config() const { return config_; }

 private:
  // min(cap, base * multiplier^n) in nanoseconds, computed without overflow.
  double capped_exponential_ns(int n) const;

  BackoffConfig config_;
};

}  // namespace rb
