// The week's kernels (retailsynth/model/week_items.h's steps): plan a thread per household, work
// items eight lanes each, then the joins.  Thin: the model is in the shared headers.
#pragma once
#include "retailsynth/model/week_items.h"
#include "retailsynth/rng/philox.h"

namespace retailsynth::kernels {

constexpr int kThreads = 128;
constexpr int kItemsPerBlock = kThreads / math::kLseLanes;

/// The plan's sink: trips per store (integer atomics: order-free).
struct TripSink {
  u32* store_trips;
  __device__ RS_FORCEINLINE void trip(i32 s) { atomicAdd(store_trips + s, 1u); }
  __device__ RS_FORCEINLINE void evaluated(i32) {}
  __device__ RS_FORCEINLINE void emit(const Record&) {}
};

/// An item's records into its slots; all eight lanes count, lane 0 stores.
struct ItemSink {
  Record* base;
  bool store;
  u32 count;
  u64 pairs;
  __device__ RS_FORCEINLINE void emit(const Record& r) {
    if (store) base[count] = r;
    ++count;
  }
  __device__ RS_FORCEINLINE void evaluated(i32 n) { pairs += static_cast<u64>(n); }
  __device__ RS_FORCEINLINE void trip(i32) {}
};

/// A category evaluated by the eight lanes of an item's group (lane l: products l, l + 8, ...),
/// combined by shuffles within the group in the order week_items.h fixes.  Every lane of the group
/// runs the same control flow (it depends on the item only), so the shuffles are convergent.
struct LaneGroupEval : ScalarScreen {
  unsigned group;  // the group's lanes in the warp
  int lane;        // 0..7
  float max = 0.0f, sum = 0.0f;
  __device__ void evaluate(const SimView& v, const HouseholdCoefs& c, i32 s, i32 k, const CategoryExtras& x) {
    const unsigned g = group;
    const auto xor_lane = [g](float a, int d) { return __shfl_xor_sync(g, a, d, math::kLseLanes); };
    max = lane_butterfly(lane_max(v, c, s, k, x, lane), lane_max_step, xor_lane);
    sum = lane_butterfly(lane_sum(v, c, s, k, x, lane, max), lane_sum_step, xor_lane);
  }
  __device__ int pick(const SimView& v, const HouseholdCoefs& c, i32 s, i32 k, const CategoryExtras& x,
                      float u_pick, const Picks& picked) const {
    struct Chunk {
      const SimView& v;
      const HouseholdCoefs& c;
      const CategoryExtras& x;
      const Picks& picked;
      i32 s, begin, end;
      float max;
      unsigned group;
      int lane;
      float mine;
      __device__ float weight(int i) const { return math::rs_exp_lse(product_utility(v, c, s, begin + i, x) - max); }
      __device__ void load(int base) {
        const int i = base + lane;
        mine = begin + i < end && !picked.has(i) ? weight(i) : 0.0f;
      }
      __device__ float get(int l) const { return __shfl_sync(group, mine, l, math::kLseLanes); }
    } chunk{v, c, x, picked, s, v.cat.cat_begin[k], v.cat.cat_begin[k + 1], max, group, lane, 0.0f};
    const float total = total_without(sum, picked, [&](int i) { return chunk.weight(i); });
    return sample_categorical_chunked(chunk.end - chunk.begin, total, u_pick, chunk);
  }
};

__global__ void sample_households_kernel(HouseholdSpecView spec, rng::PhiloxRng rng, i64 first, i32 n, float* params,
                                         i32* home, i32* secondary, i32* demographic) {
  const i32 h = static_cast<i32>(blockIdx.x * blockDim.x + threadIdx.x);
  if (h >= n) return;
  sample_household(spec, first + h, rng, params + h, n, home + h, secondary + h, demographic + h);
}

/// A thread per (category, household), category-major like the state: the affinities.
__global__ void affinity_kernel(HouseholdSpecView spec, rng::PhiloxRng rng, i64 first, i32 n, i32 n_categories,
                                const i32* demographic, float* affinity) {
  const i64 i = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= static_cast<i64>(n_categories) * n) return;
  const i32 k = static_cast<i32>(i / n), h = static_cast<i32>(i % n);
  affinity[i] = sample_affinity(spec, first + h, demographic[h], rng, k);
}

