#include "app/scenario.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace rb {
namespace {

Scenario parse(const std::string& text) {
  JsonDocument doc = JsonDocument::parse("s.json", text);
  expand_environment(doc);
  return parse_scenario(doc);
}

const char* const kMinimal = R"({
  "name": "minimal",
  "upstreams": [{"name": "a", "url": "http://127.0.0.1:9/v1"}],
  "load": {"rate": 5, "duration": "2s"},
  "strategies": ["no-retry"]
})";

// Parses `text` and returns the error; fails the test when it parses.
ConfigError error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError for: " << text;
  return ConfigError("", std::nullopt, "", "");
}

TEST(Scenario, MinimalFileLoads) {
  const Scenario s = parse(kMinimal);
  EXPECT_EQ(s.name, "minimal");
  ASSERT_EQ(s.upstreams.size(), 1u);
  EXPECT_EQ(*s.upstreams[0].url, "http://127.0.0.1:9/v1");
  EXPECT_EQ(s.load.kind, LoadProfile::Kind::kConstant);
  EXPECT_DOUBLE_EQ(s.load.rate, 5);
  EXPECT_EQ(s.load.duration, from_seconds(2));
  ASSERT_EQ(s.strategies.size(), 1u);
  EXPECT_EQ(s.strategies[0].name, "no-retry");
  EXPECT_EQ(s.request.method, "POST");
}

TEST(Scenario, FullStrategyObjectOverridesPreset) {
  const Scenario s = parse(R"({
    "name": "x",
    "upstreams": [{"name": "a", "fake": {}}, {"name": "b", "fake": {}}],
    "load": {"kind": "poisson", "rate": 5, "duration": 1000},
    "strategies": [{"name": "mine", "preset": "tutorial-rotate-429",
                    "retry": {"max_attempts": 5, "backoff": {"kind": "decorrelated-jitter", "base": "200ms"}}}],
    "thresholds": ["p99_ms < 800", {"strategy": "mine", "expr": "success_rate >= 0.9"}]
  })");
  const StrategyConfig& c = s.strategies[0];
  EXPECT_EQ(c.name, "mine");
  EXPECT_EQ(c.preset, "tutorial-rotate-429");
  EXPECT_EQ(c.selector.kind, SelectorConfig::Kind::kRotateOnFailure);
  EXPECT_EQ(c.retry.max_attempts, 5);
  EXPECT_EQ(c.retry.backoff.kind, BackoffConfig::Kind::kDecorrelated);
  EXPECT_EQ(c.retry.backoff.base, from_millis(200));
  EXPECT_EQ(s.load.duration, from_seconds(1));
  ASSERT_EQ(s.thresholds.size(), 2u);
  EXPECT_EQ(s.thresholds[1].strategy, "mine");
}

TEST(Scenario, RequestHeadersAndJsonBody) {
  setenv("RB_SCENARIO_KEY", "sk-test", 1);
  const Scenario s = parse(R"({
    "name": "x",
    "upstreams": [{"name": "a", "url": "https://example.test"}],
    "load": {"rate": 1, "duration": "1s"},
    "request": {"method": "POST", "path": "/v1/chat/completions",
                "headers": {"Authorization": "Bearer ${RB_SCENARIO_KEY}"},
                "body": {"model": "m"}},
    "strategies": ["no-retry"]
  })");
  ASSERT_EQ(s.request.headers.size(), 1u);
  EXPECT_EQ(s.request.headers[0].second, "Bearer sk-test");
  EXPECT_EQ(s.request.body, R"({"model":"m"})");
}

struct BadCase {
  const char* name;
  const char* text;
  const char* path;     // expected JSON path in the error
  const char* message;  // expected part of the message
};

class ScenarioError : public ::testing::TestWithParam<BadCase> {};

