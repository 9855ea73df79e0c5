// The exact skip (include/retailsynth/model/incidence_bound.h): its bound never falls below the
// probability the evaluation computes, it changes no byte of the output on either evaluation
// path, the CPU's vectorised screen decides as the scalar path does, and it is on and working.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "backend.h"
#include "config.h"
#include "engine/heterogeneity.h"
#include "market.h"
#include "retailsynth/model/household_week.h"
#include "simulator.h"
#include "test_helpers.h"
#include "world.h"

using namespace retailsynth;
namespace fs = std::filesystem;

namespace {

/// A one-store world of random categories: product inputs drawn to reach the corners the bound
/// must survive (identical products, every product or none promoted, negative display effects,
/// gains and losses, utilities far from 0).
struct RandomWorld {
  std::vector<i32> cat_begin{0};
  std::vector<float> quality, alpha, cat_intercept, cat_iv_ref, mission_shift, log_price_dummy;
  WeekInputs w;
  ChoiceParams choice{};
  std::vector<u32> cents;

  RandomWorld(std::mt19937& rng, int K) {
    std::uniform_real_distribution<float> u01(0.0f, 1.0f);
    auto uni = [&](float a, float b) { return a + (b - a) * u01(rng); };
    choice.promo_depth_scale = uni(0.0f, 2.0f);
    choice.display_effect[0] = 0.0f;
    for (int t = 1; t < 4; ++t) choice.display_effect[t] = uni(-1.0f, 2.0f);
    choice.feature_scale = uni(0.0f, 1.0f);
    choice.iv_coefficient = uni(0.0f, 1.0f);
    choice.inventory_weight = uni(0.0f, 2.0f);
    choice.exact_skip = 1;
    for (int k = 0; k < K; ++k) {
      const int size_kind = static_cast<int>(u01(rng) * 4);
      const int n = size_kind == 0 ? 1 : size_kind == 1 ? 1 + static_cast<int>(u01(rng) * 20)
                                     : size_kind == 2 ? 50 + static_cast<int>(u01(rng) * 300) : 3000;
      cat_begin.push_back(cat_begin.back() + n);
      cat_intercept.push_back(uni(-12.0f, 4.0f));
      cat_iv_ref.push_back(uni(-5.0f, 5.0f));
    }
    const i32 P = cat_begin.back();
    w.week = 1;
    w.n_stores = 1;
    w.n_products = P;
    w.base_u.resize(P), w.log_price.resize(P), w.ref_gain.resize(P), w.depth.assign(P, 0.0f);
    w.display.assign(P, 0), w.feature.assign(P, 0), quality.resize(P), alpha.assign(P, 0.0f);
    w.cat_season.resize(K);
    for (int k = 0; k < K; ++k) {
      w.cat_season[k] = uni(-1.0f, 1.0f);
      const bool identical = u01(rng) < 0.3f;  // the tightest case: the bound is the exact value
      const float promo_share = u01(rng) < 0.3f ? 0.0f : (u01(rng) < 0.3f ? 1.0f : u01(rng));
      const float spread = u01(rng) < 0.5f ? 0.3f : 3.0f, centre = uni(-40.0f, 40.0f);
      for (i32 j = cat_begin[k]; j < cat_begin[k + 1]; ++j) {
        const bool first = j == cat_begin[k];
        if (identical && !first) {
          const i32 f = cat_begin[k];
          w.base_u[j] = w.base_u[f], w.log_price[j] = w.log_price[f], w.ref_gain[j] = w.ref_gain[f];
          w.depth[j] = w.depth[f], w.display[j] = w.display[f], w.feature[j] = w.feature[f], quality[j] = quality[f];
          continue;
        }
        w.base_u[j] = centre + spread * uni(-1.0f, 1.0f);
        w.log_price[j] = uni(-3.0f, 4.0f);
        w.ref_gain[j] = u01(rng) < 0.2f ? 0.0f : uni(-0.6f, 0.6f);
        quality[j] = u01(rng);
        if (u01(rng) < promo_share) {
          w.depth[j] = uni(0.05f, 0.7f);
          w.display[j] = static_cast<u8>(u01(rng) * 4);
          w.feature[j] = static_cast<u8>(u01(rng) * 4);
        }
      }
    }
    mission_shift.resize(K);
    for (int k = 0; k < K; ++k) mission_shift[k] = uni(-3.0f, 3.0f);
    cents.assign(P, 100);
    w.shelf_cents = w.base_cents = cents;
    w.marketing.assign(1, 0.0f);
    w.coupon_begin.assign(K + 1, 0);
    build_category_bounds(catalog(), choice, w);
  }
  CatalogView catalog() const {
    return CatalogView{static_cast<i32>(quality.size()), static_cast<i32>(cat_intercept.size()), cat_begin.data(),
                       alpha.data(), quality.data(), cat_intercept.data(), cat_iv_ref.data(), nullptr};
  }
  SimView view() const {
    SimView v{};
    v.cat = catalog();
    v.week = w.view();
    v.missions = MissionView{1, {1.0f}, {1.0f}, mission_shift.data()};
    v.choice = choice;
    return v;
  }
};

HouseholdCoefs random_coefs(std::mt19937& rng) {
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  auto uni = [&](float a, float b) { return a + (b - a) * u01(rng); };
  HouseholdCoefs c{};
  c.beta_price = uni(-8.0f, 2.0f);
  c.beta_quality = uni(-5.0f, 30.0f);
  c.beta_promo = uni(-2.0f, 10.0f);
  c.beta_display = uni(-1.0f, 1.0f);
  c.beta_feature = uni(-1.0f, 5.0f);
  c.beta_ref = uni(-3.0f, 10.0f);
  c.loss_aversion = uni(-1.0f, 10.0f);
  c.beta_loyal = uni(-2.0f, 5.0f);
  return c;
}

}  // namespace

