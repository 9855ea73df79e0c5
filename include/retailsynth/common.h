// Common macros for code compiled by both g++ and nvcc.
#pragma once
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
}  // namespace retailsynth
