// Philox4x32-10 known answers (Random123 test vectors) and cuRAND's stream layout.
#include <gtest/gtest.h>

#include "retailsynth/rng/philox.h"
#include "retailsynth/rng/streams.h"

using namespace retailsynth;
using namespace retailsynth::rng;

TEST(Philox, Random123KnownAnswers) {
  const u32x4 zero = philox4x32_10(u32x4{0, 0, 0, 0}, 0, 0);
  EXPECT_EQ(zero.x, 0x6627e8d5u);
  EXPECT_EQ(zero.y, 0xe169c58du);
  EXPECT_EQ(zero.z, 0xbc57ac4cu);
  EXPECT_EQ(zero.w, 0x9b00dbd8u);
  const u32 f = 0xffffffffu;
  const u32x4 ones = philox4x32_10(u32x4{f, f, f, f}, f, f);
  EXPECT_EQ(ones.x, 0x408f276du);
  EXPECT_EQ(ones.y, 0x41c83b0eu);
  EXPECT_EQ(ones.z, 0xa20bc7c6u);
  EXPECT_EQ(ones.w, 0x6d5451fdu);
  // Random123's third vector (pi digits).
  const u32x4 pi = philox4x32_10(u32x4{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, 0xa4093822u, 0x299f31d0u);
  EXPECT_EQ(pi.x, 0xd16cfe09u);
  EXPECT_EQ(pi.y, 0x94fdccebu);
  EXPECT_EQ(pi.z, 0x5001e420u);
  EXPECT_EQ(pi.w, 0x24126ea1u);
}

TEST(Philox, StreamMatchesCurandLayout) {
  // Word g of (seed, subsequence) is word g%4 of the block at counter (g/4, 0, sub lo, sub hi)
  // with key (seed lo, seed hi).
  const u64 seed = 0x0123456789abcdefull, sub = 0x00000002fedcba98ull;
  PhiloxStream s(seed, sub, 0);
  for (u64 g = 0; g < 40; ++g) {
    const u32x4 b = philox4x32_10(u32x4{static_cast<u32>(g / 4), 0, static_cast<u32>(sub), static_cast<u32>(sub >> 32)},
                                  static_cast<u32>(seed), static_cast<u32>(seed >> 32));
    const u32 words[4] = {b.x, b.y, b.z, b.w};
    EXPECT_EQ(s.next_u32(), words[g % 4]) << "word " << g;
  }
}

TEST(Philox, OffsetSkipsWords) {
  // Starting at any offset equals skipping that many words, across block boundaries and into
  // the counter's second word.
  for (u64 off : {u64{1}, u64{2}, u64{3}, u64{5}, u64{4097}, (u64{1} << 34) + 3}) {
    PhiloxStream a(99, 7, 0), b(99, 7, off);
    if (off < 5000) {
      for (u64 i = 0; i < off; ++i) a.next_u32();
      for (int i = 0; i < 12; ++i) EXPECT_EQ(a.next_u32(), b.next_u32()) << "offset " << off;
    } else {
      const u64 blk = off / 4;
      const u32x4 w = philox4x32_10(u32x4{static_cast<u32>(blk), static_cast<u32>(blk >> 32), 7, 0}, 99, 0);
      EXPECT_EQ(b.next_u32(), w.w);  // off % 4 == 3
    }
  }
}

TEST(Philox, StreamsAreDistinct) {
  PhiloxStream a(1, 0, 0), b(1, 1, 0), c(2, 0, 0), d(1, 0, offset(1, Stream::kBasket, 0, 0));
  const u32 wa = a.next_u32();
  EXPECT_NE(wa, b.next_u32());
  EXPECT_NE(wa, c.next_u32());
  EXPECT_NE(wa, d.next_u32());
}

TEST(Philox, OffsetFieldsDoNotOverlap) {
  EXPECT_EQ(offset(0, Stream::kHouseholdParams, 0, 0, 0), 0u);
  EXPECT_EQ(offset(kMaxWeeks, Stream::kHouseholdParams, 0, 0, 0) >> 52, kMaxWeeks);
  EXPECT_EQ((offset(0, Stream::kBasket, 0, 0) >> 48) & 0xF, 2u);
  EXPECT_EQ((offset(0, Stream::kHouseholdParams, kMaxTrips, 0) >> 44) & 0xF, kMaxTrips);
  EXPECT_EQ((offset(0, Stream::kHouseholdParams, 0, kMaxSlots) >> 28) & 0xFFFF, kMaxSlots);
  EXPECT_LT(offset(0, Stream::kHouseholdParams, 0, 0, (1u << 28) - 1), offset(0, Stream::kHouseholdParams, 0, 1, 0));
}