TEST(ExactSkip, BoundIsNeverBelowTheProbabilityTheEvaluationComputes) {
  // For random and extreme coefficients, prices, promotions and loyalty, the bound from the
  // start-of-week inventory is at or above the probability computed from the full evaluation
  // (RecomputeEval, the GPU's path) at any later inventory.
  std::mt19937 rng(20261201);
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  long cases = 0, tight = 0;
  for (int world = 0; world < 40; ++world) {
    const RandomWorld rw(rng, 60);
    const SimView v = rw.view();
    for (int hh = 0; hh < 60; ++hh) {
      const HouseholdCoefs c = random_coefs(rng);
      const float basket_scale = -3.0f + 6.0f * u01(rng);  // with the affinity: the household's shift
      const SkipHousehold skip = skip_household(c);
      for (i32 k = 0; k < v.cat.n_categories; ++k) {
        const i32 begin = v.cat.cat_begin[k], n = v.cat.cat_begin[k + 1] - begin;
        CategoryExtras x{};
        x.last = u01(rng) < 0.5f ? begin + static_cast<i32>(u01(rng) * n) : -1;
        const float inventory0 = u01(rng) < 0.5f ? 0.0f : 5.0f * u01(rng);
        const float inventory = inventory0 + (u01(rng) < 0.5f ? 0.0f : 3.0f * u01(rng));  // purchases only add
        RecomputeEval eval;
        eval.evaluate(v, c, 0, k, x);
        const float iv = eval.max + math::rs_log(eval.sum);
        const float p = math::rs_sigmoid(incidence_logit(v, k, basket_scale, 0, iv, inventory));
        const CategoryBoundState b = category_bound_state(v, c, 0, k);
        ASSERT_TRUE(b.valid);
        const float bound = incidence_bound(v, b, k, basket_scale, 0, inventory0, x.last >= 0 ? skip.loyal_extra : 0.0f);
        ASSERT_GE(bound, p) << "world " << world << " household " << hh << " category " << k << " (" << n
                            << " products): iv " << iv << ", last " << x.last;
        // No u_buy that the evaluation turns into a purchase (below p) is skipped.
        if (p > 0.0f) {
          EXPECT_FALSE(cannot_buy(v, b, k, basket_scale, 0, inventory0, x.last >= 0 ? skip.loyal_extra : 0.0f,
                                  std::nextafter(p, 0.0f)))
              << "a u_buy just below the probability must be evaluated";
        }
        ++cases;
        tight += bound < 1.5f * p + 1e-6f;
      }
    }
  }
  EXPECT_EQ(cases, 40L * 60 * 60);
  EXPECT_GT(tight, cases / 20) << "the bound should be close to the probability in many cases, or it skips little";
}

