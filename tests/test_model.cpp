// The household model's pieces: heterogeneity draws (moments and correlation within 4 standard
// errors of the configured distributions) and the shape of each utility term.
#include <gtest/gtest.h>

#include <set>

#include <cmath>
#include <functional>

#include "backend.h"
#include "config.h"
#include "engine/heterogeneity.h"
#include "engine/utility_terms.h"
#include "retailsynth/model/household_week.h"
#include "test_helpers.h"

using namespace retailsynth;

namespace {

double lgamma_(double x) { return std::lgamma(x); }

/// Density of an untruncated distribution.
double pdf(const DistSpec& d, double x) {
  switch (d.kind) {
    case DistKind::kNormal: return std::exp(-0.5 * std::pow((x - d.a) / d.b, 2)) / (d.b * std::sqrt(2 * M_PI));
    case DistKind::kLogNormal:
      return x > 0 ? std::exp(-0.5 * std::pow((std::log(x) - d.a) / d.b, 2)) / (x * d.b * std::sqrt(2 * M_PI)) : 0;
    case DistKind::kBeta:
      return x > 0 && x < 1 ? std::exp((d.a - 1) * std::log(x) + (d.b - 1) * std::log(1 - x) + lgamma_(d.a + d.b) -
                                       lgamma_(d.a) - lgamma_(d.b))
                            : 0;
    case DistKind::kGamma:
      return x > 0 ? std::exp((d.a - 1) * std::log(x) - x / d.b - lgamma_(d.a) - d.a * std::log(d.b)) : 0;
    case DistKind::kUniform: return x >= d.a && x <= d.b ? 1 / (d.b - d.a) : 0;
    case DistKind::kConstant: return 0;
  }
  return 0;
}

/// Mean and variance of the distribution truncated to [lower, upper], by numerical integration.
std::pair<double, double> truncated_moments(const DistSpec& d) {
  double lo = d.lower, hi = d.upper;
  const double centre = d.kind == DistKind::kLogNormal ? std::exp(d.a) : d.a;
  const double spread = d.kind == DistKind::kNormal ? d.b : (d.kind == DistKind::kLogNormal ? centre * 30 : 100);
  if (!std::isfinite(lo)) lo = d.kind == DistKind::kNormal ? d.a - 12 * d.b : 0;
  if (!std::isfinite(hi)) hi = d.kind == DistKind::kNormal ? d.a + 12 * d.b : centre + spread;
  if (d.kind == DistKind::kBeta) lo = std::max(lo, 0.0), hi = std::min(hi, 1.0);
  const int n = 400000;
  const double h = (hi - lo) / n;
  double m0 = 0, m1 = 0, m2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = lo + (i + 0.5) * h, p = pdf(d, x) * h;
    m0 += p, m1 += p * x, m2 += p * x * x;
  }
  const double mean = m1 / m0;
  return {mean, m2 / m0 - mean * mean};
}

/// n households of `cfg` sampled by the CPU backend with `seed`.
HouseholdBlock sample_block(const Config& cfg, const Stores& stores, u64 seed, i32 n) {
  auto backend = make_cpu_backend();
  RunSetup setup{};
  setup.seed = seed;
  setup.spec = make_household_spec(cfg, stores);
  backend->prepare(setup);
  HouseholdBlock b;
  backend->sample_households(0, n, b);
  return b;
}

}  // namespace

TEST(Heterogeneity, StoreSetsFollowTheConfig) {
  // 0-3 secondary stores with stores.set's frequencies, distinct, never the home store, each by
  // traffic share among the stores not yet taken.
  const Config cfg = load_config(rs_test::source_path("configs/default.yaml"));
  const Stores stores = build_stores(cfg);
  const i32 n = 40000;
  const HouseholdBlock b = sample_block(cfg, stores, 7, n);
  const double* w = cfg.stores.secondary_count;
  const double total = w[0] + w[1] + w[2] + w[3];
  std::vector<double> count(kMaxSecondaryStores + 1, 0.0);
  double first_at_top = 0, with_first = 0, expected_top = 0, var_top = 0;
  const i32 top = static_cast<i32>(std::max_element(stores.traffic.begin(), stores.traffic.end()) - stores.traffic.begin());
  for (i32 h = 0; h < n; ++h) {
    int c = 0;
    std::set<i32> seen = {b.home_store[h]};
    for (int i = 0; i < kMaxSecondaryStores; ++i) {
      const i32 s = b.secondary[static_cast<size_t>(i) * n + h];
      if (s < 0) {
        for (int j = i; j < kMaxSecondaryStores; ++j) EXPECT_LT(b.secondary[static_cast<size_t>(j) * n + h], 0);
        break;
      }
      ASSERT_TRUE(seen.insert(s).second) << "household " << h << ": store " << s << " twice or the home store";
      ++c;
    }
    count[c] += 1;
    if (c > 0 && b.home_store[h] != top) {
      const double p = stores.traffic[top] / (1.0 - stores.traffic[b.home_store[h]]);
      with_first += 1, first_at_top += b.secondary[h] == top, expected_top += p, var_top += p * (1 - p);
    }
  }
  for (int c = 0; c <= kMaxSecondaryStores; ++c) {
    const double p = w[c] / total;
    EXPECT_NEAR(count[c] / n, p, 4 * std::sqrt(p * (1 - p) / n)) << c << " secondary stores";
  }
  // The first secondary store is the busiest store (when that is not home) with its traffic share
  // among the stores other than home.
  ASSERT_GT(with_first, 1000);
  EXPECT_NEAR(first_at_top, expected_top, 4 * std::sqrt(var_top));
}

