// Logsumexp and exact categorical sampling, shared by both backends.
#pragma once
#include "retailsynth/math/fastmath.h"

namespace retailsynth::math {

/// Streaming log-sum-exp: one pass, rescales only when a new maximum arrives.  Values are
/// added in a fixed order on both backends, so the result is bit-identical.
struct OnlineLse {
  float max = -kInf;
  float sum = 0.0f;  // sum of exp(x - max)

  RS_HD RS_FORCEINLINE void add(float x) {
    if (x > max) {
      sum = sum * rs_exp(max - x) + 1.0f;
      max = x;
    } else {
      sum = sum + rs_exp(x - max);
    }
  }
  RS_HD RS_FORCEINLINE float value() const { return sum > 0.0f ? max + rs_log(sum) : -kInf; }
};

/// e^x for the terms of a log-sum-exp, x <= 0: the same formula as rs_exp, and 0 below -80
/// (such a term is below a float's resolution next to the maximum's 1).  No branch but the
/// select, so a compiler can vectorise a loop of it; CPU and GPU evaluate it identically.
RS_HD RS_FORCEINLINE float rs_exp_lse(float x) {
  const float xc = x < -80.0f ? -80.0f : x;
  const float t = xc * 1.44269504088896341f + 0.5f;
  const float n = floorf(t);
  const float y = exp_reduced(xc, n);
  const float y2 = y * bits_float(static_cast<u32>(static_cast<int>(n) + 127) << 23);
  return x < -80.0f ? 0.0f : y2;
}

/// Lanes of a log-sum-exp: term j of a range goes to lane j % 8, lanes are combined pairwise.
/// This fixed order lets the CPU sum eight terms per vector instruction and a GPU thread keep
/// eight registers, with identical results.
constexpr int kLseLanes = 8;
RS_HD RS_FORCEINLINE float combine_lanes(const float* a) {
  return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/// Index i in [0, n) drawn with probability w(i) / sum w, by inverse CDF: u in [0,1) times the
/// total, walked in index order.  `weight(i)` must return the same value on every call.  Exact
/// for the given weights; if rounding leaves the walk short of the target, the last index with
/// positive weight is returned.  Returns -1 when all weights are 0.
template <class WeightFn>
RS_HD inline int sample_categorical(int n, float total, float u, WeightFn weight) {
  const float target = u * total;
  float acc = 0.0f;
  int last_positive = -1;
  for (int i = 0; i < n; ++i) {
    const float w = weight(i);
    if (w > 0.0f) {
      last_positive = i;
      acc = acc + w;
      if (acc > target) return i;
    }
  }
  return last_positive;
}

}  // namespace retailsynth::math
