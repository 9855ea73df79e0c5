#include "analysis/report_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <vector>

#include "io/output.h"

namespace retailsynth {
namespace {

using json = nlohmann::json;

constexpr double kW = 560, kH = 310, kLeft = 64, kRight = 16, kTop = 34, kBottom = 54;
const char* const kColours[] = {"#1f6fb4", "#d1452c", "#2a9d3a", "#8a5cc2", "#e08a12"};

double get(const json& v) { return v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN(); }

std::vector<double> vec(const json& a) {
  std::vector<double> v;
  if (a.is_array())
    for (const auto& x : a) v.push_back(get(x));
  return v;
}

/// About n "nice" ticks (1, 2, 5 x 10^k steps) covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int n = 5) {
  const double span = hi - lo;
  if (!(span > 0)) return {lo};
  const double raw = span / n, mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> t;
  for (double x = std::ceil(lo / step - 1e-9) * step; x <= hi + step * 1e-9; x += step) t.push_back(std::fabs(x) < step * 1e-9 ? 0 : x);
  return t;
}

std::string tick_label(double x) {
  if (x == 0) return "0";
  const double a = std::fabs(x);
  if (a >= 1e6) return fmt::format("{:g}M", x / 1e6);
  if (a >= 1e4) return fmt::format("{:g}k", x / 1e3);
  if (a < 1e-3) return fmt::format("{:.0e}", x);
  if (a >= 100) return fmt::format("{:.0f}", x);
  std::string s = fmt::format("{:.3f}", x);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

struct Axis {
  double lo, hi;
  bool log;
  double a0, a1;  // pixel range
  double map(double v) const {
    const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
    return a0 + t * (a1 - a0);
  }
  bool ok(double v) const { return std::isfinite(v) && (!log || v > 0); }
};

/// The <svg> start, the title and the axis names; `height` and `left` (plot area's left edge) for
/// charts taller or with longer labels than the standard one.
std::string frame(const std::string& title, const std::string& x_label, const std::string& y_label, double height = kH,
                  double left = kLeft) {
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"{0}\" height=\"{1}\" fill=\"#fff\"/>\n",
      kW, height);
  // A title longer than the chart is narrowed to fit (about 7.3 px a character at 13 px bold).
  const double tx = std::min(left, kLeft), room = kW - tx - 6;
  const std::string fit = 7.3 * static_cast<double>(title.size()) > room
                              ? fmt::format(" textLength=\"{:.0f}\" lengthAdjust=\"spacingAndGlyphs\"", room)
                              : "";
  s += fmt::format("<text x=\"{}\" y=\"18\" font-size=\"13\" font-weight=\"bold\"{}>{}</text>\n", tx, fit,
                   xml_escape(title));
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", (left + kW - kRight) / 2, height - 8,
                   xml_escape(x_label));
  if (!y_label.empty())
    s += fmt::format("<text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                     (kTop + height - kBottom) / 2, xml_escape(y_label));
  return s;
}

/// Ticks of a log axis over [lo, hi]: 1, 2, 5 x 10^k over up to three decades, else powers of 10.
std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> t;
  const int d0 = static_cast<int>(std::floor(std::log10(lo))), d1 = static_cast<int>(std::ceil(std::log10(hi)));
  for (int d = d0; d <= d1; ++d)
    for (double m : (d1 - d0 <= 3 ? std::vector<double>{1, 2, 5} : std::vector<double>{1})) {
      const double v = m * std::pow(10.0, d);
      if (v >= lo && v <= hi) t.push_back(v);
    }
  return t;
}

std::string y_axis(const Axis& y, const std::vector<double>& ticks) {
  std::string s;
  for (double t : ticks) {
    const double py = y.map(t);
    s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e4e4e4\"/>\n", kLeft, kW - kRight, py, py);
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", kLeft - 5, py + 4, tick_label(t));
  }
  s += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#444\"/>\n", kLeft, kTop, kH - kBottom);
  s += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#444\"/>\n", kLeft, kW - kRight, kH - kBottom);
  return s;
}

