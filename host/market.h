// Market inputs of a week: base prices (PricingEngine), the promotion overlay and each
// store-week's promotion context (PromotionEngine), shelf prices and the marketing signal.
#pragma once
#include <vector>

#include "engine/campaigns.h"
#include "engine/promotion.h"
#include "engine/seasonality.h"

namespace retailsynth {

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
  // Extrema of the utility inputs per store, group and category (views.h: BoundField), for the
  // exact skip.
  std::vector<float> bounds;
  WeekView view() const {
    return WeekView{week,           n_stores,       n_products,   log_price.data(), base_u.data(),
                    ref_gain.data(), shelf_cents.data(), base_cents.data(), depth.data(), display.data(),
                    feature.data(), marketing.data(), cat_season.data(), traffic_season, coupon_begin.data(),
                    coupon_product.data(), coupon_campaign.data(), coupon_cents.data(), coupon_match.data(), bounds.data()};
  }
};

class Market {
 public:
  Market(const Config& cfg, const Catalog& cat, const Stores& stores);
  /// Fills `out` for simulation week `week` (1-based), all but the reference prices (ref_gain
  /// is set to 0).  A pure function of the seed and week.
  void build_week(u32 week, WeekInputs& out) const;

  const Calendar& calendar() const { return calendar_; }
  const Catalog& catalog() const { return cat_; }
  const PricingEngine& pricing() const { return pricing_; }
  const PromotionEngine& promotions() const { return promotions_; }
  const Seasonality& seasonality() const { return seasonality_; }
  const Campaigns& campaigns() const { return campaigns_; }

 private:
  const Config& cfg_;
  const Catalog& cat_;
  const Stores& stores_;
  Calendar calendar_;
  PricingEngine pricing_;
  PromotionEngine promotions_;
  Seasonality seasonality_;
  Campaigns campaigns_;
};

/// The extrema of every store-category's utility inputs in `w` (after its reference prices), group 0
/// the products off promotion, group 1 the promoted ones, into w.bounds (views.h: BoundField).
void build_category_bounds(const CatalogView& cat, const ChoiceParams& choice, WeekInputs& w);

/// Walks the weeks in order and adds the reference prices: R[s,j,t] is the EWMA of the shelf
/// prices of the last `reference_weeks` weeks with weight exp(-reference_decay * age); weeks
/// before the start count at week 1's base price.  Restart with reset() for another block.
class MarketCursor {
 public:
  MarketCursor(const Config& cfg, const Market& market);
  void reset();
  /// Builds the next week into `out`.
  void next(WeekInputs& out);
  u32 week() const { return week_; }

 private:
  const Market& market_;
  ChoiceParams choice_;
  std::vector<double> weights_;               // by age 1..L, normalised
  std::vector<std::vector<u32>> history_;     // ring of the last L weeks' shelf prices
  size_t head_ = 0;                           // slot of age 1
  u32 week_ = 0;
};

}  // namespace retailsynth
