#pragma once

#include <string>

#include "reports/result.hpp"

namespace rb {

// report.html: one self-contained page (inline SVG and CSS, no script or resource fetched
// from the network) with the comparison table, percentile curves, time series with fault
// phases shaded, attempts per request, load per endpoint, the scenario and run metadata.
std::string html_report(const RunResult& result);

}  // namespace rb
