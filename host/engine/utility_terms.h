// Household-independent utility terms, evaluated on the host into WeekView::base_u (DESIGN §3.6).
#pragma once
#include "config.h"

namespace retailsynth {

/// Left-digit bonus: `bonus` when the price lies just under 1, 2, 5, 10, 20 or 50 dollars
/// (within `window` of the threshold, e.g. 1.99 or 9.59 with window 0.05), else 0.
inline double price_threshold_term(double price, double bonus, double window) {
  bool under = false;  // no early exit: the market's loop over products stays branch-free
  for (double t : {1.0, 2.0, 5.0, 10.0, 20.0, 50.0}) under = under | ((price < t) & (price >= t * (1.0 - window)));
  return under ? bonus : 0.0;
}

/// Discount perception: a step of `bonus` once the depth reaches `threshold`.
inline double perception_term(double depth, double threshold, double bonus) {
  return depth > 0 && depth + 1e-9 >= threshold ? bonus : 0.0;
}

/// The popularity and quality-saturation part of base_utility (the same in every store).
inline double quality_utility(const Config& cfg, double alpha, double quality) {
  return alpha - cfg.utility.quality_saturation * quality * quality;
}

/// base_utility from its quality part: the price threshold and discount perception added.
inline double price_utility(const Config& cfg, double quality_part, double price, double depth) {
  const auto& u = cfg.utility;
  return quality_part + price_threshold_term(price, u.threshold_bonus, u.threshold_window) +
         perception_term(depth, u.perception_threshold, u.perception_bonus);
}

/// The household-independent part of a product's utility at a shelf price and depth.
inline double base_utility(const Config& cfg, double alpha, double quality, double price, double depth) {
  return price_utility(cfg, quality_utility(cfg, alpha, quality), price, depth);
}

}  // namespace retailsynth
