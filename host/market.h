// Market inputs of a week (prices now; promotions and seasonality plug in here later).
#pragma once
#include <vector>

#include "world.h"

namespace retailsynth {

/// Owning host buffers behind a WeekView.
struct WeekInputs {
  u32 week = 0;
  i32 n_stores = 0;
  i64 n_products = 0;
  std::vector<float> log_price;
  std::vector<u32> shelf_cents;
  std::vector<u32> base_cents;
  WeekView view() const {
    return WeekView{week, n_stores, n_products, log_price.data(), shelf_cents.data(), base_cents.data()};
  }
};

class Market {
 public:
  Market(const Config& cfg, const Catalog& cat, const Stores& stores);
  /// Fills `out` for simulation week `week` (1-based).  Base price of product j in store s:
  /// round_pp(p0_j * index_s); the shelf price is the base price until promotions exist.
  void build_week(u32 week, WeekInputs& out) const;

 private:
  const Catalog& cat_;
  const Stores& stores_;
};

}  // namespace retailsynth
