#include "analysis/category_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "analysis/report_json.h"

namespace retailsynth {
namespace {

using json = nlohmann::json;
using report_json::fmt_num;
using report_json::num;
using report_json::nums;
using report_json::pct;
using report_json::series;

constexpr double kMinRealLines = 30;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const char* const kPerLine = "per line (comparable with a line sample)";
const char* const kSection = "categories";

/// A correlation as a score in [0, 1]: negative correlations score 0 (NaN stays NaN).
double score_of_r(double r) { return r < 0 ? 0.0 : r; }

json ours_real(double ours, double real) { return {{"ours", num(ours)}, {"real", num(real)}}; }

/// Indices of p ordered by real value, largest first.
std::vector<size_t> by_real_desc(const Paired& p) {
  std::vector<size_t> order(p.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p.real[a] > p.real[b]; });
  return order;
}

/// {name: {"ours", "real", "real_lines"}} for every entry of p.
json by_name(const Paired& p) {
  json o = json::object();
  for (size_t i = 0; i < p.size(); ++i) o[p.names[i]] = {{"ours", num(p.ours[i])}, {"real", num(p.real[i])}, {"real_lines", num(p.weight[i])}};
  return o;
}

/// "NAME ours% vs real%" for the entries `idx` of p.
std::string listed(const Paired& p, const std::vector<size_t>& idx, size_t n) {
  std::string s;
  for (size_t k = 0; k < idx.size() && k < n; ++k)
    s += fmt::format("{}{} {} vs {}", k ? ", " : "", p.names[idx[k]], pct(p.ours[idx[k]], 2), pct(p.real[idx[k]], 2));
  return s;
}

void category_share_row(const LineGroups& o, const LineGroups& r, json& rows, json& charts) {
  const CategoryShares c = category_shares(o, r, kMinRealLines);
  const std::vector<size_t> top = by_real_desc(c.shares);
  json largest = json::array();
  std::vector<std::string> names;
  for (size_t k = 0; k < top.size() && k < 10; ++k) {
    const size_t i = top[k];
    largest.push_back({{"name", c.shares.names[i]}, {"real", num(c.shares.real[i])}, {"ours", num(c.shares.ours[i])}});
    names.push_back(c.shares.names[i]);
  }
  const json figures = {{"r", num(c.r)}, {"categories", c.shares.size()}, {"missing_in_ours", c.missing}, {"min_real_lines", kMinRealLines},
                        {"floor_share", num(o.lines > 0 ? 0.5 / o.lines : NAN)}, {"largest_real", largest}};
  const std::string text = fmt::format(
      "{} categories with >= 30 real lines, {} absent from ours (floor share 0.5 line); 10 largest real (ours vs real): {}",
      c.shares.size(), c.missing, listed(c.shares, top, 10));
  rows.push_back(likeness_row("category_line_shares", "category line shares: r of log shares", score_of_r(c.r), 0.9,
                              ">= 0.90 (Pearson r of log shares, 0 if negative)", figures, fmt::format("r = {}; {}", fmt_num(c.r), text)));
  charts.push_back(scatter_chart(fmt::format("Category share of lines: r(log) = {}", fmt_num(c.r)), "share of lines", c.shares,
                                 true, names, "10 largest real categories"));
}

void department_mix_row(const LineGroups& o, const LineGroups& r, json& rows, json& charts) {
  const DepartmentMix m = department_mix(o, r);
  std::vector<size_t> gaps(m.shares.size());
  std::iota(gaps.begin(), gaps.end(), size_t{0});
  std::stable_sort(gaps.begin(), gaps.end(), [&](size_t a, size_t b) {
    return std::fabs(m.shares.ours[a] - m.shares.real[a]) > std::fabs(m.shares.ours[b] - m.shares.real[b]);
  });
  const std::string text = fmt::format("{} departments; largest gaps (ours vs real): {}", m.shares.size(), listed(m.shares, gaps, 3));
  rows.push_back(likeness_row("department_line_mix", "department line mix: 1 - total variation", m.score, 0.9, ">= 0.90 (1 - TV)",
                              {{"departments", by_name(m.shares)}}, text));
  charts.push_back(paired_bars_chart(fmt::format("Share of lines by department: 1 - TV = {}", fmt_num(m.score)), "share of lines",
                                     m.shares));
}

void price_level_row(const Dataset& ours, const Dataset& real, const LineGroups& o, const LineGroups& r, json& rows,
                     json& charts) {
  const PriceLevels p = category_price_levels(o, r, kMinRealLines);
  const double nine_o = shelf_price_not_nine_share(ours), nine_r = shelf_price_not_nine_share(real);
  const json figures = {{"r", num(p.r)},
                        {"categories", p.median.size()},
                        {"sd_log_unit_price_median", ours_real(p.spread_ours, p.spread_real)},
                        {"shelf_cents_not_ending_in_9", ours_real(nine_o, nine_r)},
                        {"median_unit_price", by_name(p.median)}};
  const std::string text = fmt::format(
      "{} categories (>= 30 real lines, in both); within-category sd of log unit price (median over categories): ours {}, "
      "real {}; shelf prices (QUANTITY = 1) whose cents do not end in 9: ours {}, real {}",
      p.median.size(), fmt_num(p.spread_ours), fmt_num(p.spread_real), pct(nine_o), pct(nine_r));
  rows.push_back(likeness_row("category_price_levels", "category price levels: r of log median unit price", score_of_r(p.r),
                              0.9, ">= 0.90 (Pearson r of log medians, 0 if negative)", figures,
                              fmt::format("r = {}; {}", fmt_num(p.r), text)));
  charts.push_back(scatter_chart(fmt::format("Median unit price by category: r(log) = {}", fmt_num(p.r)), "median unit price ($)",
                                 p.median, true));
}

void discount_row(const Dataset& ours, const Dataset& real, const LineGroups& o, const LineGroups& r, json& rows, json& charts) {
  const Paired dept = pair_groups(o.department, r.department, discounted_share_of, 0);
  const Paired cat = pair_groups(o.category, r.category, discounted_share_of, kMinRealLines);
  const double score = weighted_gap_score(dept), cat_score = weighted_gap_score(cat);
  const ProductDiscounting po = product_discounting(ours), pr = product_discounting(real);
  const json figures = {{"departments", by_name(dept)},
                        {"category_score", num(cat_score)},
                        {"categories", by_name(cat)},
                        {"products_with_10_lines", {{"ours", po.products}, {"real", pr.products}}},
                        {"products_always_discounted", ours_real(po.always, pr.always)},
                        {"products_never_discounted", ours_real(po.never, pr.never)}};
  const std::string text = fmt::format(
      "{} departments in both; per category ({} with >= 30 real lines, in both): 1 - weighted mean |gap| = {}; products with "
      ">= 10 lines (ours {}, real {}) always discounted: ours {}, real {}; never: ours {}, real {}",
      dept.size(), cat.size(), fmt_num(cat_score), po.products, pr.products, pct(po.always), pct(pr.always), pct(po.never),
      pct(pr.never));
  rows.push_back(likeness_row("discount_frequency", "discounted share of lines by department", score, 0.85,
                              ">= 0.85 (1 - mean |gap|, weighted by real lines)", figures, text));
  charts.push_back(paired_bars_chart(fmt::format("Discounted share of lines by department: score {}", fmt_num(score)),
                                     "share of lines with a retail discount", dept));
  charts.push_back(scatter_chart(fmt::format("Discounted share of lines by category: score {}", fmt_num(cat_score)),
                                 "share of lines with a retail discount", cat, false));
}

/// The counts of every department together (unit prices left out).
GroupLines all_lines(const LineGroups& g) {
  GroupLines t;
  for (const auto& [n, x] : g.department)
    t.lines += x.lines, t.discounted += x.discounted, t.counted += x.counted, t.multi += x.multi, t.units += x.units;
  return t;
}

void quantity_row(const LineGroups& o, const LineGroups& r, json& rows, json& charts) {
  const Paired multi = pair_groups(o.department, r.department, multi_unit_share_of, 0);
  const Paired mean = pair_groups(o.department, r.department, mean_quantity_of, 0);
  const GroupLines all_o = all_lines(o), all_r = all_lines(r);
  const double score = weighted_gap_score(multi);
  const json figures = {{"rule", fmt::format("lines with 0 < QUANTITY <= {}", kMaxCountedQuantity)},
                        {"lines_left_out", {{"ours", all_o.lines - all_o.counted}, {"real", all_r.lines - all_r.counted}}},
                        {"multi_unit_share", by_name(multi)},
                        {"mean_quantity", by_name(mean)},
                        {"overall_multi_unit_share", ours_real(multi_unit_share_of(all_o), multi_unit_share_of(all_r))},
                        {"overall_mean_quantity", ours_real(mean_quantity_of(all_o), mean_quantity_of(all_r))}};
  const std::string text = fmt::format(
      "lines with 0 < QUANTITY <= {} (left out: ours {:.0f}, real {:.0f} lines); {} departments in both; share with > 1 unit: "
      "ours {}, real {}; mean quantity: ours {}, real {}",
      kMaxCountedQuantity, all_o.lines - all_o.counted, all_r.lines - all_r.counted, multi.size(), pct(multi_unit_share_of(all_o)),
      pct(multi_unit_share_of(all_r)), fmt_num(mean_quantity_of(all_o), 2), fmt_num(mean_quantity_of(all_r), 2));
  rows.push_back(likeness_row("quantity_by_department", "share of lines with > 1 unit by department", score, 0.85,
                              ">= 0.85 (1 - mean |gap|, weighted by real lines)", figures, text));
  charts.push_back(paired_bars_chart(fmt::format("Lines with more than one unit by department: score {}", fmt_num(score)),
                                     "share of lines with QUANTITY > 1 (0 < QUANTITY <= 50)", multi));
}

/// Several products of one category in a basket: the same-category share of the basket's line pairs.
void basket_variety_row(const Dataset& ours, const Dataset& real, json& rows) {
  const BasketPairs o = basket_pairs(ours), r = basket_pairs(real);
  const double so = o.share(), sr = r.share();
  const double gap = std::isfinite(so) && std::isfinite(sr) && sr > 0 ? std::abs(so - sr) / sr : kNaN;
  const double score = std::isfinite(gap) ? std::max(0.0, 1.0 - gap) : kNaN;
  const json figures = {{"same_category_pair_share", ours_real(so, sr)},
                        {"pairs", ours_real(o.pairs, r.pairs)},
                        {"same_category_pairs", ours_real(o.same_category, r.same_category)}};
  const std::string text = fmt::format(
      "line pairs within a basket that share a category: ours {} of {:.0f}, real {} of {:.0f} (thinning-invariant)",
      pct(so, 2), o.pairs, pct(sr, 2), r.pairs);
  rows.push_back(likeness_row("same_category_pairs", "same-category share of within-basket line pairs", score, 0.7,
                              ">= 0.7 (within 30% of real)", figures, text));
}

}  // namespace

