// Shutdown of `retrybench run` on SIGINT, tested on the real binary. The first signal stops
// the pacer, drains and writes a partial report, so the exit status is 3. A second signal
// exits at once with status 130.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace rb {
namespace {

namespace fs = std::filesystem;

// A 30 s scenario against one in-process fake upstream. `fake` is its profile, and `grace`
// bounds the drain after the signal.
std::string scenario_text(const std::string& fake, const std::string& grace) {
  return R"({"name": "signal-test", "upstreams": [{"name": "a", "fake": )" + fake +
         R"(}], "load": {"rate": 50, "duration": "30s", "grace": ")" + grace +
         R"("}, "timeouts": {"connect": "1s", "first_byte": "20s", "total": "20s"},
         "request": {"method": "GET", "path": "/v1/models"}, "strategies": ["no-retry"]})";
}

class RunProcess {
 public:
  explicit RunProcess(const std::string& scenario) {
    dir_ = fs::temp_directory_path() /
           ("rb-signal-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(dir_);
    const fs::path file = dir_ / "scenario.json";
    std::ofstream(file) << scenario;
    const std::string out = (dir_ / "out").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string log = (dir_ / "run.log").string();
      std::freopen(log.c_str(), "w", stdout);
      std::freopen(log.c_str(), "a", stderr);
      ::execl(RETRYBENCH_BINARY, RETRYBENCH_BINARY, "run", file.c_str(), "--out", out.c_str(),
              "--no-progress", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~RunProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void signal(int number) const { ::kill(pid_, number); }

  // Waits up to `limit` for the exit and returns its status, or -1 on timeout or a kill.
  int wait_exit(std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  fs::path result_file() const { return dir_ / "out" / "result.json"; }
  std::string log() const {
    std::ifstream in(dir_ / "run.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

TEST(Signal, FirstSigintWritesPartialReport) {
  RunProcess run(scenario_text(R"({"latency": 5})", "5s"));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  run.signal(SIGINT);
  const auto begin = std::chrono::steady_clock::now();

  EXPECT_EQ(run.wait_exit(std::chrono::seconds(20)), 3) << run.log();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(15));
  ASSERT_TRUE(fs::exists(run.result_file())) << run.log();
  std::ifstream in(run.result_file());
  const nlohmann::json result = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(result.is_discarded());
  EXPECT_EQ(result.value("partial", false), true);
  ASSERT_TRUE(result.contains("strategies"));
  ASSERT_EQ(result["strategies"].size(), 1u);
  const nlohmann::json& strategy = result["strategies"][0];
  EXPECT_GT(strategy.value("requests", 0), 0);
  EXPECT_LT(strategy.value("requests", 0), 1500);  // 30 s at 50/s would be 1500
  EXPECT_EQ(
      strategy.value("succeeded", 0) + strategy.value("failed", 0) + strategy.value("dropped", 0),
      strategy.value("requests", 0));
}

TEST(Signal, SecondSigintExitsAtOnce) {
  // The upstream never answers a request, so the drain after the first signal would take the
  // whole 20 s grace period.
  RunProcess run(scenario_text(R"({"timeout": {"probability": 1}})", "20s"));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  run.signal(SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  run.signal(SIGINT);
  const auto begin = std::chrono::steady_clock::now();

  EXPECT_EQ(run.wait_exit(std::chrono::seconds(10)), 130) << run.log();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
}

TEST(Signal, RepeatedSigintAsFromTimeout) {
  // GNU timeout signals the child and then its process group: the same signal twice from
  // one sender within microseconds, which must stop the run once, not abort it.
  RunProcess run(scenario_text(R"({"latency": 5})", "5s"));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  run.signal(SIGINT);
  run.signal(SIGINT);

  EXPECT_EQ(run.wait_exit(std::chrono::seconds(20)), 3) << run.log();
  ASSERT_TRUE(fs::exists(run.result_file())) << run.log();
  std::ifstream in(run.result_file());
  const nlohmann::json result = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(result.is_discarded());
  EXPECT_EQ(result.value("partial", false), true);
}

TEST(Signal, SigtermAfterSigintExitsAtOnce) {
  RunProcess run(scenario_text(R"({"timeout": {"probability": 1}})", "20s"));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  run.signal(SIGINT);
  run.signal(SIGTERM);
  const auto begin = std::chrono::steady_clock::now();

  EXPECT_EQ(run.wait_exit(std::chrono::seconds(10)), 130) << run.log();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
}

}  // namespace
}  // namespace rb
