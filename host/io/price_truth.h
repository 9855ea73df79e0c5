// truth/prices.csv: the chain price of every product-week, from which every product-store-week's
// regular price follows (docs/data-dictionary.md has the formula):
//   regular cents = round_pp(chain_price * price_index[store] * pricing.price_index * changes)
// and the shelf price is truth/promotions.csv's shelf_price where the product-store-week is
// promoted, else the regular price.
#pragma once
#include <string>

#include "engine/pricing.h"
#include "io/output.h"

namespace retailsynth {

inline constexpr const char* kPriceTruthHeader = "PRODUCT_ID,WEEK_NO,chain_price,regime_level";

/// Writes truth/prices.csv (.zst with `zstd`) into `dir`: one row per product and week, the chain
/// price in dollars as the shortest decimal that reads back to the same double, and the sticky
/// regime level (the price factor is (1 + pricing.regime_step)^level).
FileSummary write_price_truth(const std::string& dir, const Catalog& cat, const PricingEngine& pricing, bool zstd);

}  // namespace retailsynth
