// Plain views (pointers + sizes) handed to both backends.  Owning host objects live in host/;
// the CUDA backend mirrors them in device buffers and passes the same views to its kernels.
#pragma once
#include "retailsynth/model/dist_spec.h"

namespace retailsynth {

/// Per-household parameters, one column each in truth/households.csv.
enum HouseholdParam : int {
  kTripRate = 0,     // mean trips per week (Poisson rate)
  kStoreLoyalty,     // probability that a trip goes to the home store
  kBetaPrice,        // coefficient on log shelf price
  kBetaQuality,      // coefficient on product quality
  kBasketScale,      // household shift of every category's incidence log-odds (gamma_i)
  kQuantityScale,    // Poisson mean of extra units per line
  kNumHouseholdParams
};

inline constexpr const char* kHouseholdParamNames[kNumHouseholdParams] = {
    "trip_rate", "store_loyalty", "beta_price", "beta_quality", "basket_scale", "quantity_scale"};

/// Heterogeneity specification: one distribution per parameter, store choice weights.
struct HouseholdSpecView {
  DistSpec params[kNumHouseholdParams];
  i32 n_stores;
  const float* store_cdf;  // n_stores cumulative traffic shares, last = 1
};

/// A block of households in structure-of-arrays layout: params[p * n + h].
struct HouseholdView {
  i64 first;  // global index of the block's first household
  i32 n;
  const float* params;
  const i32* home_store;
  RS_HD RS_FORCEINLINE float param(int p, i32 h) const { return params[static_cast<i64>(p) * n + h]; }
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
};

/// Market inputs of one week, per store and product (index s*P + j): prices and the store-week
/// promotion context (StorePromoContext as structure-of-arrays).
struct WeekView {
  u32 week;  // 1-based simulation week
  i32 n_stores;
  i64 n_products;
  const float* log_price;   // log of the shelf price in dollars
  const u32* shelf_cents;   // shelf price paid
  const u32* base_cents;    // regular (base) price
  const float* depth;       // promotion depth, 0 when not promoted
  const u8* display;        // DisplayType: 0 none, 1 shelf_tag, 2 end_cap, 3 feature_display
  const u8* feature;        // bit 0 in_ad, bit 1 mailer
  const float* marketing;   // M[s] of this week, per store
  RS_HD RS_FORCEINLINE i64 at(i32 s, i64 j) const { return static_cast<i64>(s) * n_products + j; }
};

/// Scalar choice-model settings.
struct ChoiceParams {
  float iv_coefficient;      // mu: weight of the inclusive value in category incidence
  float quality_saturation;  // kappa in beta_quality*q - kappa*q^2
  i32 max_trips;             // trips per household-week are capped here (<= rng::kMaxTrips)
};

/// One purchase line, before ids and money are formatted.  24 bytes.
struct Record {
  u32 product;      // catalog index
  u32 shelf_cents;  // unit price paid
  u32 base_cents;   // unit regular price
  u16 store;        // store index
  u16 quantity;
  u8 trip;          // trip number within the household-week
  u8 day;           // day of week 0..6
  u16 minute;       // minute of day 0..1439
  u32 flags;        // reserved for promotion flags
};
static_assert(sizeof(Record) == 24, "Record layout is part of the device interface");

struct SimView {
  CatalogView cat;
  WeekView week;
  HouseholdView hh;
  ChoiceParams choice;
};

}  // namespace retailsynth