/// Legend at the top right, or the bottom right (CDFs climb to the top right).
/// The target band of a chart (spec "hband": [lo, hi] on the y axis), a light green strip.
std::string hband(const json& spec, const Axis& y) {
  if (!spec.contains("hband")) return {};
  const auto b = vec(spec["hband"]);
  if (b.size() != 2) return {};
  return fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"{}\" height=\"{:.1f}\" fill=\"#2a9d3a\" fill-opacity=\"0.10\"/>\n", kLeft,
                     y.map(b[1]), kW - kRight - kLeft, y.map(b[0]) - y.map(b[1]));
}

/// A legend entry: the series name and how it is drawn (a dot for points, a dashed or solid line).
struct LegendEntry {
  std::string name;
  bool dash = false, dot = false;
};

/// The legend in the first corner of the plot area (top right, top left, bottom right, bottom
/// left) that holds none of the plotted points `occupied` (pixels), else below the title.
std::string legend(const std::vector<LegendEntry>& names, const std::vector<std::pair<double, double>>& occupied = {}) {
  size_t longest = 0;
  for (const auto& n : names) longest = std::max(longest, n.name.size());
  const double w = 34 + 6.2 * static_cast<double>(longest), h = 15.0 * static_cast<double>(names.size()) + 4;
  const double right = kW - kRight - 6 - w, left = kLeft + 8, top = kTop + 4, bottom = kH - kBottom - 6 - h;
  const std::pair<double, double> corners[] = {{right, top}, {left, top}, {right, bottom}, {left, bottom}};
  double x = right, y = top;
  bool found = false;
  for (const auto& [cx, cy] : corners) {
    const bool empty = std::none_of(occupied.begin(), occupied.end(), [&](const auto& p) {
      return p.first >= cx - 6 && p.first <= cx + w + 6 && p.second >= cy - 6 && p.second <= cy + h + 6;
    });
    if (empty) {
      x = cx, y = cy, found = true;
      break;
    }
  }
  std::string s;
  if (found) s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#fff\" fill-opacity=\"0.85\"/>\n", x - 4, y - 2, w, h);
  else x = kLeft + 300, y = 6;  // beside the title, above the plot
  double ly = y + 8;
  for (size_t i = 0; i < names.size(); ++i) {
    const char* colour = kColours[i % 5];
    if (names[i].dot)
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.2\" fill=\"{}\"/>\n", x + 9, ly, colour);
    else
      s += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"2.5\"{}/>\n", x, x + 18,
                       ly, ly, colour, names[i].dash ? " stroke-dasharray=\"5 3\"" : "");
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", x + 24, ly + 4, xml_escape(names[i].name));
    ly += 15;
  }
  return s;
}

