#include "engine/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/rng.hpp"

namespace rb {
namespace {

// The exact percentile of sorted data: the smallest value with at least p % of values <= it.
std::int64_t exact_percentile(const std::vector<std::int64_t>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(
      std::max(1.0, std::ceil(p / 100.0 * static_cast<double>(sorted.size()))));
  return sorted[rank - 1];
}

TEST(Histogram, EmptyReturnsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile_micros(99), 0);
  EXPECT_EQ(h.max_micros(), 0);
  EXPECT_EQ(h.mean_micros(), 0.0);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (std::int64_t v = 1; v <= 100; ++v) {
    h.record_micros(v);
  }
  EXPECT_EQ(h.percentile_micros(50), 50);
  EXPECT_EQ(h.percentile_micros(99), 99);
  EXPECT_EQ(h.percentile_micros(100), 100);
  EXPECT_EQ(h.min_micros(), 1);
  EXPECT_DOUBLE_EQ(h.mean_micros(), 50.5);
}

TEST(Histogram, PercentilesWithinThreeDigitsOfExact) {
  Rng rng(7);
  Histogram h;
  std::vector<std::int64_t> values;
  for (int i = 0; i < 20000; ++i) {
    // Spread over six decades, from 1 µs to about 1 s.
    const auto v = static_cast<std::int64_t>(std::pow(10.0, rng.uniform(0.0, 6.0)));
    values.push_back(v);
    h.record_micros(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const double exact = static_cast<double>(exact_percentile(values, p));
    const double got = static_cast<double>(h.percentile_micros(p));
    EXPECT_LE(std::fabs(got - exact), exact * 1e-3 + 1) << "p" << p;
    EXPECT_GE(got, exact) << "p" << p;  // the bucket's highest equivalent, never below
  }
  EXPECT_EQ(h.max_micros(), values.back());
}

TEST(Histogram, ValuesAboveOneHourAreClampedAndCounted) {
  Histogram h;
  h.record(from_seconds(7200));
  h.record_micros(5);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.clamped(), 1u);
  EXPECT_EQ(h.max_micros(), Histogram::kHighestMicros);
}

TEST(Histogram, NegativeValuesCountAsZero) {
  Histogram h;
  h.record_micros(-10);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.max_micros(), 0);
}

TEST(Histogram, MergeIsLossless) {
  Rng rng(3);
  Histogram a;
  Histogram b;
  Histogram both;
  for (int i = 0; i < 5000; ++i) {
    const auto v = static_cast<std::int64_t>(rng.uniform(1, 2'000'000));
    (i % 2 == 0 ? a : b).record_micros(v);
    both.record_micros(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), both.count());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    EXPECT_EQ(a.percentile_micros(p), both.percentile_micros(p));
  }
  EXPECT_EQ(a.max_micros(), both.max_micros());
  EXPECT_EQ(a.min_micros(), both.min_micros());
}

// Copies, moves and resets go through the written-chunk mask; each must keep every count.
TEST(Histogram, CopyMoveResetKeepCounts) {
  Histogram original;
  for (const std::int64_t v : std::vector<std::int64_t>{0, 7, 2047, 2048, 150'000, 3'000'000'000}) {
    original.record_micros(v);
  }
  const std::vector<Histogram::Bucket> buckets = original.nonzero_buckets();
  ASSERT_EQ(buckets.size(), 6U);

  Histogram copy(original);
  EXPECT_EQ(copy.count(), 6U);
  EXPECT_EQ(copy.nonzero_buckets().size(), buckets.size());
  copy.record_micros(7);
  EXPECT_EQ(original.count(), 6U);  // a deep copy: the original does not change

  Histogram assigned(2);
  assigned = original;
  EXPECT_EQ(assigned.significant_digits(), 3);
  EXPECT_EQ(assigned.percentile_micros(50), original.percentile_micros(50));

  Histogram moved(std::move(copy));
  EXPECT_EQ(moved.count(), 7U);
  EXPECT_EQ(copy.count(), 0U);  // NOLINT(bugprone-use-after-move): moved-from stays usable
  copy.record_micros(5);
  EXPECT_EQ(copy.percentile_micros(100), 5);

  moved.reset();
  EXPECT_EQ(moved.count(), 0U);
  EXPECT_TRUE(moved.nonzero_buckets().empty());
  moved.record_micros(40);
  EXPECT_EQ(moved.percentile_micros(50), 40);
  EXPECT_EQ(moved.count_at_index(moved.bucket_count()), 0U);  // past the end reads as empty
}

TEST(Histogram, MergeRejectsOtherPrecision) {
  Histogram a(3);
  Histogram b(2);
  EXPECT_THROW(a.merge(b), std::invalid_argument);
}

TEST(Histogram, SparseRoundTrip) {
  Histogram h;
  for (std::int64_t v : {3, 1500, 1500, 99'000, 4'000'000}) {
    h.record_micros(v);
  }
  Histogram copy;
  copy.restore(h.nonzero_buckets(), h.min_micros(), h.max_micros(), h.sum_micros(), h.clamped());
  EXPECT_EQ(copy.count(), h.count());
  EXPECT_EQ(copy.percentile_micros(50), h.percentile_micros(50));
  EXPECT_EQ(copy.percentile_micros(99), h.percentile_micros(99));
  EXPECT_DOUBLE_EQ(copy.mean_micros(), h.mean_micros());
}

TEST(Histogram, RestoreRejectsBadIndex) {
  Histogram h;
  EXPECT_THROW(h.restore({{1'000'000, 1}}, 0, 0, 0, 0), std::invalid_argument);
}

TEST(Histogram, EquivalentRangeHoldsThreeDigits) {
  Histogram h;
  for (std::int64_t v : {std::int64_t{1'000}, std::int64_t{12'345}, std::int64_t{999'999},
                         std::int64_t{3'000'000'000}}) {
    const std::int64_t low = h.lowest_equivalent(v);
    const std::int64_t high = h.highest_equivalent(v);
    EXPECT_LE(low, v);
    EXPECT_GE(high, v);
    EXPECT_LE(static_cast<double>(high - low), static_cast<double>(v) * 1e-3);
  }
}

}  // namespace
}  // namespace rb
