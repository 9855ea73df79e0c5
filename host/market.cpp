#include "market.h"

#include "retailsynth/math/fastmath.h"

namespace retailsynth {

Market::Market(const Config&, const Catalog& cat, const Stores& stores) : cat_(cat), stores_(stores) {}

void Market::build_week(u32 week, WeekInputs& out) const {
  const i32 S = stores_.size();
  const i64 P = cat_.n_products();
  out.week = week;
  out.n_stores = S;
  out.n_products = P;
  out.log_price.resize(static_cast<size_t>(S * P));
  out.shelf_cents.resize(static_cast<size_t>(S * P));
  out.base_cents.resize(static_cast<size_t>(S * P));
#pragma omp parallel for schedule(static)
  for (i32 s = 0; s < S; ++s) {
    const double index = stores_.price_index[s];
    for (i64 j = 0; j < P; ++j) {
      const i64 at = static_cast<i64>(s) * P + j;
      const u32 base = round_to_price_point_cents(static_cast<double>(cat_.base_price[j]) * index);
      out.base_cents[at] = base;
      out.shelf_cents[at] = base;
      out.log_price[at] = math::rs_log(static_cast<float>(base) * 0.01f);
    }
  }
}

}  // namespace retailsynth
