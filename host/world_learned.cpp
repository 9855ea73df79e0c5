// The learned world: a catalog from a world table (world_table/table.h) and its calibration.
//
// Categories are the table's, most lines first (scale.categories of them), kept together by
// department.  Per category:
//   - products: scale.products apportioned by the real product table's counts;
//   - private label with the category's share of lines, priced at its private-label price ratio;
//   - base prices log-normal with the category's spread (less the private-label gap's part, times
//     the calibration's factor, within 2.5 sd), at a level set so that the choice-weighted
//     median regular price of an average household equals the table's (a uniform shift of a
//     category's log prices leaves its within-category choice shares unchanged, so the level is
//     solved in one step), times the calibration's price factor;
//   - price endings (last cent digit) with the category's mix: 9, 0, 5 or another digit;
//   - products never or always on deal with the category's shares;
//   - promotions: the promoted share of product-store-weeks whose lines would be the table's
//     discounted share when a promoted product's odds of being bought are world.promo_lift times
//     the others', shifted by the calibration; depths offered with the density of the category's
//     line depths times exp(-tilt depth), the tilt calibrated (deeper discounts win more lines);
//   - quantity: the extra units' Poisson mean scaled by the category's -log(1 - P(units > 1))
//     relative to the whole store's;
//   - incidence intercept: logit(line share x world.lines_per_trip), shifted by the calibration;
//   - trip-size response r = exp(the calibration's size_log_response, its own plus the `all` row's):
//     a trip mission shifts the category's incidence by the mission's shift times r.
#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <map>

#include "engine/utility_terms.h"
#include "io/csv.h"
#include "world.h"
#include "world_parts.h"
#include "world_table/calibration.h"
#include "world_table/table.h"

