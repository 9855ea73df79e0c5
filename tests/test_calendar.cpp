// Trip-time profiles (learn-calendar, calendar.profile), the calendar rows of validate, and the
// seasonal amplitude of generation (seasonality.incidence).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>

#include "analysis/calendar_measures.h"
#include "analysis/validate.h"
#include "config.h"
#include "seasonality/calendar_profile.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using namespace retailsynth;

namespace {

const std::string kReal = "../shared/data/completejourney/";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// A week of lines with known shares: Sunday 30 lines at 10h, Monday..Friday 10 each at 8h,
// Saturday 20 at 14h; one fuel line and one line of an unknown product, both left out.
constexpr int kPlanted[7] = {30, 10, 10, 10, 10, 10, 20};
constexpr int kPlantedHour[7] = {10, 8, 8, 8, 8, 8, 14};

void write_products(const fs::path& f, bool cj2) {
  std::string s = cj2 ? "product_id,manufacturer_id,department,brand,product_category,product_type,package_size\n"
                      : "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n";
  s += "101,1,GROCERY,National,SOUP,CANNED SOUP,10 OZ\n";
  s += "999,1,KIOSK-GAS,National,GASOLINE,REG,NA\n";
  rs_test::write_file(f, s);
}

fs::path write_planted_cj2() {
  const fs::path dir = rs_test::temp_dir("calendar_cj2");
  write_products(dir / "products.csv", true);
  std::string t = "\"household_id\",\"store_id\",\"basket_id\",\"product_id\",\"quantity\",\"sales_value\",\"retail_disc\","
                  "\"coupon_disc\",\"coupon_match_disc\",\"week\",\"transaction_timestamp\"\n";
  for (int d = 0; d < 7; ++d)  // 2017-01-01 is a Sunday
    for (int i = 0; i < kPlanted[d]; ++i)
      t += "\"1\",\"1\",\"1\",\"101\",1,1.5,0,0,0,1,\"2017-01-0" + std::to_string(d + 1) + " " +
           (kPlantedHour[d] < 10 ? "0" : "") + std::to_string(kPlantedHour[d]) + ":" + std::to_string(10 + i % 40) + ":00\"\r\n";
  t += "\"1\",\"1\",\"1\",\"999\",1,30,0,0,0,1,\"2017-01-02 03:00:00\"\n";
  t += "\"1\",\"1\",\"1\",\"555\",1,30,0,0,0,1,\"2017-01-02 03:00:00\"\n";
  rs_test::write_file(dir / "transactions.csv", t);
  return dir;
}

fs::path write_planted_tcj() {
  const fs::path dir = rs_test::temp_dir("calendar_tcj");
  write_products(dir / "product.csv", false);
  std::string t = "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,WEEK_NO,"
                  "COUPON_DISC,COUPON_MATCH_DISC\n";
  for (int d = 0; d < 7; ++d)
    for (int i = 0; i < kPlanted[d]; ++i)
      t += "1,1," + std::to_string(d + 1) + ",101,1,1.5,1,0," + std::to_string(kPlantedHour[d] * 100 + i % 60) + ",1,0,0\n";
  t += "1,1,2,999,1,30,1,0,300,1,0,0\n";
  rs_test::write_file(dir / "transaction_data.csv", t);
  return dir;
}

void expect_planted(const CalendarProfile& p, int shift_days, const std::string& what) {
  for (int d = 0; d < 7; ++d) EXPECT_NEAR(p.day[(d + shift_days) % 7], kPlanted[d] / 100.0, 1e-12) << what << " day " << d;
  // Sunday 30 lines at 10h and Saturday 20 at 14h make the weekend; the weekdays are all at 8h.
  if (shift_days == 0) {
    EXPECT_NEAR(p.hour[1][10], 0.6, 1e-12) << what;
    EXPECT_NEAR(p.hour[1][14], 0.4, 1e-12) << what;
    EXPECT_NEAR(p.hour[0][8], 1.0, 1e-12) << what;
    EXPECT_EQ(p.day_lines[0], 30) << what;
  }
}

}  // namespace

