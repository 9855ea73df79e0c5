// Simulation weeks and weeks of the year.
#pragma once
#include <vector>

#include "config.h"
#include "io/dates.h"

namespace retailsynth {

class Calendar {
 public:
  explicit Calendar(const Config& cfg) : start_(cfg.calendar.start_week_of_year), event_(53, false) {
    for (int w : cfg.calendar.event_weeks) event_[w] = true;
  }
  /// Week of year (1..52) of simulation week `week` (1-based; weeks before the start count back);
  /// 52-week years.
  int week_of_year(i64 week) const { return week_of_year_of_week(week, start_); }
  bool is_event(i64 week) const { return is_event_week_of_year(week_of_year(week)); }
  bool is_event_week_of_year(int week_of_year) const { return event_[week_of_year]; }
  int n_event_weeks() const {
    int n = 0;
    for (int w = 1; w <= 52; ++w) n += event_[w];
    return n;
  }

 private:
  int start_;
  std::vector<bool> event_;
};

}  // namespace retailsynth
