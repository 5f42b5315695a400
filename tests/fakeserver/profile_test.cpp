#include "fakeserver/profile.hpp"

#include <gtest/gtest.h>

#include <string>

#include "fakeserver/endpoint_config.hpp"

namespace rb {
namespace {

FaultProfile parse(const std::string& text) {
  const JsonDocument doc = JsonDocument::parse("profile.json", text);
  return parse_fault_profile(JsonNode::root(doc));
}

// Returns the ConfigError message for `text`, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ProfileParse, EmptyObjectGivesDefaults) {
  const FaultProfile p = parse("{}");
  EXPECT_TRUE(p.models.empty());
  EXPECT_FALSE(p.api_key);
  EXPECT_FALSE(p.latency);
  EXPECT_FALSE(p.rate_limit);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.timeout.probability, 0.0);
  EXPECT_FALSE(p.capacity);
  EXPECT_EQ(p.retry_after_format, RetryAfterFormat::kSeconds);
  EXPECT_EQ(p.idle_timeout, from_seconds(60));
  EXPECT_EQ(p.max_header_bytes, 16384);
}

TEST(ProfileParse, FullProfile) {
  const FaultProfile p = parse(R"({
    // comments are allowed
    "models": ["gpt-4o-mini", "gpt-4o"],
    "api_key": "sk-test",
    "reply": "hi",
    "latency": {"distribution": "lognormal", "median": "50ms", "p99": "400ms"},
    "rate_limit": {"rps": 50, "burst": 10, "retry_after": "2s", "headers": false},
    "errors": [{"status": 503, "probability": 0.05, "body": "busy", "retry_after": 1000},
               {"status": 500, "probability": 0.01}],
    "timeout": {"probability": 0.01, "delay": "30s"},
    "connection": {"reset_before_response": 0.01, "reset_mid_response": 0.02,
                   "close_without_response": 0.03, "truncated_body": 0.04,
                   "malformed_status_line": 0.05},
    "capacity": {"concurrency": 4, "queue": 8, "reject_status": 409},
    "phases": [{"from": "10s", "to": "20s", "outage": "refuse"},
               {"from": "30s", "errors": [{"status": 502, "probability": 0.5}],
                "rate_limit": null}],
    "retry_after_format": "http-date",
    "retry_after_ms": true,
    "idle_timeout": "5s",
    "header_timeout": 2000,
    "max_header_bytes": 4096,
    "max_body_bytes": 1000
  })");
  ASSERT_EQ(p.models.size(), 2u);
  EXPECT_EQ(p.models[1], "gpt-4o");
  EXPECT_EQ(p.api_key.value_or(""), "sk-test");
  EXPECT_EQ(p.reply, "hi");
  ASSERT_TRUE(p.latency);
  EXPECT_EQ(p.latency->kind, LatencyKind::kLognormal);
  EXPECT_EQ(p.latency->median, from_millis(50));
  EXPECT_EQ(p.latency->p99, from_millis(400));
  ASSERT_TRUE(p.rate_limit);
  EXPECT_EQ(p.rate_limit->rps, 50);
  EXPECT_EQ(p.rate_limit->burst, 10);
  EXPECT_EQ(p.rate_limit->retry_after, from_seconds(2));
  EXPECT_FALSE(p.rate_limit->headers);
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].status, 503);
  EXPECT_EQ(p.errors[0].body.value_or(""), "busy");
  EXPECT_EQ(p.errors[0].retry_after, from_seconds(1));
  EXPECT_FALSE(p.errors[1].body);
  EXPECT_EQ(p.timeout.delay, from_seconds(30));
  EXPECT_EQ(p.connection.malformed_status_line, 0.05);
  ASSERT_TRUE(p.capacity);
  EXPECT_EQ(p.capacity->concurrency, 4);
  EXPECT_EQ(p.capacity->queue, 8);
  EXPECT_EQ(p.capacity->reject_status, 409);
  ASSERT_EQ(p.phases.size(), 2u);
  EXPECT_EQ(p.phases[0].from, from_seconds(10));
  EXPECT_EQ(p.phases[0].to, from_seconds(20));
  EXPECT_EQ(p.phases[0].outage, OutageMode::kRefuse);
  EXPECT_EQ(p.phases[1].to, Duration::max());
  ASSERT_TRUE(p.phases[1].overrides.errors);
  EXPECT_EQ(p.phases[1].overrides.errors->at(0).status, 502);
  ASSERT_TRUE(p.phases[1].overrides.rate_limit);
  EXPECT_FALSE(p.phases[1].overrides.rate_limit->has_value());
  EXPECT_FALSE(p.phases[1].overrides.latency);
  EXPECT_EQ(p.retry_after_format, RetryAfterFormat::kHttpDate);
  EXPECT_TRUE(p.retry_after_ms);
  EXPECT_EQ(p.idle_timeout, from_seconds(5));
  EXPECT_EQ(p.header_timeout, from_seconds(2));
  EXPECT_EQ(p.max_body_bytes, 1000);
}