TEST_P(ScenarioError, NamesPathAndReason) {
  const ConfigError e = error_of(GetParam().text);
  EXPECT_EQ(e.path(), GetParam().path) << e.what();
  EXPECT_NE(e.message().find(GetParam().message), std::string::npos) << e.what();
  EXPECT_EQ(e.file(), "s.json");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ScenarioError,
    ::testing::Values(
        BadCase{"MissingName", R"({"upstreams": [], "load": {}, "strategies": []})", "$",
                "missing required field \"name\""},
        BadCase{"RateNotNumber",
                R"({"name": "x", "upstreams": [{"name": "a", "fake": {}}],
                    "load": {"rate": "fast", "duration": "1s"}, "strategies": ["no-retry"]})",
                "$.load.rate", "expected a number"},
        BadCase{"NegativeRate",
                R"({"name": "x", "upstreams": [{"name": "a", "fake": {}}],
                    "load": {"rate": -3, "duration": "1s"}, "strategies": ["no-retry"]})",
                "$.load.rate", "expected a rate above 0"},
        BadCase{"UnknownKey",
                R"({"name": "x", "upstreams": [{"name": "a", "fake": {}}],
                    "load": {"rate": 1, "duratoin": "1s"}, "strategies": ["no-retry"]})",
                "$.load.duratoin", "unknown field"},
        BadCase{"BadUrl",
                R"({"name": "x", "upstreams": [{"name": "a", "url": "ftp://h"}],
                    "load": {"rate": 1}, "strategies": ["no-retry"]})",
                "$.upstreams[0].url", "http:// or https://"},
        BadCase{"UpstreamWithoutTarget",
                R"({"name": "x", "upstreams": [{"name": "a"}],
                    "load": {"rate": 1}, "strategies": ["no-retry"]})",
                "$.upstreams[0]", "needs \"url\""},
        BadCase{"UnknownPreset",
                R"({"name": "x", "upstreams": [{"name": "a", "fake": {}}],
                    "load": {"rate": 1}, "strategies": ["yolo"]})",
                "$.strategies[0]", "unknown preset \"yolo\""},
        BadCase{"UnknownBackoff",
                R"({"name": "x", "upstreams": [{"name": "a", "fake": {}}], "load": {"rate": 1},
                    "strategies": [{"name": "s", "retry": {"backoff": "wobbly"}}]})",
                "$.strategies[0].retry.backoff", "unknown backoff"},
        BadCase{"ZeroAttempts",
                R"({"name": "x", "upstreams": [{"name": "a", "fake": {}}], "load": {"rate": 1},
                    "strategies": [{"name": "s", "retry": {"max_attempts": 0}}]})",
                "$.strategies[0].retry.max_attempts", "from 1 to 1000"},
        BadCase{"DuplicateStrategy",
                R"({"name": "x", "upstreams": [{"name": "a", "fake": {}}], "load": {"rate": 1},
                    "strategies": ["no-retry", "no-retry"]})",
                "$.strategies[1]", "duplicate strategy name"},
        BadCase{"BadThreshold",
                R"({"name": "x", "upstreams": [{"name": "a", "fake": {}}], "load": {"rate": 1},
                    "strategies": ["no-retry"], "thresholds": ["p99 is small"]})",
                "$.thresholds[0]", ""},
        BadCase{"NoStrategies",
                R"({"name": "x", "upstreams": [{"name": "a", "fake": {}}], "load": {"rate": 1},
                    "strategies": []})",
                "$.strategies", "at least one strategy"},
        BadCase{"PathWithLineBreak",
                R"({"name": "x", "upstreams": [{"name": "a", "fake": {}}], "load": {"rate": 1},
                    "request": {"path": "/a\r\nX-Injected: yes"}, "strategies": ["no-retry"]})",
                "$.request.path", "must not contain spaces or control characters"},
        BadCase{"HostWithBareColon",
                R"({"name": "x", "upstreams": [{"name": "a", "url": "http://127.0.0.1:127.0.0.1:80"}],
                    "load": {"rate": 1}, "strategies": ["no-retry"]})",
                "$.upstreams[0].url", "in brackets"},
        BadCase{"EmptyPort",
                R"({"name": "x", "upstreams": [{"name": "a", "url": "http://127.0.0.1:"}],
                    "load": {"rate": 1}, "strategies": ["no-retry"]})",
                "$.upstreams[0].url", "empty port"},
        BadCase{"MissingEnvironment",
                R"({"name": "x", "upstreams": [{"name": "a", "url": "http://${RB_NOT_SET_ANYWHERE}"}],
                    "load": {"rate": 1}, "strategies": ["no-retry"]})",
                "$.upstreams[0].url", "RB_NOT_SET_ANYWHERE"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(Scenario, ErrorCarriesTheLine) {
  const ConfigError e = error_of(
      "{\n  \"name\": \"x\",\n  \"upstreams\": [{\"name\": \"a\", \"fake\": {}}],\n"
      "  \"load\": {\n    \"rate\": \"fast\"\n  },\n  \"strategies\": [\"no-retry\"]\n}\n");
  EXPECT_EQ(e.line().value_or(0), 5);
  EXPECT_NE(std::string(e.what()).find("s.json:5: $.load.rate"), std::string::npos) << e.what();
}

TEST(Scenario, RedactionHidesSecrets) {
  setenv("RB_REDACT_KEY", "sk-secret-value", 1);
  const auto dir = std::filesystem::temp_directory_path() / "rb-scenario-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "s.json";
  std::ofstream(file) << R"({"name": "x", "upstreams": [{"name": "a", "fake": {"api_key": "k-1"}}],
    "load": {"rate": 1}, "strategies": ["no-retry"],
    "request": {"headers": {"Authorization": "Bearer ${RB_REDACT_KEY}", "X-Custom": "plain",
                            "X-Mine": "hidden"}, "secret_headers": ["X-Mine"]}})";
  const Scenario s = load_scenario(file.string());
  const std::string shown = redacted_scenario(s).dump();
  EXPECT_EQ(shown.find("sk-secret-value"), std::string::npos);
  EXPECT_EQ(shown.find("hidden"), std::string::npos);
  EXPECT_EQ(shown.find("k-1"), std::string::npos);
  EXPECT_NE(shown.find("plain"), std::string::npos);
}

TEST(Scenario, ShippedScenariosAllLoad) {
  const std::filesystem::path dir = std::filesystem::path(RETRYBENCH_SOURCE_DIR) / "scenarios";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") {
      EXPECT_NO_THROW(load_scenario(entry.path().string())) << entry.path();
      ++count;
    }
  }
  EXPECT_GE(count, 1);
}

}  // namespace
}  // namespace rb
