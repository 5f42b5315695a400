// Runs `retrybench report` and `retrybench compare` as processes. Skipped when the
// retrybench binary has not been built.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "reports/result_json.hpp"
#include "reports/writers.hpp"
#include "tests/reports/sample_result.hpp"

namespace rb {
namespace {

namespace fs = std::filesystem;

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = RETRYBENCH_BINARY;
    if (binary_.empty() || !fs::exists(binary_)) {
      GTEST_SKIP() << "retrybench binary not built";
    }
    dir_ = testing::make_temp_dir();
  }

  int run(const std::string& arguments) {
    const std::string command =
        binary_ + " " + arguments + " > " + dir_ + "/stdout 2> " + dir_ + "/stderr";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string write_result(const RunResult& result, const std::string& name) {
    const std::string path = dir_ + "/" + name;
    testing::write_text(path, result_to_json(result).dump());
    return path;
  }

  std::string output() { return testing::read_text(dir_ + "/stdout"); }
  std::string errors() { return testing::read_text(dir_ + "/stderr"); }

  std::string binary_;
  std::string dir_;
};

TEST_F(CommandsTest, ReportRegeneratesFiles) {
  const std::string result = write_result(testing::make_sample_result(), "result.json");
  ASSERT_EQ(run("report " + result + " --out " + dir_ + "/again"), 0) << errors();
  for (const char* name : {"summary.csv", "timeseries.csv", "latency.csv", "junit.xml",
                           "report.html", "rotate-on-429.hgrm", "result.json"}) {
    EXPECT_TRUE(fs::exists(dir_ + "/again/" + name)) << name;
  }
}

TEST_F(CommandsTest, ReportBadFileExitsTwo) {
  testing::write_text(dir_ + "/bad.json", "{\"schema_version\": 1, \"version\"");
  EXPECT_EQ(run("report " + dir_ + "/bad.json"), 2);
  EXPECT_NE(errors().find("truncated"), std::string::npos) << errors();
}

TEST_F(CommandsTest, CompareExitCodes) {
  const std::string base = write_result(testing::make_sample_result(1.0), "base.json");
  const std::string same = write_result(testing::make_sample_result(1.02), "same.json");
  const std::string slow = write_result(testing::make_sample_result(1.5), "slow.json");
  EXPECT_EQ(run("compare " + base + " " + same + " --tolerance 5%"), 0) << errors();
  EXPECT_EQ(run("compare " + base + " " + slow + " --tolerance 5"), 1) << errors();
  EXPECT_NE(output().find("REGRESSION"), std::string::npos);
  EXPECT_EQ(run("compare " + base + " " + slow + " --tolerance 60%"), 0) << output();

  RunResult other = testing::make_sample_result();
  other.scenario_name = "outage";
  const std::string mismatch = write_result(other, "other.json");
  EXPECT_EQ(run("compare " + base + " " + mismatch), 2);
  EXPECT_NE(errors().find("different scenarios"), std::string::npos) << errors();
  EXPECT_EQ(run("compare " + base + " " + slow + " --tolerance five"), 2);
  EXPECT_EQ(run("compare " + base + " " + dir_ + "/missing.json"), 2);
}

}  // namespace
}  // namespace rb
