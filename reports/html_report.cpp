#include "reports/html_report.hpp"

#include <cmath>
#include <cstdio>

#include "reports/html_sections.hpp"
#include "reports/junit.hpp"

namespace rb {

namespace {

const char* const kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1500px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}
td.name,th.name{text-align:left}td.best{background:#d8f5d0;font-weight:bold}
.charts{display:flex;flex-wrap:wrap;gap:12px}
figure.chart{margin:0;border:1px solid #ddd;padding:6px}figcaption{font-size:13px;font-weight:bold}
svg text{font-size:11px;fill:#333}svg .axis-label{font-size:12px;fill:#000}
svg .grid{stroke:#eee}svg .frame{fill:none;stroke:#999}
svg .phase{fill:#f4a3a3;fill-opacity:.35}svg .phase-label{font-size:10px;fill:#a33}
pre{background:#f7f7f7;border:1px solid #ddd;padding:8px;font-size:12px;overflow:auto;max-height:480px}
.partial{color:#a33;font-weight:bold}
)";

// Counts the charts that have drawn lines and stores the number on <body>, so a headless
// browser test can tell that the page and its charts loaded.
const char* const kScript = R"(
document.addEventListener('DOMContentLoaded', function () {
  var drawn = 0;
  document.querySelectorAll('figure.chart svg').forEach(function (svg) {
    if (svg.querySelector('polyline[points]')) { drawn += 1; }
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
});
)";

std::string metadata_section(const RunResult& result) {
  const auto row = [](const std::string& key, const std::string& value) {
    return "<tr><th class=\"name\">" + xml_escape(key) + "</th><td class=\"name\">" +
           xml_escape(value) + "</td></tr>";
  };
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.3f s", result.wall_seconds);
  char duration[32];
  std::snprintf(duration, sizeof duration, "%g s per strategy", result.duration_s);
  std::string out = "<h2>Run</h2><table>";
  out += row("scenario", result.scenario_name);
  out += row("scenario file", result.scenario_file);
  out += row("retrybench version", result.version);
  out += row("mode", result.mode);
  out += row("seed", std::to_string(result.seed));
  out += row("host", result.host);
  out += row("started at", result.started_at);
  out += row("load phase", duration);
  out += row("wall time", wall);
  out += row("status", result.partial ? "partial (cut short)" : "complete");
  out += row("schema version", std::to_string(result.schema_version));
  return out + "</table>";
}

}  // namespace

std::string html_report(const RunResult& result) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"viewport\" content=\"width=device-width\">";
  out += "<title>retrybench: " + xml_escape(result.scenario_name) + "</title>";
  out += "<style>" + std::string(kStyle) + "</style><script>" + kScript + "</script></head>";
  out += "<body><h1>retrybench: " + xml_escape(result.scenario_name) + "</h1>\n";
  if (result.partial) {
    out += "<p class=\"partial\">This run was cut short; its numbers cover part of the load.</p>";
  }
  out += comparison_section(result);
  out += threshold_section(result);
  out += percentile_section(result);
  out += timeseries_section(result);
  out += attempts_section(result);
  out += endpoint_load_section(result);
  out += metadata_section(result);
  out += "<h2>Scenario</h2><pre>" + xml_escape(result.scenario.dump(2)) + "</pre>\n";
  out += "</body></html>\n";
  return out;
}

}  // namespace rb