TEST(ProfileParse, LatencyForms) {
  EXPECT_EQ(parse(R"({"latency": 20})").latency->value, from_millis(20));
  EXPECT_EQ(parse(R"({"latency": "1s"})").latency->value, from_seconds(1));
  const auto uniform = parse(R"({"latency": {"distribution": "uniform", "min": 1, "max": 5}})");
  EXPECT_EQ(uniform.latency->kind, LatencyKind::kUniform);
  EXPECT_EQ(uniform.latency->max, from_millis(5));
  const auto normal =
      parse(R"({"latency": {"distribution": "normal", "mean": "10ms", "stddev": "2ms"}})");
  EXPECT_EQ(normal.latency->stddev, from_millis(2));
  const auto exponential = parse(R"({"latency": {"distribution": "exponential", "mean": 7}})");
  EXPECT_EQ(exponential.latency->mean, from_millis(7));
}

TEST(ProfileParse, BurstDefaultsToRate) {
  EXPECT_EQ(parse(R"({"rate_limit": {"rps": 2.5}})").rate_limit->burst, 3);
  EXPECT_EQ(parse(R"({"rate_limit": {"rps": 0.2}})").rate_limit->burst, 1);
}

struct BadProfile {
  const char* text;
  const char* expected;  // part of the error message, including the JSON path
};

class ProfileErrors : public ::testing::TestWithParam<BadProfile> {};

