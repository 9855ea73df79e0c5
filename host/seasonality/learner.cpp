#include "seasonality/learner.h"

#include "io/fccp.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <unordered_map>

#include "config.h"
#include "analysis/dataset.h"
#include "io/csv.h"
#include "io/dates.h"
#include "seasonality/plot.h"
#include "world.h"

namespace retailsynth {
namespace {

// ---- calendar -------------------------------------------------------------------------------


i64 year_of_day(i64 z) {
  z += 719468;
  const i64 era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return static_cast<i64>(yoe) + era * 400 + (m <= 2);
}

bool leap(i64 y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Parses "YYYY-MM-DD" at the start of `s`; returns false unless it is a valid date.
bool parse_ymd(const char* s, size_t len, i64& days) {
  if (len < 10 || s[4] != '-' || s[7] != '-') return false;
  auto digits = [&](int from, int n, unsigned& v) {
    v = 0;
    for (int i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return true;
  };
  unsigned y, m, d;
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return false;
  static const unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && leap(y))) return false;
  days = days_from_civil(y, m, d);
  return true;
}

// "Nov 19": the first day of week of year w in a common year, for reading reports.
std::string week_start_label(int w) {
  static const char* kMonth[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int doy = 7 * (w - 1), m = 0;
  while (doy >= kDays[m]) doy -= kDays[m++];
  return std::string(kMonth[m]) + " " + std::to_string(doy + 1);
}

// ---- field parsing --------------------------------------------------------------------------

bool missing(const char* s) { return s == nullptr || *s == '\0' || std::strcmp(s, "NA") == 0; }

// A non-negative integer id; R's write.csv prints some round ids as "9e+05", accepted when exact.
bool parse_id(const char* s, i64& out) {
  char* end = nullptr;
  const long long v = std::strtoll(s, &end, 10);
  if (*end == '\0' && end != s) {
    out = v;
    return v >= 0;
  }
  const double d = std::strtod(s, &end);
  if (*end != '\0' || end == s || !(d >= 0 && d < 9.0e15) || d != std::floor(d)) return false;
  out = static_cast<i64>(d);
  return true;
}

bool parse_number(const char* s, double& out) {
  char* end = nullptr;
  out = std::strtod(s, &end);
  return *end == '\0' && end != s && std::isfinite(out);
}

// The household half: a stable hash of the id's text, finalised (FNV's low bits are weak).
u32 household_half(const char* id) {
  u64 h = fnv1a(id);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return static_cast<u32>(h >> 63);
}

// ---- reading --------------------------------------------------------------------------------

enum class TxLayout { kTcj, kCompleteJourney2 };

struct Counts {
  u64 read = 0, missing_field = 0, non_positive_quantity = 0, unknown_product = 0, non_merchandise = 0;
};

// One merchandise line: product row and household half in the high word, day (+ bias) in the low.
constexpr i64 kDayBias = 1 << 20;
inline u64 pack(u32 row, u32 half, i64 day) {
  return (static_cast<u64>(row * 2u + half) << 32) | static_cast<u32>(day + kDayBias);
}
inline u32 rec_row(u64 r) { return static_cast<u32>(r >> 33); }
inline u32 rec_half(u64 r) { return static_cast<u32>(r >> 32) & 1u; }
inline i64 rec_day(u64 r) { return static_cast<i64>(static_cast<u32>(r)) - kDayBias; }

struct Reading {
  TxLayout layout = TxLayout::kTcj;
  std::vector<u64> lines;
  Counts counts;
  std::unordered_map<u64, u32> households;  // hash of id -> half (for the report)
};

template <class Reader>
void read_lines(Reader& in, const std::string& path, TxLayout layout, i64 start_day,
                const std::unordered_map<i64, i32>& row_of, const std::vector<i32>& merch, Reading& out) {
  const char *hh = nullptr, *product = nullptr, *quantity = nullptr, *when = nullptr;
  constexpr i64 kMaxDay = 36525;  // 100 years of DAY
  while (in.read_row(hh, product, quantity, when)) {
    ++out.counts.read;
    const auto where = [&] { return path + ":" + std::to_string(in.get_file_line()) + ": "; };
    if (missing(hh) || missing(product) || missing(quantity) || missing(when)) {
      ++out.counts.missing_field;
      continue;
    }
    i64 id = 0;
    if (!parse_id(product, id)) throw InputError(where() + "product id '" + std::string(product) + "' is not a non-negative integer");
    double q = 0;
    if (!parse_number(quantity, q)) throw InputError(where() + "quantity '" + std::string(quantity) + "' is not a number");
    i64 day = 0;
    if (layout == TxLayout::kTcj) {
      char* end = nullptr;
      const long long d = std::strtoll(when, &end, 10);
      if (*end != '\0' || end == when || d < 1 || d > kMaxDay)
        throw InputError(where() + "DAY '" + std::string(when) + "' is not an integer in 1.." + std::to_string(kMaxDay));
      day = start_day + d - 1;
    } else {
      const size_t len = std::strlen(when);
      if (!parse_ymd(when, len, day) || (len > 10 && when[10] != ' ' && when[10] != 'T'))
        throw InputError(where() + "transaction_timestamp '" + std::string(when) +
                         "' is not a date 'YYYY-MM-DD[ HH:MM:SS]'");
    }
    if (q <= 0) {
      ++out.counts.non_positive_quantity;
      continue;
    }
    const auto it = row_of.find(id);
    if (it == row_of.end()) {
      ++out.counts.unknown_product;
      continue;
    }
    if (merch[it->second] < 0) {
      ++out.counts.non_merchandise;
      continue;
    }
    const u32 half = household_half(hh);
    out.households.emplace(fnv1a(hh), half);
    out.lines.push_back(pack(static_cast<u32>(it->second), half, day));
  }
}

Reading read_transactions(const std::string& path, i64 start_day, const std::unordered_map<i64, i32>& row_of,
                          const std::vector<i32>& merch) {
  // A .zst file (RetailSynth's --compress zstd) is decompressed in memory and parsed from there.
  const bool zst = path.size() > 4 && path.compare(path.size() - 4, 4, ".zst") == 0;
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw InputError(path + ": cannot open the transactions file");
  const std::string text = zst ? read_text_file(path) : std::string();
  std::string header;
  if (zst) header = text.substr(0, text.find('\n'));
  else std::getline(probe, header);
  if (header.rfind("\xEF\xBB\xBF", 0) == 0) throw InputError(path + ":1: a UTF-8 byte-order mark is not supported; remove it");
  const auto cols = split_csv_line(header);
  auto has = [&](const char* name) { return std::find(cols.begin(), cols.end(), name) != cols.end(); };
  Reading r;
  using Reader = io::CSVReader<4, io::trim_chars<' ', '\t'>, io::double_quote_escape<',', '"'>>;
  try {
    if (has("PRODUCT_ID") && has("DAY")) {
      r.layout = TxLayout::kTcj;
      auto in = zst ? std::make_unique<Reader>(path, text.data(), text.data() + text.size()) : std::make_unique<Reader>(path);
      in->read_header(io::ignore_extra_column, "household_key", "PRODUCT_ID", "QUANTITY", "DAY");
      read_lines(*in, path, r.layout, start_day, row_of, merch, r);
    } else if (has("product_id") && has("transaction_timestamp")) {
      r.layout = TxLayout::kCompleteJourney2;
      auto in = zst ? std::make_unique<Reader>(path, text.data(), text.data() + text.size()) : std::make_unique<Reader>(path);
      in->read_header(io::ignore_extra_column, "household_id", "product_id", "quantity", "transaction_timestamp");
      read_lines(*in, path, r.layout, start_day, row_of, merch, r);
    } else {
      throw InputError(path + ":1: unrecognised header: expected a TCJ transaction_data.csv (household_key,...,DAY,"
                              "PRODUCT_ID,QUANTITY,...) or a CompleteJourney 2.0 transactions.csv (household_id,"
                              "product_id,quantity,...,transaction_timestamp)");
    }
  } catch (const io::error::base& e) {
    throw InputError(csv_error_message(e, path, 4));
  }
  return r;
}

// ---- the method -----------------------------------------------------------------------------

// Per-period counts of one key: by household half, and the whole.
struct Series {
  std::vector<double> half[2];
  i64 n = 0;
  explicit Series(size_t periods) {
    half[0].assign(periods, 0.0);
    half[1].assign(periods, 0.0);
  }
};

struct Periods {
  i64 first_day = 0, year0 = 0;
  std::vector<int> week;            // week of year of each period
  std::vector<double> days;         // days of the period covered by the data
  std::vector<double> total[2];     // merchandise lines per period, by half
  std::vector<double> total_all;    // both halves
  int of_day(i64 day) const {
    return static_cast<int>((year_of_day(day) - year0) * kWeeksPerYear) + week_of_year_of_day(day) - 1;
  }
};

// The linear trend of a key's share, fitted by weighted least squares together with one level per
// week of year: with the levels in the model the slope is the "within" estimator
//   beta = sum_p e_p (x_p - xbar_w(p)) s_p / sum_p e_p (x_p - xbar_w(p))^2,   s_p = c_p / e_p,
// which is exactly what the 53-column normal equations give, without forming them.
class Detrender {
 public:
  Detrender(const std::vector<double>& e, const std::vector<int>& week) {
    const size_t P = e.size();
    double se = 0, sx = 0;
    for (size_t p = 0; p < P; ++p) se += e[p], sx += e[p] * static_cast<double>(p);
    const double center = se > 0 ? sx / se : 0;
    x_.resize(P);
    for (size_t p = 0; p < P; ++p) x_[p] = (static_cast<double>(p) - center) / kWeeksPerYear;  // years
    std::vector<double> ew(kWeeksPerYear, 0.0), exw(kWeeksPerYear, 0.0);
    for (size_t p = 0; p < P; ++p) ew[week[p] - 1] += e[p], exw[week[p] - 1] += e[p] * x_[p];
    dev_.resize(P);
    denom_ = 0;
    for (size_t p = 0; p < P; ++p) {
      const int w = week[p] - 1;
      dev_[p] = ew[w] > 0 ? x_[p] - exw[w] / ew[w] : 0.0;
      denom_ += e[p] * dev_[p] * dev_[p];
    }
  }
  bool usable() const { return denom_ > 1e-12; }
  double slope(const std::vector<double>& counts) const {
    double num = 0;
    for (size_t p = 0; p < counts.size(); ++p) num += dev_[p] * counts[p];  // e * dev * (c / e)
    return num / denom_;
  }
  // The counts with the fitted trend taken out of their expectation, for an exposure `e`.
  std::vector<double> remove(const std::vector<double>& counts, const std::vector<double>& e, double beta) const {
    std::vector<double> out(counts.size());
    for (size_t p = 0; p < counts.size(); ++p) out[p] = counts[p] - beta * x_[p] * e[p];
    return out;
  }

 private:
  std::vector<double> x_, dev_;
  double denom_ = 0;
};

// Raw index curve (steps 3-5): pooled by week of year, circularly smoothed ratio of counts to
// exposure, divided by its mean; weeks without data in the kernel get 1 and are flagged.  Event
// weeks (`event[w]`) are left out of every other week's kernel, and an event week's own value is
// its base (the kernel over its non-event neighbours) times its own ratio to that base, shrunk by
// the evidence: ratio' = 1 + (c / E - 1) max(0, 1 - 1/z^2), E = base x exposure, z = (c - E) /
// sqrt(E) (the positive-part James-Stein factor of a Poisson count).  So a holiday's single-week
// peak is kept where its count stands out of the noise, and does not leak into the weeks around it.
std::array<double, kWeeksPerYear> raw_curve(const std::vector<double>& counts, const std::vector<double>& exposure,
                                            const std::vector<int>& week, int h, const std::array<bool, kWeeksPerYear>& event,
                                            std::array<bool, kWeeksPerYear>* known,
                                            std::array<double, kWeeksPerYear>* event_ratio = nullptr) {
  std::array<double, kWeeksPerYear> c{}, e{}, s{}, ratio;
  ratio.fill(1.0);
  for (size_t p = 0; p < counts.size(); ++p) c[week[p] - 1] += counts[p], e[week[p] - 1] += exposure[p];
  std::array<bool, kWeeksPerYear> ok{};
  double sum = 0;
  int n_ok = 0;
  for (int w = 0; w < kWeeksPerYear; ++w) {
    const bool own_event = h > 0 && event[w];
    double num = 0, den = 0;
    bool before = false, after = false;
    for (int d = -h; d <= h; ++d) {
      const int v = ((w + d) % kWeeksPerYear + kWeeksPerYear) % kWeeksPerYear;
      if (h > 0 && event[v] && (d != 0 || own_event)) continue;  // events stay out of the kernels
      const double k = h + 1 - std::abs(d);
      num += k * c[v];
      den += k * e[v];
      before = before || (d < 0 && e[v] > 0);
      after = after || (d > 0 && e[v] > 0);
    }
    // A week with data, or a gap with data on both sides, is estimated; the kernel does not reach
    // past the ends of the data (a dataset shorter than a year says nothing about other weeks).
    ok[w] = (den > 0 || (own_event && e[w] > 0)) && (e[w] > 0 || (before && after));
    double level = den > 0 ? std::max(0.0, num / den) : 0.0;
    if (own_event && e[w] > 0) {
      const double expect = level * e[w];
      if (!(expect > 0)) {
        level = c[w] / e[w];  // no base around it: the week's own share
      } else {
        const double z2 = (c[w] - expect) * (c[w] - expect) / expect;
        const double keep = z2 > 1 ? 1 - 1 / z2 : 0.0;
        ratio[w] = 1 + (c[w] / expect - 1) * keep;
        level *= ratio[w];
      }
    }
    s[w] = ok[w] ? level : 0.0;
    if (ok[w]) sum += s[w], ++n_ok;
  }
  const double mean = n_ok ? sum / n_ok : 0.0;
  for (int w = 0; w < kWeeksPerYear; ++w) {
    if (!(mean > 0)) ok[w] = false;
    s[w] = ok[w] ? s[w] / mean : 1.0;
  }
  if (known) *known = ok;
  if (event_ratio) *event_ratio = ratio;
  return s;
}

double pearson(const std::array<double, kWeeksPerYear>& a, const std::array<double, kWeeksPerYear>& b,
               const std::array<bool, kWeeksPerYear>& ka, const std::array<bool, kWeeksPerYear>& kb) {
  double ma = 0, mb = 0;
  int n = 0;
  for (int w = 0; w < kWeeksPerYear; ++w)
    if (ka[w] && kb[w]) ma += a[w], mb += b[w], ++n;
  if (n < 3) return std::numeric_limits<double>::quiet_NaN();
  ma /= n, mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (int w = 0; w < kWeeksPerYear; ++w) {
    if (!(ka[w] && kb[w])) continue;
    sab += (a[w] - ma) * (b[w] - mb);
    saa += (a[w] - ma) * (a[w] - ma);
    sbb += (b[w] - mb) * (b[w] - mb);
  }
  if (saa <= 1e-18 || sbb <= 1e-18) return std::numeric_limits<double>::quiet_NaN();
  return sab / std::sqrt(saa * sbb);
}

// Steps 3-6 for one key.  exposure[0] is the whole data's, exposure[1..2] each half's; trend[i]
// (or null) the trend fit for that exposure.  Each half gets its own slope so that a half's counts
// are compared with its own expectation.
// Shrinkage factor: by reliability, the Spearman-Brown reliability of the whole data's curve,
// 2r / (1 + r) from the split-half r (0 when r <= 0 or unknown); by lines, n / (n + n0).
double shrink_keep(const LearnOptions& opt, double reliability, i64 n) {
  if (opt.shrink_by == ShrinkBy::kLines)
    return static_cast<double>(n) / (static_cast<double>(n) + std::max(0.0, opt.shrinkage_lines));
  return std::isfinite(reliability) && reliability > 0 ? 2 * reliability / (1 + reliability) : 0.0;
}

SeasonCurve learn_curve(const Series& s, const std::vector<double>* const exposure[3], const Detrender* const trend[3],
                        const Periods& per, const LearnOptions& opt, bool events) {
  const size_t P = per.week.size();
  std::vector<double> all(P), halves[2] = {s.half[0], s.half[1]};
  for (size_t p = 0; p < P; ++p) all[p] = s.half[0][p] + s.half[1][p];
  if (trend[0]) all = trend[0]->remove(all, *exposure[0], trend[0]->slope(all));
  for (int h = 0; h < 2; ++h)
    if (trend[1 + h]) halves[h] = trend[1 + h]->remove(halves[h], *exposure[1 + h], trend[1 + h]->slope(halves[h]));
  const int hw = std::max(0, opt.smoothing_half_width);
  std::array<bool, kWeeksPerYear> event{};
  for (int w : opt.event_weeks)
    if (events && w >= 1 && w <= kWeeksPerYear) event[w - 1] = true;
  std::array<double, kWeeksPerYear> ratio;
  const auto raw = raw_curve(all, *exposure[0], per.week, hw, event, nullptr, &ratio);
  std::array<bool, kWeeksPerYear> k0, k1;
  const auto r0 = raw_curve(halves[0], *exposure[1], per.week, hw, event, &k0);
  const auto r1 = raw_curve(halves[1], *exposure[2], per.week, hw, event, &k1);

  SeasonCurve c;
  c.n = s.n;
  c.reliability = pearson(r0, r1, k0, k1);
  const double keep = shrink_keep(opt, c.reliability, s.n);
  std::array<double, kWeeksPerYear> v;
  double sum = 0;
  // By reliability, an event week's own ratio keeps its own shrinkage (raw_curve) and its base is
  // shrunk like any week; by lines, the whole curve is shrunk by volume.
  const bool by_lines = opt.shrink_by == ShrinkBy::kLines;
  for (int w = 0; w < kWeeksPerYear; ++w)
    sum += v[w] = by_lines ? 1.0 + (raw[w] - 1.0) * keep : (1.0 + (raw[w] / ratio[w] - 1.0) * keep) * ratio[w];
  // raw >= 0 and keep < 1 (for n0 > 0) keep every value positive; guard n0 = 0 with raw = 0.
  for (int w = 0; w < kWeeksPerYear; ++w) c.index[w] = static_cast<float>(std::max(v[w] / (sum / kWeeksPerYear), 1e-3));
  return c;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string pad(std::string s, size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

}  // namespace

i64 parse_date(const std::string& text, const std::string& what) {
  i64 d = 0;
  if (text.size() != 10 || !parse_ymd(text.c_str(), text.size(), d))
    throw InputError(what + ": '" + text + "' is not a date YYYY-MM-DD (years from 1900)");
  return d;
}

int week_of_year_of_day(i64 day) {
  const i64 doy = day - days_from_civil(year_of_day(day), 1, 1);
  return clamp_week_of_year(static_cast<int>(doy / 7) + 1);
}

std::vector<std::string> most_seasonal_categories(const SeasonalityTable& t, double min_reliability, size_t top) {
  std::vector<std::pair<double, std::string>> v;
  for (const auto& [name, c] : t.categories())
    if (std::isfinite(c.reliability) && c.reliability >= min_reliability) v.emplace_back(summarize(c).ratio(), name);
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size() && i < top; ++i) out.push_back(v[i].second);
  return out;
}

SeasonalityTable learn_seasonality(const LearnOptions& opt, std::string* report) {
  if (opt.transactions_path.empty()) throw InputError("--transactions: required");
  if (opt.products_path.empty()) throw InputError("--products: required");
  if (opt.smoothing_half_width < 0 || opt.smoothing_half_width > 25)
    throw InputError("--smooth: must be in 0..25 weeks, got " + std::to_string(opt.smoothing_half_width));
  if (!(opt.shrinkage_lines >= 0)) throw InputError("--shrink: must be >= 0");
  if (opt.min_category_lines < 1) throw InputError("--min-category-lines: must be >= 1");
  if (opt.min_product_lines < 1) throw InputError("--min-product-lines: must be >= 1");
  const i64 start_day = parse_date(opt.start_date, "--start-date");

  // Products: merchandise products map to a category; others are read but left out.
  const ProductTable products = read_product_table(opt.products_path);
  std::unordered_map<i64, i32> row_of;
  row_of.reserve(products.rows.size() * 2);
  std::vector<std::string> cat_name;
  std::unordered_map<std::string, i32> cat_of;
  std::vector<i32> merch(products.rows.size(), -1);
  for (size_t r = 0; r < products.rows.size(); ++r) {
    const ProductRow& p = products.rows[r];
    row_of.emplace(p.product_id, static_cast<i32>(r));
    if (!is_merchandise(p.department, p.commodity)) continue;
    auto [it, fresh] = cat_of.emplace(p.commodity, static_cast<i32>(cat_name.size()));
    if (fresh) cat_name.push_back(p.commodity);
    merch[r] = it->second;
  }

  Reading in = read_transactions(opt.transactions_path, start_day, row_of, merch);
  if (in.lines.empty())
    throw InputError(opt.transactions_path + ": no merchandise lines (" + std::to_string(in.counts.read) +
                     " lines read; none matched a merchandise product of " + opt.products_path + ")");

  // Periods: (year, week of year) from the first to the last date.
  i64 lo = rec_day(in.lines[0]), hi = lo;
  for (u64 r : in.lines) lo = std::min(lo, rec_day(r)), hi = std::max(hi, rec_day(r));
  if (hi - lo > 36525) throw InputError(opt.transactions_path + ": the dates span more than 100 years");
  Periods per;
  per.first_day = lo;
  per.year0 = year_of_day(lo);
  const size_t P = static_cast<size_t>(per.of_day(hi)) + 1;
  per.week.resize(P);
  for (size_t p = 0; p < P; ++p) per.week[p] = static_cast<int>(p % kWeeksPerYear) + 1;
  per.days.assign(P, 0.0);
  std::vector<int> period_of(static_cast<size_t>(hi - lo + 1));
  for (i64 d = lo; d <= hi; ++d) {
    period_of[d - lo] = per.of_day(d);
    per.days[period_of[d - lo]] += 1.0;
  }
  size_t covered = 0;
  for (double d : per.days) covered += d > 0;

  // Counts per category and per product (products only once they pass the threshold).
  const size_t K = cat_name.size();
  std::vector<Series> cat(K, Series(P));
  Series traffic(P);
  std::vector<i64> prod_n(products.rows.size(), 0);
  for (u64 r : in.lines) {
    const size_t p = static_cast<size_t>(period_of[rec_day(r) - lo]);
    Series& s = cat[merch[rec_row(r)]];
    s.half[rec_half(r)][p] += 1;
    ++s.n;
    traffic.half[rec_half(r)][p] += 1;
    ++traffic.n;
    ++prod_n[rec_row(r)];
  }
  std::unordered_map<u32, size_t> prod_slot;
  std::vector<u32> prod_rows;
  for (size_t r = 0; r < prod_n.size(); ++r)
    if (prod_n[r] >= opt.min_product_lines) prod_slot.emplace(static_cast<u32>(r), prod_rows.size()), prod_rows.push_back(static_cast<u32>(r));
  std::vector<Series> prod(prod_rows.size(), Series(P));
  for (u64 r : in.lines) {
    const auto it = prod_slot.find(rec_row(r));
    if (it == prod_slot.end()) continue;
    prod[it->second].half[rec_half(r)][period_of[rec_day(r) - lo]] += 1;
    ++prod[it->second].n;
  }

  per.total[0] = traffic.half[0];
  per.total[1] = traffic.half[1];
  per.total_all.resize(P);
  for (size_t p = 0; p < P; ++p) per.total_all[p] = per.total[0][p] + per.total[1][p];

  // Trend removal only when seasons repeat in the data (two years by default).
  const bool detrend = static_cast<int>(covered) >= opt.detrend_min_periods;
  const Detrender share_trend[3] = {{per.total_all, per.week}, {per.total[0], per.week}, {per.total[1], per.week}};
  const Detrender day_trend(per.days, per.week);
  const Detrender* share_fit[3] = {nullptr, nullptr, nullptr};
  const Detrender* day_fit[3] = {nullptr, nullptr, nullptr};
  bool detrended = false;
  if (detrend && share_trend[0].usable() && share_trend[1].usable() && share_trend[2].usable()) {
    for (int i = 0; i < 3; ++i) share_fit[i] = &share_trend[i];
    detrended = true;
  }
  if (detrend && day_trend.usable())
    for (int i = 0; i < 3; ++i) day_fit[i] = &day_trend;
  const std::vector<double>* share_exposure[3] = {&per.total_all, &per.total[0], &per.total[1]};
  const std::vector<double>* day_exposure[3] = {&per.days, &per.days, &per.days};

  SeasonalityTable t;
  // The traffic key is smoothed over every week: its event weeks are the promotion calendar's
  // strong weeks too, and a holiday lift of trips would be read as the marketing signal's.
  t.set_traffic(learn_curve(traffic, day_exposure, day_fit, per, opt, false));
  size_t cats_with_lines = 0;
  for (size_t k = 0; k < K; ++k) {
    cats_with_lines += cat[k].n > 0;
    if (cat[k].n < opt.min_category_lines) continue;
    t.set_category(cat_name[k], learn_curve(cat[k], share_exposure, share_fit, per, opt, true));
  }
  for (size_t j = 0; j < prod_rows.size(); ++j)
    t.set_product(products.rows[prod_rows[j]].product_id, learn_curve(prod[j], share_exposure, share_fit, per, opt, true));

  if (report) {
    std::string& o = *report;
    const auto date = [](i64 d) {
      // civil_from_days, for the report's date range only.
      const i64 y = year_of_day(d);
      i64 doy = d - days_from_civil(y, 1, 1);
      static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      int m = 0;
      while (doy >= kDays[m] + (m == 1 && leap(y))) doy -= kDays[m] + (m == 1 && leap(y)), ++m;
      char buf[48];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(y), m + 1, static_cast<int>(doy) + 1);
      return std::string(buf);
    };
    size_t halves[2] = {0, 0};
    for (const auto& [h, half] : in.households) ++halves[half];
    const Counts& c = in.counts;
    o += "seasonality learned from " + opt.transactions_path + " (" +
         (in.layout == TxLayout::kTcj ? "TCJ layout, DAY 1 = " + opt.start_date : std::string("CompleteJourney 2.0 layout")) +
         ") and " + opt.products_path + "\n";
    o += "lines: " + std::to_string(c.read) + " read, " + std::to_string(in.lines.size()) + " used; left out: " +
         std::to_string(c.unknown_product) + " unknown product, " + std::to_string(c.non_merchandise) +
         " non-merchandise or without category, " + std::to_string(c.non_positive_quantity) + " quantity <= 0, " +
         std::to_string(c.missing_field) + " with a missing field\n";
    o += "households: " + std::to_string(in.households.size()) + " (split halves " + std::to_string(halves[0]) + " / " +
         std::to_string(halves[1]) + "); dates " + date(lo) + " .. " + date(hi) + " (" + std::to_string(covered) +
         " weeks); linear trend " +
         (detrended ? std::string("removed") : "kept (removed from " + std::to_string(opt.detrend_min_periods) + " weeks)") +
         "\n";
    std::string events;
    for (int w : opt.event_weeks)
      if (w >= 1) events += (events.empty() ? "" : ",") + std::to_string(w);
    o += "method: shares of merchandise lines, triangular smoothing " + std::to_string(opt.smoothing_half_width) +
         " weeks each side, event weeks " + (events.empty() ? std::string("none") : events) + " kept out of the smoothing, " +
         (opt.shrink_by == ShrinkBy::kLines ? "shrinkage n/(n+" + fmt("%g", opt.shrinkage_lines) + ")"
                                            : std::string("shrinkage by reliability 2r/(1+r)")) +
         "\n";
    int weeks_seen = 0;
    {
      std::array<bool, kWeeksPerYear> seen{};
      for (size_t p = 0; p < P; ++p) seen[per.week[p] - 1] = seen[per.week[p] - 1] || per.days[p] > 0;
      for (bool b : seen) weeks_seen += b;
    }
    if (weeks_seen < kWeeksPerYear)
      o += "note: only " + std::to_string(weeks_seen) + " of the 52 weeks of year have data; the others get index 1\n";
    o += "keys: traffic ALL; " + std::to_string(t.categories().size()) + " categories with >= " +
         std::to_string(opt.min_category_lines) + " lines (of " + std::to_string(cats_with_lines) + " with lines); " +
         std::to_string(t.products().size()) + " products with >= " + std::to_string(opt.min_product_lines) + " lines\n";
    const SeasonSummary ts = summarize(*t.traffic());
    o += "traffic: peak week " + std::to_string(ts.peak_week) + " (" + week_start_label(ts.peak_week) + ") " +
         fmt("%.3f", ts.peak) + ", trough week " + std::to_string(ts.trough_week) + " (" +
         week_start_label(ts.trough_week) + ") " + fmt("%.3f", ts.trough) + ", split-half r " +
         (std::isfinite(t.traffic()->reliability) ? fmt("%.2f", t.traffic()->reliability) : "NA") + "\n";
    const auto top = most_seasonal_categories(t, opt.report_min_reliability, static_cast<size_t>(std::max(0, opt.report_top)));
    o += "most seasonal categories (split-half r >= " + fmt("%.2f", opt.report_min_reliability) +
         "), by peak/trough ratio (weeks of year, starting on the date shown):\n";
    if (top.empty()) o += "  (none)\n";
    else o += "  " + pad("category", 30) + pad("peak/trough", 13) + pad("peak week", 18) + pad("trough week", 18) +
              pad("r", 7) + "n\n";
    for (const auto& name : top) {
      const SeasonCurve& cv = *t.find_category(name);
      const SeasonSummary s = summarize(cv);
      o += "  " + pad(name, 30) + pad(fmt("%.2f", s.ratio()), 13) +
           pad(std::to_string(s.peak_week) + " (" + week_start_label(s.peak_week) + ")", 18) +
           pad(std::to_string(s.trough_week) + " (" + week_start_label(s.trough_week) + ")", 18) +
           pad(fmt("%.2f", cv.reliability), 7) + std::to_string(cv.n) + "\n";
    }
  }
  return t;
}

}  // namespace retailsynth

namespace retailsynth {

std::string run_learn_seasonality(const LearnOptions& opt, const std::string& out, const std::string& svg) {
  if (out.empty()) throw InputError("--out: required");
  std::string report;
  const SeasonalityTable t = learn_seasonality(opt, &report);
  // Render both before writing either, so a failure leaves no file behind.
  const size_t n_plot = static_cast<size_t>(std::min(std::max(opt.report_top, 0), 6));
  const std::string picture =
      svg.empty() ? std::string()
                  : seasonality_svg(t, most_seasonal_categories(t, opt.report_min_reliability, n_plot),
                                    "Most seasonal categories: index by week of year");
  for (const std::string& f : {out, svg})  // the folders of --out and --svg, as generate does
    if (!f.empty() && !std::filesystem::path(f).parent_path().empty()) std::filesystem::create_directories(std::filesystem::path(f).parent_path());
  write_text_file_atomic(out, t.to_csv());
  if (!svg.empty()) write_text_file_atomic(svg, picture);
  report += "wrote " + out + (svg.empty() ? std::string() : " and " + svg) + "\n";
  return report;
}

}  // namespace retailsynth