TEST(Heterogeneity, SampleMomentsAndCorrelationMatchTheConfig) {
  const Config cfg = load_config(rs_test::source_path("configs/default.yaml"));
  const Stores stores = build_stores(cfg);
  const i32 n = 40000;
  const HouseholdBlock b = sample_block(cfg, stores, 99, n);
  for (int p = 0; p < kNumHouseholdParams; ++p) {
    const DistSpec& d = cfg.households[p];
    const auto [mean, var] = truncated_moments(d);
    double m = 0, v = 0;
    for (i32 h = 0; h < n; ++h) m += b.params[static_cast<size_t>(p) * n + h];
    m /= n;
    for (i32 h = 0; h < n; ++h) v += std::pow(b.params[static_cast<size_t>(p) * n + h] - m, 2);
    v /= n - 1;
    EXPECT_NEAR(m, mean, 4 * std::sqrt(var / n)) << kHouseholdParamNames[p];
    // sd of the sample variance ~ var * sqrt(2 / n) for near-normal shapes; allow heavier tails.
    EXPECT_NEAR(v, var, 4 * var * std::sqrt(6.0 / n)) << kHouseholdParamNames[p];
  }
  // Correlation of beta_price and beta_promo: configured -0.3 on the underlying normals, which
  // are these parameters themselves (both normal); se of r ~ (1 - r^2) / sqrt(n).
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (i32 h = 0; h < n; ++h) {
    const double x = b.params[static_cast<size_t>(kBetaPrice) * n + h], y = b.params[static_cast<size_t>(kBetaPromo) * n + h];
    sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
  }
  const double r = (sxy - sx * sy / n) / std::sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
  EXPECT_NEAR(r, -0.3, 4 * (1 - 0.09) / std::sqrt(n));
  // An uncorrelated pair stays uncorrelated.
  sx = sy = sxx = syy = sxy = 0;
  for (i32 h = 0; h < n; ++h) {
    const double x = b.params[static_cast<size_t>(kBetaPrice) * n + h], y = b.params[static_cast<size_t>(kBetaRef) * n + h];
    sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
  }
  EXPECT_NEAR((sxy - sx * sy / n) / std::sqrt((sxx - sx * sx / n) * (syy - sy * sy / n)), 0.0, 4 / std::sqrt(n));
}

TEST(Heterogeneity, InvalidCorrelationIsRejected) {
  const Config ok = load_config("", {"households.correlation=[{a: beta_price, b: beta_promo, rho: 0.9}, {a: beta_promo, b: "
                                     "beta_ref, rho: 0.9}, {a: beta_price, b: beta_ref, rho: -0.9}]"});
  EXPECT_THROW(make_household_spec(ok, build_stores(ok)), InputError);  // not positive definite
  EXPECT_THROW(load_config("", {"households.correlation=[{a: beta_price, b: beta_display, rho: 0.2}]"}), InputError);
  EXPECT_THROW(load_config("", {"households.correlation=[{a: beta_price, b: nothing, rho: 0.2}]"}), InputError);
  EXPECT_THROW(load_config("", {"households.correlation=[{a: beta_price, b: beta_promo, rho: 1.5}]"}), InputError);
}

