#include "analysis/compare.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "analysis/dataset.h"
#include "config.h"
#include "io/output.h"
#include "seasonality/table.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace retailsynth {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Scenario sets may list scenario sets; a bound keeps a set that lists itself from recursing forever.
constexpr int kMaxSetDepth = 4;

const CompareMetricInfo kMetrics[kNumMetrics] = {
    {"offered_discount", "offered disc", "mean depth offered (%)", true},
    {"paid_discount", "paid disc", "% of gross sales", true},
    {"units", "units/hh-wk", "units per household-week", false},
    {"revenue", "revenue/hh-wk", "$ per household-week", false},
    {"visit_rate", "visit rate", "% of households per week", true},
    {"categories_per_visitor", "cats/visitor", "categories per visitor-week", false},
    {"retention", "retention", "% buying in the last 3 weeks", true},
    {"distinct_products", "products", "distinct products bought", false},
    {"coupon_lines", "coupon lines", "% of lines with a coupon", true},
};

const char* const kSegmentNames[kNumSegments] = {"all", "high_sensitivity", "medium_sensitivity", "low_sensitivity"};
const char* const kSegmentTitles[kNumSegments] = {
    "All households", "High price sensitivity (lowest third of beta_price)",
    "Medium price sensitivity (middle third of beta_price)", "Low price sensitivity (highest third of beta_price)"};
const char* const kSegmentShort[kNumSegments] = {"all", "high", "medium", "low"};

json read_json(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw InputError(p.string() + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw InputError(p.string() + ": not valid JSON (" + std::string(e.what()) + ")");
  }
}

/// DIR/manifest.json, else the first of a sharded run's manifest/part-*.json ("" if none).
fs::path manifest_path(const fs::path& dir) {
  if (fs::is_regular_file(dir / "manifest.json")) return dir / "manifest.json";
  std::error_code ec;
  std::vector<fs::path> parts;
  if (fs::is_directory(dir / "manifest", ec))
    for (const auto& e : fs::directory_iterator(dir / "manifest", ec))
      if (e.path().filename().string().rfind("part-", 0) == 0 && e.path().extension() == ".json") parts.push_back(e.path());
  std::sort(parts.begin(), parts.end());
  return parts.empty() ? fs::path() : parts.front();
}

bool has_transactions(const fs::path& dir) {
  return fs::exists(dir / "transaction_data.csv") || fs::exists(dir / "transaction_data.csv.zst") ||
         fs::is_directory(dir / "transaction_data");
}

bool has_household_truth(const fs::path& dir) {
  return fs::exists(dir / "truth" / "households.csv") || fs::is_directory(dir / "truth" / "households");
}

/// The folder's own name, also for "runs/a/", "." or "..".
std::string folder_name(const std::string& dir) {
  fs::path p = fs::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  const std::string n = p.filename().string();
  if (n.empty() || n == "." || n == "..") {
    std::error_code ec;
    const fs::path abs = fs::absolute(dir, ec).lexically_normal();
    const fs::path q = abs.filename().empty() ? abs.parent_path() : abs;
    return q.filename().empty() ? abs.string() : q.filename().string();
  }
  return n;
}

CompareWorld world_of(const json& m, const fs::path& file) {
  const json* w = m.is_object() && m.contains("world") ? &m["world"] : nullptr;
  if (!w || !w->is_object()) throw InputError(file.string() + ": no \"world\" object (the run's size)");
  auto get = [&](const char* key) {
    if (!w->contains(key) || !(*w)[key].is_number_integer() || (*w)[key].get<i64>() <= 0)
      throw InputError(file.string() + ": world." + key + " is missing or not a positive integer");
    return (*w)[key].get<i64>();
  };
  CompareWorld r;
  r.products = get("products");
  r.stores = get("stores");
  r.weeks = get("weeks");
  return r;
}