TEST_P(ProfileErrors, NamesFieldAndProblem) {
  const std::string message = error_of(GetParam().text);
  ASSERT_FALSE(message.empty()) << "accepted: " << GetParam().text;
  EXPECT_NE(message.find(GetParam().expected), std::string::npos) << message;
  EXPECT_NE(message.find("profile.json"), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    ProfileParse, ProfileErrors,
    ::testing::Values(
        BadProfile{R"({"latncy": 5})", "unknown field \"latncy\""},
        BadProfile{R"({"latency": -5})", "$.latency"},
        BadProfile{R"({"latency": {"distribution": "pareto"}})", "unknown distribution"},
        BadProfile{R"({"latency": {"distribution": "uniform", "min": 5, "max": 1}})",
                   "$.latency.max"},
        BadProfile{R"({"latency": {"distribution": "lognormal", "median": 50, "p99": 10}})",
                   "$.latency.p99"},
        BadProfile{R"({"latency": {"distribution": "constant", "value": 1, "mean": 2}})",
                   "unknown field \"mean\""},
        BadProfile{R"({"rate_limit": {"rps": 0}})", "$.rate_limit.rps"},
        BadProfile{R"({"rate_limit": {"burst": 5}})", "missing required field \"rps\""},
        BadProfile{R"({"rate_limit": {"rps": 5, "burst": 0}})", "$.rate_limit.burst"},
        BadProfile{R"({"errors": [{"status": 200, "probability": 0.1}]})", "$.errors[0].status"},
        BadProfile{R"({"errors": [{"status": 503, "probability": 1.5}]})",
                   "$.errors[0].probability"},
        BadProfile{R"({"errors": [{"status": 503}]})", "missing required field \"probability\""},
        BadProfile{R"({"errors": [{"status": 503, "probability": 0.6}],
                       "timeout": {"probability": 0.6}})",
                   "add up to"},
        BadProfile{R"({"timeout": {"probability": -0.1}})", "$.timeout.probability"},
        BadProfile{R"({"connection": {"reset": 0.1}})", "unknown field \"reset\""},
        BadProfile{R"({"capacity": {"concurrency": 0}})", "$.capacity.concurrency"},
        BadProfile{R"({"capacity": {"queue": 3}})", "missing required field \"concurrency\""},
        BadProfile{R"({"capacity": {"concurrency": 2, "reject_status": 200}})",
                   "$.capacity.reject_status"},
        BadProfile{R"({"phases": [{"from": "20s", "to": "10s"}]})", "$.phases[0].to"},
        BadProfile{R"({"phases": [{"outage": "down"}]})", "unknown outage mode"},
        BadProfile{R"({"phases": [{"errors": [{"status": 503, "probability": 0.7}],
                                   "connection": {"truncated_body": 0.7}}]})",
                   "$.phases[0]"},
        BadProfile{R"({"models": "gpt"})", "$.models"},
        BadProfile{R"({"models": [""]})", "$.models[0]"},
        BadProfile{R"({"api_key": ""})", "$.api_key"},
        BadProfile{R"({"retry_after_format": "iso"})", "unknown Retry-After format"},
        BadProfile{R"({"idle_timeout": 0})", "$.idle_timeout"},
        BadProfile{R"({"max_header_bytes": 10})", "$.max_header_bytes"}));

TEST(ServeProfile, ParsesEndpoints) {
  const JsonDocument doc = JsonDocument::parse("serve.json", R"({"endpoints": [
      {"name": "primary", "port": 0, "rate_limit": {"rps": 5}},
      {"bind": "::1", "errors": [{"status": 500, "probability": 1}]}]})");
  const auto configs = parse_serve_profile(doc);
  ASSERT_EQ(configs.size(), 2u);
  EXPECT_EQ(configs[0].name, "primary");
  EXPECT_EQ(configs[0].bind, "127.0.0.1");
  EXPECT_TRUE(configs[0].profile.rate_limit);
  EXPECT_EQ(configs[1].name, "fake-2");
  EXPECT_EQ(configs[1].bind, "::1");
}

TEST(ServeProfile, RejectsBadEndpoints) {
  const auto error_of_file = [](const std::string& text) -> std::string {
    try {
      parse_serve_profile(JsonDocument::parse("serve.json", text));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of_file(R"({"endpoints": []})").find("at least one"), std::string::npos);
  EXPECT_NE(error_of_file(R"({"endpoint": []})").find("unknown field"), std::string::npos);
  EXPECT_NE(error_of_file(R"({"endpoints": [{"port": 70000}]})").find("$.endpoints[0].port"),
            std::string::npos);
  EXPECT_NE(error_of_file(R"({"endpoints": [{"bind": "example.com"}]})").find("IPv4 or IPv6"),
            std::string::npos);
  EXPECT_NE(error_of_file(R"({"endpoints": [{"name": "a"}, {"name": "a"}]})").find("duplicate"),
            std::string::npos);
}

TEST(ServeProfile, ShippedExampleParses) {
  const JsonDocument doc =
      JsonDocument::load_file(RETRYBENCH_SOURCE_DIR "/fakeserver/profiles/llm-rate-limited.json");
  const auto configs = parse_serve_profile(doc);
  EXPECT_GE(configs.size(), 2u);
}

TEST(LoopbackAddress, Classifies) {
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("127.1.2.3"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_FALSE(is_loopback_address("0.0.0.0"));
  EXPECT_FALSE(is_loopback_address("10.0.0.1"));
}

}  // namespace
}  // namespace rb
