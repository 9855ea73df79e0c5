// Household demographics: the learner on a hand-made dataset, the real file's words, the profiles'
// shares in a run (all households and the shown ones), the ties to the parameters and the
// category affinities, and that the children's tie moves what households buy.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include <fmt/format.h>

#include "analysis/dataset.h"
#include "analysis/demographic_measures.h"
#include "backend.h"
#include "config.h"
#include "engine/demographics.h"
#include "engine/heterogeneity.h"
#include "retailsynth/model/demographic_draw.h"
#include "test_helpers.h"
#include "world.h"

using namespace retailsynth;
namespace fs = std::filesystem;

namespace {

/// A TCJ folder: categories A and B; households 1-2 (children) buy A 30 and B 10 times, 3-4 (none)
/// A 10 and B 30 times, 5 (no demographics row) A 5 times.
fs::path hand_made_dataset() {
  const fs::path dir = rs_test::temp_dir("demo_learn");
  rs_test::write_file(dir / "product.csv",
                      "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n"
                      "1,1,GROCERY,National,CAT A,X,1 OZ\n2,1,GROCERY,National,CAT B,Y,1 OZ\n");
  std::string tx = "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,WEEK_NO,"
                   "COUPON_DISC,COUPON_MATCH_DISC\n";
  int basket = 1;
  auto lines = [&](int hh, int product, int n) {
    for (int i = 0; i < n; ++i) tx += fmt::format("{},{},1,{},1,1.00,1,0,1200,1,0,0\n", hh, basket++, product);
  };
  for (int hh : {1, 2}) lines(hh, 1, 15), lines(hh, 2, 5);
  for (int hh : {3, 4}) lines(hh, 1, 5), lines(hh, 2, 15);
  lines(5, 1, 5);
  rs_test::write_file(dir / "transaction_data.csv", tx);
  rs_test::write_file(dir / "hh_demographic.csv",
                      "AGE_DESC,MARITAL_STATUS_CODE,INCOME_DESC,HOMEOWNER_DESC,HH_COMP_DESC,HOUSEHOLD_SIZE_DESC,"
                      "KID_CATEGORY_DESC,household_key\n"
                      "35-44,A,50-74K,Homeowner,2 Adults Kids,4,2,1\n35-44,A,50-74K,Homeowner,2 Adults Kids,4,2,2\n"
                      "65+,B,15-24K,Renter,1 Adult No Kids,1,None/Unknown,3\n65+,B,15-24K,Renter,1 Adult No Kids,1,None/Unknown,4\n");
  return dir;
}

/// n households of the default config (with `sets`) sampled by the CPU backend, seed 11.
struct Sampled {
  Config cfg;
  Catalog cat;
  Demographics demo;
  HouseholdBlock block;
};
Sampled sample(i32 n, const std::vector<std::string>& sets = {}) {
  Sampled s{load_config(rs_test::source_path("configs/default.yaml"), sets), {}, {}, {}};
  s.cat = build_catalog(s.cfg);
  s.demo = make_demographics(s.cfg, s.cat);
  const Stores stores = build_stores(s.cfg);
  RunSetup setup{};
  setup.seed = 11;
  setup.catalog = s.cat.view();
  setup.spec = make_household_spec(s.cfg, stores, &s.demo);
  auto backend = make_cpu_backend();
  backend->prepare(setup);
  backend->sample_households(0, n, s.block);
  return s;
}

}  // namespace

TEST(Demographics, LearnerCountsProfilesAndShrinksTheKidsRatio) {
  const fs::path dir = hand_made_dataset(), out = dir / "learned";
  run_learn_demographics(DemographicsLearnOptions{dir.string()}, out.string());
  const DemographicProfiles p = DemographicProfiles::load((out / "profiles.csv").string());
  ASSERT_EQ(p.values.size(), 2u);
  EXPECT_EQ(p.values[0][0], "35-44");  // sorted by the words
  EXPECT_EQ(p.households[0], 2);
  EXPECT_EQ(p.households[1], 2);
  const KidsRatios k = KidsRatios::load((out / "kids.csv").string());
  ASSERT_EQ(k.category.size(), 2u);
  // Category A: 30 lines of 40 with children, 10 of 40 without; household 5 has no row.
  const double rel = 40.0 / (40.0 + kKidsShrinkLines);
  EXPECT_EQ(k.category[0], "CAT A");
  EXPECT_EQ(k.lines_kids[0], 30);
  EXPECT_EQ(k.lines_no_kids[0], 10);
  EXPECT_NEAR(k.reliability[0], rel, 1e-6);
  EXPECT_NEAR(k.log_ratio[0], rel * std::log(30.5 / 10.5), 1e-6);
  EXPECT_NEAR(k.log_ratio[1], -k.log_ratio[0], 1e-6);
  fs::remove_all(dir);
}

