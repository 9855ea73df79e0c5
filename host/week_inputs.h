// The plain inputs and outputs of one simulated week: the market of a week as host buffers
// (WeekInputs, viewed by the kernels as a WeekView) and the records a backend returns
// (WeekRecords).  No engine header: this is all the backends' interface needs of the market.
#pragma once
#include <vector>

#include "retailsynth/model/views.h"

namespace retailsynth {

/// Summary of one store-week's promotion context.
struct StorePromoSummary {
  i32 n_promoted = 0;
  double mean_depth = 0;
  i32 n_in_ad = 0, n_mailer = 0;
  std::vector<i32> end_caps;          // products on end caps
  std::vector<i32> feature_displays;  // products on feature displays
  float marketing = 0;                // M[s,t]
};

/// Owning host buffers behind a WeekView, plus the store-week summaries.
struct WeekInputs {
  u32 week = 0;
  i32 n_stores = 0;
  i64 n_products = 0;
  std::vector<float> log_price;
  std::vector<float> base_u;
  std::vector<float> ref_gain;
  std::vector<u32> shelf_cents;
  std::vector<u32> base_cents;
  std::vector<float> depth;
  std::vector<u8> display;
  std::vector<u8> feature;
  std::vector<float> marketing;
  std::vector<float> cat_season;  // log seasonal index per category
  std::vector<StorePromoSummary> stores;
  float traffic_season = 1.0f;
  // Promoted products of each store and category, for the CPU's sparse promotion pass:
  // promo_products[promo_begin[s * (K + 1) + k] .. promo_begin[s * (K + 1) + k + 1]) in order.
  std::vector<i32> promo_begin, promo_products;
  // Coupons of the campaigns running this week (WeekView's coupon arrays).
  std::vector<i32> coupon_begin, coupon_product;
  std::vector<u8> coupon_campaign;
  std::vector<u16> coupon_cents, coupon_match;
  std::vector<u64> coupon_mask;  // per category: bit c when campaign c has coupons in it this week
  // Extrema of the utility inputs per store, group and category (views.h: BoundField), for the
  // exact skip.
  std::vector<float> bounds;
  WeekView view() const {
    return WeekView{week,           n_stores,       n_products,   log_price.data(), base_u.data(),
                    ref_gain.data(), shelf_cents.data(), base_cents.data(), depth.data(), display.data(),
                    feature.data(), marketing.data(), cat_season.data(), traffic_season, coupon_begin.data(),
                    coupon_product.data(), coupon_campaign.data(), coupon_cents.data(), coupon_match.data(), coupon_mask.data(),
                    bounds.data()};
  }
};

/// One week's records of a block, grouped by household: household h owns
/// records[offsets[h] .. offsets[h+1]) in (trip, category) order.
struct WeekRecords {
  std::vector<Record> records;
  std::vector<u32> offsets;  // n + 1
  std::vector<u8> trips;     // trips per household
  std::vector<u32> store_trips;  // trips per store
  u64 evaluated_pairs = 0;       // household-product utilities evaluated (the exact skip leaves out the rest)
};

}  // namespace retailsynth
