#include "reports/hgrm.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace rb {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

TEST(Hgrm, HeaderRowsAndFooter) {
  Histogram histogram;
  for (int i = 1; i <= 10'000; ++i) {
    histogram.record_micros(i * 100);  // 0.1 ms to 1000 ms
  }
  const std::vector<std::string> lines = lines_of(histogram_to_hgrm(histogram));
  ASSERT_GT(lines.size(), 10u);
  EXPECT_EQ(lines[0], "       Value     Percentile TotalCount 1/(1-Percentile)");
  EXPECT_EQ(lines[1], "");
  // First row: the smallest value at percentile 0.
  EXPECT_EQ(lines[2], "       0.100 0.000000000000          1           1.00");

  const std::size_t n = lines.size();
  EXPECT_EQ(lines[n - 3].rfind("#[Mean    =      500.050, StdDeviation   = ", 0), 0u)
      << lines[n - 3];
  EXPECT_EQ(lines[n - 2], "#[Max     =     1000.000, Total count    =        10000]");
  EXPECT_EQ(lines[n - 1].rfind("#[Buckets = ", 0), 0u);
  EXPECT_NE(lines[n - 1].find("SubBuckets     =         2048]"), std::string::npos);
  // The last data row is the maximum at percentile 1 without the 1/(1-p) column.
  EXPECT_EQ(lines[n - 4], "    1000.000 1.000000000000      10000");
}

TEST(Hgrm, RowsAreMonotonic) {
  Histogram histogram;
  for (int i = 1; i <= 5000; ++i) {
    histogram.record_micros((i * 7919) % 100'000 + 1);
  }
  double last_value = -1;
  double last_percentile = -1;
  unsigned long long last_count = 0;
  int rows = 0;
  for (const std::string& line : lines_of(histogram_to_hgrm(histogram))) {
    double value = 0;
    double percentile = 0;
    unsigned long long count = 0;
    if (line.empty() || line[0] == '#' ||
        std::sscanf(line.c_str(), "%lf %lf %llu", &value, &percentile, &count) != 3) {
      continue;
    }
    EXPECT_GE(value, last_value) << line;
    EXPECT_GT(percentile, last_percentile) << line;
    EXPECT_GE(count, last_count) << line;
    last_value = value;
    last_percentile = percentile;
    last_count = count;
    ++rows;
  }
  EXPECT_GT(rows, 50);
  EXPECT_EQ(last_percentile, 1.0);
  EXPECT_EQ(last_count, 5000u);
}

TEST(Hgrm, EmptyHistogramHasNoRows) {
  const std::vector<std::string> lines = lines_of(histogram_to_hgrm(Histogram()));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[2], "#[Mean    =        0.000, StdDeviation   =        0.000]");
}

}  // namespace
}  // namespace rb
