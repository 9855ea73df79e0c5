// `retailsynth learn-demographics`: the profiles and the children's category ratios of a real
// dataset (engine/demographics.h).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "analysis/dataset.h"
#include "analysis/demographic_measures.h"
#include "engine/demographics.h"
#include "config.h"
#include "seasonality/table.h"

namespace retailsynth {

std::string run_learn_demographics(const DemographicsLearnOptions& opt, const std::string& out_dir) {
  if (out_dir.empty()) throw InputError("--out: required");
  const Dataset d = load_dataset(opt.real_dir);
  if (d.demographics.empty())
    throw InputError(opt.real_dir + ": no demographics (expected hh_demographic.csv or demographics.csv beside the transactions)");
  std::map<DemographicValues, double> count;
  for (const auto& [key, v] : d.demographics) count[v] += 1;
  DemographicProfiles p;
  for (const auto& [v, n] : count) p.values.push_back(v), p.households.push_back(n);
  const KidsRatios k = kids_ratios(d);
  std::filesystem::create_directories(out_dir);
  write_text_file_atomic((std::filesystem::path(out_dir) / "profiles.csv").string(), p.to_csv());
  write_text_file_atomic((std::filesystem::path(out_dir) / "kids.csv").string(), k.to_csv());
  const DemographicTies t = demographic_ties(d, strong_kid_categories(k));
  std::string r = fmt::format("{} households with demographics, {} distinct profiles; {} of them with lines ({} lines)\n",
                              d.demographics.size(), p.values.size(), t.households, d.lines());
  std::vector<size_t> order(k.category.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return k.log_ratio[a] > k.log_ratio[b]; });
  r += "children's categories (log ratio, shrunk):";
  for (size_t i = 0; i < std::min<size_t>(6, order.size()); ++i)
    r += fmt::format(" {} {:.2f};", k.category[order[i]], k.log_ratio[order[i]]);
  r += fmt::format("\nties in these data: kids' category share x{:.2f}, price slope on log income {:.3f}, "
                   "lines per household (3+ persons / 1-2) x{:.2f}, multi-unit lines x{:.2f}\n",
                   t.kids_share_ratio, t.income_price_slope, t.lines_size_ratio, t.multi_unit_size_ratio);
  r += "wrote " + (std::filesystem::path(out_dir) / "profiles.csv").string() + " and kids.csv\n";
  return r;
}

}  // namespace retailsynth
