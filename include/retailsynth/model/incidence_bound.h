// The exact skip (DESIGN §8): an upper bound on a category's incidence probability for one trip,
// from the week's extrema of the household-independent utility inputs (GroupExtrema, built on the
// host per store-category) and the household's own coefficients.  A household's u_buy for (week,
// trip, category) is drawn before anything is evaluated; when it is at or above the bound the
// category cannot be bought on that trip, so its products are not evaluated and nothing else is
// drawn: the output is the same bit for bit with and without the skip.
//
// Every step bounds the value the evaluation computes in float, not only the real number it
// approximates:
// - utilities: product_utility adds its terms in a fixed order; each term here is the largest it
//   takes over the group.  fl(a + b) is monotone in a and b, fl(c * x) in x for a fixed c, so the
//   bound rounds to a float at or above every product's utility.
// - inclusive value: log(n0 e^U0 + n1 e^U1 + one product's loyalty bonus), plus a margin for the
//   evaluation's own rounding (iv_margin).
// - the logit is the evaluation's own expression (incidence_logit) with the inclusive value's
//   bound and the start-of-week inventory (purchases only add to it; mu >= 0 and omega >= 0 are
//   enforced by the config), and the sigmoid is bounded with a factor for its rounding.
// No branch, so the CPU runs it vectorised over a trip's categories.
#pragma once
#include "retailsynth/math/choice.h"
#include "retailsynth/math/distributions.h"
#include "retailsynth/model/utility.h"
#include "retailsynth/rng/streams.h"

namespace retailsynth {

/// Group g (0 off promotion, 1 promoted) of store s, category k, from the week's BoundField arrays.
RS_HD RS_FORCEINLINE GroupExtrema group_extrema(const float* bounds, i32 K, i32 s, int g, i32 k) {
  const float* p = bounds + (static_cast<i64>(s) * 2 + g) * kBoundFields * static_cast<i64>(K) + k;
  const i64 n = K;
  return GroupExtrema{p[kBaseUMax * n],   p[kQualityMin * n], p[kQualityMax * n], p[kLogPriceMin * n],
                      p[kLogPriceMax * n], p[kRefGainMin * n], p[kRefGainMax * n], p[kPromoMin * n],
                      p[kPromoMax * n],    p[kDisplayMin * n], p[kDisplayMax * n], p[kFeatureMin * n],
                      p[kFeatureMax * n],  p[kCount * n]};
}

/// max of fl(c * x) over x in [lo, hi] (a float product is monotone in x for a fixed c).
RS_HD RS_FORCEINLINE float term_max(float c, float lo, float hi) {
  const float a = c * lo, b = c * hi;
  return a > b ? a : b;
}

/// Upper bound of the computed utility of every product in the group, before the loyalty bonus
/// and coupons; the promoted group adds the promotion terms, in add_promotion_terms' order.
RS_HD RS_FORCEINLINE float group_utility_bound(const GroupExtrema& g, bool promoted, const HouseholdCoefs& c) {
  float u = g.base_u_max;
  u = u + term_max(c.beta_quality, g.quality_min, g.quality_max);
  u = u + term_max(c.beta_price, g.log_price_min, g.log_price_max);
  // gain_loss is linear on each side of 0, so over [min, max] it lies between its values at the
  // two ends and 0, whatever the sign of the loss aversion.
  const float ga = gain_loss(g.ref_gain_min, c.loss_aversion), gb = gain_loss(g.ref_gain_max, c.loss_aversion);
  float gl_lo = ga < gb ? ga : gb, gl_hi = ga > gb ? ga : gb;
  gl_lo = gl_lo < 0.0f ? gl_lo : 0.0f;
  gl_hi = gl_hi > 0.0f ? gl_hi : 0.0f;
  u = u + term_max(c.beta_ref, gl_lo, gl_hi);
  if (!promoted) return u;
  u = u + term_max(c.beta_promo, g.promo_min, g.promo_max);
  u = u + term_max(c.beta_display, g.display_min, g.display_max);
  u = u + term_max(c.beta_feature, g.feature_min, g.feature_max);
  return u;
}

/// The margin an inclusive-value bound adds for the evaluation's own rounding.  The evaluation
/// can land above the exact log-sum-exp of its utilities: u_j - max rounds by 2^-24 relative
/// (terms below -80 are 0, so at most e^(80 2^-24) = 1 + 4.8e-6 on a term), rs_exp_lse by 2 ulp,
/// the lane sums of positive terms by d 2^-24 for a depth d of n/8 + 3 additions, rs_log by 2 ulp
/// and the final add by half an ulp; the bound's own arithmetic rounds by a few ulp of the
/// magnitudes it adds.  1e-4 + d 2^-22 + 2^-18 (|m| + |log s|) exceeds their sum several times.
RS_HD RS_FORCEINLINE float iv_margin(i32 n_products, float m, float log_s) {
  const float depth = static_cast<float>(n_products / math::kLseLanes + 4);
  const float am = m < 0.0f ? -m : m, al = log_s < 0.0f ? -log_s : log_s;
  return 1e-4f + depth * 2.384185791e-7f + (am + al) * 3.814697266e-6f;
}

/// Upper bound of rs_sigmoid(x) for every logit x at or below `logit_hi`.  rs_sigmoid and this
/// formula (e^-|x| by rs_exp_lse, then E/(1+E) or 1/(1+E)) are each within a few ulp of the
/// logistic function, which is monotone, so the factor 1 + 2^-12 covers both roundings.  Below
/// a logit of -80 rs_exp_lse gives 0 while rs_sigmoid stays positive (down to about e^-87), so
/// the bound never goes below 1e-34 (> e^-80): a u_buy of 0 is never skipped.
RS_HD RS_FORCEINLINE float sigmoid_bound(float logit_hi) {
  const float a = logit_hi < 0.0f ? -logit_hi : logit_hi;
  const float e = math::rs_exp_lse(-a);
  const float p = (logit_hi > 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e)) * 1.000244141f;
  return p > 1e-34f ? p : 1e-34f;
}

