// The world table (DESIGN §3.1, learned world): what a category, a department and the whole store
// look like in real transactions.  Learned by `retailsynth learn-world` (world_table/learner.h),
// read by the catalog builder when `world.table` is set (host/world.cpp).
//
// One CSV row per group, `level` all | department | category, with the columns of WorldRow in
// order (kWorldColumns).  Shares are of merchandise lines; prices in dollars per unit at the regular
// price, (SALES_VALUE + loyalty discount + coupon match) / QUANTITY; depths are the loyalty discount
// over the price before it, on discounted lines.  Every rate of a category (and of a department) is
// shrunk toward its department (toward all): x = (n x_own + n0 x_parent) / (n + n0), n its lines
// (discounted lines for depths, products for deal shares); `reliability` = n / (n + n0).
#pragma once
#include <array>
#include <map>
#include <string>
#include <vector>

#include "retailsynth/common.h"

namespace retailsynth {

/// Depth quantiles kept per row: 5, 10, 25, 50, 75, 90 and 95%.
constexpr int kDepthQuantiles = 7;
constexpr std::array<double, kDepthQuantiles> kDepthProbs = {0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95};

/// The depth at probability u of a law given by its kDepthQuantiles quantiles `q`: piecewise linear
/// through (kDepthProbs[i], q[i]), from 0.4 q05 at u = 0 to q95 + 1.5 (q95 - q75) at u = 1.
template <class T>
double depth_quantile(const T* q, double u) {
  double xs[kDepthQuantiles + 2], ys[kDepthQuantiles + 2];
  xs[0] = 0.0, ys[0] = 0.4 * q[0];
  for (int i = 0; i < kDepthQuantiles; ++i) xs[i + 1] = kDepthProbs[i], ys[i + 1] = q[i];
  xs[kDepthQuantiles + 1] = 1.0, ys[kDepthQuantiles + 1] = q[kDepthQuantiles - 1] + 1.5 * (q[kDepthQuantiles - 1] - q[4]);
  int i = 0;
  while (i < kDepthQuantiles && u > xs[i + 1]) ++i;
  const double f = xs[i + 1] > xs[i] ? (u - xs[i]) / (xs[i + 1] - xs[i]) : 0.0;
  return ys[i] + f * (ys[i + 1] - ys[i]);
}

struct WorldRow {
  std::string level, department, category;
  double lines = 0;            // merchandise lines
  double line_share = 0;       // of all merchandise lines
  double spend_share = 0;      // of SALES_VALUE
  double household_share = 0;  // households with a line here, of all households
  double products = 0;         // products in the product table
  double price_median = 0;     // regular unit price, median over lines
  double price_log_sd = 0;     // sd of its log
  double paid_median = 0;      // SALES_VALUE / QUANTITY, median over lines
  double paid_mean = 0;        // ... and mean (the ratio of the two shrunk like a rate)
  double pl_share = 0;         // private-label share of lines
  double pl_price_ratio = 1;   // median private-label over median national regular price
  double qty_mean = 1;         // mean QUANTITY (lines with 1..kMaxQuantity units)
  double qty_multi_share = 0;  // share of lines with more than one unit
  double discount_share = 0;   // share of lines with a loyalty discount
  std::array<double, kDepthQuantiles> depth_q{};
  double never_deal_share = 0;   // products with >= kDealMinLines lines never discounted
  double always_deal_share = 0;  // ... always discounted
  double end9_share = 0, end0_share = 0, end5_share = 0;  // regular prices' last cent digit
  double reliability = 1;
  // The group's share of the lines of baskets with >= 3 lines over its share of the lines of
  // single-line baskets, baskets as the sample holds them (a line sample: mostly fragments of real
  // baskets), in log shrunk toward 0 by n / (n + size_prior_lines), n the group's lines (1: bought
  // alike on big and small trips).  Tables without the column load with 1 (has_big_trip_ratio false).
  double big_trip_ratio = 1;
};

class WorldTable {
 public:
  std::vector<WorldRow> rows;  // all, then departments, then categories (each in name order)
  bool has_big_trip_ratio = true;  // false: loaded from a table without the column
  static WorldTable load(const std::string& path);
  std::string to_csv() const;
  const WorldRow& all() const;
  /// The department's row, or all() when the table has none.
  const WorldRow& department(const std::string& name) const;
  /// The category rows, most lines first (ties by name).
  std::vector<const WorldRow*> categories_by_lines() const;
  void index();  // after rows change

 private:
  std::map<std::string, size_t> department_;
  size_t all_ = 0;
};

/// The CSV header (the column names, in WorldRow's order).  Tables written before big_trip_ratio
/// existed have every column but that last one, and still load.
const std::string& world_table_header();

}  // namespace retailsynth
