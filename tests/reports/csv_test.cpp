#include "reports/csv.hpp"

#include <gtest/gtest.h>

#include "reports/csv_reports.hpp"
#include "reports/metric_catalog.hpp"
#include "tests/reports/sample_result.hpp"

namespace rb {
namespace {

TEST(CsvField, PlainFieldUnquoted) {
  EXPECT_EQ(csv_field("rotate-on-429"), "rotate-on-429");
}

TEST(CsvField, CommaQuoted) {
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
}

TEST(CsvField, QuoteDoubled) {
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
}

TEST(CsvField, LineBreaksQuoted) {
  EXPECT_EQ(csv_field("a\nb"), "\"a\nb\"");
  EXPECT_EQ(csv_field("a\rb"), "\"a\rb\"");
}

TEST(CsvRecord, EndsWithCrlf) {
  EXPECT_EQ(csv_record({"a", "b,c", ""}), "a,\"b,c\",\r\n");
}

TEST(CsvNumber, Formats) {
  EXPECT_EQ(csv_number(42), "42");
  EXPECT_EQ(csv_number(0.25), "0.25");
  EXPECT_EQ(csv_number(1.0 / 3.0), "0.333333");
  EXPECT_EQ(csv_number(-2.5), "-2.5");
}

TEST(SummaryCsv, HeaderAndOneRowPerStrategy) {
  const std::string csv = summary_csv(testing::make_sample_result());
  const std::string header = csv.substr(0, csv.find("\r\n"));
  EXPECT_EQ(header.rfind("strategy,description,requests,succeeded,failed", 0), 0u) << header;
  EXPECT_NE(header.find("p99_ms"), std::string::npos);
  EXPECT_NE(header.find("amplification"), std::string::npos);
  std::size_t rows = 0;
  for (std::size_t at = 0; (at = csv.find("\r\n", at)) != std::string::npos; at += 2) {
    ++rows;
  }
  EXPECT_EQ(rows, 3u);
  EXPECT_NE(csv.find("\r\nrotate-on-429,\"a strategy, with a comma\",100,93,5,2,"),
            std::string::npos)
      << csv;
}

TEST(TimeseriesCsv, RowPerStrategyPerSecond) {
  const std::string csv = timeseries_csv(testing::make_sample_result());
  EXPECT_EQ(csv.rfind("strategy,second,sent,completed,succeeded,failed,attempts,p50_ms,p99_ms,"
                      "attempts_primary,attempts_backup\r\n",
                      0),
            0u)
      << csv;
  EXPECT_NE(csv.find("\r\nurllib3 default,2,35,32,28,4,43,500.123,990.777,27,16\r\n"),
            std::string::npos)
      << csv;
}

TEST(LatencyCsv, SpectrumPerStrategy) {
  const std::string csv = latency_csv(testing::make_sample_result());
  EXPECT_EQ(csv.rfind("strategy,percentile,latency_ms,succeeded_latency_ms,service_time_ms\r\n", 0),
            0u);
  EXPECT_NE(csv.find("\r\nrotate-on-429,100,1000,999,500\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\r\nrotate-on-429,99.999,"), std::string::npos);
}

}  // namespace
}  // namespace rb
