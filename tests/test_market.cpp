// Pricing and promotion engines at the default config (DESIGN §3.2-3.4): the market does not
// depend on households, so it is built here for every week of the default world directly.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "config.h"
#include "engine/utility_terms.h"
#include "retailsynth/math/fastmath.h"
#include "market.h"
#include "test_helpers.h"

using namespace retailsynth;

namespace {

struct DefaultMarket {
  Config cfg;
  Catalog cat;
  Stores stores;
  std::unique_ptr<Market> market;
  std::vector<WeekInputs> weeks;
  explicit DefaultMarket(const std::vector<std::string>& sets = {})
      : cfg(load_config(rs_test::source_path("configs/default.yaml"), sets)),
        cat(build_catalog(cfg)),
        stores(build_stores(cfg)),
        market(std::make_unique<Market>(cfg, cat, stores)) {}
  void build_all() {
    weeks.resize(cfg.scale.weeks);
    for (u32 w = 1; w <= static_cast<u32>(cfg.scale.weeks); ++w) market->build_week(w, weeks[w - 1]);
  }
};

DefaultMarket& shared_market() {
  static DefaultMarket m = [] {
    DefaultMarket d;
    d.build_all();
    return d;
  }();
  return m;
}

/// The synthetic world with the config's promotion law (world.table empty), whose ranges some
/// tests check.
const std::vector<std::string> kSynthetic = {"world.table=", "world.calibration=", "promotions.source=config",
                                             "promotions.depth_step=0.05", "scale.categories=300"};

DefaultMarket& synthetic_market() {
  static DefaultMarket m = [] {
    DefaultMarket d(kSynthetic);
    d.build_all();
    return d;
  }();
  return m;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / v.size();
}
double sd_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / (v.size() - 1));
}

}  // namespace

TEST(Pricing, InflationOverAYearMatchesConfig) {
  auto& m = shared_market();
  const auto& pr = m.market->pricing();
  EXPECT_NEAR(pr.inflation(53) / pr.inflation(1), 1.025, 1e-12);
  // Chain prices a year apart: the mean log ratio over categories is log(1.025), within 4
  // standard errors of the category cost shocks and price regimes.
  std::vector<double> per_cat(m.cat.n_categories(), 0.0);
  for (i32 k = 0; k < m.cat.n_categories(); ++k) {
    double s = 0;
    for (i32 j = m.cat.cat_begin[k]; j < m.cat.cat_begin[k + 1]; ++j) s += std::log(pr.chain_price(j, 60) / pr.chain_price(j, 8));
    per_cat[k] = s / (m.cat.cat_begin[k + 1] - m.cat.cat_begin[k]);
  }
  const double se = sd_of(per_cat) / std::sqrt(per_cat.size());
  EXPECT_NEAR(mean_of(per_cat), std::log(1.025), 4 * se + 1e-9) << "se " << se;
  // And the base prices customers see follow: the mean store-level log base price rises by
  // about log(1.025) from week 8 to week 60 too.
  double d = 0;
  for (size_t at = 0; at < m.weeks[7].base_cents.size(); at += 7)
    d += std::log(double(m.weeks[59].base_cents[at]) / m.weeks[7].base_cents[at]);
  d /= (m.weeks[7].base_cents.size() + 6) / 7;
  EXPECT_NEAR(d, std::log(1.025), 0.012);
}

TEST(Pricing, RegimesPersistAsConfigured) {
  auto& m = shared_market();
  const auto& pr = m.market->pricing();
  double stays = 0, n = 0;
  for (i32 j = 0; j < m.cat.n_products(); ++j)
    for (u32 t = 2; t <= 104; ++t) {
      stays += pr.regime(j, t) == pr.regime(j, t - 1);
      n += 1;
    }
  const double p = 0.95;
  EXPECT_NEAR(stays / n, p, 4 * std::sqrt(p * (1 - p) / n));
  int lo = 0, hi = 0;
  for (i32 j = 0; j < m.cat.n_products(); ++j)
    for (u32 t = 1; t <= 104; ++t) lo = std::min(lo, pr.regime(j, t)), hi = std::max(hi, pr.regime(j, t));
  EXPECT_EQ(lo, -2);
  EXPECT_EQ(hi, 2);
}

