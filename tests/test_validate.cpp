// `retailsynth validate` and the shared metrics (host/analysis): the KS distance on known samples,
// the dataset loader on every layout (RetailSynth output, TCJ without truth, CompleteJourney 2.0),
// metrics on a small generated dataset, the files validate writes, and exit 2 on bad input.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <sstream>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "analysis/category_measures.h"
#include "analysis/dataset.h"
#include "analysis/metrics.h"
#include "analysis/report_html.h"
#include "analysis/validate.h"
#include "config.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using namespace retailsynth;
using rs_test::read_file;
using rs_test::run_binary;
using rs_test::write_file;

namespace {

const std::string kSmall = rs_test::source_path("configs/small.yaml");

/// configs/small.yaml generated once through the binary.
const fs::path& small_dataset() { return rs_test::small_generated(); }

TEST(Validate, CouponLineShareCountsTheCouponColumn) {
  // configs/small.yaml runs campaigns: the share is the file's lines with COUPON_DISC != 0.
  size_t lines = 0, with = 0;
  std::istringstream in(read_file(small_dataset() / "transaction_data.csv"));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    ++lines;
    const size_t comma = line.rfind(',');
    with += line.substr(line.rfind(',', comma - 1) + 1, comma - line.rfind(',', comma - 1) - 1) != "0.00";
  }
  ASSERT_GT(with, 20u);
  EXPECT_DOUBLE_EQ(coupon_line_share(load_dataset(small_dataset().string())), double(with) / lines);
}

const Dataset& small() {
  static const Dataset d = load_dataset(small_dataset().string());
  return d;
}

/// The real CompleteJourney 2.0 sample: $RETAILSYNTH_REAL_DATA, else ../shared beside the sources.
std::string real_dir() {
  const char* e = std::getenv("RETAILSYNTH_REAL_DATA");
  const std::string d = e && *e ? e : rs_test::source_path("../shared/data/completejourney");
  return fs::exists(fs::path(d) / "transactions.csv") ? d : "";
}

/// Brute-force KS: the largest CDF gap over every observed value.
double ks_brute(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> xs = a;
  xs.insert(xs.end(), b.begin(), b.end());
  double d = 0;
  for (double x : xs) {
    const double fa = std::count_if(a.begin(), a.end(), [x](double v) { return v <= x; }) / double(a.size());
    const double fb = std::count_if(b.begin(), b.end(), [x](double v) { return v <= x; }) / double(b.size());
    d = std::max(d, std::fabs(fa - fb));
  }
  return d;
}

size_t count_lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

// ---- KS distance -----------------------------------------------------------------------------------

TEST(Ks, KnownSamples) {
  EXPECT_DOUBLE_EQ(ks_distance({1, 2, 3}, {1, 2, 3}), 0.0);
  EXPECT_DOUBLE_EQ(ks_distance({1, 2, 3}, {4, 5, 6}), 1.0);
  EXPECT_DOUBLE_EQ(ks_distance({1, 2, 3, 4}, {3, 4, 5, 6}), 0.5);
  EXPECT_DOUBLE_EQ(ks_distance({3, 1, 2, 4}, {6, 5, 4, 3}), 0.5) << "order does not matter";
  // Ties: F_a(1) = 2/3, F_b(1) = 1/3.
  EXPECT_NEAR(ks_distance({1, 1, 2}, {1, 2, 2}), 1.0 / 3, 1e-12);
  // Discrete samples with a shared support: the gap is read after each value, not inside a tie.
  EXPECT_NEAR(ks_distance({0, 0, 0, 1}, {0, 1, 1, 1}), 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(ks_distance({}, {1}), 0.0);
  EXPECT_DOUBLE_EQ(ks_distance({5}, {5, 5, 5}), 0.0);
}

TEST(Ks, MatchesBruteForceOnRandomSamples) {
  std::mt19937_64 rng(11);
  for (int rep = 0; rep < 50; ++rep) {
    std::poisson_distribution<int> pa(2.0 + rep % 3), pb(2.5);
    std::vector<double> a(1 + rng() % 60), b(1 + rng() % 60);
    for (double& x : a) x = pa(rng);
    for (double& x : b) x = rep % 2 ? pb(rng) : std::normal_distribution<double>(2, 1)(rng);
    EXPECT_NEAR(ks_distance(a, b), ks_brute(a, b), 1e-12) << rep;
  }
}

TEST(Ks, LargeSamplesFromOneDistributionAreClose) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> n(0, 1);
  std::vector<double> a(20000), b(20000), c(20000);
  for (double& x : a) x = n(rng);
  for (double& x : b) x = n(rng);
  for (double& x : c) x = n(rng) + 0.5;
  // sqrt((n+m)/(n m)) * 1.95 is the 0.1% critical value.
  EXPECT_LT(ks_distance(a, b), 1.95 * std::sqrt(2.0 / 20000));
  EXPECT_NEAR(ks_distance(a, c), 0.197, 0.02) << "Phi(0.25) - Phi(-0.25)";
}

TEST(Ks, Quantiles) {
  const std::vector<double> s = {1, 2, 3, 4, 5};
  EXPECT_EQ(quantile_sorted(s, 0), 1);
  EXPECT_EQ(quantile_sorted(s, 0.5), 3);
  EXPECT_EQ(quantile_sorted(s, 1), 5);
  EXPECT_TRUE(std::isnan(quantile_sorted({}, 0.5)));
}

// ---- the loader --------------------------------------------------------------------------------------

