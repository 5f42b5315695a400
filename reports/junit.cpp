#include "reports/junit.hpp"

#include "reports/threshold_expression.hpp"

namespace rb {

namespace {

std::string attribute(const std::string& name, const std::string& value) {
  return " " + name + "=\"" + xml_escape(value) + "\"";
}

std::string testcase(const std::string& class_name, const std::string& name,
                     const std::string* failure) {
  std::string out = "    <testcase" + attribute("classname", class_name) + attribute("name", name) +
                    attribute("time", "0");
  if (failure == nullptr) {
    return out + "/>\n";
  }
  out += ">\n      <failure" + attribute("message", *failure) + attribute("type", "threshold") +
         ">" + xml_escape(*failure) + "</failure>\n    </testcase>\n";
  return out;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t' || c == '\r') {
          out += c;
        }
    }
  }
  return out;
}

std::string junit_xml(const RunResult& result) {
  std::string cases;
  std::size_t tests = 0;
  std::size_t failures = 0;
  const std::string suite = "retrybench." + result.scenario_name;
  for (const ThresholdResult& threshold : result.thresholds) {
    const std::string message = describe_threshold(threshold);
    cases += testcase(suite + "." + threshold.strategy, threshold.expression,
                      threshold.passed ? nullptr : &message);
    ++tests;
    failures += threshold.passed ? 0 : 1;
  }
  if (result.thresholds.empty()) {
    const std::string message = "the run was cut short; its numbers cover part of the load";
    for (const StrategyResult& strategy : result.strategies) {
      cases += testcase(suite + "." + strategy.name, "run completed",
                        result.partial ? &message : nullptr);
      ++tests;
      failures += result.partial ? 1 : 0;
    }
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + attribute("name", "retrybench") +
         attribute("tests", std::to_string(tests)) +
         attribute("failures", std::to_string(failures)) + ">\n";
  out += "  <testsuite" + attribute("name", suite) + attribute("tests", std::to_string(tests)) +
         attribute("failures", std::to_string(failures)) + attribute("errors", "0") +
         attribute("timestamp", result.started_at) + attribute("hostname", result.host) +
         attribute("time", std::to_string(result.wall_seconds)) + ">\n";
  out += "    <properties>\n";
  out += "      <property" + attribute("name", "mode") + attribute("value", result.mode) + "/>\n";
  out += "      <property" + attribute("name", "seed") +
         attribute("value", std::to_string(result.seed)) + "/>\n";
  out += "      <property" + attribute("name", "partial") +
         attribute("value", result.partial ? "true" : "false") + "/>\n";
  out += "    </properties>\n";
  out += cases;
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace rb
