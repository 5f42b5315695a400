#pragma once

#include "engine/metrics.hpp"

namespace rb {

// Adds `from` into `into`: counters add, histograms merge without loss, and per-second rows
// add second by second. Per-second p50 and p99 cannot be merged exactly from two values, so
// the merged row keeps the larger of the two, an upper bound. Throws std::invalid_argument
// when the two have different endpoint counts.
void merge_metrics(StrategyMetrics& into, const StrategyMetrics& from);

}  // namespace rb
