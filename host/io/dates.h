// Civil dates as day numbers (Howard Hinnant's days_from_civil), for calendars in the readers.
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

}  // namespace retailsynth