void expand(const std::string& arg, const std::string& set_name, int depth, std::vector<CompareRun>& out) {
  const fs::path dir(arg);
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw InputError(arg + ": no such folder");
  if (!fs::is_directory(dir, ec)) throw InputError(arg + ": not a folder");
  const fs::path mpath = manifest_path(dir);
  if (!has_transactions(dir)) {
    // No data of its own: a scenario set, or nothing to compare.
    if (!mpath.empty() && mpath.filename() == "manifest.json") {
      const json m = read_json(mpath);
      if (m.is_object() && m.contains("scenarios")) {
        const json& list = m["scenarios"];
        if (!list.is_array() || list.empty()) throw InputError(mpath.string() + ": \"scenarios\" must be a non-empty array");
        if (depth >= kMaxSetDepth) throw InputError(mpath.string() + ": scenario sets nested more than " +
                                                    std::to_string(kMaxSetDepth) + " deep");
        for (size_t i = 0; i < list.size(); ++i) {
          const json& e = list[i];
          if (!e.is_object() || !e.contains("dir") || !e["dir"].is_string())
            throw InputError(mpath.string() + ": scenarios[" + std::to_string(i) + "] has no \"dir\" string");
          const std::string name = e.contains("name") && e["name"].is_string() ? e["name"].get<std::string>() : "";
          expand((dir / e["dir"].get<std::string>()).string(), name, depth + 1, out);
        }
        return;
      }
    }
    throw InputError((dir / "transaction_data.csv").string() +
                     ": missing (nor transaction_data/part-*.csv), and no \"scenarios\" list in manifest.json");
  }
  if (!has_household_truth(dir))
    throw InputError((dir / "truth" / "households.csv").string() + ": missing (compare needs the run's ground truth)");
  if (mpath.empty()) throw InputError((dir / "manifest.json").string() + ": missing (compare needs the run's world size)");
  const json m = read_json(mpath);
  CompareRun run;
  run.dir = arg;
  run.world = world_of(m, mpath);
  if (m.contains("scenario") && m["scenario"].is_object() && m["scenario"].contains("name") &&
      m["scenario"]["name"].is_string() && !m["scenario"]["name"].get<std::string>().empty())
    run.label = m["scenario"]["name"].get<std::string>();
  else if (!set_name.empty())
    run.label = set_name;
  else
    run.label = folder_name(arg);
  out.push_back(std::move(run));
}

// ---------------------------------------------------------------------------------------------
// Formatting.

std::string format_value(int metric, double v) {
  if (!std::isfinite(v)) return "n/a";
  if (kMetrics[metric].percent) return fmt::format("{:.2f}%", 100 * v);
  switch (metric) {
    case kRevenue: return fmt::format("${:.2f}", v);
    case kDistinctProducts: return fmt::format("{:.0f}", v);
    default: return fmt::format("{:.3f}", v);
  }
}

std::string format_change(double pct) { return std::isfinite(pct) ? fmt::format("{:+.2f}%", pct) : "n/a"; }

/// A value for CSV: shortest round-trip text, empty when not defined.
std::string csv_number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : ""; }

/// An aligned text table: first column left, the others right, a rule under the header.
std::string text_table(const std::vector<std::vector<std::string>>& rows, size_t left_columns = 1) {
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], r[c].size());
    }
  std::string o;
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string line;
    for (size_t c = 0; c < rows[i].size(); ++c) {
      const std::string& s = rows[i][c];
      const std::string pad(width[c] - s.size(), ' ');
      line += (c ? "  " : "") + (c < left_columns ? s + pad : pad + s);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    o += line + "\n";
    if (i == 0) {
      size_t total = 0;
      for (size_t c = 0; c < width.size(); ++c) total += width[c] + (c ? 2 : 0);
      o += std::string(total, '-') + "\n";
    }
  }
  return o;
}

std::vector<std::string> value_header() {
  std::vector<std::string> h{"run", "households"};
  for (int m = 0; m < kNumMetrics; ++m) h.push_back(kMetrics[m].header);
  return h;
}

