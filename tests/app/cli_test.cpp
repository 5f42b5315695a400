#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandResult run_retrybench(const std::string& arguments) {
  const std::string command = std::string(RETRYBENCH_BINARY) + " " + arguments + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
    result.output += buffer.data();
  }
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::filesystem::path temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("rb-cli-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(Cli, VersionAndHelp) {
  const auto version = run_retrybench("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find("retrybench"), std::string::npos);
  for (const char* command : {"run", "serve", "validate", "compare", "report"}) {
    const auto help = run_retrybench(std::string(command) + " --help");
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.output.find("Usage"), std::string::npos) << command;
  }
}

TEST(Cli, UnknownCommandIsUsageError) {
  EXPECT_EQ(run_retrybench("frobnicate").exit_code, 2);
  EXPECT_EQ(run_retrybench("").exit_code, 2);
}

TEST(Cli, ValidateAcceptsShippedQuickstart) {
  const auto result = run_retrybench(std::string("validate ") + RETRYBENCH_SOURCE_DIR +
                                     "/scenarios/quickstart.json");
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

TEST(Cli, ValidateBrokenFileNamesPathAndExits2) {
  const auto dir = temp_dir("validate");
  const auto file = dir / "broken.json";
  std::ofstream(file)
      << "{\n  \"name\": \"b\",\n  \"upstreams\": [{\"name\": \"a\", \"fake\": {}}],\n"
         "  \"load\": {\"rate\": \"lots\"},\n  \"strategies\": [\"no-retry\"]\n}\n";
  const auto result = run_retrybench("validate " + file.string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("$.load.rate"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("broken.json:4"), std::string::npos) << result.output;
}

TEST(Cli, ValidateMissingFileExits2) {
  EXPECT_EQ(run_retrybench("validate /nonexistent/x.json").exit_code, 2);
}

TEST(Cli, RunWritesResultAndSummary) {
  const auto dir = temp_dir("run");
  const auto scenario = dir / "s.json";
  std::ofstream(scenario) << R"({"name": "cli", "upstreams": [{"name": "a", "fake": {}}],
    "load": {"rate": 20, "duration": "1s", "grace": "2s"},
    "request": {"method": "GET", "path": "/health"}, "strategies": ["no-retry"],
    "thresholds": ["success_rate >= 0.99"]})";
  const auto result =
      run_retrybench("run " + scenario.string() + " --no-progress --out " + (dir / "out").string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "result.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "summary.csv"));
  EXPECT_NE(result.output.find("no-retry"), std::string::npos);
}

TEST(Cli, FailedThresholdExits1) {
  const auto dir = temp_dir("threshold");
  const auto scenario = dir / "s.json";
  std::ofstream(scenario) << R"({"name": "cli", "upstreams": [{"name": "a", "fake": {
      "errors": [{"status": 503, "probability": 1}]}}],
    "load": {"rate": 20, "duration": "500ms"}, "request": {"method": "GET", "path": "/v1/models"},
    "strategies": ["no-retry"], "thresholds": ["success_rate >= 0.99"]})";
  const auto result = run_retrybench("run " + scenario.string() +
                                     " --mode sim --no-progress --out " + (dir / "out").string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("success_rate"), std::string::npos) << result.output;
}

// Flags that CLI11 would take in a wrapped or truncated form, and one-line headers that
// would inject a second header, are rejected before anything is sent.
TEST(Cli, RunRejectsBadFlagValues) {
  const std::string url =
      " --url http://127.0.0.1:9/ --duration 1 --no-progress --out " + temp_dir("flags").string();
  const struct {
    const char* flags;
    const char* message;
  } cases[] = {
      {"--seed -1", "seed"},
      {"--connections 1.5", "--connections"},
      {"--connections 0", "--connections"},
      {"--start-at 1796000000000", "more than a day ahead"},
      {"--header 'X-A: 1\r\nX-Injected: 2'", "line break"},
      {"--header 'Bad Name: 1'", "invalid header name"},
      {"--header '${NAME}: 1'", "expands in values"},
      {"--header 'Content-Length: 7'", "set by retrybench"},
      {"--header 'X-Bell: a\x07"
       "b'",
       "control character"},
      {"--seed 0010x", "whole number"},
      {"--seed 99999999999999999999", "whole number"},
      {"--seed ''", "whole number"},
      {"--start-at 2026-02-30T00:00:00Z", "not a valid UTC date"},
      {"--start-at ''", "--start-at"},
      {"--method 'GET /x HTTP/1.1\r\nX-Injected: 1\r\nX-Pad:'", "unknown method"},
      {"--method CONNECT", "unknown method"},
      {"--method get", "unknown method"},
      {"--body @/tmp", "is a directory"},
  };
  for (const auto& c : cases) {
    const auto result = run_retrybench(std::string("run ") + c.flags + url);
    EXPECT_EQ(result.exit_code, 2) << c.flags << "\n" << result.output;
    EXPECT_NE(result.output.find(c.message), std::string::npos) << c.flags << "\n" << result.output;
  }
}

