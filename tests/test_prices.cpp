// truth/prices.csv: with truth/stores.csv and the config, it gives every product-store-week's
// regular price by the formula of docs/data-dictionary.md, and the shelf price with
// truth/promotions.csv; both agree with every transaction line and every promotion row.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "test_helpers.h"

namespace fs = std::filesystem;
using rs_test::read_file;
using rs_test::rows_of;
using rs_test::run_binary;

namespace {

/// The dictionary's rounding to a price point: cents c = round half away from zero of 100 x, then
/// the x.x9 point nearest below c + 5 (at least 19 cents).
long round_pp(double dollars) {
  const double c = std::round(dollars * 100.0);
  double pp = std::floor((c - 9.0 + 5.0) / 10.0) * 10.0 + 9.0;
  return static_cast<long>(pp < 19.0 ? 19.0 : pp);
}

long cents(const std::string& s) { return std::lround(std::stod(s) * 100); }

}  // namespace

TEST(PriceTruth, EveryLineAndPromotionFollowsFromTheFormula) {
  const fs::path d = rs_test::temp_dir("prices") / "out";
  // A policy price index on top, so every factor of the formula counts.
  const auto r = run_binary("generate --quiet --config " + rs_test::source_path("configs/small.yaml") +
                            " --set scale.households=120 --set pricing.price_index=1.03 --out " + d.string());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto m = nlohmann::json::parse(read_file(d / "manifest.json"));
  const double policy = m["config"]["pricing"]["price_index"].get<double>();
  ASSERT_EQ(policy, 1.03);
  std::map<std::pair<long, long>, double> chain;  // (PRODUCT_ID, WEEK_NO) -> chain price
  for (const auto& row : rows_of(d / "truth/prices.csv")) chain[{std::stol(row[0]), std::stol(row[1])}] = std::stod(row[2]);
  EXPECT_EQ(chain.size(), 1200u * 8u);
  std::map<long, double> index;
  for (const auto& row : rows_of(d / "truth/stores.csv")) index[std::stol(row[0])] = std::stod(row[2]);
  auto regular = [&](long product, long store, long week) { return round_pp(chain.at({product, week}) * index.at(store) * policy); };
  std::map<std::tuple<long, long, long>, std::pair<long, long>> promo;  // (store, product, week) -> (base, shelf)
  long bad_promo = 0;
  for (const auto& row : rows_of(d / "truth/promotions.csv")) {
    const long s = std::stol(row[0]), j = std::stol(row[1]), w = std::stol(row[2]);
    promo[{s, j, w}] = {cents(row[3]), cents(row[4])};
    bad_promo += cents(row[3]) != regular(j, s, w);
  }
  EXPECT_GT(promo.size(), 1000u);
  EXPECT_EQ(bad_promo, 0) << "promotion rows whose base_price is not the formula's regular price";
  long lines = 0, bad_regular = 0, bad_shelf = 0;
  for (const auto& row : rows_of(d / "transaction_data.csv")) {
    const long j = std::stol(row[3]), q = std::stol(row[4]), s = std::stol(row[6]), w = std::stol(row[9]);
    const long sales = cents(row[5]), disc = cents(row[7]), match = cents(row[11]);
    const long reg = regular(j, s, w);
    const auto it = promo.find({s, j, w});
    const long shelf = it == promo.end() ? reg : it->second.second;
    bad_regular += (sales - disc - match) != q * reg;
    bad_shelf += (sales - match) != q * shelf;
    ++lines;
  }
  EXPECT_GT(lines, 1000);
  EXPECT_EQ(bad_regular, 0) << "of " << lines << " lines";
  EXPECT_EQ(bad_shelf, 0) << "of " << lines << " lines";
}
