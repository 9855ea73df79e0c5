#include "engine/seasonality.h"

#include <cctype>
#include <cmath>
#include <map>

namespace retailsynth {
namespace {

std::string normalise(const std::string& s) {
  std::string out;
  bool space = false;
  for (unsigned char c : s) {
    if (std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::toupper(c));
  }
  return out;
}

bool usable(const SeasonCurve* c, double min_reliability) {
  return c && (std::isnan(c->reliability) ? min_reliability <= -1 : c->reliability >= min_reliability);
}

SeasonCurve powered(const SeasonCurve& c, double strength) {
  SeasonCurve out = c;
  double mean = 0;
  for (auto& x : out.index) {
    x = static_cast<float>(std::pow(static_cast<double>(x), strength));
    mean += x;
  }
  mean /= kWeeksPerYear;
  for (auto& x : out.index) x = static_cast<float>(x / mean);  // keep mean 1
  return out;
}

}  // namespace

Seasonality::Seasonality(const Config& cfg, const Catalog& cat) : traffic_(kWeeksPerYear, 1.0f) {
  const auto& sc = cfg.seasonality;
  if (sc.table.empty() || sc.strength == 0.0) return;
  const SeasonalityTable table = SeasonalityTable::load(sc.table);
  active_ = true;
  // Lookups by normalised name, and department means of the usable curves.
  std::map<std::string, const SeasonCurve*> by_norm;
  for (const auto& [name, curve] : table.categories()) by_norm[normalise(name)] = &curve;
  std::map<std::string, std::pair<SeasonCurve, int>> dept_mean;
  for (i32 k = 0; k < cat.n_categories(); ++k) {
    const SeasonCurve* c = table.find_category(cat.cat_name[k]);
    if (!usable(c, sc.min_reliability)) continue;
    auto& [sum, n] = dept_mean[cat.cat_department[k]];
    if (n == 0) sum.index.fill(0.0f);
    for (int w = 0; w < kWeeksPerYear; ++w) sum.index[w] += c->index[w];
    ++n;
  }
  std::vector<SeasonCurve> cat_curve(cat.n_categories());
  for (i32 k = 0; k < cat.n_categories(); ++k) {
    const SeasonCurve* c = table.find_category(cat.cat_name[k]);
    int rule = 0;  // exact
    if (!c) {
      const auto it = by_norm.find(normalise(cat.cat_name[k]));
      c = it == by_norm.end() ? nullptr : it->second;
      rule = 1;  // normalised name
    }
    SeasonCurve curve;
    if (c && usable(c, sc.min_reliability)) {
      curve = *c;
    } else if (c) {
      rule = 2;  // in the table but not reliably seasonal: flat
    } else if (const auto d = dept_mean.find(cat.cat_department[k]); d != dept_mean.end()) {
      rule = 3;  // name not in the table: the department's mean curve
      for (int w = 0; w < kWeeksPerYear; ++w) curve.index[w] = d->second.first.index[w] / d->second.second;
    } else {
      rule = 4;
    }
    ++match_counts_[rule];
    cat_curve[k] = powered(curve, sc.strength);
    used_.set_category(cat.cat_name[k], cat_curve[k]);
  }
  cat_log_index_.resize(static_cast<size_t>(cat.n_categories()) * kWeeksPerYear);
  for (i32 k = 0; k < cat.n_categories(); ++k)
    for (int w = 0; w < kWeeksPerYear; ++w)
      cat_log_index_[static_cast<size_t>(k) * kWeeksPerYear + w] = std::log(cat_curve[k].index[w]);
  rel_log_index_.assign(static_cast<size_t>(cat.n_products()) * kWeeksPerYear, 0.0f);
  for (i32 j = 0; j < cat.n_products(); ++j) {
    const SeasonCurve* pc = table.find_product(cat.product_id[j]);
    if (!usable(pc, sc.min_reliability)) continue;
    const SeasonCurve curve = powered(*pc, sc.strength);
    used_.set_product(cat.product_id[j], curve);
    const i32 k = cat.category[j];
    for (int w = 0; w < kWeeksPerYear; ++w)
      rel_log_index_[static_cast<size_t>(j) * kWeeksPerYear + w] =
          static_cast<float>(std::log(curve.index[w]) - std::log(cat_curve[k].index[w]));
  }
  if (sc.traffic && usable(table.traffic(), sc.min_reliability)) {
    const SeasonCurve t = powered(*table.traffic(), sc.strength);
    used_.set_traffic(t);
    for (int w = 0; w < kWeeksPerYear; ++w) traffic_[w] = t.index[w];
  }
}

}  // namespace retailsynth
