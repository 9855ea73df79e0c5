// `retailsynth compare`: every metric on two hand-made runs against values worked out by hand,
// terciles, the change table, scenario-set expansion, shard parts, errors and the CLI's exit code.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/compare.h"
#include "analysis/dataset.h"
#include "config.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using namespace retailsynth;
using rs_test::read_file;
using rs_test::run_binary;
using rs_test::write_file;

namespace {

const char* kTxHeader =
    "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,WEEK_NO,COUPON_DISC,"
    "COUPON_MATCH_DISC\n";

// Six households; sorted by (beta_price, key): 6 (-4), 1 (-2), 3 (-2), 5 (-1.5), 2 (-1), 4 (-0.5), so
// high sensitivity = {6, 1}, medium = {3, 5}, low = {2, 4}.  Households 1 and 3 tie: the key decides,
// and a tie broken the other way would put 3 in the high tercile.
const char* kHouseholds =
    "household_key,home_store,trip_rate,beta_price\n"
    "1,1,1.0,-2.0\n2,2,1.0,-1.0\n3,1,1.0,-2.0\n4,2,1.0,-0.5\n5,2,1.0,-1.5\n6,2,1.0,-4.0\n";

/// A run folder: two categories (CAT A: 101, 102; CAT B: 201, 202), two stores, four weeks.
void write_run(const fs::path& dir, const std::string& lines, const std::string& promotions, const std::string& scenario) {
  fs::create_directories(dir / "truth");
  write_file(dir / "product.csv",
             "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n"
             "101,1,GROCERY,National,CAT A,SUB A,1 OZ\n102,1,GROCERY,National,CAT A,SUB A,1 OZ\n"
             "201,1,GROCERY,National,CAT B,SUB B,1 OZ\n202,1,GROCERY,National,CAT B,SUB B,1 OZ\n");
  write_file(dir / "transaction_data.csv", kTxHeader + lines);
  write_file(dir / "truth" / "households.csv", kHouseholds);
  write_file(dir / "truth" / "stores.csv", "STORE_ID\n1\n2\n");
  write_file(dir / "truth" / "promotions.csv",
             "STORE_ID,PRODUCT_ID,WEEK_NO,base_price,shelf_price,depth,display_type,in_ad,mailer\n" + promotions);
  std::string manifest = "{\"world\": {\"products\": 4, \"categories\": 2, \"stores\": 2, \"weeks\": 4, \"households\": 6}";
  if (!scenario.empty()) manifest += ", \"scenario\": {\"name\": \"" + scenario + "\"}";
  write_file(dir / "manifest.json", manifest + "}\n");
}

// Run A: households 4 and 5 buy nothing.
const char* kLinesA =
    "1,1,1,101,2,4.00,1,-1.00,1000,1,0.00,0.00\n"
    "1,1,1,201,1,3.00,1,0.00,1000,1,-0.50,-0.25\n"
    "1,2,22,102,1,2.50,1,0.00,1000,4,0.00,0.00\n"
    "6,3,8,101,3,6.00,2,-1.50,1000,2,0.00,0.00\n"
    "6,3,8,102,1,2.00,2,0.00,1000,2,0.00,0.00\n"
    "3,4,2,201,1,5.00,2,-1.00,1000,1,0.00,0.00\n"
    "3,5,16,202,2,4.00,2,0.00,1000,3,-1.00,0.00\n"
    "2,6,23,202,1,2.00,2,0.00,1000,4,0.00,0.00\n"
    "2,6,23,101,1,2.00,2,-0.50,1000,4,0.00,0.00\n";
const char* kPromosA =
    "1,101,1,2.50,2.00,0.20,shelf_tag,0,0\n"
    "2,101,2,2.50,2.00,0.20,end_cap,1,0\n"
    "2,201,1,6.00,5.00,0.15,none,0,0\n"
    "2,101,4,2.50,2.00,0.20,feature_display,1,1\n";
// Run B: households 3, 4 and 6 buy nothing.
const char* kLinesB =
    "1,1,1,101,4,6.00,1,-2.00,1000,1,0.00,0.00\n"
    "2,2,9,201,1,5.00,1,0.00,1000,2,0.00,0.00\n"
    "5,3,23,202,2,4.00,2,-1.00,1000,4,-0.40,-0.40\n"
    "5,3,23,201,1,5.00,2,0.00,1000,4,0.00,0.00\n";
const char* kPromosB =
    "1,101,1,2.00,1.50,0.25,end_cap,1,0\n"
    "2,202,4,2.50,2.00,0.20,shelf_tag,0,0\n";

using Table = std::array<std::array<double, kNumMetrics>, kNumSegments>;

// By hand (TCJ convention: SALES_VALUE is net of the retailer's match, so revenue = SALES_VALUE and
// gross = SALES_VALUE - RETAIL_DISC - COUPON_MATCH_DISC).  Columns: offered, paid, units, revenue, visit rate, categories per visitor, retention,
// distinct products, coupon lines.  Rows: all, high, medium, low.
const Table kExpectA = {{
    {0.75 / 32, 400.0 / 3475, 13.0 / 24, 30.50 / 24, 0.25, 1.25, 4.0 / 6, 4, 2.0 / 9},
    {0.75 / 32, 250.0 / 2025, 8.0 / 8, 17.50 / 8, 1.5 / 4, 4.0 / 3, 1.0, 3, 1.0 / 5},
    {0.75 / 32, 100.0 / 1000, 3.0 / 8, 9.0 / 8, 1.0 / 4, 1.0, 0.5, 2, 1.0 / 2},
    {0.75 / 32, 50.0 / 450, 2.0 / 8, 4.0 / 8, 0.5 / 4, 2.0, 0.5, 2, 0.0},
}};
const Table kExpectB = {{
    {0.45 / 32, 300.0 / 2340, 8.0 / 24, 20.0 / 24, 3.0 / 24, 1.0, 2.0 / 6, 3, 1.0 / 4},
    {0.45 / 32, 200.0 / 800, 4.0 / 8, 6.0 / 8, 0.5 / 4, 1.0, 0.0, 1, 0.0},
    {0.45 / 32, 100.0 / 1040, 3.0 / 8, 9.0 / 8, 0.5 / 4, 1.0, 0.5, 2, 1.0 / 2},
    {0.45 / 32, 0.0, 1.0 / 8, 5.0 / 8, 0.5 / 4, 1.0, 0.5, 1, 0.0},
}};

class Compare : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(rs_test::temp_dir("compare"));
    write_run(*root_ / "runA", kLinesA, kPromosA, "base&line");
    write_run(*root_ / "runB", kLinesB, kPromosB, "");
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
  }
  static std::string dir(const std::string& name) { return (*root_ / name).string(); }
  static fs::path* root_;
};
fs::path* Compare::root_ = nullptr;

