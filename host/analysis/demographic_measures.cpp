#include "analysis/demographic_measures.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

namespace retailsynth {
namespace {

bool has_kids(const DemographicValues& v) { return household_kids(v[6], "") > 0; }
bool large(const DemographicValues& v) { return household_persons(v[5], "") >= 3; }

double ratio(double a, double b) { return b > 0 ? a / b : kNoTie; }

constexpr int kTieGroups = 10;

}  // namespace

DemographicMargins demographic_margins(const std::map<i64, DemographicValues>& demo) {
  DemographicMargins m;
  for (const auto& [key, v] : demo)
    for (int f = 0; f < kDemographicFields; ++f) m[f][v[f]] += 1.0 / static_cast<double>(demo.size());
  return m;
}

double largest_margin_gap(const DemographicMargins& a, const DemographicMargins& b, std::string* where) {
  double gap = 0;
  for (int f = 0; f < kDemographicFields; ++f) {
    std::set<std::string> values;
    for (const auto& [v, s] : a[f]) values.insert(v);
    for (const auto& [v, s] : b[f]) values.insert(v);
    for (const std::string& v : values) {
      const double x = a[f].count(v) ? a[f].at(v) : 0.0, y = b[f].count(v) ? b[f].at(v) : 0.0;
      if (std::fabs(x - y) > gap) {
        gap = std::fabs(x - y);
        if (where) *where = std::string(kDemographicColumns[f]) + " = " + v;
      }
    }
  }
  return gap;
}

KidsRatios kids_ratios(const Dataset& d) {
  const i32 K = d.n_categories();
  std::vector<double> n1(K, 0), n0(K, 0);
  double N1 = 0, N0 = 0;
  std::vector<int> kids_of(d.n_households(), -1);  // per household index: 1 children, 0 none, -1 no row
  for (size_t h = 0; h < d.n_households(); ++h)
    if (const auto it = d.demographics.find(d.household_keys[h]); it != d.demographics.end()) kids_of[h] = has_kids(it->second);
  for (size_t i = 0; i < d.lines(); ++i) {
    if (kids_of[d.hh[i]] < 0) continue;
    const bool kids = kids_of[d.hh[i]] == 1;
    (kids ? n1 : n0)[d.category_of_line(i)] += 1;
    (kids ? N1 : N0) += 1;
  }
  std::vector<i32> order(K);
  for (i32 k = 0; k < K; ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](i32 a, i32 b) { return d.category_name[a] < d.category_name[b]; });
  KidsRatios r;
  for (i32 k : order) {
    const double n = n1[k] + n0[k];
    if (n == 0 || N1 == 0 || N0 == 0) continue;
    const double rel = n / (n + kKidsShrinkLines);
    // Half a line on each side keeps a category seen on one side only finite.
    const double lr = std::log((n1[k] + 0.5) / N1) - std::log((n0[k] + 0.5) / N0);
    r.category.push_back(d.category_name[k]);
    r.log_ratio.push_back(std::clamp(rel * lr, -10.0, 10.0));
    r.lines_kids.push_back(n1[k]);
    r.lines_no_kids.push_back(n0[k]);
    r.reliability.push_back(rel);
  }
  return r;
}

std::vector<std::string> strong_kid_categories(const KidsRatios& r) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.category.size(); ++i)
    if (r.log_ratio[i] >= 0.3 && r.lines_kids[i] + r.lines_no_kids[i] >= 60) out.push_back(r.category[i]);
  return out;
}

/// What the ties read of a dataset, prepared once for all the groups: per household index its
/// row's figures (row < 0: no demographics row), per category whether it is a children's one and
/// its median log unit price (over every line, for the income tie).
struct TieInputs {
  std::vector<u8> has_row, kids, large, is_kid;
  std::vector<double> log_income, median;
  TieInputs(const Dataset& d, const std::vector<std::string>& kid_categories) {
    const size_t H = d.n_households();
    const i32 K = d.n_categories();
    has_row.assign(H, 0), kids.assign(H, 0), large.assign(H, 0), log_income.assign(H, 0.0);
    for (size_t h = 0; h < H; ++h) {
      const auto it = d.demographics.find(d.household_keys[h]);
      if (it == d.demographics.end()) continue;
      has_row[h] = 1;
      kids[h] = has_kids(it->second);
      large[h] = retailsynth::large(it->second);
      log_income[h] = std::log(income_thousands(it->second[2], ""));
    }
    is_kid.assign(K, 0);
    for (i32 k = 0; k < K; ++k)
      is_kid[k] = std::find(kid_categories.begin(), kid_categories.end(), d.category_name[k]) != kid_categories.end();
    std::vector<std::vector<double>> lp(K);
    for (size_t i = 0; i < d.lines(); ++i)
      if (d.quantity[i] > 0 && d.sales_cents[i] > 0) lp[d.category_of_line(i)].push_back(log_unit_price(d, i));
    median.assign(K, 0.0);
    for (i32 k = 0; k < K; ++k)
      if (!lp[k].empty()) {
        std::nth_element(lp[k].begin(), lp[k].begin() + lp[k].size() / 2, lp[k].end());
        median[k] = lp[k][lp[k].size() / 2];
      }
  }
  static double log_unit_price(const Dataset& d, size_t i) { return std::log(d.sales_cents[i] / 100.0 / d.quantity[i]); }
};

