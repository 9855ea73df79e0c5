#include "seasonality/table.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "config.h"
#include "io/csv.h"
#include "io/output.h"

namespace retailsynth {
namespace {

constexpr const char* kHeader = "level,key,week_of_year,index,reliability,n";
constexpr double kMeanTolerance = 1e-3;

bool parse_i64(const std::string& s, i64& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return false;
  out = v;
  return true;
}

bool parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (*end != '\0') return false;
  out = v;
  return true;
}

std::string format_number(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// What the loader collects per key before the whole-key checks.
struct Pending {
  std::string level, key;
  SeasonCurve curve;
  std::array<unsigned, kWeeksPerYear> line{};  // file line of each week, 0 = not seen
  unsigned first_line = 0;
};

std::string describe(const std::string& level, const std::string& key) { return level + " '" + key + "'"; }

}  // namespace

float SeasonCurve::at(int week_of_year) const { return index[clamp_week_of_year(week_of_year) - 1]; }

SeasonSummary summarize(const SeasonCurve& c) {
  SeasonSummary s;
  s.peak = s.trough = c.index[0];
  for (int w = 1; w <= kWeeksPerYear; ++w) {
    const double v = c.index[w - 1];
    if (v > s.peak) s.peak = v, s.peak_week = w;
    if (v < s.trough) s.trough = v, s.trough_week = w;
  }
  return s;
}

const SeasonCurve* SeasonalityTable::find_product(i64 product_id) const {
  const auto it = products_.find(product_id);
  return it == products_.end() ? nullptr : &it->second;
}

const SeasonCurve* SeasonalityTable::find_category(const std::string& category) const {
  const auto it = categories_.find(category);
  return it == categories_.end() ? nullptr : &it->second;
}

float SeasonalityTable::category_index(const std::string& category, int week_of_year) const {
  const SeasonCurve* c = find_category(category);
  return c ? c->at(week_of_year) : 1.0f;
}

float SeasonalityTable::product_index(i64 product_id, const std::string& category, int week_of_year) const {
  if (const SeasonCurve* p = find_product(product_id)) return p->at(week_of_year);
  return category_index(category, week_of_year);
}

float SeasonalityTable::traffic_index(int week_of_year) const {
  return has_traffic_ ? traffic_.at(week_of_year) : 1.0f;
}

std::string SeasonalityTable::to_csv() const {
  std::string out = std::string(kHeader) + "\n";
  auto emit = [&](const char* level, const std::string& key, const SeasonCurve& c) {
    const std::string rel = std::isfinite(c.reliability) ? format_number("%.4f", c.reliability) : "NA";
    for (int w = 1; w <= kWeeksPerYear; ++w) {
      out += level;
      out += ',';
      out += csv_field(key);
      out += ',' + std::to_string(w) + ',' + format_number("%.6f", c.index[w - 1]) + ',' + rel + ',' +
             std::to_string(c.n) + '\n';
    }
  };
  if (has_traffic_) emit("traffic", "ALL", traffic_);
  for (const auto& [name, c] : categories_) emit("category", name, c);
  for (const auto& [id, c] : products_) emit("product", std::to_string(id), c);
  return out;
}

void SeasonalityTable::save(const std::string& path) const { write_text_file_atomic(path, to_csv()); }

SeasonalityTable SeasonalityTable::load(const std::string& path) {
  std::ifstream in = open_table(path, kHeader, "seasonality table");
  std::string line;

  // Keys in file order of first appearance, so whole-key errors name the first bad key.
  std::vector<Pending> pending;
  std::map<std::pair<std::string, std::string>, size_t> slot;
  unsigned lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;  // a trailing blank line is harmless
    const std::string where = path + ":" + std::to_string(lineno) + ": ";
    const auto f = split_csv_line(line);
    if (f.size() != 6)
      throw InputError(where + "expected 6 fields (" + kHeader + "), found " + std::to_string(f.size()));
    const std::string& level = f[0];
    const std::string& key = f[1];
    if (level != "product" && level != "category" && level != "traffic")
      throw InputError(where + "unknown level '" + level + "' (expected product, category or traffic)");
    if (key.empty()) throw InputError(where + "empty key");
    i64 id = 0;
    if (level == "product" && (!parse_i64(key, id) || id < 0))
      throw InputError(where + "product key '" + key + "' is not a non-negative integer product id");
    if (level == "traffic" && key != "ALL") throw InputError(where + "traffic key '" + key + "': expected ALL");
    i64 week = 0;
    if (!parse_i64(f[2], week) || week < 1 || week > kWeeksPerYear)
      throw InputError(where + "week_of_year '" + f[2] + "' is not an integer in 1..52");
    double index = 0;
    if (!parse_double(f[3], index) || !std::isfinite(index) || index <= 0)
      throw InputError(where + "index '" + f[3] + "' is not a positive finite number");
    double rel = std::numeric_limits<double>::quiet_NaN();
    if (!f[4].empty() && f[4] != "NA" &&
        (!parse_double(f[4], rel) || !std::isfinite(rel) || rel < -1.0 - 1e-9 || rel > 1.0 + 1e-9))
      throw InputError(where + "reliability '" + f[4] + "' is not a number in [-1, 1], empty or NA");
    i64 n = 0;
    if (!parse_i64(f[5], n) || n < 0) throw InputError(where + "n '" + f[5] + "' is not a non-negative integer");

    // Product keys compare as numbers ("007" and "7" are the same product).
    const std::string canon = level == "product" ? std::to_string(id) : key;
    auto [it, fresh] = slot.emplace(std::make_pair(level, canon), pending.size());
    if (fresh) {
      Pending p;
      p.level = level;
      p.key = canon;
      p.curve.reliability = rel;
      p.curve.n = n;
      p.first_line = lineno;
      pending.push_back(std::move(p));
    }
    Pending& p = pending[it->second];
    if (const unsigned prev = p.line[week - 1])
      throw InputError(where + "duplicate week " + std::to_string(week) + " for " + describe(level, canon) +
                       " (first at line " + std::to_string(prev) + ")");
    if (p.curve.n != n)
      throw InputError(where + "n " + std::to_string(n) + " differs from " + std::to_string(p.curve.n) + " on line " +
                       std::to_string(p.first_line) + " for " + describe(level, canon));
    const bool rel_na = !std::isfinite(rel), first_na = !std::isfinite(p.curve.reliability);
    if (rel_na != first_na || (!rel_na && std::fabs(rel - p.curve.reliability) > 1e-9))
      throw InputError(where + "reliability differs from line " + std::to_string(p.first_line) + " for " +
                       describe(level, canon));
    p.line[week - 1] = lineno;
    p.curve.index[week - 1] = static_cast<float>(index);
  }

