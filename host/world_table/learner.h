// The world learner: a WorldTable (world_table/table.h) from real transactions, the numbers the
// catalog builder sets the world from (category shares, price levels and spreads, private label,
// quantities, discount frequency and depth, deal-prone and never-discounted products, price
// endings).
//
// Input: a dataset folder in TCJ layout (transaction_data.csv + product.csv) or CompleteJourney 2.0
// (transactions.csv + products.csv), read by load_dataset (analysis/dataset.h): merchandise lines
// only (is_merchandise), discounts taken as >= 0 in either layout.  Per line, the regular unit price
// is (SALES_VALUE + loyalty discount + coupon match) / QUANTITY and the depth of a discounted line is
// the loyalty discount over SALES_VALUE + loyalty discount.  Lines with QUANTITY <= 0 count as lines
// (shares) but not in the price, quantity and ending figures; quantities above kMaxQuantity (weights,
// cases) are left out of the quantity figures.
//
// Shrinkage: a category's rates are pulled toward its department's, a department's toward the
// whole store's, by prior weights in lines (shrink_lines; price levels in log space with
// shrink_lines / 4, since a median is steadier than a rate), in discounted lines for the depths and
// in products for the deal shares (deal_prior_products).  The learner is deterministic.
//
// Trip size (big_trip_ratio): baskets as the sample holds them (merchandise lines only), a group's
// share of the lines of baskets with >= 3 lines over its share of the lines of single-line baskets,
// each count with 0.5 added (a group seen in only one kind still has a finite log), the log shrunk
// toward 0 (bought alike on big and small trips) by n / (n + size_prior_lines), n the group's
// lines.  In a line sample (CompleteJourney 2.0 keeps about 5% of the lines) the baskets are
// fragments of the real ones; `retailsynth calibrate` compares it with the simulation thinned alike.
#pragma once
#include <string>

#include "world_table/table.h"

namespace retailsynth {

constexpr int kMaxQuantity = 50;
constexpr int kDealMinLines = 10;  // lines a product needs to count in the deal shares

struct WorldLearnOptions {
  std::string data_dir;
  double shrink_lines = 20;
  double deal_prior_products = 10;
  double size_prior_lines = 100;  // the trip-size ratio's prior weight in lines (its log toward 0)
  double min_category_lines = 1;  // categories with fewer lines are left out
};

/// Learns the table; writes a short report into `*report` when not null.  Throws InputError on bad
/// input (naming the file and line).
WorldTable learn_world(const WorldLearnOptions& opt, std::string* report = nullptr);

/// `retailsynth learn-world`: learns and writes `out` (replaced when it exists); returns the report.
std::string run_learn_world(const WorldLearnOptions& opt, const std::string& out);

}  // namespace retailsynth
