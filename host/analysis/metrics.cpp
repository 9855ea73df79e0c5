#include "analysis/metrics.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>
#include <numeric>

#include "config.h"
#include "world.h"

namespace retailsynth {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Units are overdispersed counts (quantity per line is 1 + Poisson): var ~ 1.6 x mean.
constexpr double kUnitDispersion = 1.6;

/// A fixed-seed uniform in [0, 1) per (seed, index): thinning and null draws that do not depend
/// on thread count or iteration order.
double hash_uniform(u64 seed, u64 i) {
  u64 h = seed * 0x9E3779B97F4A7C15ull + i * 0xC2B2AE3D27D4EB4Full + 0x165667B19E3779F9ull;
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBull;
  h ^= h >> 31;
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

double sd_of(const std::vector<double>& v) {
  if (v.size() < 2) return kNaN;
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / (v.size() - 1));
}

/// Line depth: discount / (sales + discount), 0 without a discount.
double line_depth(const Dataset& d, size_t i) {
  const double gross = static_cast<double>(d.regular_cents(i));
  return gross > 0 ? static_cast<double>(d.disc_cents[i]) / gross : 0.0;
}

/// Line indices ordered by basket id (RetailSynth output already is).
std::vector<size_t> lines_by_basket(const Dataset& d) {
  std::vector<size_t> order(d.lines());
  std::iota(order.begin(), order.end(), size_t{0});
  if (!std::is_sorted(d.basket.begin(), d.basket.end()))
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d.basket[a] < d.basket[b]; });
  return order;
}

bool in_left_digit_zone(u32 cents) {
  // DESIGN §3.6: a bonus for prices within 5% under $1, 2, 5, 10, 20, 50.
  for (const double t : {100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0})
    if (cents < t && cents >= t * 0.95) return true;
  return false;
}

}  // namespace

// ---- distributions ------------------------------------------------------------------------------

double ks_distance_sorted(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) return 0.0;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  size_t i = 0, j = 0;
  double d = 0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::fabs(i / na - j / nb));
  }
  return d;
}

double ks_distance(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return ks_distance_sorted(a, b);
}

double quantile_sorted(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return kNaN;
  return sorted[static_cast<size_t>(std::clamp(p, 0.0, 1.0) * (sorted.size() - 1))];
}

double mean_of(const std::vector<double>& v) {
  return v.empty() ? kNaN : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// ---- trips and the marketing signal ---------------------------------------------------------------

Slope trip_slope(const Dataset& d) {
  const int p_rate = d.param("trip_rate"), p_rho = d.param("promo_sensitivity");
  if (p_rate < 0 || p_rho < 0 || d.marketing.empty()) return Slope{kNaN, kNaN, kNaN, 0};
  double sxy = 0, sxx = 0, expected_num = 0, var_num = 0;
  size_t n = 0;
  std::vector<double> m(d.weeks), y(d.weeks);
  for (const auto& [hh, params] : d.params) {
    const double rate = params[p_rate], rho = params[p_rho];
    if (rate > 4) continue;  // keep the 12-trip cap out of the way
    const i32 home = d.home_store.at(hh);
    bool complete = true;
    for (i32 w = 1; w <= d.weeks; ++w) {
      const auto mk = d.marketing.find(Dataset::key(home, 0, w));
      if (mk == d.marketing.end()) complete = false;
      m[w - 1] = mk == d.marketing.end() ? 0 : mk->second;
      const auto t = d.trips.find(Dataset::hh_key(hh, w));
      y[w - 1] = t == d.trips.end() ? 0 : t->second;
    }
    if (!complete) continue;
    ++n;
    const double mm = std::accumulate(m.begin(), m.end(), 0.0) / d.weeks;
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / d.weeks;
    for (i32 w = 0; w < d.weeks; ++w) {
      const double dx = m[w] - mm;
      sxy += dx * (y[w] - my);
      sxx += dx * dx;
      expected_num += dx * dx * rate * rho;
      var_num += dx * dx * rate * (1 + rho * m[w]);
    }
  }
  if (sxx <= 0) return Slope{kNaN, kNaN, kNaN, n};
  return Slope{sxy / sxx, expected_num / sxx, std::sqrt(var_num) / sxx, n};
}

TripCurve trips_by_marketing(const Dataset& d, int bins) {
  TripCurve c;
  const int p_rate = d.param("trip_rate"), p_rho = d.param("promo_sensitivity");
  if (p_rate < 0 || p_rho < 0 || d.marketing.empty() || bins < 1) return c;
  struct Cell {
    double m, trips, expected, rate, rho;
  };
  std::vector<Cell> cells;
  for (const auto& [hh, params] : d.params) {
    const double rate = params[p_rate], rho = params[p_rho];
    if (rate > 4) continue;
    const i32 home = d.home_store.at(hh);
    for (i32 w = 1; w <= d.weeks; ++w) {
      const auto mk = d.marketing.find(Dataset::key(home, 0, w));
      if (mk == d.marketing.end()) continue;
      const auto t = d.trips.find(Dataset::hh_key(hh, w));
      cells.push_back(Cell{mk->second, t == d.trips.end() ? 0.0 : t->second, rate * (1 + rho * mk->second), rate, rho});
    }
  }
  std::sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) { return a.m < b.m; });
  // The mean household's configured line a + b M (a = mean trip_rate, b = mean trip_rate x
  // promo_sensitivity), and each decile's observed trips less its households' own configured
  // rates, put on that line: which households sit in a decile then no longer bends either curve.
  double a = 0, slope = 0;
  for (const Cell& x : cells) a += x.rate, slope += x.rate * x.rho;
  if (!cells.empty()) a /= static_cast<double>(cells.size()), slope /= static_cast<double>(cells.size());
  for (int b = 0; b < bins && !cells.empty(); ++b) {
    const size_t lo = cells.size() * b / bins, hi = cells.size() * (b + 1) / bins;
    if (hi <= lo) continue;
    double m = 0, resid = 0;
    for (size_t i = lo; i < hi; ++i) m += cells[i].m, resid += cells[i].trips - cells[i].expected;
    const double n = static_cast<double>(hi - lo);
    c.m.push_back(m / n);
    c.expected.push_back(a + slope * m / n);
    c.observed.push_back(resid / n + a + slope * m / n);
  }
  return c;
}

