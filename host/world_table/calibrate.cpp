#include "world_table/calibrate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <unordered_map>

#include <unistd.h>

#include "analysis/category_measures.h"
#include "analysis/dataset.h"
#include "config.h"
#include "seasonality/table.h"
#include "simulator.h"
#include "world_table/calibration.h"
#include "world_table/table.h"

namespace retailsynth {
namespace {

constexpr double kMinLines = 30;         // simulated lines a category needs for its promotion and price steps
constexpr double kMinKeptLines = 30;     // expected kept lines (thinned) a category needs for its trip-size step
// The trip-size step's slope d log(ratio) / d log(r), measured on the default world (seeds 1-5,
// 1,000 households x 52 weeks, every category's log r set to +0.3 or -0.3 at random: 0.69, alike
// for the 225 categories with 30 expected kept lines and for the 82 with 500): see size_step.
constexpr double kSizeSlope = 0.7;

double logit(double p) { return std::log(p / (1.0 - p)); }

double median(std::vector<float> v) {
  if (v.empty()) return NAN;
  const size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + m, v.end());
  return v[m];
}

struct CategoryStats {
  double lines = 0, discounted = 0;
  double single = 0, big = 0;  // expected lines kept in single-line and in >= 3-line kept baskets
  std::vector<float> log_paid;
};

/// Per basket size s, the expected kept lines of a line of it, kept with probability p, that end in
/// a kept basket of one line (p (1 - p)^(s - 1)) and of >= 3 lines (p P(Binomial(s - 1, p) >= 2)).
struct ThinningWeights {
  std::vector<double> single, big;
  ThinningWeights(double p, i32 max_size) : single(max_size + 1, 0.0), big(max_size + 1, 0.0) {
    for (i32 s = 1; s <= max_size; ++s) {
      const double none = std::pow(1 - p, s - 1), one = (s - 1) * p * std::pow(1 - p, s - 2);
      single[s] = p * none;
      big[s] = s >= 3 ? p * std::max(0.0, 1 - none - one) : 0.0;
    }
  }
};


/// What one simulated dataset (or several, pooled) shows.
struct SimStats {
  std::map<std::string, CategoryStats> categories;
  std::vector<float> depth;
  double lines = 0, baskets = 0, household_weeks = 0, sales = 0, gross = 0, discount = 0, single = 0, over20 = 0;
  double kept_single = 0, kept_big = 0;  // expected kept lines in single-line and >= 3-line kept baskets

