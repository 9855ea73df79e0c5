#include "analysis/calendar_measures.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "io/dates.h"
#include "seasonality/learner.h"
#include "seasonality/table.h"

namespace retailsynth {

CalendarShares calendar_shares(const Dataset& d) {
  CalendarShares c;
  std::array<double, 7> day{};
  std::array<std::array<double, 24>, 2> hour{};
  double timed = 0, early = 0;
  const bool minutes = d.minute.size() == d.lines();
  for (size_t i = 0; i < d.lines(); ++i) {
    const int dow = static_cast<int>(((d.day[i] - 1) % 7 + 7) % 7);
    day[dow] += 1;
    if (!minutes || d.minute[i] < 0) continue;
    const int h = d.minute[i] / 60;
    hour[dow == 0 || dow == 6 ? 1 : 0][h] += 1;
    timed += 1;
    early += h < 6;
  }
  c.lines = static_cast<double>(d.lines());
  if (c.lines > 0)
    for (int k = 0; k < 7; ++k) c.day[k] = day[k] / c.lines;
  c.weekend = c.day[0] + c.day[6];
  const double hi = *std::max_element(c.day.begin(), c.day.end()), lo = *std::min_element(c.day.begin(), c.day.end());
  c.busiest_quietest = c.lines > 0 ? (lo > 0 ? hi / lo : std::numeric_limits<double>::infinity()) : std::nan("");
  c.has_time = timed > 0;
  c.before_6h = timed > 0 ? early / timed : std::nan("");
  for (int t = 0; t < 2; ++t) {
    double s = 0;
    for (double x : hour[t]) s += x;
    for (int h = 0; h < 24; ++h) c.hour[t][h] = s > 0 ? hour[t][h] / s : 0.0;
  }
  return c;
}

double one_minus_tv(const std::array<double, 24>& a, const std::array<double, 24>& b) {
  double tv = 0;
  for (int h = 0; h < 24; ++h) tv += std::fabs(a[h] - b[h]) / 2;
  return 1 - tv;
}

int week_of_year_of_line(const Dataset& d, size_t i, int start_week_of_year) {
  if (d.layout == DataLayout::kCompleteJourney2) {
    static const i64 base = days_from_civil(2017, 1, 1);  // the loader's DAY 1
    return week_of_year_of_day(base + d.day[i] - 1);
  }
  return week_of_year_of_week(d.week[i], start_week_of_year);
}

HolidayMultiple holiday_multiple(const Dataset& d, int start_week_of_year, const std::string& category, int week) {
  HolidayMultiple m;
  i32 k = -1;
  for (i32 c = 0; c < d.n_categories(); ++c)
    if (d.category_name[c] == category) k = c;
  double all = 0;
  for (size_t i = 0; i < d.lines(); ++i) {
    const bool in_week = week_of_year_of_line(d, i, start_week_of_year) == week;
    const bool of_cat = k >= 0 && d.category_of_line(i) == k;
    all += 1;
    m.week_lines += in_week;
    m.lines += of_cat;
    m.in_week += in_week && of_cat;
  }
  m.multiple = m.lines > 0 && m.week_lines > 0 ? (m.in_week / m.week_lines) / (m.lines / all) : std::nan("");
  return m;
}

namespace {

constexpr int kSlopeGroups = 10;

/// Week of year of a causal row's week number: TCJ WEEK_NO with the run's calendar; CompleteJourney
/// 2.0 weeks start on Mondays (week 1 is January 1 alone), so its week w >= 2 lies mostly in the
/// day-of-year week w - 1 the lines use.
int week_of_year_of_causal(const Dataset& d, i64 w, int start_week_of_year) {
  if (d.layout == DataLayout::kCompleteJourney2) return clamp_week_of_year(static_cast<int>(w - 1));
  return week_of_year_of_week(w, start_week_of_year);
}

using Weeks = std::array<double, kWeeksPerYear>;

/// Newton's method on the slope with the category effects profiled out (a_k = rows_k / sum_w mu_kw).
double poisson_slope(const std::vector<const Weeks*>& rows, const std::vector<const Weeks*>& x, const Weeks& e) {
  double b = 0;
  for (int it = 0; it < 60; ++it) {
    double g = 0, h = 0;
    for (size_t k = 0; k < rows.size(); ++k) {
      double ck = 0, cx = 0, m = 0, mx = 0, mxx = 0;
      for (int w = 0; w < kWeeksPerYear; ++w) {
        const double xv = (*x[k])[w], u = e[w] * std::exp(b * xv);
        ck += (*rows[k])[w], cx += (*rows[k])[w] * xv;
        m += u, mx += u * xv, mxx += u * xv * xv;
      }
      if (!(m > 0)) continue;
      g += cx - ck * mx / m;
      h += ck * (mxx / m - (mx / m) * (mx / m));
    }
    if (!(h > 0)) return std::numeric_limits<double>::quiet_NaN();
    b += g / h;
    if (std::fabs(g / h) < 1e-10) break;
  }
  return b;
}

u32 name_hash(const std::string& s) {  // FNV-1a: the same groups on every platform
  u32 h = 2166136261u;
  for (unsigned char ch : s) h = (h ^ ch) * 16777619u;
  return h;
}

}  // namespace

SeasonPromoSlope promo_season_slope(const Dataset& d, int start_week_of_year, const SeasonalityTable& table) {
  SeasonPromoSlope r;
  if (d.causal_rows.size() != static_cast<size_t>(d.n_categories())) return r;
  std::vector<Weeks> rows(d.n_categories(), Weeks{}), x;
  Weeks e{};
  for (i32 k = 0; k < d.n_categories(); ++k)
    for (size_t w = 1; w < d.causal_rows[k].size(); ++w) {
      const int woy = week_of_year_of_causal(d, static_cast<i64>(w), start_week_of_year);
      rows[k][woy - 1] += static_cast<double>(d.causal_rows[k][w]);
      e[woy - 1] += static_cast<double>(d.causal_rows[k][w]);
    }
  std::vector<i32> used;
  for (i32 k = 0; k < d.n_categories(); ++k) {
    const SeasonCurve* c = table.find_category(d.category_name[k]);
    double n = 0;
    for (double v : rows[k]) n += v;
    if (!c || !(c->reliability >= 0.3) || n < 30) continue;
    Weeks xk;
    for (int w = 0; w < kWeeksPerYear; ++w) xk[w] = std::log(static_cast<double>(c->index[w]));
    x.push_back(xk);
    used.push_back(k);
    r.rows += n;
  }
  r.categories = static_cast<int>(used.size());
  std::vector<const Weeks*> all_rows, all_x, group_rows[kSlopeGroups], group_x[kSlopeGroups];
  for (size_t i = 0; i < used.size(); ++i) {
    const int g = static_cast<int>(name_hash(d.category_name[used[i]]) % kSlopeGroups);
    all_rows.push_back(&rows[used[i]]), all_x.push_back(&x[i]);
    group_rows[g].push_back(&rows[used[i]]), group_x[g].push_back(&x[i]);
  }
  if (used.empty()) return r;
  r.slope = poisson_slope(all_rows, all_x, e);
  std::vector<double> slopes;
  for (int g = 0; g < kSlopeGroups; ++g)
    if (!group_rows[g].empty())
      if (const double b = poisson_slope(group_rows[g], group_x[g], e); std::isfinite(b)) slopes.push_back(b);
  if (slopes.size() >= 2) {
    double m = 0, v = 0;
    for (double b : slopes) m += b;
    m /= slopes.size();
    for (double b : slopes) v += (b - m) * (b - m);
    r.se = std::sqrt(v / (slopes.size() - 1) / slopes.size());
  }
  return r;
}

}  // namespace retailsynth