std::vector<std::vector<std::string>> segment_rows(const std::vector<RunMetrics>& runs, int seg) {
  std::vector<std::vector<std::string>> rows{value_header()};
  for (const RunMetrics& r : runs) {
    std::vector<std::string> row{r.label, std::to_string(r.households[seg])};
    for (int m = 0; m < kNumMetrics; ++m) row.push_back(format_value(m, r.value[seg][m]));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::vector<std::string>> change_rows(const std::vector<RunMetrics>& runs) {
  std::vector<std::string> h{"run", "segment"};
  for (int m = 0; m < kNumMetrics; ++m) h.push_back(kMetrics[m].header);
  std::vector<std::vector<std::string>> rows{h};
  for (size_t i = 1; i < runs.size(); ++i)
    for (int s = 0; s < kNumSegments; ++s) {
      std::vector<std::string> row{runs[i].label, kSegmentShort[s]};
      for (int m = 0; m < kNumMetrics; ++m) row.push_back(format_change(percent_change(runs[0].value[s][m], runs[i].value[s][m])));
      rows.push_back(std::move(row));
    }
  return rows;
}

std::string markdown_table(const std::vector<std::vector<std::string>>& rows, size_t left_columns = 1) {
  auto cell = [](const std::string& s) {
    std::string e;
    for (char c : s) e += c == '|' ? std::string("\\|") : std::string(1, c);
    return e;
  };
  std::string o;
  for (size_t i = 0; i < rows.size(); ++i) {
    o += "|";
    for (const auto& c : rows[i]) o += " " + cell(c) + " |";
    o += "\n";
    if (i == 0) {
      o += "|";
      for (size_t c = 0; c < rows[0].size(); ++c) o += c < left_columns ? "---|" : "---:|";
      o += "\n";
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// The chart.

// Terciles: warm for price-sensitive households, cool for insensitive ones.
const char* const kSegmentColours[kNumSegments] = {"#555555", "#d1452c", "#e0a030", "#1f6fb4"};

/// A round step giving about `target` intervals up to `hi`.
double nice_step(double hi, int target) {
  const double raw = hi / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * mag * (1 + 1e-9)) return m * mag;
  return 10 * mag;
}

std::string tick_text(double v, double step) {
  if (v == 0) return "0";
  if (std::fabs(v) >= 1e4) return fmt::format("{:g}k", v / 1e3);
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return fmt::format("{:.{}f}", v, std::min(decimals, 6));
}

/// The text on a bar: the table's value, shown in the chart's units.
std::string bar_text(int metric, double v) {
  if (!std::isfinite(v)) return "n/a";
  if (kMetrics[metric].percent) return fmt::format("{:.2f}", 100 * v);
  if (metric == kRevenue) return fmt::format("{:.2f}", v);
  if (metric == kDistinctProducts) return fmt::format("{:.0f}", v);
  return fmt::format("{:.3f}", v);
}

struct PanelBox {
  double x, y, w, h;
};

/// Room below a panel's plot for its run labels, written whole and turned 35 degrees.
double run_label_room(const std::vector<std::string>& runs) {
  size_t longest = 0;
  for (const auto& r : runs) longest = std::max(longest, r.size());
  return 22 + 0.58 * 5.8 * static_cast<double>(longest);
}

/// One bar-chart panel: a group of bars per run (one bar per series), value on each bar, the run
/// names whole under the groups. values[run][series]; colours by series (one series: grey, so
/// colours only ever mean terciles).  A share's axis ends at 100%.
void bar_panel(std::string& o, const PanelBox& b, int metric, const std::vector<std::string>& runs,
               const std::vector<std::vector<double>>& values, const std::vector<const char*>& series_colours) {
  const double left = 50, right = 8, top = 24, bottom = run_label_room(runs);
  const double px = b.x + left, py = b.y + top, pw = b.w - left - right, ph = b.h - top - bottom;
  const double scale = kMetrics[metric].percent ? 100.0 : 1.0;
  const size_t n_series = values.empty() ? 1 : values[0].size();
  const double gw = pw / std::max<size_t>(1, runs.size());
  const double bw = std::min(44.0, gw * 0.8 / n_series);
  // Narrow bars carry their value turned upright so neighbours do not overlap; the axis then needs
  // room above the tallest bar for the longest value.
  double hi = 0;
  size_t longest = 0;
  for (const auto& g : values)
    for (double v : g) {
      if (std::isfinite(v)) hi = std::max(hi, v * scale);
      longest = std::max(longest, bar_text(metric, v).size());
    }
  if (!(hi > 0)) hi = 1;
  const bool upright = bw < 6.2 * static_cast<double>(longest);
  const double label_px = upright ? 5.6 * static_cast<double>(longest) + 6 : 16;
  const double need = hi * ph / std::max(ph - label_px, ph / 2);
  double step = nice_step(need, 4);
  double top_value = std::ceil(need / step - 1e-9) * step;
  if (kMetrics[metric].percent && top_value > 100 && hi <= 100) step = 25, top_value = 100;  // a share: 0-100%
  const auto Y = [&](double v) { return py + ph - v / top_value * ph; };

  o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"12\" font-weight=\"bold\">{}</text>\n", b.x + 4, b.y + 14,
                   xml_escape(kMetrics[metric].name));
  for (double t = 0; t <= top_value + step * 1e-6; t += step) {
    o += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e6e6e6\"/>\n", px, Y(t), px + pw, Y(t));
    o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" dominant-baseline=\"middle\" font-size=\"10\">{}</text>\n",
                     px - 5, Y(t), tick_text(t, step));
  }
  o += fmt::format("<text transform=\"translate({:.1f},{:.1f}) rotate(-90)\" text-anchor=\"middle\" font-size=\"10\">{}</text>\n",
                   b.x + 10, py + ph / 2, xml_escape(kMetrics[metric].axis));
  for (size_t r = 0; r < runs.size(); ++r) {
    const double gx = px + gw * r + (gw - bw * n_series) / 2;
    for (size_t k = 0; k < n_series; ++k) {
      const double v = values[r][k];
      const double x = gx + bw * k, cx = x + bw / 2;
      const char* colour = n_series == 1 ? kSegmentColours[kSegAll] : series_colours[k % series_colours.size()];
      const std::string label = bar_text(metric, v);
      if (std::isfinite(v)) {
        const double y = Y(v * scale);
        o += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n", x + 1, y,
                         std::max(bw - 2, 1.0), py + ph - y, colour);
      }
      double ty = std::isfinite(v) ? Y(v * scale) - 3 : py + ph - 3;
      // Near the top of a capped axis the value goes inside its bar, in white.
      const double room = upright ? 5.6 * static_cast<double>(label.size()) + 4 : 12;
      const bool inside = std::isfinite(v) && ty - room < py - 2;
      const char* fill = inside ? " fill=\"#fff\"" : "";
      if (inside) ty = upright ? Y(v * scale) + room : Y(v * scale) + 12;
      if (!upright)
        o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"10\"{}>{}</text>\n", cx, ty, fill, label);
      else
        o += fmt::format("<text transform=\"translate({:.1f},{:.1f}) rotate(-90)\" dominant-baseline=\"middle\" font-size=\"9\"{}>{}</text>\n",
                         cx, ty, fill, label);
    }
    o += fmt::format("<text transform=\"translate({:.1f},{:.1f}) rotate(-35)\" text-anchor=\"end\" font-size=\"10\">{}</text>\n",
                     px + gw * (r + 0.5) + 3, py + ph + 12, xml_escape(runs[r]));
  }
  o += fmt::format("<polyline points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" fill=\"none\" stroke=\"black\"/>\n", px, py, px,
                   py + ph, px + pw, py + ph);
}