TEST(Pricing, PricesLandOnPricePoints) {
  auto& syn = synthetic_market();
  for (const u32 w : {1u, 52u, 104u})
    for (size_t at = 0; at < syn.weeks[w - 1].base_cents.size(); ++at) {
      ASSERT_EQ(syn.weeks[w - 1].base_cents[at] % 10, 9u);
      ASSERT_EQ(syn.weeks[w - 1].shelf_cents[at] % 10, 9u);
    }
  // The learned world: each product's prices end in its own digit.
  auto& m = shared_market();
  const size_t P = static_cast<size_t>(m.cat.n_products());
  std::vector<int> endings(10, 0);
  for (const u32 w : {1u, 52u, 104u})
    for (size_t at = 0; at < m.weeks[w - 1].base_cents.size(); ++at) {
      ASSERT_EQ(m.weeks[w - 1].base_cents[at] % 10, m.cat.price_ending[at % P]);
      ASSERT_EQ(m.weeks[w - 1].shelf_cents[at] % 10, m.cat.price_ending[at % P]);
      ++endings[m.cat.price_ending[at % P]];
    }
  EXPECT_GT(endings[0], 0);
  EXPECT_GT(endings[5], 0);
  EXPECT_GT(endings[9], endings[0]);
  EXPECT_EQ(round_to_price_point_cents(2.34), 239u);
  EXPECT_EQ(round_to_price_point_cents(2.33), 229u);
  EXPECT_EQ(round_to_price_point_cents(0.01), 19u);
}

TEST(Pricing, BasePricesDoNotMoveWithPromotions) {
  auto& with = shared_market();
  DefaultMarket without({"promotions.source=config", "promotions.share_min=0", "promotions.share_max=0"});
  WeekInputs w;
  for (const u32 week : {1u, 30u, 104u}) {
    without.market->build_week(week, w);
    EXPECT_EQ(w.base_cents, with.weeks[week - 1].base_cents) << "week " << week;
    EXPECT_EQ(w.shelf_cents, w.base_cents) << "no promotions: shelf = base";
  }
}

/// Checks week `week` of a market product by product against the engines' scalar functions: the
/// market computes its rows in vector passes, which must give the same values.
void expect_rows_match_engines(const Config& cfg, const Catalog& cat, const Market& market, const WeekInputs& w, u32 week) {
  const int woy = market.calendar().week_of_year(week);
  for (i32 s = 0; s < w.n_stores; ++s)
    for (i32 j = 0; j < cat.n_products(); ++j) {
      const size_t at = w.view().at(s, j);
      ASSERT_EQ(w.base_cents[at], market.pricing().base_cents(s, j, week)) << "store " << s << " product " << j;
      const double shelf = w.shelf_cents[at] * 0.01;
      const float base_u = static_cast<float>(base_utility(cfg, cat.alpha[j], cat.quality[j], shelf, w.depth[at]) +
                                              market.seasonality().product_relative_log_index(j, woy));
      ASSERT_EQ(w.base_u[at], base_u) << "store " << s << " product " << j;
      ASSERT_EQ(w.log_price[at], math::rs_log(static_cast<float>(w.shelf_cents[at]) * 0.01f));
    }
}

TEST(Market, VectorRowsMatchTheScalarEngines) {
  auto& m = shared_market();
  for (const u32 week : {1u, 52u, 104u}) expect_rows_match_engines(m.cfg, m.cat, *m.market, m.weeks[week - 1], week);
}

TEST(Market, RowsWithPolicyPriceChangesMatchTheScalarEngines) {
  Config cfg = load_config(rs_test::source_path("configs/default.yaml"), {"scale.weeks=20"});
  const Catalog cat = build_catalog(cfg);
  const Stores stores = build_stores(cfg);
  Config::PriceChange change;
  change.category = cat.cat_name[3];
  change.from_week = 5;
  change.to_week = 9;
  change.multiplier = 1.3;
  cfg.price_changes.push_back(change);
  const Market market(cfg, cat, stores);
  ASSERT_FALSE(market.pricing().no_price_changes());
  WeekInputs w;
  for (const u32 week : {4u, 7u}) {
    market.build_week(week, w);
    expect_rows_match_engines(cfg, cat, market, w, week);
  }
}

