// The synthesised (or loaded) world: catalog and stores, owned on the host (DESIGN §3.1).
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "config.h"

namespace retailsynth {

struct Catalog {
  // Per product, sorted by category (category k owns [cat_begin[k], cat_begin[k+1])).
  std::vector<i64> product_id;
  std::vector<std::string> manufacturer;
  std::vector<u8> private_label;  // BRAND: 1 Private, 0 National
  std::vector<i32> category;
  std::vector<i32> subcategory;  // index into subcat_name
  std::vector<std::string> size;
  std::vector<float> base_price;  // p0 in dollars, before store index and rounding
  std::vector<float> alpha;       // popularity intercept a_j
  std::vector<float> quality;     // q_j in [0, 1]
  std::vector<u8> price_ending;   // last cent digit of its prices (9 in the synthetic world)
  std::vector<u8> deal;           // DealKind
  // Per category.
  std::vector<i32> cat_begin;
  std::vector<std::string> cat_name;
  std::vector<std::string> cat_department;
  std::vector<float> cat_intercept;  // gamma_k
  std::vector<float> cat_iv_ref;     // reference inclusive value
  std::vector<float> cat_quantity;   // multiplier of the extra units' Poisson mean (1: none)
  std::vector<float> cat_promo_share;  // promoted share of product-store-weeks; < 0: the config's draw
  std::vector<float> cat_depth_q;    // K x kDepthQuantiles discount depth quantiles; empty: the config's law
  std::vector<float> cat_size_response;  // r_k: a trip mission shifts k's incidence by its shift x r_k (1: none)
  std::vector<std::string> subcat_name;

  i32 n_products() const { return static_cast<i32>(product_id.size()); }
  i32 n_categories() const { return static_cast<i32>(cat_name.size()); }
  CatalogView view() const {
    return CatalogView{n_products(), n_categories(), cat_begin.data(), alpha.data(), quality.data(),
                       cat_intercept.data(), cat_iv_ref.data(), cat_quantity.data()};
  }
};

struct Stores {
  std::vector<i32> store_id;
  std::vector<std::string> type;
  std::vector<float> price_index;
  std::vector<float> traffic;  // share of home stores
  std::vector<float> cdf;      // cumulative traffic
  i32 size() const { return static_cast<i32>(store_id.size()); }
};

/// Rounds a price in dollars to the nearest price point whose last cent digit is `ending` (0..9;
/// 9: x.x9), at least 10 + ending cents.  Inline: the market calls it for every product-store-week.
inline u32 round_to_price_ending_cents(double dollars, u32 ending) {
  const double c = std::round(dollars * 100.0);
  const double e = static_cast<double>(ending);
  double pp = std::floor((c - e + 5.0) / 10.0) * 10.0 + e;
  if (pp < 10.0 + e) pp = 10.0 + e;
  if (pp > 4.0e9) pp = 4.0e9 - 1.0;
  return static_cast<u32>(pp);
}

/// The nearest price point ending in 9 cents (x.x9), at least 0.19.
inline u32 round_to_price_point_cents(double dollars) { return round_to_price_ending_cents(dollars, 9); }

/// How a product takes part in chain promotions.
enum DealKind : u8 { kDealNormal = 0, kDealNever = 1, kDealAlways = 2 };

/// The departments left out of a loaded catalog: not merchandise (fuel, coupons, store supplies).
bool is_non_merchandise_department(const std::string& department);
/// Categories that are not merchandise whatever their department: deposits, coupons, fuel and
/// propane exchange, calling cards, store supplies.
bool is_non_merchandise_category(const std::string& category);
/// Whether a product of this department and category is merchandise (in the choice set and in
/// the measures).
inline bool is_merchandise(const std::string& department, const std::string& category) {
  return !category.empty() && !is_non_merchandise_department(department) && !is_non_merchandise_category(category);
}

/// The real commodity list (department, commodity, sub-commodity, product count) that names
/// synthetic categories; built from configs/catalog/commodities.csv into the binary.
const char* builtin_commodities_csv();

Catalog synthesize_catalog(const Config& cfg);
/// Loads a TCJ product.csv or a CompleteJourney 2.0 products.csv (detected by header) and
/// synthesises what the file lacks (prices, quality, popularity).
Catalog load_catalog(const Config& cfg, const std::string& path);
/// The world of cfg.world.table (host/world_learned.cpp).
Catalog catalog_from_world_table(const Config& cfg);
/// world.table's catalog when set, else catalog.source's.
Catalog build_catalog(const Config& cfg);
Stores build_stores(const Config& cfg);

/// Fills cat_intercept and cat_iv_ref (shared by synthetic and loaded catalogs).
void finish_catalog(const Config& cfg, Catalog& cat);

}  // namespace retailsynth
