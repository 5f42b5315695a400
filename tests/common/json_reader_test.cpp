#include "common/json_reader.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace rb {
namespace {

JsonDocument parse(const std::string& text) {
  return JsonDocument::parse("test.json", text);
}

TEST(JsonReader, AcceptsComments) {
  const JsonDocument doc = parse("// header\n{\n  /* block */ \"a\": 1 // trailing\n}\n");
  EXPECT_EQ(JsonNode::root(doc).get_int("a", 0), 1);
}

TEST(JsonReader, SyntaxErrorNamesFileAndLine) {
  try {
    parse("{\n  \"a\": 1,\n  \"b\": \n}\n");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "test.json");
    ASSERT_TRUE(e.line().has_value());
    EXPECT_EQ(*e.line(), 4);
    EXPECT_NE(std::string(e.what()).find("invalid JSON"), std::string::npos);
  }
}

// Found by the scenario fuzz target: nlohmann reports a number beyond double as
// out_of_range, which escaped as an exception other than ConfigError.
TEST(JsonReader, DuplicateKeyIsRejectedWithItsPath) {
  try {
    parse(
        "{\n  \"load\": {\"rate\": 10},\n  \"upstreams\": [\n    {\"name\": \"a\", \"url\": "
        "\"x\",\n"
        "     \"name\": \"b\"}\n  ]\n}");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "$.upstreams[0].name");
    EXPECT_NE(std::string(e.what()).find("duplicate key \"name\""), std::string::npos) << e.what();
    EXPECT_EQ(e.line(), 4);
  }
}

TEST(JsonReader, SameKeyInDifferentObjectsIsFine) {
  EXPECT_NO_THROW(parse(R"({"a": {"name": 1}, "b": [{"name": 2}, {"name": 3}], "name": 4})"));
  EXPECT_THROW(parse(R"({"b": [{"x": 1}, {"x": 2, "x": 3}]})"), ConfigError);
}

TEST(JsonReader, NumberOverflowIsConfigError) {
  try {
    JsonDocument::parse("big.json", R"({"rate": 1e999999})");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "big.json");
    EXPECT_NE(e.message().find("number overflow"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("1e999999"), std::string::npos) << e.message();
  }
}

TEST(JsonReader, TypeErrorNamesPathLineAndValue) {
  const JsonDocument doc = parse("{\n  \"load\": {\n    \"rate\": \"fast\"\n  }\n}");
  try {
    JsonNode::root(doc).at("load").at("rate").as_number();
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "$.load.rate");
    ASSERT_TRUE(e.line().has_value());
    EXPECT_EQ(*e.line(), 3);
    EXPECT_NE(e.message().find("expected a number"), std::string::npos);
    EXPECT_NE(e.message().find("\"fast\""), std::string::npos);
  }
}

TEST(JsonReader, ArrayPathsCarryIndexes) {
  const JsonDocument doc = parse("{\"s\": [\n {\"x\": 1},\n {\"x\": true}\n]}");
  const auto elements = JsonNode::root(doc).at("s").elements();
  try {
    elements[1].at("x").as_int();
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "$.s[1].x");
    EXPECT_EQ(e.line().value_or(0), 3);
  }
}

TEST(JsonReader, UnknownKeyIsRejected) {
  const JsonDocument doc = parse("{\"rate\": 1, \"rtae\": 2}");
  try {
    JsonNode::root(doc).allow_only({"rate"});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "$.rtae");
    EXPECT_NE(e.message().find("unknown field \"rtae\""), std::string::npos);
  }
}

TEST(JsonReader, MissingFieldIsNamed) {
  const JsonDocument doc = parse("{}");
  try {
    JsonNode::root(doc).at("name");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(e.message().find("missing required field \"name\""), std::string::npos);
  }
}

struct DurationCase {
  const char* text;
  std::int64_t nanos;
};

class DurationText : public ::testing::TestWithParam<DurationCase> {};

TEST_P(DurationText, Parses) {
  EXPECT_EQ(parse_duration_text(GetParam().text).count(), GetParam().nanos);
}

INSTANTIATE_TEST_SUITE_P(
    Units, DurationText,
    ::testing::Values(DurationCase{"250ms", 250'000'000}, DurationCase{"2s", 2'000'000'000},
                      DurationCase{"1.5s", 1'500'000'000}, DurationCase{"100us", 100'000},
                      DurationCase{"1m", 60'000'000'000}, DurationCase{"1h", 3'600'000'000'000},
                      DurationCase{"40", 40'000'000}));

TEST(JsonReader, DurationRejectsNegativeAndUnknownUnits) {
  const JsonDocument doc = parse("{\"a\": -5, \"b\": \"3 parsecs\"}");
  const JsonNode root = JsonNode::root(doc);
  EXPECT_THROW(root.at("a").as_duration(), ConfigError);
  EXPECT_THROW(root.at("b").as_duration(), ConfigError);
}

TEST(JsonReader, ExpandsEnvironmentVariables) {
  setenv("RB_TEST_KEY", "sk-123", 1);
  JsonDocument doc = parse("{\"h\": \"Bearer ${RB_TEST_KEY}\", \"lit\": \"$${NOT}\"}");
  expand_environment(doc);
  EXPECT_EQ(doc.root()["h"], "Bearer sk-123");
  EXPECT_EQ(doc.root()["lit"], "${NOT}");
}

TEST(JsonReader, MissingEnvironmentVariableIsNamed) {
  unsetenv("RB_TEST_MISSING");
  JsonDocument doc = parse("{\n\"request\": {\"h\": \"${RB_TEST_MISSING}\"}}");
  try {
    expand_environment(doc);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "$.request.h");
    EXPECT_EQ(e.line().value_or(0), 2);
    EXPECT_NE(e.message().find("RB_TEST_MISSING"), std::string::npos);
  }
}

TEST(JsonReader, DeepNestingIsRejected) {
  const std::string text = "{\"a\": " + std::string(100000, '[') + "}";
  try {
    parse(text);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(e.message().find("nested deeper than"), std::string::npos) << e.what();
  }
}

TEST(JsonReader, MissingFileIsReported) {
  EXPECT_THROW(JsonDocument::load_file("/nonexistent/scenario.json"), ConfigError);
}

}  // namespace
}  // namespace rb