TEST(Heterogeneity, ChoiceParamsCarryTheConfiguredUtilityScales) {
  // Every utility.* scale that the choice kernel reads reaches ChoiceParams (coupon_scale once did not).
  const Config c = load_config("", {"utility.coupon_scale=0.8", "utility.feature_scale=0.3", "utility.promo_depth_scale=0.7"});
  const ChoiceParams p = make_choice_params(c);
  EXPECT_FLOAT_EQ(p.coupon_scale, 0.8f);
  EXPECT_FLOAT_EQ(p.feature_scale, 0.3f);
  EXPECT_FLOAT_EQ(p.promo_depth_scale, 0.7f);
  EXPECT_FLOAT_EQ(make_choice_params(load_config("", {})).coupon_scale, 0.5f) << "the built-in default";
}

// ---- utility terms ----------------------------------------------------------------------------

namespace {

/// A one-store, one-category world of `P` products for evaluating product_utility directly.
struct TinyWorld {
  std::vector<float> log_price, base_u, ref_gain, depth, marketing{0.0f}, cat_season{0.0f}, quality, alpha;
  std::vector<u32> cents;
  std::vector<u8> display, feature;
  std::vector<i32> cat_begin;
  ChoiceParams choice{};
  explicit TinyWorld(int P)
      : log_price(P, 0), base_u(P, 0), ref_gain(P, 0), depth(P, 0), quality(P, 0), alpha(P, 0), cents(P, 100),
        display(P, 0), feature(P, 0), cat_begin{0, P} {
    choice.promo_depth_scale = 0.5f;
    choice.display_effect[1] = 0.3f, choice.display_effect[2] = 1.0f, choice.display_effect[3] = 1.6f;
    choice.feature_scale = 0.4f;
  }
  SimView view() const {
    SimView v{};
    v.cat = CatalogView{static_cast<i32>(alpha.size()), 1, cat_begin.data(), alpha.data(), quality.data(), nullptr, nullptr, nullptr};
    v.week = WeekView{1,           1,           static_cast<i64>(alpha.size()), log_price.data(), base_u.data(),
                      ref_gain.data(), cents.data(), cents.data(),            depth.data(),     display.data(),
                      feature.data(),  marketing.data(), cat_season.data(), 1.0f,
                      nullptr,         nullptr,          nullptr,           nullptr, nullptr, nullptr, nullptr};  // no coupons, no bounds
    v.choice = choice;
    return v;
  }
};

HouseholdCoefs coefs() {
  HouseholdCoefs c{};
  c.beta_price = -2.5f, c.beta_quality = 3.0f, c.beta_promo = 1.8f, c.beta_display = 0.3f, c.beta_feature = 0.8f;
  c.beta_ref = 1.0f, c.loss_aversion = 2.5f, c.beta_loyal = 1.0f;
  return c;
}

}  // namespace

TEST(Utility, LogPriceTermHasDiminishingSensitivity) {
  // beta_price * log(p): concave log p, so with beta_price < 0 each further dollar lowers
  // utility by less than the one before.
  TinyWorld w(3);
  for (int j = 0; j < 3; ++j) w.log_price[j] = std::log(1.0f + j);  // prices 1, 2, 3
  const SimView v = w.view();
  const auto c = coefs();
  const float u1 = product_utility(v, c, 0, 0, -1), u2 = product_utility(v, c, 0, 1, -1), u3 = product_utility(v, c, 0, 2, -1);
  EXPECT_GT(u1, u2);
  EXPECT_GT(u2, u3);
  EXPECT_GT(u1 - u2, u2 - u3) << "each dollar costs less utility than the one before (diminishing sensitivity)";
}

TEST(Utility, LossesSteeperThanGainsByLossAversion) {
  EXPECT_FLOAT_EQ(gain_loss(0.1f, 2.5f), 0.1f);
  EXPECT_FLOAT_EQ(gain_loss(-0.1f, 2.5f), -0.25f);
  TinyWorld w(3);
  w.ref_gain = {0.1f, 0.0f, -0.1f};
  const SimView v = w.view();
  const auto c = coefs();
  const float gain = product_utility(v, c, 0, 0, -1) - product_utility(v, c, 0, 1, -1);
  const float loss = product_utility(v, c, 0, 1, -1) - product_utility(v, c, 0, 2, -1);
  EXPECT_NEAR(loss / gain, 2.5f, 1e-5f);
}

