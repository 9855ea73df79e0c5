// The parts of the catalog builder that the synthetic, loaded and learned worlds share
// (host/world.cpp, host/world_learned.cpp).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "retailsynth/rng/philox.h"
#include "retailsynth/rng/streams.h"
#include "world.h"

namespace retailsynth {

/// The world's stream `s` for item `index`, slot `slot` (week 0).
rng::PhiloxStream world_stream(const Config& cfg, rng::Stream s, u64 index, u32 slot);

/// A real commodity of configs/catalog/commodities.csv: its sub-commodities and product counts.
struct Commodity {
  std::string department, name;
  std::vector<std::string> subs;
  std::vector<double> sub_weight;
  double n_products = 0;
};
/// The merchandise commodities of the built-in list, in file order.
std::vector<Commodity> read_builtin_commodities();

/// Splits `total` items over weights, at least `min_each` each, largest remainders first.
std::vector<i32> apportion(const std::vector<double>& w, i64 total, i32 min_each);

/// A package size label for a product of `department` from a uniform draw.
const char* size_for(const std::string& department, float u);

/// Registers commodity c's sub-commodities in cat.subcat_name (once each, keyed by commodity and
/// name in `sub_index`); returns their indices and sets `wsum` to their total weight.
std::vector<i32> register_subcategories(const Commodity& c, std::map<std::string, i32>& sub_index, Catalog& cat, double& wsum);

/// Appends product i of category k: private label with probability private_label_share, a
/// sub-commodity of c by weight, a manufacturer of `department`'s pool (69 for private label) and a
/// size; returns the product's stream after those draws, for any the caller adds.
rng::PhiloxStream add_product(const Config& cfg, const Commodity& c, const std::string& department, const std::vector<i32>& subs,
                              double wsum, i32 k, i32 i, double private_label_share, Catalog& cat);

/// Prices, quality and popularity of products [begin, end) of category k: log base price = level +
/// Normal(0, log_sd) clamped to +-z_limit (+ log private_label_price_ratio for private label),
/// popularity Normal(0, popularity_sd), quality from the price rank inside the category with noise.
void product_attributes(const Config& cfg, Catalog& cat, i32 k, i32 begin, i32 end, float level, double log_sd,
                        double private_label_price_ratio, float z_limit);

}  // namespace retailsynth