TEST(ExactSkip, NonFiniteInputsAreNeverSkipped) {
  std::mt19937 rng(7);
  RandomWorld rw(rng, 3);
  rw.w.base_u[rw.cat_begin[1]] = std::nanf("");
  rw.w.ref_gain[rw.cat_begin[2]] = math::kInf;
  build_category_bounds(rw.catalog(), rw.choice, rw.w);
  const SimView v = rw.view();
  const HouseholdCoefs c = random_coefs(rng);
  EXPECT_TRUE(category_bound_state(v, c, 0, 0).valid);
  for (i32 k = 1; k < 3; ++k) {
    const CategoryBoundState b = category_bound_state(v, c, 0, k);
    EXPECT_FALSE(b.valid);
    EXPECT_FALSE(cannot_buy(v, b, k, 0.0f, 0, 0.0f, 0.0f, 0.999f));
  }
}

namespace {

/// Every week's evaluated pairs and records of a few weeks of `cfg` on one backend.
struct WeekRun {
  std::vector<u64> evaluated;
  std::vector<std::vector<Record>> records;
  u64 trip_product_pairs = 0;
};
WeekRun run_weeks(const Config& cfg, const std::string& backend_name, i32 n_households, u32 weeks) {
  const Catalog cat = build_catalog(cfg);
  const Stores stores = build_stores(cfg);
  const Market market(cfg, cat, stores);
  const Demographics demographics = make_demographics(cfg, cat);
  const HouseholdSpecView spec = make_household_spec(cfg, stores, &demographics);
  const Missions missions = make_missions(cfg, cat);
  auto backend = make_backend(backend_name);
  backend->prepare(RunSetup{cfg.seed, cat.view(), spec, missions.view(), make_choice_params(cfg), market.campaigns().view()});
  HouseholdBlock block;
  backend->sample_households(0, n_households, block);
  MarketCursor cursor(cfg, market);
  WeekRun r;
  for (u32 w = 0; w < weeks; ++w) {
    WeekInputs in;
    cursor.next(in);
    WeekRecords out;
    backend->simulate_week(in, out);
    r.evaluated.push_back(out.evaluated_pairs);
    r.records.push_back(out.records);
    for (u8 t : out.trips) r.trip_product_pairs += static_cast<u64>(t) * cat.n_products();
  }
  return r;
}

bool same_records(const std::vector<Record>& a, const std::vector<Record>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(Record)) == 0;
}

}  // namespace

TEST(ExactSkip, VectorisedScreenDecidesAsTheScalarPath) {
  // The CPU screens a trip's categories in vector registers; the GPU's scalar path decides one at
  // a time.  Same records and the same number of evaluated pairs, week by week, with coupons.
  const Config cfg = load_config(rs_test::source_path("configs/small.yaml"));
  const WeekRun cpu = run_weeks(cfg, "cpu", 300, 6), ref = run_weeks(cfg, "cpu-reference", 300, 6);
  for (size_t w = 0; w < cpu.evaluated.size(); ++w) {
    EXPECT_EQ(cpu.evaluated[w], ref.evaluated[w]) << "week " << w + 1;
    EXPECT_TRUE(same_records(cpu.records[w], ref.records[w])) << "week " << w + 1;
  }
}

