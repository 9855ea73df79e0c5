#include "world.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <sstream>
#include <unordered_set>

#include "engine/utility_terms.h"
#include "io/csv.h"
#include "retailsynth/rng/philox.h"
#include "retailsynth/rng/streams.h"
#include "world_parts.h"

namespace retailsynth {

rng::PhiloxStream world_stream(const Config& cfg, rng::Stream s, u64 index, u32 slot) {
  return rng::PhiloxStream(cfg.seed, rng::world_subsequence(s, index), rng::offset(0, s, 0, slot));
}

std::vector<Commodity> read_builtin_commodities() {
  std::istringstream in(builtin_commodities_csv());
  std::string line;
  std::getline(in, line);  // header
  std::vector<Commodity> out;
  std::map<std::string, size_t> index;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split_csv_line(line);
    if (f.size() != 4 || !is_merchandise(f[0], f[1])) continue;
    auto it = index.find(f[1]);
    if (it == index.end()) {
      it = index.emplace(f[1], out.size()).first;
      out.push_back(Commodity{f[0], f[1], {}, {}, 0});
    }
    Commodity& c = out[it->second];
    const double n = std::stod(f[3]);
    c.subs.push_back(f[2]);
    c.sub_weight.push_back(n);
    c.n_products += n;
  }
  return out;
}