namespace retailsynth {
namespace {

constexpr double kMaxPriceLogSd = 0.9;
constexpr double kPriceZLimit = 2.0;  // products within this many sd of the level

double logit(double p) { return std::log(p / (1.0 - p)); }
double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// The sub-commodities of a real commodity (built-in list), or the category itself.
Commodity commodity_named(const std::vector<Commodity>& known, const WorldRow& r) {
  for (const Commodity& c : known)
    if (c.name == r.category) return c;
  return Commodity{r.department, r.category, {r.category}, {1.0}, 1.0};
}

/// A last cent digit from the row's mix: 9, 0, 5, else one of the other seven alike.
u8 draw_ending(const WorldRow& r, float u) {
  if (u < r.end9_share) return 9;
  if (u < r.end9_share + r.end0_share) return 0;
  if (u < r.end9_share + r.end0_share + r.end5_share) return 5;
  static const u8 others[7] = {1, 2, 3, 4, 6, 7, 8};
  const double rest = 1.0 - r.end9_share - r.end0_share - r.end5_share;
  const double f = rest > 0 ? (u - (1.0 - rest)) / rest : 0.0;
  return others[std::clamp(static_cast<int>(f * 7), 0, 6)];
}

/// Products of category k (one table row): identity and private label as the synthetic world draws
/// them, then the price ending and the deal kind.
void add_products(const Config& cfg, const WorldRow& r, const Commodity& c, i32 k, i32 n, std::map<std::string, i32>& sub_index,
                  Catalog& cat) {
  double wsum = 0;
  const std::vector<i32> subs = register_subcategories(c, sub_index, cat, wsum);
  for (i32 i = 0; i < n; ++i) {
    auto g = add_product(cfg, c, r.department, subs, wsum, k, i, r.pl_share, cat);
    cat.price_ending.push_back(draw_ending(r, math::uniform01(g)));
    const float u_deal = math::uniform01(g);
    cat.deal.push_back(u_deal < r.never_deal_share                       ? kDealNever
                       : u_deal < r.never_deal_share + r.always_deal_share ? kDealAlways
                                                                           : kDealNormal);
  }
}

/// The log price shift that puts the choice-weighted median regular price of an average household
/// (mean coefficients, regular prices) of products [begin, end) at `median`.
double price_level_shift(const Config& cfg, const Catalog& cat, i32 begin, i32 end, double median) {
  const double bq = dist_mean(cfg.households[kBetaQuality]), bp = dist_mean(cfg.households[kBetaPrice]);
  std::vector<std::pair<double, double>> lw;  // (log price, utility)
  double umax = -INFINITY;
  for (i32 j = begin; j < end; ++j) {
    const double lp = std::log(static_cast<double>(cat.base_price[j]));
    const double u = quality_utility(cfg, cat.alpha[j], cat.quality[j]) + bq * cat.quality[j] + bp * lp;
    lw.push_back({lp, u});
    umax = std::max(umax, u);
  }
  std::sort(lw.begin(), lw.end());
  double total = 0;
  for (auto& [lp, u] : lw) total += (u = std::exp(u - umax));
  double acc = 0;
  for (const auto& [lp, w] : lw)
    if ((acc += w) >= 0.5 * total) return std::log(median) - lp;
  return 0.0;
}

/// Category k's prices (base price, quality, popularity), at the table's level and spread: the
/// spread of the table less the private-label gap's part, times the calibration's factor (within
/// e^+-0.7), at most kMaxPriceLogSd, and products within 2.5 of it (real shelves have no
/// thousand-dollar drink mix: a category whose real prices are bimodal is not stretched to match).
void price_category(const Config& cfg, const WorldRow& r, const CategoryCalibration& cal, const CategoryCalibration& global,
                    i32 k, Catalog& cat) {
  const i32 begin = cat.cat_begin[k], end = cat.cat_begin[k + 1];
  cat.base_price.resize(end);
  cat.alpha.resize(end);
  cat.quality.resize(end);
  const double gap = std::log(r.pl_price_ratio), pl_var = r.pl_share * (1.0 - r.pl_share) * gap * gap;
  const double spread = std::clamp(global.spread_log_shift + cal.spread_log_shift, -0.7, 0.7);
  const double sd = std::min(kMaxPriceLogSd, std::sqrt(std::max(0.0025, r.price_log_sd * r.price_log_sd - pl_var)) * std::exp(spread));
  product_attributes(cfg, cat, k, begin, end, 0.0f, sd, r.pl_price_ratio, static_cast<float>(kPriceZLimit * sd));
  const double shift = price_level_shift(cfg, cat, begin, end, r.price_median) + cal.price_log_shift;
  for (i32 j = begin; j < end; ++j) cat.base_price[j] = static_cast<float>(cat.base_price[j] * std::exp(shift));
}

/// The quantiles (at kDepthProbs) of the depths promotions are offered at: the line depths' law
/// (depth_quantile of `lines`) weighted by exp(-tilt depth), on 400 equal steps of probability.
std::array<double, kDepthQuantiles> offered_depths(const std::array<double, kDepthQuantiles>& lines, double tilt) {
  constexpr int n = 400;
  double d[n], cum[n], total = 0;
  for (int i = 0; i < n; ++i) {
    d[i] = depth_quantile(lines.data(), (i + 0.5) / n);
    cum[i] = (total += std::exp(-tilt * d[i]));
  }
  std::array<double, kDepthQuantiles> out{};
  int i = 0;
  for (int q = 0; q < kDepthQuantiles; ++q) {
    while (i < n - 1 && cum[i] < kDepthProbs[q] * total) ++i;
    out[q] = d[i];
  }
  return out;
}

/// Category k's promotion share, depth law, quantity multiplier and intercept.
void category_behaviour(const Config& cfg, const WorldRow& r, const WorldRow& all, const CategoryCalibration& cal,
                        const CategoryCalibration& global, Catalog& cat) {
  const double d = std::clamp(r.discount_share, 1e-4, 1.0 - 1e-4);
  const double promo = logistic(logit(d) - std::log(cfg.world.promo_lift) + cal.promo_logit_shift);
  cat.cat_promo_share.push_back(static_cast<float>(std::min(promo, 0.85 * cfg.promotions.store_participation)));
  for (const double q : offered_depths(r.depth_q, global.depth_tilt + cal.depth_tilt)) cat.cat_depth_q.push_back(static_cast<float>(q));
  auto rate = [](double multi) { return -std::log(1.0 - std::clamp(multi, 1e-4, 0.99)); };
  cat.cat_quantity.push_back(static_cast<float>(std::clamp(rate(r.qty_multi_share) / rate(all.qty_multi_share), 0.05, 20.0)));
  const double p = std::clamp(r.line_share * cfg.world.lines_per_trip, 1e-7, 0.9);
  cat.cat_intercept.push_back(static_cast<float>(logit(p) + global.intercept_shift + cal.intercept_shift));
  cat.cat_size_response.push_back(static_cast<float>(std::exp(global.size_log_response + cal.size_log_response)));
}

}  // namespace

Catalog catalog_from_world_table(const Config& cfg) {
  const WorldTable t = WorldTable::load(cfg.world.table);
  const Calibration cal = cfg.world.calibration.empty() ? Calibration{} : Calibration::load(cfg.world.calibration);
  std::vector<const WorldRow*> rows = t.categories_by_lines();
  const i32 K = cfg.scale.categories;
  if (static_cast<size_t>(K) > rows.size())
    throw InputError("config: scale.categories: " + std::to_string(K) + " is more than the " + std::to_string(rows.size()) +
                     " categories of the world table " + cfg.world.table);
  if (cfg.scale.products < K) throw InputError("config: scale.products: must be >= scale.categories (" + std::to_string(K) + ")");
  rows.resize(K);
  std::stable_sort(rows.begin(), rows.end(), [](const WorldRow* a, const WorldRow* b) {
    return a->department != b->department ? a->department < b->department : a->category < b->category;
  });
  std::vector<double> w;
  for (const WorldRow* r : rows) w.push_back(std::max(1.0, r->products));
  const auto counts = apportion(w, cfg.scale.products, cfg.catalog.min_products_per_category);
  const auto known = read_builtin_commodities();
  Catalog cat;
  cat.cat_begin.push_back(0);
  std::map<std::string, i32> sub_index;
  for (i32 k = 0; k < K; ++k) {
    const WorldRow& r = *rows[k];
    cat.cat_name.push_back(r.category);
    cat.cat_department.push_back(r.department);
    add_products(cfg, r, commodity_named(known, r), k, counts[k], sub_index, cat);
    cat.cat_begin.push_back(static_cast<i32>(cat.product_id.size()));
    const CategoryCalibration& c = cal.category(r.category);
    price_category(cfg, r, c, cal.all, k, cat);
    category_behaviour(cfg, r, t.all(), c, cal.all, cat);
  }
  finish_catalog(cfg, cat);
  return cat;
}

}  // namespace retailsynth
