// Stream ids: where each random draw lives in the Philox counter space (DESIGN §4).
//
// Subsequence: a household's global index (0 .. C-1) for everything a household draws, so its
// data never depends on which other households are in the run.  World synthesis (catalog,
// stores) uses subsequences above kWorldBase.
//
// Offset (a 64-bit word index inside the subsequence):
//   bits 52..63  week (0 = set-up, 1..W simulation weeks)
//   bits 48..51  stream (purpose)
//   bits 44..47  trip within the week
//   bits 28..43  category index (or another per-entity slot)
//   bits  0..27  draw index within the slot
// Every purpose draws from a fixed slot, so one draw never shifts another (common random
// numbers: a policy that changes one decision leaves the other decisions' draws alone).
#pragma once
#include "retailsynth/common.h"

namespace retailsynth::rng {

enum class Stream : u32 {
  kHouseholdParams = 0,  // heterogeneity draws, week 0, slot = parameter index
  kTrips = 1,            // trip count and per-trip store/day/time, slot = 0
  kBasket = 2,           // per trip and category: incidence, product, quantity
  kAffinity = 3,         // per household-category affinity (on demand), week 0
  kCoupons = 4,          // campaign targeting and take-up, week 0, slot = campaign
  kCatalog = 8,          // world synthesis streams (subsequence >= kWorldBase)
  kStores = 9,
  kMarket = 10,
};

constexpr u64 kWorldBase = u64{1} << 62;
constexpr u32 kMaxWeeks = 4095;
constexpr u32 kMaxTrips = 15;
constexpr u32 kMaxSlots = 65535;
constexpr u64 kDrawsPerSlot = u64{1} << 28;

RS_HD constexpr u64 offset(u32 week, Stream s, u32 trip, u32 slot, u32 draw = 0) {
  return (static_cast<u64>(week) << 52) | (static_cast<u64>(static_cast<u32>(s)) << 48) |
         (static_cast<u64>(trip) << 44) | (static_cast<u64>(slot) << 28) | static_cast<u64>(draw);
}

/// Subsequence of a world entity (catalog product, store, market series).
RS_HD constexpr u64 world_subsequence(Stream s, u64 index) {
  return kWorldBase | (static_cast<u64>(static_cast<u32>(s)) << 40) | index;
}

}  // namespace retailsynth::rng
