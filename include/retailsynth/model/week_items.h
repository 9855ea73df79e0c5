// A household-week split into independent work items, the shape the CUDA kernels run (and the
// cpu-items backend runs on the host to check it):
//   1. plan, per household: the week's campaign starts and trips, and for every category the
//      trips the exact skip does not rule out (a bit mask; plan_household_week);
//   2. items, one per (household, category) with a non-empty mask, in any order (the device
//      groups them by store and category): the category's trips with its own records and its
//      state element (simulate_item);
//   3. per household, the spending: the lines' amounts added in record order (week_spend).
// Categories interact within a household-week only through the spending, which nothing reads
// before the next week, so this gives simulate_household_week's records, state and spending bit
// for bit: the items' records joined in (household, category) order are its (category, trip)
// order, and the spending adds the same amounts in the same order.
#pragma once
#include "retailsynth/model/household_week.h"

namespace retailsynth {

/// One work item: household h (index in the block), category k, the trips to evaluate (bit t).
struct WorkItem {
  i32 h;
  i32 k;
  u32 trips;
};

/// The store of an item's first evaluated trip: its sort key is store x K + category, so items
/// that read the same store-category row run side by side.
RS_HD RS_FORCEINLINE u32 item_key(const Trips& t, const WorkItem& it, i32 n_categories) {
#ifdef __CUDA_ARCH__
  const int first = __ffs(static_cast<int>(it.trips)) - 1;
#else
  const int first = __builtin_ctz(it.trips);
#endif
  return static_cast<u32>(t.store[first]) * static_cast<u32>(n_categories) + static_cast<u32>(it.k);
}

/// Trips of category k (bit t: trip t) on which it is evaluated: every trip unless the exact
/// skip may apply, else those whose u_buy the incidence bound does not rule out (the decision
/// simulate_category makes, from the same start-of-week state).
template <class Rng>
RS_HD inline u32 category_trip_mask(const SimView& v, const HouseholdWeek& w, const Trips& t, i32 k, float keep,
                                    const Rng& rng) {
  const CategoryRun run = start_category(v, w, k, keep);
  if (run.end <= run.begin || t.n == 0) return 0;
  if (!run.may_skip) return (1u << t.n) - 1u;
  ScalarScreen screen;
  u32 mask = 0;
  for (int trip = 0; trip < t.n; ++trip) {
    float u_buy;
    if (!screen.skip_category(v, w.c, w.skip, t.store[trip], k, trip, t.mission[trip], run.shift, run.inventory0,
                              run.had_last || trip > 0, w.hh, rng, u_buy))
      mask |= 1u << trip;
  }
  return mask;
}

/// Step 1 for household h: campaigns starting this week (targeted_out / activated_out), the trips
/// (into t; each announced by sink.trip), and mask(k, trips) for every category.  Returns the
/// number of categories with a non-empty mask.
template <class Rng, class Sink, class MaskOut>
RS_HD inline int plan_household_week(const SimView& v, i32 h, const Rng& rng, Sink& sink, Trips& t, MaskOut&& mask) {
  HouseholdWeek w = household_week(v, h);
  start_campaigns(v, rng, w);
  draw_trips(v, w, rng, sink, t);
  v.state.targeted_out[h] = w.targeted;
  v.state.activated_out[h] = w.activated;
  const float keep = 1.0f - v.choice.inventory_decay;
  int n = 0;
  for (i32 k = 0; k < v.cat.n_categories; ++k) {
    const u32 m = t.n > 0 ? category_trip_mask(v, w, t, k, keep, rng) : 0u;
    mask(k, m);
    n += m != 0;
  }
  return n;
}

/// Step 2: item (h, k) over its trips, in trip order; records go to sink.emit in trip order and
/// the category's end-of-week state to the state view.  The household's campaign masks are the
/// plan's (activated_out).  Every other category of the household keeps carry_category's state.
template <class Rng, class Sink, class Eval>
RS_HD inline void simulate_item(const SimView& v, const Trips& t, const WorkItem& it, const Rng& rng, Sink& sink,
                                Eval& eval) {
  HouseholdWeek w = household_week(v, it.h);
  w.activated = v.state.activated_out[it.h];
  CategoryRun run = start_category(v, w, it.k, 1.0f - v.choice.inventory_decay);
  for (int trip = 0; trip < t.n; ++trip) {
    if (!((it.trips >> trip) & 1u)) continue;
    auto g = rng.stream(w.hh, basket_offset(v.week.week, trip, it.k));  // ScalarScreen's u_buy
    const float u_buy = math::uniform01(g);
    category_trip(v, w, t, trip, it.k, u_buy, run, rng, sink, eval);
  }
  finish_category(v, run);
}

/// Step 3: the household's spending after its week's records, in order.
RS_HD inline float week_spend(float spend, const Record* records, u32 n) {
  for (u32 i = 0; i < n; ++i) spend = spend + line_spend(records[i]);
  return spend;
}

// ---- eight lanes on one category -------------------------------------------------------------
// A category's evaluation split over kLseLanes lanes (threads of a warp on the device): lane l
// takes products begin + l, begin + l + 8, ..., the terms RecomputeEval adds into its acc[l] in the
// same order.  The lanes' maxima and sums are then combined across lanes: the maximum is exact in
// any order, and the sum by the butterfly lane_combine_sum, which adds ((a0+a1)+(a2+a3)) +
// ((a4+a5)+(a6+a7)), combine_lanes' order.  So the inclusive value is RecomputeEval's bit for bit.

/// Lane `lane`'s maximum utility (-inf when it has no product).
RS_HD inline float lane_max(const SimView& v, const HouseholdCoefs& c, i32 s, i32 k, const CategoryExtras& x, int lane) {
  float m = -math::kInf;
  for (i32 j = v.cat.cat_begin[k] + lane; j < v.cat.cat_begin[k + 1]; j += math::kLseLanes) {
    const float u = product_utility(v, c, s, j, x);
    m = u > m ? u : m;
  }
  return m;
}
/// Lane `lane`'s sum of exp(u_j - m), RecomputeEval's acc[lane].
RS_HD inline float lane_sum(const SimView& v, const HouseholdCoefs& c, i32 s, i32 k, const CategoryExtras& x, int lane,
                            float m) {
  float acc = 0.0f;
  for (i32 j = v.cat.cat_begin[k] + lane; j < v.cat.cat_begin[k + 1]; j += math::kLseLanes)
    acc = acc + math::rs_exp_lse(product_utility(v, c, s, j, x) - m);
  return acc;
}

/// The butterfly that combines the lanes' values: for d = 1, 2, 4 every lane combines its value
/// with lane (l ^ d)'s, which `xor_lane(a, d)` returns (__shfl_xor_sync on the device).  With
/// lane_sum_step every lane ends with combine_lanes of the eight values, with lane_max_step with
/// their maximum.
RS_HD RS_FORCEINLINE float lane_sum_step(float a, float b) { return a + b; }
RS_HD RS_FORCEINLINE float lane_max_step(float a, float b) { return b > a ? b : a; }
template <class Step, class XorLane>
RS_HD RS_FORCEINLINE float lane_butterfly(float a, Step step, XorLane xor_lane) {
  for (int d = 1; d < math::kLseLanes; d <<= 1) a = step(a, xor_lane(a, d));
  return a;
}
/// The same butterfly over the eight lanes' values held by one thread, step by step as the lanes
/// run it (the host's run of the device's combination); returns lane `lane`'s result.
template <class Step>
RS_HD inline float lanes_butterfly(const float* a, Step step, int lane = 0) {
  float cur[math::kLseLanes], next[math::kLseLanes];
  for (int l = 0; l < math::kLseLanes; ++l) cur[l] = a[l];
  for (int d = 1; d < math::kLseLanes; d <<= 1) {
    for (int l = 0; l < math::kLseLanes; ++l) next[l] = step(cur[l], cur[l ^ d]);
    for (int l = 0; l < math::kLseLanes; ++l) cur[l] = next[l];
  }
  return cur[lane];
}

/// sample_categorical's walk over n weights taken eight at a time: `chunk.load(base)` makes the
/// weights of indices base .. base + 7 available (each lane computes one on the device) and
/// `chunk.get(l)` returns that of base + l.  The same additions in the same order as
/// sample_categorical, so the same index.
template <class Chunk>
RS_HD inline int sample_categorical_chunked(int n, float total, float u, Chunk& chunk) {
  const float target = u * total;
  float acc = 0.0f;
  int last_positive = -1;
  for (int base = 0; base < n; base += math::kLseLanes) {
    chunk.load(base);
    const int m = n - base < math::kLseLanes ? n - base : math::kLseLanes;
    for (int l = 0; l < m; ++l) {
      const float w = chunk.get(l);
      if (w > 0.0f) {
        last_positive = base + l;
        acc = acc + w;
        if (acc > target) return base + l;
      }
    }
  }
  return last_positive;
}

/// The eight lanes' evaluation run by one thread, lane after lane, with the device's
/// combination (lanes_butterfly) and walk (sample_categorical_chunked): the host's run of what
/// the device's lane groups compute (cpu-items backend).
struct LanesInOneThread : ScalarScreen {
  float max = 0.0f, sum = 0.0f;
  RS_HD void evaluate(const SimView& v, const HouseholdCoefs& c, i32 s, i32 k, const CategoryExtras& x) {
    float a[math::kLseLanes];
    for (int l = 0; l < math::kLseLanes; ++l) a[l] = lane_max(v, c, s, k, x, l);
    max = lanes_butterfly(a, lane_max_step);
    for (int l = 0; l < math::kLseLanes; ++l) a[l] = lane_sum(v, c, s, k, x, l, max);
    sum = lanes_butterfly(a, lane_sum_step);
  }
  RS_HD int pick(const SimView& v, const HouseholdCoefs& c, i32 s, i32 k, const CategoryExtras& x, float u_pick,
                 const Picks& picked) const {
    struct Chunk {
      const SimView& v;
      const HouseholdCoefs& c;
      i32 s, begin, end;
      const CategoryExtras& x;
      const Picks& picked;
      float max, w[math::kLseLanes];
      RS_HD float weight(int i) const { return math::rs_exp_lse(product_utility(v, c, s, begin + i, x) - max); }
      RS_HD void load(int base) {
        for (int l = 0; l < math::kLseLanes; ++l) {
          const int i = base + l;
          w[l] = begin + i < end && !picked.has(i) ? weight(i) : 0.0f;
        }
      }
      RS_HD float get(int l) const { return w[l]; }
    } chunk{v, c, s, v.cat.cat_begin[k], v.cat.cat_begin[k + 1], x, picked, max, {}};
    const float total = total_without(sum, picked, [&](int i) { return chunk.weight(i); });
    return sample_categorical_chunked(chunk.end - chunk.begin, total, u_pick, chunk);
  }
};

}  // namespace retailsynth