void expect_table(const RunMetrics& r, const Table& want) {
  for (int s = 0; s < kNumSegments; ++s)
    for (int m = 0; m < kNumMetrics; ++m)
      EXPECT_NEAR(r.value[s][m], want[s][m], 1e-12)
          << r.label << " " << compare_segment_name(s) << " " << compare_metric_info(m).name;
}

TEST_F(Compare, EveryMetricByHandForAllHouseholdsAndTerciles) {
  const CompareResult res = run_compare(CompareOptions{{dir("runA"), dir("runB")}, ""});
  ASSERT_EQ(res.runs.size(), 2u);
  EXPECT_EQ(res.runs[0].label, "base&line") << "manifest scenario.name";
  EXPECT_EQ(res.runs[1].label, "runB") << "the folder's name without one";
  for (const RunMetrics& r : res.runs) {
    EXPECT_EQ(r.households[kSegAll], 6) << "non-buyers count";
    EXPECT_EQ(r.households[kSegHigh], 2);
    EXPECT_EQ(r.households[kSegMedium], 2);
    EXPECT_EQ(r.households[kSegLow], 2);
  }
  expect_table(res.runs[0], kExpectA);
  expect_table(res.runs[1], kExpectB);
}

TEST_F(Compare, PercentChangeAgainstTheFirstRun) {
  const CompareResult res = run_compare(CompareOptions{{dir("runA"), dir("runB")}, ""});
  ASSERT_EQ(res.runs.size(), 2u);
  const auto change = [&](int s, int m) { return percent_change(res.runs[0].value[s][m], res.runs[1].value[s][m]); };
  EXPECT_NEAR(change(kSegAll, kOfferedDiscount), -40.0, 1e-9);
  EXPECT_NEAR(change(kSegAll, kPaidDiscount), 100.0 * (300.0 / 2340 * 3475 / 400 - 1), 1e-9);
  EXPECT_NEAR(change(kSegAll, kUnits), -500.0 / 13, 1e-9);
  EXPECT_NEAR(change(kSegAll, kRevenue), 100.0 * (20.0 - 30.50) / 30.50, 1e-9);
  EXPECT_NEAR(change(kSegAll, kVisitRate), -50.0, 1e-9);
  EXPECT_NEAR(change(kSegAll, kCategoriesPerVisitor), -20.0, 1e-9);
  EXPECT_NEAR(change(kSegAll, kRetention), -50.0, 1e-9);
  EXPECT_NEAR(change(kSegAll, kDistinctProducts), -25.0, 1e-9);
  EXPECT_NEAR(change(kSegAll, kCouponLines), 12.5, 1e-9);
  EXPECT_NEAR(change(kSegHigh, kPaidDiscount), 102.5, 1e-9);  // 250/2025 -> 200/800
  EXPECT_NEAR(change(kSegHigh, kRetention), -100.0, 1e-9);
  EXPECT_NEAR(change(kSegMedium, kRevenue), 0.0, 1e-9);  // 9.00 / 8 in both
  EXPECT_NEAR(change(kSegLow, kPaidDiscount), -100.0, 1e-9);
  EXPECT_EQ(change(kSegLow, kCouponLines), 0.0) << "0 -> 0 is no change";
  EXPECT_TRUE(std::isnan(percent_change(0.0, 0.5))) << "no relative change from 0";

  // The printed tables: one per segment, then the change table with every run after the first.
  const std::string& t = res.table;
  for (const char* title : {"All households", "High price sensitivity", "Medium price sensitivity", "Low price sensitivity",
                            "Change vs base&line (%)"})
    EXPECT_NE(t.find(title), std::string::npos) << title;
  EXPECT_LT(t.find("All households"), t.find("High price sensitivity"));
  EXPECT_LT(t.find("Low price sensitivity"), t.find("Change vs"));
  EXPECT_NE(t.find("-40.00%"), std::string::npos);
  EXPECT_NE(t.find("+12.50%"), std::string::npos);
  EXPECT_NE(t.find("$1.27"), std::string::npos) << "revenue of A, all households: 30.50 / 24";
}

