#include "analysis/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <array>
#include <memory>
#include <tuple>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "analysis/calendar_measures.h"
#include "analysis/demographic_measures.h"
#include "analysis/category_measures.h"
#include "analysis/category_report.h"
#include "analysis/dataset.h"
#include "analysis/metrics.h"
#include "analysis/report_html.h"
#include "analysis/report_json.h"
#include "config.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace retailsynth {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Full CompleteJourney 2.0: 1,469,307 lines of 2,469 households over 53 weeks (the completejourney
// R package's documentation of get_transactions()).  Its 75,000-line transactions_sample is a
// random sample of those lines, so a real file far below this density is a line sample.
constexpr double kFullCj2LinesPerHouseholdWeek = 1469307.0 / (2469.0 * 53.0);

// Published facts of dunnhumby's full TCJ (DESIGN §7) and the published RetailSynth fit (Xia et al.
// 2023, 1 - KS against TCJ).
constexpr double kTcjBasketsPerHouseholdWeek = 1.08, kTcjLinesPerBasket = 9.4, kTcjDollarsPerBasket = 29.14,
                 kTcjDiscountShare = 0.15, kTcjSingleLineShare = 0.22, kTcjOver20Share = 0.13;

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

using report_json::fmt_num;
using report_json::num;
using report_json::nums;
using report_json::pct;
using report_json::series;

/// Lines per household-week over households present and the weeks spanned.
double line_density(const Dataset& d) {
  const double span = d.weeks >= d.first_week ? d.weeks - d.first_week + 1 : 0;
  return span > 0 && d.n_households() ? d.lines() / (span * d.n_households()) : 0;
}

/// Estimated share of the full data's lines present: below half the full CJ2 density a file is
/// taken to be a random line sample at rate density / full density; otherwise it is complete.
double sample_rate(const Dataset& d) {
  const double r = line_density(d) / kFullCj2LinesPerHouseholdWeek;
  return r < 0.5 ? r : 1.0;
}

struct Builder {
  json metrics = json::array();
  json charts = json::array();

  json& add(const std::string& section, const std::string& id, const std::string& name, double value,
            const std::string& value_text, const std::string& target, const std::string& status, const std::string& note) {
    // A value that could not be measured (no lines, no events) is n/a, never a pass or a fail.
    const bool missing = !std::isfinite(value) && std::string(status) != "n/a";
    metrics.push_back({{"section", section}, {"id", id}, {"name", name}, {"value", num(value)}, {"value_text", value_text},
                       {"target", target}, {"status", missing ? "n/a" : status},
                       {"note", missing && note.empty() ? "nothing to measure in these data" : note}, {"real", nullptr},
                       {"real_text", ""}});
    return metrics.back();
  }
  void na(const std::string& section, const std::string& id, const std::string& name, const std::string& target,
          const std::string& reason) {
    add(section, id, name, kNaN, "n/a", target, "n/a", reason);
  }
  void chart(const std::string& section, json spec) {
    spec["section"] = section;
    charts.push_back(std::move(spec));
  }
};

const char* pass_fail(bool ok) { return ok ? "pass" : "fail"; }

}  // namespace

SlopeVerdict slope_verdict(double b, double expected, double se) {
  if (!(std::fabs(b - expected) < 4 * se)) return {"fail", ""};  // contradicts the configured slope
  if (!(expected > 4 * se))
    return {"n/a", fmt::format("the standard error ({}) cannot tell a slope of {} from 0: more households or weeks needed",
                               fmt_num(se, 3), fmt_num(expected, 3))};
  return {b > 4 * se ? "pass" : "fail", ""};
}

OrderVerdict display_order_verdict(const DisplayLifts& dl) {
  // Each neighbour pair: greater by 2 se (shown), smaller by 2 se (contradicted), or undecided.
  bool undecided = false;
  for (int t = 1; t < 4; ++t) {
    if (lift_greater(dl.by_type[t - 1], dl.by_type[t])) return {"fail", ""};
    if (!lift_greater(dl.by_type[t], dl.by_type[t - 1])) undecided = true;
  }
  if (undecided) return {"n/a", "neighbouring lifts lie within 2 standard errors: too few promotions to decide the order"};
  return {"pass", ""};
}

