// Shared math: own exp/log accuracy, distribution moments (tolerances from the standard
// error), logsumexp and exact categorical sampling.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "retailsynth/math/choice.h"
#include "retailsynth/math/distributions.h"
#include "retailsynth/model/dist_spec.h"
#include "retailsynth/rng/philox.h"

using namespace retailsynth;
using namespace retailsynth::math;

namespace {

struct Moments {
  double n = 0, mean = 0, m2 = 0, m3 = 0;
  void add(double x) {
    // Welford with third moment.
    const double n1 = n;
    n += 1;
    const double d = x - mean, dn = d / n, term = d * dn * n1;
    mean += dn;
    m3 += term * dn * (n - 2) - 3 * dn * m2;
    m2 += term;
  }
  double var() const { return m2 / (n - 1); }
  double skew() const { return std::sqrt(n) * m3 / std::pow(m2, 1.5); }
};

/// Checks mean and variance against the truth within `z` standard errors.  The variance's SE
/// uses the fourth central moment `mu4`.
void expect_moments(const Moments& m, double mean, double var, double mu4, double z = 5.0) {
  const double se_mean = std::sqrt(var / m.n);
  EXPECT_NEAR(m.mean, mean, z * se_mean) << "mean";
  const double se_var = std::sqrt((mu4 - var * var) / m.n);
  EXPECT_NEAR(m.var(), var, z * se_var) << "variance";
}

template <class F>
Moments draw(int n, u64 sub, F f) {
  rng::PhiloxStream g(12345, sub, 0);
  Moments m;
  for (int i = 0; i < n; ++i) m.add(f(g));
  return m;
}

constexpr int kN = 200000;

}  // namespace

TEST(FastMath, ExpMatchesLibm) {
  double worst = 0;
  for (int i = 0; i <= 200000; ++i) {
    const float x = -87.0f + 175.0f * static_cast<float>(i) / 200000.0f;
    const double ref = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::fabs(rs_exp(x) - ref) / ref);
  }
  EXPECT_LT(worst, 4e-7);  // a few ulp of float
  EXPECT_EQ(rs_exp(0.0f), 1.0f);
  EXPECT_EQ(rs_exp(-100.0f), 0.0f);
  EXPECT_TRUE(std::isinf(rs_exp(100.0f)));
}

TEST(FastMath, LogMatchesLibm) {
  double worst = 0;
  for (int i = 1; i <= 200000; ++i) {
    const float x = std::ldexp(1.0f + static_cast<float>(i % 1000) / 1000.0f, i / 1000 - 100);
    const double ref = std::log(static_cast<double>(x));
    const double err = std::fabs(rs_log(x) - ref) / std::max(1.0, std::fabs(ref));
    worst = std::max(worst, err);
  }
  EXPECT_LT(worst, 4e-7);
  EXPECT_EQ(rs_log(1.0f), 0.0f);
  EXPECT_TRUE(std::isinf(rs_log(0.0f)));
  EXPECT_TRUE(std::isnan(rs_log(-1.0f)));
  EXPECT_NEAR(rs_log(1e-40f), std::log(1e-40), 1e-5);  // denormal input
}

TEST(Distributions, UniformMoments) {
  const auto m = draw(kN, 1, [](auto& g) { return uniform01(g); });
  expect_moments(m, 0.5, 1.0 / 12, 1.0 / 80);
  rng::PhiloxStream g(1, 2, 0);
  for (int i = 0; i < 100000; ++i) {
    const float u = uniform01(g), v = uniform_open01(g);
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    ASSERT_GT(v, 0.0f);
    ASSERT_LT(v, 1.0f);
  }
}

TEST(Distributions, NormalMoments) {
  const auto m = draw(kN, 3, [](auto& g) { return normal(g, 2.0f, 3.0f); });
  expect_moments(m, 2.0, 9.0, 3 * 81.0);
  EXPECT_NEAR(m.skew(), 0.0, 5 * std::sqrt(6.0 / kN));
}

TEST(Distributions, LogNormalMoments) {
  const double mu = 0.2, s = 0.5;
  const auto m = draw(kN, 4, [&](auto& g) { return lognormal(g, float(mu), float(s)); });
  const double mean = std::exp(mu + s * s / 2), var = (std::exp(s * s) - 1) * std::exp(2 * mu + s * s);
  // Fourth central moment of the log-normal.
  const double w = std::exp(s * s);
  const double mu4 = var * var * (w * w * w * w + 2 * w * w * w + 3 * w * w - 3);
  expect_moments(m, mean, var, mu4);
}

TEST(Distributions, GammaMoments) {
  for (double shape : {0.5, 2.0, 7.5}) {
    const double scale = 1.5;
    const auto m = draw(kN, 5 + static_cast<u64>(shape * 10), [&](auto& g) { return gamma(g, float(shape), float(scale)); });
    const double var = shape * scale * scale;
    const double mu4 = 3 * shape * (shape + 2) * std::pow(scale, 4);
    expect_moments(m, shape * scale, var, mu4);
  }
}

TEST(Distributions, BetaMoments) {
  const double a = 2, b = 5;
  const auto m = draw(kN, 6, [&](auto& g) { return beta(g, float(a), float(b)); });
  const double mean = a / (a + b), var = a * b / ((a + b) * (a + b) * (a + b + 1));
  // Fourth central moment bound: values lie in [0,1], so mu4 <= var; use the exact formula.
  const double mu4 = 3 * a * b * (a * b * (a + b - 6) + 2 * (a + b) * (a + b)) /
                     ((a + b) * (a + b) * (a + b) * (a + b) * (a + b + 1) * (a + b + 2) * (a + b + 3));
  expect_moments(m, mean, var, mu4);
}

