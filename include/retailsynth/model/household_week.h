// The per-household simulation of one week and the heterogeneity draw, shared by the CPU
// backend (OpenMP loop over households) and the CUDA kernels (the same per-trip code split into
// work items, week_items.h).  The backends differ only in the evaluator of a category and the
// sink that stores the records.
#pragma once
#include "retailsynth/math/choice.h"
#include "retailsynth/model/demographic_draw.h"
#include "retailsynth/model/incidence_bound.h"
#include "retailsynth/model/utility.h"
#include "retailsynth/model/views.h"
#include "retailsynth/rng/streams.h"

namespace retailsynth {

/// Minute of day (0..1439) from a uniform u by `cdf`, the cumulative share of trips starting in
/// each hour (hours 0..23, cdf[23] = 1): the hour by inversion, the minute uniform within it.
RS_HD inline int sample_minute_of_day(const float* cdf, float u) {
  int hour = 23;
  for (int h = 0; h < 24; ++h) {
    if (u < cdf[h]) {
      hour = h;
      break;
    }
  }
  const float lo = hour == 0 ? 0.0f : cdf[hour - 1];
  const float frac = (u - lo) / (cdf[hour] - lo);
  int minute = static_cast<int>(frac * 60.0f);
  minute = minute < 0 ? 0 : (minute > 59 ? 59 : minute);
  return hour * 60 + minute;
}
/// The fixed hour curve (calendar.profile empty): nothing before 6, a late-afternoon peak
/// (16-18h), tailing off to 23h; the same every day.
RS_HD inline int sample_minute_of_day(float u) {
  constexpr float cdf[24] = {0.0f,   0.0f,   0.0f,   0.0f,   0.0f,   0.0f,   0.004f, 0.016f,
                             0.046f, 0.096f, 0.161f, 0.236f, 0.316f, 0.391f, 0.466f, 0.546f,
                             0.636f, 0.731f, 0.816f, 0.886f, 0.936f, 0.971f, 0.991f, 1.0f};
  return sample_minute_of_day(cdf, u);
}

/// Day of week (0 = Sunday .. 6 = Saturday) and minute of day of a trip from its two uniforms:
/// the learned profile (the day by its CDF, the hour by the CDF of the day's type, the minute
/// uniform within the hour), or every day alike and the fixed hour curve above.
RS_HD inline void sample_trip_time(const TripTimeProfile& p, float u_day, float u_time, u8& day, u16& minute) {
  int d = 6;
  if (p.learned) {
    for (int i = 0; i < 7; ++i) {
      if (u_day < p.day_cdf[i]) {
        d = i;
        break;
      }
    }
    minute = static_cast<u16>(sample_minute_of_day(p.hour_cdf[p.day_type[d]], u_time));
  } else {
    d = static_cast<int>(u_day * 7.0f);
    d = d > 6 ? 6 : d;
    minute = static_cast<u16>(sample_minute_of_day(u_time));
  }
  day = static_cast<u8>(d);
}

/// A store drawn by traffic share among those not in `taken` (n_taken of them), with u in [0, 1):
/// the walk over the remaining shares in store order.
RS_HD inline i32 draw_store_excluding(const HouseholdSpecView& spec, const i32* taken, int n_taken, float u) {
  const auto share = [&](i32 s) { return spec.store_cdf[s] - (s > 0 ? spec.store_cdf[s - 1] : 0.0f); };
  const auto is_taken = [&](i32 s) {
    for (int i = 0; i < n_taken; ++i)
      if (taken[i] == s) return true;
    return false;
  };
  float left = 1.0f;
  for (int i = 0; i < n_taken; ++i) left = left - share(taken[i]);
  const float target = u * left;
  float acc = 0.0f;
  i32 last = -1;
  for (i32 s = 0; s < spec.n_stores; ++s) {
    if (is_taken(s)) continue;
    last = s;
    acc = acc + share(s);
    if (acc > target) return s;
  }
  return last;  // rounding left the walk short: the last store not taken
}

/// The household's secondary stores (slot kStoreSetSlot): their number by secondary_count_cdf,
/// then each by traffic share among the stores not yet in the set; -1 fills the unused entries.
template <class Rng>
RS_HD inline void sample_store_set(const HouseholdSpecView& spec, i64 global_index, const Rng& rng, i32 home,
                                   i32* secondary, i64 stride) {
  auto g = rng.stream(static_cast<u64>(global_index), rng::offset(0, rng::Stream::kHouseholdParams, 0, kStoreSetSlot));
  const float u_count = math::uniform01(g);
  int n = kMaxSecondaryStores;
  for (int c = 0; c < kMaxSecondaryStores; ++c) {
    if (u_count < spec.secondary_count_cdf[c]) {
      n = c;
      break;
    }
  }
  if (n > spec.n_stores - 1) n = spec.n_stores - 1;
  i32 taken[kMaxSecondaryStores + 1] = {home, -1, -1, -1};
  for (int i = 0; i < kMaxSecondaryStores; ++i) {
    const float u = math::uniform01(g);  // drawn for every entry, so the count moves no store
    const i32 s = i < n ? draw_store_excluding(spec, taken, i + 1, u) : -1;
    taken[i + 1] = s;
    secondary[i * stride] = s;
  }
}

/// The household's demographic profile (DemographicsView: a Weyl sequence over the households;
/// -1 without profiles) and its ties: income shifts beta_price, size basket_scale and
/// quantity_scale, each clamped to the parameter's bounds (the kids' tie is in the affinity).
RS_HD inline i32 sample_demographic(const HouseholdSpecView& spec, i64 global_index, float* params, i64 param_stride) {
  const DemographicsView& d = spec.demographics;
  if (d.n <= 0) return -1;
  const float u = static_cast<float>(demographic_position(d, global_index));
  i32 p = d.n - 1;
  for (i32 i = 0; i < d.n; ++i) {
    if (u < d.cdf[i]) {
      p = i;
      break;
    }
  }
  const auto shift = [&](int param, float x) {
    const DistSpec& ds = spec.params[param];
    x = x < ds.lower ? ds.lower : (x > ds.upper ? ds.upper : x);
    params[param * param_stride] = x;
  };
  shift(kBetaPrice, params[kBetaPrice * param_stride] + d.income_price * d.log_income[p]);
  shift(kBasketScale, params[kBasketScale * param_stride] + d.size_basket * d.size[p]);
  const float q = 1.0f + d.size_quantity * d.size[p];
  shift(kQuantityScale, params[kQuantityScale * param_stride] * (q > 0.0f ? q : 0.0f));
  return p;
}

/// Household `global_index`'s affinity for category k (eta_ik): affinity_sd x a standard normal
/// of stream kAffinity slot k, plus kids_affinity x children for the categories bought for them.
template <class Rng>
RS_HD inline float sample_affinity(const HouseholdSpecView& spec, i64 global_index, i32 demographic, const Rng& rng,
                                   i32 k) {
  float a = 0.0f;
  if (spec.affinity_sd != 0.0f) {
    auto g = rng.stream(static_cast<u64>(global_index), rng::offset(0, rng::Stream::kAffinity, 0, static_cast<u32>(k)));
    a = spec.affinity_sd * math::normal01(g);
  }
  if (demographic >= 0)
    a = a + spec.demographics.kids_affinity * spec.demographics.kids[demographic] * spec.demographics.kid_loading[k];
  return a;
}

/// Draws household `global_index`'s parameters and home store.  Parameter p uses stream
/// kHouseholdParams slot p: an uncorrelated parameter is drawn by its distribution (truncation
/// by rejection); a correlated one takes one standard normal from its slot, mixes them through
/// the Cholesky factor and is clamped to its bounds.  The home store uses slot
/// kHomeStoreSlot; then the store set and the demographic profile (sample_demographic).
template <class Rng>
RS_HD inline void sample_household(const HouseholdSpecView& spec, i64 global_index, const Rng& rng, float* params,
                                   i64 param_stride, i32* home_store, i32* secondary, i32* demographic) {
  float eps[kNumHouseholdParams];
  for (int p = 0; p < kNumHouseholdParams; ++p) {
    auto g = rng.stream(static_cast<u64>(global_index),
                        rng::offset(0, rng::Stream::kHouseholdParams, 0, static_cast<u32>(household_param_slot(p))));
    if ((spec.correlated_mask >> p) & 1u) {
      eps[p] = math::normal01(g);
    } else {
      eps[p] = 0.0f;
      params[p * param_stride] = sample(spec.params[p], g);
    }
  }
  for (int p = 0; p < kNumHouseholdParams; ++p) {
    if (!((spec.correlated_mask >> p) & 1u)) continue;
    float z = 0.0f;
    for (int q = 0; q <= p; ++q) z = z + spec.chol[p * kNumHouseholdParams + q] * eps[q];
    const DistSpec& d = spec.params[p];
    float x = d.a + d.b * z;
    if (d.kind == DistKind::kLogNormal) x = math::rs_exp(x);
    x = x < d.lower ? d.lower : (x > d.upper ? d.upper : x);
    params[p * param_stride] = x;
  }
  auto g = rng.stream(static_cast<u64>(global_index),
                      rng::offset(0, rng::Stream::kHouseholdParams, 0, kHomeStoreSlot));
  const float u = math::uniform01(g);
  i32 s = spec.n_stores - 1;
  for (i32 i = 0; i < spec.n_stores; ++i) {
    if (u < spec.store_cdf[i]) {
      s = i;
      break;
    }
  }
  *home_store = s;
  sample_store_set(spec, global_index, rng, s, secondary, param_stride);
  *demographic = sample_demographic(spec, global_index, params, param_stride);
}

/// Evaluates a category's products for one trip without storing them (GPU threads): the
/// maximum utility, then the lane sums of exp(u - max); utilities are recomputed on demand.
struct RecomputeEval : ScalarScreen {
  float max = 0.0f, sum = 0.0f;
  RS_HD void evaluate(const SimView& v, const HouseholdCoefs& c, i32 s, i32 k, const CategoryExtras& x) {
    const i32 begin = v.cat.cat_begin[k], end = v.cat.cat_begin[k + 1];
    float m = -math::kInf;
    for (i32 j = begin; j < end; ++j) {
      const float u = product_utility(v, c, s, j, x);
      m = u > m ? u : m;
    }
    float acc[math::kLseLanes] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    i32 j = begin;
    for (; j + math::kLseLanes <= end; j += math::kLseLanes) {
#if defined(__CUDACC__)
#pragma unroll
#endif
      for (int l = 0; l < math::kLseLanes; ++l) acc[l] = acc[l] + math::rs_exp_lse(product_utility(v, c, s, j + l, x) - m);
    }
#if defined(__CUDACC__)
#pragma unroll
#endif
    for (int l = 0; l < math::kLseLanes; ++l)
      if (j + l < end) acc[l] = acc[l] + math::rs_exp_lse(product_utility(v, c, s, j + l, x) - m);
    max = m;
    sum = math::combine_lanes(acc);
  }
  /// exp(u_j - max), the product's term of the last evaluation.
  RS_HD RS_FORCEINLINE float weight(const SimView& v, const HouseholdCoefs& c, i32 s, i32 j,
                                    const CategoryExtras& x) const {
    return math::rs_exp_lse(product_utility(v, c, s, j, x) - max);
  }
  /// The product bought (index in the category) for u_pick among those not yet picked, or -1.
  RS_HD int pick(const SimView& v, const HouseholdCoefs& c, i32 s, i32 k, const CategoryExtras& x, float u_pick,
                 const Picks& picked) const {
    const i32 begin = v.cat.cat_begin[k];
    const auto w = [&](int i) { return weight(v, c, s, begin + i, x); };
    return math::sample_categorical(v.cat.cat_begin[k + 1] - begin, total_without(sum, picked, w), u_pick,
                                    [&](int i) { return picked.has(i) ? 0.0f : w(i); });
  }
};

/// The household's parameters that a week's choices read, once per week.
struct HouseholdWeek {
  u64 hh;  // global index: the random-stream subsequence
  i32 h;   // index in the block
  HouseholdCoefs c;
  float basket_scale, qty_scale, stockpile, variety;
  SkipHousehold skip;
  float spend;  // cents so far, after coupons
  u64 targeted, activated;  // campaign masks
};
RS_HD inline HouseholdWeek household_week(const SimView& v, i32 h) {
  HouseholdWeek w;
  w.hh = static_cast<u64>(v.hh.first + h);
  w.h = h;
  w.c.beta_price = v.hh.param(kBetaPrice, h);
  w.c.beta_quality = v.hh.param(kBetaQuality, h);
  w.c.beta_promo = v.hh.param(kBetaPromo, h);
  w.c.beta_display = v.hh.param(kBetaDisplay, h);
  w.c.beta_feature = v.hh.param(kBetaFeature, h);
  w.c.beta_ref = v.hh.param(kBetaRef, h);
  w.c.loss_aversion = v.hh.param(kLossAversion, h);
  w.c.beta_loyal = v.hh.param(kBetaLoyal, h);
  w.basket_scale = v.hh.param(kBasketScale, h);
  w.qty_scale = v.hh.param(kQuantityScale, h);
  w.stockpile = v.hh.param(kStockpile, h);
  w.variety = v.hh.param(kVariety, h);
  w.skip = skip_household(w.c);
  w.spend = v.state.spend_in[h];
  w.targeted = v.state.targeted_in[h];
  w.activated = v.state.activated_in[h];
  return w;
}

/// Campaigns starting this week: targeting rule, then take-up.  Both draws are made whatever the
/// rule says, from the campaign's own slot, so a rule change moves no other draw.
template <class Rng>
RS_HD inline void start_campaigns(const SimView& v, const Rng& rng, HouseholdWeek& w) {
  const u32 week = v.week.week;
  for (i32 cmp = 0; cmp < v.campaigns.n; ++cmp) {
    const CampaignRule& rule = v.campaigns.rules[cmp];
    if (rule.start_week != week) continue;
    auto g = rng.stream(w.hh, rng::offset(0, rng::Stream::kCoupons, 0, rule.slot));
    const float u_target = math::uniform01(g);
    const float u_take = math::uniform01(g);
    bool chosen = u_target < rule.share;
    if (rule.param >= 0) {
      const float x = v.hh.param(rule.param, w.h);
      chosen = chosen && x >= rule.param_min && x <= rule.param_max;
    }
    if (rule.min_weekly_cents > 0.0f)
      chosen = chosen && week > 1 && w.spend / static_cast<float>(week - 1) >= rule.min_weekly_cents;
    if (!chosen) continue;
    w.targeted |= u64{1} << cmp;
    if (u_take < v.hh.param(kCouponPropensity, w.h)) w.activated |= u64{1} << cmp;
  }
}

/// The week's trips: their number, and each trip's store, day, time and mission.
struct Trips {
  int n;
  i32 store[rng::kMaxTrips];
  u8 day[rng::kMaxTrips], mission[rng::kMaxTrips];
  u16 minute[rng::kMaxTrips];
};

/// The store of a trip away from the home store, from u in [0, 1): with probability away_outside
/// any other store alike (outside the set), else a secondary store by its weight, or the home
/// store itself for a household without one.  stores.set.outside = 1 gives the model without
/// store sets: every away trip to any other store alike.
RS_HD inline i32 away_store(const SimView& v, i32 h, i32 home, float u) {
  const i32 n_stores = v.week.n_stores;
  float total = 0.0f;
  int n = 0;
  for (int i = 0; i < kMaxSecondaryStores; ++i)
    if (v.hh.secondary_store(i, h) >= 0) total = total + v.choice.secondary_weight[i], ++n;
  const float outside = v.choice.away_outside;
  if (u < outside) {
    const float uo = u / outside;
    i32 other = static_cast<i32>(uo * static_cast<float>(n_stores - 1));
    if (other > n_stores - 2) other = n_stores - 2;
    return other >= home ? other + 1 : other;
  }
  if (n == 0) return home;
  const float target = (u - outside) / (1.0f - outside) * total;
  float acc = 0.0f;
  i32 s = home;
  for (int i = 0; i < kMaxSecondaryStores; ++i) {
    const i32 si = v.hh.secondary_store(i, h);
    if (si < 0) continue;
    s = si;
    acc = acc + v.choice.secondary_weight[i];
    if (acc > target) break;
  }
  return s;
}

/// Trips: Poisson(rate * season * (1 + rho * M[home store, t])); a trip goes to the home store
/// with probability store_loyalty, else away (away_store); each is announced by sink.trip(store).
/// Its day and time follow v.choice.trip_time (sample_trip_time).
template <class Rng, class Sink>
RS_HD inline void draw_trips(const SimView& v, const HouseholdWeek& w, const Rng& rng, Sink& sink, Trips& t) {
  const u32 week = v.week.week;
  const i32 home = v.hh.home_store[w.h];
  const i32 n_stores = v.week.n_stores;
  const float loyalty = v.hh.param(kStoreLoyalty, w.h);
  const float rate = v.hh.param(kTripRate, w.h) * v.week.traffic_season *
                     (1.0f + v.hh.param(kPromoSensitivity, w.h) * v.week.marketing[home]);
  auto tg = rng.stream(w.hh, rng::offset(week, rng::Stream::kTrips, 0, 0));
  t.n = math::poisson(tg, rate);
  if (t.n > v.choice.max_trips) t.n = v.choice.max_trips;
  for (int trip = 0; trip < t.n; ++trip) {
    auto sg = rng.stream(w.hh, rng::offset(week, rng::Stream::kTrips, trip + 1, 0));
    const float u_store = math::uniform01(sg);
    const float u_other = math::uniform01(sg);
    const float u_day = math::uniform01(sg);
    const float u_time = math::uniform01(sg);
    const float u_mission = math::uniform01(sg);
    const i32 s = n_stores > 1 && u_store >= loyalty ? away_store(v, w.h, home, u_other) : home;
    t.store[trip] = s;
    sink.trip(s);
    sample_trip_time(v.choice.trip_time, u_day, u_time, t.day[trip], t.minute[trip]);
    int m = v.missions.n - 1;
    for (int i = 0; i < v.missions.n; ++i) {
      if (u_mission < v.missions.cdf[i]) {
        m = i;
        break;
      }
    }
    t.mission[trip] = static_cast<u8>(m);
  }
}

/// The coupons the household holds in category k this week (entries sorted by product; one
/// coupon per product, the first campaign's).
RS_HD inline void held_coupons(const SimView& v, i32 k, u64 activated, CategoryExtras& x) {
  x.n = 0;
  if ((activated & v.week.coupon_mask[k]) == 0) return;
  for (i32 e = v.week.coupon_begin[k]; e < v.week.coupon_begin[k + 1]; ++e) {
    if (!((activated >> v.week.coupon_campaign[e]) & 1u)) continue;
    const i32 j = v.week.coupon_product[e];
    if (x.n > 0 && x.product[x.n - 1] == j) continue;
    if (x.n == kMaxCouponsPerCategory) break;
    x.product[x.n] = j;
    x.entry[x.n] = e;
    ++x.n;
  }
}

/// The purchase line of product j (category k) bought on `trip` in store s: quantity 1 + Poisson
/// with stockpiling, a deeper discount raising the mean by (1 - d)^(-stockpile), times the
/// category's quantity multiplier; the held coupon
/// redeemed when it applies.  `g` continues the category slot's draws.
template <class G>
RS_HD inline Record purchase(const SimView& v, const HouseholdWeek& w, const Trips& t, int trip, i32 s, i32 k, i32 j,
                             const CategoryExtras& x, G& g) {
  const i64 at = v.week.at(s, j);
  const float d = v.week.depth[at];
  const float base = d > 0.0f ? w.qty_scale * math::rs_exp(-w.stockpile * math::rs_log(1.0f - d)) : w.qty_scale;
  const float lambda = base * v.cat.cat_quantity[k];
  int qty = 1 + math::poisson(g, lambda);
  if (qty > 65535) qty = 65535;
  Record r;
  r.product = static_cast<u32>(j);
  r.shelf_cents = v.week.shelf_cents[at];
  r.base_cents = v.week.base_cents[at];
  r.store = static_cast<u16>(s);
  r.quantity = static_cast<u16>(qty);
  r.trip = static_cast<u8>(trip);
  r.day = t.day[trip];
  r.minute = t.minute[trip];
  r.mission = t.mission[trip];
  r.display = v.week.display[at];
  r.feature = v.week.feature[at];
  r.depth_pct = static_cast<u8>(d * 100.0f + 0.5f);
  r.coupon_cents = 0;
  r.match_cents = 0;
  r.campaign = kNoCampaign;
  r.pad[0] = r.pad[1] = r.pad[2] = 0;
  for (int i = 0; i < x.n; ++i) {  // redeem the coupon held for this product, once per line
    if (x.product[i] != j) continue;
    const i32 e = x.entry[i];
    if (coupon_applies(r.shelf_cents, coupon_total(v, e))) {
      r.coupon_cents = v.week.coupon_cents[e];
      r.match_cents = v.week.coupon_match[e];
      r.campaign = v.week.coupon_campaign[e];
    }
    break;
  }
  return r;
}

/// One category's state over a household-week: its inventory and last choice as the trips change
/// them, the coupons held, and what the exact skip reads of the start of the week.
struct CategoryRun {
  i64 sk;  // the state element (k, h)
  i32 begin, end;
  float inventory, inventory0;  // now, and at the start of the week (after the week's consumption)
  float shift;  // the household's part of the incidence logit: basket_scale + affinity (k, h)
  i32 last;
  bool had_last, may_skip;
  CategoryExtras x;
};
RS_HD inline CategoryRun start_category(const SimView& v, const HouseholdWeek& w, i32 k, float keep) {
  CategoryRun r;
  r.sk = v.state.at(k, w.h);
  r.begin = v.cat.cat_begin[k];
  r.end = v.cat.cat_begin[k + 1];
  r.inventory = v.state.inventory_in[r.sk] * keep;
  r.inventory0 = r.inventory;
  r.shift = household_shift(v, w.basket_scale, r.sk);
  r.last = v.state.last_in[r.sk];
  held_coupons(v, k, w.activated, r.x);
  // The exact skip decides from the start-of-week state: the inventory then, and whether the
  // household may hold a last choice here (it had one, or an earlier trip may have bought).
  r.had_last = r.last >= r.begin && r.last < r.end;
  r.may_skip = v.choice.exact_skip != 0 && r.x.n == 0;
  return r;
}
RS_HD RS_FORCEINLINE void finish_category(const SimView& v, const CategoryRun& r) {
  v.state.inventory_out[r.sk] = r.inventory;
  v.state.last_out[r.sk] = r.last;
}
/// A category without an evaluated trip: the week's consumption only.
RS_HD RS_FORCEINLINE void carry_category(const SimView& v, i32 k, i32 h, float keep) {
  const i64 sk = v.state.at(k, h);
  v.state.inventory_out[sk] = v.state.inventory_in[sk] * keep;
  v.state.last_out[sk] = v.state.last_in[sk];
}

/// Cents a line adds to the household's spending (after coupons).
RS_HD RS_FORCEINLINE float line_spend(const Record& r) {
  return static_cast<float>(static_cast<u32>(r.quantity) * r.shelf_cents - r.coupon_cents - r.match_cents);
}

/// Draws of extra pick m (1 ..) of a (trip, category) slot: a range of the slot that no other
/// draw reaches, so extra picks move none of the others (variety 0 gives the single-pick data).
RS_HD RS_FORCEINLINE u64 extra_pick_offset(int m) { return static_cast<u64>(m) << 24; }

/// Category k on one trip that the exact skip did not rule out: the inclusive value,
/// nested-logit incidence with the mission's shift and the inventory, the product (eval.pick) and
/// the purchase line; then, with the household's variety tendency each time, further products
/// without replacement (up to kMaxPicks), each its own line.  The inventory, last choice and
/// spending follow every line.
template <class Rng, class Sink, class Eval>
RS_HD inline void category_trip(const SimView& v, HouseholdWeek& w, const Trips& t, int trip, i32 k, float u_buy,
                                CategoryRun& run, const Rng& rng, Sink& sink, Eval& eval) {
  const i32 s = t.store[trip];
  sink.evaluated(run.end - run.begin);
  run.x.last = run.last;
  eval.evaluate(v, w.c, s, k, run.x);
  const float iv = eval.max + math::rs_log(eval.sum);
  const float logit = incidence_logit(v, k, run.shift, t.mission[trip], iv, run.inventory);
  if (!(u_buy < math::rs_sigmoid(logit))) return;
  const u64 slot = basket_offset(v.week.week, trip, k);
  auto bg = rng.stream(w.hh, slot + 1);  // the slot's draws after u_buy
  Picks picked;
  picked.n = 0;
  int pick = eval.pick(v, w.c, s, k, run.x, math::uniform01(bg), picked);
  for (int m = 1; pick >= 0; ++m) {
    const Record r = purchase(v, w, t, trip, s, k, run.begin + pick, run.x, bg);
    run.inventory = run.inventory + static_cast<float>(r.quantity);
    run.last = run.begin + pick;
    w.spend = w.spend + line_spend(r);
    sink.emit(r);
    picked.index[picked.n++] = pick;
    if (m == kMaxPicks) break;
    bg = rng.stream(w.hh, slot + extra_pick_offset(m));
    if (!(math::uniform01(bg) < w.variety * v.missions.variety[t.mission[trip]])) break;
    pick = eval.pick(v, w.c, s, k, run.x, math::uniform01(bg), picked);
  }
}

/// Category k over the week's trips: on each trip u_buy first, then (unless the exact skip
/// rules it out) category_trip; the inventory and last choice are stored at the end.
template <class Rng, class Sink, class Eval>
RS_HD inline void simulate_category(const SimView& v, HouseholdWeek& w, const Trips& t, i32 k, float keep,
                                    const Rng& rng, Sink& sink, Eval& eval) {
  CategoryRun run = start_category(v, w, k, keep);
  for (int trip = 0; trip < t.n && run.end > run.begin; ++trip) {
    float u_buy;
    const bool out_of_reach = eval.skip_category(v, w.c, w.skip, t.store[trip], k, trip, t.mission[trip], run.shift,
                                                 run.inventory0, run.had_last || trip > 0, w.hh, rng, u_buy);
    if (run.may_skip && out_of_reach) continue;
    category_trip(v, w, t, trip, k, u_buy, run, rng, sink, eval);
  }
  finish_category(v, run);
}

/// Simulates household h (index within the block) for v.week (DESIGN §3.7): campaigns starting
/// this week, trips lifted by the home store's marketing signal, then category by category
/// (simulate_category) the choices, with the inclusive values evaluated by `eval` (RecomputeEval
/// or the CPU's vectorised evaluator, which give identical results).  Each trip is announced by
/// `sink.trip(store)`; records go to `sink.emit(Record)` in (category, trip) order; each
/// evaluated category-trip is counted by `sink.evaluated(n)` (n products; the exact skip leaves
/// out the others).  A week without a trip only consumes inventory.  Returns the number of trips.
template <class Rng, class Sink, class Eval>
RS_HD inline int simulate_household_week(const SimView& v, i32 h, const Rng& rng, Sink& sink, Eval& eval) {
  HouseholdWeek w = household_week(v, h);
  start_campaigns(v, rng, w);
  Trips t;
  draw_trips(v, w, rng, sink, t);
  const float keep = 1.0f - v.choice.inventory_decay;
  if (t.n == 0) {
    for (i32 k = 0; k < v.cat.n_categories; ++k) carry_category(v, k, h, keep);
  } else {
    eval.begin_week(v, w.c, w.skip, w.basket_scale, h, w.hh, t.n, t.store, t.mission, rng);
    for (i32 k = 0; k < v.cat.n_categories; ++k) simulate_category(v, w, t, k, keep, rng, sink, eval);
  }
  v.state.spend_out[h] = w.spend;
  v.state.targeted_out[h] = w.targeted;
  v.state.activated_out[h] = w.activated;
  return t.n;
}

}  // namespace retailsynth
