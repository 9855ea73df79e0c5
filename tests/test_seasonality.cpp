// The seasonality table (format, loader checks, lookups) and the learner (calendar, both input
// layouts, planted and real seasons), the SVG and the learn-seasonality command.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "config.h"
#include "seasonality/learner.h"
#include "seasonality/plot.h"
#include "seasonality/table.h"
#include "test_helpers.h"

using namespace retailsynth;
namespace fs = std::filesystem;

namespace {

constexpr double kPi = 3.14159265358979323846;

// A valid table text: one category (weeks 1..52, flat), lines 2..53.
std::vector<std::string> flat_rows(const std::string& level = "category", const std::string& key = "SOUP") {
  std::vector<std::string> rows;
  for (int w = 1; w <= 52; ++w) rows.push_back(level + "," + key + "," + std::to_string(w) + ",1.000000,0.5000,100");
  return rows;
}

std::string table_text(const std::vector<std::string>& rows, const std::string& header = "level,key,week_of_year,index,reliability,n") {
  std::string s = header + "\n";
  for (const auto& r : rows) s += r + "\n";
  return s;
}

std::string load_error(const std::string& text) {
  const auto dir = rs_test::temp_dir("season");
  rs_test::write_file(dir / "t.csv", text);
  std::string e;
  try {
    SeasonalityTable::load((dir / "t.csv").string());
  } catch (const InputError& x) {
    e = x.what();
  }
  fs::remove_all(dir);
  return e;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= a.size(), mb /= b.size();
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i)
    ab += (a[i] - ma) * (b[i] - mb), aa += (a[i] - ma) * (a[i] - ma), bb += (b[i] - mb) * (b[i] - mb);
  return ab / std::sqrt(aa * bb);
}

SeasonCurve curve(double amplitude, int peak_week, double reliability = 0.8, i64 n = 500) {
  SeasonCurve c;
  for (int w = 1; w <= 52; ++w) c.index[w - 1] = static_cast<float>(1.0 + amplitude * std::cos(2 * kPi * (w - peak_week) / 52.0));
  c.reliability = reliability;
  c.n = n;
  return c;
}

const std::string kReal = "../shared/data/completejourney/";

}  // namespace

// ---- the table ------------------------------------------------------------------------------

TEST(SeasonTable, LoaderRejectsBadTablesNamingFileAndLineOrKey) {
  auto rows = flat_rows();
  std::string e = load_error(table_text(rows, "level,key,week,index,reliability,n"));
  EXPECT_NE(e.find("t.csv:1: bad header"), std::string::npos) << e;

  rows = flat_rows();
  rows.erase(rows.begin() + 6);  // week 7
  e = load_error(table_text(rows));
  EXPECT_NE(e.find("t.csv: category 'SOUP': missing week 7 "), std::string::npos) << e;

  rows = flat_rows();
  rows[5] = "category,SOUP,5,1.000000,0.5000,100";  // line 7 repeats week 5 (line 6)
  e = load_error(table_text(rows));
  EXPECT_NE(e.find("t.csv:7: duplicate week 5 for category 'SOUP' (first at line 6)"), std::string::npos) << e;

  for (const char* bad : {"0", "-0.5", "inf", "nan", "abc"}) {
    rows = flat_rows();
    rows[9] = std::string("category,SOUP,10,") + bad + ",0.5000,100";
    e = load_error(table_text(rows));
    EXPECT_NE(e.find("t.csv:11: index '" + std::string(bad) + "' is not a positive finite number"), std::string::npos) << e;
  }

  rows = flat_rows();
  for (auto& r : rows) r.replace(r.find("1.000000"), 8, "1.100000");
  e = load_error(table_text(rows));
  EXPECT_NE(e.find("t.csv: category 'SOUP': the indices average 1.100000, expected 1"), std::string::npos) << e;

  rows = flat_rows("brand", "ACME");
  e = load_error(table_text(rows));
  EXPECT_NE(e.find("t.csv:2: unknown level 'brand'"), std::string::npos) << e;

  rows = flat_rows();
  rows[2] = "category,SOUP,53,1.0,0.5,100";
  e = load_error(table_text(rows));
  EXPECT_NE(e.find("t.csv:4: week_of_year '53'"), std::string::npos) << e;

  rows = flat_rows("product", "12x");
  e = load_error(table_text(rows));
  EXPECT_NE(e.find("t.csv:2: product key '12x'"), std::string::npos) << e;

  rows = flat_rows("traffic", "STORE1");
  e = load_error(table_text(rows));
  EXPECT_NE(e.find("t.csv:2: traffic key 'STORE1': expected ALL"), std::string::npos) << e;

  rows = flat_rows();
  rows[3] = "category,SOUP,4,1.0,0.5";
  e = load_error(table_text(rows));
  EXPECT_NE(e.find("t.csv:5: expected 6 fields"), std::string::npos) << e;

  rows = flat_rows();
  rows[3] = "category,SOUP,4,1.0,0.5,99";
  e = load_error(table_text(rows));
  EXPECT_NE(e.find("t.csv:5: n 99 differs from 100 on line 2 for category 'SOUP'"), std::string::npos) << e;

  rows = flat_rows();
  rows[3] = "category,SOUP,4,1.0,1.5,100";
  e = load_error(table_text(rows));
  EXPECT_NE(e.find("t.csv:5: reliability '1.5'"), std::string::npos) << e;

  e = load_error("");
  EXPECT_NE(e.find("t.csv:1:"), std::string::npos) << e;
  EXPECT_NE(load_error("x").find("t.csv:1: bad header"), std::string::npos);
  EXPECT_TRUE(load_error(table_text({})).empty());  // header only: an empty table is valid

  std::string missing;
  try {
    SeasonalityTable::load("/nonexistent/t.csv");
  } catch (const InputError& x) {
    missing = x.what();
  }
  EXPECT_NE(missing.find("/nonexistent/t.csv: cannot open"), std::string::npos) << missing;
}

