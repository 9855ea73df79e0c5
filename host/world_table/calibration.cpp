#include "world_table/calibration.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "config.h"
#include "io/csv.h"
#include "io/output.h"

namespace retailsynth {
namespace {

constexpr const char* kOldHeader = "level,category,intercept_shift,promo_logit_shift,price_log_shift,spread_log_shift,depth_tilt";
constexpr const char* kHeader =
    "level,category,intercept_shift,promo_logit_shift,price_log_shift,spread_log_shift,depth_tilt,size_log_response";

double number(const std::string& s, const std::string& where, const char* column) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(v) || std::fabs(v) > 20)
    throw InputError(where + ": " + column + ": '" + s + "' is not a number in [-20, 20]");
  return v;
}

}  // namespace

const CategoryCalibration& Calibration::category(const std::string& name) const {
  static const CategoryCalibration none;
  const auto it = categories.find(name);
  return it == categories.end() ? none : it->second;
}

Calibration Calibration::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the world calibration");
  std::string line;
  if (!next_table_line(in, line)) throw InputError(path + ":1: empty file: expected the header '" + kHeader + "'");
  // Files from before size_log_response have one column less; their categories respond alike.
  const size_t columns = line == kHeader ? 8 : line == kOldHeader ? 7 : 0;
  if (columns == 0) throw InputError(path + ":1: bad header '" + line + "': expected '" + kHeader + "'");
  Calibration c;
  for (int n = 2; next_table_line(in, line); ++n) {
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(n);
    const auto f = split_csv_line(line);
    if (f.size() != columns) throw InputError(fmt::format("{}: {} fields, expected {}", where, f.size(), columns));
    CategoryCalibration v{number(f[2], where, "intercept_shift"), number(f[3], where, "promo_logit_shift"),
                          number(f[4], where, "price_log_shift"), number(f[5], where, "spread_log_shift"),
                          number(f[6], where, "depth_tilt")};
    if (columns == 8) v.size_log_response = number(f[7], where, "size_log_response");
    if (f[0] == "all" && f[1].empty()) {
      c.all = v;
    } else if (f[0] == "category" && !f[1].empty()) {
      c.categories[f[1]] = v;
    } else {
      throw InputError(where + ": level: '" + f[0] + "' (all with no category, or category with a name)");
    }
  }
  return c;
}

std::string Calibration::to_csv() const {
  auto row = [](const std::string& level, const std::string& name, const CategoryCalibration& s) {
    return fmt::format("{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f}\n", level, csv_field(name), s.intercept_shift,
                       s.promo_logit_shift, s.price_log_shift, s.spread_log_shift, s.depth_tilt, s.size_log_response);
  };
  std::string out = std::string(kHeader) + "\n" + row("all", "", all);
  for (const auto& [name, s] : categories) out += row("category", name, s);
  return out;
}

}  // namespace retailsynth
