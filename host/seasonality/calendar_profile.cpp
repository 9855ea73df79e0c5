#include "seasonality/calendar_profile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <unordered_map>
#include <vector>

#include "analysis/dataset.h"
#include "config.h"
#include "io/csv.h"
#include "seasonality/learner.h"
#include "seasonality/table.h"
#include "world.h"

namespace retailsynth {
namespace {

constexpr const char* kHeader = "profile,day_type,slot,share,lines";
constexpr double kSumTolerance = 1e-3;

bool parse_int(std::string_view s, i64& out) {
  if (s.empty() || s.size() > 18) return false;
  i64 v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::string fmt6(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

/// Cumulative float shares with the last entry exactly 1 (so a uniform below 1 always lands in a
/// bin of positive width).
template <size_t N>
void cdf_of(const std::array<double, N>& share, float* cdf) {
  double acc = 0;
  for (size_t i = 0; i < N; ++i) {
    acc += share[i];
    cdf[i] = static_cast<float>(acc);
  }
  cdf[N - 1] = 1.0f;
  for (size_t i = N - 1; i-- > 0;) cdf[i] = std::min(cdf[i], cdf[i + 1]);
}

template <size_t N>
void normalise(std::array<double, N>& a) {
  double s = 0;
  for (double x : a) s += x;
  if (s > 0)
    for (double& x : a) x /= s;
}

}  // namespace

CalendarProfile CalendarProfile::load(const std::string& path) {
  const std::string text = read_text_file(path);
  const size_t eol = text.find('\n');
  std::string header = text.substr(0, eol);
  if (!header.empty() && header.back() == '\r') header.pop_back();
  if (header != kHeader) throw InputError(path + ":1: expected the header '" + std::string(kHeader) + "', got '" + header + "'");
  CalendarProfile p;
  std::array<size_t, 7> day_line{};
  std::array<std::array<size_t, 24>, kDayTypes> hour_line{};
  for_each_csv_row(text, [&](size_t line, const std::vector<std::string_view>& f) {
    const std::string where = path + ":" + std::to_string(line) + ": ";
    if (f.size() != 5) throw InputError(where + "expected 5 fields, got " + std::to_string(f.size()));
    i64 slot = 0, lines = 0;
    if (!parse_int(f[2], slot)) throw InputError(where + "slot '" + std::string(f[2]) + "' is not a non-negative integer");
    if (!parse_int(f[4], lines)) throw InputError(where + "lines '" + std::string(f[4]) + "' is not a non-negative integer");
    const std::string share_text(f[3]);
    char* end = nullptr;
    const double share = std::strtod(share_text.c_str(), &end);
    if (share_text.empty() || *end != '\0' || !std::isfinite(share) || share < 0)
      throw InputError(where + "share '" + share_text + "' is not a finite number >= 0");
    size_t* seen = nullptr;
    if (f[0] == "day") {
      if (f[1] != "all") throw InputError(where + "a day row has day_type 'all', got '" + std::string(f[1]) + "'");
      if (slot > 6) throw InputError(where + "day slot " + std::to_string(slot) + " is not in 0..6 (0 = Sunday)");
      seen = &day_line[slot];
      p.day[slot] = share, p.day_lines[slot] = lines;
    } else if (f[0] == "hour") {
      const int t = f[1] == "weekday" ? 0 : f[1] == "weekend" ? 1 : -1;
      if (t < 0) throw InputError(where + "an hour row has day_type weekday or weekend, got '" + std::string(f[1]) + "'");
      if (slot > 23) throw InputError(where + "hour slot " + std::to_string(slot) + " is not in 0..23");
      seen = &hour_line[t][slot];
      p.hour[t][slot] = share, p.hour_lines[t][slot] = lines;
    } else {
      throw InputError(where + "profile '" + std::string(f[0]) + "' is not day or hour");
    }
    if (*seen)
      throw InputError(where + "duplicate " + std::string(f[0]) + " " + std::string(f[1]) + " slot " + std::to_string(slot) +
                       " (first at line " + std::to_string(*seen) + ")");
    *seen = line;
  });
  auto check = [&](const auto& shares, const auto& lines_seen, const std::string& what) {
    double s = 0;
    for (size_t i = 0; i < shares.size(); ++i) {
      if (!lines_seen[i]) throw InputError(path + ": " + what + ": slot " + std::to_string(i) + " missing (each slot is needed once)");
      s += shares[i];
    }
    if (std::fabs(s - 1.0) > kSumTolerance)
      throw InputError(path + ": " + what + ": the shares sum to " + fmt6(s) + ", expected 1 (within 0.001)");
  };
  check(p.day, day_line, "day");
  for (int t = 0; t < kDayTypes; ++t) check(p.hour[t], hour_line[t], std::string("hour ") + day_type_name(t));
  normalise(p.day);
  for (auto& h : p.hour) normalise(h);
  return p;
}

std::string CalendarProfile::to_csv() const {
  std::string o = std::string(kHeader) + "\n";
  for (int d = 0; d < 7; ++d) o += "day,all," + std::to_string(d) + "," + fmt6(day[d]) + "," + std::to_string(day_lines[d]) + "\n";
  for (int t = 0; t < kDayTypes; ++t)
    for (int h = 0; h < 24; ++h)
      o += std::string("hour,") + day_type_name(t) + "," + std::to_string(h) + "," + fmt6(hour[t][h]) + "," +
           std::to_string(hour_lines[t][h]) + "\n";
  return o;
}

TripTimeProfile CalendarProfile::view() const {
  TripTimeProfile v{};
  v.learned = 1;
  cdf_of(day, v.day_cdf);
  for (int t = 0; t < kDayTypes; ++t) cdf_of(hour[t], v.hour_cdf[t]);
  for (int d = 0; d < 7; ++d) v.day_type[d] = static_cast<u8>(day_type_of(d));
  return v;
}

CalendarProfile learn_calendar_profile(const CalendarLearnOptions& opt, std::string* report) {
  if (opt.transactions_path.empty()) throw InputError("--transactions: required");
  if (opt.products_path.empty()) throw InputError("--products: required");
  const i64 start_day = parse_date(opt.start_date, "--start-date");
  const ProductTable products = read_product_table(opt.products_path);
  std::unordered_map<i64, bool> merch;
  merch.reserve(products.rows.size() * 2);
  for (const ProductRow& r : products.rows) merch[r.product_id] = is_merchandise(r.department, r.commodity);

  const std::string text = read_text_file(opt.transactions_path);
  const std::string& path = opt.transactions_path;
  std::string header = text.substr(0, text.find('\n'));
  if (!header.empty() && header.back() == '\r') header.pop_back();
  const std::vector<std::string> cols = split_csv_line(header);
  auto col = [&](const char* name) {
    const auto it = std::find(cols.begin(), cols.end(), name);
    return it == cols.end() ? -1 : static_cast<int>(it - cols.begin());
  };
  const bool tcj = col("DAY") >= 0 && col("PRODUCT_ID") >= 0 && col("TRANS_TIME") >= 0;
  const bool cj2 = col("product_id") >= 0 && col("transaction_timestamp") >= 0;
  if (!tcj && !cj2)
    throw InputError(path + ":1: unrecognised header: expected a TCJ transaction_data.csv (DAY, PRODUCT_ID, TRANS_TIME, ...) "
                            "or a CompleteJourney 2.0 transactions.csv (product_id, transaction_timestamp, ...)");
  const int c_product = tcj ? col("PRODUCT_ID") : col("product_id");
  const int c_day = tcj ? col("DAY") : -1, c_time = tcj ? col("TRANS_TIME") : col("transaction_timestamp");
  const int need = std::max({c_product, c_day, c_time}) + 1;
  CalendarProfile p;
  u64 read = 0, used = 0, missing = 0, unknown = 0, non_merch = 0;
  for_each_csv_row(text, [&](size_t line, const std::vector<std::string_view>& f) {
    ++read;
    const auto where = [&] { return path + ":" + std::to_string(line) + ": "; };
    if (static_cast<int>(f.size()) < need) throw InputError(where() + "expected at least " + std::to_string(need) + " fields");
    auto na = [](std::string_view s) { return s.empty() || s == "NA"; };
    if (na(f[c_product]) || na(f[c_time]) || (c_day >= 0 && na(f[c_day]))) {
      ++missing;
      return;
    }
    i64 id = 0;
    if (!parse_int(f[c_product], id)) {
      // R writes some round ids as 9e+05: accept exact ones.
      const std::string s(f[c_product]);
      char* end = nullptr;
      const double d = std::strtod(s.c_str(), &end);
      if (*end != '\0' || !(d >= 0 && d < 9e15) || d != std::floor(d))
        throw InputError(where() + "product id '" + s + "' is not a non-negative integer");
      id = static_cast<i64>(d);
    }
    int dow = 0, hour = 0;
    if (tcj) {
      i64 day = 0, hhmm = 0;
      if (!parse_int(f[c_day], day) || day < 1 || day > 36525)
        throw InputError(where() + "DAY '" + std::string(f[c_day]) + "' is not an integer in 1..36525");
      if (!parse_int(f[c_time], hhmm) || hhmm / 100 > 23 || hhmm % 100 > 59)
        throw InputError(where() + "TRANS_TIME '" + std::string(f[c_time]) + "' is not a time HHMM (0000..2359)");
      dow = day_of_week_of_epoch_day(start_day + day - 1);
      hour = static_cast<int>(hhmm / 100);
    } else {
      const std::string_view s = f[c_time];
      i64 hh = 0;
      if (s.size() < 13 || (s[10] != ' ' && s[10] != 'T') || !parse_int(s.substr(11, 2), hh) || hh > 23)
        throw InputError(where() + "transaction_timestamp '" + std::string(s) + "' is not 'YYYY-MM-DD HH:MM:SS'");
      dow = day_of_week_of_epoch_day(parse_date(std::string(s.substr(0, 10)), where() + "transaction_timestamp"));
      hour = static_cast<int>(hh);
    }
    const auto it = merch.find(id);
    if (it == merch.end()) {
      ++unknown;
      return;
    }
    if (!it->second) {
      ++non_merch;
      return;
    }
    ++used;
    ++p.day_lines[dow];
    ++p.hour_lines[day_type_of(dow)][hour];
  });
  if (used == 0) throw InputError(path + ": no merchandise lines with a day and time (" + std::to_string(read) + " lines read)");
  for (int d = 0; d < 7; ++d) p.day[d] = static_cast<double>(p.day_lines[d]) / static_cast<double>(used);
  i64 type_lines[kDayTypes] = {0, 0};
  for (int t = 0; t < kDayTypes; ++t) {
    for (int h = 0; h < 24; ++h) type_lines[t] += p.hour_lines[t][h];
    for (int h = 0; h < 24; ++h) p.hour[t][h] = static_cast<double>(p.hour_lines[t][h]);
  }
  std::string note;
  for (int t = 0; t < kDayTypes; ++t) {
    if (type_lines[t] > 0) continue;
    p.hour[t] = p.hour[1 - t];  // used > 0: the other type has lines
    note += std::string("note: no ") + day_type_name(t) + " lines; its hours follow the " + day_type_name(1 - t) + "'s\n";
  }
  for (auto& h : p.hour) normalise(h);
  if (report) {
    const double weekend = p.day[0] + p.day[6];
    const double hi = *std::max_element(p.day.begin(), p.day.end()), lo = *std::min_element(p.day.begin(), p.day.end());
    double early = 0;
    for (int t = 0; t < kDayTypes; ++t)
      for (int h = 0; h < 6; ++h) early += p.hour_lines[t][h];
    static const char* kDay[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    std::string& o = *report;
    o += "calendar profile learned from " + path + (tcj ? " (TCJ layout, DAY 1 = " + opt.start_date + ")" : " (CompleteJourney 2.0 layout)") +
         " and " + opt.products_path + "\n";
    o += "lines: " + std::to_string(read) + " read, " + std::to_string(used) + " used; left out: " + std::to_string(unknown) +
         " unknown product, " + std::to_string(non_merch) + " non-merchandise, " + std::to_string(missing) + " with a missing field\n";
    o += "share of lines by day:";
    for (int d = 0; d < 7; ++d) o += std::string(" ") + kDay[d] + " " + fmt6(p.day[d]).substr(0, 6);
    o += "\nSaturday + Sunday " + fmt6(weekend).substr(0, 6) + ", busiest / quietest day " + fmt6(lo > 0 ? hi / lo : 0).substr(0, 5) +
         ", lines before 6h " + fmt6(early / static_cast<double>(used)).substr(0, 6) + "\n" + note;
  }
  return p;
}

std::string run_learn_calendar(const CalendarLearnOptions& opt, const std::string& out) {
  if (out.empty()) throw InputError("--out: required");
  std::string report;
  const CalendarProfile p = learn_calendar_profile(opt, &report);
  if (!std::filesystem::path(out).parent_path().empty()) std::filesystem::create_directories(std::filesystem::path(out).parent_path());
  write_text_file_atomic(out, p.to_csv());
  report += "wrote " + out + "\n";
  return report;
}

}  // namespace retailsynth
