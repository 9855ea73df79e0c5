// Seasonality round trip (issue 5): generate with the planted table (the one default.yaml uses),
// learn it back from transaction_data.csv + product.csv, and compare category curves.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "analysis/dataset.h"

#include "seasonality/learner.h"
#include "seasonality/table.h"
#include "simulator.h"
#include "test_helpers.h"

using namespace retailsynth;
namespace fs = std::filesystem;

namespace {

double correlation(const SeasonCurve& a, const SeasonCurve& b) {
  double ma = 0, mb = 0;
  for (int w = 0; w < kWeeksPerYear; ++w) ma += a.index[w], mb += b.index[w];
  ma /= kWeeksPerYear, mb /= kWeeksPerYear;
  double sab = 0, saa = 0, sbb = 0;
  for (int w = 0; w < kWeeksPerYear; ++w) {
    sab += (a.index[w] - ma) * (b.index[w] - mb);
    saa += (a.index[w] - ma) * (a.index[w] - ma);
    sbb += (b.index[w] - mb) * (b.index[w] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

}  // namespace

TEST(SeasonalityRoundTrip, LearnedCurvesFollowThePlantedOnes) {
  const fs::path out = rs_test::temp_dir("season_rt") / "o";
  GenerateOptions g;
  g.config_path = rs_test::source_path("configs/default.yaml");
  g.overrides = {"scale.households=2500", "scale.products=6000", "scale.stores=10", "scale.weeks=104"};
  g.out_dir = out.string();
  g.backend = "cpu";
  g.quiet = true;
  generate(g);
  LearnOptions o;
  o.transactions_path = (out / "transaction_data.csv").string();
  o.products_path = (out / "product.csv").string();
  std::string report;
  const SeasonalityTable learned = learn_seasonality(o, &report);
  const SeasonalityTable planted = SeasonalityTable::load((out / "truth/seasonality.csv").string());
  std::map<std::string, i64> lines;  // by category
  {
    const Dataset d = load_dataset(out.string());
    for (size_t i = 0; i < d.lines(); ++i) ++lines[d.category_name[d.category_of_line(i)]];
  }
  // The curves learned from real data (keys of the committed table): a category without one
  // follows its department's mean curve, which carries the department's holiday peaks on a thin
  // category's few lines (PHARMACY: 74 lines here), more than a run of this size can learn back.
  const SeasonalityTable real = SeasonalityTable::load(rs_test::source_path("configs/seasonality/completejourney.csv"));
  int seasonal = 0, strong = 0, follow = 0, strong_follow = 0, fallback = 0;
  double worst_strong = 1;
  for (const auto& [name, curve] : planted.categories()) {
    const double ratio = summarize(curve).ratio();
    if (ratio < 1.5) continue;
    if (!real.find_category(name)) {
      ++fallback;
      continue;
    }
    const SeasonCurve* l = learned.find_category(name);
    if (!l) {  // the learner leaves out categories with too few lines (the learned world's small ones)
      EXPECT_LT(lines.count(name) ? lines.at(name) : 0, o.min_category_lines) << name;
      continue;
    }
    const double r = correlation(curve, *l);
    ++seasonal;
    follow += r > 0.7;
    if (ratio >= 2.0) {
      ++strong;
      strong_follow += r > 0.7;
      worst_strong = std::min(worst_strong, r);
    }
  }
  std::printf("[measured] round trip: %d of %d seasonal categories (planted peak/trough >= 1.5) learned back with r > 0.7; "
              "%d of %d with peak/trough >= 2 (lowest r %.2f); %d department-mean curves left out\n",
              follow, seasonal, strong_follow, strong, worst_strong, fallback);
  ASSERT_GT(seasonal, 20);
  // Several products of a category on one trip make a category's lines come in clusters, so a
  // thin category's learned curve is noisier than its line count says: nearly all strong curves
  // follow, none is lost.
  EXPECT_GE(strong_follow, 0.95 * strong);
  EXPECT_GT(worst_strong, 0.5);
  EXPECT_GE(follow, 0.9 * seasonal);
}
