// A short soak: `retrybench run` for 20 s at a steady rate against faulty fake upstreams,
// sampling its resident memory and open file descriptors from /proc every 500 ms. Neither
// may grow beyond a bound between the middle of the load phase and its end. bench/soak.sh
// is the 10-minute version.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr int kLoadSeconds = 20;

// One sample of the child process.
struct Sample {
  double elapsed_s = 0;
  long rss_kib = 0;
  long fds = 0;
};

long read_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

long count_fds(pid_t pid) {
  std::error_code error;
  long count = 0;
  for (fs::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", error), end;
       !error && it != end; it.increment(error)) {
    ++count;
  }
  return error ? -1 : count;
}

std::string soak_scenario() {
  return R"({
    "name": "soak-test", "seed": 5,
    "upstreams": [
      {"name": "limited", "fake": {
        "latency": {"distribution": "uniform", "min": "1ms", "max": "5ms"},
        "rate_limit": {"rps": 60, "burst": 10, "retry_after": "50ms"},
        "errors": [{"status": 503, "probability": 0.05}],
        "timeout": {"probability": 0.01},
        "connection": {"reset_before_response": 0.03, "reset_mid_response": 0.03,
                       "truncated_body": 0.02, "close_without_response": 0.02}}},
      {"name": "flaky", "fake": {
        "errors": [{"status": 500, "probability": 0.1}],
        "connection": {"reset_before_response": 0.05, "malformed_status_line": 0.02}}}
    ],
    "load": {"kind": "constant", "rate": 100, "duration": ")" +
         std::to_string(kLoadSeconds) + R"(s", "grace": "2s"},
    "request": {"method": "GET", "path": "/v1/models"},
    "timeouts": {"connect": "500ms", "first_byte": "500ms", "total": "500ms"},
    "strategies": [
      {"name": "retry", "selector": "round-robin",
       "retry": {"max_attempts": 3, "backoff": {"kind": "full-jitter", "base": "10ms", "cap": "100ms"}}}
    ]
  })";
}

// The largest RSS and descriptor count among samples [begin, end).
Sample peak(const std::vector<Sample>& samples, std::size_t begin, std::size_t end) {
  Sample out;
  for (std::size_t i = begin; i < end; ++i) {
    out.rss_kib = std::max(out.rss_kib, samples[i].rss_kib);
    out.fds = std::max(out.fds, samples[i].fds);
  }
  return out;
}

pid_t spawn_run(const fs::path& scenario, const fs::path& out) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int sink = ::open((out.string() + ".log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(sink, STDOUT_FILENO);
    ::dup2(sink, STDERR_FILENO);
    ::execl(RETRYBENCH_BINARY, RETRYBENCH_BINARY, "run", scenario.c_str(), "--out", out.c_str(),
            "--no-progress", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Runs `scenario_text` in a child process and samples it every 500 ms until it exits or
// `limit_s` pass (then it is killed and the test fails). Returns the samples.
std::vector<Sample> sample_run(const std::string& scenario_text, const std::string& label,
                               double limit_s) {
  const fs::path dir =
      fs::temp_directory_path() / ("retrybench-" + label + "-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path scenario = dir / "scenario.json";
  std::ofstream(scenario) << scenario_text;

  const pid_t pid = spawn_run(scenario, dir / "out");
  std::vector<Sample> samples;
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed > limit_s) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ADD_FAILURE() << "the run did not end within " << limit_s << " s";
      break;
    }
    const Sample sample{elapsed, read_rss_kib(pid), count_fds(pid)};
    if (sample.rss_kib > 0 && sample.fds > 0) {
      samples.push_back(sample);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "exit status " << status << "; see " << dir / "out.log";
  EXPECT_TRUE(fs::exists(dir / "out" / "result.json"));
  if (!::testing::Test::HasFailure()) {
    fs::remove_all(dir);
  }
  return samples;
}

// Samples taken from `from_s` to `to_s` seconds after the start.
std::vector<Sample> between(const std::vector<Sample>& samples, double from_s, double to_s) {
  std::vector<Sample> out;
  for (const Sample& sample : samples) {
    if (sample.elapsed_s >= from_s && sample.elapsed_s <= to_s) {
      out.push_back(sample);
    }
  }
  return out;
}

TEST(Soak, RssAndFdsStayFlat) {
  if (!fs::exists(RETRYBENCH_BINARY)) {
    GTEST_SKIP() << "retrybench binary not built: " << RETRYBENCH_BINARY;
  }
  // Bounded: the run stops itself after 20 s of load plus 2 s of grace; 40 s is the cap.
  const std::vector<Sample> samples = sample_run(soak_scenario(), "soak", 40);

  // Samples of the load phase after a 2 s warm-up.
  const std::vector<Sample> load = between(samples, 2, kLoadSeconds);
  ASSERT_GE(load.size(), 20u);
  // The peak of the middle quarter against the peak of the last one: connection counts move
  // with the faults, so single samples are noisy, but a leak raises every later peak.
  const Sample middle = peak(load, load.size() / 4, load.size() / 2);
  const Sample end = peak(load, load.size() * 3 / 4, load.size());
  std::printf("[soak] rss_kib start %ld middle %ld end %ld; fds start %ld middle %ld end %ld\n",
              load.front().rss_kib, middle.rss_kib, end.rss_kib, load.front().fds, middle.fds,
              end.fds);
  EXPECT_LE(end.rss_kib - middle.rss_kib, 4096) << "RSS grew between the middle and the end";
  EXPECT_LE(end.fds - middle.fds, 16) << "open file descriptors grew";
}

// Requests that the fake upstream holds (never answers) must not keep their connections
// open after the client gave up and closed: at 50 held requests a second, a leak shows as
// about 50 more descriptors each second.
TEST(Soak, HeldRequestsReleaseDescriptors) {
  if (!fs::exists(RETRYBENCH_BINARY)) {
    GTEST_SKIP() << "retrybench binary not built: " << RETRYBENCH_BINARY;
  }
  const std::string scenario = R"({
    "name": "held", "seed": 5,
    "upstreams": [{"name": "holding", "fake": {"timeout": {"probability": 0.5}}}],
    "load": {"kind": "constant", "rate": 100, "duration": "5s", "grace": "1s"},
    "request": {"method": "GET", "path": "/v1/models"},
    "timeouts": {"connect": "200ms", "first_byte": "200ms", "total": "200ms"},
    "strategies": ["no-retry"]
  })";
  const std::vector<Sample> samples = sample_run(scenario, "held", 20);
  const std::vector<Sample> load = between(samples, 1.5, 5);
  ASSERT_GE(load.size(), 4u);
  std::printf("[soak] held requests: fds at %.1f s %ld, at %.1f s %ld\n", load.front().elapsed_s,
              load.front().fds, load.back().elapsed_s, load.back().fds);
  EXPECT_LE(load.back().fds - load.front().fds, 16) << "held connections were not closed";
}

}  // namespace
