#include "reports/hgrm.hpp"

#include <cmath>
#include <cstdio>

namespace rb {

namespace {

constexpr double kMicrosPerMilli = 1000.0;

void append(std::string& out, const char* format, auto... values) {
  char line[160];
  std::snprintf(line, sizeof line, format, values...);
  out += line;
}

// The next percentile level, as HdrHistogram's percentile iterator steps: the distance to
// 100 % is halved repeatedly and each halving gets `ticks` equal steps.
double next_level(double level, int ticks) {
  const double remaining = 100.0 - level;
  const double halvings = std::floor(std::log2(100.0 / remaining)) + 1.0;
  const double ticks_this_half = static_cast<double>(ticks) * std::pow(2.0, halvings);
  return level + 100.0 / ticks_this_half;
}

void append_footer(std::string& out, const Histogram& histogram) {
  const std::uint32_t half = histogram.bucket_count() == 0 ? 1 : [&] {
    // Sub-buckets per bucket: the smallest power of two >= 2 * 10^digits.
    std::uint32_t sub = 1;
    while (sub < 2 * std::pow(10.0, histogram.significant_digits())) {
      sub <<= 1;
    }
    return sub / 2;
  }();
  const std::uint32_t buckets = histogram.bucket_count() / half - 1;
  append(out, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n",
         histogram.mean_micros() / kMicrosPerMilli, histogram.stddev_micros() / kMicrosPerMilli);
  append(out, "#[Max     = %12.3f, Total count    = %12llu]\n",
         static_cast<double>(histogram.max_micros()) / kMicrosPerMilli,
         static_cast<unsigned long long>(histogram.count()));
  append(out, "#[Buckets = %12u, SubBuckets     = %12u]\n", buckets, half * 2);
}

}  // namespace

std::string histogram_to_hgrm(const Histogram& histogram, int ticks_per_half_distance) {
  std::string out;
  append(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
  const std::uint64_t total = histogram.count();
  if (total != 0) {
    double level = 0;
    std::uint64_t running = 0;
    for (std::uint32_t i = 0; i < histogram.bucket_count() && running < total; ++i) {
      const std::uint64_t count = histogram.count_at_index(i);
      if (count == 0) {
        continue;
      }
      running += count;
      const std::int64_t value = std::min(histogram.highest_equivalent(histogram.value_at_index(i)),
                                          histogram.max_micros());
      const double reached = 100.0 * static_cast<double>(running) / static_cast<double>(total);
      // One row per level that this bucket reaches, so steep regions get their rows too.
      while (running < total && level <= reached) {
        append(out, "%12.3f %2.12f %10llu %14.2f\n", static_cast<double>(value) / kMicrosPerMilli,
               level / 100.0, static_cast<unsigned long long>(running),
               1.0 / (1.0 - level / 100.0));
        level = next_level(level, ticks_per_half_distance);
      }
    }
    append(out, "%12.3f %2.12f %10llu\n",
           static_cast<double>(histogram.max_micros()) / kMicrosPerMilli, 1.0,
           static_cast<unsigned long long>(total));
  }
  append_footer(out, histogram);
  return out;
}

}  // namespace rb
