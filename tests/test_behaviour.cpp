// Behaviour of the household model measured on generated data (DESIGN §3.5-3.7, issue
// "household heterogeneity and the full utility and choice model"): fixed seeds, tolerances from
// standard errors.  Every check also runs on a dataset with its mechanism switched off and must
// fail there, so it measures the mechanism and not an artefact.  One process generates each
// dataset once (this executable is a single ctest test).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "analysis/dataset.h"
#include "analysis/category_measures.h"
#include "analysis/metrics.h"
#include "config.h"
#include "simulator.h"
#include "test_helpers.h"

using namespace retailsynth;
namespace fs = std::filesystem;

namespace {

const std::string kDefault = rs_test::source_path("configs/default.yaml");

// A smaller world at the default model settings, with display capacities scaled to its
// catalog (about 1,000 promoted products per store-week) so that every display type is common.
const std::vector<std::string> kBase = {
    "scale.households=3000", "scale.products=6000", "scale.stores=10", "scale.weeks=52",
    "promotions.end_caps_per_store=120", "promotions.feature_displays_per_store=120", "promotions.shelf_tag_prob=0.3",
    "promotions.display_popularity_weight=0"};  // displays not given to the most popular products, so lifts compare like with like

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The mechanisms switched off: no marketing lift on trips, no inventory effect, no display or
// feature effect, no stockpiling, missions without linked categories.
const std::vector<std::string> kOff = {
    "households.promo_sensitivity={dist: constant, value: 0}", "choice.inventory_weight=0",
    "households.beta_display={dist: constant, value: 0}",      "households.beta_feature={dist: constant, value: 0}",
    "households.stockpile={dist: constant, value: 0}",        "households.variety={dist: constant, value: 0}",
    "stores.set.outside=1",
    "choice.missions=[{name: stock_up, share: 0.15, shift: 0.5, linked_share: 0, link_boost: 0}, {name: fill_in, share: "
    "0.45, shift: -3.2, linked_share: 0, link_boost: 0}, {name: meal, share: 0.15, shift: -0.6, linked_share: 0, "
    "link_boost: 0}, {name: snack, share: 0.12, shift: -2.6, linked_share: 0, link_boost: 0}, {name: special, share: "
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
          "promotions.source=config",
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

TEST(Behaviour, TripsRiseWithMarketingSignal) {
  const Slope s = trip_slope(base().data);
  std::printf("[measured] trips vs M: slope %.4f (configured effect %.4f, se %.4f)\n", s.b, s.expected, s.se);
  EXPECT_GT(s.b, 4 * s.se);
  EXPECT_NEAR(s.b, s.expected, 4 * s.se);
  const Slope o = trip_slope(off().data);
  EXPECT_LT(std::fabs(o.b), 4 * o.se) << "no lift when promo_sensitivity = 0";
}

// ---- promotion response by display type and ad ------------------------------------------------

bool greater(const Lift& a, const Lift& b) { return lift_greater(a, b); }

TEST(Behaviour, DisplayAndAdLiftsAreOrdered) {
  // A shelf tag's lift over no display (0.3 x beta_display, about 0.09 utility) was about 2.5
  // standard errors at the base run's 3,000 households, so whether it cleared the 2-se bar
  // depended on the draw; hence more households.  And no seasonality: the lift is measured
  // against the product's all-year baseline, and the event weeks' extra promotions, most of them
  // without a display (the displays' capacity is spent first), meet the holiday table's peaks and
  // borrow its seasonal volume (the 'none' lift rose from 2.79 to 2.86 with the table).  And a
  // shelf tag of 0.6 (default 0.3, still under the end cap's 1.0): at 0.3 its lift over none was
  // 0.04-0.21 (0.6-2.7 standard errors) from seed to seed, and 1.1-1.9 se at 20,000 households, so
  // the 2-se check was a draw; at 0.6 it is 0.22-0.46 (3.0-5.8 se) and the end cap's over it 2.9-5.8
  // se (seeds 1-3 and the default, with and without the trip-size responses).
  const std::vector<std::string> more = {"scale.households=8000", "seasonality.table=", "utility.display_effect.shelf_tag=0.6"};
  const DisplayLifts r = display_lifts(run("display", with(kBase, more)).data);
  const char* names[] = {"none", "shelf_tag", "end_cap", "feature_display"};
  for (int t = 0; t < 4; ++t)
    std::printf("[measured] unit lift at equal depth, %s: %.3f (se %.3f)\n", names[t], r.by_type[t].lift, r.by_type[t].se);
  std::printf("[measured] unit lift, in_ad: %.3f (se %.3f) vs not: %.3f (se %.3f)\n", r.ad.lift, r.ad.se, r.no_ad.lift,
              r.no_ad.se);
  EXPECT_TRUE(greater(r.by_type[3], r.by_type[2])) << "feature_display > end_cap";
  EXPECT_TRUE(greater(r.by_type[2], r.by_type[1])) << "end_cap > shelf_tag";
  EXPECT_TRUE(greater(r.by_type[1], r.by_type[0])) << "shelf_tag > none";
  EXPECT_TRUE(greater(r.ad, r.no_ad)) << "in_ad > not in_ad";
  const DisplayLifts o = display_lifts(run("display_off", with(with(kBase, kOff), more)).data);
  EXPECT_FALSE(greater(o.by_type[3], o.by_type[2]) && greater(o.by_type[2], o.by_type[1]) &&
               greater(o.by_type[1], o.by_type[0]))
      << "no ordering without display effects";
  EXPECT_FALSE(greater(o.ad, o.no_ad)) << "no ad lift without feature effects";
}

// ---- stockpiling and the post-promotion dip ---------------------------------------------------

TEST(Behaviour, StockpilingAndPostPromotionDip) {
  // The real CompleteJourney sample: 1.155 (lines of 1-50 units, depth >= 30% against undiscounted).
  const double ratio = deep_quantity_ratio(base().data), ratio_off = deep_quantity_ratio(off().data);
  std::printf("[measured] mean quantity at depth >= 30%% / regular price: %.3f (%.3f with stockpile = 0; real 1.155)\n", ratio,
              ratio_off);
  EXPECT_GE(ratio, 1.08);
  EXPECT_LT(ratio_off, 1.04) << "no stockpiling when stockpile = 0";

  const Dip dip = post_promotion_dip(base().data);
  std::printf("[measured] category purchases in the 2 weeks after a deep-discount purchase: %.0f vs baseline %.0f "
              "(%.1f%%, se %.0f)\n",
              dip.observed, dip.expected, 100 * (dip.observed / dip.expected - 1), dip.se);
  EXPECT_LT(dip.observed, dip.expected - 4 * dip.se);
  const Dip o = post_promotion_dip(off().data);
  EXPECT_GT(o.observed, o.expected - 4 * o.se) << "no dip without inventory";
}

// ---- reference prices and loss aversion --------------------------------------------------------

TEST(Behaviour, LossesWeighMoreThanGainsByTheLossAversion) {
  const double lambda = 2.5;
  const auto sets_a = loss_run(lambda), sets_b = loss_run(1.0);
  const Asymmetry a = loss_asymmetry(load_config(kDefault, sets_a), run("loss", sets_a).data);
  const Asymmetry b = loss_asymmetry(load_config(kDefault, sets_b), run("loss_symmetric", sets_b).data);
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

TEST(Behaviour, HouseholdsDiffer) {
  const double het = promoted_spend_share_sd(base().data);
  const double hom = promoted_spend_share_sd(run("homogeneous", with(kBase, homogeneous())).data);
  std::printf("[measured] sd over households of the promoted share of spending: %.4f heterogeneous, %.4f with every "
              "parameter fixed\n",
              het, hom);
  EXPECT_GT(het, 1.5 * hom);
}

// ---- several products of one category on a trip ----------------------------------------------

namespace {

/// Of the (basket, category) groups with a line, the share with at least 2 lines, with its
/// standard error clustered by household; and of those, the share with at least 3.
struct CategoryRepeats {
  double two = 0, se = 0, three_given_two = 0;
  size_t groups = 0;
};
CategoryRepeats category_repeats(const Dataset& d) {
  std::map<std::pair<i64, i32>, std::pair<i32, int>> groups;  // (basket, category) -> (household, lines)
  for (size_t i = 0; i < d.lines(); ++i) {
    auto& g = groups[{d.basket[i], d.product_category[d.product[i]]}];
    g.first = d.hh[i];
    ++g.second;
  }
  std::map<i32, std::pair<double, double>> per_hh;  // household -> (groups, groups with >= 2 lines)
  double n = 0, two = 0, three = 0;
  for (const auto& [key, g] : groups) {
    n += 1, two += g.second >= 2, three += g.second >= 3;
    per_hh[g.first].first += 1;
    per_hh[g.first].second += g.second >= 2;
  }
  CategoryRepeats r;
  r.groups = groups.size();
  r.two = two / n;
  r.three_given_two = two > 0 ? three / two : 0;
  double ss = 0;
  for (const auto& [h, c] : per_hh) ss += (c.second - r.two * c.first) * (c.second - r.two * c.first);
  r.se = std::sqrt(ss) / n;
  return r;
}

}  // namespace

TEST(Behaviour, SeveralProductsOfACategoryOnOneTrip) {
  // After each pick another one follows with the household's variety q ~ Beta(1, 3) (every
  // mission's multiplier 1 here): P(>= 2 lines | a line) = E[q] = 1/4, P(>= 3 | >= 2) =
  // E[q^2] / E[q] = 2/5 (a category of k products stops at k; few have fewer than 4).
  std::string missions = "choice.missions=[";
  for (const auto& m : load_config(kDefault).choice.missions) {
    std::string deps;
    for (const auto& d : m.departments) deps += (deps.empty() ? "" : ", ") + d;
    missions += fmt::format("{}{{name: {}, share: {}, shift: {}, linked_share: {}, link_boost: {}, departments: [{}], variety: 1}}",
                            missions.size() > 17 ? ", " : "", m.name, m.share, m.shift, m.linked_share, m.link_boost, deps);
  }
  missions += "]";
  const Dataset& flat = run("variety_flat", with(kBase, {missions, "households.variety={dist: beta, a: 1, b: 3}"})).data;
  const CategoryRepeats on = category_repeats(flat), none = category_repeats(off().data);
  std::printf("[measured] (basket, category) groups with >= 2 lines: %.4f +- %.4f (expected %.4f), >= 3 of those %.3f "
              "(expected %.3f); %zu groups; variety 0: %.4f\n",
              on.two, on.se, 0.25, on.three_given_two, 0.4, on.groups, none.two);
  EXPECT_NEAR(on.two, 0.25, 4 * on.se);
  EXPECT_NEAR(on.three_given_two, 0.4, 0.03);
  EXPECT_EQ(none.two, 0.0) << "variety 0: one product per category and trip";
}

// ---- a few stores per household ----------------------------------------------------------------

TEST(Behaviour, AwayTripsStayInTheHouseholdsStoreSet) {
  // An away trip (a basket outside the home store) of a household with n secondary stores leaves
  // the set with probability outside x (1 - n / (S - 1)): outside the set with stores.set.outside,
  // which can still land on a secondary store.  S = 10 stores in kBase.
  const Dataset& d = base().data;
  const double outside = 0.12, S = 10;
  std::set<std::pair<i64, i64>> seen;  // (household, basket)
  double away = 0, out = 0, expected = 0, var = 0;
  for (size_t i = 0; i < d.lines(); ++i) {
    const i64 key = d.household[i];
    if (!seen.insert({key, d.basket[i]}).second) continue;  // one count per basket
    const auto& set = d.secondary_stores.at(key);
    if (d.store[i] == d.home_store.at(key) || set.empty()) continue;  // without a set every away trip is outside
    const double p = outside * (1 - static_cast<double>(set.size()) / (S - 1));
    away += 1;
    out += std::find(set.begin(), set.end(), d.store[i]) == set.end();
    expected += p;
    var += p * (1 - p);
  }
  std::printf("[measured] away baskets outside the store set: %.0f of %.0f (expected %.1f +- %.1f)\n", out, away, expected,
              std::sqrt(var));
  ASSERT_GT(away, 10000);
  EXPECT_NEAR(out, expected, 4 * std::sqrt(var));
}

TEST(Behaviour, StoreSetsAndVarietyMoveTheirValidateMeasures) {
  // validate's measures on the same thinning as against the real sample: distinct stores of
  // households with >= 20 kept lines, and the same-category share of a basket's line pairs; both
  // move when their mechanism is switched off (kOff: stores.set.outside = 1, variety 0).
  LikenessOptions o;
  o.keep_rate = 0.052;
  const auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); };
  const LikenessSample on = likeness_sample(base().data, o), none = likeness_sample(off().data, o);
  const double s_on = mean(on.stores_per_household), s_off = mean(none.stores_per_household);
  const double p_on = basket_pairs(base().data).share(), p_off = basket_pairs(off().data).share();
  std::printf("[measured] stores per household (>= 20 kept lines): %.2f with store sets, %.2f without (%zu, %zu "
              "households); same-category pair share %.4f with variety, %.4f without\n",
              s_on, s_off, on.stores_per_household.size(), none.stores_per_household.size(), p_on, p_off);
  ASSERT_GT(on.stores_per_household.size(), 100u);
  EXPECT_LT(s_on, s_off - 0.5);
  EXPECT_GT(p_on, 0.02);
  EXPECT_EQ(p_off, 0.0);
}

// ---- baskets: heavy tail and mission co-occurrence --------------------------------------------

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
  // The synthetic world, whose promotions the band was set for: the learned world's categories
  // carry the real discount frequencies (some always on deal), so their store-weeks differ less in
  // promotion intensity and the top-third-against-bottom-third lift is smaller there.
  const Dataset& d = run("synthetic", {"scale.households=1500", "scale.weeks=26", "world.table=", "world.calibration=",
                                       "promotions.source=config", "promotions.depth_step=0.05", "scale.categories=300"})
                         .data;
  const CategoryLifts cl = category_promo_lifts(d);
  const std::vector<double>& lifts = cl.lifts;
  const double in_range = cl.in_range;
  auto q = [&](double p) { return lifts[static_cast<size_t>(p * (lifts.size() - 1))]; };
  std::printf("[measured] category promotional lift over %zu categories: p10 %.2f, p25 %.2f, median %.2f, p75 %.2f, "
              "p90 %.2f; %.0f%% within [0.2, 1.0]\n",
              lifts.size(), q(0.1), q(0.25), q(0.5), q(0.75), q(0.9), 100 * in_range);
  EXPECT_GT(in_range, 0.5);
}

}  // namespace
