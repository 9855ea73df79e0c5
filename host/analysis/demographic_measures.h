// Demographics against real data (`retailsynth validate`, `learn-demographics`): the margins of
// each hh_demographic.csv column, the children's category ratios and the ties of income, size and
// children to what households buy.  Every figure is of the households with a demographics row.
#pragma once
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "analysis/dataset.h"
#include "engine/demographics.h"

namespace retailsynth {

/// Share of households by value, per column (kDemographicColumns order).
using DemographicMargins = std::array<std::map<std::string, double>, kDemographicFields>;
DemographicMargins demographic_margins(const std::map<i64, DemographicValues>& demo);
/// Largest gap in share between two margins over every column and value (a value missing on one
/// side counts as share 0); `where` gets "COLUMN = value" of the largest.
double largest_margin_gap(const DemographicMargins& a, const DemographicMargins& b, std::string* where);

/// Per category the log ratio of its line share among households with children to that among
/// households without, shrunk: reliability n / (n + kKidsShrinkLines), n its lines.  Categories
/// with a line, by name.
KidsRatios kids_ratios(const Dataset& d);

constexpr double kNoTie = std::numeric_limits<double>::quiet_NaN();
struct DemographicTies {
  double households = 0;             // with a demographics row and a line
  double kids_share_ratio = kNoTie;    // share of lines in `kid_categories`, with children / without
  double income_price_slope = kNoTie;  // OLS slope of a line's log unit price minus its category's median, on log income
  double lines_size_ratio = kNoTie;    // mean lines per household, 3 or more persons / 1 or 2
  double multi_unit_size_ratio = kNoTie;  // share of lines of more than one unit, 3 or more persons / 1 or 2
  // Standard errors: the spread of each figure over 10 groups of households (key mod 10).
  double kids_share_ratio_se = kNoTie, income_price_slope_se = kNoTie, lines_size_ratio_se = kNoTie,
         multi_unit_size_ratio_se = kNoTie;
};
DemographicTies demographic_ties(const Dataset& d, const std::vector<std::string>& kid_categories);

/// The children's categories for the kids ratio: log ratio at least 0.3 over at least 60 lines.
std::vector<std::string> strong_kid_categories(const KidsRatios& r);

}  // namespace retailsynth