TEST(Distributions, PoissonMoments) {
  for (double lam : {0.3, 3.0, 9.9, 25.0, 400.0}) {
    const auto m = draw(kN, 7 + static_cast<u64>(lam), [&](auto& g) { return double(poisson(g, float(lam))); });
    expect_moments(m, lam, lam, lam * (1 + 3 * lam));
  }
}

TEST(Distributions, PoissonSmallProbabilities) {
  // P(0) and P(1) for lambda = 1.5 within 5 SE.
  rng::PhiloxStream g(3, 3, 0);
  int c0 = 0, c1 = 0;
  for (int i = 0; i < kN; ++i) {
    const int k = poisson(g, 1.5f);
    c0 += k == 0;
    c1 += k == 1;
  }
  const double p0 = std::exp(-1.5), p1 = 1.5 * std::exp(-1.5);
  EXPECT_NEAR(c0 / double(kN), p0, 5 * std::sqrt(p0 * (1 - p0) / kN));
  EXPECT_NEAR(c1 / double(kN), p1, 5 * std::sqrt(p1 * (1 - p1) / kN));
}

TEST(Distributions, TruncationKeepsBounds) {
  DistSpec d{DistKind::kNormal, 0.0f, 1.0f, -0.5f, 1.0f};
  rng::PhiloxStream g(5, 5, 0);
  Moments m;
  for (int i = 0; i < 50000; ++i) {
    const float x = sample(d, g);
    ASSERT_GE(x, -0.5f);
    ASSERT_LE(x, 1.0f);
    m.add(x);
  }
  // Mean of N(0,1) truncated to [-0.5, 1]: (phi(-0.5) - phi(1)) / (Phi(1) - Phi(-0.5)).
  const double phi = [](double x) { return std::exp(-x * x / 2) / std::sqrt(2 * M_PI); }(-0.5) -
                     std::exp(-0.5) / std::sqrt(2 * M_PI);
  const double mass = 0.5 * (std::erf(1 / std::sqrt(2.0)) - std::erf(-0.5 / std::sqrt(2.0)));
  EXPECT_NEAR(m.mean, phi / mass, 5 * std::sqrt(m.var() / m.n));
}

TEST(Choice, OnlineLogSumExpMatchesDouble) {
  rng::PhiloxStream g(8, 8, 0);
  for (int trial = 0; trial < 200; ++trial) {
    OnlineLse lse;
    std::vector<double> xs;
    const int n = 1 + trial % 50;
    for (int i = 0; i < n; ++i) {
      const float x = normal(g, 0.0f, 5.0f);
      lse.add(x);
      xs.push_back(x);
    }
    double m = -INFINITY, s = 0;
    for (double x : xs) m = std::max(m, x);
    for (double x : xs) s += std::exp(x - m);
    EXPECT_NEAR(lse.value(), m + std::log(s), 2e-5 * (1 + std::fabs(m)));
  }
}

TEST(Choice, CategoricalFrequenciesMatchWeights) {
  const std::vector<float> w = {0.5f, 0.0f, 2.0f, 1.0f, 0.25f, 4.0f};
  float total = 0;
  for (float x : w) total += x;
  std::vector<int> count(w.size(), 0);
  rng::PhiloxStream g(9, 9, 0);
  for (int i = 0; i < kN; ++i) {
    const int k = sample_categorical(static_cast<int>(w.size()), total, uniform01(g), [&](int j) { return w[j]; });
    ASSERT_GE(k, 0);
    ++count[k];
  }
  EXPECT_EQ(count[1], 0);  // zero weight is never drawn
  for (size_t k = 0; k < w.size(); ++k) {
    const double p = w[k] / total;
    EXPECT_NEAR(count[k] / double(kN), p, 5 * std::sqrt(p * (1 - p) / kN) + 1e-12) << "category " << k;
  }
  EXPECT_EQ(sample_categorical(3, 0.0f, 0.5f, [](int) { return 0.0f; }), -1);
}

TEST(FloatMode, ProbeIsExactHereAndSeesEachApproximation) {
  // The device-side guard of common.h: true under IEEE rounding (this host build) ...
  const FloatModeProbe p;
  EXPECT_TRUE(exact_float_mode(p));
  // ... and each mode it guards against changes one of its checks.
  EXPECT_GT(p.tiny, 0.0f);
  EXPECT_LT(p.tiny, std::numeric_limits<float>::min());  // subnormal: flushed under ftz
  EXPECT_EQ(p.x * p.x + p.minus_xx, 0.0f);
  EXPECT_NE(std::fmaf(p.x, p.x, p.minus_xx), 0.0f);  // what a contracted FMA gives
  int rcp_differs = 0;
  for (int i = 0; i < p.samples; ++i) {
    const float a = p.num0 + static_cast<float>(i) * p.num_step;
    const volatile float rcp = 1.0f / (p.den0 + static_cast<float>(i) * p.den_step);
    rcp_differs += a * rcp != a / (p.den0 + static_cast<float>(i) * p.den_step);  // division as a * (1/b)
  }
  EXPECT_GT(rcp_differs, p.samples / 10);
}
