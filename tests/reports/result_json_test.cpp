#include "reports/result_json.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "tests/reports/sample_result.hpp"

namespace rb {
namespace {

using testing::make_sample_result;
using testing::make_temp_dir;
using testing::write_text;

void expect_same_histogram(const Histogram& a, const Histogram& b) {
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(a.min_micros(), b.min_micros());
  EXPECT_EQ(a.max_micros(), b.max_micros());
  EXPECT_EQ(a.sum_micros(), b.sum_micros());
  EXPECT_EQ(a.clamped(), b.clamped());
  EXPECT_EQ(a.significant_digits(), b.significant_digits());
  ASSERT_EQ(a.bucket_count(), b.bucket_count());
  for (std::uint32_t i = 0; i < a.bucket_count(); ++i) {
    ASSERT_EQ(a.count_at_index(i), b.count_at_index(i)) << "bucket " << i;
  }
}

void expect_same_metrics(const StrategyMetrics& a, const StrategyMetrics& b) {
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_EQ(a.succeeded, b.succeeded);
  EXPECT_EQ(a.failed, b.failed);
  EXPECT_EQ(a.dropped, b.dropped);
  EXPECT_EQ(a.cancelled, b.cancelled);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.transport_retries, b.transport_retries);
  EXPECT_EQ(a.retry_after_invalid, b.retry_after_invalid);
  EXPECT_EQ(a.final_classes, b.final_classes);
  EXPECT_EQ(a.final_statuses, b.final_statuses);
  EXPECT_EQ(a.attempt_classes, b.attempt_classes);
  EXPECT_EQ(a.attempt_statuses, b.attempt_statuses);
  EXPECT_EQ(a.verdicts, b.verdicts);
  EXPECT_EQ(a.retries_by_reason, b.retries_by_reason);
  EXPECT_EQ(a.waits, b.waits);
  EXPECT_EQ(a.wait_seconds, b.wait_seconds);
  EXPECT_EQ(a.attempts_per_request, b.attempts_per_request);
  ASSERT_EQ(a.endpoints.size(), b.endpoints.size());
  for (std::size_t i = 0; i < a.endpoints.size(); ++i) {
    EXPECT_EQ(a.endpoints[i].attempts, b.endpoints[i].attempts);
    EXPECT_EQ(a.endpoints[i].succeeded, b.endpoints[i].succeeded);
    EXPECT_EQ(a.endpoints[i].failed, b.endpoints[i].failed);
  }
  ASSERT_EQ(a.series.seconds().size(), b.series.seconds().size());
  for (std::size_t i = 0; i < a.series.seconds().size(); ++i) {
    const SecondStats& x = a.series.seconds()[i];
    const SecondStats& y = b.series.seconds()[i];
    EXPECT_EQ(x.sent, y.sent);
    EXPECT_EQ(x.completed, y.completed);
    EXPECT_EQ(x.succeeded, y.succeeded);
    EXPECT_EQ(x.failed, y.failed);
    EXPECT_EQ(x.attempts, y.attempts);
    EXPECT_EQ(x.p50_us, y.p50_us);
    EXPECT_EQ(x.p99_us, y.p99_us);
    EXPECT_EQ(x.endpoint_attempts, y.endpoint_attempts);
  }
  expect_same_histogram(a.latency, b.latency);
  expect_same_histogram(a.latency_succeeded, b.latency_succeeded);
  expect_same_histogram(a.service, b.service);
  expect_same_histogram(a.lag, b.lag);
}

// The streaming writer must give exactly the bytes of the tree's own indented dump, for
// histograms with many pairs, with none, and for every strategy.
TEST(ResultJsonWriter, MatchesIndentedDumpOfTheTree) {
  RunResult result = make_sample_result();
  result.strategies.push_back(result.strategies.front());
  result.strategies.back().name = "second";
  for (std::int64_t micros = 1; micros < 5'000'000; micros = micros * 3 / 2 + 7) {
    result.strategies.back().metrics.service.record_micros(micros);
  }
  result.strategies.back().metrics.lag.reset();
  std::ostringstream streamed;
  write_result_json(streamed, result);
  EXPECT_EQ(streamed.str(), result_to_json(result).dump(2));
  EXPECT_EQ(nlohmann::json::parse(streamed.str()), result_to_json(result));
}

TEST(ResultJsonWriter, TreeLeftEmptyHasNoPairs) {
  const RunResult result = make_sample_result();
  const nlohmann::json tree = result_to_json(result, BucketPairs::kLeftEmpty);
  for (const auto& strategy : tree["strategies"]) {
    for (const auto& [name, histogram] : strategy["histograms"].items()) {
      EXPECT_TRUE(histogram["buckets"].empty()) << name;
    }
  }
  EXPECT_GT(result.strategies.front().metrics.latency.count(), 0U);
}

TEST(ResultJson, RoundTripIsExact) {
  const RunResult original = make_sample_result();
  const RunResult back = result_from_json(result_to_json(original), "memory");
  EXPECT_EQ(back.schema_version, original.schema_version);
  EXPECT_EQ(back.version, original.version);
  EXPECT_EQ(back.scenario_name, original.scenario_name);
  EXPECT_EQ(back.scenario_file, original.scenario_file);
  EXPECT_EQ(back.mode, original.mode);
  EXPECT_EQ(back.seed, original.seed);
  EXPECT_EQ(back.duration_s, original.duration_s);
  EXPECT_EQ(back.partial, original.partial);
  EXPECT_EQ(back.started_at, original.started_at);
  EXPECT_EQ(back.wall_seconds, original.wall_seconds);
  EXPECT_EQ(back.host, original.host);
  EXPECT_EQ(back.endpoints, original.endpoints);
  EXPECT_EQ(back.scenario, original.scenario);
  ASSERT_EQ(back.thresholds.size(), 1u);
  EXPECT_EQ(back.thresholds[0].expression, "p99_ms < 800");
  EXPECT_FALSE(back.thresholds[0].passed);
  ASSERT_EQ(back.strategies.size(), original.strategies.size());
  for (std::size_t i = 0; i < back.strategies.size(); ++i) {
    EXPECT_EQ(back.strategies[i].name, original.strategies[i].name);
    EXPECT_EQ(back.strategies[i].config, original.strategies[i].config);
    EXPECT_EQ(back.strategies[i].upstreams, original.strategies[i].upstreams);
    EXPECT_EQ(back.strategies[i].load_seconds, original.strategies[i].load_seconds);
    expect_same_metrics(back.strategies[i].metrics, original.strategies[i].metrics);
  }
  // A second trip through text gives the same document.
  const nlohmann::json once = result_to_json(back);
  EXPECT_EQ(result_to_json(result_from_json(nlohmann::json::parse(once.dump()), "m")), once);
}

TEST(ResultJson, HasRequiredFields) {
  const nlohmann::json doc = result_to_json(make_sample_result());
  for (const char* key : {"schema_version", "version", "scenario_name", "mode", "seed",
                          "duration_s", "partial", "started_at", "wall_seconds", "host",
                          "endpoints", "scenario", "thresholds", "strategies"}) {
    EXPECT_TRUE(doc.contains(key)) << key;
  }
  const nlohmann::json& s = doc["strategies"][0];
  for (const char* key : {"name",
                          "requests",
                          "succeeded",
                          "failed",
                          "dropped",
                          "cancelled",
                          "success_rate",
                          "attempts",
                          "amplification",
                          "latency_ms",
                          "latency_succeeded_ms",
                          "service_time_ms",
                          "scheduling_lag_ms",
                          "outcomes",
                          "attempt_classes",
                          "attempt_statuses",
                          "verdicts",
                          "retries_by_reason",
                          "waits",
                          "attempts_per_request",
                          "endpoints",
                          "timeseries",
                          "upstreams",
                          "histograms"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
  for (const char* key : {"p50", "p90", "p99", "p999", "max", "mean"}) {
    EXPECT_TRUE(s["latency_ms"].contains(key)) << key;
  }
  // Percentiles are the highest value of their bucket: within 0.1 % at 3 digits.
  EXPECT_NEAR(s["latency_ms"]["p50"].get<double>(), 500.0, 0.5);
  EXPECT_DOUBLE_EQ(s["latency_ms"]["max"].get<double>(), 1000.0);
  EXPECT_DOUBLE_EQ(s["amplification"].get<double>(), 130.0 / 98.0);
  EXPECT_EQ(s["outcomes"]["success"], 93);
  EXPECT_EQ(s["outcomes"]["status_503"], 4);
  EXPECT_EQ(s["outcomes"]["cancelled"], 1);
  EXPECT_EQ(s["outcomes"]["dropped"], 2);
  EXPECT_EQ(s["waits"]["backoff"]["count"], 25);
}

class ResultFileTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    const std::string path = make_temp_dir() + "/result.json";
    write_text(path, text);
    return path;
  }

  // The message load_result_file throws, or "" when it loads.
  std::string load_error(const std::string& path) {
    try {
      load_result_file(path);
    } catch (const ResultFileError& e) {
      EXPECT_EQ(e.file(), path);
      return e.what();
    }
    return "";
  }
};

TEST_F(ResultFileTest, LoadsWrittenFile) {
  const std::string path = write(result_to_json(make_sample_result()).dump(2));
  EXPECT_EQ(load_result_file(path).strategies.size(), 2u);
}

TEST_F(ResultFileTest, MissingFile) {
  const std::string message = load_error("/nonexistent/result.json");
  EXPECT_NE(message.find("/nonexistent/result.json: cannot open"), std::string::npos) << message;
}

TEST_F(ResultFileTest, NotJson) {
  const std::string path = write("strategy,requests\nfast,10\n");
  const std::string message = load_error(path);
  EXPECT_EQ(message.rfind(path + ": not valid JSON", 0), 0u) << message;
}

TEST_F(ResultFileTest, EmptyFile) {
  const std::string path = write("");
  EXPECT_NE(load_error(path).find("empty"), std::string::npos);
}

TEST_F(ResultFileTest, Truncated) {
  const std::string full = result_to_json(make_sample_result()).dump(2);
  const std::string path = write(full.substr(0, full.size() / 2));
  const std::string message = load_error(path);
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

TEST_F(ResultFileTest, OtherSchemaVersion) {
  nlohmann::json doc = result_to_json(make_sample_result());
  doc["schema_version"] = 99;
  const std::string message = load_error(write(doc.dump()));
  EXPECT_NE(message.find("schema_version: version 99 is not supported"), std::string::npos)
      << message;
}

TEST_F(ResultFileTest, NoSchemaVersion) {
  const std::string message = load_error(write("{\"name\": \"x\"}"));
  EXPECT_NE(message.find("not a retrybench result file"), std::string::npos) << message;
}

TEST_F(ResultFileTest, TopLevelNotObject) {
  const std::string message = load_error(write("[1, 2]"));
  EXPECT_NE(message.find("must be a JSON object"), std::string::npos) << message;
}

TEST_F(ResultFileTest, MissingFieldNamesPath) {
  nlohmann::json doc = result_to_json(make_sample_result());
  doc["strategies"][1]["histograms"]["service"].erase("buckets");
  const std::string message = load_error(write(doc.dump()));
  EXPECT_NE(message.find("strategies[1].histograms.service.buckets: missing field"),
            std::string::npos)
      << message;
}

TEST_F(ResultFileTest, WrongTypeNamesPath) {
  nlohmann::json doc = result_to_json(make_sample_result());
  doc["strategies"][0]["requests"] = "many";
  const std::string message = load_error(write(doc.dump()));
  EXPECT_NE(message.find("strategies[0].requests: expected a non-negative integer"),
            std::string::npos)
      << message;
}

TEST_F(ResultFileTest, BucketCountMismatch) {
  nlohmann::json doc = result_to_json(make_sample_result());
  doc["strategies"][0]["histograms"]["latency"]["count"] = 5;
  const std::string message = load_error(write(doc.dump()));
  EXPECT_NE(message.find("does not match the sum"), std::string::npos) << message;
}

TEST_F(ResultFileTest, CountsMustAddUp) {
  nlohmann::json doc = result_to_json(make_sample_result());
  doc["strategies"][0]["succeeded"] = 1'000'000;
  std::string message = load_error(write(doc.dump()));
  EXPECT_NE(message.find("strategies[0].succeeded: 1000000 is above requests"), std::string::npos)
      << message;

  doc = result_to_json(make_sample_result());
  doc["strategies"][0]["failed"] = doc["strategies"][0]["failed"].get<int>() + 1;
  message = load_error(write(doc.dump()));
  EXPECT_NE(message.find("is not succeeded + failed + dropped"), std::string::npos) << message;
}

TEST_F(ResultFileTest, OlderDropCountingAccepted) {
  // Before 2026-12-04, dropped requests were counted in `failed` as well.
  nlohmann::json doc = result_to_json(make_sample_result());
  nlohmann::json& strategy = doc["strategies"][0];
  strategy["failed"] = strategy["failed"].get<int>() + strategy["dropped"].get<int>();
  EXPECT_EQ(load_error(write(doc.dump())), "");
}

TEST_F(ResultFileTest, HistogramBoundsChecked) {
  nlohmann::json doc = result_to_json(make_sample_result());
  doc["strategies"][0]["histograms"]["latency"]["min_us"] = 1'000'000'000'000;
  std::string message = load_error(write(doc.dump()));
  EXPECT_NE(message.find("min_us: is above max_us"), std::string::npos) << message;

  doc = result_to_json(make_sample_result());
  doc["strategies"][0]["histograms"]["latency"]["sum_us"] = -1;
  message = load_error(write(doc.dump()));
  EXPECT_NE(message.find("sum_us: is negative"), std::string::npos) << message;
}

TEST_F(ResultFileTest, ShardCountBounded) {
  nlohmann::json doc = result_to_json(make_sample_result());
  doc["shard"] = {{"index", 0}, {"count", 1'000'000'000'000}};
  const std::string message = load_error(write(doc.dump()));
  EXPECT_NE(message.find("shard.count: expected 1 to 100000"), std::string::npos) << message;
}

TEST_F(ResultFileTest, BucketIndexOutOfRange) {
  nlohmann::json doc = result_to_json(make_sample_result());
  doc["strategies"][0]["histograms"]["lag"]["buckets"] = {{4'000'000'000u, 1000}};
  const std::string message = load_error(write(doc.dump()));
  EXPECT_NE(message.find("out of range"), std::string::npos) << message;
}

}  // namespace
}  // namespace rb
