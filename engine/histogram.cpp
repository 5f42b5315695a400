#include "engine/histogram.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>

namespace rb {

// Layout: bucket b covers [2^b * H, 2^(b+1) * H) for b >= 1 with H sub-buckets of width 2^b,
// and bucket 0 covers [0, 2H) with width 1, where H is half the sub-bucket count. With
// 2H >= 2 * 10^digits, every value is held to `digits` significant decimal digits.
Histogram::Histogram(int significant_digits) : digits_(significant_digits) {
  if (significant_digits < 1 || significant_digits > 5) {
    throw std::invalid_argument("histogram precision must be 1 to 5 significant digits");
  }
  const double largest_single_unit = 2.0 * std::pow(10.0, significant_digits);
  const int sub_bucket_magnitude = static_cast<int>(std::ceil(std::log2(largest_single_unit)));
  sub_bucket_half_magnitude_ = sub_bucket_magnitude - 1;
  const std::int64_t sub_bucket_count = std::int64_t{1} << sub_bucket_magnitude;
  sub_bucket_half_ = sub_bucket_count / 2;
  sub_bucket_mask_ = sub_bucket_count - 1;

  int buckets = 1;
  std::int64_t reach = sub_bucket_count;
  while (reach <= kHighestMicros) {
    reach <<= 1;
    ++buckets;
  }
  bucket_count_ = static_cast<std::uint32_t>((buckets + 1) * sub_bucket_half_);
  // Every precision from 1 to 5 digits needs at most 29 chunks, so one 64-bit mask covers it.
  if (buckets + 1 > 64) {
    throw std::logic_error("histogram layout needs more chunks than the written-chunk mask has");
  }
  map_counts();
}

void Histogram::map_counts() {
  mapped_bytes_ = static_cast<std::size_t>(bucket_count_) * sizeof(std::uint64_t);
  void* memory =
      mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    mapped_bytes_ = 0;
    throw std::bad_alloc();
  }
  counts_ = static_cast<std::uint64_t*>(memory);
  written_chunks_ = 0;
}

void Histogram::unmap_counts() {
  if (counts_ != nullptr) {
    munmap(counts_, mapped_bytes_);
    counts_ = nullptr;
  }
}

Histogram::Histogram(const Histogram& other)
    : digits_(other.digits_),
      sub_bucket_half_magnitude_(other.sub_bucket_half_magnitude_),
      sub_bucket_half_(other.sub_bucket_half_),
      sub_bucket_mask_(other.sub_bucket_mask_),
      bucket_count_(other.bucket_count_) {
  map_counts();
  merge(other);
}

Histogram& Histogram::operator=(const Histogram& other) {
  if (this != &other) {
    Histogram copy(other);
    *this = std::move(copy);
  }
  return *this;
}

Histogram::Histogram(Histogram&& other) noexcept
    : digits_(other.digits_),
      sub_bucket_half_magnitude_(other.sub_bucket_half_magnitude_),
      sub_bucket_half_(other.sub_bucket_half_),
      sub_bucket_mask_(other.sub_bucket_mask_),
      bucket_count_(other.bucket_count_),
      counts_(std::exchange(other.counts_, nullptr)),
      mapped_bytes_(std::exchange(other.mapped_bytes_, 0)),
      written_chunks_(std::exchange(other.written_chunks_, 0)),
      total_(std::exchange(other.total_, 0)),
      clamped_(std::exchange(other.clamped_, 0)),
      min_(std::exchange(other.min_, 0)),
      max_(std::exchange(other.max_, 0)),
      sum_(std::exchange(other.sum_, 0)),
      sum_sq_(std::exchange(other.sum_sq_, 0)) {
  // The moved-from histogram stays usable: it gets a fresh, empty mapping if one is free.
  try {
    other.map_counts();
  } catch (const std::bad_alloc&) {
    other.bucket_count_ = 0;  // records would have nowhere to go; it can only be assigned
  }
}

Histogram& Histogram::operator=(Histogram&& other) noexcept {
  if (this != &other) {
    std::swap(digits_, other.digits_);
    std::swap(sub_bucket_half_magnitude_, other.sub_bucket_half_magnitude_);
    std::swap(sub_bucket_half_, other.sub_bucket_half_);
    std::swap(sub_bucket_mask_, other.sub_bucket_mask_);
    std::swap(bucket_count_, other.bucket_count_);
    std::swap(counts_, other.counts_);
    std::swap(mapped_bytes_, other.mapped_bytes_);
    std::swap(written_chunks_, other.written_chunks_);
    std::swap(total_, other.total_);
    std::swap(clamped_, other.clamped_);
    std::swap(min_, other.min_);
    std::swap(max_, other.max_);
    std::swap(sum_, other.sum_);
    std::swap(sum_sq_, other.sum_sq_);
    other.reset();
  }
  return *this;
}

Histogram::~Histogram() {
  unmap_counts();
}

std::uint32_t Histogram::index_of(std::int64_t micros) const {
  // Bit length of the value, at least that of the sub-bucket mask, picks the bucket.
  const int bit_length =
      64 - __builtin_clzll(static_cast<std::uint64_t>(micros | sub_bucket_mask_));
  const int bucket = bit_length - sub_bucket_half_magnitude_ - 1;
  const std::int64_t sub_bucket = micros >> bucket;
  const std::int64_t index =
      ((bucket + 1) << sub_bucket_half_magnitude_) + sub_bucket - sub_bucket_half_;
  return static_cast<std::uint32_t>(index);
}