TEST(Dataset, LoadsRetailSynthOutputWithTruth) {
  const Dataset& d = small();
  EXPECT_EQ(d.layout, DataLayout::kTcj);
  EXPECT_TRUE(d.has_truth);
  EXPECT_EQ(d.lines() + 1, count_lines(read_file(small_dataset() / "transaction_data.csv")));
  EXPECT_EQ(d.n_products(), 1200);
  EXPECT_EQ(d.n_stores(), 5);
  EXPECT_EQ(d.weeks, 8);
  EXPECT_EQ(d.first_week, 1);
  EXPECT_EQ(d.skipped_non_merchandise + d.skipped_unknown_product, 0u);
  EXPECT_LE(d.n_households(), 400u);
  EXPECT_EQ(d.params.size(), 400u);
  EXPECT_TRUE(d.has_causal);
  EXPECT_EQ(d.promotions.size() + 1, count_lines(read_file(small_dataset() / "truth/promotions.csv")));
  EXPECT_TRUE(std::is_sorted(d.promotions.key.begin(), d.promotions.key.end()));
  // Every line's promotion lookup agrees with a scan of the promotions.
  std::set<u64> keys(d.promotions.key.begin(), d.promotions.key.end());
  size_t promoted = 0;
  for (size_t i = 0; i < d.lines(); ++i) {
    const bool in = keys.count(PromotionTable::make_key(d.store_index[i], d.product[i], d.week[i])) > 0;
    ASSERT_EQ(d.promo_of_line(i) != nullptr, in) << i;
    promoted += in;
    EXPECT_EQ(d.household_keys[d.hh[i]], d.household[i]);
    EXPECT_EQ(d.store_ids[d.store_index[i]], d.store[i]);
  }
  EXPECT_GT(promoted, d.lines() / 10);
}