/// Each category's share of promoted product-store-weeks over the run.
std::vector<double> promoted_shares(const DefaultMarket& m) {
  const i32 K = m.cat.n_categories();
  std::vector<double> promoted(K, 0), total(K, 0);
  for (const auto& w : m.weeks)
    for (i32 s = 0; s < w.n_stores; ++s)
      for (i32 j = 0; j < m.cat.n_products(); ++j) {
        const i32 k = m.cat.category[j];
        promoted[k] += w.depth[w.view().at(s, j)] > 0;
        total[k] += 1;
      }
  for (i32 k = 0; k < K; ++k) promoted[k] /= total[k];
  return promoted;
}

double mean_target_gap(const DefaultMarket& m, const std::vector<double>& share) {
  double err = 0;
  for (size_t k = 0; k < share.size(); ++k) err += std::fabs(share[k] - m.market->promotions().category_target_share(k));
  return err / share.size();
}

TEST(Promotions, CategoryShareInRangeAndCategoriesDiffer) {
  auto& m = synthetic_market();
  const std::vector<double> share = promoted_shares(m);
  for (size_t k = 0; k < share.size(); ++k) {
    EXPECT_GE(share[k], 0.10) << m.cat.cat_name[k];
    EXPECT_LE(share[k], 0.30) << m.cat.cat_name[k];
  }
  EXPECT_GT(sd_of(share), 0.02) << "categories differ";
  EXPECT_LT(mean_target_gap(m, share), 0.03) << "each category's share follows its own target";
}

TEST(Promotions, LearnedSharesFollowTheirTargetsWithDealProneProducts) {
  auto& m = shared_market();
  const std::vector<double> share = promoted_shares(m);
  EXPECT_GT(sd_of(share), 0.05) << "categories differ as the real ones do";
  EXPECT_LT(mean_target_gap(m, share), 0.03);
  // Products always on deal are promoted every week in every store; those never on deal never.  A
  // shallow discount on a cheap item rounds away (no promotion that week), so "always" is most weeks.
  double always_on = 0, always_n = 0;
  for (i32 j = 0; j < m.cat.n_products(); j += 37) {
    long on = 0, n = 0;
    for (const auto& w : m.weeks)
      for (i32 s = 0; s < w.n_stores; ++s) on += w.depth[w.view().at(s, j)] > 0, ++n;
    if (m.cat.deal[j] == kDealNever) {
      EXPECT_EQ(on, 0) << j;
    }
    if (m.cat.deal[j] == kDealAlways) {
      EXPECT_GT(on, 0.5 * n) << j;
      always_on += static_cast<double>(on) / n, always_n += 1;
    }
  }
  ASSERT_GT(always_n, 10);
  EXPECT_GT(always_on / always_n, 0.8) << "products always on deal: promoted in most store-weeks";
}

TEST(Promotions, DepthsOnRoundLevelsWithinRange) {
  auto& m = synthetic_market();
  std::map<int, long> hist;
  double sum = 0, n = 0;
  for (const auto& w : m.weeks)
    for (size_t at = 0; at < w.depth.size(); ++at) {
      const float d = w.depth[at];
      if (d <= 0) continue;
      ASSERT_GE(d, 0.10f - 1e-6f);
      ASSERT_LE(d, 0.50f + 1e-6f);
      const double steps = d / 0.05;
      ASSERT_NEAR(steps, std::round(steps), 1e-4) << d;
      hist[static_cast<int>(std::lround(d * 100))]++;
      sum += d;
      n += 1;
      // Shelf price = round_pp(base * (1 - depth)).
      ASSERT_EQ(w.shelf_cents[at], round_to_price_ending_cents(w.base_cents[at] * 0.01 * (1.0 - d), m.cat.price_ending[at % m.cat.n_products()]));
    }
  EXPECT_NEAR(sum / n, 0.25, 0.03) << "mean depth about 0.25";
  EXPECT_GE(hist.size(), 8u) << "the depth levels are used";
}

TEST(Promotions, LearnedDepthsOnTheCentGridWithShallowOnes) {
  auto& m = shared_market();
  double n = 0, shallow = 0, deep = 0;
  for (const auto& w : m.weeks)
    for (size_t at = 0; at < w.depth.size(); ++at) {
      const float d = w.depth[at];
      if (d <= 0) continue;
      ASSERT_GE(d, 0.01f - 1e-6f);
      ASSERT_LE(d, 0.80f + 1e-6f);
      ASSERT_NEAR(d * 100, std::round(d * 100), 1e-3) << d;
      n += 1, shallow += d < 0.10f, deep += d > 0.5f;
    }
  EXPECT_GT(shallow / n, 0.05) << "discounts under 10% are offered";
  EXPECT_GT(deep / n, 0.005) << "and some deeper than half";
}

