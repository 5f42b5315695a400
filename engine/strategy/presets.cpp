#include "engine/strategy/presets.hpp"

namespace rb {

namespace {

StrategyConfig no_retry() {
  StrategyConfig c;
  c.selector.kind = SelectorConfig::Kind::kRoundRobin;
  c.retry.max_attempts = 1;
  c.retry.backoff.kind = BackoffConfig::Kind::kNone;
  return c;
}

// Rotate to the next endpoint on failure, back off 1-2-4-8 s and take the longer of the
// backoff and Retry-After, 3 attempts in all: the loop LLM relay tutorials show.
StrategyConfig tutorial_rotate_on_429() {
  StrategyConfig c;
  c.selector.kind = SelectorConfig::Kind::kRotateOnFailure;
  c.retry.max_attempts = 3;
  c.retry.retry_non_idempotent = true;
  c.retry.backoff = {BackoffConfig::Kind::kExponential, from_seconds(1), 2.0, Duration(0),
                     from_seconds(8)};
  c.retry.retry_after.mode = RetryAfterConfig::Mode::kMax;
  return c;
}

// Exponential backoff with full jitter, 100 ms base, 4 attempts.
StrategyConfig full_jitter() {
  StrategyConfig c;
  c.selector.kind = SelectorConfig::Kind::kRoundRobin;
  c.retry.max_attempts = 4;
  c.retry.retry_non_idempotent = true;
  c.retry.backoff = {BackoffConfig::Kind::kFullJitter, from_millis(100), 2.0, Duration(0),
                     from_seconds(10)};
  c.retry.retry_after.mode = RetryAfterConfig::Mode::kMax;
  return c;
}

// urllib3 1.26 Retry(total=3, backoff_factor=1, status_forcelist=[429, 500, 502, 503, 504]):
// 4 attempts; the sleep before retry k (1-based) is 0 for k = 1 and backoff_factor *
// 2^(k-1) after, capped at 120 s (get_backoff_time); a Retry-After header on a retried
// response replaces the backoff, and 0 falls back to it (sleep_for_retry); POST is not
// retried after a response or read error because it is not in DEFAULT_ALLOWED_METHODS,
// but connect errors retry for every method.
StrategyConfig urllib3_default() {
  StrategyConfig c;
  c.selector.kind = SelectorConfig::Kind::kSingle;
  c.retry.max_attempts = 4;
  c.retry.retry_statuses = {429, 500, 502, 503, 504};
  c.retry.retry_non_idempotent = false;
  c.retry.backoff = {BackoffConfig::Kind::kUrllib3, from_seconds(1), 2.0, Duration(0),
                     from_seconds(120)};
  c.retry.retry_after.mode = RetryAfterConfig::Mode::kHeaderOnly;
  c.retry.retry_after.cap = from_seconds(3600);
  c.retry.retry_after.zero_uses_backoff = true;
  c.retry.retry_unsent_non_idempotent = true;
  c.retry.retry_classes = {AttemptClass::kConnectTimeout, AttemptClass::kFirstByteTimeout,
                           AttemptClass::kTotalTimeout,   AttemptClass::kRefused,
                           AttemptClass::kReset,          AttemptClass::kClosedEarly,
                           AttemptClass::kDnsError,       AttemptClass::kParseError};
  return c;
}

// Endpoint with the best health score, 1-2-4-8 s exponential backoff taking
// max(backoff, Retry-After), up to 4 attempts.
StrategyConfig tutorial_health_score() {
  StrategyConfig c = tutorial_rotate_on_429();
  c.selector.kind = SelectorConfig::Kind::kHealthScore;
  c.retry.max_attempts = 4;
  return c;
}

// Skip endpoints with 3 consecutive errors, 1-2-4-8 s exponential backoff, 4 attempts.
StrategyConfig tutorial_skip_unhealthy() {
  StrategyConfig c = tutorial_rotate_on_429();
  c.selector.kind = SelectorConfig::Kind::kSkipUnhealthy;
  c.selector.max_consecutive_errors = 3;
  c.retry.max_attempts = 4;
  return c;
}

// openai-python's default client: max_retries=2 (3 attempts); the wait before retry n
// (0-based) is min(0.5 s * 2^n, 8 s) * (1 - 0.25 * random()); retry-after-ms, then
// Retry-After (seconds or HTTP-date), is used instead when 0 < header <= 60 s, else the
// backoff; it retries 408, 409, 429, 5xx, timeouts and connection errors, POST included
// (it sends an idempotency key).
StrategyConfig openai_python() {
  StrategyConfig c;
  c.selector.kind = SelectorConfig::Kind::kSingle;
  c.retry.max_attempts = 3;
  c.retry.retry_statuses = {408, 409, 429};
  for (int status = 500; status <= 599; ++status) {
    c.retry.retry_statuses.push_back(status);
  }
  c.retry.retry_classes = {AttemptClass::kConnectTimeout, AttemptClass::kFirstByteTimeout,
                           AttemptClass::kTotalTimeout,   AttemptClass::kRefused,
                           AttemptClass::kReset,          AttemptClass::kClosedEarly,
                           AttemptClass::kTlsError,       AttemptClass::kDnsError,
                           AttemptClass::kParseError};
  c.retry.retry_non_idempotent = true;
  c.retry.backoff = {BackoffConfig::Kind::kOpenAi, from_millis(500), 2.0, Duration(0),
                     from_seconds(8)};
  c.retry.retry_after.mode = RetryAfterConfig::Mode::kHeaderOnly;
  c.retry.retry_after.cap = from_seconds(60);
  c.retry.retry_after.zero_uses_backoff = true;
  c.retry.retry_after.over_cap_uses_backoff = true;
  return c;
}

// Full jitter with a gRPC-style token bucket: 10 tokens, 0.1 back per success.
StrategyConfig full_jitter_token_bucket() {
  StrategyConfig c = full_jitter();
  c.budget.kind = RetryBudgetConfig::Kind::kTokenBucket;
  c.budget.max_tokens = 10;
  c.budget.token_ratio = 0.1;
  return c;
}

// p2c-ewma with per-endpoint circuit breakers and full-jitter retries, 3 attempts.
StrategyConfig p2c_ewma_breaker() {
  StrategyConfig c = full_jitter();
  c.selector.kind = SelectorConfig::Kind::kP2cEwma;
  c.retry.max_attempts = 3;
  c.breaker.scope = BreakerConfig::Scope::kPerEndpoint;
  return c;
}

// A hedge to another endpoint after the running p95 latency (100 ms until 20 samples), two
// attempts in all, so either the hedge or one retry.
StrategyConfig hedged() {
  StrategyConfig c = full_jitter();
  c.retry.max_attempts = 2;
  c.hedge.enabled = true;
  c.hedge.delay = from_millis(100);
  c.hedge.percentile = 95;
  c.hedge.min_samples = 20;
  return c;
}

std::vector<Preset> build_presets() {
  std::vector<Preset> out;
  auto add = [&out](const char* name, const char* description, StrategyConfig config) {
    config.name = name;
    config.preset = name;
    config.description = description;
    out.push_back({name, description, std::move(config)});
  };
  add("no-retry", "one attempt per request, round-robin over the endpoints", no_retry());
  add("tutorial-rotate-429",
      "rotate endpoint on failure, 1-2-4-8 s exponential backoff, max(backoff, Retry-After), "
      "3 attempts",
      tutorial_rotate_on_429());
  add("full-jitter", "exponential backoff with full jitter from 100 ms, 4 attempts", full_jitter());
  add("tutorial-health-score",
      "best health score (70 x success rate + 30 x latency term), 1-2-4-8 s backoff, "
      "max(backoff, Retry-After), 4 attempts",
      tutorial_health_score());
  add("tutorial-skip-unhealthy",
      "skip endpoints with 3 consecutive errors, 1-2-4-8 s backoff, 4 attempts",
      tutorial_skip_unhealthy());
  add("urllib3-default",
      "urllib3 Retry(total=3, backoff_factor=1, status_forcelist=[429,500,502,503,504])",
      urllib3_default());
  add("openai-python",
      "openai-python default: 2 retries, 0.5-8 s jittered backoff, Retry-After up to 60 s",
      openai_python());
  add("full-jitter-token-bucket",
      "full jitter from 100 ms, 4 attempts, gRPC token bucket (10 tokens, ratio 0.1)",
      full_jitter_token_bucket());
  add("p2c-ewma-breaker",
      "power of two choices on latency EWMA, per-endpoint circuit breakers, 3 attempts",
      p2c_ewma_breaker());
  add("hedged", "hedge to another endpoint after the running p95 latency, 2 attempts in all",
      hedged());
  return out;
}

}  // namespace

const std::vector<Preset>& presets() {
  static const std::vector<Preset> kPresets = build_presets();
  return kPresets;
}

std::optional<StrategyConfig> find_preset(const std::string& name) {
  for (const auto& preset : presets()) {
    if (preset.name == name) {
      return preset.config;
    }
  }
  return std::nullopt;
}

std::string preset_names() {
  std::string out;
  for (const auto& preset : presets()) {
    out += (out.empty() ? "" : ", ") + preset.name;
  }
  return out;
}

}  // namespace rb
