// Policy scenarios (--scenario): common random numbers, the counterfactual effects file, the
// scenario file's limits, and the targeted coupon campaigns of configs/small.yaml.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "io/csv.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using rs_test::read_file;
using rs_test::run_binary;

namespace {

const std::string kSmall = rs_test::source_path("configs/small.yaml");

using Rows = std::vector<std::vector<std::string>>;

using rs_test::rows_of;

/// Writes each (name, yaml) scenario file and runs them as one set on the small config.
fs::path run_set(const std::vector<std::pair<std::string, std::string>>& scenarios, const std::string& extra = "") {
  const fs::path root = rs_test::temp_dir("scen");
  std::string args = "generate --quiet --config " + kSmall + " --out " + (root / "out").string() + " " + extra;
  for (const auto& [name, yaml] : scenarios) {
    rs_test::write_file(root / (name + ".yaml"), "name: " + name + "\n" + yaml);
    args += " --scenario " + (root / (name + ".yaml")).string();
  }
  const auto r = run_binary(args);
  EXPECT_EQ(r.code, 0) << r.err;
  return root / "out";
}

/// Transaction lines by household_key, in file order.
std::map<std::string, std::vector<std::string>> lines_by_household(const fs::path& f) {
  std::istringstream in(read_file(f));
  std::string line;
  std::getline(in, line);
  std::map<std::string, std::vector<std::string>> out;
  while (std::getline(in, line)) out[line.substr(0, line.find(','))].push_back(line);
  return out;
}

double money(const std::string& s) { return std::stod(s); }

/// The small config run once as a plain dataset (campaign tests read it).
const fs::path& small_run() { return rs_test::small_generated(); }

}  // namespace

TEST(Scenario, IdenticalScenariosGiveIdenticalBytes) {
  const std::string policy = "promotions: {share_min: 0.15, share_max: 0.25, depth: {dist: beta, a: 2, b: 2}}\n";
  const fs::path out = run_set({{"same_a", policy}, {"same_b", policy}});
  ASSERT_TRUE(fs::exists(out / "truth/effects.csv"));
  size_t compared = 0;
  for (const auto& e : fs::recursive_directory_iterator(out / "same_a")) {
    if (!e.is_regular_file() || e.path().filename() == "manifest.json") continue;
    const fs::path rel = fs::relative(e.path(), out / "same_a");
    EXPECT_EQ(read_file(e.path()), read_file(out / "same_b" / rel)) << rel;
    ++compared;
  }
  EXPECT_GE(compared, 15u);
  // The policy did change something against the built-in promotions (else this proves nothing).
  const fs::path plain = small_run();
  EXPECT_NE(read_file(out / "same_a/truth/promotions.csv"), read_file(plain / "truth/promotions.csv"));
  // Every effect of the second against the first is zero.
  const Rows eff = rows_of(out / "truth/effects.csv");
  ASSERT_EQ(eff.size(), 800u);
  for (const auto& r : eff)
    for (size_t c = 9; c < r.size(); ++c) ASSERT_EQ(std::stod(r[c]), 0.0) << r[0] << " " << r[1];
  const auto m = nlohmann::json::parse(read_file(out / "manifest.json"));
  EXPECT_EQ(m["baseline"], "same_a");
  EXPECT_EQ(m["scenarios"].size(), 2u);
}