/// Swatches and names in rows that fit `width`; returns the height used.
double legend(std::string& o, double x0, double y0, double width, const std::vector<std::string>& names,
              const std::vector<const char*>& colours) {
  double x = x0, y = y0;
  for (size_t i = 0; i < names.size(); ++i) {
    const double w = 30 + 6.5 * static_cast<double>(names[i].size());
    if (x > x0 && x + w > x0 + width) x = x0, y += 18;
    o += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"12\" fill=\"{}\"/>\n", x, y - 10, colours[i % colours.size()]);
    o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", x + 17, y, xml_escape(names[i]));
    x += w;
  }
  return y - y0 + 18;
}

}  // namespace

const CompareMetricInfo& compare_metric_info(int metric) { return kMetrics[metric]; }
const char* compare_segment_name(int segment) { return kSegmentNames[segment]; }

double percent_change(double base, double v) {
  if (!std::isfinite(base) || !std::isfinite(v)) return kNaN;
  if (base == 0) return v == 0 ? 0.0 : kNaN;
  return 100.0 * (v - base) / base;
}

CompareWorld read_compare_world(const std::string& dir) {
  const fs::path p = manifest_path(dir);
  if (p.empty()) throw InputError((fs::path(dir) / "manifest.json").string() + ": missing (compare needs the run's world size)");
  return world_of(read_json(p), p);
}