TEST(ExactSkip, SkipsMostEvaluationsOnTheDefaultWorld) {
  // On the default world most category evaluations cannot change a choice: the skip must stay on
  // and leave out more than half of the trips x products pairs; switched off it evaluates all.
  const Config on = load_config(rs_test::source_path("configs/default.yaml"), {"scale.households=300"});
  const Config off = load_config(rs_test::source_path("configs/default.yaml"), {"scale.households=300", "choice.exact_skip=false"});
  const WeekRun a = run_weeks(on, "cpu", 300, 3), b = run_weeks(off, "cpu", 300, 3);
  u64 evaluated_on = 0, evaluated_off = 0;
  for (size_t w = 0; w < a.evaluated.size(); ++w) {
    evaluated_on += a.evaluated[w], evaluated_off += b.evaluated[w];
    EXPECT_TRUE(same_records(a.records[w], b.records[w])) << "week " << w + 1;
  }
  ASSERT_GT(a.trip_product_pairs, 0u);
  const double skipped = 1.0 - static_cast<double>(evaluated_on) / a.trip_product_pairs;
  EXPECT_GT(skipped, 0.5) << "skipped share " << skipped;
  EXPECT_EQ(evaluated_off, b.trip_product_pairs) << "without the skip every trip evaluates every product";
}

namespace {

const char* kSkipDataFiles[] = {"transaction_data.csv", "truth/trips.csv", "truth/store_weeks.csv", "truth/households.csv",
                                "truth/outcomes.csv", "coupon_redempt.csv", "campaign_table.csv"};

void expect_same_files(const fs::path& a, const fs::path& b) {
  for (const char* f : kSkipDataFiles) {
    ASSERT_TRUE(fs::exists(a / f)) << (a / f);
    EXPECT_EQ(rs_test::read_file(a / f), rs_test::read_file(b / f)) << f << " differs between " << a << " and " << b;
  }
}

/// Generates `config` (with `sets` and `scenarios`) with choice.exact_skip on and off on
/// `backend`; the data files of the run, or of each scenario folder `subs`, must match.
void expect_skip_changes_nothing(const std::string& config, std::vector<std::string> sets, const std::string& backend,
                                 const std::vector<std::string>& scenarios = {},
                                 const std::vector<std::string>& subs = {""}) {
  const fs::path dir = rs_test::temp_dir("skip");
  for (const char* on : {"true", "false"}) {
    GenerateOptions o;
    o.config_path = rs_test::source_path(config);
    o.overrides = sets;
    o.overrides.push_back(std::string("choice.exact_skip=") + on);
    o.backend = backend;
    o.scenarios = scenarios;
    o.out_dir = (dir / on).string();
    o.quiet = true;
    generate(o);
  }
  for (const auto& sub : subs) expect_same_files(dir / "true" / sub, dir / "false" / sub);
  fs::remove_all(dir);
}

}  // namespace

TEST(ExactSkip, SameBytesOnTheSmallConfigWithCampaigns) {
  for (const char* backend : {"cpu", "cpu-reference"}) expect_skip_changes_nothing("configs/small.yaml", {}, backend);
}

TEST(ExactSkip, SameBytesOnTheDefaultConfig) {
  // 1,000 households x 13 weeks of the default world, its first three coupon campaigns included.
  for (const char* backend : {"cpu", "cpu-reference"})
    expect_skip_changes_nothing("configs/default.yaml", {"scale.households=1000", "scale.weeks=13"}, backend);
}

TEST(ExactSkip, SameBytesInAScenarioSet) {
  const std::vector<std::string> scenarios = {rs_test::source_path("configs/scenarios/I_frequent_shallow.yaml"),
                                              rs_test::source_path("configs/scenarios/IV_rare_deep.yaml")};
  for (const char* backend : {"cpu", "cpu-reference"})
    expect_skip_changes_nothing("configs/small.yaml", {}, backend, scenarios, {"I_frequent_shallow", "IV_rare_deep"});
}