TEST(Scenario, PriceChangeLeavesHouseholdsThatNeverMeetTheProductAlone) {
  // The most bought product-store pair of the plain run gets a 50% dearer base price in every
  // week.  Store choice does not depend on prices, and every draw has its own counter, so a
  // household that never bought in that product's category at that store (in either scenario)
  // made every decision with the same draws and the same probabilities: identical lines.
  const fs::path plain = small_run();
  std::map<std::pair<std::string, std::string>, int> count;
  for (const auto& r : rows_of(plain / "transaction_data.csv")) ++count[{r[3], r[6]}];
  std::pair<std::string, std::string> top;
  int best = 0;
  for (const auto& [k, n] : count)
    if (n > best) best = n, top = k;
  ASSERT_GT(best, 3);
  std::map<std::string, std::string> category;  // PRODUCT_ID -> COMMODITY_DESC
  for (const auto& r : rows_of(plain / "product.csv")) category[r[0]] = r[4];
  const std::string change =
      "price_changes:\n  - {product: " + top.first + ", store: " + top.second + ", multiplier: 1.5}\n";
  const fs::path out = run_set({{"base", ""}, {"dearer", change}});
  // The baseline of the set is the plain run.
  EXPECT_EQ(read_file(out / "base/transaction_data.csv"), read_file(plain / "transaction_data.csv"));
  const auto a = lines_by_household(out / "base/transaction_data.csv");
  const auto b = lines_by_household(out / "dearer/transaction_data.csv");
  const std::string k = category[top.first];
  std::set<std::string> met;
  for (const auto* side : {&a, &b})
    for (const auto& [hh, lines] : *side)
      for (const auto& l : lines) {
        const auto f = retailsynth::split_csv_line(l);
        if (f[6] == top.second && category[f[3]] == k) met.insert(hh);
      }
  int changed = 0, untouched = 0;
  for (int h = 1; h <= 400; ++h) {
    const std::string hh = std::to_string(h);
    const auto ia = a.find(hh), ib = b.find(hh);
    const std::vector<std::string> none;
    const auto& la = ia == a.end() ? none : ia->second;
    const auto& lb = ib == b.end() ? none : ib->second;
    if (met.count(hh)) {
      changed += la != lb;
    } else {
      EXPECT_EQ(la, lb) << "household " << hh << " never met the product's category in store " << top.second;
      ++untouched;
    }
  }
  EXPECT_GT(changed, 0) << "the dearer price changed nobody's purchases";
  EXPECT_GT(untouched, 200);
  // The dearer product sells less at that store.
  auto sold = [&](const std::map<std::string, std::vector<std::string>>& side) {
    int n = 0;
    for (const auto& [hh, lines] : side)
      for (const auto& l : lines) {
        const auto f = retailsynth::split_csv_line(l);
        n += f[3] == top.first && f[6] == top.second;
      }
    return n;
  };
  EXPECT_LT(sold(b), sold(a));
}

TEST(Scenario, EffectsAreEachHouseholdsOutcomeDifferences) {
  const fs::path out = run_set({{"base", ""}, {"cheaper", "pricing: {price_index: 0.9}\n"}});
  // Outcomes agree with the transaction lines and trips of each scenario.
  for (const char* s : {"base", "cheaper"}) {
    std::map<std::string, double> spend, units, trips;
    for (const auto& r : rows_of(out / s / "transaction_data.csv")) {
      spend[r[0]] += money(r[5]) + money(r[10]);  // the household pays SALES_VALUE + COUPON_DISC (TCJ)
      units[r[0]] += std::stod(r[4]);
    }
    for (const auto& r : rows_of(out / s / "truth/trips.csv")) trips[r[0]] += std::stod(r[2]);
    const Rows oc = rows_of(out / s / "truth/outcomes.csv");
    ASSERT_EQ(oc.size(), 400u);
    for (const auto& r : oc) {
      EXPECT_NEAR(std::stod(r[1]), spend[r[0]], 0.005) << s << " " << r[0];
      EXPECT_EQ(std::stod(r[2]), units[r[0]]) << s << " " << r[0];
      EXPECT_EQ(std::stod(r[3]), trips[r[0]]) << s << " " << r[0];
    }
  }
  // effects.csv: both scenarios for every household, differences against the baseline.
  const Rows eff = rows_of(out / "truth/effects.csv");
  ASSERT_EQ(eff.size(), 800u);
  std::map<std::string, std::vector<double>> base;
  double d_units = 0;
  for (const auto& r : eff) {
    std::vector<double> v;
    for (size_t c = 2; c < 9; ++c) v.push_back(std::stod(r[c]));
    if (r[1] == "base") {
      base[r[0]] = v;
      for (size_t c = 9; c < r.size(); ++c) EXPECT_EQ(std::stod(r[c]), 0.0);
      continue;
    }
    ASSERT_EQ(r[1], "cheaper");
    const auto& b = base.at(r[0]);
    for (size_t c = 0; c < 7; ++c) EXPECT_NEAR(std::stod(r[9 + c]), v[c] - b[c], 0.006) << r[0] << " column " << c;
    d_units += std::stod(r[10]);
  }
  // Trips do not depend on shelf prices here (no promotion change), and lower prices sell more.
  for (const auto& r : eff) EXPECT_EQ(std::stod(r[11]), 0.0) << r[0];
  EXPECT_GT(d_units, 0);
}

