// The seasonality learner (DESIGN §3.8): reads transactions and a product table and learns a
// SeasonalityTable of traffic, category and product indices by week of year.
//
// Inputs, detected by header:
//   TCJ            transaction_data.csv (household_key, DAY, PRODUCT_ID, QUANTITY, ...) + product.csv;
//                  DAY 1 is the date `start_date`.  RetailSynth's own output is in this layout.
//   CJ 2.0         transactions.csv (household_id, product_id, quantity, transaction_timestamp
//                  "YYYY-MM-DD HH:MM:SS", ...) + products.csv; the date is the timestamp's.
// Other columns (sales, discounts of either sign, baskets, stores) are not read.  Quoted fields, NA
// and CRLF are handled.  A line is left out (and counted in the report) when a field it needs is
// NA or empty, its quantity is <= 0 (voids and returns), its product is not in the product table,
// or the product is not merchandise (non-merchandise department, or no category).
//
// Method, per key (a category, a product, or ALL for traffic):
//  1. Calendar: week of year = day-of-year / 7 + 1, clamped to 52 (so week 52 holds the last 8 or 9
//     days).  A period is one (year, week of year); the data's periods run from its first to its
//     last date.
//  2. Traffic normalisation: a category's or product's count in a period is read against all
//     merchandise lines of that period (its share), so a ramp-up of households or store traffic
//     does not read as seasonality.  The traffic key itself is read against the days of the period
//     covered by the data (lines per day).
//  3. Trend (only when the data covers at least `detrend_min_periods` weeks, i.e. two years by
//     default, because within one year a trend cannot be told from a season): a weighted least
//     squares fit of the share on a linear time trend plus 52 week-of-year levels (weights = the
//     exposure), and the fitted trend is taken out of the counts.  With the week levels in the
//     model the slope has a closed form (the "within" estimator), so no matrix is formed.
//  4. Circular smoothing: share[w] = sum_d K(d) count[w+d] / sum_d K(d) exposure[w+d] over week of
//     year (wrapping 52 -> 1), triangular K(d) = h + 1 - |d| for |d| <= h (h = smoothing_half_width);
//     pooled over years.  Raw index = share / mean share over the weeks that have data; weeks without
//     data within the kernel get 1.  Event weeks (`event_weeks`: holidays) are left out of the
//     other weeks' kernels; an event week's value is the kernel over its non-event neighbours times
//     its own ratio to it, shrunk by its Poisson evidence (1 + (c/E - 1) max(0, 1 - 1/z^2)), so a
//     single-week holiday peak stays sharp where its count stands out of the noise.  Categories
//     and products only: the traffic key is smoothed over every week (its event weeks are the
//     promotion calendar's strong weeks, and a holiday lift of trips would read as the marketing
//     signal's).
//  5. Shrinkage towards 1: index = 1 + (raw - 1) * keep, keep = the Spearman-Brown reliability of
//     the whole data's curve, 2r / (1 + r) from step 6's split-half r (0 for r <= 0), or with
//     `shrink_by = kLines` keep = n / (n + shrinkage_lines), n = the key's lines, for the whole
//     curve; by reliability an event week's base is shrunk so and its own ratio kept as step 4
//     shrank it (its own evidence); then renormalised to mean 1.
//  6. Reliability: households are split in two halves by a hash of their id; each half's raw
//     index curve (steps 2-4 on its own lines) is computed and the Pearson correlation of the two
//     52-week curves is the key's reliability (a split-half correlation, without Spearman-Brown).
// Categories with fewer than `min_category_lines` lines and products with fewer than
// `min_product_lines` are left out, so lookups fall back (product -> category -> 1).
#pragma once
#include <string>
#include <vector>

#include "retailsynth/common.h"
#include "seasonality/table.h"

namespace retailsynth {

enum class ShrinkBy { kReliability, kLines };

struct LearnOptions {
  std::string transactions_path;
  std::string products_path;
  std::string start_date = "2017-01-01";  // the date of DAY 1 (TCJ layout only)
  int smoothing_half_width = 3;           // weeks each side of the triangular kernel (0 = none)
  ShrinkBy shrink_by = ShrinkBy::kReliability;  // step 5's factor: 2r/(1+r), or n/(n+n0)
  double shrinkage_lines = 200;           // n0 in n / (n + n0) (shrink_by = kLines)
  // Weeks of year kept out of the smoothing, each with its own evidence-shrunk ratio (step 4);
  // the default is calendar.event_weeks' default (holidays).  Empty: none.
  std::vector<int> event_weeks = {1, 5, 15, 21, 27, 36, 43, 47, 51, 52};
  i64 min_category_lines = 50;
  i64 min_product_lines = 300;
  int detrend_min_periods = 104;  // remove a linear trend when the data spans this many weeks
  int report_top = 15;            // categories listed in the report
  double report_min_reliability = 0.3;
};

/// Learns the table; writes a human-readable report into `*report` when not null.  Bad input
/// throws InputError naming the file and line.
SeasonalityTable learn_seasonality(const LearnOptions& opt, std::string* report);

/// Days since 1970-01-01 of a "YYYY-MM-DD" date (a valid Gregorian date, years 1900..9999);
/// throws InputError("<what>: ...") otherwise.
i64 parse_date(const std::string& text, const std::string& what);
/// Week of year (1..52) of a day counted from 1970-01-01: day-of-year / 7 + 1, clamped to 52.
int week_of_year_of_day(i64 days_since_epoch);
/// The category keys of `t` ordered by peak/trough ratio (most seasonal first), keeping those
/// whose reliability is at least `min_reliability` (NaN reliability never qualifies).
std::vector<std::string> most_seasonal_categories(const SeasonalityTable& t, double min_reliability, size_t top);

}  // namespace retailsynth

namespace retailsynth {

/// The `learn-seasonality` command: learns the table, writes it to `out` and, when `svg` is not
/// empty, a picture of the report's first (at most 6) categories to `svg`; each file via a
/// temporary and a rename, and nothing is written when learning fails.  Returns the report.
std::string run_learn_seasonality(const LearnOptions& opt, const std::string& out, const std::string& svg);

}  // namespace retailsynth
