// A configurable scalar distribution (DESIGN §3.5): POD, passed to kernels by value.
#pragma once
#include "retailsynth/math/distributions.h"

namespace retailsynth {

enum class DistKind : u32 { kConstant = 0, kNormal, kLogNormal, kBeta, kGamma, kUniform };

/// Parameters by kind: constant(value=a); normal(mean=a, sd=b); lognormal(mu=a, sigma=b, on
/// the log scale); beta(a, b); gamma(shape=a, scale=b); uniform(low=a, high=b).  Optional
/// truncation to [lower, upper] by rejection (64 tries, then clamping).
struct DistSpec {
  DistKind kind = DistKind::kConstant;
  float a = 0.0f;
  float b = 0.0f;
  float lower = -math::kInf;
  float upper = math::kInf;
};

template <class G>
RS_HD inline float sample_untruncated(const DistSpec& d, G& g) {
  switch (d.kind) {
    case DistKind::kConstant: return d.a;
    case DistKind::kNormal: return math::normal(g, d.a, d.b);
    case DistKind::kLogNormal: return math::lognormal(g, d.a, d.b);
    case DistKind::kBeta: return math::beta(g, d.a, d.b);
    case DistKind::kGamma: return math::gamma(g, d.a, d.b);
    case DistKind::kUniform: return d.a + (d.b - d.a) * math::uniform01(g);
  }
  return d.a;
}

template <class G>
RS_HD inline float sample(const DistSpec& d, G& g) {
  float x = sample_untruncated(d, g);
  for (int attempt = 1; attempt < 64 && (x < d.lower || x > d.upper); ++attempt) x = sample_untruncated(d, g);
  return x < d.lower ? d.lower : (x > d.upper ? d.upper : x);
}

/// Mean of the untruncated distribution (host set-up, reference inclusive values).
inline double dist_mean(const DistSpec& d) {
  switch (d.kind) {
    case DistKind::kConstant: return d.a;
    case DistKind::kNormal: return d.a;
    case DistKind::kLogNormal: return std::exp(double(d.a) + 0.5 * double(d.b) * d.b);
    case DistKind::kBeta: return double(d.a) / (double(d.a) + d.b);
    case DistKind::kGamma: return double(d.a) * d.b;
    case DistKind::kUniform: return 0.5 * (double(d.a) + d.b);
  }
  return d.a;
}

}  // namespace retailsynth
