#include "reports/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "reports/junit.hpp"

namespace rb {

namespace {

constexpr double kWidth = 720;
constexpr double kHeight = 300;
constexpr double kLeft = 70;    // room for y tick labels and the y label
constexpr double kRight = 190;  // room for the legend
constexpr double kTop = 30;
constexpr double kBottom = 50;  // room for x tick labels and the x label
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;

struct Range {
  double low = 0;
  double high = 1;
};

std::string num(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

std::string tick_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// A step of 1, 2 or 5 times a power of ten giving about five ticks over `span`.
double nice_step(double span) {
  const double raw = span / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double factor : {1.0, 2.0, 5.0}) {
    if (factor * magnitude >= raw) {
      return factor * magnitude;
    }
  }
  return 10.0 * magnitude;
}

void data_ranges(const LineChart& chart, Range& x, Range& y) {
  bool any = false;
  for (const ChartSeries& series : chart.series) {
    for (const auto& [px, py] : series.points) {
      if (!any) {
        x = {px, px};
        y = {py, py};
        any = true;
      }
      x = {std::min(x.low, px), std::max(x.high, px)};
      y = {std::min(y.low, py), std::max(y.high, py)};
    }
  }
  for (const ChartTick& tick : chart.x_ticks) {
    x = {std::min(x.low, tick.at), std::max(x.high, tick.at)};
  }
  if (chart.y_from_zero) {
    y.low = std::min(0.0, y.low);
  }
  if (x.high <= x.low) {
    x.high = x.low + 1;
  }
  if (y.high <= y.low) {
    y.high = y.low + 1;
  }
  const double step = nice_step(y.high - y.low);
  y.high = std::ceil(y.high / step) * step;
}

double to_px(double value, const Range& r, double length) {
  return (value - r.low) / (r.high - r.low) * length;
}

std::string axes(const LineChart& chart, const Range& x, const Range& y) {
  std::string out;
  const double y_step = nice_step(y.high - y.low);
  for (double v = std::ceil(y.low / y_step) * y_step; v <= y.high + y_step * 1e-9; v += y_step) {
    const double py = kTop + kPlotHeight - to_px(v, y, kPlotHeight);
    out += "<line class=\"grid\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + kPlotWidth) +
           "\" y1=\"" + num(py) + "\" y2=\"" + num(py) + "\"/>";
    out += "<text x=\"" + num(kLeft - 6) + "\" y=\"" + num(py + 4) + "\" text-anchor=\"end\">" +
           tick_text(v) + "</text>";
  }
  std::vector<ChartTick> ticks = chart.x_ticks;
  if (ticks.empty()) {
    const double x_step = nice_step(x.high - x.low);
    for (double v = std::ceil(x.low / x_step) * x_step; v <= x.high + x_step * 1e-9; v += x_step) {
      ticks.push_back({v, tick_text(v)});
    }
  }
  for (const ChartTick& tick : ticks) {
    const double px = kLeft + to_px(tick.at, x, kPlotWidth);
    out += "<line class=\"grid\" x1=\"" + num(px) + "\" x2=\"" + num(px) + "\" y1=\"" + num(kTop) +
           "\" y2=\"" + num(kTop + kPlotHeight) + "\"/>";
    out += "<text x=\"" + num(px) + "\" y=\"" + num(kTop + kPlotHeight + 16) +
           "\" text-anchor=\"middle\">" + xml_escape(tick.label) + "</text>";
  }
  out += "<rect class=\"frame\" x=\"" + num(kLeft) + "\" y=\"" + num(kTop) + "\" width=\"" +
         num(kPlotWidth) + "\" height=\"" + num(kPlotHeight) + "\"/>";
  out += "<text class=\"axis-label\" x=\"" + num(kLeft + kPlotWidth / 2) + "\" y=\"" +
         num(kHeight - 10) + "\" text-anchor=\"middle\">" + xml_escape(chart.x_label) + "</text>";
  out += "<text class=\"axis-label\" transform=\"translate(16," + num(kTop + kPlotHeight / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + xml_escape(chart.y_label) + "</text>";
  return out;
}

std::string bands(const LineChart& chart, const Range& x) {
  std::string out;
  for (const ChartBand& band : chart.bands) {
    const double from = std::clamp(band.from, x.low, x.high);
    const double to = std::clamp(band.to, x.low, x.high);
    if (to <= from) {
      continue;
    }
    const double px = kLeft + to_px(from, x, kPlotWidth);
    const double width = to_px(to, x, kPlotWidth) - to_px(from, x, kPlotWidth);
    out += "<rect class=\"phase\" x=\"" + num(px) + "\" y=\"" + num(kTop) + "\" width=\"" +
           num(width) + "\" height=\"" + num(kPlotHeight) + "\"><title>" + xml_escape(band.label) +
           "</title></rect>";
    out += "<text class=\"phase-label\" x=\"" + num(px + 3) + "\" y=\"" + num(kTop + 12) + "\">" +
           xml_escape(band.label) + "</text>";
  }
  return out;
}

std::string lines(const LineChart& chart, const Range& x, const Range& y) {
  std::string out;
  for (const ChartSeries& series : chart.series) {
    std::string points;
    for (const auto& [px, py] : series.points) {
      points += num(kLeft + to_px(px, x, kPlotWidth)) + "," +
                num(kTop + kPlotHeight - to_px(py, y, kPlotHeight)) + " ";
    }
    out += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + chart_color(series.color) +
           "\"" + (series.dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"" + points +
           "\"><title>" + xml_escape(series.name) + "</title></polyline>";
  }
  return out;
}

std::string legend(const LineChart& chart) {
  std::string out;
  double y = kTop + 8;
  const double x = kLeft + kPlotWidth + 14;
  for (const ChartSeries& series : chart.series) {
    out += "<line x1=\"" + num(x) + "\" x2=\"" + num(x + 22) + "\" y1=\"" + num(y) + "\" y2=\"" +
           num(y) + "\" stroke-width=\"2\" stroke=\"" + chart_color(series.color) + "\"" +
           (series.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
    std::string name = series.name.size() > 24 ? series.name.substr(0, 23) + "~" : series.name;
    out +=
        "<text x=\"" + num(x + 28) + "\" y=\"" + num(y + 4) + "\">" + xml_escape(name) + "</text>";
    y += 18;
  }
  if (!chart.bands.empty()) {
    out += "<rect class=\"phase\" x=\"" + num(x) + "\" y=\"" + num(y - 6) +
           "\" width=\"22\" height=\"12\"/><text x=\"" + num(x + 28) + "\" y=\"" + num(y + 4) +
           "\">fault phase</text>";
  }
  return "<g class=\"legend\">" + out + "</g>";
}

}  // namespace

std::string chart_color(int index) {
  static const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                         "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return kPalette[static_cast<unsigned>(index) % 8];
}

std::string render_line_chart(const LineChart& chart) {
  Range x;
  Range y;
  data_ranges(chart, x, y);
  std::string out = "<figure class=\"chart\"><figcaption>" + xml_escape(chart.title) +
                    "</figcaption><svg viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) +
                    "\" width=\"" + num(kWidth) + "\" height=\"" + num(kHeight) +
                    "\" role=\"img\" aria-label=\"" + xml_escape(chart.title) + "\">";
  out += bands(chart, x);
  out += axes(chart, x, y);
  out += lines(chart, x, y);
  out += legend(chart);
  out += "</svg></figure>\n";
  return out;
}

}  // namespace rb
