// Market inputs of a week: base prices (PricingEngine), the promotion overlay and each
// store-week's promotion context (PromotionEngine), shelf prices and the marketing signal.
#pragma once
#include <vector>

#include "engine/promotion.h"

namespace retailsynth {

/// Owning host buffers behind a WeekView, plus the store-week summaries.
struct WeekInputs {
  u32 week = 0;
  i32 n_stores = 0;
  i64 n_products = 0;
  std::vector<float> log_price;
  std::vector<u32> shelf_cents;
  std::vector<u32> base_cents;
  std::vector<float> depth;
  std::vector<u8> display;
  std::vector<u8> feature;
  std::vector<float> marketing;
  std::vector<StorePromoSummary> stores;
  WeekView view() const {
    return WeekView{week,         n_stores,      n_products,     log_price.data(), shelf_cents.data(), base_cents.data(),
                    depth.data(), display.data(), feature.data(), marketing.data()};
  }
};

class Market {
 public:
  Market(const Config& cfg, const Catalog& cat, const Stores& stores);
  /// Fills `out` for simulation week `week` (1-based).  A pure function of the seed and week.
  void build_week(u32 week, WeekInputs& out) const;

  const Calendar& calendar() const { return calendar_; }
  const PricingEngine& pricing() const { return pricing_; }
  const PromotionEngine& promotions() const { return promotions_; }

 private:
  const Catalog& cat_;
  const Stores& stores_;
  Calendar calendar_;
  PricingEngine pricing_;
  PromotionEngine promotions_;
};

}  // namespace retailsynth