TEST_F(Compare, WritesCsvMarkdownAndSvg) {
  const fs::path out = fs::path(dir("out")) / "nested";
  run_compare(CompareOptions{{dir("runA"), dir("runB")}, out.string()});
  const std::string csv = read_file(out / "compare.csv");
  EXPECT_EQ(csv.rfind("run,segment,metric,value\n", 0), 0u);
  EXPECT_NE(csv.find("runB,low_sensitivity,units,0.125\n"), std::string::npos);
  EXPECT_NE(csv.find("base&line,high_sensitivity,households,2\n"), std::string::npos);
  EXPECT_NE(csv.find("runB,all,visit_rate_change_pct,-50\n"), std::string::npos);
  EXPECT_EQ(csv.find("base&line,all,units_change_pct"), std::string::npos) << "the baseline has no change rows";
  // 2 runs x 4 segments x (households + 9 metrics) + 1 run x 4 segments x 9 changes, plus the header.
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 4 * 10 + 4 * 9);
  const std::string md = read_file(out / "compare.md");
  EXPECT_NE(md.find("| run | households | offered disc |"), std::string::npos);
  EXPECT_NE(md.find("|---|---:|"), std::string::npos);
  EXPECT_NE(md.find("### Change vs base&line (%)"), std::string::npos);
  const std::string svg = read_file(out / "compare.svg");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("base&amp;line"), std::string::npos);
  EXPECT_EQ(svg.find("base&line"), std::string::npos) << "text is escaped";
  for (int m = 0; m < kNumMetrics; ++m)
    EXPECT_NE(svg.find(std::string(">") + compare_metric_info(m).name + "<"), std::string::npos) << m;
  // Bars: one per run in the all-households panels, three per run in the tercile panels; each bar
  // has its value written on it (units of B, all households: 0.333).
  size_t rects = 0;
  for (size_t p = svg.find("<rect x="); p != std::string::npos; p = svg.find("<rect x=", p + 1)) ++rects;
  EXPECT_GE(rects, static_cast<size_t>(kNumMetrics * (2 + 2 * 3)));
  EXPECT_NE(svg.find(">0.333<"), std::string::npos);
  EXPECT_NE(svg.find("#d1452c"), std::string::npos) << "the high-sensitivity colour";
}

