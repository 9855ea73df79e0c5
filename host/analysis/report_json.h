// Small helpers shared by the validation report's builders: JSON numbers (NaN -> null, 6
// significant digits), chart series, and the number formats of the terminal table.
#pragma once
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace retailsynth::report_json {

/// A number for JSON: NaN -> null, otherwise rounded to 6 significant digits (readable files).
inline nlohmann::json num(double x) {
  if (!std::isfinite(x)) return nullptr;
  if (x == 0) return 0.0;
  const double scale = std::pow(10.0, 5 - static_cast<int>(std::floor(std::log10(std::fabs(x)))));
  return std::round(x * scale) / scale;
}

inline nlohmann::json nums(const std::vector<double>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (double x : v) a.push_back(num(x));
  return a;
}

inline std::string fmt_num(double x, int digits = 3) {
  if (!std::isfinite(x)) return "n/a";
  return fmt::format("{:.{}f}", x, digits);
}

inline std::string pct(double x, int digits = 1) {
  return std::isfinite(x) ? fmt::format("{:.{}f}%", 100 * x, digits) : "n/a";
}

/// One series of an "xy" chart (report_html.h): style "line", "step", "points" or "bar".
inline nlohmann::json series(const std::string& name, const std::vector<double>& x, const std::vector<double>& y,
                             const std::string& style, const std::vector<double>& err = {}, bool dash = false) {
  nlohmann::json s = {{"name", name}, {"x", nums(x)}, {"y", nums(y)}, {"style", style}};
  if (!err.empty()) s["err"] = nums(err);
  if (dash) s["dash"] = true;
  return s;
}

}  // namespace retailsynth::report_json