TEST(Scenario, ScenarioFilesMayOnlyChangePolicy) {
  const fs::path root = rs_test::temp_dir("scen_bad");
  auto check = [&](const std::string& yaml, const std::string& expect, const std::string& second = "") {
    rs_test::write_file(root / "s.yaml", yaml);
    std::string args = "generate --config " + kSmall + " --out " + (root / "out").string() + " --scenario " + (root / "s.yaml").string();
    if (!second.empty()) {
      rs_test::write_file(root / "t.yaml", second);
      args += " --scenario " + (root / "t.yaml").string();
    }
    const auto r = run_binary(args);
    EXPECT_EQ(r.code, 2) << yaml;
    EXPECT_NE(r.err.find(expect), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(root / "out")) << "nothing may be written";
    EXPECT_FALSE(fs::exists(root / "out.partial"));
  };
  check("households:\n  beta_price: {dist: normal, mean: -3, sd: 1}\n", "s.yaml:1: households: not a policy key");
  check("name: x\npricing:\n  inflation_per_year: 0.1\n", "s.yaml:3: pricing.inflation_per_year: not a policy key");
  check("promotions:\n  share_max: 2\n", "s.yaml:2: promotions.share_max: must be in [0, 1]");
  check("campaigns:\n  - {name: a, start_week: 1, end_week: 2, coupon: {value: 1}, colour: red}\n",
        "s.yaml:2: campaigns[0].colour: unknown key");
  check("price_changes:\n  - {product: 123, multiplier: 1.2}\n", "s.yaml:2: price_changes[0].product: no product with PRODUCT_ID 123");
  check("name: same\n", "name: 'same' is used by an earlier --scenario", "name: same\n");
  check("name: ../x\n", "must use letters, digits");
}

TEST(Campaigns, TargetingFollowsEachCampaignsRule) {
  const fs::path d = small_run();
  std::map<std::string, std::vector<double>> params;  // household_key -> parameters
  const Rows hh = rows_of(d / "truth/households.csv");
  const auto head = retailsynth::split_csv_line(read_file(d / "truth/households.csv").substr(0, read_file(d / "truth/households.csv").find('\n')));
  const size_t beta_price = std::find(head.begin(), head.end(), "beta_price") - head.begin();
  const size_t propensity = std::find(head.begin(), head.end(), "coupon_propensity") - head.begin();
  ASSERT_LT(propensity, head.size());
  std::map<std::string, std::map<std::string, int>> took;  // campaign -> household -> took_up
  for (const auto& r : rows_of(d / "truth/campaign_households.csv")) took[r[1]][r[0]] = std::stoi(r[2]);
  // TCJ files agree with the truth.
  const Rows table = rows_of(d / "campaign_table.csv");
  size_t n_truth = 0;
  for (const auto& [c, m] : took) n_truth += m.size();
  EXPECT_EQ(table.size(), n_truth);
  const Rows desc = rows_of(d / "campaign_desc.csv");
  ASSERT_EQ(desc.size(), 3u);
  EXPECT_EQ(desc[0], (std::vector<std::string>{"TypeA", "1", "8", "42"}));
  // B1: everyone with beta_price <= -2.5, nobody else (share 1).
  int eligible = 0;
  for (const auto& r : hh) {
    const bool in = std::stod(r[beta_price]) <= -2.5;
    eligible += in;
    EXPECT_EQ(took["2"].count(r[0]) > 0, in) << "household " << r[0];
  }
  EXPECT_GT(eligible, 50);
  // C1: a random 30%, within 4 standard errors.
  const double n = static_cast<double>(hh.size()), share = took["3"].size() / n;
  EXPECT_NEAR(share, 0.3, 4 * std::sqrt(0.3 * 0.7 / n));
  // A1 (starts in week 2): only households that spent at least $10 in week 1.
  std::map<std::string, double> week1;
  for (const auto& r : rows_of(d / "transaction_data.csv"))
    if (r[9] == "1") week1[r[0]] += money(r[5]) + money(r[10]) + money(r[11]);
  int spenders = 0;
  for (const auto& [k, s] : week1) spenders += s >= 10.0;
  for (const auto& [k, t] : took["1"]) EXPECT_GE(week1[k], 10.0 - 1e-9) << k;
  EXPECT_NEAR(took["1"].size() / double(spenders), 0.6, 4 * std::sqrt(0.6 * 0.4 / spenders));
  // Take-up: a targeted household takes a campaign up with its coupon_propensity.
  std::map<std::string, double> prop;
  for (const auto& r : hh) prop[r[0]] = std::stod(r[propensity]);
  double taken = 0, expected = 0, var = 0;
  for (const auto& [c, m] : took)
    for (const auto& [k, t] : m) taken += t, expected += prop[k], var += prop[k] * (1 - prop[k]);
  EXPECT_NEAR(taken, expected, 4 * std::sqrt(var));
}

