// Plain views (pointers + sizes) handed to both backends.  Owning host objects live in host/;
// the CUDA backend mirrors them in device buffers and passes the same views to its kernels.
#pragma once
#include "retailsynth/model/dist_spec.h"

namespace retailsynth {

/// Per-household parameters (DESIGN §3.5), one column each in truth/households.csv.  The index
/// is also the parameter's random-stream slot.
enum HouseholdParam : int {
  kTripRate = 0,      // base trips per week (Poisson rate before the marketing lift)
  kStoreLoyalty,      // probability that a trip goes to the home store
  kBetaPrice,         // coefficient on log shelf price
  kBetaQuality,       // coefficient on product quality
  kBasketScale,       // household shift of every category's incidence log-odds (gamma_i)
  kQuantityScale,     // Poisson mean of extra units per line at regular price
  kBetaPromo,         // coefficient on promo_depth_scale * depth
  kBetaDisplay,       // coefficient on the display effect
  kBetaFeature,       // coefficient on feature_scale * (in_ad + mailer)
  kBetaRef,           // coefficient on the reference-price gain/loss
  kLossAversion,      // losses weigh this many times a gain of the same size
  kPromoSensitivity,  // rho: trip rate x (1 + rho * M)
  kBetaLoyal,         // bonus for the household's last product in the category
  kStockpile,         // quantity elasticity to the discount: mean x (1 - d)^(-stockpile)
  kCouponPropensity,  // probability of taking up (clipping) a coupon the household is targeted with
  kVariety,           // after each product bought in a category on a trip, probability of another one
  kNumHouseholdParams
};

/// Random-stream slot of parameter p.  Slot 14 was the home store's before coupon_propensity was
/// added, so it stays the home store's and later parameters take the slots after it: adding a
/// parameter changes no earlier draw.
constexpr int kHomeStoreSlot = 14;
/// The slot of a household's secondary stores (after every parameter's).
constexpr int kStoreSetSlot = 40;
/// The slot of the run's demographic offset (DemographicsView::offset; household 0's stream).
constexpr int kDemographicSlot = 41;
/// Step of the Weyl sequence of the demographic profiles: 1 / golden ratio.
constexpr double kDemographicStep = 0.6180339887498949;
/// A household shops at its home store and up to this many secondary stores, drawn once.
constexpr int kMaxSecondaryStores = 3;
RS_HD constexpr int household_param_slot(int p) { return p < kHomeStoreSlot ? p : p + 1; }

inline constexpr const char* kHouseholdParamNames[kNumHouseholdParams] = {
    "trip_rate",    "store_loyalty", "beta_price", "beta_quality", "basket_scale",      "quantity_scale", "beta_promo",
    "beta_display", "beta_feature",  "beta_ref",   "loss_aversion", "promo_sensitivity", "beta_loyal",     "stockpile",
    "coupon_propensity", "variety"};

/// Household demographic profiles (configs/demographics/, `learn-demographics`): each household
/// draws one by cdf; its income, size and children shift parameters and affinities
/// (docs/data-dictionary.md, Demographics).  The shifts are centred on the profiles' mean, so
/// the population's means stay where the distributions put them.  n = 0: no demographics.
struct DemographicsView {
  i32 n;
  // Household i takes v = frac(offset + i x kDemographicStep), a Weyl sequence (the offset from
  // the seed): hh_demographic.csv shows it when v < shown_share, and its profile is at
  // u = v / shown_share (shown) or (v - shown_share) / (1 - shown_share) (not shown) of the cdf.
  // So every range of households (a block, a shard), and the shown ones alone, have the
  // profiles' shares within a few households.
  double offset;
  double shown_share;
  const float* cdf;         // n cumulative shares, last 1
  const float* log_income;  // log of the income band's midpoint, minus the mean
  const float* size;        // persons (5+ as 5), minus the mean
  const float* kids;        // 1 with children, else 0 (the real sample's ratios hardly grow with their number)
  float income_price;       // beta_price += income_price x log_income
  float size_basket;        // basket_scale += size_basket x size
  float size_quantity;      // quantity_scale x (1 + size_quantity x size), at least 0
  float kids_affinity;      // affinity of a category += kids_affinity x kids x kid_loading[k]
  const float* kid_loading;  // n_categories: 1 for the categories bought for children, else 0
};

/// Heterogeneity specification: one distribution per parameter, an optional correlation between
/// normal-family parameters (normal, lognormal: correlated on the underlying normal), and the
/// store choice weights.
struct HouseholdSpecView {
  DistSpec params[kNumHouseholdParams];
  u32 correlated_mask;                                 // bit p: parameter p uses chol
  float chol[kNumHouseholdParams * kNumHouseholdParams];  // lower-triangular Cholesky factor, row-major
  i32 n_stores;
  const float* store_cdf;  // n_stores cumulative traffic shares, last = 1
  // P(at most c secondary stores), c = 0 .. kMaxSecondaryStores (last 1); the secondary stores are
  // drawn by traffic share, without replacement, among the stores other than the home store.
  float secondary_count_cdf[kMaxSecondaryStores + 1];
  DemographicsView demographics;
  // Category affinity eta_ik (DESIGN §3.7): affinity_sd x N(0, 1) from stream kAffinity slot k,
  // plus the demographic profile's kids term.  0 and no profiles: every affinity 0.
  float affinity_sd;
};

/// A block of households in structure-of-arrays layout: params[p * n + h].
struct HouseholdView {
  i64 first;  // global index of the block's first household
  i32 n;
  const float* params;
  const i32* home_store;
  const i32* secondary;  // kMaxSecondaryStores x n: secondary store i of household h at [i * n + h], -1 none
  const i32* demographic;  // n: the household's demographic profile, -1 none
  // n_categories x n: category affinity (k, h) at HouseholdStateView::at(k, h), the state's layout.
  const float* affinity;
  RS_HD RS_FORCEINLINE float param(int p, i32 h) const { return params[static_cast<i64>(p) * n + h]; }
  RS_HD RS_FORCEINLINE i32 secondary_store(int i, i32 h) const { return secondary[static_cast<i64>(i) * n + h]; }
};

/// Dynamic household state, O(households x categories) (layout: at()).  `in` is the start of the
/// week, `out` the end; they may alias (each element is read before it is written).
struct HouseholdStateView {
  const float* inventory_in;  // units of category k at home
  float* inventory_out;
  const i32* last_in;  // last product bought in category k (catalog index), -1 none
  i32* last_out;
  // Per household ([h]): spending so far in cents (after coupons), and the campaigns it was
  // targeted by and took up (bit c = campaign c).
  const float* spend_in;
  float* spend_out;
  const u64* targeted_in;
  u64* targeted_out;
  const u64* activated_in;
  u64* activated_out;
  // Element (k, h) of inventory and last is at k * k_stride + h * h_stride: the GPU keeps them
  // category-major (k_stride = n, h_stride = 1: a warp reads one category coalesced), the CPU
  // household-major (k_stride = 1, h_stride = K: a household's categories in one run of memory).
  i64 k_stride, h_stride;
  RS_HD RS_FORCEINLINE i64 at(i32 k, i32 h) const { return k * k_stride + h * h_stride; }
};

/// Catalog: products sorted by category, category k owns [cat_begin[k], cat_begin[k+1]).
struct CatalogView {
  i32 n_products;
  i32 n_categories;
  const i32* cat_begin;        // n_categories + 1
  const float* alpha;          // popularity intercept a_j
  const float* quality;        // q_j in [0, 1]
  const float* cat_intercept;  // gamma_k: incidence log-odds at the reference inclusive value
  const float* cat_iv_ref;     // reference inclusive value of category k
  const float* cat_quantity;   // multiplier of category k's extra units (purchase)
};

/// Trip missions: probabilities and each mission's shift of every category's incidence logit.
constexpr int kMaxMissions = 8;
struct MissionView {
  i32 n;
  float cdf[kMaxMissions];
  float variety[kMaxMissions];  // multiplier of the household's variety tendency on the mission's trips
  const float* shift;  // n x n_categories
};

/// Extrema of the household-independent utility inputs over one group of a store-category's
/// products in one week: group 0 the products not on promotion, group 1 the promoted ones.  With
/// a household's coefficients they bound every product's utility from above (incidence_bound.h).
/// The promotion terms' ranges are of the values the utility multiplies by the household's
/// coefficients: promo_depth_scale * depth, display_effect[type], feature_scale * (in_ad + mailer).
/// Stored field by field (structure of arrays, so a pass over categories reads them in order):
/// field f of group g for store s and category k is at ((s * 2 + g) * kBoundFields + f) * K + k.
enum BoundField : int {
  kBaseUMax = 0,
  kQualityMin, kQualityMax,
  kLogPriceMin, kLogPriceMax,
  kRefGainMin, kRefGainMax,
  kPromoMin, kPromoMax,      // promoted group
  kDisplayMin, kDisplayMax,  // promoted group
  kFeatureMin, kFeatureMax,  // promoted group
  kCount,                    // n, products in the group; -1: a non-finite input, never bound
  kBoundFields
};
struct GroupExtrema {
  float base_u_max;
  float quality_min, quality_max;
  float log_price_min, log_price_max;
  float ref_gain_min, ref_gain_max;
  float promo_min, promo_max;
  float display_min, display_max;
  float feature_min, feature_max;
  float n;
};
static_assert(sizeof(GroupExtrema) == kBoundFields * sizeof(float), "GroupExtrema mirrors BoundField");

/// Market inputs of one week, per store and product (index s*P + j): prices, the
/// household-independent part of utility, reference prices and the store-week promotion context
/// (StorePromoContext as structure-of-arrays).
struct WeekView {
  u32 week;  // 1-based simulation week
  i32 n_stores;
  i64 n_products;
  const float* log_price;   // log of the shelf price in dollars
  const float* base_u;      // a_j - kappa q^2 + threshold(p) + perception(d) + log(product / category season)
  const float* ref_gain;    // (R - p) / R with R the reference price
  const u32* shelf_cents;   // shelf price paid
  const u32* base_cents;    // regular (base) price
  const float* depth;       // promotion depth, 0 when not promoted
  const u8* display;        // DisplayType: 0 none, 1 shelf_tag, 2 end_cap, 3 feature_display
  const u8* feature;        // bit 0 in_ad, bit 1 mailer
  const float* marketing;   // M[s] of this week, per store
  const float* cat_season;  // log seasonal index of each category this week (added to incidence)
  float traffic_season;     // trip-rate multiplier of the week (1 = none)
  // Coupons of the campaigns running this week, by category: entries coupon_begin[k] ..
  // coupon_begin[k + 1], ordered by (product, campaign).
  const i32* coupon_begin;     // n_categories + 1
  const i32* coupon_product;   // catalog index
  const u8* coupon_campaign;   // campaign index (bit in the household's masks)
  const u16* coupon_cents;     // manufacturer's coupon value (COUPON_DISC)
  const u16* coupon_match;     // the retailer's match (COUPON_MATCH_DISC)
  const u64* coupon_mask;      // per category: bit c when campaign c has coupons in it this week
  const float* bounds;  // GroupExtrema per store, group and category (BoundField layout), for the exact skip
  RS_HD RS_FORCEINLINE i64 at(i32 s, i64 j) const { return static_cast<i64>(s) * n_products + j; }
};

/// Targeted coupon campaigns (fixed for a run).  A household is considered for campaign c in its
/// start week: it is targeted when its parameter `param` lies in [param_min, param_max], its mean
/// weekly spending so far is at least min_weekly_cents and a uniform draw falls below `share`;
/// a targeted household takes the coupons up with probability coupon_propensity.
constexpr int kMaxCampaigns = 64;
constexpr int kMaxCouponsPerCategory = 8;  // coupons a household holds in one category at once
constexpr int kMaxPicks = 4;               // products of one category bought on one trip
struct CampaignRule {
  u32 start_week, end_week;  // simulation weeks, inclusive
  u32 slot;                  // random-stream slot, from the campaign's name (so adding or removing
                             // another campaign moves none of this one's draws)
  float share;
  i32 param;  // HouseholdParam, -1 none
  float param_min, param_max;
  float min_weekly_cents;
};
struct CampaignView {
  i32 n;
  const CampaignRule* rules;
};

/// When in the week and the day trips happen (learned: configs/calendar/, `learn-calendar`).  Day d
/// of a week is DAY (week - 1) * 7 + d + 1; DAY 1 is a Sunday, so d = 0 is Sunday and d = 6 Saturday
/// (docs/data-dictionary.md).  learned = 0: every day alike and one fixed hour curve (the model
/// before the profiles; the CDFs are then unused).
constexpr int kDayTypes = 2;  // 0 weekday (Monday-Friday), 1 weekend (Saturday, Sunday)
struct TripTimeProfile {
  i32 learned;
  float day_cdf[7];                // cumulative share of trips by day of week, last = 1
  float hour_cdf[kDayTypes][24];   // cumulative share of trips by hour of day, per day type, last = 1
  u8 day_type[7];                  // the day type of each day of week
};

/// Scalar choice-model settings.
struct ChoiceParams {
  float iv_coefficient;     // mu: weight of the inclusive value in category incidence
  i32 max_trips;            // trips per household-week are capped here (<= rng::kMaxTrips)
  float promo_depth_scale;  // beta_promo multiplies promo_depth_scale * depth
  float display_effect[4];  // effect(display type), none < shelf_tag < end_cap < feature_display
  float feature_scale;      // beta_feature multiplies feature_scale * (in_ad + mailer)
  float coupon_scale;       // a coupon worth c on shelf price p adds beta_promo * coupon_scale * c / p
  float inventory_weight;   // omega: incidence logit falls by omega per unit at home
  float inventory_decay;    // share of the inventory consumed each week
  i32 exact_skip;           // 1: skip the categories whose incidence bound cannot reach u_buy
  // A trip away from the home store goes to a store outside the household's set with probability
  // away_outside, else to secondary store i with probability proportional to secondary_weight[i].
  float away_outside;
  float secondary_weight[kMaxSecondaryStores];
  // 1: a category's seasonal index multiplies each trip's buy probability (capped; the share of
  // lines follows the index); 0: its log is added to the incidence logit (odds x index).
  i32 season_share;
  TripTimeProfile trip_time;  // day of week and hour of day of trips
};

/// One purchase line, before ids and money are formatted.  32 bytes.
struct Record {
  u32 product;      // catalog index
  u32 shelf_cents;  // unit price paid
  u32 base_cents;   // unit regular price
  u16 store;        // store index
  u16 quantity;
  u8 trip;          // trip number within the household-week
  u8 day;           // day of week 0..6
  u16 minute;       // minute of day 0..1439
  u8 mission;       // the trip's mission
  u8 display;       // display type of the product in that store-week
  u8 feature;       // in_ad / mailer bits
  u8 depth_pct;     // promotion depth in percent
  u16 coupon_cents;  // manufacturer coupon redeemed on the line (0 none)
  u16 match_cents;   // the retailer's match of it
  u8 campaign;       // campaign of the coupon (kNoCampaign: none)
  u8 pad[3];
};
constexpr u8 kNoCampaign = 0xFF;
static_assert(sizeof(Record) == 32, "Record layout is part of the device interface");

struct SimView {
  CatalogView cat;
  WeekView week;
  HouseholdView hh;
  HouseholdStateView state;
  MissionView missions;
  ChoiceParams choice;
  CampaignView campaigns;
};

}  // namespace retailsynth