TEST_F(Compare, ScenarioSetExpandsInOrderWithLabelsFromManifests) {
  fs::create_directories(dir("set"));
  // B first: the set's order, not the folders'.  B's manifest has no scenario name, so the set's entry
  // name labels it; A's manifest name wins over the set's.
  write_file(fs::path(dir("set")) / "manifest.json",
             "{\"scenarios\": [{\"name\": \"second\", \"dir\": \"../runB\"}, {\"name\": \"first\", \"dir\": \"../runA\"}]}\n");
  const auto runs = expand_compare_inputs({dir("set"), dir("runB")});
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].label, "second");
  EXPECT_EQ(fs::path(runs[0].dir).lexically_normal(), fs::path(dir("runB")).lexically_normal());
  EXPECT_EQ(runs[1].label, "base&line");
  EXPECT_EQ(fs::path(runs[1].dir).lexically_normal(), fs::path(dir("runA")).lexically_normal());
  EXPECT_EQ(runs[2].label, "runB");
  EXPECT_EQ(runs[0].world.weeks, 4);
  EXPECT_EQ(runs[0].world.products, 4);
  EXPECT_EQ(runs[0].world.stores, 2);
  // Repeated labels are made unique, so tables and the CSV stay unambiguous.
  const auto twice = expand_compare_inputs({dir("runA"), dir("runA") + "/"});
  ASSERT_EQ(twice.size(), 2u);
  EXPECT_EQ(twice[0].label, "base&line");
  EXPECT_EQ(twice[1].label, "base&line (2)");
  // Measured through the set: the same numbers as the folders themselves.
  const CompareResult res = run_compare(CompareOptions{{dir("set")}, ""});
  ASSERT_EQ(res.runs.size(), 2u);
  expect_table(res.runs[0], kExpectB);
  expect_table(res.runs[1], kExpectA);
}