TEST(Utility, JumpJustUnderEachThreshold) {
  for (double t : {1.0, 2.0, 5.0, 10.0, 20.0, 50.0}) {
    const double under = std::round(t * 100 - 1) / 100;  // 0.99, 1.99, ...
    EXPECT_DOUBLE_EQ(price_threshold_term(under, 0.15, 0.05), 0.15) << t;
    EXPECT_DOUBLE_EQ(price_threshold_term(t + 0.09, 0.15, 0.05), 0.0) << t;
    EXPECT_DOUBLE_EQ(price_threshold_term(t * 0.9, 0.15, 0.05), 0.0) << t;
  }
  // Through base_utility: 1.99 beats 2.09 by more than the price difference alone explains.
  const Config cfg = load_config("");
  EXPECT_NEAR(base_utility(cfg, 0, 0, 1.99, 0) - base_utility(cfg, 0, 0, 2.09, 0), 0.15, 1e-12);
}

TEST(Utility, DiscountPerceptionStep) {
  EXPECT_DOUBLE_EQ(perception_term(0.15, 0.2, 0.3), 0.0);
  EXPECT_DOUBLE_EQ(perception_term(0.20, 0.2, 0.3), 0.3);
  EXPECT_DOUBLE_EQ(perception_term(0.45, 0.2, 0.3), 0.3);
  EXPECT_DOUBLE_EQ(perception_term(0.0, 0.0, 0.3), 0.0) << "no promotion, no perception";
}

TEST(Utility, DisplayEffectsOrderedAndAdsAdd) {
  TinyWorld w(6);
  for (int j = 0; j < 6; ++j) w.depth[j] = 0.25f;
  for (int t = 0; t < 4; ++t) w.display[t] = static_cast<u8>(t);
  w.feature[4] = 1;  // in_ad
  w.feature[5] = 3;  // in_ad + mailer
  const SimView v = w.view();
  const auto c = coefs();
  float prev = -1e9f;
  for (int t = 0; t < 4; ++t) {
    const float u = product_utility(v, c, 0, t, -1);
    EXPECT_GT(u, prev) << "display type " << t;
    prev = u;
  }
  const float none = product_utility(v, c, 0, 0, -1), ad = product_utility(v, c, 0, 4, -1), both = product_utility(v, c, 0, 5, -1);
  EXPECT_NEAR(ad - none, 0.8f * 0.4f, 1e-6f);
  EXPECT_NEAR(both - none, 2 * 0.8f * 0.4f, 1e-6f);
  // Deeper discounts add beta_promo * scale per unit depth, and loyalty adds beta_loyal.
  TinyWorld w2(2);
  w2.depth = {0.2f, 0.4f};
  const SimView v2 = w2.view();
  EXPECT_NEAR(product_utility(v2, c, 0, 1, -1) - product_utility(v2, c, 0, 0, -1), 1.8f * 0.5f * 0.2f, 1e-6f);
  EXPECT_NEAR(product_utility(v2, c, 0, 0, 0) - product_utility(v2, c, 0, 0, -1), 1.0f, 1e-6f);
}

TEST(Utility, CouponLowersThePriceAndAddsItsOwnPull) {
  // A household holding a coupon worth c on a product at shelf price p sees
  // beta_price * (log(p - c) - log p) + beta_promo * coupon_scale * c / p; a coupon worth more
  // than half the shelf price is not honoured.
  TinyWorld w(3);
  w.cents = {400, 400, 150};
  for (int j = 0; j < 3; ++j) w.log_price[j] = retailsynth::math::rs_log(w.cents[j] * 0.01f);
  w.choice.coupon_scale = 0.5f;
  std::vector<i32> begin{0, 2};
  std::vector<i32> product{0, 2};
  std::vector<u8> campaign{0, 0};
  std::vector<u16> cents{100, 100}, match{0, 0};
  SimView v = w.view();
  v.week.coupon_begin = begin.data();
  v.week.coupon_product = product.data();
  v.week.coupon_campaign = campaign.data();
  v.week.coupon_cents = cents.data();
  v.week.coupon_match = match.data();
  const auto c = coefs();
  CategoryExtras x{};
  x.last = -1;
  x.n = 2;
  x.product[0] = 0, x.entry[0] = 0;
  x.product[1] = 2, x.entry[1] = 1;
  const float with = product_utility(v, c, 0, 0, x), without = product_utility(v, c, 0, 1, x);
  EXPECT_NEAR(with - without, -2.5f * (std::log(3.0f) - std::log(4.0f)) + 1.8f * 0.5f * 0.25f, 1e-5f);
  EXPECT_GT(with, without);
  // $1 off $1.50 is more than half: no coupon term.
  EXPECT_FLOAT_EQ(product_utility(v, c, 0, 2, x), product_utility(v, c, 0, 2, -1));
}