std::string render_xy(const json& spec) {
  const bool log_x = spec.value("log_x", false), log_y = spec.value("log_y", false);  // log_y: not with bars
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  bool any_bar = false;
  double min_dx = INFINITY;
  for (const auto& s : spec["series"]) {
    const auto x = vec(s["x"]), y = vec(s["y"]), e = vec(s.value("err", json::array()));
    any_bar = any_bar || s.value("style", "") == "bar";
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!std::isfinite(x[i]) || !std::isfinite(y[i]) || (log_x && x[i] <= 0) || (log_y && y[i] <= 0)) continue;
      xlo = std::min(xlo, x[i]), xhi = std::max(xhi, x[i]);
      const double err = !log_y && i < e.size() && std::isfinite(e[i]) ? e[i] : 0;
      ylo = std::min(ylo, y[i] - err), yhi = std::max(yhi, y[i] + err);
      if (i > 0 && std::isfinite(x[i - 1])) min_dx = std::min(min_dx, std::fabs(x[i] - x[i - 1]));
    }
  }
  std::string s = frame(spec.value("title", ""), spec.value("x_label", ""), spec.value("y_label", ""));
  if (!std::isfinite(xlo) || !std::isfinite(ylo)) {
    s += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#888\">no data</text>\n</svg>\n", kW / 2 - 20, kH / 2);
    return s;
  }
  for (const char* k : {"vband", "vline"}) {
    for (double v : spec.contains(k) ? (spec[k].is_array() ? vec(spec[k]) : std::vector<double>{get(spec[k])}) : std::vector<double>{})
      if (std::isfinite(v) && (!log_x || v > 0)) xlo = std::min(xlo, v), xhi = std::max(xhi, v);
  }
  for (const char* k : {"hband", "hline"}) {
    for (double v : spec.contains(k) ? (spec[k].is_array() ? vec(spec[k]) : std::vector<double>{get(spec[k])}) : std::vector<double>{})
      if (std::isfinite(v) && (!log_y || v > 0)) ylo = std::min(ylo, v), yhi = std::max(yhi, v);
  }
  if (log_y) {  // 5% of the decades spanned on either side
    if (yhi <= ylo) yhi = ylo * 2, ylo /= 2;
    const double pad = std::pow(yhi / ylo, 0.05);
    ylo /= pad, yhi *= pad;
  } else {
    if (ylo >= 0 && (any_bar || ylo < 0.25 * yhi)) ylo = 0;
    if (yhi <= ylo) yhi = ylo + 1;
    const double ypad = 0.05 * (yhi - ylo);
    yhi += ypad;
    if (ylo < 0) ylo -= ypad;
  }
  if (spec.contains("y_range")) {  // a fixed range (CDFs: 0..1)
    const auto r = vec(spec["y_range"]);
    if (r.size() == 2 && std::isfinite(r[0]) && std::isfinite(r[1]) && r[1] > r[0]) ylo = r[0], yhi = r[1] + 0.03 * (r[1] - r[0]);
  }
  if (any_bar && std::isfinite(min_dx)) xlo -= min_dx / 2, xhi += min_dx / 2;
  if (xhi <= xlo) xhi = xlo + (log_x ? xlo : 1), xlo = log_x ? xlo / 2 : xlo - 1;
  const Axis X{xlo, xhi, log_x, kLeft + 4, kW - kRight - 4};
  const Axis Y{ylo, yhi, log_y, kH - kBottom, kTop};
  // Target bands and reference lines under the data.
  if (spec.contains("vband")) {
    const auto b = vec(spec["vband"]);
    if (b.size() == 2 && X.ok(b[0]) && X.ok(b[1]))
      s += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"#2a9d3a\" fill-opacity=\"0.10\"/>\n",
                       X.map(b[0]), kTop, X.map(b[1]) - X.map(b[0]), kH - kBottom - kTop);
  }
  s += hband(spec, Y);
  s += y_axis(Y, log_y ? log_ticks(ylo, yhi) : nice_ticks(ylo, yhi));
  // x ticks.
  const std::vector<double> xt = log_x ? log_ticks(xlo, xhi) : nice_ticks(xlo, xhi, 6);
  for (double t : xt) {
    const double px = X.map(t);
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#444\"/>\n", px, kH - kBottom, kH - kBottom + 4);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", px, kH - kBottom + 16, tick_label(t));
  }
  if (spec.contains("vline") && X.ok(get(spec["vline"]))) {
    const double px = X.map(get(spec["vline"]));
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#2a9d3a\" stroke-dasharray=\"4 3\"/>\n", px,
                     kTop, kH - kBottom);
  }
  if (spec.contains("hline") && Y.ok(get(spec["hline"]))) {
    const double py = Y.map(get(spec["hline"]));
    s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#2a9d3a\" stroke-dasharray=\"4 3\"/>\n", kLeft,
                     kW - kRight, py, py);
  }
  // Series.
  std::vector<LegendEntry> names;
  std::vector<std::pair<double, double>> occupied;  // plotted points, kept clear of the legend
  int idx = 0;
  const size_t n_bar_series = std::count_if(spec["series"].begin(), spec["series"].end(),
                                            [](const json& x) { return x.value("style", "") == "bar"; });
  int bar_i = 0;
  for (const auto& ser : spec["series"]) {
    const char* colour = kColours[idx % 5];
    const std::string style = ser.value("style", "line");
    const bool dash = ser.value("dash", false);
    const auto x = vec(ser["x"]), y = vec(ser["y"]), e = vec(ser.value("err", json::array()));
    names.push_back({ser.value("name", ""), dash, style == "points"});
    if (style == "bar") {
      const double full = std::isfinite(min_dx) ? std::fabs(X.map(xlo + min_dx) - X.map(xlo)) * 0.85 : 8;
      const double w = full / std::max<size_t>(1, n_bar_series);
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (!X.ok(x[i]) || !Y.ok(y[i])) continue;
        const double px = X.map(x[i]) - full / 2 + bar_i * w, y0 = Y.map(0), y1 = Y.map(y[i]);
        s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" fill-opacity=\"0.8\"/>\n", px,
                         std::min(y0, y1), std::max(0.5, w - 0.5), std::fabs(y0 - y1), colour);
        for (double yy = std::min(y0, y1); yy <= std::max(y0, y1); yy += 8) occupied.push_back({px + w / 2, yy});
      }
      ++bar_i;
    } else {
      std::string path;
      double prev_y = NAN;
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (!X.ok(x[i]) || !Y.ok(y[i])) continue;
        const double px = X.map(x[i]), py = Y.map(y[i]);
        occupied.push_back({px, py});
        if (path.empty()) path = fmt::format("M{:.1f},{:.1f}", px, py);
        else if (style == "step") path += fmt::format(" H{:.1f} V{:.1f}", px, py);
        else path += fmt::format(" L{:.1f},{:.1f}", px, py);
        prev_y = py;
      }
      (void)prev_y;
      if (style != "points" && !path.empty())
        s += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>\n", path, colour,
                         dash ? " stroke-dasharray=\"5 3\"" : "");
      if (style == "points" || !e.empty())
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
          if (!X.ok(x[i]) || !Y.ok(y[i])) continue;
          const double px = X.map(x[i]), py = Y.map(y[i]);
          if (i < e.size() && std::isfinite(e[i]) && e[i] > 0)
            s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\"/>\n", px,
                             Y.map(y[i] - e[i]), Y.map(y[i] + e[i]), colour);
          if (style == "points") s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.2\" fill=\"{}\"/>\n", px, py, colour);
        }
    }
    ++idx;
  }
  if (names.size() > 1) s += legend(names, occupied);
  s += "</svg>\n";
  return s;
}