/// Splits `total` items over weights, at least `min_each` each, largest remainders first.
std::vector<i32> apportion(const std::vector<double>& w, i64 total, i32 min_each) {
  const size_t k = w.size();
  min_each = static_cast<i32>(std::max<i64>(1, std::min<i64>(min_each, total / static_cast<i64>(k))));
  std::vector<i32> n(k, min_each);
  i64 left = total - static_cast<i64>(k) * min_each;
  if (left <= 0) return n;
  const double sum = std::accumulate(w.begin(), w.end(), 0.0);
  std::vector<std::pair<double, size_t>> rem;
  i64 given = 0;
  for (size_t i = 0; i < k; ++i) {
    const double exact = left * w[i] / sum;
    const i64 fl = static_cast<i64>(std::floor(exact));
    n[i] += static_cast<i32>(fl);
    given += fl;
    rem.push_back({exact - fl, i});
  }
  std::stable_sort(rem.begin(), rem.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (i64 r = 0; r < left - given; ++r) n[rem[r % k].second] += 1;
  return n;
}

const char* size_for(const std::string& department, float u) {
  static const char* food[] = {"8 OZ", "12 OZ", "16 OZ", "24 OZ", "32 OZ", "1 LB", "2 LB", "64 OZ"};
  static const char* produce[] = {"1 LB", "2 LB", "3 LB", "5 LB", "1 CT", "6 CT"};
  static const char* other[] = {"1 CT", "2 CT", "4 OZ", "8 OZ", "12 CT", "24 CT"};
  if (department == "PRODUCE") return produce[static_cast<int>(u * 6) % 6];
  if (department == "DRUG GM" || department == "COSMETICS") return other[static_cast<int>(u * 6) % 6];
  return food[static_cast<int>(u * 8) % 8];
}

std::vector<i32> register_subcategories(const Commodity& c, std::map<std::string, i32>& sub_index, Catalog& cat, double& wsum) {
  std::vector<i32> subs;
  wsum = 0;
  for (size_t s = 0; s < c.subs.size(); ++s) {
    const auto it = sub_index.emplace(c.name + "\x1f" + c.subs[s], static_cast<i32>(cat.subcat_name.size())).first;
    if (it->second == static_cast<i32>(cat.subcat_name.size())) cat.subcat_name.push_back(c.subs[s]);
    subs.push_back(it->second);
    wsum += c.sub_weight[s];
  }
  return subs;
}

rng::PhiloxStream add_product(const Config& cfg, const Commodity& c, const std::string& department, const std::vector<i32>& subs,
                              double wsum, i32 k, i32 i, double private_label_share, Catalog& cat) {
  auto g = world_stream(cfg, rng::Stream::kCatalog, (static_cast<u64>(k) << 24) | static_cast<u64>(i), 2);
  const bool priv = math::uniform01(g) < private_label_share;
  const float u_sub = math::uniform01(g) * static_cast<float>(wsum);
  double acc = 0;
  i32 sub = subs.back();
  for (size_t s = 0; s < subs.size(); ++s) {
    acc += c.sub_weight[s];
    if (u_sub < acc) {
      sub = subs[s];
      break;
    }
  }
  // National brands come from a pool of manufacturers per department; private label is
  // manufacturer 69, as in the Complete Journey.
  const i32 n_makers = 12;
  const i32 dep_base = 100 + 100 * static_cast<i32>(fnv1a(department) % 97);
  const i32 maker = priv ? 69 : dep_base + static_cast<i32>(math::uniform01(g) * n_makers);
  cat.product_id.push_back(1000000 + static_cast<i64>(cat.product_id.size()) + 1);
  cat.manufacturer.push_back(std::to_string(maker));
  cat.private_label.push_back(priv ? 1 : 0);
  cat.category.push_back(k);
  cat.subcategory.push_back(sub);
  cat.size.push_back(size_for(department, math::uniform01(g)));
  return g;
}

void product_attributes(const Config& cfg, Catalog& cat, i32 k, i32 begin, i32 end, float level, double log_sd,
                        double private_label_price_ratio, float z_limit) {
  const auto& cc = cfg.catalog;
  for (i32 j = begin; j < end; ++j) {
    // Per product stream keyed by category and position, so a product's draws don't depend on
    // other categories' sizes.
    auto g = world_stream(cfg, rng::Stream::kCatalog, (static_cast<u64>(k) << 24) | static_cast<u64>(j - begin), 1);
    float logp = level + std::clamp(math::normal(g, 0.0f, static_cast<float>(log_sd)), -z_limit, z_limit);
    if (cat.private_label[j]) logp += static_cast<float>(std::log(private_label_price_ratio));
    cat.base_price[j] = std::exp(logp);
    cat.alpha[j] = math::normal(g, 0.0f, static_cast<float>(cc.popularity_sd));
    cat.quality[j] = math::uniform01(g);  // mixed with the price rank below
  }
  // Quality follows the price rank inside the category, with noise; private label a notch lower.
  std::vector<i32> order(end - begin);
  std::iota(order.begin(), order.end(), begin);
  std::stable_sort(order.begin(), order.end(), [&](i32 a, i32 b) { return cat.base_price[a] < cat.base_price[b]; });
  const double n = std::max(1, end - begin - 1);
  for (size_t r = 0; r < order.size(); ++r) {
    const i32 j = order[r];
    const double rank = (end - begin) > 1 ? r / n : 0.5;
    double q = cc.quality_price_link * rank + (1.0 - cc.quality_price_link) * cat.quality[j];
    if (cat.private_label[j]) q *= 0.85;
    cat.quality[j] = static_cast<float>(std::clamp(q, 0.0, 1.0));
  }
}

namespace {

/// Prices, quality and popularity of products [begin, end) of category k (synthetic or loaded):
/// the category's price level drawn around catalog.price_log_mean.
void synthesize_product_attributes(const Config& cfg, Catalog& cat, i32 k, i32 begin, i32 end) {
  const auto& cc = cfg.catalog;
  auto cg = world_stream(cfg, rng::Stream::kCatalog, static_cast<u64>(k), 0);
  const float level = math::normal(cg, static_cast<float>(cc.price_log_mean), static_cast<float>(cc.price_log_sd_category));
  product_attributes(cfg, cat, k, begin, end, level, cc.price_log_sd_product, cc.private_label_price_ratio, math::kInf);
}

}  // namespace

bool is_non_merchandise_department(const std::string& d) {
  static const std::unordered_set<std::string> kNon = {
      "MISCELLANEOUS",   "COUPON",         "FUEL",         "CNTRL/STORE SUP", "POSTAL CENTER", "CHARITABLE CONT",
      "PROD-WHS SALES",  "GM MERCH EXP",   "KIOSK-GAS",    "MISC SALES TRAN", "MISC. TRANS.",  "COUPON/MISC ITEMS"};
  return kNon.count(d) > 0;
}

bool is_non_merchandise_category(const std::string& c) {
  static const std::unordered_set<std::string> kNon = {
      "BOTTLE DEPOSITS", "COUPON",        "COUPON/MISC ITEMS", "COUPONS/STORE & MFG",         "FUEL",
      "PROPANE",         "DONATIONS",     "PROD SUPPLIES",     "LONG DISTANCE CALLING CARDS", "GIFT CARDS",
      "DELI SUPPLIES",   "MEAT SUPPLIES", "MISC SALES TRAN",   "CHARITABLE CONT"};
  return kNon.count(c) > 0;
}

Catalog synthesize_catalog(const Config& cfg) {
  const i32 K = cfg.scale.categories;
  const i32 P = cfg.scale.products;
  if (P < K) throw InputError("config: scale.products: must be >= scale.categories (" + std::to_string(K) + ")");
  auto commodities = read_builtin_commodities();
  // The K largest real commodities (by product count) name the categories; beyond the real
  // list, numbered categories copy the size profile of the real ones.
  std::stable_sort(commodities.begin(), commodities.end(),
                   [](const Commodity& a, const Commodity& b) { return a.n_products > b.n_products; });
  const size_t n_real = commodities.size();
  for (i32 k = static_cast<i32>(n_real); k < K; ++k) {
    Commodity c = commodities[k % n_real];
    c.name = "CATEGORY " + std::to_string(k + 1);
    c.subs = {"SUBCATEGORY " + std::to_string(k + 1)};
    c.sub_weight = {1.0};
    commodities.push_back(c);
  }
  commodities.resize(K);
  // Keep departments together, as in a real product table.
  std::stable_sort(commodities.begin(), commodities.end(), [](const Commodity& a, const Commodity& b) {
    return a.department != b.department ? a.department < b.department : a.name < b.name;
  });
  std::vector<double> w;
  for (const auto& c : commodities) w.push_back(c.n_products);
  const auto counts = apportion(w, P, cfg.catalog.min_products_per_category);

  Catalog cat;
  cat.cat_begin.push_back(0);
  std::map<std::string, i32> sub_index;
  for (i32 k = 0; k < K; ++k) {
    const Commodity& c = commodities[k];
    cat.cat_name.push_back(c.name);
    cat.cat_department.push_back(c.department);
    double wsum = 0;
    const std::vector<i32> subs = register_subcategories(c, sub_index, cat, wsum);
    const i32 begin = static_cast<i32>(cat.product_id.size());
    for (i32 i = 0; i < counts[k]; ++i)
      add_product(cfg, c, c.department, subs, wsum, k, i, cfg.catalog.private_label_share, cat);
    const i32 end = static_cast<i32>(cat.product_id.size());
    cat.cat_begin.push_back(end);
    cat.base_price.resize(end);
    cat.alpha.resize(end);
    cat.quality.resize(end);
    synthesize_product_attributes(cfg, cat, k, begin, end);
  }
  finish_catalog(cfg, cat);
  return cat;
}

Catalog load_catalog(const Config& cfg, const std::string& path) {
  const ProductTable t = read_product_table(path);
  // Group merchandise products by category name (sorted), keeping file order inside.
  std::map<std::string, std::vector<size_t>> by_cat;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    if (!is_merchandise(row.department, row.commodity)) continue;
    by_cat[row.commodity].push_back(r);
  }
  if (cfg.catalog.max_products > 0) {
    // Keep the first N merchandise products of the file, category grouping unchanged.
    std::vector<size_t> keep;
    for (auto& [name, rows] : by_cat) keep.insert(keep.end(), rows.begin(), rows.end());
    std::sort(keep.begin(), keep.end());
    if (keep.size() > static_cast<size_t>(cfg.catalog.max_products)) keep.resize(cfg.catalog.max_products);
    std::unordered_set<size_t> kept(keep.begin(), keep.end());
    for (auto it = by_cat.begin(); it != by_cat.end();) {
      auto& rows = it->second;
      rows.erase(std::remove_if(rows.begin(), rows.end(), [&](size_t r) { return !kept.count(r); }), rows.end());
      it = rows.empty() ? by_cat.erase(it) : std::next(it);
    }
  }
  if (by_cat.empty()) throw InputError(path + ": no merchandise products (every row lacks a category or is non-merchandise)");
  if (by_cat.size() > rng::kMaxSlots) throw InputError(path + ": more than 65535 categories");
  Catalog cat;
  cat.cat_begin.push_back(0);
  std::map<std::string, i32> sub_index;
  i32 k = 0;
  for (const auto& [name, rows] : by_cat) {
    std::map<std::string, int> dep_count;
    for (size_t r : rows) dep_count[t.rows[r].department]++;
    cat.cat_name.push_back(name);
    cat.cat_department.push_back(
        std::max_element(dep_count.begin(), dep_count.end(), [](auto& a, auto& b) { return a.second < b.second; })->first);
    const i32 begin = static_cast<i32>(cat.product_id.size());
    for (size_t r : rows) {
      const auto& row = t.rows[r];
      const std::string key = name + "\x1f" + row.sub_commodity;
      auto it = sub_index.find(key);
      if (it == sub_index.end()) {
        it = sub_index.emplace(key, static_cast<i32>(cat.subcat_name.size())).first;
        cat.subcat_name.push_back(row.sub_commodity);
      }
      cat.product_id.push_back(row.product_id);
      cat.manufacturer.push_back(row.manufacturer);
      cat.private_label.push_back(row.private_label ? 1 : 0);
      cat.category.push_back(k);
      cat.subcategory.push_back(it->second);
      cat.size.push_back(row.size);
    }
    const i32 end = static_cast<i32>(cat.product_id.size());
    cat.cat_begin.push_back(end);
    cat.base_price.resize(end);
    cat.alpha.resize(end);
    cat.quality.resize(end);
    synthesize_product_attributes(cfg, cat, k, begin, end);
    ++k;
  }
  finish_catalog(cfg, cat);
  return cat;
}

