#pragma once

#include "common/json_reader.hpp"
#include "engine/strategy/strategy.hpp"

// Readers for the optional strategy blocks, each over the value it starts from (a preset's
// or the defaults). Each throws ConfigError naming the path and line of a bad field.
namespace rb {

SelectorConfig parse_selector(const JsonNode& node, SelectorConfig config);
RetryBudgetConfig parse_budget(const JsonNode& node, RetryBudgetConfig config);
ThrottleConfig parse_throttle(const JsonNode& node, ThrottleConfig config);
BreakerConfig parse_breaker(const JsonNode& node, BreakerConfig config);
HedgeConfig parse_hedge(const JsonNode& node, HedgeConfig config);
RetryQueueConfig parse_queue(const JsonNode& node, RetryQueueConfig config);
FallbackConfig parse_fallback(const JsonNode& node, FallbackConfig config);

// Reads an array of HTTP statuses from 100 to 599.
std::vector<int> parse_statuses(const JsonNode& node);
// Reads an array of non-HTTP outcome names ("connect_timeout", "reset", ...).
std::vector<AttemptClass> parse_classes(const JsonNode& node);

}  // namespace rb
