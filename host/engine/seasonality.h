// Seasonality in generation (DESIGN §3.8): a learned table matched to the catalog, giving each
// product a log index by week of year (added to utilities, so category incidence and choice
// follow it) and a traffic index for trip rates.
#pragma once
#include <string>
#include <vector>

#include "engine/calendar.h"
#include "seasonality/table.h"
#include "world.h"

namespace retailsynth {

class Seasonality {
 public:
  /// Matching of catalog categories to table categories, in this order: (1) the same name;
  /// (2) the same name ignoring case and repeated spaces; a matched key whose reliability is
  /// below seasonality.min_reliability is flat (the data don't show a reliable season); (3) for
  /// a name not in the table, the mean curve of the usable categories of the same department;
  /// (4) otherwise flat (index 1).  Products use their own curve when the table
  /// has one (loaded real catalogs), else their category's.  Indices are raised to
  /// seasonality.strength.
  Seasonality(const Config& cfg, const Catalog& cat);

  bool active() const { return active_; }
  /// log of category k's index: added to its incidence logit, so a rare category's volume
  /// follows the index (through the utilities it would be damped by the inclusive-value weight).
  float category_log_index(i32 k, int week_of_year) const {
    return active_ ? cat_log_index_[static_cast<size_t>(k) * kWeeksPerYear + clamp_week_of_year(week_of_year) - 1] : 0.0f;
  }
  /// log of product j's index relative to its category's: added to its utility (0 for products
  /// that follow their category).
  float product_relative_log_index(i32 product, int week_of_year) const {
    return active_ ? rel_log_index_[static_cast<size_t>(product) * kWeeksPerYear + clamp_week_of_year(week_of_year) - 1]
                   : 0.0f;
  }
  float traffic(int week_of_year) const { return traffic_[clamp_week_of_year(week_of_year) - 1]; }
  /// The table in use, keyed by the catalog's own category names (truth/seasonality.csv).
  const SeasonalityTable& used() const { return used_; }
  /// How many categories each rule placed: exact, normalised name, unreliable (flat),
  /// department mean, none (flat).
  const std::vector<int>& match_counts() const { return match_counts_; }

 private:
  bool active_ = false;
  std::vector<float> cat_log_index_;  // K x 52
  std::vector<float> rel_log_index_;  // P x 52
  std::vector<float> traffic_;    // 52
  SeasonalityTable used_;
  std::vector<int> match_counts_ = std::vector<int>(5, 0);
};

}  // namespace retailsynth