// ---- promotion cells ------------------------------------------------------------------------------

double PromoUnits::baseline_weeks(size_t i, const Dataset& d) const {
  const u64 k = d.promotions.key[i];
  const size_t sp = static_cast<size_t>(PromotionTable::store_of(k)) * n_products + PromotionTable::product_of(k);
  return d.weeks - promo_weeks[sp];
}

PromoUnits promo_units(const Dataset& d) {
  PromoUnits pu;
  pu.n_products = d.n_products();
  const size_t cells = static_cast<size_t>(d.n_stores()) * d.n_products();
  pu.units.assign(d.promotions.size(), 0.0f);
  pu.base_units.assign(cells, 0.0);
  pu.promo_weeks.assign(cells, 0.0f);
  if (d.promotions.empty()) return pu;
  for (size_t i = 0; i < d.lines(); ++i) {
    const i64 p = d.line_promo[i];
    if (p >= 0) pu.units[static_cast<size_t>(p)] += static_cast<float>(d.quantity[i]);
    else pu.base_units[static_cast<size_t>(d.store_index[i]) * d.n_products() + d.product[i]] += d.quantity[i];
  }
  for (const u64 k : d.promotions.key)
    if (PromotionTable::week_of(k) <= d.weeks)
      pu.promo_weeks[static_cast<size_t>(PromotionTable::store_of(k)) * d.n_products() + PromotionTable::product_of(k)] += 1;
  return pu;
}

std::vector<Lift> lift_by_depth(const Dataset& d, const PromoUnits& pu, const PromoFilter& take,
                                const std::vector<float>& depths) {
  const size_t n = depths.size();
  std::vector<double> u(n, 0), b(n, 0), var_b(n, 0);
  for (size_t i = 0; i < d.promotions.size(); ++i) {
    const u64 k = d.promotions.key[i];
    const auto& p = d.promotions.promo[i];
    if (PromotionTable::week_of(k) > d.weeks) continue;
    size_t slot = n;
    for (size_t s = 0; s < n; ++s)
      if (std::fabs(p.depth - depths[s]) <= 1e-3) slot = s;
    if (slot == n || !take(p)) continue;
    const size_t sp = static_cast<size_t>(PromotionTable::store_of(k)) * pu.n_products + PromotionTable::product_of(k);
    const double nw = d.weeks - pu.promo_weeks[sp];
    if (nw < 10) continue;
    u[slot] += pu.units[i];
    const double bu = pu.base_units[sp];
    b[slot] += bu / nw;
    var_b[slot] += kUnitDispersion * bu / (nw * nw);
  }
  std::vector<Lift> out(n, Lift{kNaN, kNaN});
  for (size_t s = 0; s < n; ++s) {
    if (b[s] <= 0 || u[s] <= 0) continue;
    const double l = u[s] / b[s];
    out[s] = Lift{l - 1, l * std::sqrt(kUnitDispersion / u[s] + var_b[s] / (b[s] * b[s]))};
  }
  return out;
}

Lift display_lift(const Dataset& d, const PromoUnits& pu, const PromoFilter& take) {
  double lift_sum = 0, var_sum = 0;
  int n_depths = 0;
  for (const Lift& l : lift_by_depth(d, pu, take, {0.20f, 0.25f, 0.30f})) {
    if (std::isnan(l.lift)) continue;
    lift_sum += l.lift + 1;
    var_sum += l.se * l.se;
    ++n_depths;
  }
  if (n_depths == 0) return Lift{kNaN, kNaN};
  return Lift{lift_sum / n_depths - 1, std::sqrt(var_sum) / n_depths};
}

