// Philox4x32-10 (Salmon et al., SC'11) in cuRAND's layout, callable on host and device.
//
// cuRAND's curand_init(seed, subsequence, offset, &state) for curandStatePhilox4_32_10_t
// sets key = (seed lo, seed hi) and counter = (0, 0, subsequence lo, subsequence hi), then
// skips `offset` 32-bit words: the 128-bit counter advances by offset/4 and the word index
// within a block is offset%4.  Word g of stream (seed, subsequence) is therefore word g%4 of
// philox(counter = (lo(g/4), hi(g/4), lo(sub), hi(sub)), key).  PhiloxStream reproduces the
// sequence that successive curand() calls return after that curand_init.
#pragma once
#include "retailsynth/common.h"

namespace retailsynth::rng {

struct u32x4 {
  u32 x, y, z, w;
};

RS_HD RS_FORCEINLINE void mulhilo32(u32 a, u32 b, u32& hi, u32& lo) {
  const u64 p = static_cast<u64>(a) * static_cast<u64>(b);
  hi = static_cast<u32>(p >> 32);
  lo = static_cast<u32>(p);
}

RS_HD RS_FORCEINLINE u32x4 philox_round(u32x4 c, u32 k0, u32 k1) {
  constexpr u32 M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  u32 hi0, lo0, hi1, lo1;
  mulhilo32(M0, c.x, hi0, lo0);
  mulhilo32(M1, c.z, hi1, lo1);
  return u32x4{hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0};
}

/// One Philox4x32-10 block: 4 words from a 128-bit counter and a 64-bit key.
RS_HD inline u32x4 philox4x32_10(u32x4 ctr, u32 k0, u32 k1) {
  constexpr u32 W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
#if defined(__CUDACC__)
#pragma unroll
#else
#pragma GCC unroll 9
#endif
  for (int r = 0; r < 9; ++r) {
    ctr = philox_round(ctr, k0, k1);
    k0 += W0;
    k1 += W1;
  }
  return philox_round(ctr, k0, k1);
}

/// Sequential 32-bit words of the stream (seed, subsequence) starting at word `offset`;
/// the same words as cuRAND's curand() after curand_init(seed, subsequence, offset).
class PhiloxStream {
 public:
  RS_HD PhiloxStream(u64 seed, u64 subsequence, u64 offset)
      : k0_(static_cast<u32>(seed)),
        k1_(static_cast<u32>(seed >> 32)),
        sub_lo_(static_cast<u32>(subsequence)),
        sub_hi_(static_cast<u32>(subsequence >> 32)),
        block_(offset >> 2),
        word_(static_cast<u32>(offset & 3u)) {
    refill();
  }

  RS_HD RS_FORCEINLINE u32 next_u32() {
    if (word_ == 4) {
      ++block_;
      word_ = 0;
      refill();
    }
    const u32 w = word_ == 0 ? out_.x : word_ == 1 ? out_.y : word_ == 2 ? out_.z : out_.w;
    ++word_;
    return w;
  }

 private:
  RS_HD void refill() {
    out_ = philox4x32_10(u32x4{static_cast<u32>(block_), static_cast<u32>(block_ >> 32), sub_lo_, sub_hi_},
                         k0_, k1_);
  }
  u32 k0_, k1_, sub_lo_, sub_hi_;
  u64 block_;
  u32 word_;
  u32x4 out_;
};

/// Factory of the streams of a seed, on the host and the device (the CUDA kernels use it too;
/// tests check its words against cuRAND's on the device).
struct PhiloxRng {
  u64 seed;
  RS_HD PhiloxStream stream(u64 subsequence, u64 offset) const { return PhiloxStream(seed, subsequence, offset); }
};

}  // namespace retailsynth::rng