/// The ties over the households whose key is `group` mod kTieGroups (every household: group -1).
DemographicTies ties_of(const Dataset& d, const TieInputs& in, int group) {
  DemographicTies t;
  double kid[2] = {0, 0}, all[2] = {0, 0}, multi[2] = {0, 0}, lines[2] = {0, 0};
  double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
  std::vector<u8> seen(d.n_households(), 0);
  double households[2] = {0, 0};
  for (size_t i = 0; i < d.lines(); ++i) {
    const i32 h = d.hh[i];
    if (!in.has_row[h] || (group >= 0 && d.household[i] % kTieGroups != group)) continue;
    const i32 k = d.category_of_line(i);
    const int c = in.kids[h], s = in.large[h];
    kid[c] += in.is_kid[k];
    all[c] += 1;
    multi[s] += d.quantity[i] > 1;
    lines[s] += 1;
    if (!seen[h]) seen[h] = 1, households[s] += 1;
    if (d.quantity[i] > 0 && d.sales_cents[i] > 0) {
      const double x = in.log_income[h], y = TieInputs::log_unit_price(d, i) - in.median[k];
      sx += x, sy += y, sxx += x * x, sxy += x * y, n += 1;
    }
  }
  t.households = households[0] + households[1];
  t.kids_share_ratio = ratio(ratio(kid[1], all[1]), ratio(kid[0], all[0]));
  const double var = sxx / n - (sx / n) * (sx / n);
  t.income_price_slope = n > 2 && var > 0 ? (sxy / n - (sx / n) * (sy / n)) / var : kNoTie;
  t.lines_size_ratio = ratio(ratio(lines[1], households[1]), ratio(lines[0], households[0]));
  t.multi_unit_size_ratio = ratio(ratio(multi[1], lines[1]), ratio(multi[0], lines[0]));
  return t;
}

DemographicTies demographic_ties(const Dataset& d, const std::vector<std::string>& kid_categories) {
  const TieInputs in(d, kid_categories);
  DemographicTies t = ties_of(d, in, -1);
  // Each tie's standard error: the spread of the groups' figures (a grouped jackknife would scale
  // it alike), over sqrt of their number.
  double* fig[4] = {&t.kids_share_ratio, &t.income_price_slope, &t.lines_size_ratio, &t.multi_unit_size_ratio};
  double* se[4] = {&t.kids_share_ratio_se, &t.income_price_slope_se, &t.lines_size_ratio_se, &t.multi_unit_size_ratio_se};
  double sum[4] = {0, 0, 0, 0}, sum2[4] = {0, 0, 0, 0}, n[4] = {0, 0, 0, 0};
  for (int g = 0; g < kTieGroups; ++g) {
    DemographicTies x = ties_of(d, in, g);
    double* xf[4] = {&x.kids_share_ratio, &x.income_price_slope, &x.lines_size_ratio, &x.multi_unit_size_ratio};
    for (int m = 0; m < 4; ++m)
      if (std::isfinite(*xf[m])) sum[m] += *xf[m], sum2[m] += *xf[m] * *xf[m], n[m] += 1;
  }
  for (int m = 0; m < 4; ++m) {
    const double mean = n[m] > 1 ? sum[m] / n[m] : 0;
    *se[m] = n[m] > 1 && std::isfinite(*fig[m]) ? std::sqrt(std::max(0.0, sum2[m] / n[m] - mean * mean) * n[m] / (n[m] - 1) / n[m])
                                                : kNoTie;
  }
  return t;
}

}  // namespace retailsynth
