// Starts `retrybench serve` as a separate process and drives it with real clients: curl and
// Python's urllib3 (Debian's python3-urllib3). Skipped when the binary or a client is missing.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr const char* kPython = "/usr/bin/python3";

bool executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

// A `retrybench serve` child process; stopped with SIGTERM in the destructor.
class ServeProcess {
 public:
  explicit ServeProcess(std::vector<std::string> args) {
    args.insert(args.begin(), {RETRYBENCH_BINARY, "serve"});
    int out[2];
    EXPECT_EQ(::pipe(out), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> argv;
      for (auto& arg : args) {
        argv.push_back(arg.data());
      }
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
    port_ = read_port();
  }

  ~ServeProcess() {
    if (pid_ > 0) {
      stop();
    }
    ::close(out_);
  }

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // Sends SIGTERM, waits up to 5 s, returns the exit status and fills the remaining output.
  int stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        read_rest();
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      ::usleep(10000);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
  }

  const std::string& output() const { return output_; }

 private:
  bool read_some(int timeout_ms) {
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) {
      return false;
    }
    char chunk[4096];
    const ssize_t n = ::read(out_, chunk, sizeof(chunk));
    if (n <= 0) {
      return false;
    }
    output_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int read_port() {
    const std::string marker = "listening on http://127.0.0.1:";
    for (int i = 0; i < 100 && output_.find(marker) == std::string::npos; ++i) {
      if (!read_some(100)) {
        continue;
      }
    }
    const std::size_t at = output_.find(marker);
    if (at == std::string::npos) {
      return 0;
    }
    return std::atoi(output_.c_str() + at + marker.size());
  }

  void read_rest() {
    while (read_some(200)) {
    }
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int port_ = 0;
  std::string output_;
};

// Runs a shell command (bounded by `timeout`) and returns its stdout.
std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return output;
  }
  char chunk[4096];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof(chunk), pipe)) > 0) {
    output.append(chunk, n);
  }
  ::pclose(pipe);
  return output;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

class ServeProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!executable(RETRYBENCH_BINARY)) {
      GTEST_SKIP() << "retrybench binary not built: " << RETRYBENCH_BINARY;
    }
  }
};

TEST_F(ServeProcessTest, PrintsAddressAndTotals) {
  ServeProcess serve({"--port", "0", "--name", "solo"});
  ASSERT_GT(serve.port(), 0) << serve.output();
  EXPECT_NE(serve.output().find("retrybench serve: solo listening on http://127.0.0.1:"),
            std::string::npos);
  const std::string code =
      run("timeout 10 curl -s -o /dev/null -w '%{http_code}' " + serve.url("/health"));
  EXPECT_EQ(code, "200");
  EXPECT_EQ(serve.stop(), 0);
  EXPECT_NE(serve.output().find("solo received 1, answered 1 (200: 1)"), std::string::npos)
      << serve.output();
}

TEST_F(ServeProcessTest, ProfileErrorExitsTwo) {
  const std::string path = write_temp("bad-profile.json", R"({"endpoints": [{"errors": 5}]})");
  const std::string output =
      run("timeout 10 " + std::string(RETRYBENCH_BINARY) + " serve " + path + " 2>&1; echo rc=$?");
  EXPECT_NE(output.find("$.endpoints[0].errors"), std::string::npos) << output;
  EXPECT_NE(output.find("rc=2"), std::string::npos) << output;
}

TEST_F(ServeProcessTest, CurlSeesErrorRateWithinBounds) {
  ServeProcess serve({"--port", "0", "--error-rate", "0.1", "--status-500", "0.05", "--seed", "9"});
  ASSERT_GT(serve.port(), 0);
  const int n = 2000;
  std::string config;
  for (int i = 0; i < n; ++i) {
    config += "url = \"" + serve.url("/v1/models") + "\"\noutput = \"/dev/null\"\n";
  }
  const std::string path = write_temp("curl-urls.txt", config);
  const std::string codes = run("timeout 60 curl -s -K " + path + " -w '%{http_code}\\n'");
  std::istringstream lines(codes);
  int total = 0;
  int unavailable = 0;
  int internal = 0;
  for (std::string line; std::getline(lines, line);) {
    ++total;
    unavailable += line == "503";
    internal += line == "500";
  }
  ASSERT_EQ(total, n);
  // Five standard deviations around n * p.
  EXPECT_NEAR(unavailable, n * 0.1, 5 * std::sqrt(n * 0.1 * 0.9));
  EXPECT_NEAR(internal, n * 0.05, 5 * std::sqrt(n * 0.05 * 0.95));
}

// Runs a Python snippet with urllib3 and returns its stdout.
std::string run_python(const std::string& name, const std::string& script) {
  const std::string path = write_temp(name, script);
  return run("timeout 60 " + std::string(kPython) + " " + path + " 2>&1");
}

class Urllib3Test : public ServeProcessTest {
 protected:
  void SetUp() override {
    ServeProcessTest::SetUp();
    if (IsSkipped()) {
      return;
    }
    if (run(std::string(kPython) + " -c 'import urllib3; print(1)' 2>/dev/null") != "1\n") {
      GTEST_SKIP() << "python3-urllib3 is not installed";
    }
  }
};

constexpr const char* kUrllib3Prelude = R"(
import sys, time, urllib3
from urllib3.util.retry import Retry
port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
)";