void finish_catalog(const Config& cfg, Catalog& cat) {
  const i32 K = cat.n_categories();
  const size_t P = static_cast<size_t>(cat.n_products());
  // What a synthetic or loaded catalog leaves unset: prices ending in 9, every product in the
  // promotion schedule, the config's quantities and promotion law, intercepts drawn.
  if (cat.price_ending.size() != P) cat.price_ending.assign(P, 9);
  if (cat.deal.size() != P) cat.deal.assign(P, kDealNormal);
  if (cat.cat_quantity.size() != static_cast<size_t>(K)) cat.cat_quantity.assign(K, 1.0f);
  if (cat.cat_size_response.size() != static_cast<size_t>(K)) cat.cat_size_response.assign(K, 1.0f);
  if (cat.cat_promo_share.size() != static_cast<size_t>(K)) cat.cat_promo_share.assign(K, -1.0f);
  const bool draw_intercepts = cat.cat_intercept.size() != static_cast<size_t>(K);
  cat.cat_intercept.resize(K);
  cat.cat_iv_ref.resize(K);
  const double bq = dist_mean(cfg.households[kBetaQuality]);
  const double bp = dist_mean(cfg.households[kBetaPrice]);
  for (i32 k = 0; k < K; ++k) {
    auto g = world_stream(cfg, rng::Stream::kCatalog, static_cast<u64>(k), 3);
    if (draw_intercepts) cat.cat_intercept[k] = sample(cfg.choice.category_intercept, g);
    // Inclusive value of an average household at regular prices in an average store: the
    // incidence logit is gamma_k + gamma_i + mu * (IV - IV_ref), so gamma_k reads as the
    // baseline log-odds of buying the category on a trip.
    double m = -INFINITY, s = 0;
    for (i32 j = cat.cat_begin[k]; j < cat.cat_begin[k + 1]; ++j) {
      const double p = round_to_price_ending_cents(cat.base_price[j], cat.price_ending[j]) / 100.0;
      const double q = cat.quality[j];
      const double u = base_utility(cfg, cat.alpha[j], q, p, 0.0) + bq * q + bp * std::log(p);
      if (u > m) {
        s = s * std::exp(m - u) + 1.0;
        m = u;
      } else {
        s += std::exp(u - m);
      }
    }
    cat.cat_iv_ref[k] = static_cast<float>(m + std::log(s));
  }
}

