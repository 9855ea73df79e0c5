// Behaviour of the household model measured on generated data (DESIGN §3.5-3.7, issue
// "household heterogeneity and the full utility and choice model"): fixed seeds, tolerances from
// standard errors.  Every check also runs on a dataset with its mechanism switched off and must
// fail there, so it measures the mechanism and not an artefact.  One process generates each
// dataset once (this executable is a single ctest test).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "analysis/dataset.h"
#include "config.h"
#include "engine/pricing.h"
#include "simulator.h"
#include "test_helpers.h"
#include "world.h"

using namespace retailsynth;
namespace fs = std::filesystem;

namespace {

const std::string kDefault = rs_test::source_path("configs/default.yaml");

// A smaller world at the default model settings, with display capacities scaled to its
// catalog (about 1,000 promoted products per store-week) so that every display type is common.
const std::vector<std::string> kBase = {
    "scale.households=3000", "scale.products=6000", "scale.stores=10", "scale.weeks=52",
    "promotions.end_caps_per_store=60", "promotions.feature_displays_per_store=30", "promotions.shelf_tag_prob=0.3"};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The mechanisms switched off: no marketing lift on trips, no inventory effect, no display or
// feature effect, no stockpiling, missions without linked categories.
const std::vector<std::string> kOff = {
    "households.promo_sensitivity={dist: constant, value: 0}", "choice.inventory_weight=0",
    "households.beta_display={dist: constant, value: 0}",      "households.beta_feature={dist: constant, value: 0}",
    "households.stockpile={dist: constant, value: 0}",
    "choice.missions=[{name: stock_up, share: 0.15, shift: 1.5, linked_share: 0, link_boost: 0}, {name: fill_in, share: "
    "0.40, shift: -2.2, linked_share: 0, link_boost: 0}, {name: meal, share: 0.20, shift: -0.6, linked_share: 0, "
    "link_boost: 0}, {name: snack, share: 0.12, shift: -2.0, linked_share: 0, link_boost: 0}, {name: special, share: "
    "0.13, shift: -0.3, linked_share: 0, link_boost: 0}]"};

/// Every household parameter fixed at the mean of its default distribution.
std::vector<std::string> homogeneous() {
  const Config c = load_config(kDefault);
  std::vector<std::string> s = {"households.correlation=[]"};
  for (int p = 0; p < kNumHouseholdParams; ++p)
    s.push_back(std::string("households.") + kHouseholdParamNames[p] + "={dist: constant, value: " +
                std::to_string(dist_mean(c.households[p])) + "}");
  return s;
}

// Loss aversion: only the reference-price term reacts to price (beta_price = 0), no
// promotions, flat costs and inflation, larger and more frequent regime moves.
std::vector<std::string> loss_run(double lambda) {
  return {"scale.households=4000",
          "scale.products=3000",
          "scale.categories=150",
          "scale.stores=5",
          "scale.weeks=60",
          "promotions.share_min=0",
          "promotions.share_max=0",
          "pricing.cost_sd=0",
          "pricing.inflation_per_year=0",
          "pricing.regime_stay=0.9",
          "pricing.regime_step=0.10",
          "pricing.regime_levels=3",
          "utility.threshold_bonus=0",
          "households.beta_price={dist: constant, value: 0}",
          "households.correlation=[]",
          "households.beta_ref={dist: constant, value: 4}",
          "households.loss_aversion={dist: constant, value: " + std::to_string(lambda) + "}"};
}

struct Run {
  std::vector<std::string> sets;
  Dataset data;
};

const Run& run(const std::string& name, const std::vector<std::string>& sets) {
  static std::map<std::string, Run> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  static const fs::path root = rs_test::temp_dir("behaviour");
  GenerateOptions o;
  o.config_path = kDefault;
  o.overrides = sets;
  o.out_dir = (root / name).string();
  o.backend = "cpu";
  o.quiet = true;
  generate(o);
  return cache.emplace(name, Run{sets, load_dataset(o.out_dir)}).first->second;
}

const Run& base() { return run("base", kBase); }
const Run& off() { return run("off", with(kBase, kOff)); }

// ---- trips and the marketing signal ---------------------------------------------------------

struct Slope {
  double b, expected, se;
};

/// Within-household regression of trips on the home store's M: slope against the slope the
/// truth implies (rate_i * rho_i, weighted as the estimator weighs households).
Slope trip_slope(const Dataset& d) {
  const int p_rate = d.param("trip_rate"), p_rho = d.param("promo_sensitivity");
  double sxy = 0, sxx = 0, expected_num = 0, var_num = 0;
  for (const auto& [hh, params] : d.params) {
    const double rate = params[p_rate], rho = params[p_rho];
    if (rate > 4) continue;  // keep the 12-trip cap out of the way
    const i32 home = d.home_store.at(hh);
    std::vector<double> m(d.weeks), y(d.weeks);
    for (i32 w = 1; w <= d.weeks; ++w) {
      m[w - 1] = d.marketing.at(Dataset::key(home, 0, w));
      const auto t = d.trips.find(Dataset::hh_key(hh, w));
      y[w - 1] = t == d.trips.end() ? 0 : t->second;
    }
    const double mm = std::accumulate(m.begin(), m.end(), 0.0) / d.weeks;
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / d.weeks;
    for (i32 w = 0; w < d.weeks; ++w) {
      const double dx = m[w] - mm;
      sxy += dx * (y[w] - my);
      sxx += dx * dx;
      expected_num += dx * dx * rate * rho;
      var_num += dx * dx * rate * (1 + rho * m[w]);
    }
  }
  return Slope{sxy / sxx, expected_num / sxx, std::sqrt(var_num) / sxx};
}

TEST(Behaviour, TripsRiseWithMarketingSignal) {
  const Slope s = trip_slope(base().data);
  std::printf("[measured] trips vs M: slope %.4f (configured effect %.4f, se %.4f)\n", s.b, s.expected, s.se);
  EXPECT_GT(s.b, 4 * s.se);
  EXPECT_NEAR(s.b, s.expected, 4 * s.se);
  const Slope o = trip_slope(off().data);
  EXPECT_LT(std::fabs(o.b), 4 * o.se) << "no lift when promo_sensitivity = 0";
}

// ---- promotion response by display type and ad ------------------------------------------------

struct Lift {
  double lift, se;
};

/// Unit lift of promoted product-store-weeks over the same product-store's non-promoted weeks,
/// for cells selected by `take(promo)`, averaged with equal weight over depths 0.20/0.25/0.30
/// (displays and ads favour deep promotions, so depth is held fixed).
template <class Take>
Lift display_lift(const Dataset& d, Take take) {
  std::unordered_map<u64, double> units;  // (store, product, week)
  for (size_t i = 0; i < d.lines(); ++i) units[Dataset::key(d.store[i], d.product[i], d.week[i])] += d.quantity[i];
  std::unordered_map<u64, double> base_units, base_weeks;  // (store, product, 0)
  for (const auto& [k, u] : units) {
    if (d.promotions.count(k)) continue;
    base_units[k & ~u64{0xFFF}] += u;
  }
  // Non-promoted weeks per product-store: all weeks minus promoted ones.
  std::unordered_map<u64, double> promo_weeks;
  for (const auto& [k, p] : d.promotions)
    if (static_cast<i32>(k & 0xFFF) <= d.weeks) promo_weeks[k & ~u64{0xFFF}] += 1;
  double lift_sum = 0, var_sum = 0;
  int n_depths = 0;
  for (const float depth : {0.20f, 0.25f, 0.30f}) {
    double u = 0, b = 0, var_b = 0;
    for (const auto& [k, p] : d.promotions) {
      if (std::fabs(p.depth - depth) > 1e-3 || !take(p) || static_cast<i32>(k & 0xFFF) > d.weeks) continue;
      const u64 sp = k & ~u64{0xFFF};
      const double nw = d.weeks - promo_weeks[sp];
      if (nw < 10) continue;
      const auto it = units.find(k);
      u += it == units.end() ? 0 : it->second;
      const double bu = base_units[sp];
      b += bu / nw;
      var_b += 1.6 * bu / (nw * nw);  // units are overdispersed counts (quantity): var ~ 1.6 x mean
    }
    if (b <= 0 || u <= 0) continue;
    const double l = u / b;
    lift_sum += l;
    var_sum += l * l * (1.6 / u + var_b / (b * b));
    ++n_depths;
  }
  return Lift{lift_sum / n_depths - 1, std::sqrt(var_sum) / n_depths};
}

struct DisplayLifts {
  Lift by_type[4];
  Lift ad, no_ad;
};

DisplayLifts display_lifts(const Dataset& d) {
  DisplayLifts r;
  for (int t = 0; t < 4; ++t)
    r.by_type[t] = display_lift(d, [t](const Dataset::Promo& p) { return p.display == t && !p.in_ad && !p.mailer; });
  r.ad = display_lift(d, [](const Dataset::Promo& p) { return p.display == 0 && p.in_ad && !p.mailer; });
  r.no_ad = display_lift(d, [](const Dataset::Promo& p) { return p.display == 0 && !p.in_ad && !p.mailer; });
  return r;
}

bool greater(const Lift& a, const Lift& b, double z = 2.0) {
  return a.lift - b.lift > z * std::sqrt(a.se * a.se + b.se * b.se);
}

TEST(Behaviour, DisplayAndAdLiftsAreOrdered) {
  const DisplayLifts r = display_lifts(base().data);
  const char* names[] = {"none", "shelf_tag", "end_cap", "feature_display"};
  for (int t = 0; t < 4; ++t)
    std::printf("[measured] unit lift at equal depth, %s: %.3f (se %.3f)\n", names[t], r.by_type[t].lift, r.by_type[t].se);
  std::printf("[measured] unit lift, in_ad: %.3f (se %.3f) vs not: %.3f (se %.3f)\n", r.ad.lift, r.ad.se, r.no_ad.lift,
              r.no_ad.se);
  EXPECT_TRUE(greater(r.by_type[3], r.by_type[2])) << "feature_display > end_cap";
  EXPECT_TRUE(greater(r.by_type[2], r.by_type[1])) << "end_cap > shelf_tag";
  EXPECT_TRUE(greater(r.by_type[1], r.by_type[0])) << "shelf_tag > none";
  EXPECT_TRUE(greater(r.ad, r.no_ad)) << "in_ad > not in_ad";
  const DisplayLifts o = display_lifts(off().data);
  EXPECT_FALSE(greater(o.by_type[3], o.by_type[2]) && greater(o.by_type[2], o.by_type[1]) &&
               greater(o.by_type[1], o.by_type[0]))
      << "no ordering without display effects";
  EXPECT_FALSE(greater(o.ad, o.no_ad)) << "no ad lift without feature effects";
}

// ---- stockpiling and the post-promotion dip ---------------------------------------------------

double deep_quantity_ratio(const Dataset& d) {
  double q_deep = 0, n_deep = 0, q_reg = 0, n_reg = 0;
  for (size_t i = 0; i < d.lines(); ++i) {
    const auto it = d.promotions.find(Dataset::key(d.store[i], d.product[i], d.week[i]));
    if (it == d.promotions.end()) {
      q_reg += d.quantity[i];
      n_reg += 1;
    } else if (it->second.depth >= 0.30f - 1e-4f) {
      q_deep += d.quantity[i];
      n_deep += 1;
    }
  }
  return (q_deep / n_deep) / (q_reg / n_reg);
}

struct Dip {
  double observed, expected, se;
};

/// After buying a category at depth >= 30% in week t, how often does the household buy the
/// category in t+1 and t+2, against its own rate in the other weeks?
Dip post_promotion_dip(const Dataset& d) {
  std::unordered_map<u64, std::vector<u8>> bought;  // (household, category) -> weeks bought
  std::vector<std::pair<u64, i32>> events;
  for (size_t i = 0; i < d.lines(); ++i) {
    const u64 hk = (static_cast<u64>(d.household[i]) << 20) | static_cast<u64>(d.product_category[d.product[i]]);
    auto& v = bought[hk];
    if (v.empty()) v.assign(d.weeks + 1, 0);
    v[d.week[i]] = 1;
    const auto it = d.promotions.find(Dataset::key(d.store[i], d.product[i], d.week[i]));
    if (it != d.promotions.end() && it->second.depth >= 0.30f - 1e-4f && d.week[i] <= d.weeks - 2)
      events.push_back({hk, d.week[i]});
  }
  std::sort(events.begin(), events.end());
  events.erase(std::unique(events.begin(), events.end()), events.end());
  double obs = 0, exp = 0, var = 0;
  for (const auto& [hk, t] : events) {
    const auto& v = bought[hk];
    double other = 0;
    for (i32 w = 1; w <= d.weeks; ++w)
      if (w < t || w > t + 2) other += v[w];
    const double p = other / (d.weeks - 3);
    obs += v[t + 1] + v[t + 2];
    exp += 2 * p;
    var += 2 * p * (1 - p);
  }
  return Dip{obs, exp, std::sqrt(var)};
}

TEST(Behaviour, StockpilingAndPostPromotionDip) {
  const double ratio = deep_quantity_ratio(base().data);
  std::printf("[measured] mean quantity at depth >= 30%% / regular price: %.3f\n", ratio);
  EXPECT_GE(ratio, 1.2);
  EXPECT_LT(deep_quantity_ratio(off().data), 1.2) << "no stockpiling when stockpile = 0";

  const Dip dip = post_promotion_dip(base().data);
  std::printf("[measured] category purchases in the 2 weeks after a deep-discount purchase: %.0f vs baseline %.0f "
              "(%.1f%%, se %.0f)\n",
              dip.observed, dip.expected, 100 * (dip.observed / dip.expected - 1), dip.se);
  EXPECT_LT(dip.observed, dip.expected - 4 * dip.se);
  const Dip o = post_promotion_dip(off().data);
  EXPECT_GT(o.observed, o.expected - 4 * o.se) << "no dip without inventory";
}

// ---- reference prices and loss aversion --------------------------------------------------------

struct Asymmetry {
  double ratio, se;  // (demand fall per unit loss) / (demand rise per unit gain)
};

Asymmetry loss_asymmetry(const std::vector<std::string>& sets, const Dataset& d) {
  const Config cfg = load_config(kDefault, sets);
  const Catalog cat = build_catalog(cfg);
  const Stores stores = build_stores(cfg);
  const PricingEngine pe(cfg, cat, stores);
  std::vector<double> units(static_cast<size_t>(cat.n_products()) * (d.weeks + 1), 0.0);
  for (size_t i = 0; i < d.lines(); ++i) units[static_cast<size_t>(d.product[i]) * (d.weeks + 1) + d.week[i]] += d.quantity[i];
  // Moves with a stable price over the 11 weeks before, so the reference equals the old price.
  double up_after = 0, up_before = 0, down_after = 0, down_before = 0;
  for (i32 j = 0; j < cat.n_products(); ++j) {
    const i32 jj = d.product_index.at(cat.product_id[j]);
    for (i32 t = 13; t <= d.weeks; ++t) {
      const int now = pe.regime(j, t), before = pe.regime(j, t - 1);
      if (now == before) continue;
      bool stable = true;
      for (i32 a = 2; a <= 11; ++a) stable = stable && pe.regime(j, t - a) == before;
      if (!stable) continue;
      const double after = units[static_cast<size_t>(jj) * (d.weeks + 1) + t];
      const double prior = units[static_cast<size_t>(jj) * (d.weeks + 1) + t - 1];
      if (now > before) up_after += after, up_before += prior;
      else down_after += after, down_before += prior;
    }
  }
  const double step = cfg.pricing.regime_step;
  const double gain_up = step, gain_down = 1 - 1 / (1 + step);  // |(R - p) / R| of a move
  const double fall = -std::log(up_after / up_before) / gain_up;
  const double rise = std::log(down_after / down_before) / gain_down;
  const double v_fall = 1.6 * (1 / up_after + 1 / up_before) / (gain_up * gain_up);
  const double v_rise = 1.6 * (1 / down_after + 1 / down_before) / (gain_down * gain_down);
  const double r = fall / rise;
  return Asymmetry{r, r * std::sqrt(v_fall / (fall * fall) + v_rise / (rise * rise))};
}

TEST(Behaviour, LossesWeighMoreThanGainsByTheLossAversion) {
  const double lambda = 2.5;
  const auto sets_a = loss_run(lambda), sets_b = loss_run(1.0);
  const Asymmetry a = loss_asymmetry(sets_a, run("loss", sets_a).data);
  const Asymmetry b = loss_asymmetry(sets_b, run("loss_symmetric", sets_b).data);
  // The symmetric run absorbs what is not loss aversion (logit curvature, move sizes).
  const double ratio = a.ratio / b.ratio;
  const double se = ratio * std::sqrt(a.se * a.se / (a.ratio * a.ratio) + b.se * b.se / (b.ratio * b.ratio));
  std::printf("[measured] demand fall per unit loss / rise per unit gain: %.3f with loss_aversion %.1f, %.3f with 1.0; "
              "ratio %.3f (configured %.1f, se %.3f)\n",
              a.ratio, lambda, b.ratio, ratio, lambda, se);
  EXPECT_GT(a.ratio, b.ratio + 4 * std::sqrt(a.se * a.se + b.se * b.se));
  EXPECT_NEAR(ratio, lambda, 4 * se);
}

// ---- heterogeneity --------------------------------------------------------------------------------

double promoted_spend_share_sd(const Dataset& d) {
  std::unordered_map<i64, std::pair<double, double>> spend;  // household -> (promoted, total)
  std::unordered_map<i64, int> lines;
  for (size_t i = 0; i < d.lines(); ++i) {
    auto& s = spend[d.household[i]];
    s.second += d.sales_cents[i];
    if (d.disc_cents[i] > 0) s.first += d.sales_cents[i];
    ++lines[d.household[i]];
  }
  std::vector<double> share;
  for (const auto& [h, s] : spend)
    if (lines[h] >= 40 && s.second > 0) share.push_back(s.first / s.second);
  const double m = std::accumulate(share.begin(), share.end(), 0.0) / share.size();
  double v = 0;
  for (double x : share) v += (x - m) * (x - m);
  return std::sqrt(v / (share.size() - 1));
}

TEST(Behaviour, HouseholdsDiffer) {
  const double het = promoted_spend_share_sd(base().data);
  const double hom = promoted_spend_share_sd(run("homogeneous", with(kBase, homogeneous())).data);
  std::printf("[measured] sd over households of the promoted share of spending: %.4f heterogeneous, %.4f with every "
              "parameter fixed\n",
              het, hom);
  EXPECT_GT(het, 1.5 * hom);
}

// ---- baskets: heavy tail and mission co-occurrence --------------------------------------------

struct Baskets {
  double share_over_20, single, mean_lines, median_linked_lift;
};

Baskets baskets(const Dataset& d) {
  std::unordered_map<i64, std::vector<i32>> cats;  // basket -> categories
  for (size_t i = 0; i < d.lines(); ++i) cats[d.basket[i]].push_back(d.product_category[d.product[i]]);
  const size_t K = d.category_name.size();
  std::vector<double> n_cat(K, 0);
  std::map<std::pair<i32, i32>, double> n_pair;
  std::set<std::pair<i32, i32>> linked;
  for (const auto& l : d.mission_linked)
    for (size_t a = 0; a < l.size(); ++a)
      for (size_t b = a + 1; b < l.size(); ++b) linked.insert({std::min(l[a], l[b]), std::max(l[a], l[b])});
  double over = 0, single = 0, lines = 0;
  for (auto& [b, c] : cats) {
    lines += c.size();
    over += c.size() > 20;
    single += c.size() == 1;
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    for (i32 k : c) n_cat[k] += 1;
    for (size_t x = 0; x < c.size(); ++x)
      for (size_t y = x + 1; y < c.size(); ++y)
        if (linked.count({c[x], c[y]})) n_pair[{c[x], c[y]}] += 1;
  }
  const double N = cats.size();
  std::vector<double> lifts;
  for (const auto& [pr, n] : n_pair)
    if (n >= 20) lifts.push_back(n * N / (n_cat[pr.first] * n_cat[pr.second]));
  std::sort(lifts.begin(), lifts.end());
  return Baskets{over / N, single / N, lines / N, lifts.empty() ? 0.0 : lifts[lifts.size() / 2]};
}

TEST(Behaviour, HeavyTailedBasketsAndMissionCooccurrence) {
  // The default config (all of its settings, fewer households and weeks).
  const Baskets b = baskets(run("default", {"scale.households=1500", "scale.weeks=26"}).data);
  std::printf("[measured] default config: %.2f lines per basket, %.1f%% single-line, %.1f%% over 20 lines; median lift "
              "of mission-linked category pairs %.2f\n",
              b.mean_lines, 100 * b.single, 100 * b.share_over_20, b.median_linked_lift);
  EXPECT_GE(b.share_over_20, 0.05);
  EXPECT_GT(b.median_linked_lift, 2.0);
  const Baskets o = baskets(off().data);
  EXPECT_LE(o.median_linked_lift, 2.0) << "no co-occurrence lift without linked categories";
}

// ---- category promotional lift at the default config ------------------------------------------

TEST(Behaviour, CategoryPromotionalLiftMostlyBetween20And100Percent) {
  const Dataset& d = run("default", {"scale.households=1500", "scale.weeks=26"}).data;
  // A category's promotion intensity in a store-week: the popularity-weighted share of its
  // products on promotion.  Lift: category units in its top third of store-weeks by intensity
  // over its bottom third.
  const size_t K = d.category_name.size();
  std::vector<double> weight(K, 0);
  for (size_t j = 0; j < d.product_id.size(); ++j) weight[d.product_category[j]] += std::exp(d.popularity[j]);
  std::unordered_map<u64, double> intensity, units;  // (store, category, week)
  // Promotion keys are store << 44 ^ product << 12 ^ week.
  for (const auto& [k, p] : d.promotions) {
    const u64 store = k >> 44, week = k & 0xFFF, j = (k >> 12) & ((u64{1} << 32) - 1);
    intensity[Dataset::key(store, d.product_category[j], week)] += std::exp(d.popularity[j]);
  }
  for (size_t i = 0; i < d.lines(); ++i)
    units[Dataset::key(d.store[i], d.product_category[d.product[i]], d.week[i])] += d.quantity[i];
  std::vector<double> lifts;
  for (size_t k = 0; k < K; ++k) {
    std::vector<std::pair<double, double>> cells;
    for (i32 s : d.store_ids)
      for (i32 w = 1; w <= d.weeks; ++w) {
        const u64 key = Dataset::key(s, k, w);
        const auto it = intensity.find(key), ut = units.find(key);
        cells.push_back({it == intensity.end() ? 0 : it->second / weight[k], ut == units.end() ? 0 : ut->second});
      }
    std::sort(cells.begin(), cells.end());
    const size_t third = cells.size() / 3;
    double lo = 0, hi = 0;
    for (size_t c = 0; c < third; ++c) lo += cells[c].second, hi += cells[cells.size() - 1 - c].second;
    if (lo >= 30) lifts.push_back(hi / lo - 1);
  }
  std::sort(lifts.begin(), lifts.end());
  const double in_range =
      std::count_if(lifts.begin(), lifts.end(), [](double x) { return x >= 0.2 && x <= 1.0; }) / double(lifts.size());
  auto q = [&](double p) { return lifts[static_cast<size_t>(p * (lifts.size() - 1))]; };
  std::printf("[measured] category promotional lift over %zu categories: p10 %.2f, p25 %.2f, median %.2f, p75 %.2f, "
              "p90 %.2f; %.0f%% within [0.2, 1.0]\n",
              lifts.size(), q(0.1), q(0.25), q(0.5), q(0.75), q(0.9), 100 * in_range);
  EXPECT_GT(in_range, 0.5);
}

}  // namespace
