// The learned world: the learner on a hand-made dataset with known figures, the table's reader,
// and a generation whose category shares follow a hand-made table once calibrated.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "analysis/dataset.h"
#include "config.h"
#include "simulator.h"
#include "test_helpers.h"
#include "world.h"
#include "world_table/calibrate.h"
#include "world_table/calibration.h"
#include "world_table/learner.h"
#include "world_table/table.h"

using namespace retailsynth;

namespace {

const char* kTxHeader =
    "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,WEEK_NO,COUPON_DISC,"
    "COUPON_MATCH_DISC\n";
const char* kProductHeader = "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n";

/// Six merchandise lines in three categories of two departments, plus fuel and a bottle deposit
/// (not merchandise).  APPLES: regular unit prices 1.00, 1.00 and 0.80 (private label, 2 units),
/// one line 25% off; PEARS: one line at 2.00; BREAD: two lines at 2.50.
std::filesystem::path write_known_dataset() {
  const auto dir = rs_test::temp_dir("world_learn");
  rs_test::write_file(dir / "product.csv", std::string(kProductHeader) +
                                               "1,10,PRODUCE,National,APPLES,APPLES RED,1 LB\n"
                                               "2,69,PRODUCE,Private,APPLES,APPLES RED,1 LB\n"
                                               "3,10,PRODUCE,National,PEARS,PEARS,1 LB\n"
                                               "4,20,GROCERY,National,BREAD,WHITE BREAD,20 OZ\n"
                                               "5,30,FUEL,National,GASOLINE-REG UNLEADED,GAS,\n"
                                               "6,30,GROCERY,National,BOTTLE DEPOSITS,DEPOSIT,\n");
  rs_test::write_file(dir / "transaction_data.csv", std::string(kTxHeader) +
                                                        "1,1,1,1,1,1.00,1,0.00,1000,1,0.00,0.00\n"
                                                        "1,1,1,1,1,0.75,1,-0.25,1000,1,0.00,0.00\n"
                                                        "1,1,1,2,2,1.60,1,0.00,1000,1,0.00,0.00\n"
                                                        "2,2,2,3,1,2.00,1,0.00,1100,1,0.00,0.00\n"
                                                        "2,2,2,4,1,2.50,1,0.00,1100,1,0.00,0.00\n"
                                                        "2,3,9,4,1,2.50,1,0.00,1200,2,0.00,0.00\n"
                                                        "2,3,9,5,10,30.00,1,0.00,1200,2,0.00,0.00\n"
                                                        "2,3,9,6,1,0.10,1,0.00,1200,2,0.00,0.00\n");
  return dir;
}

const WorldRow* row_of(const WorldTable& t, const std::string& level, const std::string& name) {
  for (const WorldRow& r : t.rows)
    if (r.level == level && (level == "department" ? r.department : r.category) == name) return &r;
  return nullptr;
}

}  // namespace

