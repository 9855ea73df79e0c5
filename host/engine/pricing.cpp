#include "engine/pricing.h"

#include <cmath>
#include <string>
#include <unordered_map>

#include "retailsynth/math/distributions.h"
#include "retailsynth/rng/philox.h"
#include "retailsynth/rng/streams.h"

namespace retailsynth {

PricingEngine::PricingEngine(const Config& cfg, const Catalog& cat, const Stores& stores)
    : cat_(cat), stores_(stores), weeks_(static_cast<u32>(cfg.scale.weeks)), price_index_(cfg.pricing.price_index) {
  const auto& pc = cfg.pricing;
  const u32 W = weeks_;
  const i32 K = cat.n_categories(), P = cat.n_products();
  inflation_.resize(W);
  for (u32 t = 0; t < W; ++t) inflation_[t] = std::pow(1.0 + pc.inflation_per_year, t / 52.0);

  // Category cost shocks: log c_k(t) = phi * log c_k(t-1) + sd * eps, started in its stationary law.
  cost_.resize(static_cast<size_t>(K) * W);
  for (i32 k = 0; k < K; ++k) {
    rng::PhiloxStream g(cfg.seed, rng::world_subsequence(rng::Stream::kMarket, static_cast<u64>(k)),
                        rng::offset(0, rng::Stream::kMarket, 1, 0));
    const double stationary_sd = pc.cost_ar < 1 ? pc.cost_sd / std::sqrt(1 - pc.cost_ar * pc.cost_ar) : pc.cost_sd;
    double c = stationary_sd * math::normal01(g);
    for (u32 t = 0; t < W; ++t) {
      if (t > 0) c = pc.cost_ar * c + pc.cost_sd * math::normal01(g);
      cost_[static_cast<size_t>(k) * W + t] = static_cast<float>(std::exp(c));
    }
  }

  // Sticky price regimes: stay with probability regime_stay, else one step up or down (reflected
  // at the ends).  Every product starts at level 0.
  regime_.resize(static_cast<size_t>(P) * W);
  chain_.resize(static_cast<size_t>(P) * W);
  const int L = pc.regime_levels;
#pragma omp parallel for schedule(static)
  for (i32 j = 0; j < P; ++j) {
    rng::PhiloxStream g(cfg.seed, rng::world_subsequence(rng::Stream::kMarket, (u64{1} << 32) | static_cast<u64>(j)),
                        rng::offset(0, rng::Stream::kMarket, 2, 0));
    int level = 0;
    const i32 k = cat.category[j];
    for (u32 t = 0; t < W; ++t) {
      if (t > 0 && L > 0) {
        const float u = math::uniform01(g);
        if (u >= pc.regime_stay) {
          const bool up = math::uniform01(g) < 0.5f;
          level += up ? 1 : -1;
          if (level > L) level = L - 1;
          if (level < -L) level = -L + 1;
        }
      }
      regime_[static_cast<size_t>(j) * W + t] = static_cast<int8_t>(level);
      chain_[static_cast<size_t>(j) * W + t] = cat.base_price[j] * inflation_[t] * cost_[static_cast<size_t>(k) * W + t] *
                                               std::pow(1.0 + pc.regime_step, level);
    }
  }

  // Policy price changes, resolved to catalog and store indices.
  if (cfg.price_changes.empty()) return;
  std::unordered_map<i64, i32> product_index, store_index;
  for (i32 j = 0; j < P; ++j) product_index[cat.product_id[j]] = j;
  for (i32 s = 0; s < stores.size(); ++s) store_index[stores.store_id[s]] = s;
  std::vector<std::vector<Change>> by_product(P);
  for (size_t i = 0; i < cfg.price_changes.size(); ++i) {
    const auto& pc_i = cfg.price_changes[i];
    const std::string at = pc_i.origin + ": price_changes[" + std::to_string(i) + "]";
    Change ch{-1, static_cast<u32>(pc_i.from_week), static_cast<u32>(pc_i.to_week), pc_i.multiplier};
    if (pc_i.store_id >= 0) {
      const auto it = store_index.find(pc_i.store_id);
      if (it == store_index.end()) throw InputError(at + ".store: no store with STORE_ID " + std::to_string(pc_i.store_id));
      ch.store = it->second;
    }
    if (pc_i.product_id >= 0) {
      const auto it = product_index.find(pc_i.product_id);
      if (it == product_index.end())
        throw InputError(at + ".product: no product with PRODUCT_ID " + std::to_string(pc_i.product_id));
      by_product[it->second].push_back(ch);
    } else {
      i32 k = -1;
      for (i32 c = 0; c < K; ++c)
        if (cat.cat_name[c] == pc_i.category) k = c;
      if (k < 0) throw InputError(at + ".category: no category named '" + pc_i.category + "'");
      for (i32 j = cat.cat_begin[k]; j < cat.cat_begin[k + 1]; ++j) by_product[j].push_back(ch);
    }
  }
  change_begin_.assign(P + 1, 0);
  for (i32 j = 0; j < P; ++j) {
    change_begin_[j] = static_cast<i32>(changes_.size());
    changes_.insert(changes_.end(), by_product[j].begin(), by_product[j].end());
  }
  change_begin_[P] = static_cast<i32>(changes_.size());
}

u32 PricingEngine::base_cents(i32 s, i32 j, u32 week) const { return base_cents(s, j, week, chain_price(j, week)); }

}  // namespace retailsynth
