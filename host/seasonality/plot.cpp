#include "seasonality/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "config.h"

#include "io/output.h"

namespace retailsynth {
namespace {

std::string num(double v, const char* f = "%.1f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// A round tick step giving about `target` intervals over `span`.
double nice_step(double span, int target) {
  const double raw = span / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

}  // namespace

std::string seasonality_svg(const SeasonalityTable& table, const std::vector<std::string>& categories,
                            const std::string& title) {
  std::vector<const SeasonCurve*> curves;
  for (const auto& name : categories) {
    const SeasonCurve* c = table.find_category(name);
    if (!c) throw InputError("svg: category '" + name + "' is not in the seasonality table");
    curves.push_back(c);
  }
  // Weeks without data: the learner leaves them at exactly 1 in every key, so a week where every
  // drawn curve is exactly 1 had no data (a run shorter than a year); those are not drawn.
  std::vector<bool> has_data(kWeeksPerYear, curves.empty());
  for (int w = 0; w < kWeeksPerYear; ++w)
    for (const SeasonCurve* c : curves) has_data[w] = has_data[w] || c->index[w] != 1.0f;
  std::vector<std::string> labels;
  size_t longest = 0;
  for (size_t i = 0; i < curves.size(); ++i) {
    labels.push_back(categories[i] + " (" + num(summarize(*curves[i]).ratio(), "%.2f") + "x)");
    longest = std::max(longest, labels.back().size());
  }
  // Geometry: plot area inside margins, legend to the right, as wide as its longest label.
  const double left = 64, top = 48, bottom = 64, pw = 626;
  const double right = std::max(120.0, 60 + 7.0 * static_cast<double>(longest));
  const double W = left + pw + right, H = 500;
  const double ph = H - top - bottom;
  double lo = 1.0, hi = 1.0;
  for (const SeasonCurve* c : curves)
    for (float v : c->index) lo = std::min(lo, static_cast<double>(v)), hi = std::max(hi, static_cast<double>(v));
  const double step = nice_step(std::max(hi - lo, 0.1), 6);
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  if (hi - lo < step) hi = lo + step;
  const auto X = [&](double week) { return left + (week - 1) / (kWeeksPerYear - 1) * pw; };
  const auto Y = [&](double v) { return top + (hi - v) / (hi - lo) * ph; };

  std::string o;
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(W, "%.0f") + "\" height=\"" + num(H, "%.0f") +
       "\" viewBox=\"0 0 " + num(W, "%.0f") + " " + num(H, "%.0f") +
       "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
  o += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o += "<text x=\"" + num(left) + "\" y=\"28\" font-size=\"16\" font-weight=\"bold\">" + xml_escape(title) + "</text>\n";
  // Horizontal grid and y ticks.
  for (double v = lo; v <= hi + step * 1e-6; v += step) {
    const std::string y = num(Y(v));
    o += "<line x1=\"" + num(left) + "\" y1=\"" + y + "\" x2=\"" + num(left + pw) + "\" y2=\"" + y +
         "\" stroke=\"#e6e6e6\"/>\n";
    o += "<text x=\"" + num(left - 8) + "\" y=\"" + y + "\" text-anchor=\"end\" dominant-baseline=\"middle\">" +
         num(v, step < 0.1 ? "%.2f" : "%.1f") + "</text>\n";
  }
  // x ticks every 4 weeks (and week 1), month starts in grey below.
  for (int w = 0; w <= kWeeksPerYear; w += 4) {
    const int wk = std::max(w, 1);
    const std::string x = num(X(wk));
    o += "<line x1=\"" + x + "\" y1=\"" + num(top + ph) + "\" x2=\"" + x + "\" y2=\"" + num(top + ph + 5) +
         "\" stroke=\"black\"/>\n";
    o += "<text x=\"" + x + "\" y=\"" + num(top + ph + 18) + "\" text-anchor=\"middle\">" + std::to_string(wk) +
         "</text>\n";
  }
  static const char* kMonth[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static const int kFirst[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};  // day of year, common year
  for (int m = 0; m < 12; ++m)
    o += "<text x=\"" + num(X(1 + kFirst[m] / 7.0)) + "\" y=\"" + num(top + ph + 34) +
         "\" fill=\"#888\" font-size=\"10\">" + kMonth[m] + "</text>\n";
  o += "<text x=\"" + num(left + pw / 2) + "\" y=\"" + num(H - 10) + "\" text-anchor=\"middle\">week of year</text>\n";
  o += "<text transform=\"translate(16," + num(top + ph / 2) + ") rotate(-90)\" text-anchor=\"middle\">index (mean 1)</text>\n";
  // Axes and the reference line at 1.
  o += "<line x1=\"" + num(left) + "\" y1=\"" + num(Y(1.0)) + "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(Y(1.0)) +
       "\" stroke=\"#555\" stroke-dasharray=\"4 4\"/>\n";
  o += "<polyline points=\"" + num(left) + "," + num(top) + " " + num(left) + "," + num(top + ph) + " " + num(left + pw) +
       "," + num(top + ph) + "\" fill=\"none\" stroke=\"black\"/>\n";

  static const char* kColor[10] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                   "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  for (size_t i = 0; i < curves.size(); ++i) {
    const std::string color = kColor[i % 10];
    const std::string dash = i >= 10 ? " stroke-dasharray=\"6 3\"" : "";
    // One polyline per run of weeks with data.
    for (int w = 1; w <= kWeeksPerYear;) {
      if (!has_data[w - 1]) {
        ++w;
        continue;
      }
      std::string pts;
      for (; w <= kWeeksPerYear && has_data[w - 1]; ++w) pts += (pts.empty() ? "" : " ") + num(X(w)) + "," + num(Y(curves[i]->index[w - 1]));
      o += "<polyline points=\"" + pts + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"" + dash + "/>\n";
    }
    const double ly = top + 10 + 20.0 * static_cast<double>(i);
    o += "<line x1=\"" + num(left + pw + 16) + "\" y1=\"" + num(ly) + "\" x2=\"" + num(left + pw + 40) + "\" y2=\"" +
         num(ly) + "\" stroke=\"" + color + "\" stroke-width=\"2\"" + dash + "/>\n";
    o += "<text x=\"" + num(left + pw + 46) + "\" y=\"" + num(ly) + "\" dominant-baseline=\"middle\">" +
         xml_escape(labels[i]) + "</text>\n";
  }
  // The weeks without data, shaded and named.
  for (int w = 1; w <= kWeeksPerYear;) {
    if (has_data[w - 1]) {
      ++w;
      continue;
    }
    const int first = w;
    while (w <= kWeeksPerYear && !has_data[w - 1]) ++w;
    const double x0 = X(std::max(1.0, first - 0.5)), x1 = X(std::min<double>(kWeeksPerYear, w - 0.5));
    o += "<rect x=\"" + num(x0) + "\" y=\"" + num(top) + "\" width=\"" + num(x1 - x0) + "\" height=\"" + num(ph) +
         "\" fill=\"#888\" fill-opacity=\"0.12\"/>\n";
    o += "<text x=\"" + num((x0 + x1) / 2) + "\" y=\"" + num(top + 16) + "\" text-anchor=\"middle\" fill=\"#666\">no data (weeks " +
         std::to_string(first) + "-" + std::to_string(w - 1) + ")</text>\n";
  }
  o += "</svg>\n";
  return o;
}

void write_seasonality_svg(const SeasonalityTable& table, const std::vector<std::string>& categories,
                           const std::string& path) {
  write_text_file_atomic(path, seasonality_svg(table, categories));
}

}  // namespace retailsynth