std::vector<CompareRun> expand_compare_inputs(const std::vector<std::string>& args) {
  if (args.empty()) throw InputError("compare: give at least one dataset or scenario-set folder");
  std::vector<CompareRun> runs;
  for (const std::string& a : args) expand(a, "", 0, runs);
  // Labels name the rows of every table and the CSV's run column, so they must differ.
  std::map<std::string, int> seen;
  for (CompareRun& r : runs) {
    const int n = ++seen[r.label];
    if (n > 1) {
      std::string l;
      int k = n;
      do l = r.label + " (" + std::to_string(k++) + ")";
      while (seen.count(l));
      seen[l] = 1;
      r.label = l;
    }
  }
  return runs;
}

RunMetrics measure_run(const Dataset& d, const CompareWorld& world) {
  const std::string truth_file = (fs::path(d.dir) / "truth" / "households.csv").string();
  if (!d.has_truth) throw InputError(truth_file + ": missing (compare needs the run's ground truth)");
  const int c_beta = d.param("beta_price");
  if (c_beta < 0) throw InputError(truth_file + ":1: missing column beta_price");
  if (world.weeks <= 0 || world.products <= 0 || world.stores <= 0) throw InputError(d.dir + ": the world size must be positive");
  const i64 W = world.weeks;

  // Households by price sensitivity: rank r of H (ascending beta_price, ties by key) is in tercile
  // floor(3r / H), so the terciles differ in size by at most one.  The rank is the household's index.
  std::vector<std::pair<double, i64>> order;
  order.reserve(d.params.size());
  for (const auto& [key, v] : d.params) order.emplace_back(v[static_cast<size_t>(c_beta)], key);
  std::sort(order.begin(), order.end());
  const i64 H = static_cast<i64>(order.size());
  std::unordered_map<i64, i32> rank_of;
  rank_of.reserve(order.size());
  std::vector<u8> seg(order.size());
  RunMetrics out;
  out.dir = d.dir;
  out.households[kSegAll] = H;
  for (i64 r = 0; r < H; ++r) {
    rank_of[order[r].second] = static_cast<i32>(r);
    seg[r] = static_cast<u8>(kSegHigh + 3 * r / H);
    ++out.households[seg[r]];
  }
  std::vector<i32> rank_of_hh(d.n_households());
  for (size_t h = 0; h < d.n_households(); ++h) {
    const auto it = rank_of.find(d.household_keys[h]);
    if (it == rank_of.end())
      throw InputError(d.transactions_file + ": household " + std::to_string(d.household_keys[h]) + " is not in " + truth_file);
    rank_of_hh[h] = it->second;
  }

  // One pass over the lines: sums by segment, bought products, and the (household, week, category)
  // keys that give visitors, category pairs and retention once sorted.
  struct Sums {
    i64 disc = 0, gross = 0, units = 0, net = 0, lines = 0, coupon_lines = 0;
  };
  std::array<Sums, kNumSegments> sum{};
  const i64 C = std::max<i64>(1, d.n_categories());
  std::vector<u8> bought(static_cast<size_t>(d.n_products()), 0);
  std::vector<u64> keys;
  keys.reserve(d.lines() / 4);
  const bool has_coupon = d.coupon_cents.size() == d.lines();
  for (size_t i = 0; i < d.lines(); ++i) {
    const i64 w = d.week[i];
    if (w < 1 || w > W)
      throw InputError(d.transactions_file + ": a line of week " + std::to_string(w) + " is outside the manifest's weeks 1.." +
                       std::to_string(W));
    const i32 r = rank_of_hh[d.hh[i]];
    const int s = seg[r];
    const bool coupon = has_coupon && d.coupon_cents[i] != 0;
    for (int k : {static_cast<int>(kSegAll), s}) {
      Sums& x = sum[k];
      x.disc += d.disc_cents[i];
      x.gross += d.regular_cents(i);  // SALES_VALUE - RETAIL_DISC - COUPON_MATCH_DISC
      x.units += d.quantity[i];
      x.net += d.sales_cents[i];  // SALES_VALUE: what the retailer keeps (net of its match, as in TCJ)
      x.lines += 1;
      x.coupon_lines += coupon;
    }
    bought[static_cast<size_t>(d.product[i])] |= static_cast<u8>(1u << s);
    const u64 k = static_cast<u64>((r * W + (w - 1)) * C + d.category_of_line(i));
    if (keys.empty() || keys.back() != k) keys.push_back(k);  // a basket's lines repeat the key
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<std::array<i64, kNumSegments>> visitors(static_cast<size_t>(W)), pairs(static_cast<size_t>(W));
  std::array<i64, kNumSegments> retained{};
  i64 prev_hw = -1, prev_retained = -1;
  for (u64 k : keys) {
    const i64 hw = static_cast<i64>(k) / C, r = hw / W, w = hw % W;  // w: 0-based week
    const int s = seg[r];
    ++pairs[w][kSegAll], ++pairs[w][s];
    if (hw == prev_hw) continue;
    prev_hw = hw;
    ++visitors[w][kSegAll], ++visitors[w][s];
    if (w >= W - 3 && r != prev_retained) {
      prev_retained = r;
      ++retained[kSegAll], ++retained[s];
    }
  }
  std::vector<u64>().swap(keys);
  std::array<i64, kNumSegments> products{};
  for (u8 b : bought) {
    products[kSegAll] += b != 0;
    for (int s = kSegHigh; s < kNumSegments; ++s) products[s] += (b >> s) & 1;
  }

  // Offered discount: the policy's depth averaged over every product-store-week.  Depths are held
  // as float; the file prints them with a few decimals, so rounding to 1e-6 restores the printed value.
  double depth_sum = 0;
  for (const auto& p : d.promotions.promo) depth_sum += std::round(static_cast<double>(p.depth) * 1e6) / 1e6;
  const double offered = depth_sum / (static_cast<double>(world.products) * static_cast<double>(world.stores) * static_cast<double>(W));

  for (int s = 0; s < kNumSegments; ++s) {
    auto& v = out.value[s];
    v.fill(kNaN);
    v[kOfferedDiscount] = offered;
    const double n = static_cast<double>(out.households[s]);
    if (out.households[s] == 0) continue;  // an empty tercile (fewer than 3 households) has no rates
    const Sums& x = sum[s];
    v[kPaidDiscount] = x.gross > 0 ? static_cast<double>(x.disc) / static_cast<double>(x.gross) : kNaN;
    v[kUnits] = static_cast<double>(x.units) / (n * static_cast<double>(W));
    v[kRevenue] = static_cast<double>(x.net) / 100.0 / (n * static_cast<double>(W));
    double visit = 0, cats = 0;
    i64 visited_weeks = 0;
    for (i64 w = 0; w < W; ++w) {
      visit += static_cast<double>(visitors[w][s]) / n;
      if (visitors[w][s] > 0) {
        cats += static_cast<double>(pairs[w][s]) / static_cast<double>(visitors[w][s]);
        ++visited_weeks;
      }
    }
    v[kVisitRate] = visit / static_cast<double>(W);
    v[kCategoriesPerVisitor] = visited_weeks ? cats / static_cast<double>(visited_weeks) : kNaN;
    v[kRetention] = static_cast<double>(retained[s]) / n;
    v[kDistinctProducts] = static_cast<double>(products[s]);
    v[kCouponLines] = has_coupon && x.lines ? static_cast<double>(x.coupon_lines) / static_cast<double>(x.lines) : kNaN;
  }
  return out;
}

std::string compare_text(const std::vector<RunMetrics>& runs) {
  std::string o;
  for (int s = 0; s < kNumSegments; ++s) {
    o += std::string(s ? "\n" : "") + kSegmentTitles[s] + "\n";
    o += text_table(segment_rows(runs, s));
  }
  if (runs.size() > 1) {
    o += "\nChange vs " + runs[0].label + " (%)\n";
    o += text_table(change_rows(runs), 2);
  }
  return o;
}

std::string compare_markdown(const std::vector<RunMetrics>& runs) {
  std::string o = "## Policy comparison\n";
  for (int s = 0; s < kNumSegments; ++s) {
    o += std::string("\n### ") + kSegmentTitles[s] + "\n\n";
    o += markdown_table(segment_rows(runs, s));
  }
  if (runs.size() > 1) {
    o += "\n### Change vs " + runs[0].label + " (%)\n\n";
    o += markdown_table(change_rows(runs), 2);
  }
  o += "\nMetrics: *offered disc* = sum of promotion depths over products x stores x weeks; *paid disc* = "
       "-RETAIL_DISC / (SALES_VALUE - RETAIL_DISC - COUPON_MATCH_DISC); *units*, *revenue* (SALES_VALUE, net of the "
       "retailer's coupon match as in TCJ) per "
       "household-week; *visit rate* = mean weekly share of households with a purchase; *cats/visitor* = mean weekly "
       "distinct categories per buying household; *retention* = share of households buying in the last 3 weeks; "
       "*products* = distinct products bought; *coupon lines* = share of lines with COUPON_DISC != 0. Terciles of the "
       "truth's beta_price (lowest third = most price-sensitive); households that bought nothing count.\n";
  return o;
}

std::string compare_csv(const std::vector<RunMetrics>& runs) {
  std::string o = "run,segment,metric,value\n";
  for (const RunMetrics& r : runs)
    for (int s = 0; s < kNumSegments; ++s) {
      o += fmt::format("{},{},households,{}\n", csv_field(r.label), kSegmentNames[s], r.households[s]);
      for (int m = 0; m < kNumMetrics; ++m)
        o += fmt::format("{},{},{},{}\n", csv_field(r.label), kSegmentNames[s], kMetrics[m].name, csv_number(r.value[s][m]));
    }
  for (size_t i = 1; i < runs.size(); ++i)
    for (int s = 0; s < kNumSegments; ++s)
      for (int m = 0; m < kNumMetrics; ++m)
        o += fmt::format("{},{},{}_change_pct,{}\n", csv_field(runs[i].label), kSegmentNames[s], kMetrics[m].name,
                         csv_number(percent_change(runs[0].value[s][m], runs[i].value[s][m])));
  return o;
}

std::string compare_svg(const std::vector<RunMetrics>& runs) {
  const size_t n = runs.size();
  constexpr int kColumns = 3;
  const double margin = 20, gap = 14;
  // Wide enough for three bars of about 12 px per run in the tercile panels.
  const double pw = std::max(300.0, 70.0 + static_cast<double>(n) * 48.0);
  const double width = 2 * margin + kColumns * pw + (kColumns - 1) * gap;
  const int panel_rows = (kNumMetrics + kColumns - 1) / kColumns;
  std::vector<std::string> labels;
  for (const RunMetrics& r : runs) labels.push_back(r.label);
  const double ph = 194 + run_label_room(labels);

  std::string body;
  double y = 30;
  body += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"16\" font-weight=\"bold\">{}</text>\n", margin, y,
                      xml_escape(fmt::format("RetailSynth policy comparison ({} run{})", n, n == 1 ? "" : "s")));
  y += 24;
  auto section = [&](const std::string& title, bool terciles) {
    y += 8;
    body += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"14\" font-weight=\"bold\">{}</text>\n", margin, y, xml_escape(title));
    y += 8;
    if (terciles) {
      y += 14;
      y += legend(body, margin, y, width - 2 * margin,
                  {"high sensitivity (lowest third of beta_price)", "medium sensitivity", "low sensitivity (highest third)"},
                  {kSegmentColours[kSegHigh], kSegmentColours[kSegMedium], kSegmentColours[kSegLow]});
    }
    for (int m = 0; m < kNumMetrics; ++m) {
      const PanelBox b{margin + (m % kColumns) * (pw + gap), y + (m / kColumns) * (ph + gap), pw, ph};
      std::vector<std::vector<double>> v(n);
      for (size_t r = 0; r < n; ++r)
        if (terciles)
          v[r] = {runs[r].value[kSegHigh][m], runs[r].value[kSegMedium][m], runs[r].value[kSegLow][m]};
        else
          v[r] = {runs[r].value[kSegAll][m]};
      bar_panel(body, b, m, labels, v, {kSegmentColours[kSegHigh], kSegmentColours[kSegMedium], kSegmentColours[kSegLow]});
    }
    y += panel_rows * (ph + gap);
  };
  section("All households", false);
  section("By price-sensitivity tercile", true);
  const double height = y + margin;
  std::string o = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height);
  return o + body + "</svg>\n";
}