namespace {

/// Histogram of `v` over [lo, hi) in `bins` bins as shares; values outside go to the end bins.
std::pair<std::vector<double>, std::vector<double>> histogram(const std::vector<double>& v, double lo, double hi, int bins) {
  std::vector<double> x(bins), y(bins, 0.0);
  const double w = (hi - lo) / bins;
  for (int b = 0; b < bins; ++b) x[b] = lo + (b + 0.5) * w;
  for (double t : v) {
    if (!std::isfinite(t)) continue;
    y[std::clamp(static_cast<int>(std::floor((t - lo) / w)), 0, bins - 1)] += 1;
  }
  if (!v.empty())
    for (double& c : y) c /= static_cast<double>(v.size());
  return {x, y};
}

/// Both empirical CDFs on a common grid of quantiles of the two samples (for the chart).
json cdf_chart(const std::string& title, const std::string& x_label, std::vector<double> ours, std::vector<double> real,
               bool log_x) {
  std::sort(ours.begin(), ours.end());
  std::sort(real.begin(), real.end());
  std::vector<double> grid;
  for (int q = 0; q <= 200; ++q) {
    for (const auto* s : {&ours, &real})
      if (!s->empty()) grid.push_back(quantile_sorted(*s, q / 200.0));
  }
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  if (log_x) grid.erase(std::remove_if(grid.begin(), grid.end(), [](double x) { return x <= 0; }), grid.end());
  auto ecdf = [&](const std::vector<double>& s) {
    std::vector<double> y;
    for (double x : grid)
      y.push_back(s.empty() ? kNaN : static_cast<double>(std::upper_bound(s.begin(), s.end(), x) - s.begin()) / s.size());
    return y;
  };
  return {{"type", "xy"},
          {"title", title},
          {"x_label", x_label},
          {"y_label", "cumulative share"},
          {"y_range", {0.0, 1.0}},
          {"legend", "bottom"},
          {"log_x", log_x},
          {"series", json::array({series("RetailSynth", grid, ecdf(ours), "step"), series("real", grid, ecdf(real), "step", {}, true)})}};
}

/// Shares of codes (display or mailer) and 1 - total variation distance between two mixes.
std::pair<json, double> code_mix(const std::map<std::string, u64>& a, const std::map<std::string, u64>& b,
                                 std::vector<std::string>& labels, std::vector<double>& ya, std::vector<double>& yb) {
  double na = 0, nb = 0;
  for (const auto& [k, n] : a) na += n;
  for (const auto& [k, n] : b) nb += n;
  std::map<std::string, std::pair<double, double>> all;
  for (const auto& [k, n] : a) all[k].first = n / na;
  for (const auto& [k, n] : b) all[k].second = n / nb;
  double tv = 0;
  json mix = json::object();
  for (const auto& [k, s] : all) {
    tv += std::fabs(s.first - s.second) / 2;
    labels.push_back(k);
    ya.push_back(s.first);
    yb.push_back(s.second);
    mix[k] = {num(s.first), num(s.second)};
  }
  return {mix, 1 - tv};
}

/// promotions.source of the run that wrote `dir` (its manifest's config), else "config".
std::string promotions_source(const std::string& dir) {
  std::ifstream in(dir + "/manifest.json");
  if (!in) return "config";
  try {
    return json::parse(in).at("config").at("promotions").value("source", std::string("config"));
  } catch (const std::exception&) {
    return "config";
  }
}

/// calendar.start_week_of_year of the run that wrote `dir` (its manifest's config), else 1.
int start_week_of_year(const std::string& dir) {
  std::ifstream in(dir + "/manifest.json");
  if (!in) return 1;
  try {
    return json::parse(in).at("config").at("calendar").value("start_week_of_year", 1);
  } catch (const std::exception&) {
    return 1;
  }
}

/// The status of a row whose target is the config's promotion law: n/a for a learned world.
std::string law_status(bool learned, bool ok) { return learned ? "n/a" : pass_fail(ok); }
constexpr const char* kLearnedLaw =
    "promotions.source is learned: each category's promoted share and depths follow the world table; the discount rows "
    "against real data measure them";

void measure_truth(const Dataset& d, Builder& b) {
  const std::string no_truth = "no truth/ folder: needs RetailSynth output";
  if (!d.has_truth || d.promotions.empty()) {
    for (const auto& [sec, id, name, target] : std::vector<std::array<std::string, 4>>{
             {"promotions", "promo_share_by_category", "promoted share of product-store-weeks, by category", "[0.10, 0.30] for every category"},
             {"promotions", "depth_range", "promotion depth within [0.10, 0.50]", "all"},
             {"promotions", "depth_mean", "mean promotion depth", "about 0.25 (0.20-0.30)"},
             {"promotions", "category_promo_lift", "category promotional lift (top vs bottom third of intensity)", "20-100% for most categories"},
             {"promotions", "display_lift_order", "unit lift by display type at equal depth", "none < shelf_tag < end_cap < feature_display"},
             {"promotions", "ad_lift", "unit lift in the weekly ad vs not", "in_ad > not"},
             {"trips", "trip_marketing_slope", "store visits vs marketing signal: slope", "> 0 and = configured (4 se)"},
             {"stockpiling", "deep_quantity_ratio", "quantity per line at depth >= 30% / regular price (truth)", ">= 1.2"},
             {"stockpiling", "post_promotion_dip", "category purchases in the 2 weeks after a deep-discount purchase", "< 0 (2 se)"},
             {"price_response", "price_elasticity", "log units vs log price ratio (promotions without display or ad)", "< 0"},
             {"price_response", "log_price_shape", "R^2 of the log-log fit", ">= 0.9"},
             {"price_response", "perception_threshold", "extra log lift crossing 20% depth", "> 0 (2 se)"},
             {"price_response", "left_digit_threshold", "log units just under $1/2/5/10/20/50 vs not", "> 0 (2 se)"}})
      b.na(sec, id, name, target, no_truth);
    b.na("price_response", "gain_loss_asymmetry", "loss aversion: demand fall per unit loss / rise per unit gain",
         "= configured loss_aversion", no_truth);
    return;
  }
  // Promotion frequency and depth: the config's promotion law (a learned world's follow its table).
  const bool learned = promotions_source(d.dir) == "learned";
  const std::string law_why = learned ? kLearnedLaw : "";
  const PromoFrequency f = promo_frequency(d);
  b.add("promotions", "promo_share_by_category", "promoted share of product-store-weeks, by category", f.in_range,
        fmt::format("{} of categories in range (min {}, median {}, max {})", pct(f.in_range), fmt_num(f.min), fmt_num(f.median),
                    fmt_num(f.max)),
        "[0.10, 0.30] for every category (pass: >= 95%)", law_status(learned, f.in_range >= 0.95), law_why);
  {
    const auto [x, y] = histogram(f.share, 0, 0.4, 40);
    b.chart("promotions", {{"type", "xy"}, {"title", "Promoted share of product-store-weeks by category"},
                           {"x_label", "share of a category's product-store-weeks on promotion"}, {"y_label", "share of categories"},
                           {"vband", {0.10, 0.30}}, {"series", json::array({series("categories", x, y, "bar")})}});
  }
  const DepthDistribution dd = depth_distribution(d);
  b.add("promotions", "depth_range", "promotion depth within [0.10, 0.50]", dd.in_range,
        fmt::format("{} (min {}, max {})", pct(dd.in_range), fmt_num(dd.min, 2), fmt_num(dd.max, 2)), "all (pass: >= 99.9%)",
        law_status(learned, dd.in_range >= 0.999), law_why);
  b.add("promotions", "depth_mean", "mean promotion depth", dd.mean, fmt_num(dd.mean), "about 0.25 (0.20-0.30)",
        law_status(learned, dd.mean >= 0.20 && dd.mean <= 0.30), law_why);
  {
    std::vector<double> x, y;
    double n = 0;
    for (const auto& [p, c] : dd.percent_count) n += c;
    for (const auto& [p, c] : dd.percent_count) x.push_back(p / 100.0), y.push_back(c / n);
    b.chart("promotions", {{"type", "xy"}, {"title", "Promotion depth"}, {"x_label", "depth"},
                           {"y_label", "share of promoted product-store-weeks"}, {"vband", {0.10, 0.50}}, {"vline", num(dd.mean)},
                           {"series", json::array({series("promotions", x, y, "bar")})}});
  }
  // Category promotional lift.
  const CategoryLifts cl = category_promo_lifts(d);
  const double median_lift = quantile_sorted(cl.lifts, 0.5);
  b.add("promotions", "category_promo_lift", "category promotional lift (top vs bottom third of intensity)", cl.in_range,
        fmt::format("{} of {} categories in [0.2, 1.0] (p10 {}, median {}, p90 {})", pct(cl.in_range), cl.lifts.size(),
                    fmt_num(quantile_sorted(cl.lifts, 0.1), 2), fmt_num(median_lift, 2),
                    fmt_num(quantile_sorted(cl.lifts, 0.9), 2)),
        "20-100% for most categories (pass: > 50%)", cl.lifts.empty() ? "n/a" : pass_fail(cl.in_range > 0.5),
        cl.lifts.empty() ? "no category has 30 units in its bottom third" : "");
  {
    const auto [x, y] = histogram(cl.lifts, -0.5, 2.5, 30);
    b.chart("promotions", {{"type", "xy"}, {"title", "Category promotional lift"}, {"x_label", "lift (top third / bottom third - 1)"},
                           {"y_label", "share of categories"}, {"vband", {0.2, 1.0}},
                           {"series", json::array({series("categories", x, y, "bar")})}});
  }
  // Lifts by display type and ad.
  const PromoUnits pu = promo_units(d);
  const DisplayLifts dl = display_lifts(d, pu);
  const bool any_nan = std::isnan(dl.by_type[0].lift + dl.by_type[1].lift + dl.by_type[2].lift + dl.by_type[3].lift);
  const OrderVerdict ov = display_order_verdict(dl);
  b.add("promotions", "display_lift_order", "unit lift by display type at equal depth", dl.by_type[3].lift,
        fmt::format("none {}, shelf_tag {}, end_cap {}, feature {}", fmt_num(dl.by_type[0].lift, 2), fmt_num(dl.by_type[1].lift, 2),
                    fmt_num(dl.by_type[2].lift, 2), fmt_num(dl.by_type[3].lift, 2)),
        "none < shelf_tag < end_cap < feature_display (2 se)", any_nan ? "n/a" : ov.status,
        any_nan ? "a display type has no promotions at depth 20-30% without ad"
                : ov.why.empty() ? "no ad, no mailer; depths 20/25/30% weighted equally" : ov.why)
      ["details"] = {{"none", {num(dl.by_type[0].lift), num(dl.by_type[0].se)}},
                     {"shelf_tag", {num(dl.by_type[1].lift), num(dl.by_type[1].se)}},
                     {"end_cap", {num(dl.by_type[2].lift), num(dl.by_type[2].se)}},
                     {"feature_display", {num(dl.by_type[3].lift), num(dl.by_type[3].se)}}};
  b.add("promotions", "ad_lift", "unit lift in the weekly ad vs not", dl.ad.lift - dl.no_ad.lift,
        fmt::format("in_ad {} vs not {}", fmt_num(dl.ad.lift, 2), fmt_num(dl.no_ad.lift, 2)), "in_ad > not (2 se)",
        std::isnan(dl.ad.lift + dl.no_ad.lift) ? "n/a" : pass_fail(lift_greater(dl.ad, dl.no_ad)), "no display, no mailer");
  b.chart("promotions", {{"type", "bars"}, {"title", "Unit lift at equal depth (20-30%)"}, {"y_label", "units / baseline - 1"},
                         {"labels", {"none", "shelf_tag", "end_cap", "feature_display", "not in ad", "in ad"}},
                         {"series", json::array({{{"name", "lift"},
                                                  {"y", nums({dl.by_type[0].lift, dl.by_type[1].lift, dl.by_type[2].lift,
                                                              dl.by_type[3].lift, dl.no_ad.lift, dl.ad.lift})},
                                                  {"err", nums({dl.by_type[0].se, dl.by_type[1].se, dl.by_type[2].se,
                                                                dl.by_type[3].se, dl.no_ad.se, dl.ad.se})}}})}});
  // Trips vs the marketing signal.
  const Slope s = trip_slope(d);
  if (std::isnan(s.b)) {
    b.na("trips", "trip_marketing_slope", "store visits vs marketing signal: slope", "> 0 and = configured (4 se)",
         "needs truth/trips.csv, truth/store_weeks.csv and the trip_rate/promo_sensitivity parameters");
  } else {
    const SlopeVerdict sv = slope_verdict(s.b, s.expected, s.se);
    b.add("trips", "trip_marketing_slope", "store visits vs marketing signal: slope", s.b,
          fmt::format("{} (configured {}, se {})", fmt_num(s.b, 4), fmt_num(s.expected, 4), fmt_num(s.se, 4)),
          "> 0 and = configured (4 se)", sv.status,
          sv.why.empty() ? fmt::format("within-household regression of weekly trips on the home store's M, {} households", s.households)
                         : sv.why)
        ["details"] = {{"expected", num(s.expected)}, {"se", num(s.se)}};
    const TripCurve tc = trips_by_marketing(d);
    b.chart("trips", {{"type", "xy"}, {"title", "Trips per household-week by marketing signal decile"},
                      {"x_label", "marketing signal M of the home store"},
                      {"y_label", "trips per household-week (mean household)"},
                      {"series", json::array({series("observed (household rates adjusted)", tc.m, tc.observed, "points"),
                                              series("configured: trip_rate x (1 + promo_sensitivity x M)", tc.m, tc.expected,
                                                     "line", {}, true)})}});
  }
  // Stockpiling and the post-promotion dip.
  const double ratio = deep_quantity_ratio(d);
  // The real CompleteJourney sample buys 1.156 times the units per line at line depth >= 30%.
  b.add("stockpiling", "deep_quantity_ratio", "quantity per line at depth >= 30% / regular price (truth)", ratio, fmt_num(ratio),
        ">= 1.05 (real sample: 1.16 at line depth)", std::isnan(ratio) ? "n/a" : pass_fail(ratio >= 1.05), "");
  const Dip dip = post_promotion_dip(d);
  const double rel = dip.expected > 0 ? dip.observed / dip.expected - 1 : kNaN;
  b.add("stockpiling", "post_promotion_dip", "category purchases in the 2 weeks after a deep-discount purchase", rel,
        fmt::format("{} ({:.0f} vs {:.0f} expected, se {:.0f})", pct(rel), dip.observed, dip.expected, dip.se), "< 0 (2 se)",
        dip.events == 0 ? "n/a" : pass_fail(dip.observed < dip.expected - 2 * dip.se),
        fmt::format("{} household-category events, baseline = the household's own rate in other weeks", dip.events));
  b.chart("stockpiling", {{"type", "bars"}, {"title", "Category purchases in the 2 weeks after a deep-discount purchase"},
                          {"y_label", "purchases"}, {"labels", {"observed", "expected (own rate)"}},
                          {"series", json::array({{{"name", "purchases"}, {"y", nums({dip.observed, dip.expected})},
                                                   {"err", nums({dip.se, 0.0})}}})}});
  // Price response.
  const PriceResponse pr = price_response(d, pu);
  {
    std::vector<double> x, y, e;
    for (size_t i = 0; i < pr.depth.size(); ++i) x.push_back(pr.depth[i]), y.push_back(pr.lift[i].lift), e.push_back(pr.lift[i].se);
    b.add("price_response", "price_elasticity", "log units vs log price ratio (promotions without display or ad)", pr.elasticity,
          fmt::format("{} (se {})", fmt_num(pr.elasticity, 2), fmt_num(pr.elasticity_se, 2)), "< 0 (2 se)",
          std::isnan(pr.elasticity) ? "n/a" : pass_fail(pr.elasticity + 2 * pr.elasticity_se < 0),
          "unit lift over the product-store's baseline at depths 10-50%, weighted least squares");
    b.add("price_response", "log_price_shape", "R^2 of the log-log fit", pr.r2, fmt_num(pr.r2), ">= 0.9",
          std::isnan(pr.r2) ? "n/a" : pass_fail(pr.r2 >= 0.9), "near 1 when demand is log-linear in price (beta_price log p)");
    b.chart("price_response", {{"type", "xy"}, {"title", "Unit lift by promotion depth (no display, no ad)"}, {"x_label", "depth"},
                               {"y_label", "units / baseline - 1"}, {"vline", 0.20},
                               {"series", json::array({series("lift", x, y, "points", e)})}});
  }
  b.add("price_response", "perception_threshold", "extra log lift crossing 20% depth", pr.perception_jump,
        fmt::format("{} (se {})", fmt_num(pr.perception_jump), fmt_num(pr.perception_se)), "> 0 (2 se)",
        std::isnan(pr.perception_jump) ? "n/a" : pass_fail(pr.perception_jump > 2 * pr.perception_se),
        "rise 15->20% beyond the slopes 10->15% and 25->30%");
  b.add("price_response", "left_digit_threshold", "log units just under $1/2/5/10/20/50 vs not", pr.left_digit_jump,
        fmt::format("{} (se {})", fmt_num(pr.left_digit_jump), fmt_num(pr.left_digit_se)), "> 0 (2 se)",
        std::isnan(pr.left_digit_jump) ? "n/a" : pass_fail(pr.left_digit_jump > 2 * pr.left_digit_se),
        "promoted cells, against cells of the same depth/display/ad class; regular price not itself just under");
  b.na("price_response", "gain_loss_asymmetry", "loss aversion: demand fall per unit loss / rise per unit gain",
       "= configured loss_aversion",
       "regular price moves (truth/prices.csv) are confounded with promotions and logit curvature in one run; measured on "
       "a controlled pair of runs by the behaviour test LossesWeighMoreThanGainsByTheLossAversion");
}

/// The metrics that need lines only: computed for ours and, when given, the real data.
void measure_lines(const Dataset& d, const Dataset* real, Builder& b) {
  auto with_real = [&](json& m, double v, const std::string& text) {
    m["real"] = num(v);
    m["real_text"] = text;
  };
  // Discounts.
  const double ds = discount_share(d);
  json& m1 = b.add("market", "discount_share_of_sales", "discounts / gross sales", ds, pct(ds), "15% +- 5 pp (TCJ)",
                   pass_fail(std::fabs(ds - kTcjDiscountShare) <= 0.05), "published full-TCJ figure");
  if (real) with_real(m1, discount_share(*real), pct(discount_share(*real)));
  const double dl = discounted_line_share(d);
  if (real) {
    const double rl = discounted_line_share(*real);
    json& m = b.add("market", "discounted_line_share", "share of lines with a discount", dl, pct(dl), "real +- 10 pp",
                    pass_fail(std::fabs(dl - rl) <= 0.10), "per line: comparable with a line sample");
    with_real(m, rl, pct(rl));
  } else {
    b.add("market", "discounted_line_share", "share of lines with a discount", dl, pct(dl), "real +- 10 pp", "n/a", "no real data");
  }
  // Coupons: targeted campaigns should put about the real share of lines on a coupon.
  {
    const double cl = coupon_line_share(d);
    const double rc = real ? coupon_line_share(*real) : std::nan("");
    const bool both = !std::isnan(cl) && !std::isnan(rc);
    json& m = b.add("market", "coupon_line_share", "share of lines with a coupon (COUPON_DISC)", cl,
                    std::isnan(cl) ? std::string("n/a") : pct(cl), "real +- 1 pp", both ? pass_fail(std::fabs(cl - rc) <= 0.01) : "n/a",
                    both ? "per line: comparable with a line sample" : "needs the coupon columns and real data");
    if (both) with_real(m, rc, pct(rc));
  }
  // Stockpiling seen in the lines.
  const double qr = deep_quantity_ratio_observed(d);
  const double rq = real ? deep_quantity_ratio_observed(*real) : kNaN;
  const bool vs_real = !std::isnan(rq) && !std::isnan(qr);
  json& m2 = b.add("stockpiling", "deep_quantity_ratio_lines", "quantity per line at line depth >= 30% / undiscounted lines", qr,
                   fmt_num(qr), vs_real ? "real +- 0.10" : ">= 1.05",
                   std::isnan(qr) ? "n/a" : pass_fail(vs_real ? std::fabs(qr - rq) <= 0.10 : qr >= 1.05),
                   "line depth = discount / (sales + discount); needs no truth");
  {
    const QuantityByDepth q = quantity_by_line_depth(d);
    json ser = json::array({series("RetailSynth", q.depth, q.quantity, "line")});
    if (real) {
      with_real(m2, rq, fmt_num(rq));
      const QuantityByDepth r = quantity_by_line_depth(*real);
      ser.push_back(series("real", r.depth, r.quantity, "line", {}, true));
    }
    b.chart("stockpiling", {{"type", "xy"}, {"title", "Quantity per line by line discount depth"},
                            {"x_label", "discount / (sales + discount)"}, {"y_label", "mean quantity per line"}, {"series", ser}});
  }
  // Heterogeneity of the promotion response.
  const Heterogeneity h = promotion_heterogeneity(d);
  json& m3 = b.add("heterogeneity", "promoted_spend_share_sd", "sd over households of the promoted share of spending", h.sd,
                   fmt::format("{} (null {}, {} households)", fmt_num(h.sd), fmt_num(h.sd_null), h.households),
                   "> 1.5 x the null sd", h.households < 2 ? "n/a" : pass_fail(h.sd > 1.5 * h.sd_null),
                   "households with >= 40 lines; null: every line promoted with the same probability");
  m3["details"] = {{"sd_null", num(h.sd_null)}, {"households", h.households}};
  {
    const auto [x, y] = histogram(h.shares, 0, 1, 40);
    const auto [xn, yn] = histogram(h.null_shares, 0, 1, 40);
    json ser = json::array({series("RetailSynth", x, y, "step"), series("null (no heterogeneity)", xn, yn, "step", {}, true)});
    if (real) {
      const Heterogeneity rh = promotion_heterogeneity(*real);
      with_real(m3, rh.sd, fmt::format("{} (null {}, {} households)", fmt_num(rh.sd), fmt_num(rh.sd_null), rh.households));
      const auto [xr, yr] = histogram(rh.shares, 0, 1, 40);
      ser.push_back(series("real", xr, yr, "step"));
    }
    b.chart("heterogeneity", {{"type", "xy"}, {"title", "Promoted share of spending per household"},
                              {"x_label", "promoted share of spending"}, {"y_label", "share of households"}, {"series", ser}});
  }
  // Display and mailer mix (TCJ causal codes).
  for (const auto& [id, name, ours, theirs] : std::vector<std::tuple<std::string, std::string, const std::map<std::string, u64>*,
                                                                       const std::map<std::string, u64>*>>{
           {"display_code_mix", "display code mix of promoted rows", &d.display_codes, real ? &real->display_codes : nullptr},
           {"mailer_code_mix", "mailer code mix of promoted rows", &d.mailer_codes, real ? &real->mailer_codes : nullptr}}) {
    if (!d.has_causal || !real || !real->has_causal || ours->empty() || theirs->empty()) {
      b.na("market", id, name, ">= 0.80 (1 - total variation)",
           !d.has_causal ? "no causal_data.csv / promotions.csv" : "no real promotions file to compare with");
      continue;
    }
    std::vector<std::string> labels;
    std::vector<double> ya, yb;
    const auto [mix, score] = code_mix(*ours, *theirs, labels, ya, yb);
    json& m = b.add("market", id, name, score, fmt::format("1 - TV = {}", fmt_num(score)), ">= 0.80 (1 - total variation)",
                    pass_fail(score >= 0.80), "share of rows by TCJ code, ours vs real");
    m["details"] = mix;
    b.chart("market", {{"type", "bars"}, {"title", name + " (TCJ codes)"}, {"y_label", "share of rows"}, {"labels", labels},
                       {"series", json::array({{{"name", "RetailSynth"}, {"y", nums(ya)}}, {{"name", "real"}, {"y", nums(yb)}}})}});
  }
}

/// hh_demographic.csv against the real file: each column's margins, and the ties of income, size
/// and children to purchases (demographic_measures.h), both sides' households with a row.
void measure_demographics(const Dataset& d, const Dataset* real, Builder& b) {
  const std::string sec = "demographics";
  const bool both = real && !d.demographics.empty() && !real->demographics.empty();
  const std::string why = !real ? "no real data" : d.demographics.empty() ? "no hh_demographic.csv in these data"
                                                                           : "no demographics file in the real data";
  if (!both) {
    for (const char* id : {"demographic_margins", "kids_category_ratio", "income_price_slope", "size_lines_ratio",
                           "size_multi_unit_ratio"})
      b.na(sec, id, id, "", why);
    return;
  }
  std::string where;
  const double gap = largest_margin_gap(demographic_margins(d.demographics), demographic_margins(real->demographics), &where);
  b.add(sec, "demographic_margins", "largest gap in a column's share of households (hh_demographic.csv)", gap,
        fmt::format("{:.1f} points", 100 * gap), "<= 3 points", pass_fail(gap <= 0.03),
        fmt::format("at {}; households: ours {}, real {}", where, d.demographics.size(), real->demographics.size()));
  const std::vector<std::string> kid = strong_kid_categories(kids_ratios(*real));
  const DemographicTies o = demographic_ties(d, kid), r = demographic_ties(*real, kid);
  struct Tie {
    const char *id, *name;
    double ours, ours_se, real, real_se;
  };
  const Tie ties[] = {
      {"kids_category_ratio", "share of lines in children's categories, households with children / without",
       o.kids_share_ratio, o.kids_share_ratio_se, r.kids_share_ratio, r.kids_share_ratio_se},
      {"income_price_slope", "slope of a line's log unit price (minus its category's median) on log income",
       o.income_price_slope, o.income_price_slope_se, r.income_price_slope, r.income_price_slope_se},
      {"size_lines_ratio", "lines per household, 3 or more persons / 1 or 2", o.lines_size_ratio, o.lines_size_ratio_se,
       r.lines_size_ratio, r.lines_size_ratio_se},
      {"size_multi_unit_ratio", "share of multi-unit lines, 3 or more persons / 1 or 2", o.multi_unit_size_ratio,
       o.multi_unit_size_ratio_se, r.multi_unit_size_ratio, r.multi_unit_size_ratio_se}};
  for (const Tie& t : ties) {
    // Both sides rest on a few hundred households: the target is the real figure within three
    // standard errors of the difference (each side's from 10 groups of its households).
    const double se = std::sqrt(t.ours_se * t.ours_se + t.real_se * t.real_se);
    const bool ok = std::isfinite(t.ours) && std::isfinite(t.real) && std::isfinite(se);
    json& m = b.add(sec, t.id, t.name, t.ours, fmt::format("{} (se {})", fmt_num(t.ours, 3), fmt_num(t.ours_se, 3)),
                    "real +- 3 se of the difference", ok ? pass_fail(std::fabs(t.ours - t.real) <= 3 * se) : "n/a",
                    fmt::format("real {} (se {}); households with a demographics row and a line: ours {:.0f}, real {:.0f}; "
                                "children's categories: {} with log ratio >= 0.3 in the real data",
                                fmt_num(t.real, 3), fmt_num(t.real_se, 3), o.households, r.households, kid.size()));
    m["real"] = num(t.real);
    m["real_text"] = fmt_num(t.real, 3);
    m["se"] = num(se);
  }
}

/// Promotions follow the season (calendar_measures.h): both sides against the run's own seasonal
/// table (truth/seasonality.csv), so the real promotion calendar is read on the same scale.
void measure_promo_season(const Dataset& d, const Dataset* real, int so, int sr, Builder& b) {
  const std::string file = (fs::path(d.dir) / "truth" / "seasonality.csv").string();
  const bool has_table = fs::exists(file);
  const SeasonalityTable table = has_table ? SeasonalityTable::load(file) : SeasonalityTable{};
  const SeasonPromoSlope o = has_table ? promo_season_slope(d, so, table) : SeasonPromoSlope{};
  const SeasonPromoSlope r = has_table && real ? promo_season_slope(*real, sr, table) : SeasonPromoSlope{};
  const bool ok = std::isfinite(o.slope) && std::isfinite(r.slope) && std::isfinite(o.se) && std::isfinite(r.se);
  const double tol = ok ? 2 * std::hypot(o.se, r.se) : kNaN;
  const std::string why = !has_table ? "no truth/seasonality.csv" : !real ? "no real data"
                          : !std::isfinite(o.slope) || !std::isfinite(r.slope) ? "no promotion calendar (causal_data.csv) or no seasonal category on one side"
                                                                               : "";
  json& m = b.add("calendar", "promo_season_slope", "promotions follow the season: slope of log promotion-calendar rows on log seasonal index",
                  o.slope, std::isfinite(o.slope) ? fmt::format("{} (se {})", fmt_num(o.slope, 2), fmt_num(o.se, 2)) : "n/a",
                  "real +- 2 se of the difference", ok ? pass_fail(std::fabs(o.slope - r.slope) <= tol) : "n/a",
                  ok ? fmt::format("Poisson, category effects; {} categories ({:.0f} rows) ours, {} ({:.0f}) real; tolerance {}",
                                   o.categories, o.rows, r.categories, r.rows, fmt_num(tol, 2))
                     : why);
  if (real && std::isfinite(r.slope)) {
    m["real"] = num(r.slope);
    m["real_text"] = fmt::format("{} (se {})", fmt_num(r.slope, 2), fmt_num(r.se, 2));
  }
}

/// Days of week, hours of day and holiday weeks against real data (calendar_measures.h).
void measure_calendar(const Dataset& d, const Dataset* real, Builder& b) {
  static const char* kDay[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  const std::string sec = "calendar", no_real = "no real data";
  const CalendarShares o = calendar_shares(d);
  const CalendarShares r = real ? calendar_shares(*real) : CalendarShares{};
  auto with_real = [&](json& m, double v, const std::string& text) {
    m["real"] = num(v);
    m["real_text"] = text;
  };
  const bool both = real && o.lines > 0 && r.lines > 0;
  json& we = b.add(sec, "weekend_line_share", "share of lines on Saturday and Sunday", o.weekend, pct(o.weekend), "real +- 3 pp",
                   both ? pass_fail(std::fabs(o.weekend - r.weekend) <= 0.03) : "n/a",
                   both ? "per line; DAY 1 is a Sunday on both sides" : no_real);
  if (both) with_real(we, r.weekend, pct(r.weekend));
  json& bq = b.add(sec, "busiest_quietest_day", "lines on the busiest day / the quietest", o.busiest_quietest,
                   fmt_num(o.busiest_quietest, 2), "real +- 20%",
                   both ? pass_fail(std::fabs(o.busiest_quietest / r.busiest_quietest - 1) <= 0.20) : "n/a", both ? "" : no_real);
  if (both) with_real(bq, r.busiest_quietest, fmt_num(r.busiest_quietest, 2));
  for (int t = 0; t < 2; ++t) {
    const bool timed = both && o.has_time && r.has_time;
    const double score = timed ? one_minus_tv(o.hour[t], r.hour[t]) : kNaN;
    double early_o = 0, early_r = 0;
    for (int h = 0; h < 6; ++h) early_o += o.hour[t][h], early_r += r.hour[t][h];
    json& m = b.add(sec, t ? "hour_profile_weekend" : "hour_profile_weekday",
                    std::string("hour-of-day profile of lines, ") + (t ? "Saturday and Sunday" : "Monday to Friday"), score,
                    timed ? fmt::format("1 - TV = {}", fmt_num(score)) : "n/a", ">= 0.90 (1 - total variation)",
                    timed ? pass_fail(score >= 0.90) : "n/a",
                    timed ? fmt::format("lines before 6h: ours {}, real {}", pct(early_o), pct(early_r))
                          : (both ? "no time of day (TRANS_TIME or timestamp) on one side" : no_real));
    (void)m;
  }
  const int so = start_week_of_year(d.dir), sr = real ? start_week_of_year(real->dir) : 1;
  for (const HolidayWeek& hw : kHolidayWeeks) {
    const HolidayMultiple mo = holiday_multiple(d, so, hw.category, hw.week);
    const HolidayMultiple mr = real ? holiday_multiple(*real, sr, hw.category, hw.week) : HolidayMultiple{};
    const bool ok = real && mo.lines >= 30 && mr.lines >= 30 && std::isfinite(mo.multiple) && std::isfinite(mr.multiple);
    json& m = b.add(sec, hw.id, std::string("holiday multiple: ") + hw.name, mo.multiple, fmt_num(mo.multiple, 2),
                    "real +- 35%", ok ? pass_fail(std::fabs(mo.multiple / mr.multiple - 1) <= 0.35) : "n/a",
                    ok ? fmt::format("share of the week's lines / share of all lines; lines in the week: ours {:.0f} of {:.0f}, "
                                     "real {:.0f} of {:.0f}",
                                     mo.in_week, mo.lines, mr.in_week, mr.lines)
                       : (real ? "fewer than 30 lines of the category on one side" : no_real));
    if (real) with_real(m, mr.multiple, fmt_num(mr.multiple, 2));
  }
  measure_promo_season(d, real, so, sr, b);
  // Charts: lines by day of week; lines by hour per day type.
  std::vector<double> x(7), yo(o.day.begin(), o.day.end()), yr(r.day.begin(), r.day.end());
  json labels = json::array();
  for (int k = 0; k < 7; ++k) labels.push_back(kDay[k]);
  json ser = json::array({{{"name", "RetailSynth"}, {"y", nums(yo)}}});
  if (real) ser.push_back({{"name", "real"}, {"y", nums(yr)}});
  b.chart(sec, {{"type", "hbars"}, {"title", fmt::format("Share of lines by day of week (Saturday + Sunday: ours {}{})", pct(o.weekend),
                                                       real ? ", real " + pct(r.weekend) : std::string())},
                {"x_label", "share of lines"}, {"labels", labels}, {"series", ser}});
  if (o.has_time) {
    std::vector<double> hours(24);
    for (int h = 0; h < 24; ++h) hours[h] = h + 0.5;
    json hs = json::array();
    for (int t = 0; t < 2; ++t) {
      const std::string type = t ? "Sat-Sun" : "Mon-Fri";
      hs.push_back(series("RetailSynth " + type, hours, std::vector<double>(o.hour[t].begin(), o.hour[t].end()), "line"));
      if (real && r.has_time)
        hs.push_back(series("real " + type, hours, std::vector<double>(r.hour[t].begin(), r.hour[t].end()), "line", {}, true));
    }
    b.chart(sec, {{"type", "xy"}, {"title", "Share of lines by hour of day, by day type"}, {"x_label", "hour of day"},
                  {"y_label", "share of the day type's lines"}, {"series", hs}});
  }
}

/// Full-data basket facts against the published TCJ figures.
void measure_published(const Dataset& d, Builder& b) {
  const double rate = sample_rate(d);
  const Baskets bk = baskets(d);
  struct Fact {
    const char* id;
    const char* name;
    double value, published, tolerance;
    bool relative;
  };
  const Fact facts[] = {
      {"baskets_per_household_week", "baskets per household-week", bk.baskets_per_household_week, kTcjBasketsPerHouseholdWeek, 0.2, true},
      {"lines_per_basket", "lines per basket (mean)", bk.mean_lines, kTcjLinesPerBasket, 0.2, true},
      {"dollars_per_basket", "dollars per basket (mean)", bk.mean_dollars, kTcjDollarsPerBasket, 0.2, true},
      {"single_line_baskets", "share of single-line baskets", bk.single, kTcjSingleLineShare, 0.05, false},
      {"baskets_over_20_lines", "share of baskets with > 20 lines", bk.share_over_20, kTcjOver20Share, 0.05, false}};
  for (const Fact& f : facts) {
    const std::string target = f.relative ? fmt::format("{} +- {:.0f}% (TCJ)", f.published, 100 * f.tolerance)
                                          : fmt::format("{:.0f}% +- {:.0f} pp (TCJ)", 100 * f.published, 100 * f.tolerance);
    if (rate < 1) {
      b.na("baskets", f.id, f.name, target,
           fmt::format("the data look like a {:.1f}% line sample: baskets are incomplete", 100 * rate));
      continue;
    }
    const bool ok = f.relative ? std::fabs(f.value / f.published - 1) <= f.tolerance : std::fabs(f.value - f.published) <= f.tolerance;
    b.add("baskets", f.id, f.name, f.value, f.relative ? fmt_num(f.value, 2) : pct(f.value), target, pass_fail(ok),
          "whole baskets against the published facts of dunnhumby's full TCJ");
  }
  if (d.has_truth && !d.mission_linked.empty())
    b.add("baskets", "mission_pair_lift", "median lift of mission-linked category pairs", bk.median_linked_lift,
          fmt_num(bk.median_linked_lift, 2), "> 2 (real category-pair lift reaches 12)", pass_fail(bk.median_linked_lift > 2),
          "pairs with >= 20 co-occurring baskets");
}

/// The figures behind two rows of measure_likeness: the shallow share of discounted lines, and how
/// concentrated lines are on households (of the thinned lines, like the KS).
void add_line_figures(const Dataset& d, const Dataset& real, const LikenessSample& a, const LikenessSample& r, json& e) {
  if (e["id"] == "discount_depth") {
    const double so = shallow_discount_share(d), sr = shallow_discount_share(real);
    e["figures"] = {{"depth_below_10pct", {{"ours", num(so)}, {"real", num(sr)}}}};
    e["figures_text"] = fmt::format("discounted lines with depth < 10%: ours {}, real {}", pct(so), pct(sr));
  } else if (e["id"] == "stores_per_household") {
    const auto mean = [](const std::vector<double>& v) {
      return v.empty() ? kNaN : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    };
    const auto share = [](const std::vector<double>& v, double lo, double hi) {
      return v.empty() ? kNaN
                       : static_cast<double>(std::count_if(v.begin(), v.end(), [&](double x) { return x >= lo && x <= hi; })) /
                             static_cast<double>(v.size());
    };
    const auto side = [&](const LikenessSample& s) {
      return json{{"households", s.stores_per_household.size()},    {"mean_stores", num(mean(s.stores_per_household))},
                  {"single_store", num(share(s.stores_per_household, 1, 1))}, {"five_or_more", num(share(s.stores_per_household, 5, 1e9))},
                  {"top_store_share", num(mean(s.top_store_share))}};
    };
    e["figures"] = {{"ours", side(a)}, {"real", side(r)}};
    e["figures_text"] = fmt::format(
        "mean stores: ours {}, real {}; single-store: ours {}, real {}; 5 or more: ours {}, real {}; top store's share of lines: "
        "ours {}, real {}",
        fmt_num(mean(a.stores_per_household), 2), fmt_num(mean(r.stores_per_household), 2), pct(share(a.stores_per_household, 1, 1)),
        pct(share(r.stores_per_household, 1, 1)), pct(share(a.stores_per_household, 5, 1e9)),
        pct(share(r.stores_per_household, 5, 1e9)), pct(mean(a.top_store_share)), pct(mean(r.top_store_share)));
  } else if (e["id"] == "lines_per_household") {
    const Concentration co = line_concentration(a.lines_per_household), cr = line_concentration(r.lines_per_household);
    e["comparison"] = e["comparison"].get<std::string>() + "; households with at least one kept line on each side";
    e["figures"] = {{"cv", {{"ours", num(co.cv)}, {"real", num(cr.cv)}}},
                    {"top10_share", {{"ours", num(co.top10_share)}, {"real", num(cr.top10_share)}}},
                    {"households", {{"ours", co.households}, {"real", cr.households}}}};
    e["figures_text"] = fmt::format("CV of lines per household: ours {}, real {}; top 10% of households hold ours {}, real {} of lines",
                                    fmt_num(co.cv, 2), fmt_num(cr.cv, 2), pct(co.top10_share), pct(cr.top10_share));
  }
}

void measure_likeness(const Dataset& d, const Dataset& real, json& report, Builder& b) {
  const double rate = sample_rate(real);
  const i32 ours_span = d.weeks - d.first_week + 1, real_span = real.weeks - real.first_week + 1;
  LikenessOptions oo;
  oo.keep_rate = rate;
  // Then households, so that both samples hold about as many lines (the pair-lift support
  // threshold then selects alike).
  const double thinned = rate * d.lines();
  oo.keep_households = thinned > 1.2 * real.lines() ? real.lines() / thinned : 1.0;
  oo.max_week = std::min(ours_span, real_span);
  LikenessOptions ro;
  ro.max_week = oo.max_week;
  const LikenessSample a = likeness_sample(d, oo), r = likeness_sample(real, ro);
  report["real"]["sample_rate"] = num(rate);
  report["real"]["thinning"] = {{"line_rate", num(oo.keep_rate)}, {"household_rate", num(oo.keep_households)},
                                {"ours_kept_lines", a.kept_lines}, {"ours_kept_households", a.kept_households},
                                {"real_lines", r.kept_lines}, {"common_weeks", oo.max_week}};
  struct Dist {
    const char* id;
    const char* name;
    const std::vector<double>* ours;
    const std::vector<double>* real;
    bool per_line, log_x;
    double published;  // published RetailSynth 1 - KS, NaN when none
    const char* published_name;
  };
  const std::vector<Dist> dists = {
      {"store_visits", "store visits per household-week", &a.visits_per_hh_week, &r.visits_per_hh_week, false, false, 0.68, "store visit"},
      {"categories_per_week", "categories per household-week (weeks with a purchase)", &a.categories_per_hh_week,
       &r.categories_per_hh_week, false, false, 0.69, "categories per customer-week"},
      {"items_per_week", "lines per household-week (weeks with a purchase)", &a.lines_per_hh_week, &r.lines_per_hh_week, false,
       false, 0.49, "items per customer-week"},
      {"quantity_per_line", "quantity per line", &a.quantity, &r.quantity, true, true, 0.94, "quantity"},
      {"dollars_per_line", "dollars per line", &a.dollars, &r.dollars, true, true, kNaN, ""},
      {"unit_price", "unit price per line", &a.unit_price, &r.unit_price, true, true, kNaN, ""},
      {"discount_depth", "discount depth of discounted lines", &a.line_depth, &r.line_depth, true, false, kNaN, ""},
      {"lines_per_basket", "lines per basket", &a.lines_per_basket, &r.lines_per_basket, false, false, kNaN, ""},
      {"dollars_per_basket", "dollars per basket", &a.dollars_per_basket, &r.dollars_per_basket, false, true, kNaN, ""},
      {"units_per_basket", "units per basket (basket size)", &a.units_per_basket, &r.units_per_basket, false, true, kNaN, ""},
      {"category_pair_lift", "category-pair lift (pairs with >= 10 baskets)", &a.category_pair_lift, &r.category_pair_lift,
       false, true, kNaN, ""},
      {"weeks_between", "weeks between purchases of a category", &a.weeks_between, &r.weeks_between, false, false, kNaN, ""},
      {"lines_per_household", "lines per household (households with a line)", &a.lines_per_household, &r.lines_per_household,
       false, true, kNaN, ""},
      {"stores_per_household", "stores per household (households with >= 20 kept lines)", &a.stores_per_household,
       &r.stores_per_household, false, false, kNaN, ""}};
  json list = json::array();
  const std::string thinned_how =
      rate < 1 ? fmt::format("ours thinned to the real file's {:.2f}% line sample", 100 * rate) : "whole data on both sides";
  for (const Dist& x : dists) {
    const bool empty = x.ours->empty() || x.real->empty();
    const double ks = empty ? kNaN : ks_distance(*x.ours, *x.real);
    const double score = 1 - ks;
    const bool has_pub = std::isfinite(x.published);
    const std::string target = has_pub ? fmt::format(">= {:.2f} (published RetailSynth)", x.published) : ">= 0.80";
    const char* status = empty ? "n/a" : pass_fail(score >= (has_pub ? x.published : 0.80));
    json e = {{"id", x.id},
              {"name", x.name},
              {"comparison", x.per_line ? "per line (comparable with a line sample)" : thinned_how},
              {"score", num(score)},
              {"ks", num(ks)},
              {"n_ours", x.ours->size()},
              {"n_real", x.real->size()},
              {"mean_ours", num(mean_of(*x.ours))},
              {"mean_real", num(mean_of(*x.real))},
              {"published", has_pub ? num(x.published) : json(nullptr)},
              {"published_name", x.published_name},
              {"target", target},
              {"status", status},
              {"note", empty ? "no observations on one side" : ""}};
    add_line_figures(d, real, a, r, e);
    list.push_back(e);
    b.chart("likeness", cdf_chart(fmt::format("{}: 1 - KS = {}", x.name, fmt_num(score)), x.name, *x.ours, *x.real, x.log_x));
  }
  category_likeness(d, real, list, b.charts);
  report["likeness"] = list;
}

}  // namespace

json validate_report(const ValidateOptions& opt) {
  const auto t0 = Clock::now();
  json report;
  report["generator"] = "retailsynth validate";
  const Dataset d = load_dataset(opt.data_dir);
  const double load_s = since(t0);
  std::unique_ptr<Dataset> real;
  double real_load_s = 0;
  if (!opt.real_dir.empty()) {
    const auto t1 = Clock::now();
    real = std::make_unique<Dataset>(load_dataset(opt.real_dir));
    real_load_s = since(t1);
  }
  auto describe = [](const Dataset& x) {
    return json{{"dir", x.dir},
                {"layout", x.layout_name()},
                {"transactions", x.transactions_file},
                {"products", x.products_file},
                {"lines", x.lines()},
                {"households", x.n_households()},
                {"products_n", x.n_products()},
                {"categories", x.n_categories()},
                {"stores", x.n_stores()},
                {"first_week", x.first_week},
                {"last_week", x.weeks},
                {"lines_per_household_week", num(line_density(x))},
                {"skipped_non_merchandise_lines", x.skipped_non_merchandise},
                {"skipped_unknown_product_lines", x.skipped_unknown_product},
                {"has_truth", x.has_truth},
                {"promotions", x.promotions.size()}};
  };
  report["dataset"] = describe(d);
  if (real) {
    report["real"] = describe(*real);
  } else {
    report["real"] = nullptr;
    report["real_note"] = opt.real_note.empty() ? "no real data given" : opt.real_note;
  }
  const auto t2 = Clock::now();
  Builder b;
  measure_truth(d, b);
  measure_lines(d, real.get(), b);
  measure_published(d, b);
  measure_calendar(d, real.get(), b);
  measure_demographics(d, real.get(), b);
  if (real) measure_likeness(d, *real, report, b);
  else report["likeness"] = json::array();
  report["metrics"] = b.metrics;
  report["charts"] = b.charts;
  int pass = 0, fail = 0, na = 0;
  for (const json* list : {&report["metrics"], &report["likeness"]})
    for (const auto& m : *list) {
      const std::string s = m["status"];
      (s == "pass" ? pass : s == "fail" ? fail : na) += 1;
    }
  report["summary"] = {{"pass", pass}, {"fail", fail}, {"n/a", na}};
  report["published_retailsynth"] = {{"source", "Xia et al. 2023, RetailSynth (arXiv 2312.14095), 1 - KS against TCJ"},
                                     {"store visit", 0.68},
                                     {"categories per customer-week", 0.69},
                                     {"items per customer-week", 0.49},
                                     {"quantity", 0.94}};
  report["timings_s"] = {{"load", num(load_s)}, {"load_real", num(real_load_s)}, {"measure", num(since(t2))},
                         {"total", num(since(t0))}};
  return report;
}

namespace {

constexpr size_t kTableWidth = 100;

/// `head` then `text`, cut at spaces into lines of at most kTableWidth characters; continuation
/// lines start with `indent` spaces (a word longer than a line stays whole).
std::string wrapped(const std::string& head, const std::string& text, size_t indent) {
  std::string out = head, word;
  size_t col = head.size();
  std::istringstream words(text);
  bool first = true;
  while (words >> word) {
    if (!first && col + 1 + word.size() > kTableWidth) {
      out += "\n" + std::string(indent, ' ');
      col = indent;
    } else if (!first) {
      out += ' ';
      ++col;
    }
    out += word;
    col += word.size();
    first = false;
  }
  return out + "\n";
}

/// The short form of a likeness row's comparison ("thinned", "per line"); the full text is a footnote.
std::string short_comparison(const std::string& c) {
  if (c.rfind("ours thinned", 0) == 0) return "thinned";
  if (c.rfind("per line", 0) == 0) return "per line";
  if (c.rfind("whole data", 0) == 0) return "whole data";
  return c.size() <= 12 ? c : c.substr(0, 12);
}

}  // namespace

std::string summary_table(const json& report) {
  std::string out;
  const json& ds = report["dataset"];
  out += wrapped("", fmt::format("RetailSynth validation of {} ({}, {} lines, {} households, weeks {}-{}{})", ds["dir"].get<std::string>(),
                                 ds["layout"].get<std::string>(), ds["lines"].get<u64>(), ds["households"].get<u64>(),
                                 ds["first_week"].get<int>(), ds["last_week"].get<int>(), ds["has_truth"].get<bool>() ? ", truth" : ""),
                 2);
  if (report["real"].is_null()) {
    out += wrapped("", "real data: none (" + report.value("real_note", std::string()) + ")", 2);
  } else {
    const json& r = report["real"];
    out += wrapped("", fmt::format("real data: {} ({}, {} lines; sample rate {})", r["dir"].get<std::string>(), r["layout"].get<std::string>(),
                                   r["lines"].get<u64>(), r.contains("sample_rate") ? fmt_num(r["sample_rate"].get<double>(), 4) : "1"),
                   2);
  }
  // Per metric: status and name, then its value, its target and, for n/a, why; grouped by section.
  std::string section;
  for (const auto& m : report["metrics"]) {
    if (m["section"].get<std::string>() != section) {
      section = m["section"].get<std::string>();
      out += "\n" + section + "\n";
    }
    const std::string status = m["status"].get<std::string>();
    out += wrapped(fmt::format("  {:<5} ", status), m["name"].get<std::string>(), 8);
    std::string v = m["value_text"].get<std::string>();
    if (!m["real_text"].get<std::string>().empty()) v += " | real " + m["real_text"].get<std::string>();
    if (v != "n/a") out += wrapped(std::string(8, ' '), v, 10);
    out += wrapped(std::string(8, ' ') + "target: ", m["target"].get<std::string>(), 10);
    if (status == "n/a") out += wrapped(std::string(8, ' ') + "n/a because: ", m["note"].get<std::string>(), 10);
  }
  if (!report["likeness"].empty()) {
    out += fmt::format("\n{:<55}  {:>5}  {:>9}  {:<6}  {}\n", "likeness to real data (1 - KS unless named)", "ours", "published",
                       "status", "compared");
    std::vector<std::pair<std::string, std::string>> notes;  // short -> full comparison text
    for (const auto& l : report["likeness"]) {
      const std::string full = l["comparison"].get<std::string>(), shortened = short_comparison(full);
      if (std::none_of(notes.begin(), notes.end(), [&](const auto& n) { return n.first == shortened; }))
        notes.emplace_back(shortened, full);
      out += fmt::format("{:<55}  {:>5}  {:>9}  {:<6}  {}\n", l["name"].get<std::string>().substr(0, 55),
                         l["score"].is_null() ? "n/a" : fmt_num(l["score"].get<double>()),
                         l["published"].is_null() ? "" : fmt_num(l["published"].get<double>(), 2), l["status"].get<std::string>(),
                         shortened);
      if (l["status"].get<std::string>() == "n/a" && !l.value("note", std::string()).empty())
        out += wrapped("  n/a because: ", l["note"].get<std::string>(), 4);
      if (!l.value("figures_text", std::string()).empty()) {
        const std::string target = l["published"].is_null() ? "target " + l["target"].get<std::string>() + "; " : "";
        out += wrapped("    ", target + l["figures_text"].get<std::string>(), 4);
      }
    }
    for (const auto& [shortened, full] : notes)
      if (shortened != full) out += wrapped("  " + shortened + ": ", full, 4);
  }
  const json& s = report["summary"];
  out += fmt::format("\n{} pass, {} fail, {} n/a; {:.1f} s\n", s["pass"].get<int>(), s["fail"].get<int>(), s["n/a"].get<int>(),
                     report["timings_s"]["total"].get<double>());
  return out;
}

ValidateResult run_validate(const ValidateOptions& opt) {
  if (opt.data_dir.empty()) throw InputError("--data: required");
  ValidateResult r;
  r.out_dir = opt.out_dir.empty() ? (fs::path(opt.data_dir) / "validation").string() : opt.out_dir;
  // A read-only data folder (such as shared real data) is not written into by default, even by
  // root, who may write anywhere.
  if (opt.out_dir.empty()) {
    std::error_code pe;
    const auto perms = fs::status(opt.data_dir, pe).permissions();
    if (!pe && (perms & fs::perms::owner_write) == fs::perms::none)
      throw InputError(opt.data_dir + ": the data folder is read-only; give --out for the report");
  }
  r.report = validate_report(opt);
  std::error_code ec;
  fs::create_directories(r.out_dir, ec);
  if (ec) throw InputError(r.out_dir + ": cannot create the output folder (" + ec.message() + ")");
  auto write = [&](const std::string& name, const std::string& text) {
    const fs::path final_path = fs::path(r.out_dir) / name;
    const fs::path tmp = final_path.string() + ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary);
      f << text;
      if (!f) throw InputError(tmp.string() + ": cannot write");
    }
    fs::rename(tmp, final_path, ec);
    if (ec) throw InputError(final_path.string() + ": cannot write (" + ec.message() + ")");
  };
  write("metrics.json", r.report.dump(2) + "\n");
  write("report.html", render_report_html(r.report));
  r.table = summary_table(r.report) + "wrote " + (fs::path(r.out_dir) / "metrics.json").string() + " and report.html\n";
  return r;
}

}  // namespace retailsynth
