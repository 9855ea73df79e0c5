// Civil dates as day numbers (Howard Hinnant's days_from_civil), for calendars in the readers, and
// the 52-week calendar of simulation weeks.
#pragma once
#include "retailsynth/common.h"

namespace retailsynth {

/// Days since 1970-01-01 of a proleptic Gregorian date.
inline i64 days_from_civil(i64 y, unsigned m, unsigned d) {
  y -= m <= 2;
  const i64 era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<i64>(doe) - 719468;
}

/// Week of year (1..52) of simulation week `week` (1-based; weeks before the start count back) when
/// week 1 is week `start_week_of_year` of a 52-week year: the calendar of generation and of TCJ WEEK_NO.
inline int week_of_year_of_week(i64 week, int start_week_of_year) {
  return static_cast<int>(((week - 1 + start_week_of_year - 1) % 52 + 52) % 52) + 1;
}

}  // namespace retailsynth