DisplayLifts display_lifts(const Dataset& d, const PromoUnits& pu) {
  DisplayLifts r;
  for (int t = 0; t < 4; ++t)
    r.by_type[t] = display_lift(d, pu, [t](const Dataset::Promo& p) { return p.display == t && !p.in_ad && !p.mailer; });
  r.ad = display_lift(d, pu, [](const Dataset::Promo& p) { return p.display == 0 && p.in_ad && !p.mailer; });
  r.no_ad = display_lift(d, pu, [](const Dataset::Promo& p) { return p.display == 0 && !p.in_ad && !p.mailer; });
  return r;
}

DisplayLifts display_lifts(const Dataset& d) { return display_lifts(d, promo_units(d)); }

bool lift_greater(const Lift& a, const Lift& b, double z) {
  return a.lift - b.lift > z * std::sqrt(a.se * a.se + b.se * b.se);
}

PromoFrequency promo_frequency(const Dataset& d) {
  PromoFrequency f;
  const i32 K = d.n_categories();
  std::vector<double> promoted(K, 0), products(K, 0);
  for (i32 j = 0; j < d.n_products(); ++j)
    if (d.product_category[j] >= 0) products[d.product_category[j]] += 1;
  for (const u64 k : d.promotions.key) {
    const i32 c = d.product_category[PromotionTable::product_of(k)];
    if (c >= 0 && PromotionTable::week_of(k) <= d.weeks) promoted[c] += 1;
  }
  const double cells_per_product = static_cast<double>(d.n_stores()) * d.weeks;
  for (i32 k = 0; k < K; ++k)
    if (products[k] > 0) f.share.push_back(promoted[k] / (products[k] * cells_per_product));
  std::vector<double> s = f.share;
  std::sort(s.begin(), s.end());
  if (s.empty()) return f;
  f.min = s.front(), f.max = s.back(), f.median = quantile_sorted(s, 0.5);
  f.in_range = std::count_if(s.begin(), s.end(), [](double x) { return x >= 0.10 && x <= 0.30; }) / double(s.size());
  return f;
}

DepthDistribution depth_distribution(const Dataset& d) {
  DepthDistribution r;
  std::map<int, u64> hist;
  double sum = 0, in = 0;
  r.min = 1, r.max = 0;
  for (const auto& p : d.promotions.promo) {
    ++hist[static_cast<int>(std::lround(p.depth * 100))];
    sum += p.depth;
    in += p.depth >= 0.10f - 1e-4f && p.depth <= 0.50f + 1e-4f;
    r.min = std::min<double>(r.min, p.depth), r.max = std::max<double>(r.max, p.depth);
  }
  r.percent_count.assign(hist.begin(), hist.end());
  const double n = static_cast<double>(d.promotions.size());
  if (n > 0) r.mean = sum / n, r.in_range = in / n;
  else r.min = r.max = r.mean = kNaN;
  return r;
}

