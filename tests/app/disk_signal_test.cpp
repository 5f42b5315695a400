// `retrybench run` as a process under hostile conditions: an --out that cannot be written, a
// full disk, and SIGINT or SIGTERM at random moments of its life. Each must end with either
// no result.json or a complete one whose `partial` flag matches the exit status, and a
// failure to write must be a clear message and exit 3, never a crash.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kExitRunFailed = 3;

// How a child process ended.
struct Ended {
  bool exited = false;  // false: killed by a signal
  int code = 0;         // exit status, or the signal number
  std::string err;      // its stderr
};

// Starts the retrybench binary with stdout and stderr to files under `dir`.
pid_t spawn(const std::vector<std::string>& args, const fs::path& dir) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open((dir / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open((dir / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(RETRYBENCH_BINARY)};
    for (const auto& arg : args) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    ::execv(RETRYBENCH_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

std::string read_all(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Waits up to 60 s for `pid`, then kills it.
Ended wait_for(pid_t pid, const fs::path& dir) {
  const auto end = Clock::now() + std::chrono::seconds(60);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (Clock::now() > end) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ADD_FAILURE() << "retrybench did not exit within 60 s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Ended ended;
  ended.exited = WIFEXITED(status);
  ended.code = ended.exited ? WEXITSTATUS(status) : WTERMSIG(status);
  ended.err = read_all(dir / "stderr");
  return ended;
}

// A live scenario of 1 s of load against one fake upstream, and a sim one of 30 s.
constexpr const char* kScenario = R"({
  "name": "disk-signal", "seed": 4,
  "upstreams": [{"name": "a", "fake": {"latency": {"distribution": "constant", "value": "5ms"},
                                       "errors": [{"status": 503, "probability": 0.2}]}}],
  "load": {"rate": 100, "duration": "1s", "grace": "2s"},
  "request": {"method": "GET", "path": "/v1/models"},
  "timeouts": {"connect": "1s", "first_byte": "1s", "total": "1s"},
  "strategies": ["no-retry", {"name": "retry", "retry": {"max_attempts": 3}}]
})";

class DiskSignalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(RETRYBENCH_BINARY)) {
      GTEST_SKIP() << "retrybench binary not built: " << RETRYBENCH_BINARY;
    }
    dir_ = fs::temp_directory_path() /
           ("retrybench-disk-signal-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    scenario_ = (dir_ / "scenario.json").string();
    std::ofstream(scenario_) << kScenario;
  }
  void TearDown() override {
    if (!mount_.empty()) {
      ::umount2(mount_.c_str(), MNT_DETACH);
    }
    if (!dir_.empty()) {
      fs::remove_all(dir_);
    }
  }

  Ended run(const std::vector<std::string>& args) { return wait_for(spawn(args, dir_), dir_); }

  // Mounts a tmpfs of `kib` KiB at dir_/disk; false when this process may not mount.
  bool mount_tiny_disk(int kib) {
    const fs::path disk = dir_ / "disk";
    fs::create_directories(disk);
    const std::string options = "size=" + std::to_string(kib) + "k";
    if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      return false;
    }
    mount_ = disk.string();
    return true;
  }

  // Fills the file system under `path` until it is full, leaving `keep` bytes free at most.
  static void fill(const fs::path& path, std::size_t keep) {
    const fs::space_info space = fs::space(path);
    std::ofstream filler(path / "filler", std::ios::binary);
    const std::string block(1024, 'f');
    std::size_t written = 0;
    while (space.available > keep && written + keep + block.size() <= space.available &&
           filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
      written += block.size();
    }
  }

  fs::path dir_;
  std::string scenario_;
  std::string mount_;
};