TEST(CalendarProfile, LearnsKnownWeekdayAndHourSharesFromBothLayouts) {
  const fs::path cj2 = write_planted_cj2();
  CalendarLearnOptions o;
  o.transactions_path = (cj2 / "transactions.csv").string();
  o.products_path = (cj2 / "products.csv").string();
  std::string report;
  expect_planted(learn_calendar_profile(o, &report), 0, "CJ2");
  EXPECT_NE(report.find("100 used"), std::string::npos) << report;
  EXPECT_NE(report.find("1 unknown product, 1 non-merchandise"), std::string::npos) << report;
  EXPECT_NE(report.find("Saturday + Sunday 0.5000"), std::string::npos) << report;

  const fs::path tcj = write_planted_tcj();
  o.transactions_path = (tcj / "transaction_data.csv").string();
  o.products_path = (tcj / "product.csv").string();
  expect_planted(learn_calendar_profile(o, nullptr), 0, "TCJ, DAY 1 = Sunday 2017-01-01");
  o.start_date = "2017-01-02";  // DAY 1 a Monday: every day moves one on
  expect_planted(learn_calendar_profile(o, nullptr), 1, "TCJ, DAY 1 = Monday");
  fs::remove_all(cj2);
  fs::remove_all(tcj);
}

TEST(CalendarProfile, SavesLoadsAndGivesCdfsEndingAtOne) {
  const fs::path cj2 = write_planted_cj2();
  CalendarLearnOptions o;
  o.transactions_path = (cj2 / "transactions.csv").string();
  o.products_path = (cj2 / "products.csv").string();
  const fs::path out = cj2 / "sub" / "profile.csv";
  const std::string report = run_learn_calendar(o, out.string());
  const CalendarProfile p = CalendarProfile::load(out.string());
  expect_planted(p, 0, "reloaded");
  EXPECT_EQ(p.to_csv(), rs_test::read_file(out));
  const TripTimeProfile v = p.view();
  EXPECT_EQ(v.learned, 1);
  EXPECT_EQ(v.day_cdf[6], 1.0f);
  EXPECT_NEAR(v.day_cdf[0], 0.3f, 1e-6);
  for (int t = 0; t < kDayTypes; ++t) EXPECT_EQ(v.hour_cdf[t][23], 1.0f);
  EXPECT_EQ(v.day_type[0], 1);
  EXPECT_EQ(v.day_type[3], 0);
  EXPECT_EQ(v.day_type[6], 1);
  fs::remove_all(cj2);
}

