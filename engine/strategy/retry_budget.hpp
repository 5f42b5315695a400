#pragma once

#include <string>

#include "common/time.hpp"
#include "engine/strategy/sliding_window.hpp"

namespace rb {

// A limit on retries (and hedges) across all requests of a strategy.
struct RetryBudgetConfig {
  enum class Kind {
    kNone,         // no budget
    kTokenBucket,  // gRPC retry throttling
    kRatio,        // retries at most a fraction of requests over a sliding window
  };
  Kind kind = Kind::kNone;
  double max_tokens = 10;             // token bucket: capacity, and the level it starts at
  double token_ratio = 0.1;           // token bucket: tokens each successful attempt adds
  double ratio = 0.1;                 // ratio: retries allowed per logical request in the window
  Duration window{from_seconds(10)};  // ratio: length of the sliding window
  double min_retries_per_second = 0;  // ratio: retries allowed on top of the ratio, per second
};

// Decides whether the strategy may spend another retry.
//
// Token bucket (gRPC retry throttling): tokens start at max_tokens; an attempt that fails
// with a retryable outcome takes 1 token, a successful one adds token_ratio, and the level
// stays in [0, max_tokens]. Retries are allowed only while tokens > max_tokens / 2.
//
// Ratio: a retry is allowed while retries + 1 <= ratio x requests + min_retries_per_second x
// window seconds, counting the logical requests and the granted retries in the window.
class RetryBudget {
 public:
  explicit RetryBudget(const RetryBudgetConfig& config);

  void on_request(Duration now);
  void on_attempt_result(bool success, bool retryable_failure);
  bool allows_retry(Duration now) const;
  void on_retry(Duration now);

  double tokens() const { return tokens_; }
  bool enabled() const { return config_.kind != RetryBudgetConfig::Kind::kNone; }
  const RetryBudgetConfig& config() const { return config_; }

 private:
  RetryBudgetConfig config_;
  double tokens_;
  SlidingWindow window_;  // total: logical requests, hits: retries granted
};

std::string retry_budget_kind_name(RetryBudgetConfig::Kind kind);

}  // namespace rb
