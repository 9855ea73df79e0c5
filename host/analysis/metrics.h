// Measurements of a dataset: the plan's success metrics (promotion frequency and depth, lifts,
// trips vs marketing, stockpiling, heterogeneity, price response) and the distributions that are
// compared with real data.  Shared by tests/test_behaviour.cpp and `retailsynth validate`, so what
// the tests assert is what the report shows.
//
// Functions marked "truth" need RetailSynth's truth/ files (Dataset::has_truth); the others read
// transaction lines only and work on real data too.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "analysis/dataset.h"

namespace retailsynth {

struct Config;

// ---- distributions ------------------------------------------------------------------------------

/// Kolmogorov–Smirnov distance sup_x |F_a(x) - F_b(x)| between two empirical distributions (ties
/// handled: both CDFs are compared after every distinct value).  0 when either sample is empty.
double ks_distance(std::vector<double> a, std::vector<double> b);
/// Same on samples already sorted ascending.
double ks_distance_sorted(const std::vector<double>& a, const std::vector<double>& b);
/// The p-quantile (0..1) of a sorted sample (nearest rank below), NaN when empty.
double quantile_sorted(const std::vector<double>& sorted, double p);
double mean_of(const std::vector<double>& v);

// ---- trips and the marketing signal (truth) -------------------------------------------------------

struct Slope {
  double b, expected, se;  // within-household slope of trips on M, the slope the truth implies, its se
  size_t households;
};
/// Within-household regression of weekly trips on the home store's marketing signal M, against
/// the slope the truth implies (rate_i * rho_i, weighted as the estimator weighs households).
/// Households with trip_rate > 4 are left out (keeps the 12-trip cap out of the way).
Slope trip_slope(const Dataset& d);

/// By decile of the home store's M: mean M; the mean household's configured trips a + b M (a =
/// mean trip_rate, b = mean trip_rate x promo_sensitivity), a straight line; and the observed trips
/// less the decile's households' own configured rates, plus that line.
struct TripCurve {
  std::vector<double> m, observed, expected;
};
TripCurve trips_by_marketing(const Dataset& d, int bins = 10);

// ---- promotion cells (truth) -------------------------------------------------------------------

/// Units per promoted product-store-week and, per product-store, units and number of weeks off
/// promotion: the baseline that lifts are measured against.
struct PromoUnits {
  std::vector<float> units;         // by promotion index (Dataset::promotions)
  std::vector<double> base_units;   // by store_index * P + product: units in weeks without promotion
  std::vector<float> promo_weeks;   // by store_index * P + product: promoted weeks (<= d.weeks)
  i32 n_products = 0;
  double baseline_weeks(size_t promo_index, const Dataset& d) const;
};
PromoUnits promo_units(const Dataset& d);

struct Lift {
  double lift, se;  // (units / baseline units) - 1
};
using PromoFilter = std::function<bool(const Dataset::Promo&)>;

/// Unit lift of the promoted product-store-weeks selected by `take` at each depth of `depths`, over
/// the same product-store's weeks without promotion (product-stores with >= 10 such weeks).
std::vector<Lift> lift_by_depth(const Dataset& d, const PromoUnits& pu, const PromoFilter& take,
                                const std::vector<float>& depths);
/// The lifts of `lift_by_depth` averaged with equal weight over depths 0.20/0.25/0.30 (displays and
/// ads favour deep promotions, so depth is held fixed).
Lift display_lift(const Dataset& d, const PromoUnits& pu, const PromoFilter& take);

struct DisplayLifts {
  Lift by_type[4];  // none, shelf_tag, end_cap, feature_display; not in the ad, no mailer
  Lift ad, no_ad;   // no display: in the ad vs not (no mailer)
};
DisplayLifts display_lifts(const Dataset& d, const PromoUnits& pu);
DisplayLifts display_lifts(const Dataset& d);
/// a > b by z standard errors of the difference.
bool lift_greater(const Lift& a, const Lift& b, double z = 2.0);

struct PromoFrequency {
  std::vector<double> share;  // by category: promoted product-store-weeks / product-store-weeks
  double in_range = 0;        // share of categories with share in [0.10, 0.30]
  double min = 0, median = 0, max = 0;
};
PromoFrequency promo_frequency(const Dataset& d);

struct DepthDistribution {
  std::vector<std::pair<int, u64>> percent_count;  // depth in percent -> promoted product-store-weeks
  double mean = 0, min = 0, max = 0, in_range = 0;  // in_range: share within [0.10, 0.50]
};
DepthDistribution depth_distribution(const Dataset& d);

struct CategoryLifts {
  std::vector<double> lifts;  // sorted, one per category with enough units
  double in_range = 0;        // share within [0.2, 1.0]
};
/// A category's promotion intensity in a store-week: the popularity-weighted share of its products
/// on promotion.  Lift: category units in its top third of store-weeks by intensity over its bottom
/// third (categories with >= 30 units in the bottom third).
CategoryLifts category_promo_lifts(const Dataset& d);

// ---- stockpiling and the post-promotion dip ---------------------------------------------------------

/// Mean quantity per line at depth >= 30% over lines at regular price (truth: promotion depth).
double deep_quantity_ratio(const Dataset& d);
/// The same from the lines alone: line depth = discount / (sales + discount); >= 30% over
/// undiscounted lines.  Works on real data (where discounts are loyalty-card discounts).
double deep_quantity_ratio_observed(const Dataset& d);

struct QuantityByDepth {
  std::vector<double> depth, quantity;  // mean line quantity by line-depth bin (0, then 5-point bins)
  std::vector<u64> lines;
};
QuantityByDepth quantity_by_line_depth(const Dataset& d);

struct Dip {
  double observed, expected, se;  // category purchases in t+1, t+2 after a deep purchase in t
  size_t events;
};
/// After buying a category at depth >= 30% in week t, how often does the household buy the
/// category in t+1 and t+2, against its own rate in the other weeks? (truth)
Dip post_promotion_dip(const Dataset& d);

// ---- reference prices and loss aversion --------------------------------------------------------

struct Asymmetry {
  double ratio, se;  // (demand fall per unit loss) / (demand rise per unit gain)
};
/// Demand responses to regular price moves (pricing regimes rebuilt from `cfg`, which must be the
/// run's config) with a stable price over the 11 weeks before, so the reference equals the old
/// price.  Meaningful on runs built for it (no promotions, beta_price = 0; tests/test_behaviour.cpp).
Asymmetry loss_asymmetry(const Config& cfg, const Dataset& d);

// ---- price response (truth) -----------------------------------------------------------------------

struct PriceResponse {
  std::vector<double> depth;  // promotion depths with data
  std::vector<Lift> lift;     // unit lift at that depth (no display, no ad, no mailer)
  double elasticity = 0, elasticity_se = 0;  // slope of log(units ratio) on log(price ratio)
  double r2 = 0;                             // of that fit: near 1 when demand is log-linear in price
  double perception_jump = 0, perception_se = 0;  // log lift at 20% above the log-linear fit of 10/15/25/30%
  double left_digit_jump = 0, left_digit_se = 0;  // log units ratio, promo price just under a threshold vs not
  double left_digit_units = 0;                    // units in the "just under" group
};
/// Units vs shelf price relative to the product-store's regular price, from promoted cells.  The
/// left-digit jump compares promoted cells whose shelf price lies within 5% under $1, 2, 5, 10, 20,
/// 50 with the other cells of the same depth/display/ad class (cells whose regular price is itself
/// just under a threshold are left out).
PriceResponse price_response(const Dataset& d, const PromoUnits& pu);

// ---- heterogeneity ------------------------------------------------------------------------------------

/// Standard deviation over households (>= min_lines lines) of the promoted share of spending.
double promoted_spend_share_sd(const Dataset& d, int min_lines = 40);

struct Heterogeneity {
  double sd = 0, sd_null = 0;  // observed; if every household had the same promotion propensity
  size_t households = 0;
  std::vector<double> shares, null_shares;  // per household
};
/// The sd and a null: each line flagged promoted with the overall line probability, independently
/// (a fixed-seed draw), so sampling noise is told from real differences between households.
Heterogeneity promotion_heterogeneity(const Dataset& d, int min_lines = 40);

// ---- baskets ----------------------------------------------------------------------------------------

struct Baskets {
  double share_over_20, single, mean_lines, median_linked_lift;
  double mean_dollars = 0, baskets_per_household_week = 0;
};
/// Basket size (lines), heavy tail and the median lift of mission-linked category pairs (truth's
/// missions.csv; 0 without it) with >= 20 co-occurring baskets.
Baskets baskets(const Dataset& d);

/// Discount share of gross sales: sum(discount) / sum(sales + discount).
double discount_share(const Dataset& d);
/// Share of lines with a discount.
double discounted_line_share(const Dataset& d);
/// Share of lines with a manufacturer coupon (COUPON_DISC); NaN without the column.
double coupon_line_share(const Dataset& d);

// ---- distributions compared with real data ---------------------------------------------------------

constexpr int kMinStoreLines = 20;
struct LikenessSample {
  // Per line (every line; not affected by the thinning).
  std::vector<double> quantity, dollars, unit_price, line_depth;  // line_depth: discounted lines only
  // Of the kept (thinned) lines.
  std::vector<double> visits_per_hh_week;      // baskets per household-week (every week in range)
  std::vector<double> lines_per_hh_week;       // household-weeks with >= 1 line
  std::vector<double> categories_per_hh_week;  // household-weeks with >= 1 line
  std::vector<double> lines_per_basket, dollars_per_basket, units_per_basket;
  std::vector<double> category_pair_lift;     // pairs with >= min_pair_support baskets
  std::vector<double> weeks_between;          // gaps between weeks a household buys a category
  std::vector<double> lines_per_household;    // households with >= 1 kept line
  // Households with >= kMinStoreLines kept lines in the common weeks: distinct stores, the top
  // store's share of those lines.
  std::vector<double> stores_per_household, top_store_share;
  size_t kept_lines = 0, kept_households = 0;
};
struct LikenessOptions {
  double keep_rate = 1.0;        // keep each line with this probability (the real sample's rate)
  double keep_households = 1.0;  // then keep each household with this probability
  i32 max_week = 0;              // only weeks <= first week + max_week - 1 for the gaps and lines per household (0: all)
  int min_pair_support = 10;
  u64 seed = 20170101;
};
LikenessSample likeness_sample(const Dataset& d, const LikenessOptions& o);

}  // namespace retailsynth