TEST(Dataset, TcjWithoutTruthAndZstd) {
  const fs::path dir = rs_test::temp_dir("tcj") / "d";
  const auto r = run_binary("generate --quiet --config " + kSmall + " --compress zstd --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(fs::exists(dir / "transaction_data.csv.zst"));
  const Dataset z = load_dataset(dir.string());
  EXPECT_EQ(z.lines(), small().lines());
  EXPECT_EQ(z.sales_cents, small().sales_cents);
  EXPECT_EQ(z.promotions.size(), small().promotions.size());
  fs::remove_all(dir / "truth");
  const Dataset t = load_dataset(dir.string());
  EXPECT_FALSE(t.has_truth);
  EXPECT_EQ(t.lines(), small().lines());
  EXPECT_TRUE(t.promotions.empty());
  EXPECT_EQ(t.promo_of_line(0), nullptr);
}

TEST(Dataset, CompleteJourney2LayoutByHeader) {
  const fs::path dir = rs_test::temp_dir("cj2");
  write_file(dir / "products.csv",
             "\"product_id\",\"manufacturer_id\",\"department\",\"brand\",\"product_category\",\"product_type\",\"package_size\"\r\n"
             "\"1\",\"2\",\"GROCERY\",\"National\",\"SOUP\",\"CONDENSED\",\"10 OZ\"\r\n"
             "\"2\",\"69\",\"GROCERY\",\"Private\",\"BAKED BREAD/BUNS/ROLLS\",NA,NA\r\n"
             "\"3\",\"5\",\"KIOSK-GAS\",\"National\",\"COUPON/MISC ITEMS\",\"GASOLINE\",NA\r\n");
  write_file(dir / "transactions.csv",
             "\"household_id\",\"store_id\",\"basket_id\",\"product_id\",\"quantity\",\"sales_value\",\"retail_disc\","
             "\"coupon_disc\",\"coupon_match_disc\",\"week\",\"transaction_timestamp\"\r\n"
             "\"900\",\"309\",\"31625220889\",\"1\",1,3.86,0.43,0,0,5,\"2017-01-28 14:06:53\"\r\n"
             "\"900\",\"309\",\"31625220889\",\"2\",2,2.5,0,0,0,5,\"2017-01-28 14:06:53\"\r\n"
             "\"901\",\"381\",\"4.0128e+10\",\"2\",1,1,0.69,0,0,40,\"2017-09-28 01:22:06\"\r\n"
             "\"901\",\"381\",\"4.0128e+10\",\"3\",12,30,0,0,0,40,\"2017-09-28 01:22:06\"\r\n"
             "\"902\",\"381\",\"4.0128e+11\",\"77\",1,1,0,0,0,41,\"2017-10-01 09:00:00\"\r\n");
  const Dataset d = load_dataset(dir.string());
  EXPECT_EQ(d.layout, DataLayout::kCompleteJourney2);
  ASSERT_EQ(d.lines(), 3u);
  EXPECT_EQ(d.skipped_non_merchandise, 1u) << "the fuel line";
  EXPECT_EQ(d.skipped_unknown_product, 1u) << "product 77";
  EXPECT_EQ(d.basket[2], 40128000000);
  EXPECT_EQ(d.day[0], 28) << "2017-01-28 is DAY 28";
  EXPECT_EQ(d.day[2], 271);
  EXPECT_EQ(d.week[2], 40);
  EXPECT_EQ(d.disc_cents[0], 43) << "CJ2 discounts are >= 0; stored as amounts";
  EXPECT_EQ(d.sales_cents[1], 250);
  EXPECT_EQ(d.quantity[1], 2);
  EXPECT_EQ(d.n_categories(), 2);
  EXPECT_EQ(d.n_households(), 2u);
  EXPECT_FALSE(d.has_truth);
  EXPECT_NEAR(discount_share(d), (0.43 + 0.69) / (3.86 + 0.43 + 2.5 + 1 + 0.69), 1e-12);
}

TEST(Dataset, RealCompleteJourney2Sample) {
  const std::string dir = real_dir();
  if (dir.empty()) GTEST_SKIP() << "the shared CompleteJourney 2.0 sample is not here (set RETAILSYNTH_REAL_DATA)";
  const Dataset d = load_dataset(dir);
  EXPECT_EQ(d.layout, DataLayout::kCompleteJourney2);
  EXPECT_EQ(d.lines() + d.skipped_non_merchandise + d.skipped_unknown_product, 75000u);
  EXPECT_EQ(d.skipped_unknown_product, 222u);
  EXPECT_GT(d.skipped_non_merchandise, 500u) << "fuel and coupon lines";
  EXPECT_EQ(d.first_week, 1);
  EXPECT_EQ(d.weeks, 53);
  EXPECT_GT(d.n_households(), 2300u);
  EXPECT_GT(d.n_categories(), 250);
  EXPECT_NEAR(discount_share(d), 0.15, 0.02);
  EXPECT_NEAR(discounted_line_share(d), 0.50, 0.03);
  EXPECT_NEAR(coupon_line_share(d), 0.013, 0.002) << "1.5% of all lines, 1.3% of merchandise lines";
  // promotions.csv read as code counts: the README's mix.
  ASSERT_TRUE(d.has_causal);
  u64 rows = 0;
  for (const auto& [c, n] : d.display_codes) rows += n;
  EXPECT_EQ(rows, 360535u);
  EXPECT_NEAR(double(d.display_codes.at("0")) / rows, 0.570, 0.002);
  EXPECT_NEAR(double(d.mailer_codes.at("A")) / rows, 0.437, 0.002);
}

// ---- metrics on generated data ------------------------------------------------------------------------

TEST(Metrics, SmallDataset) {
  const Dataset& d = small();
  const PromoFrequency f = promo_frequency(d);
  ASSERT_EQ(f.share.size(), static_cast<size_t>(d.n_categories()));
  for (double s : f.share) {
    EXPECT_GE(s, 0.0);
    EXPECT_LE(s, 1.0);
  }
  EXPECT_GT(f.median, 0.05);
  const DepthDistribution dd = depth_distribution(d);
  EXPECT_GE(dd.min, 0.10 - 1e-6);
  EXPECT_LE(dd.max, 0.50 + 1e-6);
  EXPECT_DOUBLE_EQ(dd.in_range, 1.0);
  EXPECT_NEAR(dd.mean, 0.25, 0.05);
  const Baskets b = baskets(d);
  EXPECT_GT(b.mean_lines, 1.0);
  EXPECT_GT(b.baskets_per_household_week, 0.3);
  EXPECT_GT(b.mean_dollars, 1.0);
  const double ratio = deep_quantity_ratio(d);
  EXPECT_GT(ratio, 1.0) << "deeper discounts, more units per line";
  EXPECT_GT(deep_quantity_ratio_observed(d), 1.0);
  const Heterogeneity h = promotion_heterogeneity(d, 10);  // 8 weeks: few households reach 40 lines
  EXPECT_GT(h.households, 50u);
  EXPECT_GT(h.sd, 0.0);
  EXPECT_GT(h.sd_null, 0.0);
  EXPECT_DOUBLE_EQ(promoted_spend_share_sd(d, 10), h.sd);
  const double ds = discount_share(d);
  EXPECT_GT(ds, 0.02);
  EXPECT_LT(ds, 0.5);
  const Slope s = trip_slope(d);
  EXPECT_TRUE(std::isfinite(s.b));
  EXPECT_GT(s.households, 100u);
  const PromoUnits pu = promo_units(d);
  double units = 0;
  for (float u : pu.units) units += u;
  for (double u : pu.base_units) units += u;
  double q = 0;
  for (i32 x : d.quantity) q += x;
  EXPECT_DOUBLE_EQ(units, q) << "every unit is either in a promoted cell or in a baseline";
}

TEST(Metrics, LikenessSampleCountsAndThinning) {
  const Dataset& d = small();
  const LikenessSample all = likeness_sample(d, LikenessOptions{});
  EXPECT_EQ(all.kept_lines, d.lines());
  EXPECT_EQ(all.quantity.size(), d.lines());
  double lines = 0, visits = 0;
  for (double x : all.lines_per_basket) lines += x;
  for (double x : all.visits_per_hh_week) visits += x;
  EXPECT_EQ(lines, static_cast<double>(d.lines()));
  EXPECT_EQ(visits, static_cast<double>(all.lines_per_basket.size())) << "every basket is one visit";
  EXPECT_EQ(all.visits_per_hh_week.size(), d.n_households() * 8);
  for (double g : all.weeks_between) {
    EXPECT_GE(g, 1);
    EXPECT_LE(g, 7);
  }
  LikenessOptions half;
  half.keep_rate = 0.5;
  const LikenessSample h = likeness_sample(d, half);
  EXPECT_NEAR(double(h.kept_lines) / d.lines(), 0.5, 0.02);
  EXPECT_EQ(h.quantity.size(), d.lines()) << "per-line distributions keep every line";
  EXPECT_EQ(likeness_sample(d, half).kept_lines, h.kept_lines) << "fixed seed";
  half.max_week = 4;
  for (double g : likeness_sample(d, half).weeks_between) EXPECT_LE(g, 3);
}

// ---- validate ----------------------------------------------------------------------------------------------

TEST(Validate, WritesMetricsAndReport) {
  const fs::path out = rs_test::temp_dir("val") / "report";
  const auto r = run_binary("validate --data " + small_dataset().string() + " --out " + out.string(), "RETAILSYNTH_REAL_DATA=");
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(fs::exists(out / "metrics.json"));
  ASSERT_TRUE(fs::exists(out / "report.html"));
  const auto j = nlohmann::json::parse(read_file(out / "metrics.json"));
  for (const char* k : {"dataset", "real", "metrics", "likeness", "charts", "summary", "timings_s", "published_retailsynth"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_TRUE(j["real"].is_null());
  EXPECT_TRUE(j["likeness"].empty());
  EXPECT_EQ(j["dataset"]["lines"].get<size_t>(), small().lines());
  std::set<std::string> ids;
  for (const auto& m : j["metrics"]) {
    for (const char* k : {"section", "id", "name", "value", "target", "status", "note"}) EXPECT_TRUE(m.contains(k)) << k;
    const std::string st = m["status"];
    EXPECT_TRUE(st == "pass" || st == "fail" || st == "n/a") << st;
    if (st == "n/a") {
      EXPECT_FALSE(m["note"].get<std::string>().empty()) << "n/a says why: " << m["id"];
    }
    ids.insert(m["id"]);
  }
  for (const char* id :
       {"promo_share_by_category", "depth_range", "depth_mean", "category_promo_lift", "display_lift_order", "ad_lift",
        "trip_marketing_slope", "deep_quantity_ratio", "deep_quantity_ratio_lines", "post_promotion_dip",
        "promoted_spend_share_sd", "price_elasticity", "log_price_shape", "perception_threshold", "left_digit_threshold",
        "gain_loss_asymmetry", "discount_share_of_sales", "baskets_per_household_week", "lines_per_basket"})
    EXPECT_TRUE(ids.count(id)) << id;
  EXPECT_GT(j["charts"].size(), 5u);
  // Self-contained: inline SVG, no scripts, no external resources.
  const std::string html = read_file(out / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  // The default output folder is DATA/validation.
  const fs::path copy = rs_test::temp_dir("val2") / "d";
  fs::copy(small_dataset(), copy, fs::copy_options::recursive);
  ASSERT_EQ(run_binary("validate --data " + copy.string(), "RETAILSYNTH_REAL_DATA=").code, 0);
  EXPECT_TRUE(fs::exists(copy / "validation" / "metrics.json"));
}

TEST(Validate, LikenessAgainstRealData) {
  const std::string dir = real_dir();
  if (dir.empty()) GTEST_SKIP() << "the shared CompleteJourney 2.0 sample is not here (set RETAILSYNTH_REAL_DATA)";
  ValidateOptions o;
  o.data_dir = small_dataset().string();
  o.real_dir = dir;
  const auto j = validate_report(o);
  ASSERT_FALSE(j["real"].is_null());
  EXPECT_NEAR(j["real"]["sample_rate"].get<double>(), 0.051, 0.005) << "75,000 of 1,469,307 lines";
  std::set<std::string> ids;
  for (const auto& l : j["likeness"]) {
    ids.insert(l["id"]);
    if (!l["score"].is_null()) {
      EXPECT_GE(l["score"].get<double>(), 0.0);
      EXPECT_LE(l["score"].get<double>(), 1.0);
    }
  }
  for (const char* id : {"store_visits", "categories_per_week", "items_per_week", "quantity_per_line", "lines_per_basket",
                         "dollars_per_basket", "discount_depth", "category_pair_lift", "weeks_between", "lines_per_household",
                         "category_line_shares", "department_line_mix", "category_price_levels", "discount_frequency",
                         "quantity_by_department"})
    EXPECT_TRUE(ids.count(id)) << id;
  // The environment variable is the default --real.
  const fs::path out = rs_test::temp_dir("val3");
  ASSERT_EQ(run_binary("validate --data " + small_dataset().string() + " --out " + out.string(), "RETAILSYNTH_REAL_DATA=" + dir).code,
            0);
  EXPECT_FALSE(nlohmann::json::parse(read_file(out / "metrics.json"))["likeness"].empty());
  // Real data validated on their own: basket facts are n/a (a line sample), line metrics are measured.
  const auto k = validate_report(ValidateOptions{dir, "", "", ""});
  for (const auto& m : k["metrics"]) {
    if (m["id"] == "lines_per_basket" || m["id"] == "display_lift_order") {
      EXPECT_EQ(m["status"], "n/a") << m["id"];
    }
    if (m["id"] == "discount_share_of_sales") {
      EXPECT_EQ(m["status"], "pass");
    }
  }
}

TEST(Validate, ExitTwoWithOneLineOnBadInput) {
  // A missing folder.
  auto r = run_binary("validate --data /nonexistent/rs-data");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/rs-data"), std::string::npos) << r.err;
  // A garbled transaction line names the file and the line.
  const fs::path bad = rs_test::temp_dir("bad") / "d";
  fs::copy(small_dataset(), bad, fs::copy_options::recursive);
  std::string tx = read_file(bad / "transaction_data.csv");
  size_t pos = 0;
  for (int l = 0; l < 4; ++l) pos = tx.find('\n', pos) + 1;  // start of line 5
  tx.insert(tx.find(',', pos) + 1, "x");                       // BASKET_ID "x123..."
  write_file(bad / "transaction_data.csv", tx);
  r = run_binary("validate --data " + bad.string(), "RETAILSYNTH_REAL_DATA=");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("transaction_data.csv:5:"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(bad / "validation" / "metrics.json")) << "nothing written";
  // A short line, a missing product table, a garbled truth file.
  write_file(bad / "transaction_data.csv", read_file(small_dataset() / "transaction_data.csv") + "1,2,3\n");
  r = run_binary("validate --data " + bad.string(), "RETAILSYNTH_REAL_DATA=");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("transaction_data.csv:" + std::to_string(small().lines() + 2) + ": expected 12 fields"),
            std::string::npos)
      << r.err;
  write_file(bad / "transaction_data.csv", read_file(small_dataset() / "transaction_data.csv"));
  write_file(bad / "truth/store_weeks.csv", "STORE_ID,WEEK_NO,marketing_signal,n_promoted,mean_depth,trips\n1,1,abc,0,0,0\n");
  r = run_binary("validate --data " + bad.string(), "RETAILSYNTH_REAL_DATA=");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("store_weeks.csv:2:"), std::string::npos) << r.err;
  fs::remove(bad / "product.csv");
  r = run_binary("validate --data " + bad.string(), "RETAILSYNTH_REAL_DATA=");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("product.csv"), std::string::npos) << r.err;
  // Real data that cannot be read.
  r = run_binary("validate --data " + small_dataset().string() + " --out " + (bad.parent_path() / "o").string() +
                 " --real /nonexistent/real");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("/nonexistent/real"), std::string::npos) << r.err;
}

