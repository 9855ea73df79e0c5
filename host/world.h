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
  // Per category.
  std::vector<i32> cat_begin;
  std::vector<std::string> cat_name;
  std::vector<std::string> cat_department;
  std::vector<float> cat_intercept;  // gamma_k
  std::vector<float> cat_iv_ref;     // reference inclusive value
  std::vector<std::string> subcat_name;

  i32 n_products() const { return static_cast<i32>(product_id.size()); }
  i32 n_categories() const { return static_cast<i32>(cat_name.size()); }
  CatalogView view() const {
    return CatalogView{n_products(), n_categories(), cat_begin.data(), alpha.data(), quality.data(),
                       cat_intercept.data(), cat_iv_ref.data()};
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

/// Rounds a price in dollars to the nearest price point ending in 9 cents (x.x9), at least 0.19.
/// Inline: the market calls it for every product-store-week.
inline u32 round_to_price_point_cents(double dollars) {
  const double c = std::round(dollars * 100.0);
  double pp = std::floor((c - 9.0 + 5.0) / 10.0) * 10.0 + 9.0;
  if (pp < 19.0) pp = 19.0;
  if (pp > 4.0e9) pp = 4.0e9 - 1.0;
  return static_cast<u32>(pp);
}

/// The departments left out of a loaded catalog: not merchandise (fuel, coupons, store supplies).
bool is_non_merchandise_department(const std::string& department);

/// The real commodity list (department, commodity, sub-commodity, product count) that names
/// synthetic categories; built from configs/catalog/commodities.csv into the binary.
const char* builtin_commodities_csv();

Catalog synthesize_catalog(const Config& cfg);
/// Loads a TCJ product.csv or a CompleteJourney 2.0 products.csv (detected by header) and
/// synthesises what the file lacks (prices, quality, popularity).
Catalog load_catalog(const Config& cfg, const std::string& path);
Catalog build_catalog(const Config& cfg);
Stores build_stores(const Config& cfg);

/// Fills cat_intercept and cat_iv_ref (shared by synthetic and loaded catalogs).
void finish_catalog(const Config& cfg, Catalog& cat);

}  // namespace retailsynth