// Checks that result.json under `out`, when present, parses in full and carries `partial`
// equal to `partial_expected` (any value when it is empty).
void expect_no_report_or_complete(const fs::path& out, std::optional<bool> partial_expected) {
  const fs::path result = out / "result.json";
  if (!fs::exists(result)) {
    return;
  }
  const std::string text = read_all(result);
  nlohmann::json parsed;
  ASSERT_NO_THROW(parsed = nlohmann::json::parse(text)) << "result.json is not complete JSON";
  ASSERT_TRUE(parsed.contains("partial"));
  if (partial_expected) {
    EXPECT_EQ(parsed["partial"].get<bool>(), *partial_expected);
  }
  EXPECT_TRUE(parsed.contains("strategies"));
}

TEST_F(DiskSignalTest, OutIsAFile) {
  const fs::path out = dir_ / "taken";
  std::ofstream(out) << "not a directory";
  const Ended ended = run({"run", scenario_, "--mode", "sim", "--out", out.string()});
  ASSERT_TRUE(ended.exited) << "killed by signal " << ended.code;
  EXPECT_EQ(ended.code, kExitRunFailed) << ended.err;
  EXPECT_NE(ended.err.find("cannot write"), std::string::npos) << ended.err;
  EXPECT_NE(ended.err.find(out.string()), std::string::npos) << ended.err;
  EXPECT_EQ(read_all(out), "not a directory");
}

TEST_F(DiskSignalTest, OutUnderProc) {
  const Ended ended = run({"run", scenario_, "--mode", "sim", "--out", "/proc/retrybench-out"});
  ASSERT_TRUE(ended.exited) << "killed by signal " << ended.code;
  EXPECT_EQ(ended.code, kExitRunFailed) << ended.err;
  EXPECT_NE(ended.err.find("cannot write /proc/retrybench-out"), std::string::npos) << ended.err;
}

TEST_F(DiskSignalTest, OutInReadOnlyDirectory) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root ignores directory permissions";
  }
  const fs::path locked = dir_ / "locked";
  fs::create_directories(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  const Ended ended = run({"run", scenario_, "--mode", "sim", "--out", (locked / "out").string()});
  fs::permissions(locked, fs::perms::owner_all);
  ASSERT_TRUE(ended.exited);
  EXPECT_EQ(ended.code, kExitRunFailed) << ended.err;
  EXPECT_NE(ended.err.find("Permission denied"), std::string::npos) << ended.err;
}

TEST_F(DiskSignalTest, FullDiskFromTheStart) {
  if (!mount_tiny_disk(256)) {
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)";
  }
  const fs::path out = fs::path(mount_) / "out";
  fs::create_directories(out);
  fill(mount_, 0);
  const Ended ended = run({"run", scenario_, "--mode", "sim", "--out", out.string()});
  ASSERT_TRUE(ended.exited) << "killed by signal " << ended.code;
  EXPECT_EQ(ended.code, kExitRunFailed) << ended.err;
  EXPECT_NE(ended.err.find("No space left on device"), std::string::npos) << ended.err;
  EXPECT_FALSE(fs::exists(out / "result.json"));
  for (const auto& entry : fs::directory_iterator(out)) {
    ADD_FAILURE() << "left behind: " << entry.path();
  }
}

TEST_F(DiskSignalTest, DiskFillsWhileWriting) {
  if (!mount_tiny_disk(256)) {
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)";
  }
  const fs::path out = fs::path(mount_) / "out";
  fs::create_directories(out);
  // Room for a few files, not for all of them (report.html alone is larger).
  fill(mount_, 48 * 1024);
  const Ended ended = run({"run", scenario_, "--mode", "sim", "--out", out.string()});
  ASSERT_TRUE(ended.exited) << "killed by signal " << ended.code;
  EXPECT_EQ(ended.code, kExitRunFailed) << ended.err;
  EXPECT_NE(ended.err.find("No space left on device"), std::string::npos) << ended.err;
  expect_no_report_or_complete(out, false);
  for (const auto& entry : fs::directory_iterator(out)) {
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos)
        << "temporary file left behind: " << entry.path();
  }
}