TEST(Dataset, OutOfRangeFieldsAreInputErrors) {
  // Weeks, stores and quantities must fit 32 bits; a larger value is an error naming the line,
  // not a silently wrapped number.
  const fs::path dir = rs_test::temp_dir("range");
  write_file(dir / "products.csv",
             "\"product_id\",\"manufacturer_id\",\"department\",\"brand\",\"product_category\",\"product_type\",\"package_size\"\n"
             "\"1\",\"2\",\"GROCERY\",\"National\",\"SOUP\",\"CONDENSED\",\"10 OZ\"\n");
  const std::string head =
      "\"household_id\",\"store_id\",\"basket_id\",\"product_id\",\"quantity\",\"sales_value\",\"retail_disc\","
      "\"coupon_disc\",\"coupon_match_disc\",\"week\",\"transaction_timestamp\"\n";
  for (const std::string bad : {"\"900\",\"309\",\"1\",\"1\",1,3.86,0.43,0,0,99999999999,\"2017-01-28 14:06:53\"\n",
                                "\"900\",\"99999999999\",\"1\",\"1\",1,3.86,0.43,0,0,5,\"2017-01-28 14:06:53\"\n",
                                "\"900\",\"309\",\"1\",\"1\",1e12,3.86,0.43,0,0,5,\"2017-01-28 14:06:53\"\n"}) {
    write_file(dir / "transactions.csv", head + bad);
    try {
      load_dataset(dir.string());
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("transactions.csv:2"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos) << e.what();
    }
  }
}