TEST(Campaigns, RedemptionsMatchTheCouponLines) {
  const fs::path d = small_run();
  std::map<std::string, std::pair<std::string, std::string>> coupon;  // UPC -> (PRODUCT_ID, CAMPAIGN)
  for (const auto& r : rows_of(d / "coupon.csv")) coupon[r[0]] = {r[1], r[2]};
  std::map<std::string, std::pair<long, long>> days;  // CAMPAIGN -> START_DAY, END_DAY
  for (const auto& r : rows_of(d / "campaign_desc.csv")) days[r[1]] = {std::stol(r[2]), std::stol(r[3])};
  std::map<std::pair<std::string, std::string>, int> took;
  for (const auto& r : rows_of(d / "truth/campaign_households.csv")) took[{r[0], r[1]}] = std::stoi(r[2]);
  std::multiset<std::string> from_redempt, from_lines;
  for (const auto& r : rows_of(d / "coupon_redempt.csv")) {
    ASSERT_TRUE(coupon.count(r[2])) << r[2];
    const auto& [product, campaign] = coupon[r[2]];
    EXPECT_EQ(campaign, r[3]);
    EXPECT_EQ((took[{r[0], r[3]}]), 1) << "household " << r[0] << " redeemed campaign " << r[3] << " without taking it up";
    const long day = std::stol(r[1]);
    EXPECT_GE(day, days[r[3]].first);
    EXPECT_LE(day, days[r[3]].second);
    from_redempt.insert(r[0] + "," + r[1] + "," + product);
  }
  int with_match = 0;
  for (const auto& r : rows_of(d / "transaction_data.csv")) {
    const double cd = money(r[10]), md = money(r[11]);
    EXPECT_LE(cd, 0.0);
    EXPECT_LE(md, 0.0);
    if (cd == 0) {
      EXPECT_EQ(md, 0.0);
      continue;
    }
    from_lines.insert(r[0] + "," + r[2] + "," + r[3]);
    with_match += md < 0;
    const double unit = (money(r[5]) - md) / std::stod(r[4]);  // shelf price: SALES_VALUE is net of the match
    EXPECT_LE(-(cd + md), unit / 2 + 0.005) << "a coupon is worth at most half the shelf price";
  }
  EXPECT_GT(from_redempt.size(), 20u);
  EXPECT_EQ(from_redempt, from_lines);
  EXPECT_GT(with_match, 0) << "campaign A1 is matched by the retailer";
}

TEST(Campaigns, CouponsChangeOnlyTargetedHouseholdsAndRaiseTheirCouponPurchases) {
  // The same households with and without the campaigns.  Untargeted households make every
  // decision with the same draws and probabilities: identical lines.  Households that took a
  // campaign up buy more of its coupon products while it runs (paired over the common draws).
  const fs::path out = run_set({{"none", "campaigns: []\n"}, {"coupons", ""}});
  const auto a = lines_by_household(out / "none/transaction_data.csv");
  const auto b = lines_by_household(out / "coupons/transaction_data.csv");
  std::set<std::string> targeted;
  std::map<std::string, std::vector<std::string>> took;  // household -> campaigns taken up
  for (const auto& r : rows_of(out / "coupons/truth/campaign_households.csv")) {
    targeted.insert(r[0]);
    if (r[2] == "1") took[r[0]].push_back(r[1]);
  }
  EXPECT_TRUE(rows_of(out / "none/coupon.csv").empty());
  int untargeted = 0;
  for (int h = 1; h <= 400; ++h) {
    const std::string hh = std::to_string(h);
    if (targeted.count(hh)) continue;
    ++untargeted;
    const std::vector<std::string> none;
    EXPECT_EQ(a.count(hh) ? a.at(hh) : none, b.count(hh) ? b.at(hh) : none) << "household " << hh;
  }
  EXPECT_GT(untargeted, 50);
  std::map<std::string, std::set<std::string>> products;  // campaign -> PRODUCT_IDs
  for (const auto& r : rows_of(out / "coupons/coupon.csv")) products[r[2]].insert(r[1]);
  std::map<std::string, std::pair<long, long>> days;
  for (const auto& r : rows_of(out / "coupons/campaign_desc.csv")) days[r[1]] = {std::stol(r[2]), std::stol(r[3])};
  auto units = [&](const std::map<std::string, std::vector<std::string>>& side, const std::string& hh) {
    double u = 0;
    if (!side.count(hh)) return u;
    for (const auto& l : side.at(hh)) {
      const auto f = retailsynth::split_csv_line(l);
      const long day = std::stol(f[2]);
      for (const auto& c : took[hh])
        if (products[c].count(f[3]) && day >= days[c].first && day <= days[c].second) {
          u += std::stod(f[4]);
          break;
        }
    }
    return u;
  };
  std::vector<double> diff;
  for (const auto& [hh, cs] : took) diff.push_back(units(b, hh) - units(a, hh));
  ASSERT_GT(diff.size(), 50u);
  double mean = 0, var = 0;
  for (double x : diff) mean += x;
  mean /= diff.size();
  for (double x : diff) var += (x - mean) * (x - mean);
  const double se = std::sqrt(var / (diff.size() - 1) / diff.size());
  EXPECT_GT(mean, 4 * se) << "mean extra units " << mean << " (se " << se << ")";
}

