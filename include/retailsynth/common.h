// Common macros for code compiled by both g++ and nvcc.
#pragma once
#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define RS_HD __host__ __device__
#define RS_FORCEINLINE __forceinline__
#else
#define RS_HD
#define RS_FORCEINLINE inline __attribute__((always_inline))
#endif

// Shared math must not be contracted into FMAs (CPU == GPU bit-identity, DESIGN §4).
// The build passes -ffp-contract=off (g++) and -fmad=false (nvcc); this guard catches
// a build that forgets it on the host side.
#if !defined(__CUDACC__) && defined(__FAST_MATH__)
#error "retailsynth shared math must not be compiled with -ffast-math"
#endif

namespace retailsynth {
using i64 = std::int64_t;
using i32 = std::int32_t;
using u64 = std::uint64_t;
using u32 = std::uint32_t;
using u16 = std::uint16_t;
using u8 = std::uint8_t;

// The device-side guard.  nvcc hands --use_fast_math, -ftz, -prec-div, -prec-sqrt and -fmad to
// the device compiler alone, with no macro to test, so the device code is probed instead: the
// CUDA backend runs exact_float_mode in a kernel when it starts and refuses to run if it is
// false (flush-to-zero, approximate division or square root, or FMA contraction).  The inputs
// come from memory, so the device compiler cannot fold the probe away.
struct FloatModeProbe {
  float tiny = 1e-40f;                     // subnormal: flushed to zero under ftz
  float two = 2.0f;
  float x = 1.00000012f;                   // 1 + 2^-23: x*x = 1 + 2^-22 + 2^-46
  float minus_xx = -1.00000024f;           // -(1 + 2^-22), x*x rounded: x*x + this is 0 unless fused
  float num0 = 1.37f, num_step = 0.7390851f;  // samples for division and square root
  float den0 = 3.1f, den_step = 0.4142136f;
  int samples = 256;  // about 30% of quotients a*(1/b) are not correctly rounded
};

RS_HD inline bool exact_float_mode(const FloatModeProbe& p) {
  if (!(p.tiny * p.two > 0.0f)) return false;        // flush-to-zero
  if (p.x * p.x + p.minus_xx != 0.0f) return false;  // contracted into an FMA
  for (int i = 0; i < p.samples; ++i) {
    const float a = p.num0 + static_cast<float>(i) * p.num_step;
    const float b = p.den0 + static_cast<float>(i) * p.den_step;
    // Rounded once from double, the exact float results (53 >= 2*24 + 2 bits: no double rounding).
    if (a / b != static_cast<float>(static_cast<double>(a) / static_cast<double>(b))) return false;
    if (sqrtf(a) != static_cast<float>(sqrt(static_cast<double>(a)))) return false;
  }
  return true;
}
}  // namespace retailsynth