  void add(const Dataset& d, double household_weeks_simulated, double line_rate) {
    household_weeks += household_weeks_simulated;
    std::unordered_map<i64, i32> basket_lines;
    i32 max_size = 1;
    for (size_t i = 0; i < d.lines(); ++i) max_size = std::max(max_size, ++basket_lines[d.basket[i]]);
    const ThinningWeights w(line_rate, max_size);
    for (size_t i = 0; i < d.lines(); ++i) {
      CategoryStats& c = categories[d.category_name[d.category_of_line(i)]];
      const i32 size = basket_lines[d.basket[i]];
      c.single += w.single[size], c.big += w.big[size];
      kept_single += w.single[size], kept_big += w.big[size];
      const i64 s = d.sales_cents[i], disc = d.disc_cents[i];
      c.lines += 1;
      c.discounted += disc > 0;
      if (d.quantity[i] > 0 && s > 0) c.log_paid.push_back(static_cast<float>(std::log(s / 100.0 / d.quantity[i])));
      if (disc > 0 && s + disc > 0) depth.push_back(static_cast<float>(static_cast<double>(disc) / static_cast<double>(s + disc)));
      lines += 1, sales += static_cast<double>(s), discount += static_cast<double>(disc);
      gross += static_cast<double>(d.regular_cents(i));
    }
    baskets += static_cast<double>(basket_lines.size());
    for (const auto& [b, n] : basket_lines) single += n == 1, over20 += n > 20;
  }
  void merge(const SimStats& o) {
    for (const auto& [name, c] : o.categories) {
      CategoryStats& m = categories[name];
      m.lines += c.lines, m.discounted += c.discounted, m.single += c.single, m.big += c.big;
      m.log_paid.insert(m.log_paid.end(), c.log_paid.begin(), c.log_paid.end());
    }
    depth.insert(depth.end(), o.depth.begin(), o.depth.end());
    lines += o.lines, baskets += o.baskets, household_weeks += o.household_weeks, sales += o.sales, gross += o.gross;
    discount += o.discount, single += o.single, over20 += o.over20;
    kept_single += o.kept_single, kept_big += o.kept_big;
  }
  /// Category c's log big-trip ratio (share of kept >= 3-line basket lines over share of kept
  /// single-line basket lines), NaN without kept lines of either kind.
  double log_size_ratio(const CategoryStats& c) const {
    if (c.single <= 0 || c.big <= 0 || kept_single <= 0 || kept_big <= 0) return NAN;
    return std::log(c.big / kept_big) - std::log(c.single / kept_single);
  }
  std::string basket_facts() const {
    return fmt::format("baskets/household-week {:.3f}, lines/basket {:.2f}, $/basket {:.2f}, single-line {:.1f}%, over 20 lines "
                       "{:.1f}%, discounts {:.1f}% of gross",
                       baskets / household_weeks, lines / baskets, sales / 100.0 / baskets, 100 * single / baskets,
                       100 * over20 / baskets, 100 * discount / gross);
  }
};

/// The categories of the world (the table's first scale.categories by lines).
std::vector<const WorldRow*> world_categories(const WorldTable& t, const Config& cfg) {
  std::vector<const WorldRow*> rows = t.categories_by_lines();
  if (static_cast<size_t>(cfg.scale.categories) < rows.size()) rows.resize(cfg.scale.categories);
  return rows;
}

/// Whether the trip-size step moves category `c` (kMinKeptLines expected kept lines, a finite ratio).
bool size_fits(const SimStats& s, const CategoryStats& c, double line_rate) {
  return line_rate * c.lines >= kMinKeptLines && std::isfinite(s.log_size_ratio(c));
}

/// The fit of pooled figures to the table: correlations of log line shares and of log paid
/// medians (categories with 30 table lines), the mean absolute gap of discounted shares (weighted
/// by table lines), the median depth, the lines per basket and, where the table has them, the
/// correlation and the mean absolute gap (weighted by table lines) of log big-trip ratios.
std::string fit_line(const std::vector<const WorldRow*>& rows, const WorldRow& all, const SimStats& s, double line_rate,
                     bool size_ratios) {
  std::vector<double> ts, ss, tp, sp, tz, sz;
  double gap = 0, weight = 0, zgap = 0, zweight = 0;
  for (const WorldRow* r : rows) {
    if (r->lines < kMinLines) continue;
    const auto it = s.categories.find(r->category);
    const CategoryStats none;
    const CategoryStats& c = it == s.categories.end() ? none : it->second;
    ts.push_back(std::log(r->line_share));
    ss.push_back(std::log(std::max(c.lines, 0.5) / s.lines));
    if (c.log_paid.size() >= kMinLines) tp.push_back(std::log(r->paid_median)), sp.push_back(median(c.log_paid));
    if (c.lines > 0) gap += r->lines * std::fabs(c.discounted / c.lines - r->discount_share), weight += r->lines;
    if (size_ratios && size_fits(s, c, line_rate)) {
      tz.push_back(std::log(r->big_trip_ratio)), sz.push_back(s.log_size_ratio(c));
      zgap += r->lines * std::fabs(tz.back() - sz.back()), zweight += r->lines;
    }
  }
  const std::string size =
      size_ratios ? fmt::format(", trip-size r {:.3f}, gap {:.3f}", pearson(tz, sz), zweight > 0 ? zgap / zweight : NAN) : "";
  return fmt::format("share r {:.3f}, price r {:.3f}, discounted share gap {:.3f}, median depth {:.3f} (table {:.3f}), "
                     "lines/basket {:.2f}, $/basket {:.2f}{}",
                     pearson(ts, ss), pearson(tp, sp), weight > 0 ? gap / weight : NAN, median(s.depth), all.depth_q[3],
                     s.lines / s.baskets, s.sales / 100.0 / s.baskets, size);
}

/// Mean over median of the paid unit prices behind `log_paid`.
double tail_ratio(const std::vector<float>& log_paid) {
  double sum = 0;
  for (float lp : log_paid) sum += std::exp(static_cast<double>(lp));
  return sum / static_cast<double>(log_paid.size()) / std::exp(median(log_paid));
}

/// The spread steps, toward each category's mean over median paid price (of a log-normal,
/// log(mean / median) = sd^2 / 2, so the log spread moves by half the log of the two logs' ratio):
/// categories with kMinSpreadLines simulated lines move by their own gap; the others by the
/// lines-weighted mean of those (the `all` row).
void spread_step(const std::vector<const WorldRow*>& rows, const SimStats& s, double damping, Calibration& cal) {
  constexpr double kMinSpreadLines = 100;
  std::map<std::string, double> own;
  double sum = 0, weight = 0;
  for (const WorldRow* r : rows) {
    const auto it = s.categories.find(r->category);
    if (it == s.categories.end() || it->second.log_paid.size() < kMinSpreadLines || r->paid_median <= 0) continue;
    const double target = std::log(std::max(r->paid_mean / r->paid_median, 1.001));
    const double got = std::log(std::max(tail_ratio(it->second.log_paid), 1.001));
    const double g = std::clamp(0.5 * std::log(target / got), -0.5, 0.5);
    own[r->category] = g;
    sum += r->lines * g, weight += r->lines;
  }
  const double mean = weight > 0 ? sum / weight : 0.0;
  cal.all.spread_log_shift += damping * mean;
  for (const auto& [name, g] : own) cal.categories[name].spread_log_shift += damping * (g - mean);
}

/// The trip-size steps: each category size_fits moves its log r by the gap of its log big-trip
/// ratio to the table's over kSizeSlope, times damping, capped at 0.5; then every category's log r
/// less their mean weighted by table lines (the ratios say how categories differ, not how big
/// trips are: that stays with the missions' shifts), within +-kMaxSizeLog.
void size_step(const std::vector<const WorldRow*>& rows, const SimStats& s, double damping, double line_rate, Calibration& cal) {
  constexpr double kMaxSizeLog = 2.0;
  for (const WorldRow* r : rows) {
    const auto it = s.categories.find(r->category);
    if (it == s.categories.end() || !size_fits(s, it->second, line_rate)) continue;
    const double gap = std::log(r->big_trip_ratio) - s.log_size_ratio(it->second);
    cal.categories[r->category].size_log_response += damping * std::clamp(gap / kSizeSlope, -0.5, 0.5);
  }
  double sum = 0, weight = 0;
  for (const WorldRow* r : rows) sum += r->lines * cal.category(r->category).size_log_response, weight += r->lines;
  const double mean = weight > 0 ? sum / weight : 0.0;
  for (const WorldRow* r : rows) {
    double& x = cal.categories[r->category].size_log_response;
    x = std::clamp(x - mean, -kMaxSizeLog, kMaxSizeLog);
  }
}

/// One damped step of every shift toward the table.
void step(const std::vector<const WorldRow*>& rows, const WorldRow& all, const SimStats& s, const CalibrateOptions& opt,
          bool size_ratios, Calibration& cal) {
  const double damping = opt.damping, lines_per_basket = opt.lines_per_basket;
  for (const WorldRow* r : rows) {
    CategoryCalibration& c = cal.categories[r->category];
    const auto it = s.categories.find(r->category);
    const CategoryStats none;
    const CategoryStats& st = it == s.categories.end() ? none : it->second;
    const double share = std::max(st.lines, 0.5) / s.lines;
    c.intercept_shift += damping * std::clamp(std::log(r->line_share / share), -1.5, 1.5);
    if (st.lines >= kMinLines) {
      const double target = std::clamp(r->discount_share, 0.01, 0.99), got = std::clamp(st.discounted / st.lines, 0.01, 0.99);
      c.promo_logit_shift += damping * std::clamp(logit(target) - logit(got), -2.0, 2.0);
    }
    if (st.log_paid.size() >= kMinLines)
      c.price_log_shift += damping * std::clamp(std::log(r->paid_median) - median(st.log_paid), -1.0, 1.0);
  }
  spread_step(rows, s, damping, cal);
  if (size_ratios) size_step(rows, s, damping, opt.line_rate, cal);
  // Keep every shift where a step can still undo it (a category whose always-on-deal products
  // alone exceed its discounted share would otherwise push its promotion logit without end).
  for (auto& [name, c] : cal.categories) {
    c.intercept_shift = std::clamp(c.intercept_shift, -8.0, 8.0);
    c.promo_logit_shift = std::clamp(c.promo_logit_shift, -6.0, 6.0);
    c.price_log_shift = std::clamp(c.price_log_shift, -3.0, 3.0);
    c.spread_log_shift = std::clamp(c.spread_log_shift, -1.0, 1.0);
  }
  if (lines_per_basket > 0) cal.all.intercept_shift += damping * std::log(lines_per_basket / (s.lines / s.baskets));
  // The median line depth moves by about -tilt x variance of the depths: step the tilt by the
  // median's gap over the table's variance (its interquartile range as a normal's).
  const double var = std::pow((all.depth_q[4] - all.depth_q[2]) / 1.349, 2.0);
  if (!s.depth.empty() && var > 0) cal.all.depth_tilt += damping * std::clamp((median(s.depth) - all.depth_q[3]) / var, -5.0, 5.0);
  cal.all.intercept_shift = std::clamp(cal.all.intercept_shift, -8.0, 8.0);
  cal.all.spread_log_shift = std::clamp(cal.all.spread_log_shift, -1.0, 1.0);
  cal.all.depth_tilt = std::clamp(cal.all.depth_tilt, -15.0, 15.0);
}

}  // namespace