Catalog build_catalog(const Config& cfg) {
  if (!cfg.world.table.empty()) return catalog_from_world_table(cfg);
  return cfg.catalog.source == "file" ? load_catalog(cfg, cfg.catalog.file) : synthesize_catalog(cfg);
}

Stores build_stores(const Config& cfg) {
  Stores st;
  const i32 S = cfg.scale.stores;
  double total = 0;
  for (i32 s = 0; s < S; ++s) {
    auto g = world_stream(cfg, rng::Stream::kStores, static_cast<u64>(s), 0);
    st.store_id.push_back(s + 1);
    st.price_index.push_back(std::exp(math::normal(g, 0.0f, static_cast<float>(cfg.stores.price_index_sd))));
    const float t = std::exp(math::normal(g, 0.0f, static_cast<float>(cfg.stores.traffic_sd)));
    st.traffic.push_back(t);
    total += t;
  }
  double acc = 0;
  for (i32 s = 0; s < S; ++s) {
    st.traffic[s] = static_cast<float>(st.traffic[s] / total);
    acc += st.traffic[s];
    st.cdf.push_back(static_cast<float>(acc));
  }
  st.cdf.back() = 1.0f;
  // Store format by traffic share: the busiest third are supermarkets, the quietest express.
  std::vector<i32> order(S);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](i32 a, i32 b) { return st.traffic[a] > st.traffic[b]; });
  st.type.assign(S, "standard");
  for (i32 r = 0; r < S; ++r) {
    if (r < S / 3) st.type[order[r]] = "supermarket";
    else if (r >= S - S / 3) st.type[order[r]] = "express";
  }
  return st;
}

}  // namespace retailsynth
