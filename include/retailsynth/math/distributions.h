// Distribution transforms of Philox words, shared by both backends (DESIGN §4).
//
// Every function takes a generator `g` with `u32 next_u32()` (rng::PhiloxStream, on the host
// and the device) and consumes a documented number of words, so
// the same bits give the same value on CPU and GPU.  Rejection samplers loop a bounded number
// of times and then return a documented fallback, so no draw can hang a kernel.
#pragma once
#include "retailsynth/math/fastmath.h"

namespace retailsynth::math {

/// Uniform in [0, 1) from the top 24 bits of a word.
RS_HD RS_FORCEINLINE float uniform01_of(u32 word) { return static_cast<float>(word >> 8) * (1.0f / 16777216.0f); }

/// Uniform in [0, 1) with 24 random bits (1 word).
template <class G>
RS_HD RS_FORCEINLINE float uniform01(G& g) {
  return uniform01_of(g.next_u32());
}

/// Uniform in (0, 1), never 0 or 1 (1 word); safe under log.
template <class G>
RS_HD RS_FORCEINLINE float uniform_open01(G& g) {
  return (static_cast<float>(g.next_u32() >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

/// Standard normal by Marsaglia's polar method (2 words per attempt, accepts 78.5%).
template <class G>
RS_HD inline float normal01(G& g) {
  for (int attempt = 0; attempt < 64; ++attempt) {
    const float u = 2.0f * uniform_open01(g) - 1.0f;
    const float v = 2.0f * uniform_open01(g) - 1.0f;
    const float s2 = u * u + v * v;
    if (s2 < 1.0f && s2 > 0.0f) {
      return u * sqrtf(-2.0f * rs_log(s2) / s2);
    }
  }
  return 0.0f;  // probability 0.215^64
}

template <class G>
RS_HD RS_FORCEINLINE float normal(G& g, float mean, float sd) {
  return mean + sd * normal01(g);
}

template <class G>
RS_HD RS_FORCEINLINE float lognormal(G& g, float mu, float sigma) {
  return rs_exp(mu + sigma * normal01(g));
}

/// Gamma(shape, scale) by Marsaglia and Tsang (2000); shape < 1 by the boost
/// Gamma(shape + 1) * U^(1/shape).
template <class G>
RS_HD inline float gamma(G& g, float shape, float scale) {
  if (!(shape > 0.0f) || !(scale > 0.0f)) return 0.0f;
  float boost = 1.0f;
  if (shape < 1.0f) {
    boost = rs_exp(rs_log(uniform_open01(g)) / shape);
    shape = shape + 1.0f;
  }
  const float d = shape - 1.0f / 3.0f;
  const float c = 1.0f / sqrtf(9.0f * d);
  for (int attempt = 0; attempt < 256; ++attempt) {
    float x, v;
    do {
      x = normal01(g);
      v = 1.0f + c * x;
    } while (v <= 0.0f);
    v = v * v * v;
    const float u = uniform_open01(g);
    const float x2 = x * x;
    if (u < 1.0f - 0.0331f * (x2 * x2)) return d * v * boost * scale;
    if (rs_log(u) < 0.5f * x2 + d * (1.0f - v + rs_log(v))) return d * v * boost * scale;
  }
  return d * boost * scale;  // the mode; probability of reaching it is negligible
}

/// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
template <class G>
RS_HD inline float beta(G& g, float a, float b) {
  const float x = gamma(g, a, 1.0f);
  const float y = gamma(g, b, 1.0f);
  const float s = x + y;
  return s > 0.0f ? x / s : 0.5f;
}

/// log(k!) : exact table below 16, Stirling series above.
RS_HD inline float log_factorial(int k) {
  constexpr float table[16] = {0.0f,          0.0f,          0.69314718f,   1.79175947f,
                               3.17805383f,   4.78749174f,   6.57925121f,   8.52516136f,
                               10.60460290f,  12.80182748f,  15.10441257f,  17.50230785f,
                               19.98721450f,  22.55216385f,  25.19122118f,  27.89927138f};
  if (k < 16) return table[k < 0 ? 0 : k];
  const float n = static_cast<float>(k) + 1.0f;
  const float inv = 1.0f / n;
  return (n - 0.5f) * rs_log(n) - n + 0.91893853320467274f + inv * (1.0f / 12.0f - inv * inv * (1.0f / 360.0f));
}

/// Poisson(lambda).  lambda < 10: multiplication of uniforms (about lambda + 1 words);
/// otherwise Hormann's PTRS transformed rejection (2 words per attempt, accepts > 85%).
/// Results are capped at 1e6.
template <class G>
RS_HD inline int poisson(G& g, float lambda) {
  if (!(lambda > 0.0f)) return 0;
  if (lambda < 10.0f) {
    const float limit = rs_exp(-lambda);
    float prod = uniform01(g);
    int k = 0;
    while (prod > limit && k < 1000) {
      prod = prod * uniform01(g);
      ++k;
    }
    return k;
  }
  if (lambda > 1e6f) lambda = 1e6f;
  const float slam = sqrtf(lambda);
  const float loglam = rs_log(lambda);
  const float b = 0.931f + 2.53f * slam;
  const float a = -0.059f + 0.02483f * b;
  const float inv_alpha = 1.1239f + 1.1328f / (b - 3.4f);
  const float vr = 0.9277f - 3.6224f / (b - 2.0f);
  for (int attempt = 0; attempt < 256; ++attempt) {
    const float u = uniform01(g) - 0.5f;
    const float v = uniform01(g);
    const float us = 0.5f - fabsf(u);
    const float kf = floorf((2.0f * a / us + b) * u + lambda + 0.43f);
    if (us >= 0.07f && v <= vr) return static_cast<int>(kf);
    if (kf < 0.0f || (us < 0.013f && v > us)) continue;
    const int k = static_cast<int>(kf);
    const float lhs = rs_log(v) + rs_log(inv_alpha) - rs_log(a / (us * us) + b);
    const float rhs = -lambda + kf * loglam - log_factorial(k);
    if (lhs <= rhs) return k;
  }
  return static_cast<int>(floorf(lambda));
}

}  // namespace retailsynth::math
