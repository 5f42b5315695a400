#pragma once

#include <cstdint>
#include <vector>

#include "common/time.hpp"

namespace rb {

// A log-linear (HDR-style) latency histogram over 1 µs to 1 hour. Each value is kept to the
// given number of significant decimal digits, so memory is bounded however many values are
// recorded, and two histograms of the same precision merge without loss.
//
// The counters live in an anonymous memory mapping, whose pages the kernel zero-fills on
// first touch, and a mask records which power-of-two ranges (chunks of sub-buckets) have
// been written. A histogram whose values span 1 ms to 100 ms keeps about 8 of the 23
// chunks resident, and copies, merges and scans visit only written chunks. So a run's memory
// does not jump when outliers reach new ranges late, and report building, which copies
// every histogram, does not make 180 KB resident per copy.
class Histogram {
 public:
  static constexpr std::int64_t kHighestMicros = 3'600'000'000;  // 1 hour

  explicit Histogram(int significant_digits = 3);
  Histogram(const Histogram& other);
  Histogram& operator=(const Histogram& other);
  Histogram(Histogram&& other) noexcept;  // leaves `other` empty, with its precision
  Histogram& operator=(Histogram&& other) noexcept;
  ~Histogram();

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
  void restore(const std::vector<Bucket>& buckets, std::int64_t min_micros, std::int64_t max_micros,
               double sum_micros, std::uint64_t clamped);
  double sum_micros() const { return sum_; }

  // The value that a bucket index stands for (its lowest equivalent value).
  std::int64_t value_at_index(std::uint32_t index) const;
  std::uint32_t bucket_count() const { return bucket_count_; }
  std::uint64_t count_at_index(std::uint32_t index) const {
    return index < bucket_count_ ? counts_[index] : 0;
  }

 private:
  std::uint32_t index_of(std::int64_t micros) const;
  std::size_t chunk_of(std::uint32_t index) const { return index >> sub_bucket_half_magnitude_; }
  std::uint64_t* chunk_begin(std::size_t chunk) const {
    return counts_ + (chunk << sub_bucket_half_magnitude_);
  }
  void map_counts();
  void unmap_counts();

  int digits_;
  int sub_bucket_half_magnitude_;    // log2 of half the sub-buckets per bucket
  std::int64_t sub_bucket_half_;     // half the sub-buckets per bucket
  std::int64_t sub_bucket_mask_;     // sub-bucket count minus one
  std::uint32_t bucket_count_ = 0;   // sub-buckets over the whole range
  std::uint64_t* counts_ = nullptr;  // bucket_count_ counters, in a private anonymous mapping
  std::size_t mapped_bytes_ = 0;
  std::uint64_t written_chunks_ = 0;  // bit c: chunk c may hold non-zero counts
  std::uint64_t total_ = 0;
  std::uint64_t clamped_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  double sum_ = 0;     // of recorded values, in µs
  double sum_sq_ = 0;  // of squared recorded values, for the standard deviation
};

}  // namespace rb