TEST(WorldLearner, FiguresOfAKnownDatasetWithoutShrinkage) {
  const auto dir = write_known_dataset();
  WorldLearnOptions opt;
  opt.data_dir = dir.string();
  opt.shrink_lines = 0;
  opt.deal_prior_products = 0;
  const WorldTable t = learn_world(opt);
  EXPECT_EQ(t.all().lines, 6) << "fuel and the bottle deposit are not merchandise";
  ASSERT_EQ(t.categories_by_lines().size(), 3u);
  EXPECT_EQ(t.categories_by_lines()[0]->category, "APPLES");
  const WorldRow* a = row_of(t, "category", "APPLES");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->department, "PRODUCE");
  EXPECT_DOUBLE_EQ(a->line_share, 0.5);
  EXPECT_NEAR(a->spend_share, 3.35 / 10.35, 1e-12);
  EXPECT_DOUBLE_EQ(a->household_share, 0.5);
  EXPECT_DOUBLE_EQ(a->products, 2);
  EXPECT_NEAR(a->price_median, 1.0, 1e-6) << "regular unit prices 1.00, 1.00, 0.80";
  EXPECT_NEAR(a->paid_median, 0.8, 1e-6) << "paid unit prices 1.00, 0.75, 0.80";
  EXPECT_NEAR(a->pl_share, 1.0 / 3, 1e-12);
  EXPECT_NEAR(a->pl_price_ratio, 0.8, 1e-6);
  EXPECT_NEAR(a->qty_mean, 4.0 / 3, 1e-12);
  EXPECT_NEAR(a->qty_multi_share, 1.0 / 3, 1e-12);
  EXPECT_NEAR(a->discount_share, 1.0 / 3, 1e-12);
  EXPECT_NEAR(a->depth_q[3], 0.25, 1e-6);
  EXPECT_DOUBLE_EQ(a->end0_share, 1.0) << "1.00 and 1.00 (single units) end in 0";
  EXPECT_DOUBLE_EQ(a->reliability, 1.0);
  const WorldRow* bread = row_of(t, "category", "BREAD");
  ASSERT_NE(bread, nullptr);
  EXPECT_DOUBLE_EQ(bread->line_share, 2.0 / 6);
  EXPECT_NEAR(bread->price_median, 2.5, 1e-6);
  EXPECT_DOUBLE_EQ(bread->discount_share, 0.0);
  const WorldRow* produce = row_of(t, "department", "PRODUCE");
  ASSERT_NE(produce, nullptr);
  EXPECT_DOUBLE_EQ(produce->lines, 4);
  EXPECT_DOUBLE_EQ(produce->discount_share, 0.25);
  std::filesystem::remove_all(dir);
}

TEST(WorldLearner, ThinCategoriesShrinkTowardTheirDepartment) {
  const auto dir = write_known_dataset();
  WorldLearnOptions opt;
  opt.data_dir = dir.string();
  opt.shrink_lines = 20;
  const WorldTable t = learn_world(opt);
  const WorldRow* pears = row_of(t, "category", "PEARS");
  const WorldRow* produce = row_of(t, "department", "PRODUCE");
  const WorldRow* all = &t.all();
  ASSERT_NE(pears, nullptr);
  ASSERT_NE(produce, nullptr);
  // The department shrinks toward the store first (4 lines, all 6 lines at 1/6 discounted).
  const double dept_share = (4 * 0.25 + 20 * (1.0 / 6)) / 24;
  EXPECT_NEAR(produce->discount_share, dept_share, 1e-12);
  EXPECT_NEAR(pears->discount_share, (1 * 0.0 + 20 * dept_share) / 21, 1e-12) << "one line of its own";
  EXPECT_NEAR(pears->reliability, 1.0 / 21, 1e-12);
  EXPECT_DOUBLE_EQ(pears->line_share, 1.0 / 6) << "shares are not shrunk";
  EXPECT_GT(pears->price_median, produce->price_median) << "2.00 pulled toward the department's level, not past it";
  EXPECT_LT(pears->price_median, 2.0);
  (void)all;
  std::filesystem::remove_all(dir);
}

