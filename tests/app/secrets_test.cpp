// Secrets never reach result files, reports or logs: `retrybench run` with --log-level debug
// against a fake upstream that requires an API key, with every kind of secret header, some
// values passed as ${NAME} from the environment. Every output file and the captured stdout
// and stderr are searched for each secret value. Also the fake server's exposure rules,
// checked without listening on anything but loopback.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/scenario.hpp"
#include "common/json_reader.hpp"
#include "common/log.hpp"
#include "fakeserver/endpoint_config.hpp"

namespace rb {
namespace {

namespace fs = std::filesystem;

// Runs the retrybench binary with `args`, `env` added to the environment, stdout and
// stderr to files. Returns the exit status, or -1 when it had to be killed after 60 s.
int run_binary(const std::vector<std::string>& args,
               const std::vector<std::pair<std::string, std::string>>& env,
               const fs::path& stdout_path, const fs::path& stderr_path) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    for (const auto& [name, value] : env) {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
    const int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(RETRYBENCH_BINARY));
    for (const auto& arg : args) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    ::execv(RETRYBENCH_BINARY, argv.data());
    ::_exit(127);
  }
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > end) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_all(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// The secret values; each is unique enough that a match can only be a leak.
constexpr const char* kApiKey = "sk-retrybench-ENVKEY-5f1c9e";     // from ${RB_SECRET_KEY}
constexpr const char* kProxyPassword = "cHJveHk6UFJPWFlTRUNSRVQ";  // literal
constexpr const char* kCookie = "session=COOKIESECRET-77ab";       // literal
constexpr const char* kXApiKey = "XAPIKEY-literal-9d2e";           // literal
constexpr const char* kCustomToken = "CUSTOMTOKEN-from-env-31f0";  // ${RB_CUSTOM_TOKEN}
constexpr const char* kCustomLiteral = "TEAMSECRET-literal-c4d1";  // literal, marked secret

std::string secrets_scenario() {
  return std::string(R"({
    "name": "secrets", "seed": 2,
    "upstreams": [{"name": "keyed", "fake": {"api_key": "${RB_SECRET_KEY}",
                                            "models": ["gpt-4o-mini"]}}],
    "load": {"rate": 20, "duration": "1s", "grace": "3s"},
    "request": {
      "method": "POST", "path": "/v1/chat/completions",
      "headers": {
        "Content-Type": "application/json",
        "Authorization": "Bearer ${RB_SECRET_KEY}",
        "Proxy-Authorization": "Basic )") +
         kProxyPassword + R"(",
        "Cookie": ")" +
         kCookie + R"(",
        "X-Api-Key": ")" +
         kXApiKey + R"(",
        "X-Custom-Token": "${RB_CUSTOM_TOKEN}",
        "X-Team-Secret": ")" +
         kCustomLiteral + R"("
      },
      "secret_headers": ["x-custom-token", "X-Team-Secret"],
      "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    },
    "timeouts": {"connect": "1s", "first_byte": "2s", "total": "2s"},
    "strategies": ["no-retry", {"name": "retry", "retry": {"max_attempts": 2,
                                 "retry_non_idempotent": true}}]
  })";
}

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(RETRYBENCH_BINARY)) {
      GTEST_SKIP() << "retrybench binary not built: " << RETRYBENCH_BINARY;
    }
    dir_ = fs::temp_directory_path() / ("retrybench-secrets-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "captured");
    scenario_ = dir_ / "scenario.json";
    std::ofstream(scenario_) << secrets_scenario();
  }
  void TearDown() override {
    if (!dir_.empty()) {
      fs::remove_all(dir_);
    }
  }

  int run(const std::string& label, const std::vector<std::string>& args) {
    return run_binary(args, env_, dir_ / "captured" / (label + ".stdout"),
                      dir_ / "captured" / (label + ".stderr"));
  }

  // Every file under `root`, except the scenario itself (the input holds literal secrets).
  std::vector<fs::path> output_files() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
      if (entry.is_regular_file() && entry.path() != scenario_) {
        files.push_back(entry.path());
      }
    }
    return files;
  }

  fs::path dir_;
  fs::path scenario_;
  std::vector<std::pair<std::string, std::string>> env_ = {{"RB_SECRET_KEY", kApiKey},
                                                           {"RB_CUSTOM_TOKEN", kCustomToken}};
};

