#include "engine/promotion.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "retailsynth/math/distributions.h"
#include "retailsynth/rng/philox.h"
#include "retailsynth/rng/streams.h"
#include "world_table/table.h"

namespace retailsynth {
namespace {

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// Mean promotion length for a depth: duration_shallow at depth_min down to duration_deep at depth_max.
double mean_duration(const Config::Promotions& pc, double depth) {
  const double f = std::clamp((depth - pc.depth_min) / (pc.depth_max - pc.depth_min), 0.0, 1.0);
  return pc.duration_shallow + (pc.duration_deep - pc.duration_shallow) * f;
}

/// Depth on the grid from a draw of the configured fraction distribution.
double depth_from_fraction(const Config::Promotions& pc, double frac, double shift) {
  double d = pc.depth_min + (pc.depth_max - pc.depth_min) * std::clamp(frac, 0.0, 1.0) + shift;
  d = std::round(d / pc.depth_step) * pc.depth_step;
  // Round to the grid, then keep inside [depth_min, depth_max] on grid points.
  const double lo = std::ceil(pc.depth_min / pc.depth_step - 1e-9) * pc.depth_step;
  const double hi = std::floor(pc.depth_max / pc.depth_step + 1e-9) * pc.depth_step;
  d = std::clamp(d, std::max(lo, pc.depth_min), std::min(hi, pc.depth_max));
  return std::round(d * 1e6) / 1e6;
}

/// Depth from category k's learned quantiles (Catalog::cat_depth_q, world_table/table.h's
/// depth_quantile) at u, plus the event shift, on the grid, in [depth_step, 0.8].
double depth_from_quantiles(const Config::Promotions& pc, const float* q, double u, double shift) {
  double d = depth_quantile(q, u) + shift;
  d = std::round(d / pc.depth_step) * pc.depth_step;
  d = std::clamp(d, pc.depth_step, 0.8);
  return std::round(d * 1e6) / 1e6;
}

}  // namespace

double PromotionEngine::draw_depth(i32 k, rng::PhiloxStream& g, bool event) const {
  const auto& pc = cfg_.promotions;
  const double shift = event ? pc.event_depth_shift : 0.0;
  if (!learned_) return depth_from_fraction(pc, sample(pc.depth, g), shift);
  return depth_from_quantiles(pc, cat_.cat_depth_q.data() + static_cast<size_t>(k) * kDepthQuantiles, math::uniform01(g), shift);
}

double PromotionEngine::category_mean_duration(i32 k) const {
  const auto& pc = cfg_.promotions;
  double mean_dur = 0;
  if (!learned_) {  // over the config's law, by simulation with a fixed stream
    rng::PhiloxStream g(cfg_.seed, rng::world_subsequence(rng::Stream::kMarket, u64{3} << 32),
                        rng::offset(0, rng::Stream::kMarket, 3, 0));
    const int n = 20000;
    for (int i = 0; i < n; ++i) mean_dur += mean_duration(pc, depth_from_fraction(pc, sample(pc.depth, g), 0.0));
    return mean_dur / n;
  }
  const int n = 200;  // over the category's quantiles, at the midpoints of n equal steps
  const float* q = cat_.cat_depth_q.data() + static_cast<size_t>(k) * kDepthQuantiles;
  for (int i = 0; i < n; ++i) mean_dur += mean_duration(pc, depth_from_quantiles(pc, q, (i + 0.5) / n, 0.0));
  return mean_dur / n;
}

/// Category targets and start probabilities.  A product alternates off periods (a start check
/// every week, Geometric(p) weeks on {0, 1, ...}) and promotions of mean length D, so its on-share
/// is pD / (pD + 1 - p); stores take part with probability pi.  Products that are always on deal
/// (every week, every store) count toward the target first; those never on deal count as off;
/// solving the rest's share / pi = pD / (pD + 1 - p) for p gives the start probability.
void PromotionEngine::set_category_targets() {
  const auto& pc = cfg_.promotions;
  const i32 K = cat_.n_categories();
  target_.resize(K);
  start_prob_.resize(K);
  on_share_.resize(K);
  duration_.resize(K);
  const double config_duration = learned_ ? 0.0 : category_mean_duration(0);
  for (i32 k = 0; k < K; ++k) {
    if (learned_) {
      target_[k] = cat_.cat_promo_share[k];
    } else {
      rng::PhiloxStream g(cfg_.seed, rng::world_subsequence(rng::Stream::kMarket, (u64{4} << 32) | static_cast<u64>(k)),
                          rng::offset(0, rng::Stream::kMarket, 4, 0));
      target_[k] = pc.share_min + (pc.share_max - pc.share_min) * math::uniform01(g);
    }
    double n = 0, always = 0, never = 0;
    for (i32 j = cat_.cat_begin[k]; j < cat_.cat_begin[k + 1]; ++j, n += 1) {
      always += deal_kind(j) == kDealAlways;
      never += deal_kind(j) == kDealNever;
    }
    const double normal = n - always - never;
    double rest = target_[k];  // the share of the products that follow the schedule
    if (always > 0 || never > 0) rest = normal > 0 ? std::max(0.0, target_[k] * n - always) / normal : 0.0;
    const double s = pc.store_participation > 0 ? std::min(rest / pc.store_participation, 1.0) : 0;
    const double mean_dur = learned_ ? category_mean_duration(k) : config_duration;
    on_share_[k] = s, duration_[k] = mean_dur;
    start_prob_[k] = s > 0 ? std::min(1.0, s / (mean_dur * (1 - s) + s)) : 0.0;
  }
}

/// The start probability whose year of multipliers m_w gives category k's on-share: the mean over
/// the 52 weeks of the steady on-share f(min(1, p m_w)), f(q) = qD / (qD + 1 - q), solved for p by
/// bisection.  With a flat year this is set_category_targets' closed form; with a season the
/// peaks saturate (a product already on promotion starts none), so p rises a little to keep the
/// category's share of promoted weeks.
double PromotionEngine::seasonal_start_prob(i32 k, const double* mult) const {
  const double s = on_share_[k], D = duration_[k];
  if (!(s > 0)) return 0.0;
  double m_min = mult[0];
  for (int w = 1; w < kWeeksPerYear; ++w) m_min = std::min(m_min, mult[w]);
  auto share = [&](double p) {
    double sum = 0;
    for (int w = 0; w < kWeeksPerYear; ++w) {
      const double q = std::min(1.0, p * mult[w]);
      sum += q * D / (q * D + 1 - q);
    }
    return sum / kWeeksPerYear;
  };
  double lo = 0, hi = 1 / m_min;  // at hi every week starts a promotion
  if (share(hi) <= s) return hi;
  for (int it = 0; it < 100; ++it) {
    const double mid = (lo + hi) / 2;
    (share(mid) < s ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

/// Product j's chain promotions from week 1 - kBurnInWeeks on (its own stream, one slot per week).
std::vector<PromoEvent> PromotionEngine::schedule_product(i32 j) const {
  const auto& pc = cfg_.promotions;
  const i32 k = cat_.category[j];
  const u8 deal = deal_kind(j);
  const u64 sub = rng::world_subsequence(rng::Stream::kMarket, (u64{5} << 32) | static_cast<u64>(j));
  std::vector<PromoEvent> out;
  for (i64 t = 1 - kBurnInWeeks; t <= static_cast<i64>(weeks_) && deal != kDealNever;) {
    rng::PhiloxStream g(cfg_.seed, sub, rng::offset(static_cast<u32>(t + kBurnInWeeks), rng::Stream::kMarket, 0, 0));
    const double p = deal == kDealAlways ? 1.0 : std::min(1.0, start_prob_[k] * category_week_multiplier(k, t));
    if (!(math::uniform01(g) < p)) {
      ++t;
      continue;
    }
    const bool event = cal_.is_event(t);
    PromoEvent e{};
    e.product = j;
    e.start = static_cast<i32>(t);
    e.depth = static_cast<float>(draw_depth(k, g, event));
    // Duration 1 + Binomial(3, (D(depth) - 1) / 3): 1..4 weeks with mean D(depth).
    const double q = (mean_duration(pc, e.depth) - 1.0) / 3.0;
    int dur = 1;
    for (int i = 0; i < 3; ++i) dur += math::uniform01(g) < q;
    e.duration = static_cast<u8>(dur);
    const double ad_logit = pc.in_ad_intercept + pc.in_ad_depth * (e.depth - 0.25) + (event ? pc.in_ad_event : 0.0) +
                            pc.in_ad_popularity * cat_.alpha[j];
    e.in_ad = math::uniform01(g) < logistic(ad_logit);
    const double mail_logit = pc.mailer_intercept + pc.mailer_depth * (e.depth - 0.25) + (e.in_ad ? pc.mailer_in_ad : 0.0);
    e.mailer = math::uniform01(g) < logistic(mail_logit);
    e.every_store = deal == kDealAlways;
    if (e.start + e.duration > 1) out.push_back(e);  // keep those reaching week 1
    t += e.duration;
  }
  return out;
}

PromotionEngine::PromotionEngine(const Config& cfg, const Catalog& cat, const Stores&, const Calendar& cal,
                                 const Seasonality* season)
    : cfg_(cfg), cat_(cat), cal_(cal), weeks_(static_cast<u32>(cfg.scale.weeks)),
      learned_(cfg.promotions.source == "learned" && !cat.cat_depth_q.empty()) {
  // Event weeks get event_start_boost times the start probability of other weeks, normalised
  // so that a year's mean multiplier is 1.
  const int E = cal.n_event_weeks();
  event_base_ = 52.0 / (52.0 - E + E * cfg.promotions.event_start_boost);
  set_category_targets();
  if (season && season->active() && cfg.promotions.season_tilt > 0) set_season_multipliers(*season);
  const i32 P = cat.n_products();
  const u32 W = weeks_;
  active_.assign(static_cast<size_t>(P) * W, -1);
  std::vector<std::vector<PromoEvent>> per_product(P);
#pragma omp parallel for schedule(static)
  for (i32 j = 0; j < P; ++j) per_product[j] = schedule_product(j);
  for (i32 j = 0; j < P; ++j) {
    for (const auto& e : per_product[j]) {
      const i32 id = static_cast<i32>(events_.size());
      events_.push_back(e);
      for (i64 t = std::max<i64>(1, e.start); t < std::min<i64>(W + 1, e.start + e.duration); ++t)
        active_[static_cast<size_t>(j) * W + t - 1] = id;
    }
  }
}

double PromotionEngine::week_multiplier(i64 week) const {
  return event_base_ * (cal_.is_event(week) ? cfg_.promotions.event_start_boost : 1.0);
}

/// Promotions follow the season: in the real sample a category's share of the promoted
/// product-store-weeks rises with its seasonal index (TURKEY's is 11x its mean in Thanksgiving
/// week), with a slope of about 0.66 on the log scale.  Category k's multiplier in week of year w
/// is b(w) index_k(w)^tilt / mean_v(b(v) index_k(v)^tilt), b the event boost, so a year's mean
/// start probability stays what set_category_targets solved for.
void PromotionEngine::set_season_multipliers(const Seasonality& season) {
  const i32 K = cat_.n_categories();
  const double tilt = cfg_.promotions.season_tilt, boost = cfg_.promotions.event_start_boost;
  season_row_.assign(K, -1);
  for (i32 k = 0; k < K; ++k) {
    bool flat = true;
    for (int w = 1; w <= kWeeksPerYear; ++w) flat = flat && season.category_log_index(k, w) == 0.0f;
    if (flat) continue;
    season_row_[k] = static_cast<i32>(season_mult_.size() / kWeeksPerYear);
    double sum = 0;
    for (int w = 1; w <= kWeeksPerYear; ++w) {
      const double b = cal_.is_event_week_of_year(w) ? boost : 1.0;
      season_mult_.push_back(b * std::exp(tilt * season.category_log_index(k, w)));
      sum += season_mult_.back();
    }
    double* row = season_mult_.data() + season_mult_.size() - kWeeksPerYear;
    for (int w = 0; w < kWeeksPerYear; ++w) row[w] *= kWeeksPerYear / sum;
    start_prob_[k] = seasonal_start_prob(k, row);
  }
}

double PromotionEngine::category_week_multiplier(i32 k, i64 week) const {
  if (season_row_.empty() || season_row_[k] < 0) return week_multiplier(week);
  return season_mult_[static_cast<size_t>(season_row_[k]) * kWeeksPerYear + cal_.week_of_year(week) - 1];
}

bool PromotionEngine::participates(i32 s, i32 event) const {
  if (events_[event].every_store) return true;
  rng::PhiloxStream g(cfg_.seed, rng::world_subsequence(rng::Stream::kStores, static_cast<u64>(s)),
                      rng::offset(0, rng::Stream::kMarket, 0, 0, static_cast<u32>(event)));
  return math::uniform01(g) < cfg_.promotions.store_participation;
}

void PromotionEngine::allocate_store_week(i32 s, u32 week, const std::vector<i32>& promoted, float* depth, u8* display,
                                          u8* feature, StorePromoSummary& out) const {
  const auto& pc = cfg_.promotions;
  out = StorePromoSummary{};
  out.n_promoted = static_cast<i32>(promoted.size());
  // Display allocation: deeper, more popular and advertised promotions first, with store noise
  // (Gumbel); feature displays, then end caps, up to capacity; a share of the rest gets a tag.
  std::vector<std::pair<double, i32>> ranked;
  ranked.reserve(promoted.size());
  const u64 sub = rng::world_subsequence(rng::Stream::kStores, static_cast<u64>(s));
  std::vector<float> u_tag(promoted.size());
  for (size_t i = 0; i < promoted.size(); ++i) {
    const i32 j = promoted[i];
    rng::PhiloxStream g(cfg_.seed, sub, rng::offset(week, rng::Stream::kMarket, 1, 0, static_cast<u32>(j) * 2));
    const double gumbel = -std::log(-std::log(static_cast<double>(math::uniform_open01(g))));
    u_tag[i] = math::uniform01(g);
    const double score = std::log(depth[j]) + pc.display_popularity_weight * cat_.alpha[j] +
                         ((feature[j] & kInAd) ? 0.5 : 0.0) + 0.5 * gumbel;
    ranked.push_back({score, static_cast<i32>(i)});
  }
  // Highest score first, ties in promoted order: a stable sort's order, from the faster sort.
  std::sort(ranked.begin(), ranked.end(),
            [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  const size_t F = static_cast<size_t>(pc.feature_displays_per_store), E = static_cast<size_t>(pc.end_caps_per_store);
  double depth_sum = 0;
  for (size_t r = 0; r < ranked.size(); ++r) {
    const size_t i = static_cast<size_t>(ranked[r].second);
    const i32 j = promoted[i];
    DisplayType t;
    if (r < F) {
      t = DisplayType::kFeatureDisplay;
      out.feature_displays.push_back(j);
    } else if (r < F + E) {
      t = DisplayType::kEndCap;
      out.end_caps.push_back(j);
    } else {
      t = u_tag[i] < pc.shelf_tag_prob ? DisplayType::kShelfTag : DisplayType::kNone;
    }
    display[j] = static_cast<u8>(t);
    depth_sum += depth[j];
    out.n_in_ad += (feature[j] & kInAd) != 0;
    out.n_mailer += (feature[j] & kMailer) != 0;
  }
  std::sort(out.feature_displays.begin(), out.feature_displays.end());
  std::sort(out.end_caps.begin(), out.end_caps.end());
  out.mean_depth = promoted.empty() ? 0.0 : depth_sum / promoted.size();
  out.marketing = marketing_signal(out);
}

float PromotionEngine::marketing_signal(const StorePromoSummary& s) const {
  const auto& pc = cfg_.promotions;
  const auto& mc = cfg_.marketing;
  const double P = cat_.n_products();
  const double depth_score = s.n_promoted > 0 ? std::min(1.0, s.mean_depth / mc.depth_reference) : 0.0;
  const double breadth_score = std::min(1.0, s.n_promoted / P / mc.breadth_reference);
  const double cap = pc.end_caps_per_store + 2.0 * pc.feature_displays_per_store;
  const double display_score = cap > 0 ? (s.end_caps.size() + 2.0 * s.feature_displays.size()) / cap : 0.0;
  const double ad_score =
      s.n_promoted > 0 ? std::min(1.0, (s.n_in_ad + 2.0 * s.n_mailer) / static_cast<double>(s.n_promoted) / 1.5) : 0.0;
  const double m = mc.w_depth * depth_score + mc.w_breadth * breadth_score + mc.w_display * display_score + mc.w_ad * ad_score;
  return static_cast<float>(std::clamp(m, 0.0, 1.0));
}

}  // namespace retailsynth
