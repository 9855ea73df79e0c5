#include "engine/demographics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "analysis/dataset.h"
#include "config.h"
#include "io/csv.h"
#include "io/output.h"
#include "retailsynth/math/distributions.h"
#include "retailsynth/rng/philox.h"
#include "retailsynth/rng/streams.h"
#include "seasonality/table.h"
#include "world.h"

namespace retailsynth {
namespace {

constexpr const char* kKidsHeader = "COMMODITY_DESC,log_ratio,lines_kids,lines_no_kids,reliability";

std::string profiles_header() {
  std::string h;
  for (const char* c : kDemographicColumns) h += std::string(c) + ",";
  return h + "households";
}

double number(std::string_view f, const std::string& where, const char* what) {
  const std::string s(f);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v))
    throw InputError(where + what + " '" + s + "' is not a number");
  return v;
}

/// The header's fields, unquoted, with the file named on error.
std::vector<std::string> header_of(const std::string& text, const std::string& path) {
  std::string first = text.substr(0, text.find('\n'));
  if (!first.empty() && first.back() == '\r') first.pop_back();
  if (first.empty()) throw InputError(path + ":1: empty file (expected a header)");
  return split_csv_line(first);
}

int column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : static_cast<int>(it - header.begin());
}

/// CompleteJourney 2.0's words in TCJ's (missing values: NA).
std::string tcj_word(int field, std::string v) {
  const bool missing = v.empty() || v == "NA";
  switch (field) {
    case 1: return missing ? "U" : v == "Married" ? "A" : v == "Unmarried" ? "B" : v;
    case 3: return missing ? "Unknown" : v == "Probable Homeowner" ? "Probable Owner" : v;
    case 6: return missing || v == "0" ? "None/Unknown" : v;
    default: return missing ? "Unknown" : v;
  }
}

/// The profiles sorted by children, size, composition, home ownership, marital status, age and
/// income: the Weyl sequence's shares are exact over a stretch of the cdf and err by up to a
/// household at each end of it, so a column whose values lie in few stretches keeps its margins
/// closest.  This order (chosen over 60 offsets at 1,000 households: largest gap 2.7 points, 3.9
/// in the columns' own order) keeps the families' columns in one stretch per value.
DemographicProfiles in_draw_order(DemographicProfiles p) {
  static constexpr int kOrder[kDemographicFields] = {6, 5, 4, 3, 1, 0, 2};
  std::vector<size_t> idx(p.values.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    for (int f : kOrder)
      if (p.values[a][f] != p.values[b][f]) return p.values[a][f] < p.values[b][f];
    return false;
  });
  DemographicProfiles q;
  for (size_t i : idx) q.values.push_back(p.values[i]), q.households.push_back(p.households[i]);
  return q;
}

}  // namespace

double income_thousands(const std::string& d, const std::string& where) {
  static const std::map<std::string, double> mid = {
      {"Under 15K", 10},  {"15-24K", 19.5},   {"25-34K", 29.5},   {"35-49K", 42},     {"50-74K", 62},
      {"75-99K", 87},     {"100-124K", 112},  {"125-149K", 137},  {"150-174K", 162},  {"175-199K", 187},
      {"200-249K", 225},  {"250K+", 300}};
  const auto it = mid.find(d);
  if (it == mid.end())
    throw InputError(where + "INCOME_DESC '" + d + "' is not a TCJ income band (Under 15K, 15-24K, ..., 250K+)");
  return it->second;
}

double household_persons(const std::string& d, const std::string& where) {
  if (d == "1" || d == "2" || d == "3" || d == "4") return d[0] - '0';
  if (d == "5+") return 5;
  throw InputError(where + "HOUSEHOLD_SIZE_DESC '" + d + "' is not 1, 2, 3, 4 or 5+");
}

double household_kids(const std::string& d, const std::string& where) {
  if (d == "None/Unknown") return 0;
  if (d == "1" || d == "2") return d[0] - '0';
  if (d == "3+") return 3;
  throw InputError(where + "KID_CATEGORY_DESC '" + d + "' is not None/Unknown, 1, 2 or 3+");
}

std::map<i64, DemographicValues> read_demographics_file(const std::string& path) {
  const std::string text = read_text_file(path);
  const std::vector<std::string> h = header_of(text, path);
  // TCJ: its own column names; CJ2: the R package's, in TCJ's order.
  static const char* kCj2[kDemographicFields] = {"age", "marital_status", "income", "home_ownership", "household_comp",
                                                  "household_size", "kids_count"};
  const bool tcj = column(h, "household_key") >= 0;
  const int key_col = tcj ? column(h, "household_key") : column(h, "household_id");
  if (key_col < 0) throw InputError(path + ":1: expected a household_key (TCJ) or household_id (CompleteJourney 2.0) column");
  int col[kDemographicFields];
  for (int f = 0; f < kDemographicFields; ++f) {
    col[f] = column(h, tcj ? kDemographicColumns[f] : kCj2[f]);
    if (col[f] < 0) throw InputError(path + ":1: missing column " + (tcj ? kDemographicColumns[f] : kCj2[f]));
  }
  std::map<i64, DemographicValues> out;
  for_each_csv_row(text, [&](size_t line, const std::vector<std::string_view>& fields) {
    const std::string where = path + ":" + std::to_string(line) + ": ";
    if (fields.size() != h.size()) throw InputError(where + fmt::format("expected {} fields, got {}", h.size(), fields.size()));
    const double key = number(fields[key_col], where, "household key");
    DemographicValues v;
    for (int f = 0; f < kDemographicFields; ++f) v[f] = tcj ? std::string(fields[col[f]]) : tcj_word(f, std::string(fields[col[f]]));
    income_thousands(v[2], where), household_persons(v[5], where), household_kids(v[6], where);  // checked here
    if (!out.emplace(static_cast<i64>(key), v).second) throw InputError(where + "household " + std::string(fields[key_col]) + " twice");
  });
  return out;
}