TEST_F(SecretsTest, NoSecretInAnyOutput) {
  const std::string out = (dir_ / "out").string();
  ASSERT_EQ(run("validate", {"--log-level", "debug", "validate", scenario_.string()}), 0);
  ASSERT_EQ(run("run", {"--log-level", "debug", "run", scenario_.string(), "--out", out}), 0)
      << read_all(dir_ / "captured" / "run.stderr");
  ASSERT_EQ(run("report", {"--log-level", "debug", "report", out + "/result.json", "--out",
                           (dir_ / "report").string()}),
            0);
  ASSERT_TRUE(fs::exists(dir_ / "out" / "result.json"));
  ASSERT_TRUE(fs::exists(dir_ / "out" / "report.html"));
  ASSERT_TRUE(fs::exists(dir_ / "report" / "report.html"));

  // The key reached the upstream: it requires it and the requests succeeded.
  const nlohmann::json result = nlohmann::json::parse(read_all(dir_ / "out" / "result.json"));
  EXPECT_GT(result["strategies"][0]["succeeded"].get<int>(), 0);
  // The debug log ran, so logs were searched and not just absent.
  EXPECT_NE(read_all(dir_ / "captured" / "run.stderr").find("debug"), std::string::npos);

  const std::vector<fs::path> files = output_files();
  EXPECT_GE(files.size(), 15u);
  for (const fs::path& file : files) {
    const std::string text = read_all(file);
    for (const char* secret :
         {kApiKey, kProxyPassword, kCookie, kXApiKey, kCustomToken, kCustomLiteral}) {
      EXPECT_EQ(text.find(secret), std::string::npos)
          << "secret \"" << secret << "\" found in " << file;
    }
  }
  // Header names stay visible, so a reader sees that the header was sent.
  const std::string scenario_json = result["scenario"].dump();
  EXPECT_NE(scenario_json.find("X-Team-Secret"), std::string::npos);
  EXPECT_NE(scenario_json.find("[redacted]"), std::string::npos);
}

// A key passed as ${NAME} is shown as written, the reference rather than the value.
TEST_F(SecretsTest, EnvReferenceShownAsWritten) {
  ::setenv("RB_SECRET_KEY", kApiKey, 1);
  ::setenv("RB_CUSTOM_TOKEN", kCustomToken, 1);
  const Scenario scenario = load_scenario(scenario_.string());
  ::unsetenv("RB_SECRET_KEY");
  ::unsetenv("RB_CUSTOM_TOKEN");
  bool found = false;
  for (const auto& [name, value] : scenario.request.headers) {
    if (name == "Authorization") {
      found = true;
      EXPECT_EQ(value, std::string("Bearer ") + kApiKey);
    }
  }
  EXPECT_TRUE(found);
  const std::string shown = redacted_scenario(scenario).dump();
  EXPECT_EQ(shown.find(kApiKey), std::string::npos);
  EXPECT_EQ(shown.find(kCustomToken), std::string::npos);
  EXPECT_EQ(shown.find(kCustomLiteral), std::string::npos);
}

TEST(SecretHeader, StandardNamesAnyCase) {
  for (const char* name : {"Authorization", "authorization", "PROXY-AUTHORIZATION", "Cookie",
                           "Set-Cookie", "X-Api-Key", "x-api-key", "api-key"}) {
    EXPECT_TRUE(is_secret_header(name)) << name;
  }
  for (const char* name : {"Content-Type", "X-Request-Id", "Accept", "Authorization-Hint"}) {
    EXPECT_FALSE(is_secret_header(name)) << name;
  }
}

// The fake server listens on loopback unless told otherwise, and `serve` warns for any
// address that is_loopback_address rejects. Nothing here listens on another address.
TEST(Exposure, DefaultsBindLoopback) {
  EXPECT_EQ(FakeEndpointConfig{}.bind, "127.0.0.1");
  const JsonDocument doc = JsonDocument::parse("profile.json", R"({"name": "a"})");
  const FakeEndpointConfig parsed = parse_endpoint_config(JsonNode::root(doc), "default");
  EXPECT_TRUE(is_loopback_address(parsed.bind)) << parsed.bind;
}

TEST(Exposure, OnlyLoopbackAddressesSkipTheWarning) {
  for (const char* address : {"127.0.0.1", "127.255.0.9", "::1", "localhost"}) {
    EXPECT_TRUE(is_loopback_address(address)) << address;
  }
  // Wildcards, private and public addresses, and strings that only look like loopback.
  for (const char* address :
       {"0.0.0.0", "::", "10.1.2.3", "192.168.0.1", "128.0.0.1", "::ffff:127.0.0.1", "127.0.0.1 ",
        " 127.0.0.1", "127.0.0.1.5", "localhost.example", "", "::2"}) {
    EXPECT_FALSE(is_loopback_address(address)) << "\"" << address << "\"";
  }
}

TEST(Exposure, ServeHelpShowsLoopbackDefault) {
  if (!fs::exists(RETRYBENCH_BINARY)) {
    GTEST_SKIP() << "retrybench binary not built: " << RETRYBENCH_BINARY;
  }
  const fs::path dir =
      fs::temp_directory_path() / ("retrybench-help-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  EXPECT_EQ(run_binary({"serve", "--help"}, {}, dir / "out", dir / "err"), 0);
  const std::string help = read_all(dir / "out");
  const auto bind = help.find("--bind");
  ASSERT_NE(bind, std::string::npos) << help;
  EXPECT_NE(help.find("127.0.0.1", bind), std::string::npos) << help;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rb
