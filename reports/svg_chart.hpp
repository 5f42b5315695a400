#pragma once

#include <string>
#include <utility>
#include <vector>

namespace rb {

// One line of a chart.
struct ChartSeries {
  std::string name;                               // legend text
  std::vector<std::pair<double, double>> points;  // (x, y) in data units
  bool dashed = false;
  int color = 0;  // index into the chart palette
};

// A shaded x range, for fault phases.
struct ChartBand {
  double from = 0;  // in x data units
  double to = 0;
  std::string label;
};

// An x-axis tick at a data position with its own text.
struct ChartTick {
  double at = 0;
  std::string label;
};

struct LineChart {
  std::string title;
  std::string x_label;  // with the unit, e.g. "time since load start (s)"
  std::string y_label;  // with the unit, e.g. "latency (ms)"
  std::vector<ChartSeries> series;
  std::vector<ChartBand> bands;
  std::vector<ChartTick> x_ticks;  // empty: evenly spaced numeric ticks
  bool y_from_zero = true;
};

// Renders the chart as an inline <svg> element with axes, tick labels, axis labels, a
// legend and one <polyline> per series. All text is escaped.
std::string render_line_chart(const LineChart& chart);

// The CSS color of palette index `index` (the palette repeats after 8).
std::string chart_color(int index);

}  // namespace rb
