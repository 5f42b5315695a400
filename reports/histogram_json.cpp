#include "reports/histogram_json.hpp"

#include <stdexcept>
#include <vector>

namespace rb {

namespace {

double micros_to_ms(std::int64_t micros) {
  return static_cast<double>(micros) / 1000.0;
}

}  // namespace

nlohmann::json percentile_summary_json(const Histogram& histogram) {
  return {
      {"count", histogram.count()},
      {"p50", micros_to_ms(histogram.percentile_micros(50))},
      {"p90", micros_to_ms(histogram.percentile_micros(90))},
      {"p99", micros_to_ms(histogram.percentile_micros(99))},
      {"p999", micros_to_ms(histogram.percentile_micros(99.9))},
      {"max", micros_to_ms(histogram.max_micros())},
      {"mean", histogram.mean_micros() / 1000.0},
  };
}

nlohmann::json histogram_to_json(const Histogram& histogram, BucketPairs pairs) {
  nlohmann::json buckets = nlohmann::json::array();
  if (pairs == BucketPairs::kIncluded) {
    for (const Histogram::Bucket& bucket : histogram.nonzero_buckets()) {
      buckets.push_back({bucket.index, bucket.count});
    }
  }
  return {
      {"significant_digits", histogram.significant_digits()},
      {"count", histogram.count()},
      {"min_us", histogram.min_micros()},
      {"max_us", histogram.max_micros()},
      {"sum_us", histogram.sum_micros()},
      {"clamped", histogram.clamped()},
      {"buckets", std::move(buckets)},
  };
}

Histogram histogram_from_json(const FieldReader& fields) {
  const auto digits = fields.integer("significant_digits");
  if (digits < 1 || digits > 5) {
    fields.fail("significant_digits", "expected 1 to 5, found " + std::to_string(digits));
  }
  Histogram histogram(static_cast<int>(digits));

  std::vector<Histogram::Bucket> buckets;
  std::uint64_t total = 0;
  const nlohmann::json& items = fields.array("buckets");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const nlohmann::json& pair = items[i];
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_unsigned() ||
        !pair[1].is_number_unsigned()) {
      fields.fail("buckets[" + std::to_string(i) + "]",
                  "expected [index, count] with two non-negative integers, found " + pair.dump());
    }
    const auto count = pair[1].get<std::uint64_t>();
    buckets.push_back({pair[0].get<std::uint32_t>(), count});
    total += count;
  }
  if (total != fields.count("count")) {
    fields.fail("count",
                "does not match the sum of the bucket counts (" + std::to_string(total) + ")");
  }

  const std::int64_t min_us = fields.integer("min_us");
  const std::int64_t max_us = fields.integer("max_us");
  if (total > 0 && min_us > max_us) {
    fields.fail("min_us", "is above max_us (" + std::to_string(max_us) + ")");
  }
  if (fields.number("sum_us") < 0) {
    fields.fail("sum_us", "is negative; latencies are at least 0");
  }
  try {
    histogram.restore(buckets, min_us, max_us, fields.number("sum_us"), fields.count("clamped"));
  } catch (const std::invalid_argument& e) {
    fields.fail("buckets", e.what());
  }
  return histogram;
}

}  // namespace rb