TEST(Promotions, DisplaysOccurWithinCapacity) {
  auto& m = shared_market();
  std::vector<long> count(4, 0);
  for (const auto& w : m.weeks)
    for (i32 s = 0; s < w.n_stores; ++s) {
      int ends = 0, feats = 0;
      for (i32 j = 0; j < m.cat.n_products(); ++j) {
        const size_t at = w.view().at(s, j);
        if (w.depth[at] <= 0) {
          ASSERT_EQ(w.display[at], 0) << "displays only on promotions";
          continue;
        }
        count[w.display[at]]++;
        ends += w.display[at] == 2;
        feats += w.display[at] == 3;
      }
      ASSERT_LE(ends, m.cfg.promotions.end_caps_per_store);
      ASSERT_LE(feats, m.cfg.promotions.feature_displays_per_store);
      EXPECT_EQ(static_cast<size_t>(ends), w.stores[s].end_caps.size());
      EXPECT_EQ(static_cast<size_t>(feats), w.stores[s].feature_displays.size());
    }
  for (int t = 0; t < 4; ++t) EXPECT_GT(count[t], 0) << kDisplayTypeNames[t];
}

TEST(Promotions, AdsAndMailersFavourDeepAndDisplayed) {
  auto& m = shared_market();
  // Shares of in_ad / mailer among deep (>= 0.30) vs shallow promotions, and among displayed
  // (end cap, feature) vs undisplayed ones; each difference must exceed 4 standard errors.
  double n[2][2] = {}, ad[2][2] = {}, mail[2][2] = {};  // [deep|displayed][yes/no]
  for (const auto& w : m.weeks)
    for (size_t at = 0; at < w.depth.size(); ++at) {
      if (w.depth[at] <= 0) continue;
      const int deep = w.depth[at] >= 0.30f, shown = w.display[at] >= 2;
      const int a = (w.feature[at] & kInAd) != 0, b = (w.feature[at] & kMailer) != 0;
      n[0][deep] += 1, ad[0][deep] += a, mail[0][deep] += b;
      n[1][shown] += 1, ad[1][shown] += a, mail[1][shown] += b;
    }
  for (int f = 0; f < 2; ++f) {
    for (auto* x : {ad, mail}) {
      const double p1 = x[f][1] / n[f][1], p0 = x[f][0] / n[f][0];
      const double se = std::sqrt(p1 * (1 - p1) / n[f][1] + p0 * (1 - p0) / n[f][0]);
      EXPECT_GT(p1 - p0, 4 * se) << (f ? "displayed" : "deep") << " " << p1 << " vs " << p0;
    }
  }
}

namespace {

/// Over the chain schedule (weeks 1..W) of the categories with a season: the mean log seasonal
/// index of the promoted product-weeks and of all product-weeks, and the promoted product-weeks.
struct SeasonOfPromotions {
  double promoted_log_index = 0, all_log_index = 0, promoted = 0;
};
SeasonOfPromotions season_of_promotions(const DefaultMarket& m) {
  const Seasonality& season = m.market->seasonality();
  const PromotionEngine& pe = m.market->promotions();
  SeasonOfPromotions r;
  double all = 0;
  for (i32 j = 0; j < m.cat.n_products(); ++j) {
    const i32 k = m.cat.category[j];
    if (m.cat.deal[j] != kDealNormal) continue;
    for (u32 t = 1; t <= static_cast<u32>(m.cfg.scale.weeks); ++t) {
      const double x = season.category_log_index(k, m.market->calendar().week_of_year(t));
      if (x == 0) continue;
      r.all_log_index += x, all += 1;
      if (pe.active_event(j, t) >= 0) r.promoted_log_index += x, r.promoted += 1;
    }
  }
  r.promoted_log_index /= r.promoted, r.all_log_index /= all;
  return r;
}

}  // namespace

