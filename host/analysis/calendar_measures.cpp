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
  const i64 w = d.week[i];
  return static_cast<int>(((w - 1 + start_week_of_year - 1) % 52 + 52) % 52) + 1;
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

}  // namespace retailsynth
