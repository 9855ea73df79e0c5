#include "world_table/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config.h"
#include "io/csv.h"
#include "io/output.h"

namespace retailsynth {
namespace {

/// The numeric columns after level, department and category, in file order.
struct NumericColumn {
  const char* name;
  double WorldRow::*member;
  int depth = -1;  // >= 0: depth_q[depth] instead of member
};

const std::vector<NumericColumn>& numeric_columns() {
  static const std::vector<NumericColumn> cols = [] {
    std::vector<NumericColumn> c = {{"lines", &WorldRow::lines},
                                    {"line_share", &WorldRow::line_share},
                                    {"spend_share", &WorldRow::spend_share},
                                    {"household_share", &WorldRow::household_share},
                                    {"products", &WorldRow::products},
                                    {"price_median", &WorldRow::price_median},
                                    {"price_log_sd", &WorldRow::price_log_sd},
                                    {"paid_median", &WorldRow::paid_median},
                                    {"paid_mean", &WorldRow::paid_mean},
                                    {"pl_share", &WorldRow::pl_share},
                                    {"pl_price_ratio", &WorldRow::pl_price_ratio},
                                    {"qty_mean", &WorldRow::qty_mean},
                                    {"qty_multi_share", &WorldRow::qty_multi_share},
                                    {"discount_share", &WorldRow::discount_share}};
    static const char* depth_names[kDepthQuantiles] = {"depth_q05", "depth_q10", "depth_q25", "depth_q50",
                                                       "depth_q75", "depth_q90", "depth_q95"};
    for (int q = 0; q < kDepthQuantiles; ++q) c.push_back({depth_names[q], nullptr, q});
    for (const NumericColumn& x : std::vector<NumericColumn>{{"never_deal_share", &WorldRow::never_deal_share},
                                                             {"always_deal_share", &WorldRow::always_deal_share},
                                                             {"end9_share", &WorldRow::end9_share},
                                                             {"end0_share", &WorldRow::end0_share},
                                                             {"end5_share", &WorldRow::end5_share},
                                                             {"reliability", &WorldRow::reliability},
                                                             {"big_trip_ratio", &WorldRow::big_trip_ratio}})
      c.push_back(x);
    return c;
  }();
  return cols;
}

double& field(WorldRow& r, const NumericColumn& c) { return c.depth >= 0 ? r.depth_q[c.depth] : r.*(c.member); }
double field(const WorldRow& r, const NumericColumn& c) { return c.depth >= 0 ? r.depth_q[c.depth] : r.*(c.member); }

/// Tables from before big_trip_ratio have every numeric column but that last one.
constexpr size_t kOldMissingColumns = 1;

/// Row `fields` of file line `line` (a table with the first `n_cols` numeric columns), checked: a
/// known level, names where the level needs them, and every number finite and non-negative.
WorldRow parse_row(const std::vector<std::string>& fields, size_t n_cols, const std::string& where) {
  const auto& cols = numeric_columns();
  if (fields.size() != n_cols + 3) throw InputError(fmt::format("{}: {} fields, expected {}", where, fields.size(), n_cols + 3));
  WorldRow r;
  r.level = fields[0];
  r.department = fields[1];
  r.category = fields[2];
  if (r.level != "all" && r.level != "department" && r.level != "category")
    throw InputError(where + ": level: '" + r.level + "' (all, department or category)");
  if (r.level != "all" && r.department.empty()) throw InputError(where + ": department: empty");
  if (r.level == "category" && r.category.empty()) throw InputError(where + ": category: empty");
  for (size_t i = 0; i < n_cols; ++i) {
    const std::string& s = fields[i + 3];
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v) || v < 0)
      throw InputError(where + ": " + cols[i].name + ": '" + s + "' is not a number >= 0");
    field(r, cols[i]) = v;
  }
  return r;
}

/// The header of a table with the first `n_cols` numeric columns.
std::string header_of(size_t n_cols) {
  std::string s = "level,department,category";
  for (size_t i = 0; i < n_cols; ++i) s += std::string(",") + numeric_columns()[i].name;
  return s;
}

}  // namespace

const std::string& world_table_header() {
  static const std::string h = header_of(numeric_columns().size());
  return h;
}

std::string WorldTable::to_csv() const {
  std::string out = world_table_header() + "\n";
  for (const WorldRow& r : rows) {
    out += r.level + "," + csv_field(r.department) + "," + csv_field(r.category);
    for (const auto& c : numeric_columns()) out += fmt::format(",{:.6g}", field(r, c));
    out += '\n';
  }
  return out;
}

WorldTable WorldTable::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the world table");
  std::string line;
  if (!next_table_line(in, line)) throw InputError(path + ":1: empty file: expected the header '" + world_table_header() + "'");
  const size_t all_cols = numeric_columns().size(), old_cols = all_cols - kOldMissingColumns;
  const size_t n_cols = line == world_table_header() ? all_cols : line == header_of(old_cols) ? old_cols : 0;
  if (n_cols == 0) throw InputError(path + ":1: bad header '" + line + "': expected '" + world_table_header() + "'");
  WorldTable t;
  t.has_big_trip_ratio = n_cols == all_cols;
  for (int n = 2; next_table_line(in, line); ++n) {
    if (line.empty()) continue;
    t.rows.push_back(parse_row(split_csv_line(line), n_cols, path + ":" + std::to_string(n)));
  }
  if (std::count_if(t.rows.begin(), t.rows.end(), [](const WorldRow& r) { return r.level == "all"; }) != 1)
    throw InputError(path + ": needs exactly one row of level 'all'");
  if (t.categories_by_lines().empty()) throw InputError(path + ": no category rows");
  t.index();
  return t;
}

void WorldTable::index() {
  department_.clear();
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].level == "all") all_ = i;
    if (rows[i].level == "department") department_[rows[i].department] = i;
  }
}

const WorldRow& WorldTable::all() const { return rows.at(all_); }

const WorldRow& WorldTable::department(const std::string& name) const {
  const auto it = department_.find(name);
  return it == department_.end() ? all() : rows[it->second];
}

std::vector<const WorldRow*> WorldTable::categories_by_lines() const {
  std::vector<const WorldRow*> out;
  for (const WorldRow& r : rows)
    if (r.level == "category") out.push_back(&r);
  std::stable_sort(out.begin(), out.end(), [](const WorldRow* a, const WorldRow* b) {
    return a->lines != b->lines ? a->lines > b->lines : a->category < b->category;
  });
  return out;
}

}  // namespace retailsynth
