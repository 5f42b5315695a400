#include "reports/writers.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <filesystem>
#include <regex>

#include "reports/atomic_file.hpp"
#include "reports/html_report.hpp"
#include "reports/junit.hpp"
#include "reports/result_json.hpp"
#include "tests/reports/sample_result.hpp"

namespace rb {
namespace {

using testing::make_sample_result;
using testing::make_temp_dir;
using testing::read_text;

namespace fs = std::filesystem;

TEST(AtomicWrite, ReplacesWholeFile) {
  const std::string path = make_temp_dir() + "/summary.csv";
  write_file_atomically(path, "old content that is longer\n");
  write_file_atomically(path, "new\n");
  EXPECT_EQ(read_text(path), "new\n");
  EXPECT_EQ(
      std::distance(fs::directory_iterator(fs::path(path).parent_path()), fs::directory_iterator{}),
      1);
}

TEST(AtomicWrite, StreamedContentLargerThanOneBufferArrivesWhole) {
  const std::string path = make_temp_dir() + "/result.json";
  std::string expected;
  for (int i = 0; i < 30000; ++i) {
    expected += "line " + std::to_string(i) + "\n";
  }
  write_file_atomically(path, [&](std::ostream& out) { out << expected; });
  EXPECT_EQ(read_text(path), expected);
}

TEST(AtomicWrite, StreamedProducerFailureRemovesTemporary) {
  const std::string dir = make_temp_dir();
  const std::string path = dir + "/result.json";
  EXPECT_THROW(write_file_atomically(path,
                                     [](std::ostream& out) {
                                       out << "partial";
                                       throw std::runtime_error("producer failed");
                                     }),
               std::runtime_error);
  EXPECT_TRUE(fs::is_empty(dir));
}

// What the second-signal handler does while a report is half written.
TEST(AtomicWrite, RemovingTheTemporaryInProgressLeavesNothingBehind) {
  const std::string dir = make_temp_dir();
  remove_temporary_file_in_progress();  // nothing in progress: no effect
  EXPECT_THROW(write_file_atomically(dir + "/report.html",
                                     [&](std::ostream& out) {
                                       out << "<html>" << std::flush;
                                       EXPECT_FALSE(fs::is_empty(dir));
                                       remove_temporary_file_in_progress();
                                       EXPECT_TRUE(fs::is_empty(dir));
                                       out << "</html>";
                                     }),
               std::runtime_error);  // the rename finds its temporary gone
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(AtomicWrite, FailureLeavesNoFileUnderFinalName) {
  const std::string dir = make_temp_dir();
  const std::string path = dir + "/result.json";
  ASSERT_EQ(::chmod(dir.c_str(), 0555), 0);
  if (::access(dir.c_str(), W_OK) == 0) {
    ::chmod(dir.c_str(), 0755);
    GTEST_SKIP() << "running as root: a read-only folder is still writable";
  }
  try {
    write_file_atomically(path, "{}");
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("cannot write " + path + ": ", 0), 0u) << e.what();
  }
  ::chmod(dir.c_str(), 0755);
  EXPECT_FALSE(fs::exists(path));
}

TEST(AtomicWrite, RenameFailureRemovesTemporary) {
  // A folder in the way of the final name makes rename fail after the data was written.
  const std::string dir = make_temp_dir();
  const std::string path = dir + "/report.html";
  fs::create_directory(path);
  fs::create_directory(path + "/inside");
  EXPECT_THROW(write_file_atomically(path, "<html>"), std::runtime_error);
  EXPECT_TRUE(fs::is_directory(path));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1);
}

TEST(WriteReports, WritesEveryFile) {
  const std::string dir = make_temp_dir() + "/nested/out";
  const std::vector<std::string> written = write_reports(make_sample_result(), dir);
  for (const char* name :
       {"result.json", "summary.csv", "timeseries.csv", "latency.csv", "rotate-on-429.hgrm",
        "urllib3_default.hgrm", "junit.xml", "report.html"}) {
    EXPECT_TRUE(fs::exists(dir + "/" + name)) << name;
  }
  EXPECT_EQ(written.size(), 8u);
  const RunResult back = load_result_file(dir + "/result.json");
  EXPECT_EQ(back.strategies.size(), 2u);
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

TEST(WriteReports, UnwritableDirectory) {
  const std::string file = make_temp_dir() + "/plain";
  testing::write_text(file, "x");
  try {
    write_reports(make_sample_result(), file + "/out");
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("cannot write " + file + "/out", 0), 0u) << e.what();
  }
}

TEST(WriteReports, CollidingHgrmNamesKeptApart) {
  RunResult result = make_sample_result();
  result.strategies[0].name = "a/b";
  result.strategies[1].name = "a_b";
  const std::string dir = make_temp_dir() + "/out";
  write_reports(result, dir);
  EXPECT_TRUE(fs::exists(dir + "/a_b.hgrm"));
  EXPECT_TRUE(fs::exists(dir + "/a_b-2.hgrm"));
}

TEST(HgrmFileName, ReplacesUnsafeBytes) {
  EXPECT_EQ(hgrm_file_name("urllib3 default"), "urllib3_default.hgrm");
  EXPECT_EQ(hgrm_file_name("../etc/passwd"), "_.._etc_passwd.hgrm");
}

TEST(ComparisonTable, FitsHundredColumns) {
  RunResult result = make_sample_result();
  result.strategies[0].name = std::string(60, 'x');
  for (const bool color : {false, true}) {
    const std::string table = format_comparison_table(result, color);
    std::size_t start = 0;
    for (std::size_t end; (end = table.find('\n', start)) != std::string::npos; start = end + 1) {
      std::string line =
          std::regex_replace(table.substr(start, end - start), std::regex("\033\\[[0-9;]*m"), "");
      EXPECT_LE(line.size(), 100u) << line;
    }
  }
}

TEST(ComparisonTable, NoColorHasNoEscapes) {
  const std::string table = format_comparison_table(make_sample_result(), false);
  EXPECT_EQ(table.find('\033'), std::string::npos);
  EXPECT_NE(table.find("rotate-on-429"), std::string::npos);
  EXPECT_NE(table.find("p99 ms"), std::string::npos);
  EXPECT_NE(table.find("93.00"), std::string::npos) << table;
  EXPECT_NE(format_comparison_table(make_sample_result(), true).find('\033'), std::string::npos);
}

TEST(Junit, OneCasePerThresholdWithFailure) {
  RunResult result = make_sample_result();
  result.thresholds.push_back(
      {"urllib3 default", "success_rate >= 0.9", "success_rate", 0.93, 0.9, true});
  const std::string xml = junit_xml(result);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0), 0u);
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"p99_ms &lt; 800\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"rotate-on-429: p99_ms &lt; 800 failed: p99_ms = 990"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"success_rate &gt;= 0.9\" time=\"0\"/>"), std::string::npos);
  // The scenario name contains quotes and angle brackets; they arrive escaped.
  EXPECT_NE(xml.find("retrybench.storm, &quot;429&quot; &lt;test&gt;"), std::string::npos);
}