std::string render_bars(const json& spec) {
  std::vector<std::string> labels;
  for (const auto& l : spec["labels"]) labels.push_back(l.get<std::string>());
  double ylo = 0, yhi = -INFINITY;
  for (const auto& ser : spec["series"]) {
    const auto y = vec(ser["y"]), e = vec(ser.value("err", json::array()));
    for (size_t i = 0; i < y.size(); ++i) {
      if (!std::isfinite(y[i])) continue;
      const double err = i < e.size() && std::isfinite(e[i]) ? e[i] : 0;
      ylo = std::min(ylo, y[i] - err), yhi = std::max(yhi, y[i] + err);
    }
  }
  std::string s = frame(spec.value("title", ""), "", spec.value("y_label", ""));
  if (!std::isfinite(yhi) || labels.empty()) {
    s += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#888\">no data</text>\n</svg>\n", kW / 2 - 20, kH / 2);
    return s;
  }
  if (yhi <= ylo) yhi = ylo + 1;
  yhi += 0.08 * (yhi - ylo);
  if (ylo < 0) ylo -= 0.05 * (yhi - ylo);
  const Axis Y{ylo, yhi, false, kH - kBottom, kTop};
  s += hband(spec, Y);
  s += y_axis(Y, nice_ticks(ylo, yhi));
  const size_t n = labels.size(), k = spec["series"].size();
  const double slot = (kW - kRight - kLeft) / static_cast<double>(n), bw = slot * 0.75 / std::max<size_t>(1, k);
  const bool rotate = n > 8;
  for (size_t i = 0; i < n; ++i) {
    const double cx = kLeft + slot * (i + 0.5);
    if (rotate)
      s += fmt::format("<text transform=\"translate({:.1f} {}) rotate(-40)\" text-anchor=\"end\">{}</text>\n", cx + 3,
                       kH - kBottom + 12, xml_escape(labels[i]));
    else
      s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", cx, kH - kBottom + 16, xml_escape(labels[i]));
  }
  std::vector<LegendEntry> names;
  std::vector<std::pair<double, double>> occupied;
  for (size_t j = 0; j < k; ++j) {
    const json& ser = spec["series"][j];
    const auto y = vec(ser["y"]), e = vec(ser.value("err", json::array()));
    const char* colour = kColours[j % 5];
    names.push_back({ser.value("name", ""), false, false});
    for (size_t i = 0; i < n && i < y.size(); ++i) {
      if (!std::isfinite(y[i])) continue;
      const double x = kLeft + slot * i + slot * 0.125 + bw * j, y0 = Y.map(0), y1 = Y.map(y[i]);
      s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" fill-opacity=\"0.85\"/>\n", x,
                       std::min(y0, y1), bw - 1, std::fabs(y0 - y1), colour);
      for (double yy = std::min(y0, y1); yy <= std::max(y0, y1); yy += 8) occupied.push_back({x + bw / 2, yy});
      if (i < e.size() && std::isfinite(e[i]) && e[i] > 0)
        s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#222\" stroke-width=\"1.5\"/>\n",
                         x + bw / 2 - 0.5, Y.map(y[i] - e[i]), Y.map(y[i] + e[i]));
    }
  }
  if (k > 1) s += legend(names, occupied);
  s += "</svg>\n";
  return s;
}