// One SIGINT or SIGTERM at a random moment: during start-up (before the handlers exist, so
// the default action ends the process), during the load, the drain, or report writing.
TEST_F(DiskSignalTest, SignalAtRandomMoments) {
  // Measure one undisturbed run to spread the signals over its whole life.
  const auto begin = Clock::now();
  const Ended baseline =
      run({"run", scenario_, "--out", (dir_ / "baseline").string(), "--no-progress"});
  const auto lifetime_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - begin).count();
  ASSERT_TRUE(baseline.exited);
  ASSERT_EQ(baseline.code, 0) << baseline.err;

  const unsigned seed = static_cast<unsigned>(std::random_device{}());
  std::mt19937 random(seed);
  std::uniform_int_distribution<long> moment(0, lifetime_ms + 100);
  int killed = 0;
  int partial = 0;
  int complete = 0;
  for (int i = 0; i < 8; ++i) {
    const long delay_ms = i == 0 ? 0 : (i == 1 ? 3 : moment(random));
    const int signal = i % 2 == 0 ? SIGINT : SIGTERM;
    SCOPED_TRACE("seed " + std::to_string(seed) + ", run " + std::to_string(i) + ": " +
                 strsignal(signal) + " after " + std::to_string(delay_ms) + " ms of " +
                 std::to_string(lifetime_ms));
    const fs::path out = dir_ / ("out-" + std::to_string(i));
    const pid_t pid = spawn({"run", scenario_, "--out", out.string(), "--no-progress"}, dir_);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, signal);
    const Ended ended = wait_for(pid, dir_);
    if (!ended.exited) {
      // Only the default action before the handlers are installed kills the process.
      EXPECT_EQ(ended.code, signal);
      EXPECT_FALSE(fs::exists(out / "result.json"));
      ++killed;
      continue;
    }
    ++(ended.code == 0 ? complete : partial);
    // 0: the signal came after the run, so the report is complete and not partial; 3: the
    // run was cut short and the report, when written, is marked partial.
    ASSERT_TRUE(ended.code == 0 || ended.code == kExitRunFailed) << ended.code << ended.err;
    if (ended.code == 0) {
      ASSERT_TRUE(fs::exists(out / "result.json"));
    }
    expect_no_report_or_complete(out, ended.code == kExitRunFailed);
    if (fs::exists(out / "result.json")) {
      EXPECT_TRUE(fs::exists(out / "report.html"));
      EXPECT_TRUE(fs::exists(out / "junit.xml"));
    }
  }
  std::printf("[signals] lifetime %ld ms: %d killed in start-up, %d cut short, %d after the run\n",
              static_cast<long>(lifetime_ms), killed, partial, complete);
}

// A second signal exits at once with 130; whatever it interrupts, no half-written
// result.json appears under its final name.
TEST_F(DiskSignalTest, SecondSignalLeavesNoHalfReport) {
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<long> moment(0, 1500);
  for (int i = 0; i < 4; ++i) {
    const long delay_ms = moment(random);
    SCOPED_TRACE("run " + std::to_string(i) + ": two signals after " + std::to_string(delay_ms) +
                 " ms");
    const fs::path out = dir_ / ("twice-" + std::to_string(i));
    const pid_t pid = spawn({"run", scenario_, "--out", out.string(), "--no-progress"}, dir_);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGINT);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ::kill(pid, SIGINT);
    const Ended ended = wait_for(pid, dir_);
    if (ended.exited && ended.code == 0) {
      expect_no_report_or_complete(out, false);
      continue;
    }
    if (ended.exited && ended.code == kExitRunFailed) {
      expect_no_report_or_complete(out, true);
      continue;
    }
    // 130 may cut report writing short after a complete run, so either flag is right.
    EXPECT_TRUE(!ended.exited || ended.code == 130) << ended.code << ended.err;
    expect_no_report_or_complete(out, std::nullopt);
  }
}

}  // namespace
