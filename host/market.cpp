#include "market.h"

#include "retailsynth/math/fastmath.h"

namespace retailsynth {

Market::Market(const Config& cfg, const Catalog& cat, const Stores& stores)
    : cat_(cat),
      stores_(stores),
      calendar_(cfg),
      pricing_(cfg, cat, stores),
      promotions_(cfg, cat, stores, calendar_) {}

void Market::build_week(u32 week, WeekInputs& out) const {
  const i32 S = stores_.size();
  const i64 P = cat_.n_products();
  const size_t SP = static_cast<size_t>(S) * static_cast<size_t>(P);
  out.week = week;
  out.n_stores = S;
  out.n_products = P;
  out.log_price.resize(SP);
  out.shelf_cents.resize(SP);
  out.base_cents.resize(SP);
  out.depth.assign(SP, 0.0f);
  out.display.assign(SP, 0);
  out.feature.assign(SP, 0);
  out.marketing.assign(S, 0.0f);
  out.stores.resize(S);
  const auto& events = promotions_.events();
#pragma omp parallel for schedule(dynamic, 1)
  for (i32 s = 0; s < S; ++s) {
    const size_t row = static_cast<size_t>(s) * static_cast<size_t>(P);
    std::vector<i32> promoted;
    for (i32 j = 0; j < P; ++j) {
      const size_t at = row + static_cast<size_t>(j);
      const u32 base = pricing_.base_cents(s, j, week);
      u32 shelf = base;
      const i32 e = promotions_.active_event(j, week);
      if (e >= 0 && promotions_.participates(s, e)) {
        const PromoEvent& ev = events[e];
        const u32 promo = round_to_price_point_cents(base * 0.01 * (1.0 - ev.depth));
        if (promo < base) {  // a discount that rounds away on a very cheap item is no promotion
          shelf = promo;
          out.depth[at] = ev.depth;
          out.feature[at] = static_cast<u8>((ev.in_ad ? kInAd : 0) | (ev.mailer ? kMailer : 0));
          promoted.push_back(j);
        }
      }
      out.base_cents[at] = base;
      out.shelf_cents[at] = shelf;
      out.log_price[at] = math::rs_log(static_cast<float>(shelf) * 0.01f);
    }
    promotions_.allocate_store_week(s, week, promoted, out.depth.data() + row, out.display.data() + row,
                                    out.feature.data() + row, out.stores[s]);
    out.marketing[s] = out.stores[s].marketing;
  }
}

}  // namespace retailsynth