CategoryLifts category_promo_lifts(const Dataset& d) {
  CategoryLifts r;
  if (d.popularity.empty()) return r;
  const size_t K = d.category_name.size(), S = d.store_ids.size(), W = static_cast<size_t>(d.weeks);
  std::vector<double> weight(K, 0);
  for (size_t j = 0; j < d.product_id.size(); ++j)
    if (d.product_category[j] >= 0) weight[d.product_category[j]] += std::exp(d.popularity[j]);
  // Dense (category, store, week) cells: K x S x W.
  auto cell = [&](size_t k, size_t s, size_t w) { return (k * S + s) * W + (w - 1); };
  std::vector<double> intensity(K * S * W, 0.0), units(K * S * W, 0.0);
  for (size_t i = 0; i < d.promotions.size(); ++i) {
    const u64 key = d.promotions.key[i];
    const i32 w = PromotionTable::week_of(key), j = PromotionTable::product_of(key);
    const i32 k = d.product_category[j];
    if (k < 0 || w < 1 || w > d.weeks) continue;
    intensity[cell(k, PromotionTable::store_of(key), w)] += std::exp(d.popularity[j]);
  }
  for (size_t i = 0; i < d.lines(); ++i)
    if (d.week[i] >= 1) units[cell(d.category_of_line(i), d.store_index[i], d.week[i])] += d.quantity[i];
  std::vector<std::pair<double, double>> cells;
  for (size_t k = 0; k < K; ++k) {
    if (weight[k] <= 0) continue;
    cells.clear();
    for (size_t s = 0; s < S; ++s)
      for (size_t w = 1; w <= W; ++w) {
        const size_t c = cell(k, s, w);
        cells.push_back({intensity[c] / weight[k], units[c]});
      }
    // Ties in intensity (mostly store-weeks with none of the category on promotion) keep their
    // (store, week) order: sorting them by units too would put the emptiest cells in the bottom third.
    std::stable_sort(cells.begin(), cells.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const size_t third = cells.size() / 3;
    double lo = 0, hi = 0;
    for (size_t c = 0; c < third; ++c) lo += cells[c].second, hi += cells[cells.size() - 1 - c].second;
    if (lo >= 30) r.lifts.push_back(hi / lo - 1);
  }
  std::sort(r.lifts.begin(), r.lifts.end());
  if (!r.lifts.empty())
    r.in_range = std::count_if(r.lifts.begin(), r.lifts.end(), [](double x) { return x >= 0.2 && x <= 1.0; }) /
                 double(r.lifts.size());
  return r;
}

// ---- stockpiling and the post-promotion dip ----------------------------------------------------------

double deep_quantity_ratio(const Dataset& d) {
  double q_deep = 0, n_deep = 0, q_reg = 0, n_reg = 0;
  for (size_t i = 0; i < d.lines(); ++i) {
    const Dataset::Promo* p = d.promo_of_line(i);
    if (!p) {
      q_reg += d.quantity[i];
      n_reg += 1;
    } else if (p->depth >= 0.30f - 1e-4f) {
      q_deep += d.quantity[i];
      n_deep += 1;
    }
  }
  if (n_deep == 0 || n_reg == 0) return kNaN;
  return (q_deep / n_deep) / (q_reg / n_reg);
}

double deep_quantity_ratio_observed(const Dataset& d) {
  double q_deep = 0, n_deep = 0, q_reg = 0, n_reg = 0;
  for (size_t i = 0; i < d.lines(); ++i) {
    if (d.quantity[i] <= 0) continue;  // real returns and voids
    const double dep = line_depth(d, i);
    if (d.disc_cents[i] == 0) {
      q_reg += d.quantity[i];
      n_reg += 1;
    } else if (dep >= 0.30 - 1e-4) {
      q_deep += d.quantity[i];
      n_deep += 1;
    }
  }
  if (n_deep == 0 || n_reg == 0) return kNaN;
  return (q_deep / n_deep) / (q_reg / n_reg);
}

QuantityByDepth quantity_by_line_depth(const Dataset& d) {
  constexpr int kBins = 12;  // 0 = no discount; b = (b-1)*5% .. b*5%; the last holds >= 50%
  std::vector<double> dep(kBins, 0), q(kBins, 0);
  std::vector<u64> n(kBins, 0);
  for (size_t i = 0; i < d.lines(); ++i) {
    if (d.quantity[i] <= 0) continue;
    const double x = line_depth(d, i);
    const int b = d.disc_cents[i] == 0 ? 0 : std::min(kBins - 1, 1 + static_cast<int>(x / 0.05 + 1e-9));
    dep[b] += x, q[b] += d.quantity[i], ++n[b];
  }
  QuantityByDepth r;
  for (int b = 0; b < kBins; ++b)
    if (n[b] >= 20) {
      r.depth.push_back(dep[b] / n[b]);
      r.quantity.push_back(q[b] / n[b]);
      r.lines.push_back(n[b]);
    }
  return r;
}

Dip post_promotion_dip(const Dataset& d) {
  // Lines as (household index, category, week, deep) keys, sorted: one run per household-category.
  const i32 W = d.weeks;
  std::vector<u64> keys(d.lines());
  for (size_t i = 0; i < d.lines(); ++i) {
    const Dataset::Promo* p = d.promo_of_line(i);
    const bool deep = p && p->depth >= 0.30f - 1e-4f && d.week[i] <= W - 2;
    keys[i] = (static_cast<u64>(d.hh[i]) << 40) | (static_cast<u64>(d.category_of_line(i)) << 20) |
              (static_cast<u64>(d.week[i]) << 1) | static_cast<u64>(deep);
  }
  std::sort(keys.begin(), keys.end());
  double obs = 0, exp = 0, var = 0;
  size_t events = 0;
  std::vector<u8> bought(W + 1, 0);
  std::vector<i32> ev;
  for (size_t a = 0; a < keys.size();) {
    size_t b = a;
    std::fill(bought.begin(), bought.end(), 0);
    ev.clear();
    while (b < keys.size() && (keys[b] >> 20) == (keys[a] >> 20)) {
      const i32 w = static_cast<i32>((keys[b] >> 1) & 0x7FFFF);
      if (w >= 0 && w <= W) bought[w] = 1;
      if ((keys[b] & 1) && (ev.empty() || ev.back() != w)) ev.push_back(w);
      ++b;
    }
    for (const i32 t : ev) {
      double other = 0;
      for (i32 w = 1; w <= W; ++w)
        if (w < t || w > t + 2) other += bought[w];
      const double p = other / (W - 3);
      obs += bought[t + 1] + bought[t + 2];
      exp += 2 * p;
      var += 2 * p * (1 - p);
      ++events;
    }
    a = b;
  }
  return Dip{obs, exp, std::sqrt(var), events};
}

// ---- reference prices and loss aversion --------------------------------------------------------------

Asymmetry loss_asymmetry(const Config& cfg, const Dataset& d) {
  // Regular-price moves from the output's price truth (truth/prices.csv regime levels).
  if (d.regime_level.empty()) throw InputError(d.dir + "/truth/prices.csv: needed for the gain/loss asymmetry");
  const i32 PW = d.price_weeks;
  const i32 weeks = std::min(d.weeks, PW);
  auto regime = [&](i32 j, i32 t) { return d.regime_level[static_cast<size_t>(j) * PW + t - 1]; };
  std::vector<double> units(static_cast<size_t>(d.n_products()) * (d.weeks + 1), 0.0);
  for (size_t i = 0; i < d.lines(); ++i) units[static_cast<size_t>(d.product[i]) * (d.weeks + 1) + d.week[i]] += d.quantity[i];
  // Moves with a stable price over the 11 weeks before, so the reference equals the old price.
  double up_after = 0, up_before = 0, down_after = 0, down_before = 0;
  for (i32 jj = 0; jj < d.n_products(); ++jj) {
    const i32 j = jj;
    for (i32 t = 13; t <= weeks; ++t) {
      const int now = regime(j, t), before = regime(j, t - 1);
      if (now == before) continue;
      bool stable = true;
      for (i32 a = 2; a <= 11; ++a) stable = stable && regime(j, t - a) == before;
      if (!stable) continue;
      const double after = units[static_cast<size_t>(jj) * (d.weeks + 1) + t];
      const double prior = units[static_cast<size_t>(jj) * (d.weeks + 1) + t - 1];
      if (now > before) up_after += after, up_before += prior;
      else down_after += after, down_before += prior;
    }
  }
  const double step = cfg.pricing.regime_step;
  const double gain_up = step, gain_down = 1 - 1 / (1 + step);  // |(R - p) / R| of a move
  const double fall = -std::log(up_after / up_before) / gain_up;
  const double rise = std::log(down_after / down_before) / gain_down;
  const double v_fall = kUnitDispersion * (1 / up_after + 1 / up_before) / (gain_up * gain_up);
  const double v_rise = kUnitDispersion * (1 / down_after + 1 / down_before) / (gain_down * gain_down);
  const double r = fall / rise;
  return Asymmetry{r, r * std::sqrt(v_fall / (fall * fall) + v_rise / (rise * rise))};
}

// ---- price response -------------------------------------------------------------------------------------

PriceResponse price_response(const Dataset& d, const PromoUnits& pu) {
  PriceResponse r;
  std::vector<float> depths;
  for (int pct = 10; pct <= 50; pct += 5) depths.push_back(pct / 100.0f);
  const auto plain = [](const Dataset::Promo& p) { return p.display == 0 && !p.in_ad && !p.mailer; };
  const std::vector<Lift> lifts = lift_by_depth(d, pu, plain, depths);
  // Weighted least squares of y = log(units ratio) on x = log(price ratio) = log(1 - depth).
  std::vector<double> xs, ys, ws;
  for (size_t s = 0; s < depths.size(); ++s) {
    if (std::isnan(lifts[s].lift) || lifts[s].lift <= -1) continue;
    r.depth.push_back(depths[s]);
    r.lift.push_back(lifts[s]);
    const double se_y = lifts[s].se / (1 + lifts[s].lift);
    xs.push_back(std::log(1.0 - depths[s]));
    ys.push_back(std::log(1 + lifts[s].lift));
    ws.push_back(se_y > 0 ? 1 / (se_y * se_y) : 0);
  }
  if (xs.size() >= 3) {
    double sw = 0, sx = 0, sy = 0;
    for (size_t i = 0; i < xs.size(); ++i) sw += ws[i], sx += ws[i] * xs[i], sy += ws[i] * ys[i];
    const double mx = sx / sw, my = sy / sw;
    double sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      sxx += ws[i] * (xs[i] - mx) * (xs[i] - mx);
      sxy += ws[i] * (xs[i] - mx) * (ys[i] - my);
      syy += ws[i] * (ys[i] - my) * (ys[i] - my);
    }
    r.elasticity = sxy / sxx;
    r.elasticity_se = std::sqrt(1 / sxx);
    r.r2 = syy > 0 ? sxy * sxy / (sxx * syy) : kNaN;
  } else {
    r.elasticity = r.elasticity_se = r.r2 = kNaN;
  }
  // The perception step at 20%: the rise from 15% to 20% beyond the slope on either side
  // (10->15% and 25->30%, which do not straddle the threshold).
  auto at = [&](float dep) -> int {
    for (size_t i = 0; i < r.depth.size(); ++i)
      if (std::fabs(r.depth[i] - dep) < 1e-3) return static_cast<int>(i);
    return -1;
  };
  const int i10 = at(0.10f), i15 = at(0.15f), i20 = at(0.20f), i25 = at(0.25f), i30 = at(0.30f);
  r.perception_jump = r.perception_se = kNaN;
  if (i10 >= 0 && i15 >= 0 && i20 >= 0 && i25 >= 0 && i30 >= 0) {
    auto y = [&](int i) { return std::log(1 + r.lift[i].lift); };
    auto v = [&](int i) { return std::pow(r.lift[i].se / (1 + r.lift[i].lift), 2); };
    auto x = [&](int i) { return std::log(1.0 - r.depth[i]); };
    const double s_before = (y(i15) - y(i10)) / (x(i15) - x(i10)), s_after = (y(i30) - y(i25)) / (x(i30) - x(i25));
    const double dx = x(i20) - x(i15);
    r.perception_jump = (y(i20) - y(i15)) - 0.5 * (s_before + s_after) * dx;
    const double c1 = 0.5 * dx / (x(i15) - x(i10)), c2 = 0.5 * dx / (x(i30) - x(i25));
    r.perception_se = std::sqrt(v(i20) + v(i15) + c1 * c1 * (v(i15) + v(i10)) + c2 * c2 * (v(i30) + v(i25)));
  }
  // Left-digit thresholds: units over the baseline, relative to the mean of the cell's class.
  struct ClassSum {
    double u = 0, e = 0;
  };
  std::map<u32, ClassSum> classes;
  auto class_of = [](const Dataset::Promo& p) {
    return (static_cast<u32>(std::lround(p.depth * 100)) << 8) | (static_cast<u32>(p.display) << 2) |
           (static_cast<u32>(p.in_ad) << 1) | p.mailer;
  };
  for (size_t i = 0; i < d.promotions.size(); ++i) {
    const auto& p = d.promotions.promo[i];
    if (PromotionTable::week_of(d.promotions.key[i]) > d.weeks) continue;
    const size_t sp = static_cast<size_t>(PromotionTable::store_of(d.promotions.key[i])) * pu.n_products +
                      PromotionTable::product_of(d.promotions.key[i]);
    const double nw = d.weeks - pu.promo_weeks[sp];
    if (nw < 10 || pu.base_units[sp] <= 0) continue;
    ClassSum& c = classes[class_of(p)];
    c.u += pu.units[i];
    c.e += pu.base_units[sp] / nw;
  }
  double uz = 0, ez = 0, un = 0, en = 0;
  for (size_t i = 0; i < d.promotions.size(); ++i) {
    const auto& p = d.promotions.promo[i];
    if (PromotionTable::week_of(d.promotions.key[i]) > d.weeks || in_left_digit_zone(p.base_cents)) continue;
    const size_t sp = static_cast<size_t>(PromotionTable::store_of(d.promotions.key[i])) * pu.n_products +
                      PromotionTable::product_of(d.promotions.key[i]);
    const double nw = d.weeks - pu.promo_weeks[sp];
    if (nw < 10 || pu.base_units[sp] <= 0) continue;
    const ClassSum& c = classes[class_of(p)];
    if (c.e <= 0 || c.u <= 0) continue;
    const double e = pu.base_units[sp] / nw * (c.u / c.e);
    if (in_left_digit_zone(p.shelf_cents)) uz += pu.units[i], ez += e;
    else un += pu.units[i], en += e;
  }
  r.left_digit_units = uz;
  if (uz > 0 && un > 0 && ez > 0 && en > 0) {
    r.left_digit_jump = std::log(uz / ez) - std::log(un / en);
    r.left_digit_se = std::sqrt(kUnitDispersion / uz + kUnitDispersion / un);
  } else {
    r.left_digit_jump = r.left_digit_se = kNaN;
  }
  return r;
}

