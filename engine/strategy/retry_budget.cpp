#include "engine/strategy/retry_budget.hpp"

#include <algorithm>
#include <string>

namespace rb {

std::string retry_budget_kind_name(RetryBudgetConfig::Kind kind) {
  switch (kind) {
    case RetryBudgetConfig::Kind::kNone:
      return "none";
    case RetryBudgetConfig::Kind::kTokenBucket:
      return "token-bucket";
    case RetryBudgetConfig::Kind::kRatio:
      return "ratio";
  }
  return "none";
}

RetryBudget::RetryBudget(const RetryBudgetConfig& config)
    : config_(config), tokens_(config.max_tokens), window_(config.window) {}

void RetryBudget::on_request(Duration now) {
  if (config_.kind == RetryBudgetConfig::Kind::kRatio) {
    window_.add(now, 1, 0);
  }
}

void RetryBudget::on_attempt_result(bool success, bool retryable_failure) {
  if (config_.kind != RetryBudgetConfig::Kind::kTokenBucket) {
    return;
  }
  if (success) {
    tokens_ = std::min(config_.max_tokens, tokens_ + config_.token_ratio);
  } else if (retryable_failure) {
    tokens_ = std::max(0.0, tokens_ - 1.0);
  }
}

bool RetryBudget::allows_retry(Duration now) const {
  switch (config_.kind) {
    case RetryBudgetConfig::Kind::kNone:
      return true;
    case RetryBudgetConfig::Kind::kTokenBucket:
      return tokens_ > config_.max_tokens / 2.0;
    case RetryBudgetConfig::Kind::kRatio: {
      const SlidingWindow::Totals totals = window_.totals(now);
      const double allowance = config_.ratio * static_cast<double>(totals.total) +
                               config_.min_retries_per_second * to_seconds(config_.window);
      return static_cast<double>(totals.hits + 1) <= allowance;
    }
  }
  return true;
}

void RetryBudget::on_retry(Duration now) {
  if (config_.kind == RetryBudgetConfig::Kind::kRatio) {
    window_.add(now, 0, 1);
  }
}

}  // namespace rb
