#include "analysis/category_measures.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <unordered_map>

namespace retailsynth {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void count_line(const Dataset& d, size_t i, GroupLines& g) {
  g.lines += 1;
  g.discounted += d.disc_cents[i] > 0;
  const i32 q = d.quantity[i];
  if (q > 0 && q <= kMaxCountedQuantity) {
    g.counted += 1;
    g.multi += q > 1;
    g.units += q;
  }
  if (q > 0 && d.sales_cents[i] > 0) g.unit_price.push_back(d.sales_cents[i] / 100.0 / q);
}

/// The sample sd of log x (x > 0); NaN below 2 values.
double sd_log(const std::vector<double>& x) {
  if (x.size() < 2) return kNaN;
  double m = 0;
  for (double v : x) m += std::log(v);
  m /= static_cast<double>(x.size());
  double s = 0;
  for (double v : x) s += (std::log(v) - m) * (std::log(v) - m);
  return std::sqrt(s / static_cast<double>(x.size() - 1));
}

double median_of(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  std::sort(v.begin(), v.end());
  return median_sorted(v);
}

}  // namespace

LineGroups line_groups(const Dataset& d) {
  LineGroups g;
  std::vector<GroupLines> by_cat(d.category_name.size()), by_dept(d.department_name.size());
  for (size_t i = 0; i < d.lines(); ++i) {
    count_line(d, i, by_cat[static_cast<size_t>(d.category_of_line(i))]);
    count_line(d, i, by_dept[static_cast<size_t>(d.department_of_line(i))]);
  }
  g.lines = static_cast<double>(d.lines());
  // Names are unique within a dataset (a category is its commodity name, a department its name).
  auto keep = [](std::vector<GroupLines>& from, const std::vector<std::string>& names, std::map<std::string, GroupLines>& to) {
    for (size_t k = 0; k < from.size(); ++k) {
      if (from[k].lines == 0) continue;
      std::sort(from[k].unit_price.begin(), from[k].unit_price.end());
      to[names[k]] = std::move(from[k]);
    }
  };
  keep(by_cat, d.category_name, g.category);
  keep(by_dept, d.department_name, g.department);
  return g;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = std::min(x.size(), y.size());
  if (n < 2) return kNaN;
  const double mx = std::accumulate(x.begin(), x.begin() + n, 0.0) / n, my = std::accumulate(y.begin(), y.begin() + n, 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : kNaN;
}

double median_sorted(const std::vector<double>& s) {
  if (s.empty()) return kNaN;
  const size_t n = s.size();
  return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

Paired pair_groups(const std::map<std::string, GroupLines>& ours, const std::map<std::string, GroupLines>& real,
                   const GroupValue& value, double min_real_lines) {
  Paired p;
  for (const auto& [name, r] : real) {
    if (r.lines < min_real_lines) continue;
    const auto o = ours.find(name);
    if (o == ours.end()) continue;
    const double vo = value(o->second), vr = value(r);
    if (!std::isfinite(vo) || !std::isfinite(vr)) continue;
    p.names.push_back(name);
    p.ours.push_back(vo);
    p.real.push_back(vr);
    p.weight.push_back(r.lines);
  }
  return p;
}

double weighted_gap_score(const Paired& p) {
  double gap = 0, w = 0;
  for (size_t i = 0; i < p.size(); ++i) gap += p.weight[i] * std::fabs(p.ours[i] - p.real[i]), w += p.weight[i];
  return w > 0 ? 1 - gap / w : kNaN;
}

CategoryShares category_shares(const LineGroups& ours, const LineGroups& real, double min_real_lines) {
  CategoryShares c;
  const double floor_share = ours.lines > 0 ? 0.5 / ours.lines : kNaN;
  std::vector<double> lo, lr;
  for (const auto& [name, r] : real.category) {
    if (r.lines < min_real_lines) continue;
    const auto o = ours.category.find(name);
    const bool present = o != ours.category.end();
    c.missing += !present;
    c.shares.names.push_back(name);
    c.shares.ours.push_back(present ? o->second.lines / ours.lines : floor_share);
    c.shares.real.push_back(r.lines / real.lines);
    c.shares.weight.push_back(r.lines);
    lo.push_back(std::log(c.shares.ours.back()));
    lr.push_back(std::log(c.shares.real.back()));
  }
  c.r = pearson(lo, lr);
  return c;
}

DepartmentMix department_mix(const LineGroups& ours, const LineGroups& real) {
  DepartmentMix m;
  std::set<std::string> names;
  for (const auto& [n, g] : ours.department) names.insert(n);
  for (const auto& [n, g] : real.department) names.insert(n);
  double tv = 0;
  for (const std::string& n : names) {
    const auto o = ours.department.find(n), r = real.department.find(n);
    const double so = o == ours.department.end() ? 0 : o->second.lines / ours.lines;
    const double sr = r == real.department.end() ? 0 : r->second.lines / real.lines;
    m.shares.names.push_back(n);
    m.shares.ours.push_back(so);
    m.shares.real.push_back(sr);
    m.shares.weight.push_back(r == real.department.end() ? 0 : r->second.lines);
    tv += std::fabs(so - sr) / 2;
  }
  m.score = names.empty() ? kNaN : 1 - tv;
  return m;
}

PriceLevels category_price_levels(const LineGroups& ours, const LineGroups& real, double min_real_lines) {
  PriceLevels p;
  p.median = pair_groups(ours.category, real.category, [](const GroupLines& g) { return median_sorted(g.unit_price); },
                         min_real_lines);
  std::vector<double> lo, lr, so, sr;
  for (size_t i = 0; i < p.median.size(); ++i) {
    lo.push_back(std::log(p.median.ours[i]));
    lr.push_back(std::log(p.median.real[i]));
    so.push_back(sd_log(ours.category.at(p.median.names[i]).unit_price));
    sr.push_back(sd_log(real.category.at(p.median.names[i]).unit_price));
  }
  p.r = pearson(lo, lr);
  p.spread_ours = median_of(so);
  p.spread_real = median_of(sr);
  return p;
}

double shelf_price_not_nine_share(const Dataset& d) {
  double n = 0, not_nine = 0;
  for (size_t i = 0; i < d.lines(); ++i) {
    if (d.quantity[i] != 1 || d.regular_cents(i) <= 0) continue;
    n += 1;
    not_nine += d.regular_cents(i) % 10 != 9;
  }
  return n > 0 ? not_nine / n : kNaN;
}

double shallow_discount_share(const Dataset& d, double depth) {
  double n = 0, shallow = 0;
  for (size_t i = 0; i < d.lines(); ++i) {
    if (d.disc_cents[i] <= 0) continue;
    const double gross = static_cast<double>(d.regular_cents(i));
    n += 1;
    shallow += gross > 0 && d.disc_cents[i] / gross < depth;
  }
  return n > 0 ? shallow / n : kNaN;
}

double BasketPairs::share() const { return pairs > 0 ? same_category / pairs : kNaN; }

BasketPairs basket_pairs(const Dataset& d) {
  std::vector<std::pair<i64, i32>> lines(d.lines());  // (basket, category)
  for (size_t i = 0; i < d.lines(); ++i) lines[i] = {d.basket[i], d.product_category[d.product[i]]};
  std::sort(lines.begin(), lines.end());
  BasketPairs p;
  for (size_t b = 0; b < lines.size();) {  // one basket
    size_t e = b;
    while (e < lines.size() && lines[e].first == lines[b].first) ++e;
    const double n = static_cast<double>(e - b);
    p.pairs += n * (n - 1) / 2;
    for (size_t c = b; c < e;) {  // one category of it
      size_t f = c;
      while (f < e && lines[f].second == lines[c].second) ++f;
      const double m = static_cast<double>(f - c);
      p.same_category += lines[c].second >= 0 ? m * (m - 1) / 2 : 0.0;
      c = f;
    }
    b = e;
  }
  return p;
}

ProductDiscounting product_discounting(const Dataset& d, int min_lines) {
  std::vector<u32> lines(static_cast<size_t>(d.n_products()), 0), discounted(lines.size(), 0);
  for (size_t i = 0; i < d.lines(); ++i) {
    ++lines[static_cast<size_t>(d.product[i])];
    discounted[static_cast<size_t>(d.product[i])] += d.disc_cents[i] > 0;
  }
  ProductDiscounting r;
  double always = 0, never = 0;
  for (size_t j = 0; j < lines.size(); ++j) {
    if (lines[j] < static_cast<u32>(min_lines)) continue;
    ++r.products;
    always += discounted[j] == lines[j];
    never += discounted[j] == 0;
  }
  if (r.products == 0) return ProductDiscounting{kNaN, kNaN, 0};
  r.always = always / r.products;
  r.never = never / r.products;
  return r;
}

double discounted_share_of(const GroupLines& g) { return g.lines > 0 ? g.discounted / g.lines : kNaN; }
double multi_unit_share_of(const GroupLines& g) { return g.counted > 0 ? g.multi / g.counted : kNaN; }
double mean_quantity_of(const GroupLines& g) { return g.counted > 0 ? g.units / g.counted : kNaN; }

Concentration line_concentration(const std::vector<double>& v) {
  Concentration c;
  c.households = v.size();
  if (v.size() < 2) return Concentration{kNaN, kNaN, v.size()};
  const double total = std::accumulate(v.begin(), v.end(), 0.0), mean = total / v.size();
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  c.cv = std::sqrt(ss / (v.size() - 1)) / mean;
  std::vector<double> s = v;
  std::sort(s.begin(), s.end(), std::greater<>());
  const size_t top = (v.size() + 9) / 10;
  c.top10_share = std::accumulate(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(top), 0.0) / total;
  return c;
}

}  // namespace retailsynth
