// Pricing engine: base prices only, no promotions (DESIGN §3.2).
//   p_base[s,j,t] = round_pp(p0_j * inflation(t) * cost_k(t) * index_s * regime_j(t))
#pragma once
#include <vector>

#include "world.h"

namespace retailsynth {

class PricingEngine {
 public:
  PricingEngine(const Config& cfg, const Catalog& cat, const Stores& stores);

  /// (1 + inflation_per_year)^((week - 1) / 52).
  double inflation(u32 week) const { return inflation_[week - 1]; }
  /// exp of category k's AR(1) log cost shock in `week`.
  double cost_factor(i32 k, u32 week) const { return cost_[static_cast<size_t>(k) * weeks_ + week - 1]; }
  /// Product j's price level in `week`: an integer in [-L, L]; the price factor is (1 + step)^level.
  int regime(i32 j, u32 week) const { return regime_[static_cast<size_t>(j) * weeks_ + week - 1]; }
  /// Chain price of product j in `week` before the store index and rounding, in dollars.
  double chain_price(i32 j, u32 week) const { return chain_[static_cast<size_t>(j) * weeks_ + week - 1]; }
  /// Base (regular) shelf price in cents.
  u32 base_cents(i32 s, i32 j, u32 week) const;
  /// The same from the product's chain price of that week (chain_price(j, week)); inline, the
  /// market calls it for every product-store-week.
  u32 base_cents(i32 s, i32 j, u32 week, double chain) const {
    double f = price_index_;
    if (!changes_.empty())
      for (i32 c = change_begin_[j]; c < change_begin_[j + 1]; ++c) {
        const Change& ch = changes_[c];
        if ((ch.store < 0 || ch.store == s) && week >= ch.from_week && week <= ch.to_week) f *= ch.multiplier;
      }
    return round_to_price_ending_cents(chain * stores_.price_index[s] * f, cat_.price_ending[j]);
  }
  u32 weeks() const { return weeks_; }
  /// Whether no policy price change applies: every base price is then
  /// round_to_price_ending_cents(chain * store price index * price_index(), the product's ending).
  bool no_price_changes() const { return changes_.empty(); }
  double price_index() const { return price_index_; }

 private:
  const Catalog& cat_;
  const Stores& stores_;
  u32 weeks_;
  double price_index_ = 1.0;  // policy: every base price times this
  // Policy price changes by product: change_begin_[j] .. change_begin_[j + 1] index changes_.
  struct Change {
    i32 store;  // -1: every store
    u32 from_week, to_week;
    double multiplier;
  };
  std::vector<i32> change_begin_;
  std::vector<Change> changes_;
  std::vector<double> inflation_;
  std::vector<float> cost_;     // K x W
  std::vector<int8_t> regime_;  // P x W
  std::vector<double> chain_;   // P x W
};

}  // namespace retailsynth