TEST(CalendarProfile, LoaderRejectsBadFilesNamingFileAndLine) {
  const fs::path dir = rs_test::temp_dir("calendar_bad");
  const CalendarProfile good = [] {
    CalendarProfile p;
    for (int d = 0; d < 7; ++d) p.day[d] = 1.0 / 7;
    for (auto& h : p.hour) h.fill(1.0 / 24);
    return p;
  }();
  const std::string text = good.to_csv();
  const auto write = [&](const std::string& name, const std::string& body) {
    rs_test::write_file(dir / name, body);
    return (dir / name).string();
  };
  const std::string f1 = write("header.csv", "profile,day,slot,share,lines\n");
  EXPECT_NE(error_of([&] { CalendarProfile::load(f1); }).find("header.csv:1: expected the header"), std::string::npos);
  std::string dup = text;
  dup.insert(dup.find("day,all,1,"), "day,all,0,0.1,0\n");
  const std::string f2 = write("dup.csv", dup);
  EXPECT_NE(error_of([&] { CalendarProfile::load(f2); }).find("dup.csv:3: duplicate day all slot 0 (first at line 2)"), std::string::npos)
      << error_of([&] { CalendarProfile::load(f2); });
  std::string missing = text;
  missing.erase(missing.find("hour,weekend,5,"), missing.find('\n', missing.find("hour,weekend,5,")) - missing.find("hour,weekend,5,") + 1);
  const std::string f3 = write("missing.csv", missing);
  EXPECT_NE(error_of([&] { CalendarProfile::load(f3); }).find("hour weekend: slot 5 missing"), std::string::npos);
  std::string sum = text;
  sum.replace(sum.find("day,all,3,0.142857"), 18, "day,all,3,0.542857");
  const std::string f4 = write("sum.csv", sum);
  EXPECT_NE(error_of([&] { CalendarProfile::load(f4); }).find("day: the shares sum to 1.3999"), std::string::npos);
  const std::string f5 = write("neg.csv", text.substr(0, text.find("day,all,0,")) + "day,all,0,-1,0\n");
  EXPECT_NE(error_of([&] { CalendarProfile::load(f5); }).find("neg.csv:2: share '-1'"), std::string::npos);
  const std::string f6 = write("slot.csv", std::string("profile,day_type,slot,share,lines\n") + "day,all,7,0.1,0\n");
  EXPECT_NE(error_of([&] { CalendarProfile::load(f6); }).find("slot.csv:2: day slot 7 is not in 0..6"), std::string::npos);
  // The generator refuses a bad profile before writing anything: exit 2, one line.
  const auto r = rs_test::run_binary("generate --quiet --config " + rs_test::source_path("configs/small.yaml") +
                                     " --set calendar.profile=" + f4 + " --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("sum.csv: day: the shares sum to"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
  fs::remove_all(dir);
}

TEST(CalendarProfile, CommittedProfileIsTheRealSamplesAndReproducible) {
  const std::string committed = rs_test::source_path("configs/calendar/completejourney.csv");
  const CalendarProfile p = CalendarProfile::load(committed);
  EXPECT_GT(p.day[0] + p.day[6], 0.33);  // the real sample: 34.8% of lines on Saturday and Sunday
  const std::string tx = rs_test::source_path(kReal + "transactions.csv");
  if (!fs::exists(tx)) GTEST_SKIP() << "real sample not present at " << tx;
  CalendarLearnOptions o;  // the command in configs/calendar/README.md
  o.transactions_path = tx;
  o.products_path = rs_test::source_path(kReal + "products.csv");
  EXPECT_EQ(learn_calendar_profile(o, nullptr).to_csv(), rs_test::read_file(committed));
}

// ---- generation -----------------------------------------------------------------------------

namespace {

struct TripTimes {
  std::map<int, double> day;           // baskets by day of week (0 = Sunday)
  std::map<int, std::map<int, double>> hour;  // baskets by day type, hour
  double baskets = 0;
};

TripTimes trip_times(const fs::path& out) {
  TripTimes t;
  std::set<std::string> seen;
  for (const auto& r : rs_test::rows_of(out / "transaction_data.csv")) {
    if (!seen.insert(r[1]).second) continue;  // one count per basket (= trip)
    const int day = std::stoi(r[2]), hhmm = std::stoi(r[8]);
    const int dow = (day - 1) % 7;
    t.day[dow] += 1;
    t.hour[dow == 0 || dow == 6][hhmm / 100] += 1;
    t.baskets += 1;
  }
  return t;
}

}  // namespace

TEST(CalendarGeneration, TripsFollowTheGivenDayAndHourProfile) {
  // Friday and Saturday busy, weekdays at 3h or 20h, weekends at 11h only.
  const fs::path dir = rs_test::temp_dir("calendar_gen");
  CalendarProfile p;
  p.day = {0.05, 0.05, 0.05, 0.05, 0.05, 0.25, 0.50};
  p.hour[0][3] = 0.3, p.hour[0][20] = 0.7;
  p.hour[1][11] = 1.0;
  rs_test::write_file(dir / "profile.csv", p.to_csv());
  const std::string base = "generate --quiet --config " + rs_test::source_path("configs/small.yaml") + " --set scale.weeks=6";
  auto r = rs_test::run_binary(base + " --set calendar.profile=" + (dir / "profile.csv").string() + " --out " + (dir / "on").string());
  ASSERT_EQ(r.code, 0) << r.err;
  TripTimes on = trip_times(dir / "on");
  ASSERT_GT(on.baskets, 1000);
  // Trips that buy something are a sample of trips independent of the day: each day's share is
  // binomial around the profile's (4 standard errors).
  for (int d = 0; d < 7; ++d) {
    const double share = on.day.count(d) ? on.day.at(d) / on.baskets : 0.0;
    const double se = std::sqrt(p.day[d] * (1 - p.day[d]) / on.baskets);
    EXPECT_NEAR(share, p.day[d], 4 * se) << "day " << d;
  }
  double weekday = 0;
  for (const auto& [h, n] : on.hour[0]) weekday += n;
  for (const auto& [h, n] : on.hour[0]) EXPECT_TRUE(h == 3 || h == 20) << "weekday hour " << h;
  for (const auto& [h, n] : on.hour[1]) EXPECT_EQ(h, 11) << "weekend hour " << h;
  EXPECT_NEAR(on.hour[0][3] / weekday, 0.3, 4 * std::sqrt(0.3 * 0.7 / weekday));

  // Without a profile: every day alike, the fixed curve (nothing before 6h).
  r = rs_test::run_binary(base + " --out " + (dir / "off").string());
  ASSERT_EQ(r.code, 0) << r.err;
  TripTimes off = trip_times(dir / "off");
  for (int d = 0; d < 7; ++d) EXPECT_NEAR(off.day[d] / off.baskets, 1.0 / 7, 4 * std::sqrt(6.0 / 49 / off.baskets)) << d;
  for (int t = 0; t < 2; ++t)
    for (const auto& [h, n] : off.hour[t]) EXPECT_GE(h, 6);
  fs::remove_all(dir);
}

namespace {

const nlohmann::json* metric(const nlohmann::json& report, const std::string& id) {
  for (const auto& m : report["metrics"])
    if (m["id"] == id) return &m;
  return nullptr;
}

/// Validate reports against the real sample of two default-config runs (52 weeks, 10 stores): as
/// configured, and with `off` set (one --set assignment).  The runs are removed afterwards.
std::pair<nlohmann::json, nlohmann::json> validate_on_and_off(const std::string& name, int households, const std::string& off) {
  const fs::path dir = rs_test::temp_dir(name);
  const std::string base = "generate --quiet --config " + rs_test::source_path("configs/default.yaml") +
                           " --set scale.households=" + std::to_string(households) + " --set scale.weeks=52 --set scale.stores=10";
  EXPECT_EQ(rs_test::run_binary(base + " --out " + (dir / "on").string()).code, 0);
  EXPECT_EQ(rs_test::run_binary(base + " --set " + off + " --out " + (dir / "off").string()).code, 0);
  ValidateOptions o;
  o.real_dir = rs_test::source_path(kReal);
  o.data_dir = (dir / "on").string();
  nlohmann::json on = validate_report(o);
  o.data_dir = (dir / "off").string();
  nlohmann::json off_report = validate_report(o);
  fs::remove_all(dir);
  return {std::move(on), std::move(off_report)};
}

}  // namespace

TEST(CalendarValidate, SwitchingTheProfileOffMovesTheWeekdayMeasures) {
  const std::string real = rs_test::source_path(kReal);
  if (!fs::exists(real + "transactions.csv")) GTEST_SKIP() << "real sample not present at " << real;
  const auto [on, off] = validate_on_and_off("calendar_validate", 300, "'calendar.profile=\"\"'");
  for (const char* id : {"weekend_line_share", "busiest_quietest_day", "hour_profile_weekday", "hour_profile_weekend"}) {
    ASSERT_NE(metric(on, id), nullptr) << id;
    ASSERT_NE(metric(off, id), nullptr) << id;
  }
  const double real_weekend = (*metric(on, "weekend_line_share"))["real"];
  const double we_on = (*metric(on, "weekend_line_share"))["value"], we_off = (*metric(off, "weekend_line_share"))["value"];
  EXPECT_NEAR(real_weekend, 0.349, 0.001);  // 34.9% of the merchandise lines
  EXPECT_EQ((*metric(on, "weekend_line_share"))["status"], "pass") << we_on;
  EXPECT_EQ((*metric(off, "weekend_line_share"))["status"], "fail") << we_off;
  EXPECT_NEAR(we_off, 2.0 / 7, 0.01);  // every day alike
  EXPECT_GT((*metric(on, "busiest_quietest_day"))["value"].get<double>(), 1.3);
  EXPECT_LT((*metric(off, "busiest_quietest_day"))["value"].get<double>(), 1.15);
  for (const char* id : {"hour_profile_weekday", "hour_profile_weekend"})
    EXPECT_GT((*metric(on, id))["value"].get<double>(), (*metric(off, id))["value"].get<double>() + 0.02) << id;
  EXPECT_EQ((*metric(on, "hour_profile_weekend"))["status"], "pass");
}

// ---- seasonal amplitude ---------------------------------------------------------------------

namespace {

// Lines of category `cat` in simulation week `week` and in all weeks, against the other
// categories' lines: the category's volume multiple in that week, and its standard error.
struct Multiple {
  double value, se;
};
Multiple volume_multiple(const fs::path& out, const std::string& cat, int week) {
  std::map<std::string, std::string> category;
  for (const auto& r : rs_test::rows_of(out / "product.csv")) category[r[0]] = r[4];
  double k_w = 0, k = 0, o_w = 0, o = 0;
  for (const auto& r : rs_test::rows_of(out / "transaction_data.csv")) {
    const bool of_k = category[r[3]] == cat, in_w = std::stoi(r[9]) == week;
    (of_k ? k : o) += 1;
    if (in_w) (of_k ? k_w : o_w) += 1;
  }
  const double m = (k_w / o_w) / (k / o);
  return {m, m * std::sqrt(1 / k_w + 1 / k + 1 / o_w)};
}

}  // namespace

TEST(HolidayAmplitude, GeneratedShareOfASingleWeekPeakFollowsTheTable) {
  // The small world's largest category gets a single-week peak of 3 in week 10 of a table; the
  // generated volume multiple (its lines against the other categories' in that week, over all
  // weeks) must match the table's index over its mean across the run's weeks, within 4 standard
  // errors.  Inventory is off so that the seasonal mechanism alone is measured.  On the logit
  // (seasonality.incidence: logit) the often-bought category falls short: odds x 3, not volume.
  const fs::path& small = rs_test::small_generated();
  std::map<std::string, std::string> category;
  for (const auto& r : rs_test::rows_of(small / "product.csv")) category[r[0]] = r[4];
  std::map<std::string, double> lines;
  for (const auto& r : rs_test::rows_of(small / "transaction_data.csv")) lines[category[r[3]]] += 1;
  std::string cat;
  for (const auto& [c, n] : lines)
    if (cat.empty() || n > lines[cat]) cat = c;
  const double peak = 3.0, rest = (52 - peak) / 51;
  const fs::path dir = rs_test::temp_dir("holiday");
  // Every other category flat in the table (a category missing from it would follow its
  // department's mean curve, the peaked one's).
  std::string table = "level,key,week_of_year,index,reliability,n\n";
  std::set<std::string> all;
  for (const auto& [id, c] : category) all.insert(c);
  for (const std::string& c : all)
    for (int w = 1; w <= 52; ++w)
      table += "category,\"" + c + "\"," + std::to_string(w) + "," +
               std::to_string(c != cat ? 1.0 : w == 10 ? peak : rest) + ",0.9,1000\n";
  rs_test::write_file(dir / "table.csv", table);
  const int weeks = 20;
  const std::string base = "generate --quiet --config " + rs_test::source_path("configs/small.yaml") +
                           " --set scale.households=1500 --set scale.weeks=" + std::to_string(weeks) +
                           " --set seasonality.table=" + (dir / "table.csv").string() + " --set choice.inventory_weight=0";
  ASSERT_EQ(rs_test::run_binary(base + " --out " + (dir / "share").string()).code, 0);
  ASSERT_EQ(rs_test::run_binary(base + " --set seasonality.incidence=logit --out " + (dir / "logit").string()).code, 0);
  const double expected = peak / ((peak + (weeks - 1) * rest) / weeks);
  const Multiple share = volume_multiple(dir / "share", cat, 10), logit = volume_multiple(dir / "logit", cat, 10);
  EXPECT_NEAR(share.value, expected, 4 * share.se) << cat << ": share " << share.value << " logit " << logit.value;
  EXPECT_LT(logit.value, share.value - 2 * std::hypot(share.se, logit.se)) << cat << ": share " << share.value << " logit " << logit.value;
  fs::remove_all(dir);
}

// ---- promotions follow the season ------------------------------------------------------------

TEST(PromoSeasonSlope, RecoversAPlantedSlopeWithinItsStandardError) {
  // 60 categories with smooth seasons of different amplitudes; each one's promotion-calendar rows
  // in week w are Poisson(a_k E_w index^0.8) over two years (TCJ weeks 1..104).  The estimate must
  // land within 3 of its own standard errors of 0.8, and that standard error must be honest: small
  // enough to tell 0.8 from 0.6, and not below a tenth of the slope's spread across categories.
  const double b = 0.8;
  std::mt19937_64 rng(20261202);
  Dataset d;
  d.layout = DataLayout::kTcj;
  SeasonalityTable table;
  for (int k = 0; k < 60; ++k) {
    d.category_name.push_back("CAT " + std::to_string(k));
    SeasonCurve c;
    c.reliability = 0.9;
    const double amp = 0.2 + 0.02 * k, phase = 0.37 * k;
    for (int w = 0; w < 52; ++w) c.index[w] = static_cast<float>(std::exp(amp * std::sin(2 * M_PI * w / 52 + phase)));
    table.set_category(d.category_name.back(), c);
    std::vector<u64> rows(105, 0);
    const double a = 5 + k % 7;
    for (int week = 1; week <= 104; ++week) {
      const double e = 1 + 0.3 * std::cos(2 * M_PI * week / 52);  // weeks differ in how much is on promotion
      rows[week] = std::poisson_distribution<u64>(a * e * std::pow(c.index[(week - 1) % 52], b))(rng);
    }
    d.causal_rows.push_back(rows);
  }
  const SeasonPromoSlope r = promo_season_slope(d, 1, table);
  EXPECT_EQ(r.categories, 60);
  ASSERT_TRUE(std::isfinite(r.slope) && std::isfinite(r.se));
  EXPECT_NEAR(r.slope, b, 3 * r.se);
  EXPECT_LT(r.se, 0.2 / 3);
  // Categories below the table's reliability 0.3, or with fewer than 30 rows, are left out.
  SeasonCurve flat;
  flat.reliability = 0.1;
  table.set_category("CAT 0", flat);
  d.causal_rows[1].assign(105, 0);
  d.causal_rows[1][10] = 29;
  EXPECT_EQ(promo_season_slope(d, 1, table).categories, 58);
}

TEST(PromoSeasonSlope, ValidateSeesThePromotionCalendarFollowTheSeasonAndNotWhenSwitchedOff) {
  // promotions.season_tilt on (the default) and off: the slope of the promotion calendar on the
  // seasonal index passes against the real sample's with the tilt and fails without it.  The
  // schedule does not depend on households, so a small panel will do.
  const std::string real = rs_test::source_path(kReal);
  if (!fs::exists(real + "promotions.csv")) GTEST_SKIP() << "real sample not present at " << real;
  const auto [on, off] = validate_on_and_off("promo_season", 50, "promotions.season_tilt=0");
  const nlohmann::json* m_on = metric(on, "promo_season_slope");
  const nlohmann::json* m_off = metric(off, "promo_season_slope");
  ASSERT_NE(m_on, nullptr);
  ASSERT_NE(m_off, nullptr);
  EXPECT_EQ((*m_on)["status"], "pass") << (*m_on)["value_text"] << " real " << (*m_on)["real_text"];
  EXPECT_EQ((*m_off)["status"], "fail") << (*m_off)["value_text"];
  const double s_on = (*m_on)["value"], s_off = (*m_off)["value"], real_slope = (*m_on)["real"];
  EXPECT_GT(real_slope, 0.5) << "the real calendar follows the season";
  EXPECT_GT(s_on, s_off + 0.4);
  EXPECT_LT(std::fabs(s_off), 0.15) << "without the tilt only the event weeks' boost is left";
}