TEST(Validate, ReadOnlyDataFolderNeedsOut) {
  const fs::path copy = rs_test::temp_dir("readonly") / "data";
  fs::copy(small_dataset(), copy, fs::copy_options::recursive);
  fs::permissions(copy, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write, fs::perm_options::remove);
  const auto r = run_binary("validate --data " + copy.string(), "RETAILSYNTH_REAL_DATA=");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("read-only; give --out"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(copy / "validation"));
  fs::permissions(copy, fs::perms::owner_write, fs::perm_options::add);
}

TEST(Validate, UndecidableMeasuresAreNaNotFail) {
  // 500 households x 26 weeks: slope 0.516 (configured 0.422, se 0.135) cannot tell 0.422 from 0.
  EXPECT_EQ(slope_verdict(0.516, 0.422, 0.135).status, "n/a");
  EXPECT_NE(slope_verdict(0.516, 0.422, 0.135).why.find("standard error"), std::string::npos);
  EXPECT_EQ(slope_verdict(0.4352, 0.4194, 0.0213).status, "pass");
  EXPECT_EQ(slope_verdict(1.2, 0.42, 0.02).status, "fail") << "far from the configured slope";
  EXPECT_EQ(slope_verdict(1.2, 0.42, 0.135).status, "fail") << "contradicts the configured slope even with a large se";
  DisplayLifts dl{};
  const double lifts[4] = {3.41, 3.80, 4.38, 4.95};
  for (int t = 0; t < 4; ++t) dl.by_type[t] = Lift{lifts[t], 0.05};
  EXPECT_EQ(display_order_verdict(dl).status, "pass");
  for (int t = 0; t < 4; ++t) dl.by_type[t].se = 0.3;  // neighbours within 2 se
  EXPECT_EQ(display_order_verdict(dl).status, "n/a");
  EXPECT_FALSE(display_order_verdict(dl).why.empty());
  dl.by_type[2] = Lift{3.0, 0.05}, dl.by_type[1] = Lift{4.0, 0.05};  // end_cap clearly below shelf_tag
  EXPECT_EQ(display_order_verdict(dl).status, "fail");
}

TEST(Validate, TerminalTableFitsOneHundredColumnsAndSaysWhyNa) {
  ValidateOptions o;
  o.data_dir = small_dataset().string();
  o.real_dir = real_dir();
  if (o.real_dir.empty()) o.real_note = "no real data here";
  const auto j = validate_report(o);
  const std::string t = summary_table(j);
  std::istringstream in(t);
  std::string line, prev;
  int na = 0, explained = 0;
  bool in_na = false;
  while (std::getline(in, line)) {
    EXPECT_LE(line.size(), 100u) << line;
    if (line.rfind("  n/a   ", 0) == 0) ++na, in_na = true;
    else if (line.rfind("  pass  ", 0) == 0 || line.rfind("  fail  ", 0) == 0) in_na = false;
    if (in_na && line.find("n/a because: ") != std::string::npos) ++explained, in_na = false;
  }
  EXPECT_GE(na, 1) << "the small run has n/a rows (gain/loss asymmetry at least)\n" << t;
  EXPECT_EQ(explained, na) << t;
}

