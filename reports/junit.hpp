#pragma once

#include <string>

#include "reports/result.hpp"

namespace rb {

// junit.xml: one testsuite for the run with one testcase per evaluated threshold and
// strategy; a failed threshold becomes a <failure> whose message states by how much it
// missed. A run without thresholds gets one testcase per strategy that fails only when the
// run was cut short.
std::string junit_xml(const RunResult& result);

// Escapes &, <, >, " and ' for XML and HTML text and attribute values, and drops control
// characters that XML 1.0 does not allow.
std::string xml_escape(const std::string& text);

}  // namespace rb