TEST(WorldTable, RoundTripsAndNamesBadLines) {
  const auto dir = write_known_dataset();
  WorldLearnOptions opt;
  opt.data_dir = dir.string();
  const WorldTable t = learn_world(opt);
  const std::string csv = t.to_csv();
  rs_test::write_file(dir / "world.csv", csv);
  EXPECT_EQ(WorldTable::load((dir / "world.csv").string()).to_csv(), csv);
  auto error_of = [&](const std::string& text) {
    rs_test::write_file(dir / "bad.csv", text);
    try {
      WorldTable::load((dir / "bad.csv").string());
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of("level,department\n").find("bad.csv:1: bad header"), std::string::npos);
  std::string bad = csv;
  const size_t line3 = bad.find('\n', bad.find('\n') + 1) + 1;
  const size_t field = bad.find(',', bad.find(',', bad.find(',', line3) + 1) + 1) + 1;  // the lines column
  bad.replace(field, bad.find(',', field) - field, "-3");
  EXPECT_NE(error_of(bad).find("bad.csv:3: lines: '-3'"), std::string::npos) << error_of(bad);
  std::filesystem::remove_all(dir);
}

TEST(WorldLearner, CommandWritesTheTableAndRefusesAMissingFolder) {
  const auto dir = write_known_dataset();
  const auto out = dir / "out" / "world.csv";
  EXPECT_EQ(rs_test::run_binary("learn-world --data " + dir.string() + " --out " + out.string()).code, 0);
  EXPECT_EQ(WorldTable::load(out.string()).categories_by_lines().size(), 3u);
  const auto r = rs_test::run_binary("learn-world --data " + (dir / "nowhere").string() + " --out " + (dir / "x.csv").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.csv"));
  std::filesystem::remove_all(dir);
}

namespace {

/// A hand-made world table of four categories with line shares 0.4, 0.3, 0.2, 0.1.
std::string hand_made_table() {
  WorldTable t;
  WorldRow all;
  all.level = "all";
  all.lines = 1000, all.line_share = 1, all.products = 400, all.price_median = 2, all.price_log_sd = 0.4;
  all.paid_median = 1.8, all.pl_share = 0.2, all.pl_price_ratio = 0.8, all.qty_mean = 1.2, all.qty_multi_share = 0.15;
  all.discount_share = 0.4, all.depth_q = {0.06, 0.09, 0.15, 0.25, 0.35, 0.45, 0.5};
  all.never_deal_share = 0.1, all.always_deal_share = 0.1, all.end9_share = 0.7, all.end0_share = 0.1, all.end5_share = 0.05;
  t.rows.push_back(all);
  const char* names[4][2] = {{"GROCERY", "SOFT DRINKS"}, {"GROCERY", "CHEESE"}, {"PRODUCE", "TROPICAL FRUIT"}, {"PRODUCE", "POTATOES"}};
  const double shares[4] = {0.4, 0.3, 0.2, 0.1};
  for (const char* d : {"GROCERY", "PRODUCE"}) {
    WorldRow r = all;
    r.level = "department", r.department = d;
    t.rows.push_back(r);
  }
  for (int k = 0; k < 4; ++k) {
    WorldRow r = all;
    r.level = "category", r.department = names[k][0], r.category = names[k][1];
    r.lines = 1000 * shares[k], r.line_share = shares[k], r.products = 100;
    r.price_median = 1.0 + k, r.paid_median = 0.9 * (1.0 + k);
    t.rows.push_back(r);
  }
  return t.to_csv();
}

/// Line share of each category and its standard error, households as clusters (a ratio estimator).
std::map<std::string, std::pair<double, double>> category_shares(const Dataset& d) {
  std::map<std::string, std::map<i32, double>> by_hh;
  std::map<i32, double> lines_of;
  for (size_t i = 0; i < d.lines(); ++i) {
    by_hh[d.category_name[d.category_of_line(i)]][d.hh[i]] += 1;
    lines_of[d.hh[i]] += 1;
  }
  const double H = static_cast<double>(lines_of.size()), N = static_cast<double>(d.lines());
  std::map<std::string, std::pair<double, double>> out;
  for (const auto& [name, hh] : by_hh) {
    double y = 0;
    for (const auto& [h, n] : hh) y += n;
    const double p = y / N;
    double ss = 0;
    for (const auto& [h, n] : lines_of) {
      const auto it = hh.find(h);
      const double e = (it == hh.end() ? 0.0 : it->second) - p * n;
      ss += e * e;
    }
    out[name] = {p, std::sqrt(ss / (H * (H - 1))) / (N / H)};
  }
  return out;
}

}  // namespace

TEST(LearnedWorld, CalibratedCategorySharesFollowTheTable) {
  const auto dir = rs_test::temp_dir("world_gen");
  rs_test::write_file(dir / "world.csv", hand_made_table());
  const std::vector<std::string> sets = {"world.table=" + (dir / "world.csv").string(), "world.calibration=", "scale.categories=4",
                                         "scale.products=600", "scale.stores=5", "campaigns=[]", "seasonality.table=",
                                         "world.lines_per_trip=0.5"};
  CalibrateOptions c;
  c.config_path = rs_test::source_path("configs/default.yaml");
  c.overrides = sets;
  c.out = (dir / "calibration.csv").string();
  c.seeds = {11, 12, 13};
  c.households = 1000;
  c.weeks = 8;
  c.rounds = 5;
  c.lines_per_basket = 0;  // four categories cannot fill 9.4 lines
  c.quiet = true;
  run_calibrate(c);
  // Four seeds the calibration did not see: each draws its own world (products, prices, deals), so
  // a category's share varies from seed to seed; their mean follows the table within 4 standard
  // errors of that mean (the spread between seeds, which includes each run's sampling error).
  const std::map<std::string, double> expected = {{"SOFT DRINKS", 0.4}, {"CHEESE", 0.3}, {"TROPICAL FRUIT", 0.2}, {"POTATOES", 0.1}};
  std::map<std::string, std::vector<double>> per_seed;
  for (const u64 seed : {99u, 100u, 101u, 102u}) {
    GenerateOptions g;
    g.config_path = c.config_path;
    g.overrides = sets;
    for (const std::string& o : {"world.calibration=" + c.out, std::string("scale.households=2000"), std::string("scale.weeks=8")})
      g.overrides.push_back(o);
    g.seed = seed;
    g.out_dir = (dir / "run").string();
    g.quiet = g.force = true;
    generate(g);
    for (const auto& [name, share] : category_shares(load_dataset(g.out_dir))) per_seed[name].push_back(share.first);
  }
  ASSERT_EQ(per_seed.size(), 4u);
  double previous = 1;
  for (const char* name : {"SOFT DRINKS", "CHEESE", "TROPICAL FRUIT", "POTATOES"}) {
    const std::vector<double>& v = per_seed[name];
    ASSERT_EQ(v.size(), 4u) << name;
    double mean = 0, ss = 0;
    for (double x : v) mean += x / v.size();
    for (double x : v) ss += (x - mean) * (x - mean);
    const double se = std::sqrt(ss / (v.size() - 1) / v.size());
    EXPECT_NEAR(mean, expected.at(name), 4 * se) << name << " se " << se;
    EXPECT_LT(mean, previous) << name << ": the table's order";
    previous = mean;
  }
  std::filesystem::remove_all(dir);
}

TEST(LearnedWorld, DefaultWorldHasTheTablesCategoriesEndingsAndDeals) {
  const Config cfg = load_config(rs_test::source_path("configs/default.yaml"));
  const Catalog cat = build_catalog(cfg);
  const WorldTable t = WorldTable::load(cfg.world.table);
  EXPECT_EQ(static_cast<size_t>(cat.n_categories()), t.categories_by_lines().size());
  std::map<int, double> endings;
  double never = 0, always = 0;
  for (i32 j = 0; j < cat.n_products(); ++j) {
    endings[cat.price_ending[j]] += 1.0 / cat.n_products();
    never += cat.deal[j] == kDealNever;
    always += cat.deal[j] == kDealAlways;
  }
  // Products draw their category's mix (shrunk toward the department), so the store's mix holds
  // only roughly for products.
  EXPECT_NEAR(endings[9], t.all().end9_share, 0.1);
  EXPECT_GT(endings[0], 0.03) << "prices ending in 0 exist";
  EXPECT_GT(never / cat.n_products(), 0.05);
  EXPECT_GT(always / cat.n_products(), 0.05);
  for (const std::string& name : cat.cat_name) EXPECT_TRUE(is_merchandise("GROCERY", name)) << name;
}