TEST_F(Urllib3Test, WaitsForRetryAfter) {
  ServeProcess serve({"--port", "0", "--rate-limit", "0.5", "--burst", "1", "--retry-after", "2"});
  ASSERT_GT(serve.port(), 0);
  const std::string script = std::string(kUrllib3Prelude) + R"(
retry = Retry(total=3, backoff_factor=1, status_forcelist=[429, 500, 502, 503, 504],
              respect_retry_after_header=True)
http = urllib3.PoolManager(retries=retry, timeout=10)
url = "http://127.0.0.1:PORT/v1/models"
first = http.request("GET", url)
start = time.monotonic()
second = http.request("GET", url)
print(first.status, second.status, "%.3f" % (time.monotonic() - start))
)";
  std::string text = script;
  text.replace(text.find("PORT"), 4, std::to_string(serve.port()));
  const std::string output = run_python("retry_after.py", text);
  double elapsed = 0;
  int first = 0;
  int second = 0;
  ASSERT_EQ(std::sscanf(output.c_str(), "%d %d %lf", &first, &second, &elapsed), 3) << output;
  EXPECT_EQ(first, 200);
  EXPECT_EQ(second, 200);
  // The 429 carried Retry-After: 2, so urllib3 must wait at least 2 s before the retry.
  EXPECT_GE(elapsed, 1.95);
  EXPECT_LT(elapsed, 10.0);
  serve.stop();
  EXPECT_NE(serve.output().find("429: 1"), std::string::npos) << serve.output();
}

TEST_F(Urllib3Test, OutagePhaseStartsAndEndsOnTime) {
  ServeProcess serve({"--port", "0", "--outage", "600ms-1600ms:503"});
  ASSERT_GT(serve.port(), 0);
  std::string script = std::string(kUrllib3Prelude) + R"(
http = urllib3.PoolManager(retries=False, timeout=5)
url = "http://127.0.0.1:PORT/v1/models"
start = time.monotonic()
seen = []
while time.monotonic() - start < 2.5:
    r = http.request("GET", url)
    seen.append((time.monotonic() - start, r.status))
    time.sleep(0.02)
bad = [t for t, s in seen if s == 503]
print(len(bad), "%.3f" % (bad[-1] - bad[0] if bad else 0), seen[0][1], seen[-1][1])
)";
  script.replace(script.find("PORT"), 4, std::to_string(serve.port()));
  const std::string output = run_python("phase.py", script);
  int count = 0;
  double window = 0;
  int first = 0;
  int last = 0;
  ASSERT_EQ(std::sscanf(output.c_str(), "%d %lf %d %d", &count, &window, &first, &last), 4)
      << output;
  EXPECT_EQ(first, 200);
  EXPECT_EQ(last, 200);
  EXPECT_GT(count, 5);
  // The outage lasts 1 s; polling every 20 ms observes it for a little less.
  EXPECT_GE(window, 0.85);
  EXPECT_LE(window, 1.05);
}

TEST_F(Urllib3Test, CapacityRaisesLatencyUnderLoad) {
  ServeProcess serve({"--port", "0", "--latency-ms", "50", "--capacity", "1", "--queue", "50"});
  ASSERT_GT(serve.port(), 0);
  std::string script = std::string(kUrllib3Prelude) + R"(
import threading
http = urllib3.PoolManager(maxsize=10, retries=False, timeout=10)
url = "http://127.0.0.1:PORT/v1/chat/completions"
body = b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}'
times = []
def one():
    start = time.monotonic()
    r = http.request("POST", url, body=body, headers={"Content-Type": "application/json"})
    if r.status == 200:
        times.append(time.monotonic() - start)
threads = [threading.Thread(target=one) for _ in range(10)]
for t in threads: t.start()
for t in threads: t.join()
print(len(times), "%.3f" % min(times), "%.3f" % max(times))
)";
  script.replace(script.find("PORT"), 4, std::to_string(serve.port()));
  const std::string output = run_python("capacity.py", script);
  int ok = 0;
  double fastest = 0;
  double slowest = 0;
  ASSERT_EQ(std::sscanf(output.c_str(), "%d %lf %lf", &ok, &fastest, &slowest), 3) << output;
  EXPECT_EQ(ok, 10);
  EXPECT_GE(fastest, 0.049);
  // Ten requests through one slot of 50 ms: the last waits for nine others.
  EXPECT_GE(slowest, 0.45);
  EXPECT_LT(slowest, 10.0);
}

TEST_F(ServeProcessTest, ApiKeyAndModelsWithCurl) {
  ServeProcess serve({"--port", "0", "--api-key", "sk-x", "--models", "a,b"});
  ASSERT_GT(serve.port(), 0);
  const std::string post =
      "timeout 10 curl -s -o /dev/null -w '%{http_code}' -H "
      "'Content-Type: application/json' " +
      serve.url("/v1/chat/completions");
  EXPECT_EQ(run(post + " -d '{\"model\":\"a\"}'"), "401");
  EXPECT_EQ(run(post + " -H 'Authorization: Bearer sk-x' -d '{\"model\":\"b\"}'"), "200");
  EXPECT_EQ(run(post + " -H 'Authorization: Bearer sk-x' -d '{\"model\":\"c\"}'"), "404");
  EXPECT_EQ(run(post + " -H 'Authorization: Bearer sk-x' -d 'not json'"), "400");
}

TEST_F(ServeProcessTest, CurlSeesReset) {
  ServeProcess serve({"--port", "0", "--reset-rate", "1"});
  ASSERT_GT(serve.port(), 0);
  const std::string output =
      run("timeout 10 curl -s -S -o /dev/null " + serve.url("/v1/models") + " 2>&1; echo rc=$?");
  // curl exit 56: failure receiving network data (connection reset by peer).
  EXPECT_NE(output.find("rc=56"), std::string::npos) << output;
}

}  // namespace
