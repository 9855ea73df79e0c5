#include "market.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/heterogeneity.h"
#include "engine/utility_terms.h"
#include "retailsynth/math/fastmath.h"
#include "simd.h"

namespace retailsynth {

Market::Market(const Config& cfg, const Catalog& cat, const Stores& stores)
    : cfg_(cfg),
      cat_(cat),
      stores_(stores),
      calendar_(cfg),
      pricing_(cfg, cat, stores),
      seasonality_(cfg, cat),
      promotions_(cfg, cat, stores, calendar_, &seasonality_),
      campaigns_(cfg, cat) {}

/// What every store shares of a product in a week, read once (the engines keep it by product,
/// week after week: a store-by-store walk would read it 50 times from as many cache lines).
struct ProductWeek {
  std::vector<double> chain, quality_part;
  std::vector<float> season;
  std::vector<i32> event;       // the product's active chain promotion, or -1
  std::vector<i32> with_event;  // the products with one, in order
};

namespace {

/// Shelf prices at the base price and their utility, for one store's row: the vectorised part of
/// the market; build_store_row then overwrites the promoted products.
RS_SIMD_CLONES void unpromoted_row(const Config& cfg, const ProductWeek& pw, const u32* __restrict base, u32* __restrict shelf,
                                   float* __restrict base_u, i64 P) {
  const double* __restrict quality_part = pw.quality_part.data();
  const float* __restrict season = pw.season.data();
  for (i64 j = 0; j < P; ++j) {
    shelf[j] = base[j];
    base_u[j] = static_cast<float>(price_utility(cfg, quality_part[j], base[j] * 0.01, 0.0f) + season[j]);
  }
}

/// Base prices with no policy price change: the chain price times the store's index and the
/// policy's, at a price point.
RS_SIMD_CLONES void uniform_base_row(const double* __restrict chain, const u8* __restrict ending, double store_index,
                                     double policy_index, u32* __restrict base, i64 P) {
  for (i64 j = 0; j < P; ++j) base[j] = round_to_price_ending_cents(chain[j] * store_index * policy_index, ending[j]);
}

// Shelf prices are at least 10 cents (round_to_price_ending_cents), so rs_log's branch-free core
// gives rs_log's value.
RS_SIMD_CLONES void log_price_row(const u32* __restrict shelf, float* __restrict log_price, i64 P) {
  for (i64 j = 0; j < P; ++j) log_price[j] = math::log_normal(static_cast<float>(shelf[j]) * 0.01f);
}

}  // namespace

/// Store s's row of the week: base and shelf prices, the chain promotions it takes part in, the
/// utility's base term and log prices; returns its promoted products in order.
std::vector<i32> Market::build_store_row(i32 s, u32 week, const ProductWeek& pw, WeekInputs& out) const {
  const i64 P = cat_.n_products();
  const size_t row = static_cast<size_t>(s) * static_cast<size_t>(P);
  u32* base = out.base_cents.data() + row;
  if (pricing_.no_price_changes()) {
    uniform_base_row(pw.chain.data(), cat_.price_ending.data(), stores_.price_index[s], pricing_.price_index(), base, P);
  } else {
    for (i32 j = 0; j < P; ++j) base[j] = pricing_.base_cents(s, j, week, pw.chain[j]);
  }
  unpromoted_row(cfg_, pw, base, out.shelf_cents.data() + row, out.base_u.data() + row, P);
  std::vector<i32> promoted;
  const auto& events = promotions_.events();
  for (const i32 j : pw.with_event) {
    const i32 e = pw.event[j];
    if (!promotions_.participates(s, e)) continue;
    const size_t at = row + static_cast<size_t>(j);
    const PromoEvent& ev = events[e];
    const u32 promo = round_to_price_ending_cents(base[j] * 0.01 * (1.0 - ev.depth), cat_.price_ending[j]);
    if (promo >= base[j]) continue;  // a discount that rounds away on a very cheap item is no promotion
    out.shelf_cents[at] = promo;
    out.depth[at] = ev.depth;
    out.feature[at] = static_cast<u8>((ev.in_ad ? kInAd : 0) | (ev.mailer ? kMailer : 0));
    out.base_u[at] = static_cast<float>(price_utility(cfg_, pw.quality_part[j], promo * 0.01, out.depth[at]) + pw.season[j]);
    promoted.push_back(j);
  }
  log_price_row(out.shelf_cents.data() + row, out.log_price.data() + row, P);
  return promoted;
}

void Market::build_week(u32 week, WeekInputs& out) const {
  const i32 S = stores_.size();
  const i64 P = cat_.n_products();
  const size_t SP = static_cast<size_t>(S) * static_cast<size_t>(P);
  out.week = week;
  out.n_stores = S;
  out.n_products = P;
  out.log_price.resize(SP);
  out.base_u.resize(SP);
  out.ref_gain.assign(SP, 0.0f);
  out.shelf_cents.resize(SP);
  out.base_cents.resize(SP);
  out.depth.assign(SP, 0.0f);
  out.display.assign(SP, 0);
  out.feature.assign(SP, 0);
  out.marketing.assign(S, 0.0f);
  out.stores.resize(S);
  const int woy = calendar_.week_of_year(week);
  out.traffic_season = seasonality_.traffic(woy);
  out.cat_season.resize(cat_.n_categories());
  for (i32 k = 0; k < cat_.n_categories(); ++k) out.cat_season[k] = seasonality_.category_log_index(k, woy);
  ProductWeek pw;
  pw.chain.resize(P);
  pw.quality_part.resize(P);
  pw.event.resize(P);
  pw.season.resize(P);
#pragma omp parallel for schedule(static)
  for (i32 j = 0; j < P; ++j) {
    pw.chain[j] = pricing_.chain_price(j, week);
    pw.quality_part[j] = quality_utility(cfg_, cat_.alpha[j], cat_.quality[j]);
    pw.event[j] = promotions_.active_event(j, week);
    pw.season[j] = seasonality_.product_relative_log_index(j, woy);
  }
  for (i32 j = 0; j < P; ++j)
    if (pw.event[j] >= 0) pw.with_event.push_back(j);
  std::vector<std::vector<i32>> promoted(S);
#pragma omp parallel for schedule(dynamic, 1)
  for (i32 s = 0; s < S; ++s) {
    promoted[s] = build_store_row(s, week, pw, out);
    const size_t row = static_cast<size_t>(s) * static_cast<size_t>(P);
    promotions_.allocate_store_week(s, week, promoted[s], out.depth.data() + row, out.display.data() + row,
                                    out.feature.data() + row, out.stores[s]);
    out.marketing[s] = out.stores[s].marketing;
  }
  campaigns_.fill_week(week, cat_, out);
  index_promotions(promoted, out);
}

/// Index of promoted products by store and category: each store's promoted products are in
/// product order, and products are sorted by category.
void Market::index_promotions(const std::vector<std::vector<i32>>& promoted, WeekInputs& out) const {
  const i32 S = stores_.size(), K = cat_.n_categories();
  out.promo_begin.resize(static_cast<size_t>(S) * (K + 1));
  out.promo_products.clear();
  for (i32 s = 0; s < S; ++s) {
    const i32 offset = static_cast<i32>(out.promo_products.size());
    out.promo_products.insert(out.promo_products.end(), promoted[s].begin(), promoted[s].end());
    i32* begin = out.promo_begin.data() + static_cast<size_t>(s) * (K + 1);
    size_t i = 0;
    for (i32 k = 0; k <= K; ++k) {
      const i32 first = k < K ? cat_.cat_begin[k] : std::numeric_limits<i32>::max();
      while (i < promoted[s].size() && promoted[s][i] < first) ++i;
      begin[k] = offset + static_cast<i32>(i);
    }
  }
}

namespace {

GroupExtrema empty_group() {
  constexpr float inf = math::kInf;
  return GroupExtrema{-inf, inf, -inf, inf, -inf, inf, -inf, inf, -inf, inf, -inf, inf, -inf, 0.0f};
}

void widen(float& lo, float& hi, float x) {
  lo = x < lo ? x : lo;
  hi = x > hi ? x : hi;
}

/// Adds the product at market index `at` to its group, with the values the utility multiplies by
/// the household's coefficients (computed in float as product_utility computes them); a
/// non-finite input marks the group unbounded.
void add_to_group(GroupExtrema& g, const WeekInputs& w, size_t at, float quality, const ChoiceParams& p) {
  const u8 f = w.feature[at];
  const float n_features = static_cast<float>((f & 1u) + ((f >> 1) & 1u));
  const float promo = p.promo_depth_scale * w.depth[at];
  const float display = p.display_effect[w.display[at]];
  const float feature = p.feature_scale * n_features;
  const float in[7] = {w.base_u[at], quality, w.log_price[at], w.ref_gain[at], promo, display, feature};
  for (float x : in)
    if (!std::isfinite(x)) g.n = -1.0f;
  if (g.n < 0.0f) return;
  g.base_u_max = in[0] > g.base_u_max ? in[0] : g.base_u_max;
  widen(g.quality_min, g.quality_max, in[1]);
  widen(g.log_price_min, g.log_price_max, in[2]);
  widen(g.ref_gain_min, g.ref_gain_max, in[3]);
  widen(g.promo_min, g.promo_max, in[4]);
  widen(g.display_min, g.display_max, in[5]);
  widen(g.feature_min, g.feature_max, in[6]);
  g.n += 1.0f;
}

}  // namespace

void build_category_bounds(const CatalogView& cat, const ChoiceParams& p, WeekInputs& w) {
  const i32 S = w.n_stores, K = cat.n_categories;
  w.bounds.resize(static_cast<size_t>(S) * 2 * kBoundFields * K);
#pragma omp parallel for schedule(static)
  for (i32 s = 0; s < S; ++s) {
    const size_t row = static_cast<size_t>(s) * static_cast<size_t>(w.n_products);
    for (i32 k = 0; k < K; ++k) {
      GroupExtrema g[2] = {empty_group(), empty_group()};
      for (i32 j = cat.cat_begin[k]; j < cat.cat_begin[k + 1]; ++j) {
        const size_t at = row + static_cast<size_t>(j);
        add_to_group(g[w.depth[at] > 0.0f ? 1 : 0], w, at, cat.quality[j], p);
      }
      for (int gi = 0; gi < 2; ++gi) {
        const float* f = &g[gi].base_u_max;
        float* out = w.bounds.data() + (static_cast<size_t>(s) * 2 + gi) * kBoundFields * K + k;
        for (int i = 0; i < kBoundFields; ++i) out[static_cast<size_t>(i) * K] = f[i];
      }
    }
  }
}

MarketCursor::MarketCursor(const Config& cfg, const Market& market) : market_(market), choice_(make_choice_params(cfg)) {
  const int L = cfg.utility.reference_weeks;
  double total = 0;
  for (int age = 1; age <= L; ++age) {
    weights_.push_back(std::exp(-cfg.utility.reference_decay * age));
    total += weights_.back();
  }
  for (double& w : weights_) w /= total;
  history_.resize(L);
}

void MarketCursor::reset() { week_ = 0; }

void MarketCursor::next(WeekInputs& out) {
  ++week_;
  market_.build_week(week_, out);
  const size_t L = history_.size();
  if (week_ == 1) {
    for (auto& h : history_) h = out.base_cents;
    head_ = 0;
  }
  // R = sum over ages (1..L, in that order) of weight * shelf price.  In blocks of products, age
  // by age, so the inner loop runs over contiguous prices (vectorised) while each R still adds
  // its terms in age order: the same doubles as a product-by-product loop.
  const size_t SP = out.shelf_cents.size();
  constexpr size_t kBlock = 2048;
  const i64 n_blocks = static_cast<i64>((SP + kBlock - 1) / kBlock);
#pragma omp parallel for schedule(static)
  for (i64 b = 0; b < n_blocks; ++b) {
    const size_t lo = static_cast<size_t>(b) * kBlock, n = std::min(kBlock, SP - lo);
    double r[kBlock];
    for (size_t i = 0; i < n; ++i) r[i] = 0.0;
    for (size_t age = 0; age < L; ++age) {
      const double w = weights_[age];
      const u32* h = history_[(head_ + age) % L].data() + lo;
      for (size_t i = 0; i < n; ++i) r[i] += w * h[i];
    }
    const u32* shelf = out.shelf_cents.data() + lo;
    float* gain = out.ref_gain.data() + lo;
    for (size_t i = 0; i < n; ++i) gain[i] = static_cast<float>((r[i] - shelf[i]) / r[i]);
  }
  build_category_bounds(market_.catalog().view(), choice_, out);
  // This week's prices become age 1 for the next week.
  head_ = (head_ + L - 1) % L;
  history_[head_] = out.shelf_cents;
}

}  // namespace retailsynth