CompareResult run_compare(const CompareOptions& opt) {
  const std::vector<CompareRun> runs = expand_compare_inputs(opt.inputs);
  CompareResult res;
  const bool progress = ::isatty(2);
  for (const CompareRun& run : runs) {
    const auto t0 = std::chrono::steady_clock::now();
    RunMetrics m;
    {
      // One run in memory at a time: the dataset is freed at the end of this scope.
      const Dataset d = load_dataset(run.dir);
      m = measure_run(d, run.world);
      if (progress)
        std::fprintf(stderr, "compare: %s: %zu lines, %zu households in the truth (%.1f s)\n", run.label.c_str(), d.lines(),
                     d.params.size(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    m.label = run.label;
    m.dir = run.dir;
    res.runs.push_back(std::move(m));
  }
  res.table = compare_text(res.runs);
  if (!opt.out_dir.empty()) {
    std::error_code ec;
    fs::create_directories(opt.out_dir, ec);
    if (ec) throw InputError(opt.out_dir + ": cannot create the output folder (" + ec.message() + ")");
    const fs::path out(opt.out_dir);
    write_text_file_atomic((out / "compare.csv").string(), compare_csv(res.runs));
    write_text_file_atomic((out / "compare.md").string(), compare_markdown(res.runs));
    write_text_file_atomic((out / "compare.svg").string(), compare_svg(res.runs));
    res.table += "\nwrote " + (out / "compare.csv").string() + ", compare.md and compare.svg\n";
  }
  return res;
}

}  // namespace retailsynth