TEST(Junit, NoThresholdsOneCasePerStrategy) {
  RunResult result = make_sample_result();
  result.thresholds.clear();
  result.partial = true;
  const std::string xml = junit_xml(result);
  EXPECT_NE(xml.find("tests=\"2\" failures=\"2\""), std::string::npos) << xml;
}

TEST(XmlEscape, EscapesAndDropsControls) {
  EXPECT_EQ(xml_escape("<a href='x'>&\"</a>\x01"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
}

TEST(HtmlReport, SelfContained) {
  const std::string html = html_report(make_sample_result());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  // No resource is fetched: no src, href, url() or @import pointing anywhere.
  const std::regex remote(R"((src|href)\s*=\s*["']?\s*(https?:|//)|url\(|@import)",
                          std::regex::icase);
  EXPECT_FALSE(std::regex_search(html, remote));
  // The only "http://" is the scenario's own upstream URL, inside the escaped JSON.
  const std::size_t at = html.find("http://");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(html.find("http://", at + 1), std::string::npos);
  EXPECT_NE(html.substr(at - 20, 20).find("&quot;"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(HtmlReport, EscapesTextAndShowsParts) {
  const std::string html = html_report(make_sample_result());
  EXPECT_EQ(html.find("<test>"), std::string::npos);
  EXPECT_NE(html.find("storm, &quot;429&quot; &lt;test&gt;"), std::string::npos);
  for (const char* text :
       {"class=\"best\"", "Latency by percentile", "99.999%", "latency (ms)",
        "time since load start (s)", "class=\"phase\"", "Attempts per logical request",
        "Load received per endpoint", "ci-runner", "2024-05-01T12:00:00Z", "partial",
        "status_429 20", "class=\"legend\""}) {
    EXPECT_NE(html.find(text), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace rb