TEST(Demographics, ReadsCompleteJourneyWordsAsTcjAndNamesBadLines) {
  const fs::path dir = rs_test::temp_dir("demo_cj2");
  const std::string head = "\"household_id\",\"age\",\"income\",\"home_ownership\",\"marital_status\",\"household_size\","
                           "\"household_comp\",\"kids_count\"\n";
  rs_test::write_file(dir / "demographics.csv", head + "\"7\",\"25-34\",\"Under 15K\",\"Probable Homeowner\",\"Married\",\"3\","
                                                       "\"1 Adult Kids\",\"2\"\n"
                                                       "\"9\",\"65+\",\"250K+\",NA,NA,\"1\",\"1 Adult No Kids\",\"0\"\n");
  const auto d = read_demographics_file((dir / "demographics.csv").string());
  ASSERT_EQ(d.size(), 2u);
  const DemographicValues a = d.at(7), b = d.at(9);
  EXPECT_EQ(a[1], "A");
  EXPECT_EQ(a[3], "Probable Owner");
  EXPECT_EQ(a[6], "2");
  EXPECT_EQ(b[1], "U");
  EXPECT_EQ(b[3], "Unknown");
  EXPECT_EQ(b[6], "None/Unknown");
  rs_test::write_file(dir / "demographics.csv", head + "\"7\",\"25-34\",\"Under 15K\",NA,NA,\"3\",\"1 Adult Kids\",\"2\"\n"
                                                       "\"8\",\"25-34\",\"lots\",NA,NA,\"3\",\"1 Adult Kids\",\"2\"\n");
  try {
    read_demographics_file((dir / "demographics.csv").string());
    FAIL() << "an unknown income band was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("demographics.csv:3: INCOME_DESC 'lots'"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(Demographics, ProfilesFollowTheTableForAllAndForTheShown) {
  const i32 n = 20000;
  const Sampled s = sample(n);
  ASSERT_FALSE(s.demo.empty());
  const DemographicProfiles& p = s.demo.profiles;
  double total = 0;
  for (double h : p.households) total += h;
  std::map<i64, DemographicValues> all, shown;
  for (i32 h = 0; h < n; ++h) {
    ASSERT_GE(s.block.demographic[h], 0);
    all[h] = p.values[s.block.demographic[h]];
    if (demographic_shown(s.demo.view, h)) shown[h] = all[h];
  }
  EXPECT_NEAR(static_cast<double>(shown.size()) / n, s.cfg.demographics.shown_share, 2.0 / n);
  // The table's margins, as shares of households.
  DemographicMargins want{};
  for (size_t i = 0; i < p.values.size(); ++i)
    for (int f = 0; f < kDemographicFields; ++f) want[f][p.values[i][f]] += p.households[i] / total;
  // A Weyl sequence's shares: within a few households of the table's.  Independent draws would
  // miss by about one standard error, 0.35 points for the largest share (0.4) among 20,000 and
  // 0.6 among the 6,400 shown, so both bounds are below what chance alone would give.
  EXPECT_LT(largest_margin_gap(demographic_margins(all), want, nullptr), 0.002);
  EXPECT_LT(largest_margin_gap(demographic_margins(shown), want, nullptr), 0.004);
}

TEST(Demographics, TiesShiftTheParametersByTheProfile) {
  const i32 n = 3000;
  const Sampled on = sample(n), off = sample(n, {"demographics.income_price=0", "demographics.size_basket=0",
                                                 "demographics.size_quantity=0"});
  const DemographicsView& d = on.demo.view;
  int moved = 0;
  for (i32 h = 0; h < n; ++h) {
    const i32 p = on.block.demographic[h];
    ASSERT_EQ(p, off.block.demographic[h]);
    auto param = [&](const Sampled& s, int q) { return s.block.params[static_cast<size_t>(q) * n + h]; };
    const DistSpec& bp = on.cfg.households[kBetaPrice];
    const float want = std::clamp(param(off, kBetaPrice) + d.income_price * d.log_income[p], bp.lower, bp.upper);
    EXPECT_EQ(param(on, kBetaPrice), want) << h;
    const DistSpec& bs = on.cfg.households[kBasketScale];
    EXPECT_EQ(param(on, kBasketScale), std::clamp(param(off, kBasketScale) + d.size_basket * d.size[p], bs.lower, bs.upper));
    moved += param(on, kBetaPrice) != param(off, kBetaPrice);
    for (int q : {kTripRate, kStoreLoyalty, kBetaPromo, kVariety}) EXPECT_EQ(param(on, q), param(off, q));
  }
  EXPECT_GT(moved, n / 2);
  // Richer households are less price sensitive: beta_price (negative) rises with income.
  double sx = 0, sy = 0, sxy = 0, sxx = 0;
  for (i32 h = 0; h < n; ++h) {
    const double x = d.log_income[on.block.demographic[h]], y = on.block.params[static_cast<size_t>(kBetaPrice) * n + h];
    sx += x, sy += y, sxy += x * y, sxx += x * x;
  }
  EXPECT_GT((sxy - sx * sy / n) / (sxx - sx * sx / n), 0.5 * on.cfg.demographics.income_price);
}

TEST(Demographics, AffinityIsTheKidsTermPlusItsNormal) {
  const i32 n = 2000;
  const Sampled kids_only = sample(n, {"households.category_affinity_sd=0"});
  const Sampled both = sample(n, {"households.category_affinity_sd=0.8"});
  const i32 K = kids_only.cat.n_categories();
  const DemographicsView& d = kids_only.demo.view;
  double sum = 0, sum2 = 0, count = 0;
  for (i32 h = 0; h < n; ++h) {
    const i32 p = kids_only.block.demographic[h];
    for (i32 k = 0; k < K; ++k) {
      EXPECT_EQ(kids_only.block.affinity_at(k, h), d.kids_affinity * d.kids[p] * d.kid_loading[k]);
      const double e = both.block.affinity_at(k, h) - kids_only.block.affinity_at(k, h);
      sum += e, sum2 += e * e, count += 1;
    }
  }
  const double mean = sum / count, sd = std::sqrt(sum2 / count - mean * mean);
  EXPECT_NEAR(mean, 0.0, 4 * 0.8 / std::sqrt(count));
  EXPECT_NEAR(sd, 0.8, 4 * 0.8 / std::sqrt(2 * count));
}

TEST(Demographics, ChildrensTieRaisesTheirCategoriesAndSwitchesOff) {
  // Households with children buy the categories learned for them more often than the others do;
  // with demographics.kids_affinity 0 that difference goes.
  const fs::path dir = rs_test::temp_dir("demo_kids");
  const std::string gen = "generate --quiet --config " + rs_test::source_path("configs/default.yaml") +
                          " --set scale.households=1500 --set scale.weeks=26 --set demographics.shown_share=1";
  ASSERT_EQ(rs_test::run_binary(gen + " --out " + (dir / "on").string()).code, 0);
  ASSERT_EQ(rs_test::run_binary(gen + " --set demographics.kids_affinity=0 --out " + (dir / "off").string()).code, 0);
  const KidsRatios learned = KidsRatios::load(rs_test::source_path("configs/demographics/kids.csv"));
  const std::vector<std::string> kid = strong_kid_categories(learned);
  ASSERT_GE(kid.size(), 3u);
  const DemographicTies on = demographic_ties(load_dataset((dir / "on").string()), kid);
  const DemographicTies off = demographic_ties(load_dataset((dir / "off").string()), kid);
  EXPECT_GT(on.kids_share_ratio, 1.4);
  EXPECT_NEAR(off.kids_share_ratio, 1.0, 0.2);
  fs::remove_all(dir);
}