/// Estimated width in pixels of `text` at the charts' 11 px sans-serif: capitals and digits are wider.
double text_width(const std::string& text) {
  double w = 0;
  for (unsigned char c : text) w += std::isupper(c) || std::isdigit(c) ? 7.6 : c == ' ' ? 3.2 : 6.0;
  return w;
}

/// A row legend under the title: a swatch and the name per series.
std::string row_legend(const json& series, double x, double y) {
  std::string s;
  for (size_t j = 0; j < series.size(); ++j) {
    const std::string name = series[j].value("name", "");
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"8\" fill=\"{}\" fill-opacity=\"0.85\"/>\n", x, y - 7,
                     kColours[j % 5]);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", x + 16, y, xml_escape(name));
    x += 16 + text_width(name) + 16;
  }
  return s;
}

/// Horizontal bars, one row per label (top to bottom) with one bar per series: the chart grows
/// with the labels, and the left margin with the longest label.
std::string render_hbars(const json& spec) {
  std::vector<std::string> labels;
  for (const auto& l : spec["labels"]) labels.push_back(l.get<std::string>());
  const size_t n = labels.size(), k = spec["series"].size();
  double hi = 0, longest = 0;
  for (const auto& ser : spec["series"])
    for (double y : vec(ser["y"]))
      if (std::isfinite(y)) hi = std::max(hi, y);
  for (const auto& l : labels) longest = std::max(longest, text_width(l));
  const double bar = 7, row = bar * static_cast<double>(k) + 6, top = kTop + 14;
  const double left = std::max(kLeft, 14 + longest), height = top + row * n + kBottom - 10;
  std::string s = frame(spec.value("title", ""), spec.value("x_label", ""), "", height, left);
  if (n == 0 || !(hi > 0)) {
    s += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#888\">no data</text>\n</svg>\n", kW / 2 - 20, height / 2);
    return s;
  }
  hi *= 1.05;
  const Axis X{0, hi, false, left, kW - kRight};
  const double bottom = top + row * n;
  for (double t : nice_ticks(0, hi, 6)) {
    const double px = X.map(t);
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2:.1f}\" stroke=\"#e4e4e4\"/>\n", px, top, bottom);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", px, bottom + 16, tick_label(t));
  }
  s += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2:.1f}\" stroke=\"#444\"/>\n", left, top, bottom);
  s += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#444\"/>\n", left, kW - kRight, bottom);
  for (size_t i = 0; i < n; ++i) {
    const double y0 = top + row * i + 3;
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 5, y0 + bar * k / 2 + 4,
                     xml_escape(labels[i]));
    for (size_t j = 0; j < k; ++j) {
      const auto y = vec(spec["series"][j]["y"]);
      if (i >= y.size() || !std::isfinite(y[i])) continue;
      s += fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.85\"/>\n", left,
                       y0 + bar * j, std::max(0.0, X.map(y[i]) - left), bar - 1, kColours[j % 5]);
    }
  }
  if (k > 1) s += row_legend(spec["series"], std::min(left, kLeft), kTop + 6);
  s += "</svg>\n";
  return s;
}