  SeasonalityTable t;
  for (const Pending& p : pending) {
    std::string missing;
    int n_missing = 0;
    double sum = 0;
    for (int w = 1; w <= kWeeksPerYear; ++w) {
      if (!p.line[w - 1]) {
        if (n_missing < 8) missing += (missing.empty() ? "" : ", ") + std::to_string(w);
        ++n_missing;
      }
      sum += p.curve.index[w - 1];
    }
    if (n_missing)
      throw InputError(path + ": " + describe(p.level, p.key) + ": missing week" + (n_missing > 1 ? "s " : " ") + missing +
                       (n_missing > 8 ? ", ..." : "") + " (each of the 52 weeks is needed once; first line " +
                       std::to_string(p.first_line) + ")");
    const double mean = sum / kWeeksPerYear;
    if (std::fabs(mean - 1.0) > kMeanTolerance)
      throw InputError(path + ": " + describe(p.level, p.key) + ": the indices average " + format_number("%.6f", mean) +
                       ", expected 1 (within 0.001; first line " + std::to_string(p.first_line) + ")");
    if (p.level == "product")
      t.products_[std::stoll(p.key)] = p.curve;
    else if (p.level == "category")
      t.categories_[p.key] = p.curve;
    else
      t.set_traffic(p.curve);
  }
  return t;
}

void write_text_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path + ": cannot write (cannot create " + tmp + ")");
    out << text;
    out.flush();
    if (!out) {
      out.close();
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw InputError(path + ": write failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignore;
    std::filesystem::remove(tmp, ignore);
    throw InputError(path + ": cannot rename " + tmp + " into place: " + ec.message());
  }
}

}  // namespace retailsynth