// ---- category and department measures (analysis/category_measures.h) ---------------------------------

namespace {

/// A line of a hand-made TCJ dataset: product, quantity, dollars, retail discount and coupon match (>= 0).
struct HandLine {
  int product, quantity;
  double sales, disc = 0, match = 0;
};

/// Writes DIR/product.csv and DIR/transaction_data.csv in TCJ layout (discounts written <= 0, as
/// dunnhumby's files have them), one household per 10 lines, all in week 1 (10 lines per
/// household-week: complete data, not a line sample), and loads it.
Dataset hand_dataset(const std::string& tag, const std::vector<HandLine>& lines) {
  const fs::path dir = rs_test::temp_dir(tag);
  write_file(dir / "product.csv",
             "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n"
             "1,1,GROCERY,National,SOUP,CONDENSED,10 OZ\n2,1,GROCERY,National,CHEESE,SHREDDED,8 OZ\n"
             "3,1,PRODUCE,National,BANANAS,BANANAS,1 LB\n4,1,DRUG GM,National,CANDY,BARS,2 OZ\n"
             "5,1,MEAT,National,BEEF,GROUND,1 LB\n6,1,GROCERY,National,YOGURT,CUPS,6 OZ\n");
  std::string tx = "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,WEEK_NO,"
                   "COUPON_DISC,COUPON_MATCH_DISC\n";
  for (size_t i = 0; i < lines.size(); ++i) {
    const HandLine& l = lines[i];
    tx += fmt::format("{},{},{},{},{},{:.2f},1,{:.2f},1200,1,0.00,{:.2f}\n", 1 + i / 10, 1 + i / 5, 1 + i % 7, l.product,
                      l.quantity, l.sales, -l.disc, -l.match);
  }
  write_file(dir / "transaction_data.csv", tx);
  return load_dataset(dir.string());
}

void add_lines(std::vector<HandLine>& v, int n, const std::function<HandLine(int)>& line) {
  for (int i = 0; i < n; ++i) v.push_back(line(i));
}

/// "Real": SOUP 60 lines (unit prices 1, 2, 3; half with a 10-cent discount), CHEESE 30 (2 units
/// at 2.50), BANANAS 90 (3 units, unit 0.50 or 1.00; every other line discounted by half or a
/// third), CANDY 20 (one at 0 and one at 60 units), BEEF 40 (7.99 shelf price through a 49-cent
/// coupon match).  Departments GROCERY 90, PRODUCE 90, DRUG GM 20, MEAT 40 lines.
std::vector<HandLine> real_lines() {
  std::vector<HandLine> v;
  add_lines(v, 60, [](int i) { return HandLine{1, 1, 1.0 + i % 3, i < 30 ? 0.10 : 0.0}; });
  add_lines(v, 30, [](int) { return HandLine{2, 2, 5.00}; });
  add_lines(v, 90, [](int i) { return HandLine{3, 3, i < 45 ? 1.50 : 3.00, i % 2 ? 1.50 : 0.0}; });
  add_lines(v, 20, [](int i) { return HandLine{4, i == 0 ? 0 : i == 1 ? 60 : 1, i == 0 ? 0.0 : 0.99}; });
  add_lines(v, 40, [](int) { return HandLine{5, 1, 7.50, 0.0, 0.49}; });
  return v;
}

/// "Ours": the SOUP and CHEESE line counts swapped, no BEEF, 10 YOGURT lines; every median unit
/// price twice the real one; SOUP 10, CHEESE 30, BANANAS and CANDY all lines discounted.
std::vector<HandLine> our_lines() {
  std::vector<HandLine> v;
  add_lines(v, 30, [](int i) { return HandLine{1, 1, 2.0 * (1 + i % 3), i < 10 ? 0.10 : 0.0}; });
  add_lines(v, 60, [](int i) { return HandLine{2, 2, 10.00, i % 2 ? 1.00 : 0.0}; });
  add_lines(v, 90, [](int i) { return HandLine{3, 3, i < 45 ? 3.00 : 6.00, 0.30}; });
  add_lines(v, 20, [](int) { return HandLine{4, 1, 0.99, 0.20}; });
  add_lines(v, 10, [](int) { return HandLine{6, 1, 0.89}; });
  return v;
}

const Dataset& hand_real() {
  static const Dataset d = hand_dataset("hand_real", real_lines());
  return d;
}
const Dataset& hand_ours() {
  static const Dataset d = hand_dataset("hand_ours", our_lines());
  return d;
}

size_t index_of(const Paired& p, const std::string& name) {
  return static_cast<size_t>(std::find(p.names.begin(), p.names.end(), name) - p.names.begin());
}

}  // namespace

TEST(CategoryMeasures, HandDatasetsLoadAsWritten) {
  const LineGroups r = line_groups(hand_real()), o = line_groups(hand_ours());
  EXPECT_EQ(r.lines, 240);
  EXPECT_EQ(o.lines, 210);
  EXPECT_EQ(r.category.at("SOUP").lines, 60);
  EXPECT_EQ(r.department.at("GROCERY").lines, 90);
  EXPECT_EQ(r.department.at("GROCERY").discounted, 30);
  EXPECT_EQ(r.department.at("DRUG GM").counted, 18) << "QUANTITY 0 and 60 are left out of the quantity counts";
  EXPECT_EQ(o.category.count("BEEF"), 0u);
}