TEST(Cli, RunRejectsBadUrls) {
  const std::string flags = " --duration 1 --no-progress --out " + temp_dir("urls").string();
  const struct {
    const char* url;
    const char* message;
  } cases[] = {
      {"'http://127.0.0.1:9/p\r\nX-Injected: 1'", "control characters"},
      {"'http://127.0.0.1:9/a b'", "spaces"},
      {"ftp://127.0.0.1:9/", "http:// or https://"},
  };
  for (const auto& c : cases) {
    const auto result = run_retrybench(std::string("run --url ") + c.url + flags);
    EXPECT_EQ(result.exit_code, 2) << c.url << "\n" << result.output;
    EXPECT_NE(result.output.find(c.message), std::string::npos) << c.url << "\n" << result.output;
  }
}

TEST(Cli, RateRejectedForRampScenario) {
  const auto dir = temp_dir("ramp-rate");
  const auto scenario = dir / "ramp.json";
  std::ofstream(scenario) << R"({"name": "ramp", "upstreams": [{"name": "a", "fake": {}}],
    "load": {"kind": "ramp", "from": 1, "to": 5, "duration": "1s"}, "strategies": ["no-retry"]})";
  const auto result = run_retrybench("run " + scenario.string() + " --rate 5 --out " +
                                     (dir / "out").string() + " --no-progress");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--rate"), std::string::npos) << result.output;
}

TEST(Cli, ValidateChecksClientSettings) {
  const auto dir = temp_dir("client");
  const auto write = [&dir](const std::string& client) {
    const auto file = dir / "s.json";
    std::ofstream(file) << R"({"name": "c", "upstreams": [{"name": "a", "fake": {}}],
      "load": {"rate": 1, "duration": "1s"}, "strategies": ["no-retry"], "client": )"
                        << client << "}\n";
    return "validate " + file.string();
  };
  auto result = run_retrybench(write(R"({"ca_file": "/nonexistent/ca.pem"})"));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("$.client.ca_file"), std::string::npos) << result.output;

  result = run_retrybench(
      write(R"({"max_response_header_bytes": 8192, "max_response_body_bytes": 1048576})"));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  result = run_retrybench(write(R"({"max_response_header_bytes": 10})"));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("max_response_header_bytes"), std::string::npos) << result.output;
}

TEST(Cli, ValidateRejectsCrowdedUsersAndBadCaFile) {
  const auto dir = temp_dir("users");
  const auto file = dir / "s.json";
  std::ofstream(file) << R"({"name": "u", "upstreams": [{"name": "a", "fake": {}}],
    "load": {"kind": "users", "users": 2, "max_in_flight": 1, "duration": "1s"},
    "strategies": ["no-retry"]})";
  auto result = run_retrybench("validate " + file.string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("$.load.max_in_flight"), std::string::npos) << result.output;

  std::ofstream(dir / "ca.json") << R"({"name": "c", "upstreams": [{"name": "a", "fake": {}}],
    "load": {"rate": 1, "duration": "1s"}, "strategies": ["no-retry"],
    "client": {"ca_file": ")" << dir.string()
                                 << R"("}})";
  result = run_retrybench("validate " + (dir / "ca.json").string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("no usable PEM certificate"), std::string::npos) << result.output;
}

TEST(Cli, CompareRejectsRepeatedResultKey) {
  const auto dir = temp_dir("result-duplicate");
  const auto scenario = dir / "s.json";
  std::ofstream(scenario) << R"({"name": "r", "upstreams": [{"name": "a", "fake": {}}],
    "load": {"rate": 20, "duration": "1s"}, "request": {"method": "GET", "path": "/health"},
    "strategies": ["no-retry"]})";
  ASSERT_EQ(run_retrybench("run " + scenario.string() + " --mode sim --no-progress --out " +
                           (dir / "out").string())
                .exit_code,
            0);
  std::ifstream in(dir / "out" / "result.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.insert(text.find('{') + 1, "\n  \"partial\": true,");
  std::ofstream(dir / "edited.json") << text;
  const auto result = run_retrybench("compare " + (dir / "out" / "result.json").string() + " " +
                                     (dir / "edited.json").string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("$.partial"), std::string::npos) << result.output;
}

TEST(Cli, ValidateRejectsRepeatedKey) {
  const auto file = temp_dir("duplicate") / "s.json";
  std::ofstream(file) << R"({"name": "d", "upstreams": [{"name": "a", "fake": {}}],
    "load": {"rate": 1, "rate": 500, "duration": "1s"}, "strategies": ["no-retry"]})";
  const auto result = run_retrybench("validate " + file.string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("$.load.rate: duplicate key"), std::string::npos) << result.output;
}

}  // namespace
