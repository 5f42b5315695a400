// Renders report.html in headless Chromium (Debian's chromium package). Skipped when no
// chromium binary is installed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "reports/writers.hpp"
#include "tests/reports/sample_result.hpp"

namespace rb {
namespace {

namespace fs = std::filesystem;

std::string find_chromium() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (fs::exists(candidate)) {
      return candidate;
    }
  }
  return "";
}

// Flags that keep Chromium from contacting any service: no background networking,
// component updates, sync or first-run fetches.
std::string chromium_command(const std::string& chromium, const std::string& profile) {
  return chromium +
         " --headless --no-sandbox --disable-gpu --disable-background-networking "
         "--disable-component-update --disable-sync --no-first-run --user-data-dir=" +
         profile;
}

TEST(HtmlChromium, RendersChartsWithoutErrors) {
  const std::string chromium = find_chromium();
  if (chromium.empty()) {
    GTEST_SKIP() << "chromium is not installed (apt-get install chromium)";
  }
  const std::string dir = testing::make_temp_dir();
  write_reports(testing::make_sample_result(), dir);
  const std::string dom = dir + "/dom.html";
  const std::string log = dir + "/chromium.log";
  const std::string command = chromium_command(chromium, dir + "/profile") +
                              " --enable-logging=stderr --v=0 --dump-dom file://" + dir +
                              "/report.html > " + dom + " 2> " + log;
  ASSERT_EQ(std::system(command.c_str()), 0) << testing::read_text(log);

  const std::string rendered = testing::read_text(dom);
  // The page script ran to its end and counted the charts with drawn lines.
  std::smatch match;
  ASSERT_TRUE(std::regex_search(rendered, match, std::regex("data-charts-drawn=\"(\\d+)\"")))
      << rendered.substr(0, 400);
  // Two percentile charts, three per strategy over time, attempts, one load chart each.
  EXPECT_EQ(std::stoi(match[1]), 2 + 3 * 2 + 1 + 2);
  // Chromium logs uncaught script errors as console messages at level ERROR.
  const std::string messages = testing::read_text(log);
  EXPECT_EQ(messages.find("Uncaught"), std::string::npos) << messages;
  EXPECT_EQ(messages.find("ERROR:CONSOLE"), std::string::npos) << messages;

  // Keep a screenshot for the docs when asked: RETRYBENCH_SCREENSHOT=path.png.
  if (const char* screenshot = std::getenv("RETRYBENCH_SCREENSHOT")) {
    const std::string shot =
        chromium_command(chromium, dir + "/profile2") +
        " --hide-scrollbars --window-size=1400,2400 --screenshot=" + screenshot + " file://" + dir +
        "/report.html 2>/dev/null";
    EXPECT_EQ(std::system(shot.c_str()), 0);
    EXPECT_TRUE(fs::exists(screenshot));
  }
}

}  // namespace
}  // namespace rb
