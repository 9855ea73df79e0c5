// Calendar measures of transaction lines: the share of lines by day of week and by hour of day
// (per day type), and holiday multiples (a category's share of the lines of a week of year over
// its share of all lines).  Every measure is per line, so it compares directly with a random line
// sample such as the CompleteJourney 2.0 transactions_sample.
//
// Days of week: RetailSynth's DAY 1 is a Sunday, and so is the CompleteJourney 2.0 loader's (DAY
// counts from 2017-01-01), so day of week = (DAY - 1) mod 7 with 0 = Sunday on both sides.  Week
// of year: CompleteJourney 2.0 from the date (day-of-year / 7 + 1, clamped to 52, as the
// seasonality learner reads it); TCJ layout from WEEK_NO and the run's calendar.start_week_of_year
// (52-week years; 1 for files without a manifest).
#pragma once
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "analysis/dataset.h"
#include "seasonality/table.h"

namespace retailsynth {

struct CalendarShares {
  std::array<double, 7> day{};                  // share of lines, Sunday first
  double weekend = 0;                           // Saturday + Sunday
  double busiest_quietest = 0;                  // largest day share / smallest (inf when a day has none)
  bool has_time = false;                        // the lines carry a time of day
  std::array<std::array<double, 24>, 2> hour{};  // per day type (0 weekday, 1 weekend): share by hour
  double before_6h = 0;                         // share of timed lines before 6:00
  double lines = 0;
};
CalendarShares calendar_shares(const Dataset& d);

/// 1 - total variation distance between two share vectors.
double one_minus_tv(const std::array<double, 24>& a, const std::array<double, 24>& b);

/// Week of year (1..52) of line i (header comment); start_week_of_year applies to the TCJ layout.
int week_of_year_of_line(const Dataset& d, size_t i, int start_week_of_year);

struct HolidayMultiple {
  double multiple = 0;       // (category lines / all lines in the week) / (category lines / all lines)
  double in_week = 0;        // the category's lines in the week of year
  double lines = 0;          // the category's lines
  double week_lines = 0;     // all lines in the week of year
};
/// The category's multiple in week of year `week` (NaN when the category or the week has no lines).
HolidayMultiple holiday_multiple(const Dataset& d, int start_week_of_year, const std::string& category, int week);

/// The holiday rows of validate: category and week of year (Thanksgiving is in week 47 of 2017,
/// the days before Christmas in week 51).
struct HolidayWeek {
  const char* id;
  const char* category;
  int week;
  const char* name;
};
inline constexpr HolidayWeek kHolidayWeeks[] = {
    {"holiday_turkey_thanksgiving", "TURKEY", 47, "TURKEY in Thanksgiving week (47)"},
    {"holiday_baking_thanksgiving", "BAKING NEEDS", 47, "BAKING NEEDS in Thanksgiving week (47)"},
    {"holiday_baking_christmas", "BAKING NEEDS", 51, "BAKING NEEDS in the week before Christmas (51)"},
    {"holiday_christmas_seasonal", "CHRISTMAS  SEASONAL", 51, "CHRISTMAS SEASONAL in the week before Christmas (51)"},
};

/// Promotions follow the season: the slope b of a Poisson regression of a category's promotion
/// calendar rows (causal_data.csv / promotions.csv) in week of year w on its log seasonal index x,
/// rows ~ Poisson(a_k E_w e^{b x_kw}) with a category effect a_k and the week's rows of every category
/// E_w.  Categories: those of `table` with reliability >= 0.3 that have at least 30 rows.  se: the
/// spread of the slopes of 10 groups of categories (by a hash of the name) / sqrt(10).
struct SeasonPromoSlope {
  double slope = std::numeric_limits<double>::quiet_NaN();
  double se = std::numeric_limits<double>::quiet_NaN();
  int categories = 0;
  double rows = 0;  // the included categories' rows
};
SeasonPromoSlope promo_season_slope(const Dataset& d, int start_week_of_year, const SeasonalityTable& table);

}  // namespace retailsynth