// ---- heterogeneity ---------------------------------------------------------------------------------------

double promoted_spend_share_sd(const Dataset& d, int min_lines) {
  return promotion_heterogeneity(d, min_lines).sd;
}

Heterogeneity promotion_heterogeneity(const Dataset& d, int min_lines) {
  const size_t H = d.n_households();
  std::vector<double> promoted(H, 0), null_promoted(H, 0), total(H, 0);
  std::vector<int> lines(H, 0);
  double discounted = 0;
  for (size_t i = 0; i < d.lines(); ++i) discounted += d.disc_cents[i] > 0;
  const double p_line = d.lines() ? discounted / d.lines() : 0;
  for (size_t i = 0; i < d.lines(); ++i) {
    const size_t h = static_cast<size_t>(d.hh[i]);
    const double s = static_cast<double>(d.sales_cents[i]);
    total[h] += s;
    if (d.disc_cents[i] > 0) promoted[h] += s;
    if (hash_uniform(0x5eed, i) < p_line) null_promoted[h] += s;
    ++lines[h];
  }
  Heterogeneity r;
  for (size_t h = 0; h < H; ++h)
    if (lines[h] >= min_lines && total[h] > 0) {
      r.shares.push_back(promoted[h] / total[h]);
      r.null_shares.push_back(null_promoted[h] / total[h]);
    }
  r.households = r.shares.size();
  r.sd = sd_of(r.shares);
  r.sd_null = sd_of(r.null_shares);
  return r;
}

