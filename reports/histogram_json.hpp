#pragma once

#include <nlohmann/json.hpp>

#include "engine/histogram.hpp"
#include "reports/json_fields.hpp"

namespace rb {

// The percentile summary of a histogram in milliseconds: p50, p90, p99, p999, max, mean and
// the count of values.
nlohmann::json percentile_summary_json(const Histogram& histogram);

// Whether histogram_to_json fills "buckets" or leaves it an empty array for a writer that
// streams the pairs itself (see write_result_json).
enum class BucketPairs { kIncluded, kLeftEmpty };

// The lossless sparse form: significant_digits, count, min_us, max_us, sum_us, clamped and
// buckets as [index, count] pairs.
nlohmann::json histogram_to_json(const Histogram& histogram,
                                 BucketPairs pairs = BucketPairs::kIncluded);

// Rebuilds a histogram from its sparse form; throws ResultFileError naming the field.
Histogram histogram_from_json(const FieldReader& fields);

}  // namespace rb