/// Step 1, a thread per household: trips, campaign starts, category masks (k-major, coalesced),
/// every category's state carried (items overwrite theirs).
__global__ void plan_kernel(SimView v, rng::PhiloxRng rng, Trips* trips, u8* n_trips, u32* masks, u32* item_count,
                            u32* store_trips) {
  const i32 h = static_cast<i32>(blockIdx.x * blockDim.x + threadIdx.x);
  if (h >= v.hh.n) return;
  const i64 n = v.hh.n;
  TripSink sink{store_trips};
  Trips t;
  item_count[h] = static_cast<u32>(
      plan_household_week(v, h, rng, sink, t, [&](i32 k, u32 m) { masks[k * n + h] = m; }));
  trips[h] = t;
  n_trips[h] = static_cast<u8>(t.n);
  const float keep = 1.0f - v.choice.inventory_decay;
  for (i32 k = 0; k < v.cat.n_categories; ++k) carry_category(v, k, h, keep);
}

/// Step 2a, a thread per household: its items in category order from item_begin[h], their sort
/// keys, ids and slot counts.
__global__ void fill_items_kernel(i32 n, i32 K, const u32* masks, const u32* item_begin, const Trips* trips,
                                  WorkItem* items, u32* keys, u32* ids, u32* slot_count) {
  const i32 h = static_cast<i32>(blockIdx.x * blockDim.x + threadIdx.x);
  if (h >= n) return;
  u32 at = item_begin[h];
  for (i32 k = 0; k < K; ++k) {
    const u32 m = masks[static_cast<i64>(k) * n + h];
    if (m == 0) continue;
    const WorkItem it{h, k, m};
    items[at] = it;
    keys[at] = item_key(trips[h], it, K);
    ids[at] = at;
    slot_count[at] = static_cast<u32>(__popc(m)) * kMaxPicks;
    ++at;
  }
}

/// Step 2b, eight lanes per item, items in (store, category) order.
__global__ void __launch_bounds__(kThreads, 4) item_kernel(SimView v, rng::PhiloxRng rng, const Trips* trips, const WorkItem* items, const u32* order,
                            u32 n_items, const u32* slot_begin, Record* slots, u32* record_count, u64* pairs) {
  const u32 p = blockIdx.x * kItemsPerBlock + threadIdx.x / math::kLseLanes;
  if (p >= n_items) return;  // the whole group of eight leaves together
  const int lane = static_cast<int>(threadIdx.x % math::kLseLanes);
  const unsigned group = 0xFFu << (threadIdx.x % 32u / math::kLseLanes * math::kLseLanes);
  const u32 id = order[p];
  const WorkItem it = items[id];
  ItemSink sink{slots + slot_begin[id], lane == 0, 0, 0};
  LaneGroupEval eval;
  eval.group = group;
  eval.lane = lane;
  simulate_item(v, trips[it.h], it, rng, sink, eval);
  if (lane == 0) {
    record_count[id] = sink.count;
    pairs[id] = sink.pairs;
  }
}

/// Step 3a, a thread per item: its records from its slots to their place in the week.
__global__ void gather_kernel(u32 n_items, const u32* slot_begin, const u32* record_count, const u32* record_begin,
                              const Record* slots, Record* out) {
  const u32 i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n_items) return;
  for (u32 r = 0; r < record_count[i]; ++r) out[record_begin[i] + r] = slots[slot_begin[i] + r];
}

/// Step 3b, a thread per household (and one for the end): its records' offset and its spending.
__global__ void household_join_kernel(SimView v, const u32* item_begin, const u32* record_begin, const Record* records,
                                      u32* offsets) {
  const i32 h = static_cast<i32>(blockIdx.x * blockDim.x + threadIdx.x);
  if (h > v.hh.n) return;
  const u32 begin = record_begin[item_begin[h]];
  offsets[h] = begin;
  if (h == v.hh.n) return;
  const u32 end = record_begin[item_begin[h + 1]];
  v.state.spend_out[h] = week_spend(v.state.spend_in[h], records + begin, end - begin);
}

}  // namespace retailsynth::kernels