std::string run_calibrate(const CalibrateOptions& opt) {
  if (opt.out.empty()) throw InputError("--out: required");
  if (opt.seeds.empty()) throw InputError("--seeds: at least one seed");
  const Config base = load_config(opt.config_path, opt.overrides);
  if (base.world.table.empty()) throw InputError(opt.config_path + ": world.table: calibrate needs a learned world");
  const WorldTable table = WorldTable::load(base.world.table);
  const std::vector<const WorldRow*> rows = world_categories(table, base);
  const bool fit_size = opt.size_response && table.has_big_trip_ratio;
  Calibration cal = base.world.calibration.empty() ? Calibration{} : Calibration::load(base.world.calibration);
  const std::filesystem::path work = std::filesystem::temp_directory_path() / fmt::format("retailsynth-calibrate-{}", ::getpid());
  std::filesystem::create_directories(work);
  const std::string cal_path = (work / "calibration.csv").string();
  std::string report;
  for (int round = 1; round <= opt.rounds + 1; ++round) {  // the last pass only measures
    write_text_file_atomic(cal_path, cal.to_csv());
    SimStats pooled;
    std::vector<std::string> per_seed;
    for (const u64 seed : opt.seeds) {
      GenerateOptions g;
      g.config_path = opt.config_path;
      g.overrides = opt.overrides;
      for (const std::string& o : {fmt::format("scale.households={}", opt.households), fmt::format("scale.weeks={}", opt.weeks),
                                   "world.calibration=" + cal_path})
        g.overrides.push_back(o);
      g.seed = seed;
      g.out_dir = (work / "run").string();
      g.force = g.quiet = true;
      generate(g);
      SimStats s;
      s.add(load_dataset(g.out_dir), static_cast<double>(opt.households) * opt.weeks, opt.line_rate);
      per_seed.push_back(fmt::format("  seed {}: {}\n", seed, s.basket_facts()));
      pooled.merge(s);
    }
    const bool last = round == opt.rounds + 1;
    const std::string line = fmt::format("{} {}: {}\n", last ? "result" : "round", last ? opt.rounds : round, fit_line(rows, table.all(), pooled, opt.line_rate, fit_size));
    report += line;
    if (!opt.quiet) std::fputs(line.c_str(), stderr);
    if (last) {
      for (const std::string& s : per_seed) report += s;
      break;
    }
    step(rows, table.all(), pooled, opt, fit_size, cal);
  }
  std::filesystem::remove_all(work);
  const std::filesystem::path parent = std::filesystem::path(opt.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  write_text_file_atomic(opt.out, cal.to_csv());
  return report + "wrote " + opt.out + "\n";
}

}  // namespace retailsynth
