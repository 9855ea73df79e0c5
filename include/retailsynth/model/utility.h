// The utility of a product for a household (DESIGN §3.6), shared by both backends: the terms,
// their order of addition (part of the CPU == GPU contract) and the coupon rules.
#pragma once
#include "retailsynth/math/fastmath.h"
#include "retailsynth/model/views.h"

namespace retailsynth {

/// A household's coefficients, read once per week.
struct HouseholdCoefs {
  float beta_price, beta_quality, beta_promo, beta_display, beta_feature, beta_ref, loss_aversion, beta_loyal;
};

/// Reference-price term: (R - p) / R for a gain, loss_aversion times it for a loss (DESIGN §3.6).
RS_HD RS_FORCEINLINE float gain_loss(float ref_gain, float loss_aversion) {
  const float weight = ref_gain >= 0.0f ? 1.0f : loss_aversion;  // a select of constants vectorises
  return weight * ref_gain;                                      // 1 * x == x exactly
}

/// Utility of product j for the household in store s (DESIGN §3.6).  The household-independent
/// terms (popularity, quality saturation, price thresholds, discount perception, seasonality)
/// come precomputed in base_u.  The order of the additions is part of the contract: the CPU's
/// vectorised evaluation (host/cpu_backend.cpp) adds the same terms in the same order.
RS_HD RS_FORCEINLINE float dense_utility(float base_u, float quality, float log_price, float ref_gain,
                                         const HouseholdCoefs& c) {
  float u = base_u;
  u = u + c.beta_quality * quality;
  u = u + c.beta_price * log_price;
  u = u + c.beta_ref * gain_loss(ref_gain, c.loss_aversion);
  return u;
}
RS_HD RS_FORCEINLINE float add_promotion_terms(float u, const SimView& v, const HouseholdCoefs& c, i64 at) {
  const float d = v.week.depth[at];
  const u8 f = v.week.feature[at];
  const float n_features = static_cast<float>((f & 1u) + ((f >> 1) & 1u));
  u = u + c.beta_promo * (v.choice.promo_depth_scale * d);
  u = u + c.beta_display * v.choice.display_effect[v.week.display[at]];
  u = u + c.beta_feature * (v.choice.feature_scale * n_features);
  return u;
}

/// What a household brings to a category besides its coefficients: its last choice there and the
/// coupons it holds for the category's products (each product once; entry = index into the week's
/// coupon arrays).
struct CategoryExtras {
  i32 last;
  int n;
  i32 product[kMaxCouponsPerCategory];
  i32 entry[kMaxCouponsPerCategory];
};

/// The products of a category already bought on a trip (indices in the category), left out of the
/// next pick: further picks are without replacement.
struct Picks {
  int n;
  i32 index[kMaxPicks];
  RS_HD RS_FORCEINLINE bool has(i32 i) const {
    for (int p = 0; p < n; ++p)
      if (index[p] == i) return true;
    return false;
  }
};
/// The total of a pick's walk: the evaluation's sum less the weights of the products already
/// picked, subtracted in pick order (every evaluator computes the same weights, so the same total).
template <class Weight>
RS_HD RS_FORCEINLINE float total_without(float sum, const Picks& p, Weight weight) {
  for (int i = 0; i < p.n; ++i) sum = sum - weight(p.index[i]);
  return sum;
}

/// A coupon is honoured when it is worth at most half the shelf price (so the price paid stays
/// positive and the log term finite).
RS_HD RS_FORCEINLINE bool coupon_applies(u32 shelf_cents, u32 total_cents) { return 2u * total_cents <= shelf_cents; }

/// Utility of a coupon worth `total_cents` (manufacturer + retailer match) on a product at
/// shelf price p: the lower price through the household's price coefficient, plus the coupon's
/// own pull scaled like a promotion's depth.
RS_HD RS_FORCEINLINE float coupon_utility(const SimView& v, const HouseholdCoefs& c, i64 at, u32 total_cents) {
  const u32 shelf = v.week.shelf_cents[at];
  const float paid = static_cast<float>(shelf - total_cents) * 0.01f;
  const float frac = static_cast<float>(total_cents) / static_cast<float>(shelf);
  float du = c.beta_price * (math::rs_log(paid) - v.week.log_price[at]);
  du = du + c.beta_promo * (v.choice.coupon_scale * frac);
  return du;
}
RS_HD RS_FORCEINLINE u32 coupon_total(const SimView& v, i32 e) {
  return static_cast<u32>(v.week.coupon_cents[e]) + static_cast<u32>(v.week.coupon_match[e]);
}

/// Adds the coupon of product j (if the household holds one that applies in this store) to u.
/// The CPU's buffer evaluation adds the same term after the loyalty bonus, as here.
RS_HD RS_FORCEINLINE float add_coupon(float u, const SimView& v, const HouseholdCoefs& c, i64 at, i32 j,
                                      const CategoryExtras& x) {
  for (int i = 0; i < x.n; ++i) {
    if (x.product[i] != j) continue;
    const u32 t = coupon_total(v, x.entry[i]);
    if (coupon_applies(v.week.shelf_cents[at], t)) u = u + coupon_utility(v, c, at, t);
    break;
  }
  return u;
}

RS_HD RS_FORCEINLINE float product_utility(const SimView& v, const HouseholdCoefs& c, i32 s, i32 j,
                                           const CategoryExtras& x) {
  const i64 at = v.week.at(s, j);
  float u = dense_utility(v.week.base_u[at], v.cat.quality[j], v.week.log_price[at], v.week.ref_gain[at], c);
  if (v.week.depth[at] > 0.0f) u = add_promotion_terms(u, v, c, at);
  if (j == x.last) u = u + c.beta_loyal;
  if (x.n > 0) u = add_coupon(u, v, c, at, j, x);
  return u;
}
/// Without coupons: `last` is the household's last choice in the category (-1 none).
RS_HD RS_FORCEINLINE float product_utility(const SimView& v, const HouseholdCoefs& c, i32 s, i32 j, i32 last) {
  CategoryExtras x;
  x.last = last;
  x.n = 0;
  return product_utility(v, c, s, j, x);
}

}  // namespace retailsynth