TEST(Scenario, ShardedAndResumedSetsGiveTheWholeSetsBytes) {
  // A scenario set in two shards (parts in the shared scenario folders, effects in parts), and a
  // set killed after its first block of households and resumed, both equal the plain set.
  const fs::path root = rs_test::temp_dir("scen_shard");
  rs_test::write_file(root / "a.yaml", "name: a\n");
  rs_test::write_file(root / "b.yaml", "name: b\npromotions: {share_min: 0.2, share_max: 0.3}\n");
  const std::string set = " --config " + kSmall + " --scenario " + (root / "a.yaml").string() + " --scenario " +
                          (root / "b.yaml").string();
  ASSERT_EQ(run_binary("generate --quiet" + set + " --out " + (root / "whole").string()).code, 0);
  for (int i = 0; i < 2; ++i) {
    const auto r = run_binary("generate --quiet" + set + " --shard " + std::to_string(i) + "/2 --out " + (root / "sh").string());
    ASSERT_EQ(r.code, 0) << r.err;
  }
  auto joined = [&](const fs::path& dir) {
    std::string all;
    for (int i = 0; i < 2; ++i) {
      const std::string text = read_file(dir / ("part-" + std::to_string(i) + "-of-2.csv"));
      all += i == 0 ? text : text.substr(text.find('\n') + 1);
    }
    return all;
  };
  for (const char* s : {"a", "b"}) {
    EXPECT_EQ(joined(root / "sh" / s / "transaction_data"), read_file(root / "whole" / s / "transaction_data.csv")) << s;
    EXPECT_EQ(joined(root / "sh" / s / "truth/outcomes"), read_file(root / "whole" / s / "truth/outcomes.csv")) << s;
  }
  // Effects parts hold each shard's households for every scenario: the same rows, shard-major.
  auto sorted_rows = [](const std::string& text) {
    std::vector<std::string> rows;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) rows.push_back(line);
    std::sort(rows.begin(), rows.end());
    return rows;
  };
  EXPECT_EQ(sorted_rows(joined(root / "sh/truth/effects")), sorted_rows(read_file(root / "whole/truth/effects.csv")));
  EXPECT_EQ(nlohmann::json::parse(read_file(root / "sh/manifest.json"))["scenarios"].size(), 2u);
  // Killed after the first block of the first scenario, then resumed.
  const auto killed = run_binary("generate --quiet" + set + " --out " + (root / "res").string(), "RETAILSYNTH_TEST_KILL_AFTER_BLOCK=1");
  EXPECT_NE(killed.code, 0);
  EXPECT_FALSE(fs::exists(root / "res"));
  ASSERT_EQ(run_binary("generate --quiet --resume" + set + " --out " + (root / "res").string()).code, 0);
  for (const char* f : {"a/transaction_data.csv", "b/transaction_data.csv", "b/coupon_redempt.csv", "truth/effects.csv"})
    EXPECT_EQ(read_file(root / "res" / f), read_file(root / "whole" / f)) << f;
}
