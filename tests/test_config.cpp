// Config: defaults, shipped configs, and an exit-2 error naming file, line and key for each
// kind of mistake.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config.h"
#include "test_helpers.h"

using namespace retailsynth;

namespace {

std::string error_of(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  const auto dir = rs_test::temp_dir("cfg");
  rs_test::write_file(dir / "c.yaml", yaml);
  try {
    load_config((dir / "c.yaml").string(), sets);
  } catch (const InputError& e) {
    std::filesystem::remove_all(dir);
    return e.what();
  }
  std::filesystem::remove_all(dir);
  return "";
}

}  // namespace

TEST(Config, DefaultsAndShippedConfigsLoad) {
  const Config d = load_config("");
  EXPECT_EQ(d.scale.households, 5000);
  EXPECT_EQ(d.scale.products, 20000);
  const Config def = load_config(rs_test::source_path("configs/default.yaml"));
  EXPECT_EQ(def.scale.categories, 281);  // every category of the world table
  EXPECT_EQ(def.scale.stores, 50);
  EXPECT_EQ(def.scale.weeks, 104);
  EXPECT_EQ(def.households[kBetaPrice].kind, DistKind::kNormal);
  EXPECT_FLOAT_EQ(def.households[kBetaPrice].a, -2.5f);
  const Config small = load_config(rs_test::source_path("configs/small.yaml"));
  EXPECT_LT(small.scale.households, 1000);
}

TEST(Config, UnknownKeyNamesPathAndLine) {
  const std::string e = error_of("seed: 1\nscale:\n  households: 10\n  housholds: 20\n");
  EXPECT_NE(e.find("c.yaml:4"), std::string::npos) << e;
  EXPECT_NE(e.find("scale.housholds"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key"), std::string::npos) << e;
  EXPECT_NE(error_of("nonsense: 3\n").find("nonsense: unknown key"), std::string::npos);
}

TEST(Config, WrongTypeAndRange) {
  std::string e = error_of("scale:\n  households: many\n");
  EXPECT_NE(e.find("c.yaml:2: scale.households: expected an integer"), std::string::npos) << e;
  e = error_of("scale:\n  households: -5\n");
  EXPECT_NE(e.find("scale.households: must be in [1,"), std::string::npos) << e;
  e = error_of("choice:\n  iv_coefficient: 2.5\n");
  EXPECT_NE(e.find("choice.iv_coefficient: must be in [0, 1]"), std::string::npos) << e;
  e = error_of("output:\n  compress: gzip\n");
  EXPECT_NE(e.find("output.compress: must be one of {none, zstd}"), std::string::npos) << e;
  e = error_of("scale: 5\n");
  EXPECT_NE(e.find("scale: expected a map of keys"), std::string::npos) << e;
  e = error_of("scale: [1, 2\n");
  EXPECT_NE(e.find("invalid YAML"), std::string::npos) << e;
}

TEST(Config, DistributionValidation) {
  std::string e = error_of("households:\n  trip_rate: {dist: poisson, mean: 1}\n");
  EXPECT_NE(e.find("households.trip_rate.dist: unknown distribution 'poisson'"), std::string::npos) << e;
  e = error_of("households:\n  trip_rate: {dist: lognormal, mu: 0}\n");
  EXPECT_NE(e.find("households.trip_rate.sigma: missing"), std::string::npos) << e;
  e = error_of("households:\n  trip_rate: {dist: lognormal, mu: 0, sigma: 1, sd: 2}\n");
  EXPECT_NE(e.find("households.trip_rate.sd: unknown key"), std::string::npos) << e;
  // A normal trip rate can go negative unless truncated.
  e = error_of("households:\n  trip_rate: {dist: normal, mean: 1, sd: 0.5}\n");
  EXPECT_NE(e.find("households.trip_rate: values must lie in [0, 50]"), std::string::npos) << e;
  EXPECT_EQ(error_of("households:\n  trip_rate: {dist: normal, mean: 1, sd: 0.5, lower: 0, upper: 5}\n"), "");
  e = error_of("households:\n  store_loyalty: {dist: beta, a: -1, b: 2}\n");
  EXPECT_NE(e.find("households.store_loyalty.a: must be > 0"), std::string::npos) << e;
  e = error_of("households:\n  beta_price: {dist: uniform, low: 1, high: 0}\n");
  EXPECT_NE(e.find("households.beta_price.low: must be <= high"), std::string::npos) << e;
}

TEST(Config, SetOverridesAnyKey) {
  const Config c = load_config(rs_test::source_path("configs/small.yaml"),
                               {"scale.households=77", "choice.iv_coefficient=0.2",
                                "households.trip_rate={dist: constant, value: 2}"});
  EXPECT_EQ(c.scale.households, 77);
  EXPECT_DOUBLE_EQ(c.choice.iv_coefficient, 0.2);
  EXPECT_EQ(c.households[kTripRate].kind, DistKind::kConstant);
  EXPECT_FLOAT_EQ(c.households[kTripRate].a, 2.0f);
  std::string e;
  try {
    load_config("", {"scale.houseolds=3"});
  } catch (const InputError& x) {
    e = x.what();
  }
  EXPECT_NE(e.find("--set scale.houseolds=3: scale.houseolds: unknown key"), std::string::npos) << e;
  try {
    load_config("", {"scale.households=abc"});
  } catch (const InputError& x) {
    e = x.what();
  }
  EXPECT_NE(e.find("--set scale.households=abc: scale.households: expected an integer"), std::string::npos) << e;
  try {
    load_config("", {"noequals"});
  } catch (const InputError& x) {
    e = x.what();
  }
  EXPECT_NE(e.find("expected key=value"), std::string::npos) << e;
}

TEST(Config, ResolvedConfigRoundTrips) {
  const Config c = load_config(rs_test::source_path("configs/default.yaml"));
  const auto j = config_to_json(c);
  EXPECT_EQ(j["scale"]["households"], 5000);
  EXPECT_EQ(j["households"]["beta_price"]["dist"], "normal");
  EXPECT_DOUBLE_EQ(j["households"]["beta_price"]["sd"].get<double>(), 0.8);
  // The JSON, written back as YAML flow (JSON is YAML), loads to the same config.
  const auto dir = rs_test::temp_dir("roundtrip");
  rs_test::write_file(dir / "r.yaml", j.dump());
  const Config back = load_config((dir / "r.yaml").string());
  EXPECT_EQ(config_to_json(back), j);
  std::filesystem::remove_all(dir);
}