/// The most a seasonal index can lift a trip's buy probability to (seasonality.incidence: share).
constexpr float kSeasonShareCap = 0.999f;

/// logit(min(e^s sigmoid(l0), cap)): the buy probability of logit l0 times the seasonal index e^s,
/// so that a category's expected lines follow the index whatever the households' probabilities
/// (on the logit, e^s multiplies the odds: a household already likely to buy gains less, and the
/// category's volume moves by less than the index).  Monotone in l0, as the exact skip's bound
/// needs; branch-free (selects only), so the CPU's screen stays vectorised.  |s| < 80.
RS_HD RS_FORCEINLINE float season_share_logit(float l0, float s) {
  const float a = l0 < 0.0f ? -l0 : l0;
  const float e = math::rs_exp_lse(-a);
  const float p0 = l0 > 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
  float q = math::rs_exp_lse(s) * p0;
  q = q > kSeasonShareCap ? kSeasonShareCap : q;
  q = q < 1e-30f ? 1e-30f : q;
  return math::log_normal(q) - math::log_normal(1.0f - q);
}

/// The incidence logit of category k on a trip with the given mission (DESIGN §3.7); the
/// evaluation and its bounds use this one expression.  The seasonal log index s enters the logit
/// (season_share 0), or multiplies the probability with the inventory term divided by the index
/// (season_share 1; a category with s = 0 keeps the plain logit bit for bit).  Either way the
/// logit falls as the inventory grows, so the skip's bound at the start-of-week inventory holds.
RS_HD RS_FORCEINLINE float incidence_logit(const SimView& v, i32 k, float household_shift, int mission, float iv,
                                           float inventory) {
  const float s = v.week.cat_season[k];
  const float head = v.cat.cat_intercept[k] + household_shift + v.missions.shift[mission * v.cat.n_categories + k];
  const float iv_term = v.choice.iv_coefficient * (iv - v.cat.cat_iv_ref[k]);
  const float inv_term = v.choice.inventory_weight * inventory;
  const float on_logit = head + s + iv_term - inv_term;
  // On the probability the season scales the category's demand, so its use at home too: the
  // inventory counts in weeks of the season's demand (units / index), and a unit at home deters a
  // peak week's purchase less than an off-season one.
  const float on_share = season_share_logit(head + iv_term - inv_term * math::rs_exp_lse(-s), s);
  // Both computed and one selected: no branch, so the CPU's screen vectorises over categories.
  return (v.choice.season_share != 0) & (s != 0.0f) ? on_share : on_logit;
}

/// The household's part of category k's incidence logit: its basket_scale (gamma_i) plus its
/// affinity eta_ik (element sk = v.state.at(k, h); none without an affinity array).
RS_HD RS_FORCEINLINE float household_shift(const SimView& v, float basket_scale, i64 sk) {
  return v.hh.affinity ? basket_scale + v.hh.affinity[sk] : basket_scale;
}

/// What the skip needs of a household besides its coefficients, fixed for its week.
struct SkipHousehold {
  float loyal_extra;  // e^b - 1 for the loyalty bonus b > 0 (rounded up), else 0
};
RS_HD inline SkipHousehold skip_household(const HouseholdCoefs& c) {
  SkipHousehold k;
  k.loyal_extra = c.beta_loyal > 0.0f ? (math::rs_exp(c.beta_loyal) - 1.0f) * 1.000244141f : 0.0f;
  return k;
}