TEST(Promotions, StartsFollowTheSeasonAndKeepTheYearsShare) {
  DefaultMarket on, off({"promotions.season_tilt=0"});
  const PromotionEngine& pe = on.market->promotions();
  const Seasonality& season = on.market->seasonality();
  const double tilt = on.cfg.promotions.season_tilt, boost = on.cfg.promotions.event_start_boost;
  ASSERT_GT(tilt, 0);
  // Every category's multipliers average 1 over a year: set_category_targets' share is kept.
  i32 turkey = -1;
  for (i32 k = 0; k < on.cat.n_categories(); ++k) {
    double sum = 0;
    for (int w = 1; w <= 52; ++w) sum += pe.category_week_multiplier(k, w);
    EXPECT_NEAR(sum / 52, 1.0, 1e-9) << on.cat.cat_name[k];
    if (on.cat.cat_name[k] == "TURKEY") turkey = k;
  }
  // TURKEY's Thanksgiving week (47, an event week) against midsummer (26): the boost times
  // index^tilt, exactly.
  ASSERT_GE(turkey, 0);
  const double expect = boost * std::exp(tilt * (season.category_log_index(turkey, 47) - season.category_log_index(turkey, 26)));
  EXPECT_NEAR(pe.category_week_multiplier(turkey, 47) / pe.category_week_multiplier(turkey, 26), expect, 1e-9 * expect);
  EXPECT_GT(expect, 20);
  // The schedule: without the tilt the promoted weeks are the season's average weeks (only the
  // event boost leans them); with it they lean to the peaks, and about as many weeks are promoted.
  const SeasonOfPromotions a = season_of_promotions(on), b = season_of_promotions(off);
  EXPECT_NEAR(b.promoted_log_index, b.all_log_index, 0.03) << "off";
  // 0.09 higher at the default tilt (most categories' seasons are mild); none without it.
  EXPECT_GT(a.promoted_log_index, b.promoted_log_index + 0.05) << "on " << a.promoted_log_index << " off " << b.promoted_log_index;
  EXPECT_NEAR(a.promoted / b.promoted, 1.0, 0.1);
}

TEST(Marketing, SignalVariesAndPeaksInEventWeeks) {
  for (DefaultMarket* m : {&synthetic_market(), &shared_market()}) {
    std::vector<double> chain;  // M averaged over stores, per week
    std::vector<double> ev, other;
    for (const auto& w : m->weeks) {
      double s = 0;
      for (float x : w.marketing) {
        ASSERT_GE(x, 0.0f);
        ASSERT_LE(x, 1.0f);
        s += x;
      }
      chain.push_back(s / w.marketing.size());
      (m->market->calendar().is_event(w.week) ? ev : other).push_back(chain.back());
    }
    // The learned world's always-on deals steady the signal: a smaller spread there.
    EXPECT_GE(sd_of(chain), m == &synthetic_market() ? 0.05 : 0.03) << "M varies over weeks";
    const double se = std::sqrt(sd_of(ev) * sd_of(ev) / ev.size() + sd_of(other) * sd_of(other) / other.size());
    EXPECT_GT(mean_of(ev) - mean_of(other), 4 * se) << mean_of(ev) << " vs " << mean_of(other);
  }
}

TEST(Marketing, ConfigErrorsNameTheKey) {
  auto err = [](const std::vector<std::string>& sets) {
    try {
      load_config(rs_test::source_path("configs/small.yaml"), sets);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(err({"promotions.store_participation=1.5"}).find("promotions.store_participation: must be in [0, 1]"),
            std::string::npos);
  EXPECT_NE(err({"promotions.shelf_tag_prob=-0.1"}).find("promotions.shelf_tag_prob: must be in [0, 1]"), std::string::npos);
  EXPECT_NE(err({"promotions.depth_min=0.5", "promotions.depth_max=0.2"}).find("promotions.depth_min: must be below"),
            std::string::npos);
  EXPECT_NE(err({"promotions.end_caps_per_store=-3"}).find("promotions.end_caps_per_store: must be in [0,"), std::string::npos);
  EXPECT_NE(err({"calendar.event_weeks=[1, 60]"}).find("calendar.event_weeks[1]: must be in [1, 52]"), std::string::npos);
  const auto r = rs_test::run_binary("generate --config " + rs_test::source_path("configs/small.yaml") +
                                     " --set promotions.depth_min=0.6 --out /tmp/rs_never_written");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("promotions.depth_min"), std::string::npos) << r.err;
}