json likeness_row(const std::string& id, const std::string& name, double score, double threshold, const std::string& target,
                  json figures, const std::string& figures_text) {
  const bool missing = !std::isfinite(score);
  return {{"id", id},
          {"name", name},
          {"comparison", kPerLine},
          {"score", num(score)},
          {"ks", nullptr},
          {"mean_ours", nullptr},
          {"mean_real", nullptr},
          {"published", nullptr},
          {"published_name", ""},
          {"target", target},
          {"status", missing ? "n/a" : score >= threshold ? "pass" : "fail"},
          {"note", missing ? "too few groups with lines on both sides to compare" : ""},
          {"figures", std::move(figures)},
          {"figures_text", figures_text}};
}

void category_likeness(const Dataset& ours, const Dataset& real, json& rows, json& charts) {
  const LineGroups o = line_groups(ours), r = line_groups(real);
  category_share_row(o, r, rows, charts);
  department_mix_row(o, r, rows, charts);
  price_level_row(ours, real, o, r, rows, charts);
  discount_row(ours, real, o, r, rows, charts);
  quantity_row(o, r, rows, charts);
  basket_variety_row(ours, real, rows);
  for (auto& c : charts)
    if (!c.contains("section")) c["section"] = kSection;
}

json scatter_chart(const std::string& title, const std::string& axis, const Paired& p, bool log,
                   const std::vector<std::string>& highlight, const std::string& highlight_name) {
  std::vector<double> x, y, hx, hy;
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < p.size(); ++i) {
    if (log && (p.real[i] <= 0 || p.ours[i] <= 0)) continue;
    const bool h = std::find(highlight.begin(), highlight.end(), p.names[i]) != highlight.end();
    (h ? hx : x).push_back(p.real[i]);
    (h ? hy : y).push_back(p.ours[i]);
    lo = std::min({lo, p.real[i], p.ours[i]}), hi = std::max({hi, p.real[i], p.ours[i]});
  }
  json ser = json::array({series(highlight.empty() ? "categories" : "other categories", x, y, "points")});
  if (!hx.empty()) ser.push_back(series(highlight_name, hx, hy, "points"));
  // The diagonal a little beyond the points, so that none sits on an axis.
  if (log) lo /= 1.25, hi *= 1.25;
  else lo = lo >= 0 ? std::max(0.0, lo - 0.03 * (hi - lo)) : lo - 0.03 * (hi - lo), hi += 0.03 * (hi - lo);
  if (lo < hi) ser.push_back(series("ours = real", {lo, hi}, {lo, hi}, "line", {}, true));
  return {{"type", "xy"}, {"title", title}, {"x_label", axis + ", real"}, {"y_label", axis + ", RetailSynth"},
          {"log_x", log}, {"log_y", log}, {"series", ser}};
}

json paired_bars_chart(const std::string& title, const std::string& axis, const Paired& p) {
  json labels = json::array();
  std::vector<double> ours, real;
  for (size_t i : by_real_desc(p)) {
    labels.push_back(p.names[i]);
    ours.push_back(p.ours[i]);
    real.push_back(p.real[i]);
  }
  return {{"type", "hbars"}, {"title", title}, {"x_label", axis}, {"labels", labels},
          {"series", json::array({{{"name", "RetailSynth"}, {"y", nums(ours)}}, {{"name", "real"}, {"y", nums(real)}}})}};
}

}  // namespace retailsynth