/// One store-category as the bounds see it: both groups' extrema and utility bounds.
struct CategoryBoundState {
  GroupExtrema g0, g1;
  float u0, u1, m;  // the groups' utility bounds (-inf when empty) and their maximum
  bool valid;       // every input finite and some product in the category
};
RS_HD RS_FORCEINLINE CategoryBoundState category_bound_state(const SimView& v, const HouseholdCoefs& c, i32 s, i32 k) {
  CategoryBoundState b;
  b.g0 = group_extrema(v.week.bounds, v.cat.n_categories, s, 0, k);
  b.g1 = group_extrema(v.week.bounds, v.cat.n_categories, s, 1, k);
  const float u0 = group_utility_bound(b.g0, false, c), u1 = group_utility_bound(b.g1, true, c);
  b.u0 = b.g0.n > 0.0f ? u0 : -math::kInf;
  b.u1 = b.g1.n > 0.0f ? u1 : -math::kInf;
  b.m = b.u0 > b.u1 ? b.u0 : b.u1;
  // Bitwise: no branch, so the CPU can run this over categories in vector registers.
  b.valid = (b.g0.n >= 0.0f) & (b.g1.n >= 0.0f) & (b.m < math::kInf) & (b.m > -math::kInf);
  return b;
}

/// The bound of the incidence probability (cannot_buy: true when u_buy is at or above it and the
/// bound is valid).  The inclusive value
/// is at most m + ln(n0 e^(U0-m) + n1 e^(U1-m) + (e^b - 1)) with m = max(U0, U1): the last term for
/// one product's loyalty bonus b > 0, which adds at most e^m (e^b - 1) to the sum (`loyal_extra`,
/// 0 when no product of the category can carry it).  rs_exp_lse flushes a group's term below
/// e^-80 to 0, at most n e^-80 next to the sum's 1 and more: far inside the margin.  Branch-free
/// (log_normal: s >= 1 when the bound is valid), so the CPU runs it vectorised over categories.
RS_HD RS_FORCEINLINE float incidence_bound(const SimView& v, const CategoryBoundState& b, i32 k, float household_shift,
                                            int mission, float inventory0, float loyal_extra) {
  const i32 n = v.cat.cat_begin[k + 1] - v.cat.cat_begin[k];
  float s = b.g0.n * math::rs_exp_lse(b.u0 - b.m) + b.g1.n * math::rs_exp_lse(b.u1 - b.m);
  s = s + loyal_extra;
  const float ls = math::log_normal(s);
  const float iv_hi = b.m + ls + iv_margin(n, b.m, ls);
  return sigmoid_bound(incidence_logit(v, k, household_shift, mission, iv_hi, inventory0));
}
RS_HD RS_FORCEINLINE bool cannot_buy(const SimView& v, const CategoryBoundState& b, i32 k, float household_shift,
                                     int mission, float inventory0, float loyal_extra, float u_buy) {
  return b.valid & (u_buy >= incidence_bound(v, b, k, household_shift, mission, inventory0, loyal_extra));
}

/// u_buy of (week, trip, category): the first word of the category's basket slot.
RS_HD RS_FORCEINLINE u64 basket_offset(u32 week, int trip, i32 k) {
  return rng::offset(week, rng::Stream::kBasket, static_cast<u32>(trip), static_cast<u32>(k));
}

/// The skip for one (trip, category) at a time (the GPU's threads and the CPU's
/// reference path); the CPU's vectorised screen computes the same for all categories of a trip.
struct ScalarScreen {
  template <class Rng>
  RS_HD RS_FORCEINLINE void begin_week(const SimView&, const HouseholdCoefs&, const SkipHousehold&, float, i32, u64, int,
                                       const i32*, const u8*, const Rng&) {}
  /// Draws u_buy; returns true when the bound rules the category out.
  template <class Rng>
  RS_HD RS_FORCEINLINE bool skip_category(const SimView& v, const HouseholdCoefs& c, const SkipHousehold& hk, i32 s, i32 k,
                                      int trip, int mission, float household_shift, float inventory0, bool loyal,
                                      u64 hh, const Rng& rng, float& u_buy) {
    auto g = rng.stream(hh, basket_offset(v.week.week, trip, k));
    u_buy = math::uniform01(g);
    return cannot_buy(v, category_bound_state(v, c, s, k), k, household_shift, mission, inventory0,
                      loyal ? hk.loyal_extra : 0.0f, u_buy);
  }
};

}  // namespace retailsynth
