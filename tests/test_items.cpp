// The CUDA backend's shape of a week (include/retailsynth/model/week_items.h) checked on the
// host: the lane combination and the chunked walk equal the scalar ones bit for bit, the eight
// lanes' evaluation equals RecomputeEval on a real market, and the whole decomposition (backend
// cpu-items) writes the CPU backend's bytes on the small, default, scenario and campaign configs.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "backend.h"
#include "config.h"
#include "engine/heterogeneity.h"
#include "market.h"
#include "retailsynth/model/week_items.h"
#include "simulator.h"
#include "test_helpers.h"
#include "world.h"

using namespace retailsynth;
namespace fs = std::filesystem;

namespace {

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST(Items, LaneButterflyAddsInCombineLanesOrder) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-30.0f, 10.0f);
  int differs_from_left_fold = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    float a[math::kLseLanes];
    for (float& x : a) x = std::exp(u(rng)) * (trial % 3 == 0 ? 1e-7f : 1.0f);
    if (trial % 5 == 0) a[trial % 8] = 0.0f;
    const float want = math::combine_lanes(a);
    for (int lane = 0; lane < math::kLseLanes; ++lane)
      ASSERT_TRUE(same_bits(lanes_butterfly(a, lane_sum_step, lane), want)) << trial << " lane " << lane;
    float fold = 0.0f;
    for (float x : a) fold = fold + x;
    differs_from_left_fold += !same_bits(fold, want);
    float mx = -math::kInf;
    for (float x : a) mx = x > mx ? x : mx;
    for (int lane = 0; lane < math::kLseLanes; ++lane) ASSERT_EQ(lanes_butterfly(a, lane_max_step, lane), mx);
  }
  // The order matters: a plain left fold rounds differently on a good share of these sums, so
  // the equality above is a real check of the order.
  EXPECT_GT(differs_from_left_fold, 1000);
}

TEST(Items, ChunkedWalkPicksWhatTheSequentialWalkPicks) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  struct Chunk {
    const std::vector<float>* w;
    int base = 0;
    void load(int b) { base = b; }
    float get(int l) const { return (*w)[base + l]; }
  };
  for (int trial = 0; trial < 20000; ++trial) {
    const int n = 1 + trial % 43;
    std::vector<float> w(n);
    for (float& x : w) x = u01(rng) < 0.3f ? 0.0f : std::exp(-20.0f * u01(rng));
    float total = 0.0f;
    for (float x : w) total = total + x;
    const float u = trial % 97 == 0 ? 0.99999994f : u01(rng);
    Chunk c{&w};
    const int want = math::sample_categorical(n, total, u, [&](int i) { return w[i]; });
    ASSERT_EQ(sample_categorical_chunked(n, total, u, c), want) << trial;
  }
  std::vector<float> zeros(9, 0.0f);
  Chunk c{&zeros};
  EXPECT_EQ(sample_categorical_chunked(9, 0.0f, 0.5f, c), -1);
}

TEST(Items, EightLanesEvaluateAsRecomputeEvalOnARealMarket) {
  const Config cfg = load_config(rs_test::source_path("configs/small.yaml"));
  const Catalog cat = build_catalog(cfg);
  const Stores stores = build_stores(cfg);
  const Market market(cfg, cat, stores);
  MarketCursor cursor(cfg, market);
  WeekInputs week;
  cursor.next(week);
  SimView v{};
  v.cat = cat.view();
  v.week = week.view();
  v.choice = make_choice_params(cfg);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
  int picks = 0;
  for (int trial = 0; trial < 200; ++trial) {
    HouseholdCoefs c{-2.0f + uni(rng), 2.0f + uni(rng), 1.0f + uni(rng), 0.5f + uni(rng),
                     0.5f + uni(rng),  1.0f + uni(rng), 2.0f + uni(rng), 1.0f + uni(rng)};
    const i32 s = trial % week.n_stores;
    for (i32 k = 0; k < v.cat.n_categories; ++k) {
      CategoryExtras x{};
      x.last = trial % 2 ? v.cat.cat_begin[k] + trial % 5 : -1;
      RecomputeEval a;
      LanesInOneThread b;
      a.evaluate(v, c, s, k, x);
      b.evaluate(v, c, s, k, x);
      ASSERT_TRUE(same_bits(a.max, b.max)) << k;
      ASSERT_TRUE(same_bits(a.sum, b.sum)) << k;
      const float u = (trial * 0.618034f + k * 0.1f) - std::floor(trial * 0.618034f + k * 0.1f);
      Picks picked{};
      for (int m = 0; m < kMaxPicks; ++m) {  // a pick, then further ones without replacement
        const int pa = a.pick(v, c, s, k, x, u, picked), pb = b.pick(v, c, s, k, x, u, picked);
        ASSERT_EQ(pa, pb) << k << " pick " << m;
        if (pa < 0) break;
        ASSERT_FALSE(picked.has(pa)) << "picked twice";
        picked.index[picked.n++] = pa;
        ++picks;
      }
    }
  }
  EXPECT_GT(picks, 1000);
}

namespace {

const char* kItemFiles[] = {"transaction_data.csv", "truth/trips.csv",     "truth/store_weeks.csv", "truth/households.csv",
                            "truth/outcomes.csv",   "coupon_redempt.csv", "campaign_table.csv"};

/// Generates `config` with the cpu and cpu-items backends; the data files of the run, or of each
/// scenario folder in `subs`, must match byte for byte.
void expect_items_match_cpu(const std::string& config, const std::vector<std::string>& sets,
                            const std::vector<std::string>& scenarios = {}, const std::vector<std::string>& subs = {""},
                            int threads = 0) {
  const fs::path dir = rs_test::temp_dir("items");
  for (const char* backend : {"cpu", "cpu-items"}) {
    GenerateOptions o;
    o.config_path = rs_test::source_path(config);
    o.overrides = sets;
    o.backend = backend;
    o.scenarios = scenarios;
    o.out_dir = (dir / backend).string();
    o.quiet = true;
    o.threads = threads;
    generate(o);
  }
  for (const auto& sub : subs)
    for (const char* f : kItemFiles) {
      ASSERT_TRUE(fs::exists(dir / "cpu" / sub / f)) << f;
      EXPECT_EQ(rs_test::read_file(dir / "cpu" / sub / f), rs_test::read_file(dir / "cpu-items" / sub / f))
          << sub << "/" << f;
    }
  fs::remove_all(dir);
}

}  // namespace

TEST(Items, SameBytesAsCpuOnTheSmallConfigWithCampaigns) { expect_items_match_cpu("configs/small.yaml", {}); }

TEST(Items, SameBytesAsCpuWithoutTheExactSkipAndOnOneThread) {
  expect_items_match_cpu("configs/small.yaml", {"choice.exact_skip=false", "scale.weeks=8"}, {}, {""}, 1);
}

TEST(Items, SameBytesAsCpuOnTheDefaultConfig) {
  // 1,000 households x 13 weeks of the default (learned) world, several blocks, coupons included.
  expect_items_match_cpu("configs/default.yaml",
                         {"scale.households=1000", "scale.weeks=13", "output.block_households=300"});
}

TEST(Items, SameBytesAsCpuInAScenarioSet) {
  const std::vector<std::string> scenarios = {rs_test::source_path("configs/scenarios/I_frequent_shallow.yaml"),
                                              rs_test::source_path("configs/scenarios/IV_rare_deep.yaml")};
  expect_items_match_cpu("configs/small.yaml", {}, scenarios, {"I_frequent_shallow", "IV_rare_deep"});
}
