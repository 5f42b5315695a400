#pragma once

#include <cstdint>
#include <vector>

#include "common/time.hpp"

namespace rb {

// A log-linear (HDR-style) latency histogram over 1 µs to 1 hour. Each value is kept to the
// given number of significant decimal digits, so memory is fixed however many values are
// recorded, and two histograms of the same precision merge without loss.
class Histogram {
 public:
  static constexpr std::int64_t kHighestMicros = 3'600'000'000;  // 1 hour

  explicit Histogram(int significant_digits = 3);

  // Records one latency. Below 1 µs counts as 0 µs; above 1 hour is clamped and counted.
  void record(Duration latency) { record_micros(latency.count() / 1000); }
  void record_micros(std::int64_t micros);

  // Adds every count of `other`, which must have the same precision.
  void merge(const Histogram& other);
  void reset();

  std::uint64_t count() const { return total_; }
  std::uint64_t clamped() const { return clamped_; }  // values recorded above 1 hour
  int significant_digits() const { return digits_; }

  // The smallest recorded value v such that `percentile` percent of values are <= v, to the
  // histogram's precision (it returns the highest value equivalent to v's bucket, capped at
  // the exact maximum). Returns 0 when empty.
  std::int64_t percentile_micros(double percentile) const;
  std::int64_t min_micros() const { return total_ == 0 ? 0 : min_; }
  std::int64_t max_micros() const { return max_; }
  double mean_micros() const;
  double stddev_micros() const;

  // The largest value that falls in the same bucket as `micros`.
  std::int64_t highest_equivalent(std::int64_t micros) const;
  std::int64_t lowest_equivalent(std::int64_t micros) const;

  // Sparse form for result files: (bucket index, count) for every non-empty bucket.
  struct Bucket {
    std::uint32_t index;
    std::uint64_t count;
  };
  std::vector<Bucket> nonzero_buckets() const;
  // Restores from the sparse form plus the exact aggregates; throws std::invalid_argument on
  // an index out of range.
  void restore(const std::vector<Bucket>& buckets, std::int64_t min_micros,
               std::int64_t max_micros, double sum_micros, std::uint64_t clamped);
  double sum_micros() const { return sum_; }

  // The value that a bucket index stands for (its lowest equivalent value).
  std::int64_t value_at_index(std::uint32_t index) const;
  std::uint32_t bucket_count() const { return static_cast<std::uint32_t>(counts_.size()); }
  std::uint64_t count_at_index(std::uint32_t index) const { return counts_[index]; }

 private:
  std::uint32_t index_of(std::int64_t micros) const;

  int digits_;
  int sub_bucket_half_magnitude_;  // log2 of half the sub-buckets per bucket
  std::int64_t sub_bucket_half_;   // half the sub-buckets per bucket
  std::int64_t sub_bucket_mask_;   // sub-bucket count minus one
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t clamped_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  double sum_ = 0;      // of recorded values, in µs
  double sum_sq_ = 0;   // of squared recorded values, for the standard deviation
};

}  // namespace rb