DemographicProfiles DemographicProfiles::load(const std::string& path) {
  const std::string text = read_text_file(path);
  const std::vector<std::string> h = header_of(text, path);
  std::string got;
  for (const auto& f : h) got += (got.empty() ? "" : ",") + f;
  if (got != profiles_header()) throw InputError(path + ":1: expected the header '" + profiles_header() + "'");
  DemographicProfiles p;
  for_each_csv_row(text, [&](size_t line, const std::vector<std::string_view>& f) {
    const std::string where = path + ":" + std::to_string(line) + ": ";
    if (f.size() != kDemographicFields + 1)
      throw InputError(where + fmt::format("expected {} fields, got {}", kDemographicFields + 1, f.size()));
    DemographicValues v;
    for (int i = 0; i < kDemographicFields; ++i) v[i] = std::string(f[i]);
    income_thousands(v[2], where), household_persons(v[5], where), household_kids(v[6], where);
    const double n = number(f[kDemographicFields], where, "households");
    if (!(n > 0)) throw InputError(where + "households must be positive");
    p.values.push_back(v);
    p.households.push_back(n);
  });
  if (p.values.empty()) throw InputError(path + ": no profiles");
  return p;
}

std::string DemographicProfiles::to_csv() const {
  std::string s = profiles_header() + "\n";
  for (size_t i = 0; i < values.size(); ++i) {
    for (const auto& v : values[i]) s += csv_field(v) + ",";
    s += fmt::format("{}\n", households[i]);
  }
  return s;
}

KidsRatios KidsRatios::load(const std::string& path) {
  const std::string text = read_text_file(path);
  std::string first = text.substr(0, text.find('\n'));
  if (!first.empty() && first.back() == '\r') first.pop_back();
  if (first != kKidsHeader) throw InputError(path + ":1: expected the header '" + std::string(kKidsHeader) + "'");
  KidsRatios r;
  for_each_csv_row(text, [&](size_t line, const std::vector<std::string_view>& f) {
    const std::string where = path + ":" + std::to_string(line) + ": ";
    if (f.size() != 5) throw InputError(where + fmt::format("expected 5 fields, got {}", f.size()));
    r.category.emplace_back(f[0]);
    r.log_ratio.push_back(number(f[1], where, "log_ratio"));
    r.lines_kids.push_back(number(f[2], where, "lines_kids"));
    r.lines_no_kids.push_back(number(f[3], where, "lines_no_kids"));
    r.reliability.push_back(number(f[4], where, "reliability"));
    if (std::fabs(r.log_ratio.back()) > 10) throw InputError(where + "log_ratio must lie in [-10, 10]");
  });
  return r;
}

std::string KidsRatios::to_csv() const {
  std::string s = std::string(kKidsHeader) + "\n";
  for (size_t i = 0; i < category.size(); ++i)
    s += fmt::format("{},{:.6f},{},{},{:.6f}\n", csv_field(category[i]), log_ratio[i], lines_kids[i], lines_no_kids[i],
                     reliability[i]);
  return s;
}

Demographics make_demographics(const Config& cfg, const Catalog& cat) {
  Demographics d;
  const auto& c = cfg.demographics;
  if (c.profiles.empty()) return d;
  d.profiles = in_draw_order(DemographicProfiles::load(c.profiles));
  const size_t n = d.profiles.values.size();
  double total = 0, mean_income = 0, mean_size = 0;
  std::vector<double> li(n), sz(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& v = d.profiles.values[i];
    li[i] = std::log(income_thousands(v[2], c.profiles + ": "));
    sz[i] = household_persons(v[5], c.profiles + ": ");
    total += d.profiles.households[i];
    mean_income += d.profiles.households[i] * li[i];
    mean_size += d.profiles.households[i] * sz[i];
  }
  mean_income /= total, mean_size /= total;
  double acc = 0;
  for (size_t i = 0; i < n; ++i) {
    acc += d.profiles.households[i];
    d.cdf.push_back(i + 1 == n ? 1.0f : static_cast<float>(acc / total));
    d.log_income.push_back(static_cast<float>(li[i] - mean_income));
    d.size.push_back(static_cast<float>(sz[i] - mean_size));
    d.kids.push_back(household_kids(d.profiles.values[i][6], c.profiles + ": ") > 0 ? 1.0f : 0.0f);
  }
  d.kid_loading.assign(cat.n_categories(), 0.0f);
  if (!c.kids.empty()) {
    const KidsRatios k = KidsRatios::load(c.kids);
    std::map<std::string, double> by_name;
    for (size_t i = 0; i < k.category.size(); ++i) by_name[k.category[i]] = k.log_ratio[i];
    for (i32 j = 0; j < cat.n_categories(); ++j) {
      const auto it = by_name.find(cat.cat_name[j]);
      if (it != by_name.end()) d.kid_loading[j] = static_cast<float>(it->second);
    }
  }
  rng::PhiloxStream g(cfg.seed, 0, rng::offset(0, rng::Stream::kHouseholdParams, 0, kDemographicSlot));
  d.view = DemographicsView{static_cast<i32>(n), math::uniform01(g), c.shown_share, d.cdf.data(), d.log_income.data(), d.size.data(),
                            d.kids.data(), static_cast<float>(c.income_price), static_cast<float>(c.size_basket),
                            static_cast<float>(c.size_quantity), static_cast<float>(c.kids_affinity), d.kid_loading.data()};
  return d;
}

}  // namespace retailsynth