TEST(SeasonTable, MessagesAreOneLine) {
  auto rows = flat_rows();
  rows.pop_back();
  const std::string e = load_error(table_text(rows));
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(SeasonTable, LoadsCrlfQuotedKeysAndNaReliability) {
  std::string text = "level,key,week_of_year,index,reliability,n\r\n";
  for (int w = 1; w <= 52; ++w) {
    text += "category,\"BAG SNACKS, \"\"SALTY\"\"\"," + std::to_string(w) + "," + (w <= 26 ? "1.5" : "0.5") + ",NA,80\r\n";
    text += "traffic,ALL," + std::to_string(w) + ",1,,1000\r\n";
  }
  const auto dir = rs_test::temp_dir("season");
  rs_test::write_file(dir / "t.csv", text);
  const auto t = SeasonalityTable::load((dir / "t.csv").string());
  ASSERT_NE(t.find_category("BAG SNACKS, \"SALTY\""), nullptr);
  EXPECT_FLOAT_EQ(t.category_index("BAG SNACKS, \"SALTY\"", 3), 1.5f);
  EXPECT_FLOAT_EQ(t.category_index("BAG SNACKS, \"SALTY\"", 40), 0.5f);
  EXPECT_TRUE(std::isnan(t.find_category("BAG SNACKS, \"SALTY\"")->reliability));
  ASSERT_NE(t.traffic(), nullptr);
  EXPECT_TRUE(std::isnan(t.traffic()->reliability));
  EXPECT_EQ(t.traffic()->n, 1000);
  fs::remove_all(dir);
}

TEST(SeasonTable, LookupFallsBackProductCategoryOne) {
  SeasonalityTable t;
  EXPECT_TRUE(t.empty());
  EXPECT_FLOAT_EQ(t.traffic_index(10), 1.0f);
  t.set_category("SOUP", curve(0.3, 46));
  t.set_product(42, curve(0.5, 20));
  EXPECT_FALSE(t.empty());
  for (int w : {1, 20, 30, 46, 52}) {
    EXPECT_FLOAT_EQ(t.product_index(42, "SOUP", w), t.find_product(42)->index[w - 1]);   // product
    EXPECT_FLOAT_EQ(t.product_index(7, "SOUP", w), t.find_category("SOUP")->index[w - 1]);  // its category
    EXPECT_FLOAT_EQ(t.product_index(7, "TURKEY", w), 1.0f);                                 // neither
    EXPECT_FLOAT_EQ(t.category_index("TURKEY", w), 1.0f);
    EXPECT_FLOAT_EQ(t.traffic_index(w), 1.0f);  // no traffic key
  }
  EXPECT_FLOAT_EQ(t.category_index("SOUP", 46), 1.3f);
  EXPECT_NEAR(t.product_index(42, "OTHER", 20), 1.5f, 1e-6);
  // Weeks outside 1..52 clamp into it (week 53 is the rest of week 52).
  EXPECT_FLOAT_EQ(t.category_index("SOUP", 53), t.category_index("SOUP", 52));
  EXPECT_FLOAT_EQ(t.category_index("SOUP", 0), t.category_index("SOUP", 1));
  t.set_traffic(curve(0.1, 51));
  EXPECT_FLOAT_EQ(t.traffic_index(51), 1.1f);
}

TEST(SeasonTable, SaveLoadRoundTrip) {
  SeasonalityTable t;
  t.set_traffic(curve(0.05, 51, std::nan(""), 75000));
  t.set_category("SOUP", curve(0.3, 46, 0.61, 1366));
  t.set_category("BAG SNACKS, \"SALTY\"", curve(0.1, 27, -0.2, 120));
  t.set_product(9000000001LL, curve(0.4, 30, 0.35, 412));
  const auto dir = rs_test::temp_dir("season");
  const std::string path = (dir / "t.csv").string();
  t.save(path);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  const std::string text = rs_test::read_file(path);
  EXPECT_EQ(text.rfind("level,key,week_of_year,index,reliability,n\ntraffic,ALL,1,", 0), 0u) << text.substr(0, 80);
  EXPECT_NE(text.find("category,\"BAG SNACKS, \"\"SALTY\"\"\",1,"), std::string::npos);
  EXPECT_NE(text.find(",NA,75000\n"), std::string::npos);
  const auto u = SeasonalityTable::load(path);
  ASSERT_EQ(u.categories().size(), 2u);
  ASSERT_EQ(u.products().size(), 1u);
  ASSERT_NE(u.traffic(), nullptr);
  for (const auto& [name, c] : t.categories()) {
    const SeasonCurve* d = u.find_category(name);
    ASSERT_NE(d, nullptr) << name;
    EXPECT_EQ(d->n, c.n);
    EXPECT_NEAR(d->reliability, c.reliability, 1e-4);
    for (int w = 0; w < 52; ++w) EXPECT_NEAR(d->index[w], c.index[w], 1e-6);
  }
  EXPECT_NEAR(u.product_index(9000000001LL, "SOUP", 30), 1.4f, 1e-6);
  EXPECT_TRUE(std::isnan(u.traffic()->reliability));
  EXPECT_EQ(u.to_csv(), text);  // a second save writes the same bytes
  fs::remove_all(dir);
}

// ---- calendar -------------------------------------------------------------------------------

TEST(SeasonCalendar, WeekOfYearFromDates) {
  EXPECT_EQ(parse_date("1970-01-01", "x"), 0);
  EXPECT_EQ(week_of_year_of_day(parse_date("2017-01-01", "x")), 1);
  EXPECT_EQ(week_of_year_of_day(parse_date("2017-01-07", "x")), 1);
  EXPECT_EQ(week_of_year_of_day(parse_date("2017-01-08", "x")), 2);
  EXPECT_EQ(week_of_year_of_day(parse_date("2017-11-23", "x")), 47);  // Thanksgiving 2017
  EXPECT_EQ(week_of_year_of_day(parse_date("2017-12-25", "x")), 52);
  EXPECT_EQ(week_of_year_of_day(parse_date("2017-12-31", "x")), 52);
  EXPECT_EQ(week_of_year_of_day(parse_date("2016-12-31", "x")), 52);  // leap year, day 366
  EXPECT_EQ(week_of_year_of_day(parse_date("2018-01-01", "x")), 1);
  EXPECT_EQ(week_of_year_of_day(parse_date("2000-02-29", "x")), 9);
  for (const char* bad : {"2017-02-29", "2017-13-01", "17-01-01", "2017-1-1", "2017-01-01x", ""}) {
    std::string e;
    try {
      parse_date(bad, "--start-date");
    } catch (const InputError& x) {
      e = x.what();
    }
    EXPECT_EQ(e.rfind("--start-date: '", 0), 0u) << bad << ": " << e;
  }
}

// ---- the learner ----------------------------------------------------------------------------

namespace {

// A TCJ-layout dataset of `weeks` weeks: PLANTED follows 1 + 0.5 sin(2 pi (w-1)/52) by week of year,
// FLAT is constant, GROWING's volume grows linearly over the whole span, and a strongly seasonal
// FUEL product (non-merchandise) must not leak into anyone's shares.
struct Planted {
  fs::path dir;
  std::string tx, products;
  static double planted(int w) { return 1.0 + 0.5 * std::sin(2 * kPi * (w - 1) / 52.0); }
};

Planted write_planted(int weeks) {
  Planted p;
  p.dir = rs_test::temp_dir("season_planted");
  p.tx = (p.dir / "transaction_data.csv").string();
  p.products = (p.dir / "product.csv").string();
  std::string prod = "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n";
  for (int j = 1; j <= 5; ++j) prod += std::to_string(100 + j) + ",1,GROCERY,National,PLANTED,P,1 OZ\n";
  for (int j = 1; j <= 10; ++j) prod += std::to_string(200 + j) + ",1,GROCERY,Private,FLAT,F,1 OZ\n";
  for (int j = 1; j <= 5; ++j) prod += std::to_string(300 + j) + ",1,PRODUCE,National,GROWING,G,1 OZ\n";
  prod += "999,1,KIOSK-GAS,National,GASOLINE,REG,NA\n";
  rs_test::write_file(p.products, prod);

  std::mt19937 rng(20170101);
  const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::string tx = "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,WEEK_NO,"
                   "COUPON_DISC,COUPON_MATCH_DISC\n";
  auto emit = [&](int week, int count, int first_id, int n_products) {
    for (int i = 0; i < count; ++i) {
      const int day = (week - 1) * 7 + pick(7) + 1;
      const int hh = 1 + pick(400);
      tx += std::to_string(hh) + ",1," + std::to_string(day) + "," + std::to_string(first_id + pick(n_products)) +
            ",1,2.49,1,-0.50,1200," + std::to_string(week) + ",0,0\n";
    }
  };
  for (int t = 1; t <= weeks; ++t) {
    const int w = (t - 1) % 52 + 1;
    const double jitter = 0.9 + 0.2 * (pick(1000) / 1000.0);
    emit(t, static_cast<int>(std::lround(120 * Planted::planted(w) * jitter)), 101, 5);
    emit(t, 900, 201, 10);
    emit(t, static_cast<int>(std::lround(150 + 300.0 * (t - 1) / std::max(1, weeks - 1))), 301, 5);
    emit(t, static_cast<int>(std::lround(500 * (1 + 0.9 * std::cos(2 * kPi * (w - 30) / 52.0)))), 999, 1);
  }
  rs_test::write_file(p.tx, tx);
  return p;
}

std::vector<double> as_vector(const SeasonCurve& c) { return std::vector<double>(c.index.begin(), c.index.end()); }

}  // namespace

TEST(SeasonLearner, RecoversPlantedSeasonalityAndKeepsFlatCategoriesFlat) {
  const Planted p = write_planted(104);
  LearnOptions opt;
  opt.transactions_path = p.tx;
  opt.products_path = p.products;
  std::string report;
  const SeasonalityTable t = learn_seasonality(opt, &report);
  std::vector<double> truth;
  for (int w = 1; w <= 52; ++w) truth.push_back(Planted::planted(w));

  ASSERT_NE(t.find_category("PLANTED"), nullptr) << report;
  const auto planted = as_vector(*t.find_category("PLANTED"));
  EXPECT_GT(correlation(planted, truth), 0.9) << report;
  const SeasonSummary s = summarize(*t.find_category("PLANTED"));
  EXPECT_NEAR(s.peak_week, 14, 4);    // sin peaks at week 14
  EXPECT_NEAR(s.trough_week, 40, 4);  // and bottoms at week 40
  EXPECT_GT(s.ratio(), 2.0);          // planted 3x, a little lost to smoothing and shrinkage
  EXPECT_GT(t.find_category("PLANTED")->reliability, 0.8);

  // FLAT moves only by PLANTED's pull on the total; GROWING's trend is taken out (two years).
  for (const char* flat : {"FLAT", "GROWING"}) {
    ASSERT_NE(t.find_category(flat), nullptr) << flat;
    for (int w = 1; w <= 52; ++w) EXPECT_NEAR(t.category_index(flat, w), 1.0, 0.1) << flat << " week " << w;
  }
  EXPECT_EQ(t.find_category("GASOLINE"), nullptr);  // not merchandise
  EXPECT_EQ(t.find_product(999), nullptr);

  // Products with >= 300 lines get their own keys, which follow the planted curve too.
  ASSERT_NE(t.find_product(101), nullptr) << report;
  EXPECT_GT(correlation(as_vector(*t.find_product(101)), truth), 0.8);
  EXPECT_NEAR(t.product_index(101, "PLANTED", 14), t.find_product(101)->index[13], 1e-6);

  // Every key averages 1 and reloads.
  const auto dir = rs_test::temp_dir("season");
  t.save((dir / "t.csv").string());
  EXPECT_NO_THROW(SeasonalityTable::load((dir / "t.csv").string()));
  EXPECT_NE(report.find("linear trend removed"), std::string::npos) << report;
  EXPECT_NE(report.find("PLANTED"), std::string::npos) << report;
  fs::remove_all(dir);
  fs::remove_all(p.dir);
}

TEST(SeasonLearner, ShrinksThinKeysAndLeavesOutTheThinnest) {
  const Planted p = write_planted(52);
  LearnOptions opt;
  opt.transactions_path = p.tx;
  opt.products_path = p.products;
  opt.min_category_lines = 10000;  // PLANTED (about 6,200 lines) is left out, FLAT (46,800) kept
  const SeasonalityTable t = learn_seasonality(opt, nullptr);
  EXPECT_EQ(t.find_category("PLANTED"), nullptr);
  EXPECT_NE(t.find_category("FLAT"), nullptr);
  EXPECT_FLOAT_EQ(t.product_index(12345, "PLANTED", 14), 1.0f);

  // A huge n0 shrinks everything to 1 (shrinkage by lines).
  opt.min_category_lines = 1;
  opt.shrink_by = ShrinkBy::kLines;
  opt.shrinkage_lines = 1e12;
  const SeasonalityTable u = learn_seasonality(opt, nullptr);
  for (int w = 1; w <= 52; ++w) EXPECT_NEAR(u.category_index("PLANTED", w), 1.0, 1e-4);
  fs::remove_all(p.dir);
}

TEST(SeasonLearner, ShortDataLeavesWeeksWithoutDataAtOne) {
  const Planted p = write_planted(8);  // weeks 1..8 only
  LearnOptions opt;
  opt.transactions_path = p.tx;
  opt.products_path = p.products;
  std::string report;
  const SeasonalityTable t = learn_seasonality(opt, &report);
  ASSERT_NE(t.find_category("PLANTED"), nullptr);
  for (int w = 9; w <= 52; ++w) {
    EXPECT_NEAR(t.category_index("PLANTED", w), 1.0, 1e-5) << w;  // the kernel does not reach past the data
    EXPECT_NEAR(t.traffic_index(w), 1.0, 1e-5) << w;
  }
  // Inside the data the planted rise (weeks 1..8 climb from 1.0 to 1.4) is seen, though GROWING's
  // ramp of the total leaves PLANTED's share only a few percent of rise: shrunk by volume it stays,
  // while the split-half correlation of so small a rise is below 0, so by reliability it is flat.
  opt.shrink_by = ShrinkBy::kLines;
  const SeasonalityTable by_lines = learn_seasonality(opt, nullptr);
  EXPECT_LT(by_lines.category_index("PLANTED", 1), by_lines.category_index("PLANTED", 8));
  for (int w = 9; w <= 52; ++w) EXPECT_NEAR(by_lines.category_index("PLANTED", w), 1.0, 1e-5) << w;
  if (t.find_category("PLANTED")->reliability <= 0) {
    for (int w = 1; w <= 52; ++w) EXPECT_NEAR(t.category_index("PLANTED", w), 1.0, 1e-5) << w;
  }
  EXPECT_NE(report.find("only 8 of the 52 weeks of year have data"), std::string::npos) << report;
  EXPECT_NE(report.find("linear trend kept"), std::string::npos) << report;
  fs::remove_all(p.dir);
}

TEST(SeasonLearner, ReadsCompleteJourney2WithQuotesNaCrlfAndDiscountsOfEitherSign) {
  const auto dir = rs_test::temp_dir("season");
  rs_test::write_file(dir / "products.csv",
                      "\"product_id\",\"manufacturer_id\",\"department\",\"brand\",\"product_category\",\"product_type\","
                      "\"package_size\"\r\n"
                      "\"1\",\"2\",\"GROCERY\",\"National\",\"SOUP, CANNED\",\"X\",NA\r\n"
                      "\"9e+05\",\"2\",\"FROZEN GROCERY\",\"Private\",\"ICE CREAM\",\"Y\",\"1 PT\"\r\n"
                      "\"3\",\"2\",\"COUPON\",\"National\",\"COUPON\",NA,NA\r\n"
                      "\"4\",\"2\",\"GROCERY\",\"National\",NA,NA,NA\r\n");
  const std::string head =
      "\"household_id\",\"store_id\",\"basket_id\",\"product_id\",\"quantity\",\"sales_value\",\"retail_disc\","
      "\"coupon_disc\",\"coupon_match_disc\",\"week\",\"transaction_timestamp\"\r\n";
  rs_test::write_file(dir / "transactions.csv",
                      head +
                          "\"10\",\"1\",\"4.0128e+10\",\"1\",1,1.5,0.43,0,0,1,\"2017-01-01 08:47:20\"\r\n"
                          "\"11\",\"1\",\"2\",\"900000\",2,3,-0.5,0,0,30,\"2017-07-28 12:00:00\"\r\n"
                          "\"12\",\"1\",\"3\",\"9e+05\",1,3,0,0,0,48,\"2017-11-23 12:00:00\"\r\n"
                          "\"12\",\"1\",\"4\",\"3\",1,-1,0,0,0,48,\"2017-11-23 12:00:00\"\r\n"   // coupon: left out
                          "\"12\",\"1\",\"4\",\"4\",1,1,0,0,0,48,\"2017-11-23 12:00:00\"\r\n"   // no category
                          "\"13\",\"1\",\"5\",\"77\",1,1,0,0,0,48,\"2017-11-23 12:00:00\"\r\n"  // unknown product
                          "\"13\",\"1\",\"6\",\"1\",0,0,0,0,0,48,\"2017-11-24 12:00:00\"\r\n"   // quantity 0
                          "\"13\",\"1\",\"7\",\"1\",1,1,0,0,0,48,NA\r\n");                      // no timestamp
  LearnOptions opt;
  opt.transactions_path = (dir / "transactions.csv").string();
  opt.products_path = (dir / "products.csv").string();
  opt.min_category_lines = 1;
  std::string report;
  const SeasonalityTable t = learn_seasonality(opt, &report);
  EXPECT_NE(report.find("CompleteJourney 2.0 layout"), std::string::npos) << report;
  EXPECT_NE(report.find("lines: 8 read, 3 used; left out: 1 unknown product, 2 non-merchandise or without category, "
                        "1 quantity <= 0, 1 with a missing field"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("dates 2017-01-01 .. 2017-11-23"), std::string::npos) << report;
  ASSERT_NE(t.traffic(), nullptr);
  EXPECT_EQ(t.traffic()->n, 3);
  ASSERT_NE(t.find_category("SOUP, CANNED"), nullptr);
  EXPECT_EQ(t.find_category("SOUP, CANNED")->n, 1);
  EXPECT_EQ(t.find_category("ICE CREAM")->n, 2);
  EXPECT_EQ(t.find_category("COUPON"), nullptr);
  fs::remove_all(dir);
}

TEST(SeasonLearner, BadInputNamesFileAndLine) {
  const auto dir = rs_test::temp_dir("season");
  rs_test::write_file(dir / "product.csv",
                      "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n"
                      "1,1,GROCERY,National,SOUP,X,NA\n");
  const std::string head = "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,"
                           "WEEK_NO,COUPON_DISC,COUPON_MATCH_DISC\n";
  const auto error_for = [&](const std::string& tx, const std::string& start = "2017-01-01") {
    rs_test::write_file(dir / "tx.csv", tx);
    LearnOptions opt;
    opt.transactions_path = (dir / "tx.csv").string();
    opt.products_path = (dir / "product.csv").string();
    opt.start_date = start;
    try {
      learn_seasonality(opt, nullptr);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  std::string e = error_for(head + "1,1,1,1,1,1,1,0,1200,1,0,0\n1,1,x7,1,1,1,1,0,1200,1,0,0\n");
  EXPECT_NE(e.find("tx.csv:3: DAY 'x7' is not an integer"), std::string::npos) << e;
  e = error_for(head + "1,1,1,1,1,1,1,0,1200,1,0,0\n1,1,0,1,1,1,1,0,1200,1,0,0\n");
  EXPECT_NE(e.find("tx.csv:3: DAY '0'"), std::string::npos) << e;
  e = error_for(head + "1,1,1,P1,1,1,1,0,1200,1,0,0\n");
  EXPECT_NE(e.find("tx.csv:2: product id 'P1'"), std::string::npos) << e;
  e = error_for(head + "1,1,1,1,many,1,1,0,1200,1,0,0\n");
  EXPECT_NE(e.find("tx.csv:2: quantity 'many'"), std::string::npos) << e;
  e = error_for(head + "1,1,1,1,1,1\n");
  EXPECT_NE(e.find("tx.csv:2: too few fields"), std::string::npos) << e;
  EXPECT_EQ(e.find("tx.csv", e.find("tx.csv") + 1), std::string::npos) << "the file is named once: " << e;
  e = error_for("a,b,c\n1,2,3\n");
  EXPECT_NE(e.find("tx.csv:1: unrecognised header"), std::string::npos) << e;
  e = error_for("household_key,DAY,PRODUCT_ID\n1,1,1\n");  // no QUANTITY
  EXPECT_NE(e.find("tx.csv"), std::string::npos) << e;
  EXPECT_NE(e.find("QUANTITY"), std::string::npos) << e;
  e = error_for(head + "1,1,1,2,1,1,1,0,1200,1,0,0\n");
  EXPECT_NE(e.find("tx.csv: no merchandise lines"), std::string::npos) << e;
  e = error_for(head + "1,1,1,1,1,1,1,0,1200,1,0,0\n", "2017-02-30");
  EXPECT_NE(e.find("--start-date: '2017-02-30'"), std::string::npos) << e;
  e = error_for("\"household_id\",\"product_id\",\"quantity\",\"transaction_timestamp\"\n\"1\",\"1\",1,\"2017/01/01\"\n");
  EXPECT_NE(e.find("tx.csv:2: transaction_timestamp '2017/01/01'"), std::string::npos) << e;
  fs::remove_all(dir);
}

TEST(SeasonLearner, RealSampleShowsKnownSeasons) {
  const std::string tx = rs_test::source_path(kReal + "transactions.csv");
  const std::string products = rs_test::source_path(kReal + "products.csv");
  if (!fs::exists(tx) || !fs::exists(products)) GTEST_SKIP() << "real sample not present at " << tx;
  LearnOptions opt;
  opt.transactions_path = tx;
  opt.products_path = products;
  std::string report;
  const SeasonalityTable t = learn_seasonality(opt, &report);
  ASSERT_NE(t.find_category("SOUP"), nullptr) << report;
  ASSERT_NE(t.find_category("ICE CREAM/MILK/SHERBTS"), nullptr) << report;
  const SeasonSummary soup = summarize(*t.find_category("SOUP"));
  EXPECT_TRUE(soup.peak_week >= 40 || soup.peak_week <= 8) << "SOUP peaks in week " << soup.peak_week << "\n" << report;
  EXPECT_GE(soup.trough_week, 22) << report;
  EXPECT_LE(soup.trough_week, 36) << report;
  const SeasonSummary ice = summarize(*t.find_category("ICE CREAM/MILK/SHERBTS"));
  EXPECT_GE(ice.peak_week, 22) << report;
  EXPECT_LE(ice.peak_week, 36) << report;
  EXPECT_GT(t.find_category("SOUP")->reliability, 0.3) << report;
  EXPECT_FALSE(t.categories().count("COUPON/MISC ITEMS"));  // non-merchandise left out
  EXPECT_NE(report.find("most seasonal categories"), std::string::npos);
}

TEST(SeasonLearner, CommittedTableLoadsAndIsReproducible) {
  const std::string committed = rs_test::source_path("configs/seasonality/completejourney.csv");
  const SeasonalityTable t = SeasonalityTable::load(committed);
  ASSERT_NE(t.find_category("SOUP"), nullptr);
  ASSERT_NE(t.traffic(), nullptr);
  EXPECT_GT(t.categories().size(), 150u);
  EXPECT_GT(t.category_index("SOUP", 45), t.category_index("SOUP", 28));
  // The exact command in configs/seasonality/README.md makes these bytes.
  const std::string tx = rs_test::source_path(kReal + "transactions.csv");
  const std::string products = rs_test::source_path(kReal + "products.csv");
  if (!fs::exists(tx) || !fs::exists(products)) GTEST_SKIP() << "real sample not present at " << tx;
  LearnOptions opt;
  opt.transactions_path = tx;
  opt.products_path = products;
  EXPECT_EQ(learn_seasonality(opt, nullptr).to_csv(), rs_test::read_file(committed));
}

// ---- picture and command line ---------------------------------------------------------------

TEST(SeasonSvg, DrawsOnePolylinePerCategoryWithLegend) {
  SeasonalityTable t;
  t.set_category("SOUP", curve(0.3, 46));
  t.set_category("SPICES & EXTRACTS", curve(0.2, 50));
  const std::string svg = seasonality_svg(t, {"SOUP", "SPICES & EXTRACTS"});
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  size_t n = 0;
  for (size_t i = svg.find("<polyline"); i != std::string::npos; i = svg.find("<polyline", i + 1)) ++n;
  EXPECT_EQ(n, 3u);  // two curves and the axes
  EXPECT_NE(svg.find("SPICES &amp; EXTRACTS"), std::string::npos);
  EXPECT_EQ(svg.find("SPICES & EXTRACTS"), std::string::npos);
  EXPECT_NE(svg.find("week of year"), std::string::npos);
  EXPECT_THROW(seasonality_svg(t, {"TURKEY"}), InputError);
}

TEST(SeasonSvg, AShortRunDrawsOnlyItsWeeksAndTheLegendFits) {
  // A 26-week run: weeks 27-52 were left at exactly 1 by the learner; they are shaded, not drawn.
  SeasonCurve c = curve(0.3, 10), d = curve(0.2, 20);
  for (int w = 27; w <= 52; ++w) c.index[w - 1] = 1.0f, d.index[w - 1] = 1.0f;
  SeasonalityTable t;
  const std::string long_name = "FROZEN BREAKFAST SANDWICHES AND OTHER VERY LONG NAMES";
  t.set_category(long_name, c);
  t.set_category("SOUP", d);
  const std::string svg = seasonality_svg(t, {long_name, "SOUP"});
  EXPECT_NE(svg.find("no data (weeks 27-52)"), std::string::npos);
  size_t n = 0;
  for (size_t i = svg.find("<polyline points=\""); i != std::string::npos; i = svg.find("<polyline points=\"", i + 1)) ++n;
  EXPECT_EQ(n, 3u) << "one run of weeks per curve, and the axes";
  // The legend's longest label fits the width: about 7 px per character from its start.
  const size_t at = svg.find(long_name);
  ASSERT_NE(at, std::string::npos);
  const size_t xs = svg.rfind("<text x=\"", at) + 9;
  const double x = std::stod(svg.substr(xs));
  const double width = std::stod(svg.substr(svg.find("width=\"") + 7));
  EXPECT_LE(x + 6.5 * (long_name.size() + 8), width) << "legend cut";
}

TEST(SeasonCli, LearnsWritesTableAndSvg) {
  const Planted p = write_planted(52);
  const std::string out = (p.dir / "season.csv").string(), svg = (p.dir / "season.svg").string();
  const auto r = rs_test::run_binary("learn-seasonality --transactions " + p.tx + " --products " + p.products +
                                     " --out " + out + " --svg " + svg + " --start-date 2017-01-01 --top 5");
  EXPECT_EQ(r.code, 0) << r.err;
  const auto t = SeasonalityTable::load(out);
  EXPECT_NE(t.find_category("PLANTED"), nullptr);
  EXPECT_NE(rs_test::read_file(svg).find("PLANTED"), std::string::npos);
  EXPECT_FALSE(fs::exists(out + ".tmp"));
  fs::remove_all(p.dir);
}

TEST(SeasonCli, BadTransactionsExitTwoWithOneLineAndNoOutput) {
  const auto dir = rs_test::temp_dir("season_cli");
  rs_test::write_file(dir / "product.csv",
                      "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n"
                      "1,1,GROCERY,National,SOUP,X,NA\n");
  rs_test::write_file(dir / "tx.csv",
                      "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,"
                      "WEEK_NO,COUPON_DISC,COUPON_MATCH_DISC\n"
                      "1,1,1,1,1,1,1,0,1200,1,0,0\n"
                      "1,1,DAY3,1,1,1,1,0,1200,1,0,0\n");
  const std::string out = (dir / "season.csv").string();
  const std::string args = "learn-seasonality --transactions " + (dir / "tx.csv").string() + " --products " +
                           (dir / "product.csv").string() + " --out " + out;
  auto r = rs_test::run_binary(args + " --svg " + (dir / "s.svg").string());
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("tx.csv:3: DAY 'DAY3'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out + ".tmp"));
  EXPECT_FALSE(fs::exists(dir / "s.svg"));

  r = rs_test::run_binary(args + " --start-date 2017-13-01");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--start-date: '2017-13-01'"), std::string::npos) << r.err;
  r = rs_test::run_binary("learn-seasonality --transactions " + (dir / "tx.csv").string() + " --out " + out);
  EXPECT_EQ(r.code, 2);  // --products missing
  EXPECT_FALSE(fs::exists(out));
  fs::remove_all(dir);
}
