#include "engine/heterogeneity.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "retailsynth/rng/philox.h"
#include "retailsynth/rng/streams.h"
#include "seasonality/calendar_profile.h"

namespace retailsynth {

HouseholdSpecView make_household_spec(const Config& cfg, const Stores& stores, const Demographics* demographics) {
  HouseholdSpecView spec{};
  if (demographics) spec.demographics = demographics->view;
  spec.affinity_sd = static_cast<float>(cfg.category_affinity_sd);
  for (int p = 0; p < kNumHouseholdParams; ++p) spec.params[p] = cfg.households[p];
  spec.n_stores = stores.size();
  spec.store_cdf = stores.cdf.data();
  const double* counts = cfg.stores.secondary_count;
  const double total = counts[0] + counts[1] + counts[2] + counts[3];
  if (!(total > 0))
    throw InputError((cfg.source.empty() ? std::string("config") : cfg.source) +
                     ": stores.set: none, one, two and three are all 0 (at least one must be positive)");
  double acc = 0;
  for (int c = 0; c <= kMaxSecondaryStores; ++c) {
    acc += counts[c];
    spec.secondary_count_cdf[c] = c == kMaxSecondaryStores ? 1.0f : static_cast<float>(acc / total);
  }
  constexpr int N = kNumHouseholdParams;
  Eigen::MatrixXd corr = Eigen::MatrixXd::Identity(N, N);
  spec.correlated_mask = 0;
  for (const auto& c : cfg.correlations) {
    corr(c.a, c.b) = corr(c.b, c.a) = c.rho;
    spec.correlated_mask |= (1u << c.a) | (1u << c.b);
  }
  Eigen::LLT<Eigen::MatrixXd> llt(corr);
  if (llt.info() != Eigen::Success || !(llt.matrixL().toDenseMatrix().diagonal().array() > 0).all())
    throw InputError((cfg.source.empty() ? std::string("config") : cfg.source) +
                     ": households.correlation: the correlations do not form a positive-definite correlation matrix");
  const Eigen::MatrixXd L = llt.matrixL();
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) spec.chol[i * N + j] = j <= i ? static_cast<float>(L(i, j)) : 0.0f;
  return spec;
}

MissionView Missions::view() const {
  MissionView v{};
  v.n = static_cast<i32>(share.size());
  double acc = 0;
  for (i32 m = 0; m < v.n; ++m) {
    acc += share[m];
    v.cdf[m] = static_cast<float>(acc);
    v.variety[m] = variety[m];
  }
  if (v.n > 0) v.cdf[v.n - 1] = 1.0f;
  v.shift = shift.data();
  return v;
}

Missions make_missions(const Config& cfg, const Catalog& cat) {
  Missions ms;
  const i32 K = cat.n_categories();
  const auto& list = cfg.choice.missions;
  ms.shift.assign(list.size() * static_cast<size_t>(K), 0.0f);
  ms.linked.resize(list.size());
  for (size_t m = 0; m < list.size(); ++m) {
    ms.names.push_back(list[m].name);
    ms.share.push_back(list[m].share);
    ms.variety.push_back(static_cast<float>(list[m].variety));
    const auto& deps = list[m].departments;
    for (i32 k = 0; k < K; ++k) {
      const bool eligible = deps.empty() || std::find(deps.begin(), deps.end(), cat.cat_department[k]) != deps.end();
      rng::PhiloxStream g(cfg.seed, rng::world_subsequence(rng::Stream::kCatalog, (u64{6} << 32) | static_cast<u64>(k)),
                          rng::offset(0, rng::Stream::kCatalog, 4, static_cast<u32>(m)));
      const bool linked = math::uniform01(g) < list[m].linked_share && eligible;
      if (linked) ms.linked[m].push_back(k);
      // The category's trip-size response scales the mission's shift, not the link boost.
      const double r = k < static_cast<i32>(cat.cat_size_response.size()) ? cat.cat_size_response[k] : 1.0;
      ms.shift[m * K + k] = static_cast<float>(list[m].shift * r + (linked ? list[m].link_boost : 0.0));
    }
  }
  return ms;
}

ChoiceParams make_choice_params(const Config& cfg) {
  const auto& uc = cfg.utility;
  ChoiceParams choice{};
  choice.iv_coefficient = static_cast<float>(cfg.choice.iv_coefficient);
  choice.max_trips = cfg.choice.max_trips_per_week;
  choice.promo_depth_scale = static_cast<float>(uc.promo_depth_scale);
  choice.display_effect[0] = 0.0f;
  choice.display_effect[1] = static_cast<float>(uc.display_shelf_tag);
  choice.display_effect[2] = static_cast<float>(uc.display_end_cap);
  choice.display_effect[3] = static_cast<float>(uc.display_feature);
  choice.feature_scale = static_cast<float>(uc.feature_scale);
  choice.coupon_scale = static_cast<float>(uc.coupon_scale);
  choice.inventory_weight = static_cast<float>(cfg.choice.inventory_weight);
  choice.inventory_decay = static_cast<float>(cfg.choice.inventory_decay);
  choice.exact_skip = cfg.choice.exact_skip ? 1 : 0;
  choice.away_outside = static_cast<float>(cfg.stores.away_outside);
  for (int i = 0; i < kMaxSecondaryStores; ++i) choice.secondary_weight[i] = static_cast<float>(cfg.stores.secondary_weight[i]);
  // Seasonality on the buy probability only when a table is in use (without one every index is 1).
  choice.season_share =
      cfg.seasonality.incidence == "share" && !cfg.seasonality.table.empty() && cfg.seasonality.strength != 0.0 ? 1 : 0;
  if (!cfg.calendar.profile.empty()) choice.trip_time = CalendarProfile::load(cfg.calendar.profile).view();
  return choice;
}

}  // namespace retailsynth