// ---- baskets ---------------------------------------------------------------------------------------------

Baskets baskets(const Dataset& d) {
  const size_t K = d.category_name.size();
  std::vector<u8> linked(K * K, 0);
  for (const auto& l : d.mission_linked)
    for (size_t a = 0; a < l.size(); ++a)
      for (size_t b = a + 1; b < l.size(); ++b) {
        const size_t x = std::min(l[a], l[b]), y = std::max(l[a], l[b]);
        linked[x * K + y] = 1;
      }
  std::vector<double> n_cat(K, 0), n_pair(K * K, 0);
  const std::vector<size_t> order = lines_by_basket(d);
  double over = 0, single = 0, lines = 0, dollars = 0, n_baskets = 0;
  std::vector<i32> c;
  for (size_t a = 0; a < order.size();) {
    size_t b = a;
    c.clear();
    while (b < order.size() && d.basket[order[b]] == d.basket[order[a]]) {
      c.push_back(d.category_of_line(order[b]));
      dollars += d.sales_cents[order[b]] / 100.0;
      ++b;
    }
    n_baskets += 1;
    lines += c.size();
    over += c.size() > 20;
    single += c.size() == 1;
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    for (i32 k : c) n_cat[k] += 1;
    for (size_t x = 0; x < c.size(); ++x)
      for (size_t y = x + 1; y < c.size(); ++y) {
        const size_t at = static_cast<size_t>(c[x]) * K + c[y];
        if (linked[at]) n_pair[at] += 1;
      }
    a = b;
  }
  const double N = n_baskets;
  std::vector<double> lifts;
  for (size_t x = 0; x < K; ++x)
    for (size_t y = x + 1; y < K; ++y) {
      const double n = n_pair[x * K + y];
      if (n >= 20) lifts.push_back(n * N / (n_cat[x] * n_cat[y]));
    }
  std::sort(lifts.begin(), lifts.end());
  Baskets r{over / N, single / N, lines / N, lifts.empty() ? 0.0 : lifts[lifts.size() / 2]};
  r.mean_dollars = dollars / N;
  const double span = d.weeks >= d.first_week ? d.weeks - d.first_week + 1 : 0;
  r.baskets_per_household_week = span > 0 && d.n_households() ? N / (span * d.n_households()) : kNaN;
  return r;
}

