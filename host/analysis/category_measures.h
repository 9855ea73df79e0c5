// Per-category and per-department measures of transaction lines (line shares, unit prices,
// discount frequency, quantities) and their comparison with real data.  Groups are matched by
// name: RetailSynth's categories carry real commodity names (Dataset::category_name) and its
// departments the real departments.  Every measure here is per line, so it compares directly with
// a random line sample such as the CompleteJourney 2.0 transactions_sample.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "analysis/dataset.h"

namespace retailsynth {

/// Quantities above this are left out of the quantity measures (weight-sold or bulk lines: in the
/// CompleteJourney 2.0 sample 2 of 73,790 merchandise lines, at 54 and 90 units).
constexpr i32 kMaxCountedQuantity = 50;

/// The lines of one category or department.
struct GroupLines {
  double lines = 0;       // merchandise lines
  double discounted = 0;  // lines with a retail (loyalty) discount > 0
  double counted = 0;     // lines with 0 < QUANTITY <= kMaxCountedQuantity
  double multi = 0;       // of those, QUANTITY > 1
  double units = 0;       // of those, the sum of QUANTITY
  std::vector<double> unit_price;  // SALES_VALUE / QUANTITY in dollars (QUANTITY > 0, SALES_VALUE > 0), sorted
};

struct LineGroups {
  std::map<std::string, GroupLines> category, department;  // by name
  double lines = 0;
};
LineGroups line_groups(const Dataset& d);

/// Pearson correlation; NaN with fewer than 2 pairs or no variance.
double pearson(const std::vector<double>& x, const std::vector<double>& y);
/// Median of a sorted sample (the mean of the middle two for an even size); NaN when empty.
double median_sorted(const std::vector<double>& sorted);

/// A value per group name, ours and real, with the group's real lines as its weight.
struct Paired {
  std::vector<std::string> names;
  std::vector<double> ours, real, weight;
  size_t size() const { return names.size(); }
};
using GroupValue = std::function<double(const GroupLines&)>;
/// Groups with >= min_real_lines real lines and a finite value on both sides (ours: lines > 0).
Paired pair_groups(const std::map<std::string, GroupLines>& ours, const std::map<std::string, GroupLines>& real,
                   const GroupValue& value, double min_real_lines);
/// 1 - sum_g w_g |ours_g - real_g| / sum_g w_g; NaN when empty.
double weighted_gap_score(const Paired& p);

struct CategoryShares {
  Paired shares;       // categories with >= min_real_lines real lines; ours floored at 0.5 / our lines
  size_t missing = 0;  // of those, absent from ours
  double r = 0;        // Pearson correlation of the log shares
};
CategoryShares category_shares(const LineGroups& ours, const LineGroups& real, double min_real_lines = 30);

struct DepartmentMix {
  Paired shares;  // every department on either side (0 where absent)
  double score = 0;  // 1 - total variation distance
};
DepartmentMix department_mix(const LineGroups& ours, const LineGroups& real);

struct PriceLevels {
  Paired median;  // median unit price by category (>= min_real_lines real lines, priced lines on both sides)
  double r = 0;   // Pearson correlation of the log medians
  double spread_ours = 0, spread_real = 0;  // median over those categories of the sd of log unit price
};
PriceLevels category_price_levels(const LineGroups& ours, const LineGroups& real, double min_real_lines = 30);

/// Share of shelf prices whose cents do not end in 9: lines with QUANTITY = 1 (no rounding), shelf
/// price = SALES_VALUE + RETAIL_DISC + COUPON_MATCH_DISC > 0 (the regular price); NaN without such lines.
double shelf_price_not_nine_share(const Dataset& d);

/// Share of discounted lines whose depth discount / (sales + discount) is below `depth`.
double shallow_discount_share(const Dataset& d, double depth = 0.10);

struct ProductDiscounting {
  double always = 0, never = 0;  // shares of the products with >= min_lines lines
  size_t products = 0;
};
ProductDiscounting product_discounting(const Dataset& d, int min_lines = 10);

/// Group values for pair_groups: the discounted share of lines, the share of counted lines with
/// more than one unit, the mean quantity of counted lines.
double discounted_share_of(const GroupLines& g);
double multi_unit_share_of(const GroupLines& g);
double mean_quantity_of(const GroupLines& g);

/// Pairs of lines in one basket, and those of the same category: a basket of L lines has
/// L (L - 1) / 2 pairs.  The share does not change when lines are thinned at random, so a line
/// sample compares with a full dataset.
struct BasketPairs {
  double pairs = 0, same_category = 0;
  double share() const;
};
BasketPairs basket_pairs(const Dataset& d);

struct Concentration {
  double cv = 0;           // sd / mean of lines per household (sample sd)
  double top10_share = 0;  // share of lines in the 10% of households with the most (rounded up)
  size_t households = 0;
};
Concentration line_concentration(const std::vector<double>& lines_per_household);

}  // namespace retailsynth
