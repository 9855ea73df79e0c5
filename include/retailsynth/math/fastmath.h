// The project's own exp/log, identical bit for bit on host and device (DESIGN §4).
//
// Cephes-style range reduction and minimax polynomials in single precision.  Every operation
// is an IEEE add/mul/div that both g++ (-ffp-contract=off) and nvcc (-fmad=false) round the
// same way, so CPU and GPU results agree exactly.  Accuracy: about 1-2 ulp over the normal
// range (tests/test_fastmath.cpp).
#pragma once
#include <cmath>
#include <cstring>

#include "retailsynth/common.h"

namespace retailsynth::math {

RS_HD RS_FORCEINLINE u32 float_bits(float x) {
  u32 u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
RS_HD RS_FORCEINLINE float bits_float(u32 u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

constexpr float kInf = __builtin_huge_valf();
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;

/// e^(x - n ln 2) for n = round(x / ln 2): Cody-Waite reduction and the minimax polynomial,
/// shared by rs_exp and rs_exp_lse.
RS_HD RS_FORCEINLINE float exp_reduced(float x, float n) {
  float r = x - n * kLn2Hi;
  r = r - n * kLn2Lo;
  const float z = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = p * z;
  y = y + r;
  return y + 1.0f;
}

/// e^x.  Returns +inf above 88.72, 0 below -87.33 (no denormals).
RS_HD inline float rs_exp(float x) {
  if (!(x == x)) return x;  // NaN
  if (x > 88.72283905206835f) return kInf;
  if (x < -87.33654475055310f) return 0.0f;
  const float n = floorf(x * 1.44269504088896341f + 0.5f);
  float y = exp_reduced(x, n);
  int e = static_cast<int>(n);
  // 2^e may leave the normal range at the ends; split the scaling in two steps.
  if (e > 127) {
    y = y * 2.0f;
    e -= 1;
  } else if (e < -125) {
    y = y * bits_float(static_cast<u32>(-100 + 127) << 23);
    e += 100;
  }
  return y * bits_float(static_cast<u32>(e + 127) << 23);
}

/// Natural log of a positive normal finite x, without a branch (so a loop of it vectorises):
/// the core of rs_log.
RS_HD RS_FORCEINLINE float log_normal(float x, int e) {
  const u32 u = float_bits(x);
  e += static_cast<int>(u >> 23) - 126;
  float m = bits_float((u & 0x007FFFFFu) | 0x3F000000u);  // mantissa in [0.5, 1)
  const bool low = m < 0.707106781186547524f;
  e = low ? e - 1 : e;
  m = low ? m + m - 1.0f : m - 1.0f;
  const float z = m * m;
  float y = 7.0376836292e-2f;
  y = y * m - 1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m - 1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m - 1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m - 2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = y * m;
  y = y * z;
  const float fe = static_cast<float>(e);
  y = y + fe * kLn2Lo;
  y = y - 0.5f * z;
  float r = m + y;
  r = r + fe * kLn2Hi;
  return r;
}
RS_HD RS_FORCEINLINE float log_normal(float x) { return log_normal(x, 0); }

/// Natural log.  log(0) = -inf, log(x<0) = NaN, log(inf) = inf; denormals are scaled first.
RS_HD inline float rs_log(float x) {
  if (!(x > 0.0f)) return x == 0.0f ? -kInf : bits_float(0x7FC00000u);
  if (x == kInf) return x;
  if (float_bits(x) < 0x00800000u) return log_normal(x * 33554432.0f, -25);  // denormal: scale by 2^25
  return log_normal(x, 0);
}

/// Logistic function 1 / (1 + e^-x).
RS_HD RS_FORCEINLINE float rs_sigmoid(float x) { return 1.0f / (1.0f + rs_exp(-x)); }

/// x^y for x > 0 through exp/log.
RS_HD RS_FORCEINLINE float rs_pow(float x, float y) { return rs_exp(y * rs_log(x)); }

}  // namespace retailsynth::math