const char* status_class(const std::string& s) { return s == "pass" ? "pass" : s == "fail" ? "fail" : "na"; }

std::string text_of(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace

std::string render_chart_svg(const json& spec) {
  const std::string type = spec.value("type", "xy");
  return type == "bars" ? render_bars(spec) : type == "hbars" ? render_hbars(spec) : render_xy(spec);
}

std::string render_report_html(const json& report) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>RetailSynth validation</title>\n<style>\n";
  h += "body{font-family:sans-serif;margin:24px;color:#222;max-width:1300px}h1{font-size:22px}h2{font-size:18px;margin-top:30px;"
       "border-bottom:1px solid #ccc}table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;"
       "padding:4px 7px;text-align:left;vertical-align:top}th{background:#f3f3f3}.pass{background:#e3f5e1}.fail{background:#fbe3df}"
       ".na{background:#f0f0f0;color:#666}.charts{display:flex;flex-wrap:wrap;gap:12px}.charts svg{border:1px solid #eee}"
       ".note{color:#555;font-size:13px}code{background:#f4f4f4;padding:1px 4px}\n</style>\n</head>\n<body>\n";
  h += "<h1>RetailSynth validation report</h1>\n";
  const json& ds = report["dataset"];
  h += fmt::format("<p>Dataset <code>{}</code>: layout {}, {} lines, {} households, {} products in {} categories, {} stores, weeks "
                   "{}&ndash;{}{}.</p>\n",
                   xml_escape(text_of(ds, "dir")), xml_escape(text_of(ds, "layout")), ds.value("lines", 0), ds.value("households", 0),
                   ds.value("products_n", 0), ds.value("categories", 0), ds.value("stores", 0), ds.value("first_week", 0),
                   ds.value("last_week", 0), ds.value("has_truth", false) ? ", with ground truth (truth/)" : ", no ground truth");
  if (report["real"].is_null()) {
    h += "<p>Real data: none &mdash; " + xml_escape(report.value("real_note", std::string())) + ". The likeness section is skipped.</p>\n";
  } else {
    const json& r = report["real"];
    h += fmt::format("<p>Real data <code>{}</code>: layout {}, {} lines, {} households, weeks {}&ndash;{}.", xml_escape(text_of(r, "dir")),
                     xml_escape(text_of(r, "layout")), r.value("lines", 0), r.value("households", 0), r.value("first_week", 0),
                     r.value("last_week", 0));
    if (r.contains("sample_rate") && r["sample_rate"].is_number() && r["sample_rate"].get<double>() < 1) {
      const json& t = r["thinning"];
      h += fmt::format(
          " Its lines are a random sample (estimated rate {:.2f}%: {:.3f} lines per household-week against 11.23 in the full "
          "CompleteJourney 2.0), so its baskets are incomplete. Per-line distributions are compared directly; basket and "
          "household-week distributions are compared after thinning ours the same way (each line kept with that probability, "
          "then households kept with probability {:.3f} so both sides hold about as many lines: {} of ours vs {} real).",
          100 * get(r["sample_rate"]), get(r["lines_per_household_week"]), get(t["household_rate"]), t.value("ours_kept_lines", 0),
          t.value("real_lines", 0));
    }
    h += "</p>\n";
  }
  const json& sm = report["summary"];
  h += fmt::format("<p><b>{} pass, {} fail, {} n/a.</b> Validation took {:.1f} s.</p>\n", sm.value("pass", 0), sm.value("fail", 0),
                   sm.value("n/a", 0), get(report["timings_s"]["total"]));
  // Metrics table.
  h += "<h2>Success metrics</h2>\n<table>\n<tr><th>section</th><th>metric</th><th>value</th><th>real</th><th>target</th>"
       "<th>status</th><th>note</th></tr>\n";
  for (const auto& m : report["metrics"]) {
    const std::string st = text_of(m, "status");
    h += fmt::format("<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><b>{}</b></td><td>{}</td></tr>\n",
                     status_class(st), xml_escape(text_of(m, "section")), xml_escape(text_of(m, "name")), xml_escape(text_of(m, "value_text")),
                     xml_escape(text_of(m, "real_text")), xml_escape(text_of(m, "target")), xml_escape(st), xml_escape(text_of(m, "note")));
  }
  h += "</table>\n";
  // Likeness table.
  if (!report["likeness"].empty()) {
    h += "<h2>Likeness to real data (1 &minus; Kolmogorov&ndash;Smirnov distance unless the statistic names its score)</h2>\n"
         "<table>\n<tr><th>statistic</th><th>RetailSynth (this run)</th><th>published RetailSynth</th><th>mean ours / real</th>"
         "<th>n ours / real</th><th>compared</th><th>target</th><th>status</th><th>figures</th></tr>\n";
    for (const auto& l : report["likeness"]) {
      const std::string st = text_of(l, "status");
      const std::string pub = l["published"].is_number()
                                  ? fmt::format("{:.2f} ({})", get(l["published"]), xml_escape(text_of(l, "published_name")))
                                  : "&mdash;";
      const auto pair = [&](const char* a, const char* b, bool number) -> std::string {
        if (!l.contains(a) || l[a].is_null()) return "&mdash;";
        return number ? tick_label(get(l[a])) + " / " + tick_label(get(l[b])) : fmt::format("{} / {}", l.value(a, 0), l.value(b, 0));
      };
      h += fmt::format("<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                       "<td><b>{}</b></td><td>{}</td></tr>\n",
                       status_class(st), xml_escape(text_of(l, "name")),
                       l["score"].is_number() ? fmt::format("{:.3f}", get(l["score"])) : "n/a", pub,
                       pair("mean_ours", "mean_real", true), pair("n_ours", "n_real", false), xml_escape(text_of(l, "comparison")),
                       xml_escape(text_of(l, "target")), xml_escape(st), xml_escape(text_of(l, "figures_text")));
    }
    h += "</table>\n<p class=\"note\">Published RetailSynth: Xia et al. 2023 (arXiv 2312.14095), fitted to dunnhumby's full TCJ; "
         "the scores here are against the real file given, so they are indications, not the same test.</p>\n";
  }
  // Charts by section.
  std::vector<std::string> sections;
  for (const auto& c : report["charts"]) {
    const std::string s = text_of(c, "section");
    if (std::find(sections.begin(), sections.end(), s) == sections.end()) sections.push_back(s);
  }
  for (const auto& s : sections) {
    h += "<h2>Charts: " + xml_escape(s) + "</h2>\n<div class=\"charts\">\n";
    for (const auto& c : report["charts"])
      if (text_of(c, "section") == s) h += render_chart_svg(c);
    h += "</div>\n";
  }
  h += "<p class=\"note\">Green bands and dashed green lines: targets. Written by <code>retailsynth validate</code>; the same "
       "numbers are in metrics.json.</p>\n</body>\n</html>\n";
  return h;
}

}  // namespace retailsynth
