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
