// Trip-time profiles: the share of lines by day of week and, per day type (weekday, weekend), by
// hour of day.  Learned from transactions by `retailsynth learn-calendar`, shipped in
// configs/calendar/, read by `generate` (calendar.profile) into the TripTimeProfile of the trips.
//
// Days of week count from Sunday (0) to Saturday (6).  RetailSynth's DAY 1 is a Sunday (its
// calendar is 2017's, whose Jan 1 was a Sunday; docs/data-dictionary.md), so day d of a week is
// DAY (WEEK_NO - 1) * 7 + d + 1.
//
// File format (CSV, header `profile,day_type,slot,share,lines`):
//   day,all,D,share,lines          D = 0..6 (Sunday..Saturday), each once
//   hour,weekday,H,share,lines     H = 0..23, each once (Monday-Friday)
//   hour,weekend,H,share,lines     H = 0..23, each once (Saturday, Sunday)
// Shares are >= 0 and sum to 1 (within 1e-3) in each of the three groups; lines are the
// transaction lines behind each share (informational).
#pragma once
#include <array>
#include <string>

#include "retailsynth/model/views.h"

namespace retailsynth {

/// 0 weekday (Monday-Friday), 1 weekend (Saturday, Sunday) for a day of week 0 = Sunday .. 6.
inline int day_type_of(int day_of_week) { return day_of_week == 0 || day_of_week == 6 ? 1 : 0; }
inline const char* day_type_name(int t) { return t == 1 ? "weekend" : "weekday"; }
/// Day of week (0 = Sunday) of a day counted from 1970-01-01 (a Thursday).
inline int day_of_week_of_epoch_day(i64 days) { return static_cast<int>(((days + 4) % 7 + 7) % 7); }

struct CalendarProfile {
  std::array<double, 7> day{};                             // share of lines, Sunday first
  std::array<std::array<double, 24>, kDayTypes> hour{};    // share of the day type's lines by hour
  std::array<i64, 7> day_lines{};
  std::array<std::array<i64, 24>, kDayTypes> hour_lines{};

  /// Reads and checks a profile file; throws InputError naming the file and line.
  static CalendarProfile load(const std::string& path);
  std::string to_csv() const;
  /// The CDFs the trips read (learned = 1; each CDF ends at exactly 1).
  TripTimeProfile view() const;
};

struct CalendarLearnOptions {
  std::string transactions_path;
  std::string products_path;
  std::string start_date = "2017-01-01";  // the date of DAY 1 (TCJ layout)
};

/// Counts the merchandise lines (products in the product table, merchandise department and a
/// category, as validate counts them) by day of week and hour.  TCJ layout: DAY (DAY 1 =
/// start_date) and TRANS_TIME (HHMM); CompleteJourney 2.0: transaction_timestamp (local time).
/// A day type without lines takes the other type's hour shares (said in the report).  Bad input
/// throws InputError naming the file and line.
CalendarProfile learn_calendar_profile(const CalendarLearnOptions& opt, std::string* report);

/// The `learn-calendar` command: learns the profile and writes it to `out` (via a temporary and a
/// rename; nothing is written when learning fails).  Returns the report.
std::string run_learn_calendar(const CalendarLearnOptions& opt, const std::string& out);

}  // namespace retailsynth