TEST(CategoryMeasures, IdenticalDatasetsScoreOne) {
  const LineGroups r = line_groups(hand_real());
  const CategoryShares c = category_shares(r, r);
  EXPECT_EQ(c.shares.size(), 4u) << "SOUP, CHEESE, BANANAS, BEEF have >= 30 lines; CANDY has 20";
  EXPECT_EQ(c.missing, 0u);
  EXPECT_DOUBLE_EQ(c.r, 1.0);
  EXPECT_DOUBLE_EQ(department_mix(r, r).score, 1.0);
  EXPECT_DOUBLE_EQ(category_price_levels(r, r).r, 1.0);
  EXPECT_DOUBLE_EQ(weighted_gap_score(pair_groups(r.department, r.department, discounted_share_of, 0)), 1.0);
  EXPECT_DOUBLE_EQ(weighted_gap_score(pair_groups(r.department, r.department, multi_unit_share_of, 0)), 1.0);
}

TEST(CategoryMeasures, CategorySharesWithSwappedCountsAndAMissingCategory) {
  const CategoryShares c = category_shares(line_groups(hand_ours()), line_groups(hand_real()));
  ASSERT_EQ(c.shares.size(), 4u);
  EXPECT_EQ(c.missing, 1u) << "BEEF";
  const size_t beef = index_of(c.shares, "BEEF"), soup = index_of(c.shares, "SOUP");
  ASSERT_LT(beef, 4u);
  EXPECT_DOUBLE_EQ(c.shares.ours[beef], 0.5 / 210) << "the floor share: half a line of ours";
  EXPECT_DOUBLE_EQ(c.shares.real[beef], 40.0 / 240);
  EXPECT_DOUBLE_EQ(c.shares.ours[soup], 30.0 / 210);
  EXPECT_DOUBLE_EQ(c.shares.real[soup], 60.0 / 240);
  // log shares (90, 0.5, 60, 30) / 210 against (90, 40, 30, 60) / 240.
  EXPECT_NEAR(c.r, 0.35690208309622135, 1e-12);
}

TEST(CategoryMeasures, DepartmentMixIsOneMinusTotalVariation) {
  const DepartmentMix m = department_mix(line_groups(hand_ours()), line_groups(hand_real()));
  EXPECT_EQ(m.shares.size(), 4u) << "GROCERY, PRODUCE, DRUG GM, and MEAT (real only)";
  const double tv = 0.5 * (std::fabs(100.0 / 210 - 90.0 / 240) + std::fabs(90.0 / 210 - 90.0 / 240) +
                           std::fabs(20.0 / 210 - 20.0 / 240) + 40.0 / 240);
  EXPECT_NEAR(m.score, 1 - tv, 1e-15);
  EXPECT_EQ(m.shares.ours[index_of(m.shares, "MEAT")], 0.0);
}

TEST(CategoryMeasures, PriceLevelsMediansSpreadAndShelfCents) {
  const PriceLevels p = category_price_levels(line_groups(hand_ours()), line_groups(hand_real()));
  ASSERT_EQ(p.median.size(), 3u) << "BEEF is not in ours, CANDY has 20 real lines";
  EXPECT_DOUBLE_EQ(p.median.real[index_of(p.median, "SOUP")], 2.0);
  EXPECT_DOUBLE_EQ(p.median.real[index_of(p.median, "CHEESE")], 2.5) << "5.00 for 2 units";
  EXPECT_DOUBLE_EQ(p.median.real[index_of(p.median, "BANANAS")], 0.75) << "an even count: the mean of 0.50 and 1.00";
  EXPECT_DOUBLE_EQ(p.median.ours[index_of(p.median, "BANANAS")], 1.5);
  EXPECT_NEAR(p.r, 1.0, 1e-12) << "every median doubled";
  // Spreads: SOUP sd(log 1, 2, 3) ~ 0.46, CHEESE 0, BANANAS (log 2 / 2) sqrt(90 / 89): the median is BANANAS'.
  EXPECT_NEAR(p.spread_real, std::log(2.0) / 2 * std::sqrt(90.0 / 89), 1e-12);
  EXPECT_NEAR(p.spread_ours, p.spread_real, 1e-12) << "doubling prices keeps the sd of log prices";
  // QUANTITY = 1: SOUP 60 (1.00-3.10: not 9), BEEF 40 (7.50 + 0.49 match = 7.99), CANDY 18 (0.99).
  EXPECT_DOUBLE_EQ(shelf_price_not_nine_share(hand_real()), 60.0 / 118);
  EXPECT_DOUBLE_EQ(median_sorted({1, 2, 3, 10}), 2.5);
  EXPECT_TRUE(std::isnan(median_sorted({})));
}

TEST(CategoryMeasures, DiscountFrequencyByDepartmentAndProduct) {
  const LineGroups o = line_groups(hand_ours()), r = line_groups(hand_real());
  const Paired dept = pair_groups(o.department, r.department, discounted_share_of, 0);
  ASSERT_EQ(dept.size(), 3u) << "MEAT has no lines of ours";
  EXPECT_DOUBLE_EQ(dept.real[index_of(dept, "GROCERY")], 30.0 / 90);
  EXPECT_DOUBLE_EQ(dept.ours[index_of(dept, "GROCERY")], 40.0 / 100);
  EXPECT_NEAR(weighted_gap_score(dept), 1 - (90 * (0.4 - 1.0 / 3) + 90 * 0.5 + 20 * 1.0) / 200, 1e-15);
  const ProductDiscounting pr = product_discounting(hand_real()), po = product_discounting(hand_ours());
  EXPECT_EQ(pr.products, 5u);
  EXPECT_DOUBLE_EQ(pr.always, 0.0);
  EXPECT_DOUBLE_EQ(pr.never, 3.0 / 5) << "CHEESE, CANDY, BEEF";
  EXPECT_EQ(po.products, 5u) << "YOGURT's 10 lines count";
  EXPECT_DOUBLE_EQ(po.always, 2.0 / 5) << "BANANAS, CANDY";
  EXPECT_DOUBLE_EQ(po.never, 1.0 / 5) << "YOGURT";
  // Depth < 10%: SOUP's 30 lines (0.10 on 1.00-3.00), not BANANAS' 45 (1.50 on 1.50 or 3.00).
  EXPECT_DOUBLE_EQ(shallow_discount_share(hand_real()), 30.0 / 75);
}

