#include "world_table/learner.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <unordered_map>

#include "analysis/dataset.h"
#include "config.h"
#include "io/csv.h"
#include "seasonality/table.h"

namespace retailsynth {
namespace {

/// Type-7 quantile of sorted values (0 when empty).
double quantile(const std::vector<float>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const double h = p * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

double sd(const std::vector<float>& v) {
  if (v.size() < 2) return 0.0;
  double m = 0, s = 0;
  for (float x : v) m += x;
  m /= static_cast<double>(v.size());
  for (float x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

/// One group's lines (the whole store, a department or a category), before any figure.
struct Group {
  WorldRow row;
  double spend = 0;
  std::vector<i32> households;
  std::vector<float> log_price, log_paid, log_pl, log_national, depth;
  double qty_lines = 0, qty_sum = 0, qty_multi = 0, disc_lines = 0;
  double end_lines = 0, end9 = 0, end0 = 0, end5 = 0;
  double single_lines = 0, big_lines = 0;  // lines in baskets of 1 and of >= 3 merchandise lines
  std::unordered_map<i32, std::pair<i32, i32>> product_lines;  // product -> (lines, discounted)
  double deal_products = 0;

  void add(const Dataset& d, size_t i, bool private_label, i32 basket_lines) {
    row.lines += 1;
    single_lines += basket_lines == 1;
    big_lines += basket_lines >= 3;
    spend += static_cast<double>(d.sales_cents[i]);
    households.push_back(d.hh[i]);
    const bool disc = d.disc_cents[i] > 0;
    auto& pl = product_lines[d.product[i]];
    pl.first += 1;
    pl.second += disc;
    disc_lines += disc;
    if (disc && d.sales_cents[i] + d.disc_cents[i] > 0)
      depth.push_back(static_cast<float>(static_cast<double>(d.disc_cents[i]) / static_cast<double>(d.sales_cents[i] + d.disc_cents[i])));
    const i32 q = d.quantity[i];
    const i64 regular = d.regular_cents(i);
    if (q <= 0 || regular <= 0) return;
    const float lp = static_cast<float>(std::log(static_cast<double>(regular) / 100.0 / q));
    log_price.push_back(lp);
    (private_label ? log_pl : log_national).push_back(lp);
    if (d.sales_cents[i] > 0) log_paid.push_back(static_cast<float>(std::log(static_cast<double>(d.sales_cents[i]) / 100.0 / q)));
    if (q <= kMaxQuantity) qty_lines += 1, qty_sum += q, qty_multi += q > 1;
    if (q == 1) {
      const i64 cent = regular % 10;
      end_lines += 1, end9 += cent == 9, end0 += cent == 0, end5 += cent == 5;
    }
  }
};

/// The sample sizes behind a row's figures, for the shrinkage.
struct Evidence {
  double lines = 0, priced = 0, qty = 0, disc = 0, pl = 0, deal = 0, ends = 0;
};

/// The group's own figures (no shrinkage yet).
Evidence raw_figures(Group& g, double total_lines, double total_spend, double total_households) {
  WorldRow& r = g.row;
  Evidence e;
  e.lines = r.lines;
  r.line_share = total_lines > 0 ? r.lines / total_lines : 0;
  r.spend_share = total_spend > 0 ? g.spend / total_spend : 0;
  std::sort(g.households.begin(), g.households.end());
  r.household_share = total_households > 0
                          ? static_cast<double>(std::unique(g.households.begin(), g.households.end()) - g.households.begin()) / total_households
                          : 0;
  std::sort(g.log_price.begin(), g.log_price.end());
  std::sort(g.log_paid.begin(), g.log_paid.end());
  std::sort(g.log_pl.begin(), g.log_pl.end());
  std::sort(g.log_national.begin(), g.log_national.end());
  std::sort(g.depth.begin(), g.depth.end());
  e.priced = static_cast<double>(g.log_price.size());
  r.price_median = std::exp(quantile(g.log_price, 0.5));
  r.price_log_sd = sd(g.log_price);
  r.paid_median = std::exp(quantile(g.log_paid, 0.5));
  double paid_sum = 0;
  for (float lp : g.log_paid) paid_sum += std::exp(static_cast<double>(lp));
  r.paid_mean = g.log_paid.empty() ? 0.0 : paid_sum / static_cast<double>(g.log_paid.size());
  r.pl_share = e.priced > 0 ? static_cast<double>(g.log_pl.size()) / e.priced : 0;
  e.pl = static_cast<double>(std::min(g.log_pl.size(), g.log_national.size()));
  r.pl_price_ratio = e.pl > 0 ? std::exp(quantile(g.log_pl, 0.5) - quantile(g.log_national, 0.5)) : 1.0;
  e.qty = g.qty_lines;
  r.qty_mean = g.qty_lines > 0 ? g.qty_sum / g.qty_lines : 1.0;
  r.qty_multi_share = g.qty_lines > 0 ? g.qty_multi / g.qty_lines : 0.0;
  r.discount_share = r.lines > 0 ? g.disc_lines / r.lines : 0;
  e.disc = static_cast<double>(g.depth.size());
  for (int q = 0; q < kDepthQuantiles; ++q) r.depth_q[q] = quantile(g.depth, kDepthProbs[q]);
  double never = 0, always = 0;
  for (const auto& [p, n] : g.product_lines) {
    if (n.first < kDealMinLines) continue;
    e.deal += 1;
    never += n.second == 0;
    always += n.second == n.first;
  }
  r.never_deal_share = e.deal > 0 ? never / e.deal : 0;
  r.always_deal_share = e.deal > 0 ? always / e.deal : 0;
  e.ends = g.end_lines;
  r.end9_share = g.end_lines > 0 ? g.end9 / g.end_lines : 0;
  r.end0_share = g.end_lines > 0 ? g.end0 / g.end_lines : 0;
  r.end5_share = g.end_lines > 0 ? g.end5 / g.end_lines : 0;
  return e;
}

double pull(double own, double n, double parent, double n0) { return n + n0 > 0 ? (n * own + n0 * parent) / (n + n0) : parent; }
double pull_log(double own, double n, double parent, double n0) {
  return n > 0 ? std::exp(pull(std::log(own), n, std::log(parent), n0)) : parent;
}

/// Shrinks row `r` (with evidence `e`) toward its parent row `p`.
void shrink(WorldRow& r, const Evidence& e, const WorldRow& p, const WorldLearnOptions& opt) {
  const double n0 = opt.shrink_lines, nd = opt.deal_prior_products;
  r.price_median = pull_log(r.price_median, e.priced, p.price_median, n0 / 4);
  const double tail = pull_log(r.paid_median > 0 ? r.paid_mean / r.paid_median : 1.0, e.priced, p.paid_mean / p.paid_median, n0);
  r.paid_median = pull_log(r.paid_median, e.priced, p.paid_median, n0 / 4);
  r.paid_mean = r.paid_median * tail;
  r.price_log_sd = pull(r.price_log_sd, e.priced, p.price_log_sd, n0);
  r.pl_share = pull(r.pl_share, e.priced, p.pl_share, n0);
  r.pl_price_ratio = pull_log(r.pl_price_ratio, e.pl, p.pl_price_ratio, n0);
  r.qty_mean = pull(r.qty_mean, e.qty, p.qty_mean, n0);
  r.qty_multi_share = pull(r.qty_multi_share, e.qty, p.qty_multi_share, n0);
  r.discount_share = pull(r.discount_share, e.lines, p.discount_share, n0);
  for (int q = 0; q < kDepthQuantiles; ++q) r.depth_q[q] = pull(r.depth_q[q], e.disc, p.depth_q[q], n0);
  r.never_deal_share = pull(r.never_deal_share, e.deal, p.never_deal_share, nd);
  r.always_deal_share = pull(r.always_deal_share, e.deal, p.always_deal_share, nd);
  r.end9_share = pull(r.end9_share, e.ends, p.end9_share, n0);
  r.end0_share = pull(r.end0_share, e.ends, p.end0_share, n0);
  r.end5_share = pull(r.end5_share, e.ends, p.end5_share, n0);
  r.reliability = e.lines / (e.lines + n0);
}

/// The group's big_trip_ratio (learner.h), of a sample with `singles` lines in single-line baskets
/// and `bigs` in baskets of >= 3 lines.
double big_trip_ratio(const Group& g, double singles, double bigs, double prior_lines) {
  if (singles <= 0 || bigs <= 0 || g.row.lines <= 0) return 1.0;
  const double own = std::log((g.big_lines + 0.5) / bigs) - std::log((g.single_lines + 0.5) / singles);
  return std::exp(own * g.row.lines / (g.row.lines + prior_lines));
}

/// Merchandise lines of each line's basket.
std::vector<i32> basket_sizes(const Dataset& d) {
  std::unordered_map<i64, i32> n;
  for (size_t i = 0; i < d.lines(); ++i) ++n[d.basket[i]];
  std::vector<i32> out(d.lines());
  for (size_t i = 0; i < d.lines(); ++i) out[i] = n[d.basket[i]];
  return out;
}

/// Private-label flags by Dataset product index, from the product table.
std::vector<char> private_label_flags(const Dataset& d) {
  std::vector<char> pl(d.product_id.size(), 0);
  for (const ProductRow& r : read_product_table(d.products_file).rows) {
    const auto it = d.product_index.find(r.product_id);
    if (it != d.product_index.end()) pl[it->second] = r.private_label;
  }
  return pl;
}

}  // namespace

WorldTable learn_world(const WorldLearnOptions& opt, std::string* report) {
  const Dataset d = load_dataset(opt.data_dir);
  if (d.lines() == 0) throw InputError(opt.data_dir + ": no merchandise lines");
  const std::vector<char> pl = private_label_flags(d);
  const std::vector<i32> size = basket_sizes(d);
  Group all;
  std::map<std::string, Group> depts;
  std::vector<Group> cats(d.n_categories());
  for (size_t i = 0; i < d.lines(); ++i) {
    const i32 k = d.category_of_line(i);
    const bool priv = pl[d.product[i]] != 0;
    all.add(d, i, priv, size[i]);
    depts[d.category_department[k]].add(d, i, priv, size[i]);
    cats[k].add(d, i, priv, size[i]);
  }
  for (i32 j = 0; j < d.n_products(); ++j) {
    const i32 k = d.product_category[j];
    if (k < 0) continue;
    all.row.products += 1;
    depts[d.category_department[k]].row.products += 1;
    cats[k].row.products += 1;
  }
  const double L = all.row.lines, S = all.spend, H = static_cast<double>(d.n_households());
  WorldTable t;
  all.row.level = "all";
  raw_figures(all, L, S, H);
  all.row.big_trip_ratio = 1.0;  // its own shares: 1 by definition
  t.rows.push_back(all.row);
  const double singles = all.single_lines, bigs = all.big_lines;
  std::map<std::string, WorldRow> dept_rows;
  for (auto& [name, g] : depts) {
    if (g.row.lines == 0) continue;  // products only: nothing to learn
    g.row.level = "department";
    g.row.department = name;
    const Evidence e = raw_figures(g, L, S, H);
    shrink(g.row, e, all.row, opt);
    g.row.big_trip_ratio = big_trip_ratio(g, singles, bigs, opt.size_prior_lines);
    dept_rows[name] = g.row;
    t.rows.push_back(g.row);
  }
  std::vector<std::pair<std::string, i32>> order;
  for (i32 k = 0; k < d.n_categories(); ++k) order.push_back({d.category_name[k], k});
  std::sort(order.begin(), order.end());
  i32 kept = 0;
  for (const auto& [name, k] : order) {
    Group& g = cats[k];
    if (g.row.lines < std::max(1.0, opt.min_category_lines)) continue;
    g.row.level = "category";
    g.row.department = d.category_department[k];
    g.row.category = name;
    const Evidence e = raw_figures(g, L, S, H);
    shrink(g.row, e, dept_rows[g.row.department], opt);
    g.row.big_trip_ratio = big_trip_ratio(g, singles, bigs, opt.size_prior_lines);
    t.rows.push_back(g.row);
    ++kept;
  }
  t.index();
  if (report)
    *report = fmt::format("{}: {:.0f} merchandise lines, {:.0f} households, {} departments, {} categories "
                          "(at least {:.0f} lines); {} non-merchandise lines left out\n",
                          opt.data_dir, L, H, dept_rows.size(), kept, std::max(1.0, opt.min_category_lines),
                          d.skipped_non_merchandise);
  return t;
}

std::string run_learn_world(const WorldLearnOptions& opt, const std::string& out) {
  if (out.empty()) throw InputError("--out: required");
  std::string report;
  const WorldTable t = learn_world(opt, &report);
  const std::filesystem::path parent = std::filesystem::path(out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  write_text_file_atomic(out, t.to_csv());
  return report + "wrote " + out + "\n";
}

}  // namespace retailsynth