std::int64_t Histogram::value_at_index(std::uint32_t index) const {
  std::int64_t bucket = (static_cast<std::int64_t>(index) >> sub_bucket_half_magnitude_) - 1;
  std::int64_t sub_bucket = (index & (sub_bucket_half_ - 1)) + sub_bucket_half_;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

std::int64_t Histogram::lowest_equivalent(std::int64_t micros) const {
  return value_at_index(index_of(std::clamp<std::int64_t>(micros, 0, kHighestMicros)));
}

std::int64_t Histogram::highest_equivalent(std::int64_t micros) const {
  const std::uint32_t index = index_of(std::clamp<std::int64_t>(micros, 0, kHighestMicros));
  const std::int64_t bucket = std::max<std::int64_t>(
      0, (static_cast<std::int64_t>(index) >> sub_bucket_half_magnitude_) - 1);
  return value_at_index(index) + (std::int64_t{1} << bucket) - 1;
}

void Histogram::record_micros(std::int64_t micros) {
  if (micros < 0) {
    micros = 0;
  }
  if (micros > kHighestMicros) {
    micros = kHighestMicros;
    ++clamped_;
  }
  const std::uint32_t index = index_of(micros);
  ++counts_[index];
  written_chunks_ |= std::uint64_t{1} << chunk_of(index);
  if (total_ == 0 || micros < min_) {
    min_ = micros;
  }
  max_ = std::max(max_, micros);
  ++total_;
  const double value = static_cast<double>(micros);
  sum_ += value;
  sum_sq_ += value * value;
}

void Histogram::merge(const Histogram& other) {
  if (other.digits_ != digits_) {
    throw std::invalid_argument("cannot merge histograms of different precision");
  }
  if (other.total_ == 0) {
    return;
  }
  const auto chunk_size = static_cast<std::size_t>(sub_bucket_half_);
  for (std::uint64_t chunks = other.written_chunks_; chunks != 0; chunks &= chunks - 1) {
    const auto chunk = static_cast<std::size_t>(std::countr_zero(chunks));
    std::uint64_t* into = chunk_begin(chunk);
    const std::uint64_t* from = other.chunk_begin(chunk);
    for (std::size_t i = 0; i < chunk_size; ++i) {
      into[i] += from[i];
    }
  }
  written_chunks_ |= other.written_chunks_;
  min_ = total_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  total_ += other.total_;
  clamped_ += other.clamped_;
  sum_ += other.sum_;
  sum_sq_ += other.sum_sq_;
}

void Histogram::reset() {
  const std::size_t chunk_bytes =
      static_cast<std::size_t>(sub_bucket_half_) * sizeof(std::uint64_t);
  for (std::uint64_t chunks = written_chunks_; chunks != 0; chunks &= chunks - 1) {
    std::memset(chunk_begin(static_cast<std::size_t>(std::countr_zero(chunks))), 0, chunk_bytes);
  }
  written_chunks_ = 0;
  total_ = 0;
  clamped_ = 0;
  min_ = 0;
  max_ = 0;
  sum_ = 0;
  sum_sq_ = 0;
}

std::int64_t Histogram::percentile_micros(double percentile) const {
  if (total_ == 0) {
    return 0;
  }
  percentile = std::clamp(percentile, 0.0, 100.0);
  if (percentile >= 100.0) {
    return max_;
  }
  const double wanted = std::ceil(percentile / 100.0 * static_cast<double>(total_));
  const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
  std::uint64_t running = 0;
  const auto chunk_size = static_cast<std::uint32_t>(sub_bucket_half_);
  for (std::uint64_t chunks = written_chunks_; chunks != 0; chunks &= chunks - 1) {
    const auto first = static_cast<std::uint32_t>(std::countr_zero(chunks)) * chunk_size;
    for (std::uint32_t i = first; i < first + chunk_size; ++i) {
      running += counts_[i];
      if (running >= rank) {
        return std::clamp(highest_equivalent(value_at_index(i)), min_, max_);
      }
    }
  }
  return max_;
}

double Histogram::mean_micros() const {
  return total_ == 0 ? 0.0 : sum_ / static_cast<double>(total_);
}

double Histogram::stddev_micros() const {
  if (total_ < 2) {
    return 0.0;
  }
  const double mean = mean_micros();
  const double variance = sum_sq_ / static_cast<double>(total_) - mean * mean;
  return variance > 0 ? std::sqrt(variance) : 0.0;
}

std::vector<Histogram::Bucket> Histogram::nonzero_buckets() const {
  std::vector<Bucket> out;
  const auto chunk_size = static_cast<std::uint32_t>(sub_bucket_half_);
  for (std::uint64_t chunks = written_chunks_; chunks != 0; chunks &= chunks - 1) {
    const auto first = static_cast<std::uint32_t>(std::countr_zero(chunks)) * chunk_size;
    for (std::uint32_t i = first; i < first + chunk_size; ++i) {
      if (counts_[i] != 0) {
        out.push_back({i, counts_[i]});
      }
    }
  }
  return out;
}

void Histogram::restore(const std::vector<Bucket>& buckets, std::int64_t min_micros,
                        std::int64_t max_micros, double sum_micros, std::uint64_t clamped) {
  reset();
  for (const auto& bucket : buckets) {
    if (bucket.index >= bucket_count_) {
      throw std::invalid_argument("histogram bucket index " + std::to_string(bucket.index) +
                                  " out of range");
    }
    counts_[bucket.index] += bucket.count;
    written_chunks_ |= std::uint64_t{1} << chunk_of(bucket.index);
    total_ += bucket.count;
    const double value = static_cast<double>(value_at_index(bucket.index));
    sum_sq_ += value * value * static_cast<double>(bucket.count);
  }
  min_ = min_micros;
  max_ = max_micros;
  sum_ = sum_micros;
  clamped_ = clamped;
}

}  // namespace rb
