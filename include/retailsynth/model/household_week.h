// The per-household simulation of one week and the heterogeneity draw, shared by the CPU
// backend (OpenMP loop) and the CUDA kernels (a thread per household).  The backends differ
// only in the random-number factory (host Philox / cuRAND Philox, same words) and the sink
// that stores the records.
#pragma once
#include "retailsynth/math/choice.h"
#include "retailsynth/model/views.h"
#include "retailsynth/rng/streams.h"

namespace retailsynth {

/// Share of trips starting in each hour of the day, cumulative (hours 0..23).  A grocery
/// profile: nothing before 6, a late-afternoon peak (16-18h), tailing off to 23h.
RS_HD inline int sample_minute_of_day(float u) {
  constexpr float cdf[24] = {0.0f,   0.0f,   0.0f,   0.0f,   0.0f,   0.0f,   0.004f, 0.016f,
                             0.046f, 0.096f, 0.161f, 0.236f, 0.316f, 0.391f, 0.466f, 0.546f,
                             0.636f, 0.731f, 0.816f, 0.886f, 0.936f, 0.971f, 0.991f, 1.0f};
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

/// Draws household `global_index`'s parameters and home store (stream kHouseholdParams,
/// slot = parameter index; the home store uses slot kNumHouseholdParams).
template <class Rng>
RS_HD inline void sample_household(const HouseholdSpecView& spec, i64 global_index, const Rng& rng, float* params,
                                   i64 param_stride, i32* home_store) {
  for (int p = 0; p < kNumHouseholdParams; ++p) {
    auto g = rng.stream(static_cast<u64>(global_index), rng::offset(0, rng::Stream::kHouseholdParams, 0, p));
    params[p * param_stride] = sample(spec.params[p], g);
  }
  auto g = rng.stream(static_cast<u64>(global_index),
                      rng::offset(0, rng::Stream::kHouseholdParams, 0, kNumHouseholdParams));
  const float u = math::uniform01(g);
  i32 s = spec.n_stores - 1;
  for (i32 i = 0; i < spec.n_stores; ++i) {
    if (u < spec.store_cdf[i]) {
      s = i;
      break;
    }
  }
  *home_store = s;
}

/// Utility of product j for the household in store s (DESIGN §3.6; the terms later issues add
/// plug in here).
RS_HD RS_FORCEINLINE float product_utility(const SimView& v, float beta_price, float beta_quality, i32 s, i32 j) {
  const float q = v.cat.quality[j];
  const float quality_term = beta_quality * q - v.choice.quality_saturation * (q * q);
  return v.cat.alpha[j] + quality_term + beta_price * v.week.log_price[v.week.at(s, j)];
}

/// Simulates household h (index within the block) for v.week: trips, category incidence,
/// product choice and quantity.  Each trip is announced by `sink.trip(store)`; records go to
/// `sink.emit(Record)` in (trip, category) order.
/// Returns the number of trips.
template <class Rng, class Sink>
RS_HD inline int simulate_household_week(const SimView& v, i32 h, const Rng& rng, Sink& sink) {
  const u64 hh = static_cast<u64>(v.hh.first + h);
  const u32 week = v.week.week;
  const float trip_rate = v.hh.param(kTripRate, h);
  const float loyalty = v.hh.param(kStoreLoyalty, h);
  const float beta_price = v.hh.param(kBetaPrice, h);
  const float beta_quality = v.hh.param(kBetaQuality, h);
  const float basket_scale = v.hh.param(kBasketScale, h);
  const float qty_scale = v.hh.param(kQuantityScale, h);
  const i32 home = v.hh.home_store[h];
  const i32 n_stores = v.week.n_stores;

  auto tg = rng.stream(hh, rng::offset(week, rng::Stream::kTrips, 0, 0));
  int n_trips = math::poisson(tg, trip_rate);
  if (n_trips > v.choice.max_trips) n_trips = v.choice.max_trips;

  for (int trip = 0; trip < n_trips; ++trip) {
    auto sg = rng.stream(hh, rng::offset(week, rng::Stream::kTrips, trip + 1, 0));
    const float u_store = math::uniform01(sg);
    const float u_other = math::uniform01(sg);
    const float u_day = math::uniform01(sg);
    const float u_time = math::uniform01(sg);
    i32 store = home;
    if (n_stores > 1 && u_store >= loyalty) {
      i32 other = static_cast<i32>(u_other * static_cast<float>(n_stores - 1));
      if (other > n_stores - 2) other = n_stores - 2;
      store = other >= home ? other + 1 : other;
    }
    sink.trip(store);
    int day = static_cast<int>(u_day * 7.0f);
    day = day > 6 ? 6 : day;
    const int minute = sample_minute_of_day(u_time);

    for (i32 k = 0; k < v.cat.n_categories; ++k) {
      const i32 begin = v.cat.cat_begin[k];
      const i32 end = v.cat.cat_begin[k + 1];
      if (end <= begin) continue;
      math::OnlineLse lse;
      for (i32 j = begin; j < end; ++j) lse.add(product_utility(v, beta_price, beta_quality, store, j));
      const float iv = lse.value();
      const float logit =
          v.cat.cat_intercept[k] + basket_scale + v.choice.iv_coefficient * (iv - v.cat.cat_iv_ref[k]);

      auto bg = rng.stream(hh, rng::offset(week, rng::Stream::kBasket, trip, static_cast<u32>(k)));
      const float u_buy = math::uniform01(bg);
      if (!(u_buy < math::rs_sigmoid(logit))) continue;
      const float u_pick = math::uniform01(bg);
      const float m = lse.max;
      const int pick = math::sample_categorical(end - begin, lse.sum, u_pick, [&](int i) {
        return math::rs_exp(product_utility(v, beta_price, beta_quality, store, begin + i) - m);
      });
      if (pick < 0) continue;
      const i32 j = begin + pick;
      int qty = 1 + math::poisson(bg, qty_scale);
      if (qty > 65535) qty = 65535;
      const i64 at = v.week.at(store, j);
      Record r;
      r.product = static_cast<u32>(j);
      r.shelf_cents = v.week.shelf_cents[at];
      r.base_cents = v.week.base_cents[at];
      r.store = static_cast<u16>(store);
      r.quantity = static_cast<u16>(qty);
      r.trip = static_cast<u8>(trip);
      r.day = static_cast<u8>(day);
      r.minute = static_cast<u16>(minute);
      r.flags = 0;
      sink.emit(r);
    }
  }
  return n_trips;
}

}  // namespace retailsynth