TEST_F(Compare, ShardedRunReadsAsOne) {
  const fs::path s = dir("sharded");
  write_run(s, "", kPromosA, "");
  fs::remove(s / "transaction_data.csv");
  fs::remove(s / "truth" / "households.csv");
  fs::remove(s / "manifest.json");
  fs::create_directories(s / "transaction_data");
  fs::create_directories(s / "truth" / "households");
  fs::create_directories(s / "manifest");
  // Households 1-3 in part 0, 4-6 in part 1; a shard's lines are its households' lines.
  std::string part0 = kTxHeader, part1 = kTxHeader;
  std::string all = kLinesA;
  for (size_t p = 0; p < all.size();) {
    const size_t e = all.find('\n', p);
    const std::string line = all.substr(p, e - p + 1);
    (line[0] <= '3' ? part0 : part1) += line;
    p = e + 1;
  }
  write_file(s / "transaction_data" / "part-1-of-2.csv", part1);
  write_file(s / "transaction_data" / "part-0-of-2.csv", part0);
  const std::string hh_header = "household_key,home_store,trip_rate,beta_price\n";
  write_file(s / "truth" / "households" / "part-0-of-2.csv", hh_header + "1,1,1.0,-2.0\n2,2,1.0,-1.0\n3,1,1.0,-2.0\n");
  write_file(s / "truth" / "households" / "part-1-of-2.csv", hh_header + "4,2,1.0,-0.5\n5,2,1.0,-1.5\n6,2,1.0,-4.0\n");
  write_file(s / "manifest" / "part-0-of-2.json", "{\"world\": {\"products\": 4, \"stores\": 2, \"weeks\": 4}}\n");
  const CompareResult res = run_compare(CompareOptions{{s.string()}, ""});
  ASSERT_EQ(res.runs.size(), 1u);
  EXPECT_EQ(res.runs[0].label, "sharded");
  EXPECT_EQ(res.runs[0].households[kSegAll], 6);
  expect_table(res.runs[0], kExpectA);
  // A missing part is an error naming it, never a silently smaller run.
  fs::remove(s / "transaction_data" / "part-1-of-2.csv");
  try {
    run_compare(CompareOptions{{s.string()}, ""});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("part-1-of-2.csv"), std::string::npos) << e.what();
  }
}

/// The message of the InputError `f` throws ("" if none).
template <class F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST_F(Compare, InputErrorsNameThePath) {
  const std::string missing = dir("no_such_run");
  std::string msg = input_error([&] { expand_compare_inputs({dir("runA"), missing}); });
  EXPECT_NE(msg.find(missing), std::string::npos) << msg;
  msg = input_error([&] { run_compare(CompareOptions{{missing}, ""}); });
  EXPECT_NE(msg.find(missing), std::string::npos) << msg;

  EXPECT_NE(input_error([] { expand_compare_inputs({}); }), "") << "no argument";

  fs::create_directories(dir("empty"));
  msg = input_error([&] { expand_compare_inputs({dir("empty")}); });
  EXPECT_NE(msg.find((fs::path(dir("empty")) / "transaction_data.csv").string()), std::string::npos) << msg;

  write_run(dir("no_truth"), kLinesA, kPromosA, "");
  fs::remove(fs::path(dir("no_truth")) / "truth" / "households.csv");
  msg = input_error([&] { expand_compare_inputs({dir("no_truth")}); });
  EXPECT_NE(msg.find((fs::path(dir("no_truth")) / "truth" / "households.csv").string()), std::string::npos) << msg;

  // Lines past the manifest's weeks mean the manifest is not this run's: refused, not averaged.
  write_run(dir("late"), std::string(kLinesA) + "2,7,36,101,1,2.00,2,0.00,1000,6,0.00,0.00\n", kPromosA, "");
  msg = input_error([&] { run_compare(CompareOptions{{dir("late")}, ""}); });
  EXPECT_NE(msg.find("week 6"), std::string::npos) << msg;

  // A line of a household the truth does not know.
  write_run(dir("stranger"), std::string(kLinesA) + "9,7,2,101,1,2.00,2,0.00,1000,1,0.00,0.00\n", kPromosA, "");
  msg = input_error([&] { run_compare(CompareOptions{{dir("stranger")}, ""}); });
  EXPECT_NE(msg.find("household 9"), std::string::npos) << msg;
}

TEST_F(Compare, CliExitsTwoOnAMissingFolder) {
  const std::string missing = dir("not_there");
  const auto r = run_binary("compare " + dir("runA") + " " + missing);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_EQ(run_binary("compare").code, 2) << "no folder";
  const auto ok = run_binary("compare " + dir("runA") + " " + dir("runB") + " --out " + dir("cli_out"));
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_TRUE(fs::exists(fs::path(dir("cli_out")) / "compare.csv"));
}

}  // namespace