TEST(CategoryMeasures, QuantityByDepartmentLeavesOutZeroAndOverFifty) {
  const LineGroups o = line_groups(hand_ours()), r = line_groups(hand_real());
  const Paired multi = pair_groups(o.department, r.department, multi_unit_share_of, 0);
  const Paired mean = pair_groups(o.department, r.department, mean_quantity_of, 0);
  EXPECT_DOUBLE_EQ(multi.real[index_of(multi, "GROCERY")], 30.0 / 90);
  EXPECT_DOUBLE_EQ(multi.ours[index_of(multi, "GROCERY")], 60.0 / 100);
  EXPECT_DOUBLE_EQ(multi.real[index_of(multi, "PRODUCE")], 1.0);
  EXPECT_DOUBLE_EQ(mean.real[index_of(mean, "DRUG GM")], 1.0) << "the lines at 0 and 60 units are left out";
  EXPECT_DOUBLE_EQ(mean.real[index_of(mean, "GROCERY")], 4.0 / 3);
  EXPECT_NEAR(weighted_gap_score(multi), 1 - 90 * (0.6 - 1.0 / 3) / 200, 1e-15);
}

TEST(CategoryMeasures, LinesPerHouseholdConcentration) {
  const Concentration c = line_concentration({1, 1, 1, 1, 1, 1, 1, 1, 1, 11});
  EXPECT_DOUBLE_EQ(c.cv, std::sqrt(10.0) / 2) << "mean 2, sample sd sqrt(90 / 9)";
  EXPECT_DOUBLE_EQ(c.top10_share, 11.0 / 20);
  EXPECT_DOUBLE_EQ(line_concentration({5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4}).top10_share, 9.0 / 18) << "11 households: the top 2";
  // The likeness sample counts lines per household: 10 per household in the hand-made data.
  const LikenessSample s = likeness_sample(hand_real(), LikenessOptions{});
  ASSERT_EQ(s.lines_per_household.size(), 24u);
  for (double n : s.lines_per_household) EXPECT_EQ(n, 10);
  EXPECT_DOUBLE_EQ(line_concentration(s.lines_per_household).cv, 0.0);
}

TEST(CategoryMeasures, ValidateReportsTheRowsAndCharts) {
  auto row = [](const nlohmann::json& j, const std::string& id) {
    for (const auto& l : j["likeness"])
      if (l["id"] == id) return l;
    ADD_FAILURE() << "no likeness row " << id;
    return nlohmann::json();
  };
  const auto same = validate_report(ValidateOptions{hand_real().dir, hand_real().dir, "", ""});
  for (const char* id : {"category_line_shares", "department_line_mix", "category_price_levels", "discount_frequency",
                         "quantity_by_department"}) {
    EXPECT_DOUBLE_EQ(row(same, id)["score"].get<double>(), 1.0) << id;
    EXPECT_EQ(row(same, id)["status"], "pass") << id;
    EXPECT_FALSE(row(same, id)["figures_text"].get<std::string>().empty()) << id;
  }
  EXPECT_DOUBLE_EQ(row(same, "discount_depth")["figures"]["depth_below_10pct"]["real"].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ(row(same, "lines_per_household")["figures"]["top10_share"]["ours"].get<double>(), 30.0 / 240);
  const auto j = validate_report(ValidateOptions{hand_ours().dir, hand_real().dir, "", ""});
  const auto shares = row(j, "category_line_shares");
  EXPECT_NEAR(shares["score"].get<double>(), 0.356902, 1e-6);
  EXPECT_EQ(shares["status"], "fail");
  EXPECT_EQ(shares["figures"]["missing_in_ours"], 1);
  EXPECT_EQ(shares["figures"]["largest_real"][0]["name"], "BANANAS");
  EXPECT_NEAR(shares["figures"]["largest_real"][0]["ours"].get<double>(), 90.0 / 210, 1e-6);
  EXPECT_EQ(row(j, "category_price_levels")["figures"]["median_unit_price"]["SOUP"]["ours"].get<double>(), 4.0);
  EXPECT_EQ(row(j, "quantity_by_department")["figures"]["lines_left_out"]["real"], 2);
  size_t charts = 0;
  for (const auto& c : j["charts"])
    if (c["section"] == "categories") {
      ++charts;
      const std::string svg = render_chart_svg(c);
      EXPECT_EQ(svg.find("no data"), std::string::npos) << c["title"];
      if (c["type"] == "hbars") {
        for (const auto& label : c["labels"]) EXPECT_NE(svg.find(">" + label.get<std::string>() + "<"), std::string::npos) << label;
      }
    }
  EXPECT_EQ(charts, 6u);
  const std::string table = summary_table(j);
  EXPECT_NE(table.find("category line shares"), std::string::npos);
  EXPECT_NE(table.find("r = 0.357;"), std::string::npos) << table;
  EXPECT_NE(table.find("BANANAS 42.86%"), std::string::npos) << table;
}
