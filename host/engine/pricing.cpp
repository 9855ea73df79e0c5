#include "engine/pricing.h"

#include <cmath>

#include "retailsynth/math/distributions.h"
#include "retailsynth/rng/philox.h"
#include "retailsynth/rng/streams.h"

namespace retailsynth {

PricingEngine::PricingEngine(const Config& cfg, const Catalog& cat, const Stores& stores)
    : stores_(stores), weeks_(static_cast<u32>(cfg.scale.weeks)) {
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
}

u32 PricingEngine::base_cents(i32 s, i32 j, u32 week) const {
  return round_to_price_point_cents(chain_price(j, week) * stores_.price_index[s]);
}

}  // namespace retailsynth