double discount_share(const Dataset& d) {
  double disc = 0, gross = 0;
  for (size_t i = 0; i < d.lines(); ++i) disc += d.disc_cents[i], gross += d.regular_cents(i);
  return gross > 0 ? disc / gross : kNaN;
}

double discounted_line_share(const Dataset& d) {
  double n = 0;
  for (size_t i = 0; i < d.lines(); ++i) n += d.disc_cents[i] > 0;
  return d.lines() ? n / d.lines() : kNaN;
}

double coupon_line_share(const Dataset& d) {
  if (d.coupon_cents.size() != d.lines() || d.lines() == 0) return kNaN;
  double n = 0;
  for (size_t i = 0; i < d.lines(); ++i) n += d.coupon_cents[i] > 0;
  return n / d.lines();
}

// ---- distributions compared with real data -------------------------------------------------------------

/// A household's distinct stores and its top store's share of `stores` (one entry per line).
static void store_mix(std::vector<i32>& stores, LikenessSample& r) {
  std::sort(stores.begin(), stores.end());
  size_t distinct = 0, top = 0;
  for (size_t a = 0; a < stores.size();) {
    size_t b = a;
    while (b < stores.size() && stores[b] == stores[a]) ++b;
    ++distinct;
    top = std::max(top, b - a);
    a = b;
  }
  r.stores_per_household.push_back(static_cast<double>(distinct));
  r.top_store_share.push_back(static_cast<double>(top) / static_cast<double>(stores.size()));
}

