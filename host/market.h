// Market inputs of a week: base prices (PricingEngine), the promotion overlay and each
// store-week's promotion context (PromotionEngine), shelf prices and the marketing signal.
#pragma once
#include <vector>

#include "engine/campaigns.h"
#include "engine/promotion.h"
#include "engine/seasonality.h"
#include "week_inputs.h"

namespace retailsynth {

struct ProductWeek;

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
  std::vector<i32> build_store_row(i32 s, u32 week, const ProductWeek& pw, WeekInputs& out) const;
  void index_promotions(const std::vector<std::vector<i32>>& promoted, WeekInputs& out) const;

  const Config& cfg_;
  const Catalog& cat_;
  const Stores& stores_;
  Calendar calendar_;
  PricingEngine pricing_;
  Seasonality seasonality_;  // before promotions_, whose schedule can follow the season
  PromotionEngine promotions_;
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
