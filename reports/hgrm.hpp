#pragma once

#include <string>

#include "engine/histogram.hpp"

namespace rb {

// The HdrHistogram percentile-distribution text ("Value Percentile TotalCount
// 1/(1-Percentile)" rows and the Mean/StdDeviation/Max/Total count footer), the format that
// HdrHistogram's outputPercentileDistribution writes and its plotter reads. Values are in
// milliseconds; `ticks_per_half_distance` sets how many rows each halving of the remaining
// distance to 100 % gets (HdrHistogram's default is 5).
std::string histogram_to_hgrm(const Histogram& histogram, int ticks_per_half_distance = 5);

}  // namespace rb