LikenessSample likeness_sample(const Dataset& d, const LikenessOptions& o) {
  LikenessSample r;
  // Per line: every line.
  r.quantity.reserve(d.lines());
  r.dollars.reserve(d.lines());
  for (size_t i = 0; i < d.lines(); ++i) {
    r.quantity.push_back(d.quantity[i]);
    r.dollars.push_back(d.sales_cents[i] / 100.0);
    if (d.quantity[i] > 0) r.unit_price.push_back(d.sales_cents[i] / 100.0 / d.quantity[i]);
    if (d.disc_cents[i] > 0) r.line_depth.push_back(line_depth(d, i));
  }
  // The kept lines, as (household, week, basket, category) sorted.
  struct L {
    i32 hh, week;
    i64 basket;
    i32 cat;
    size_t i;
  };
  std::vector<L> kept;
  for (size_t i = 0; i < d.lines(); ++i) {
    if (o.keep_rate < 1 && hash_uniform(o.seed, i) >= o.keep_rate) continue;
    if (o.keep_households < 1 && hash_uniform(o.seed ^ 0xA5A5A5A5ull, static_cast<u64>(d.hh[i])) >= o.keep_households)
      continue;
    kept.push_back(L{d.hh[i], d.week[i], d.basket[i], d.category_of_line(i), i});
  }
  r.kept_lines = kept.size();
  std::sort(kept.begin(), kept.end(), [](const L& a, const L& b) {
    return std::tie(a.hh, a.week, a.basket, a.cat) < std::tie(b.hh, b.week, b.basket, b.cat);
  });
  const i32 first = d.first_week, last = d.weeks, span = last >= first ? last - first + 1 : 0;
  std::vector<i32> weeks_visits(span > 0 ? span : 0);
  std::vector<i32> cats;
  // Lines per household count the weeks both datasets cover, so a longer run is not a heavier one.
  const i32 common_last = o.max_week > 0 ? first + o.max_week - 1 : last;
  std::vector<i32> stores;
  for (size_t a = 0; a < kept.size();) {  // one household
    size_t b = a;
    double common_lines = 0;
    stores.clear();
    std::fill(weeks_visits.begin(), weeks_visits.end(), 0);
    while (b < kept.size() && kept[b].hh == kept[a].hh) {
      size_t e = b;  // one household-week
      cats.clear();
      i32 visits = 0;
      while (e < kept.size() && kept[e].hh == kept[b].hh && kept[e].week == kept[b].week) {
        size_t f = e;  // one basket
        double dollars = 0, units = 0;
        while (f < kept.size() && kept[f].hh == kept[e].hh && kept[f].week == kept[e].week &&
               kept[f].basket == kept[e].basket) {
          dollars += d.sales_cents[kept[f].i] / 100.0;
          units += d.quantity[kept[f].i];
          cats.push_back(kept[f].cat);
          ++f;
        }
        r.lines_per_basket.push_back(static_cast<double>(f - e));
        r.dollars_per_basket.push_back(dollars);
        r.units_per_basket.push_back(units);
        ++visits;
        e = f;
      }
      const i32 w = kept[b].week;
      if (w >= first && w <= last) weeks_visits[w - first] = visits;
      r.lines_per_hh_week.push_back(static_cast<double>(e - b));
      if (w <= common_last) common_lines += static_cast<double>(e - b);
      if (w <= common_last)
        for (size_t x = b; x < e; ++x) stores.push_back(d.store_index[kept[x].i]);
      std::sort(cats.begin(), cats.end());
      r.categories_per_hh_week.push_back(static_cast<double>(std::unique(cats.begin(), cats.end()) - cats.begin()));
      b = e;
    }
    ++r.kept_households;
    if (common_lines > 0) r.lines_per_household.push_back(common_lines);
    if (stores.size() >= static_cast<size_t>(kMinStoreLines)) store_mix(stores, r);
    for (i32 v : weeks_visits) r.visits_per_hh_week.push_back(v);
    a = b;
  }
  // Category-pair lift over the kept baskets.
  const size_t K = d.category_name.size();
  std::sort(kept.begin(), kept.end(), [](const L& a, const L& b) { return std::tie(a.basket, a.cat) < std::tie(b.basket, b.cat); });
  std::vector<double> n_cat(K, 0), n_pair(K * K, 0);
  double n_baskets = 0;
  for (size_t a = 0; a < kept.size();) {
    size_t b = a;
    cats.clear();
    while (b < kept.size() && kept[b].basket == kept[a].basket) {
      if (cats.empty() || cats.back() != kept[b].cat) cats.push_back(kept[b].cat);
      ++b;
    }
    n_baskets += 1;
    for (i32 k : cats) n_cat[k] += 1;
    for (size_t x = 0; x < cats.size(); ++x)
      for (size_t y = x + 1; y < cats.size(); ++y) n_pair[static_cast<size_t>(cats[x]) * K + cats[y]] += 1;
    a = b;
  }
  for (size_t x = 0; x < K; ++x)
    for (size_t y = x + 1; y < K; ++y)
      if (n_pair[x * K + y] >= o.min_pair_support)
        r.category_pair_lift.push_back(n_pair[x * K + y] * n_baskets / (n_cat[x] * n_cat[y]));
  // Weeks between purchases of a category by a household (weeks in the common window only).
  const i32 wmax = o.max_week > 0 ? first + o.max_week - 1 : last;
  std::sort(kept.begin(), kept.end(), [](const L& a, const L& b) { return std::tie(a.hh, a.cat, a.week) < std::tie(b.hh, b.cat, b.week); });
  for (size_t a = 1; a < kept.size(); ++a) {
    const L &p = kept[a - 1], &q = kept[a];
    if (p.hh == q.hh && p.cat == q.cat && q.week != p.week && q.week <= wmax) r.weeks_between.push_back(q.week - p.week);
  }
  return r;
}

}  // namespace retailsynth
