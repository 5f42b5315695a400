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
// 2^(k-1) after, capped at 120 s; Retry-After is obeyed on 413, 429 and 503 in place of
// the backoff; POST is not retried because it is not in the default allowed methods.
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
  add("full-jitter", "exponential backoff with full jitter from 100 ms, 4 attempts",
      full_jitter());
  add("urllib3-default",
      "urllib3 Retry(total=3, backoff_factor=1, status_forcelist=[429,500,502,503,504])",
      urllib3_default());
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
