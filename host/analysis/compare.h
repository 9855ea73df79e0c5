// `retailsynth compare DIR...`: the policy table of the published RetailSynth scenario study (offered
// and paid discount, units, revenue, visits, categories per visitor, retention, assortment reach,
// coupon use) for any set of generated runs, for all households and per price-sensitivity tercile,
// with each run's change against the first.
//
// An argument is a dataset folder written by `retailsynth generate` (one file or shard parts, with
// truth/ and manifest.json) or a scenario-set folder: manifest.json with "scenarios": [{"name", "dir"}]
// and no transaction file, which stands for its scenario folders in that order.  Runs are loaded one at
// a time and freed before the next, so memory is that of the largest run.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "retailsynth/common.h"

namespace retailsynth {

struct Dataset;

/// The world size a run's rates are taken over (manifest.json "world").
struct CompareWorld {
  i64 products = 0, stores = 0, weeks = 0;
};

/// One run to compare: its label (manifest "scenario"."name", else its scenario-set entry's name,
/// else the folder's name; made unique with " (2)", " (3)" ...), its folder and world size.
struct CompareRun {
  std::string label, dir;
  CompareWorld world;
};

/// Expands the arguments into runs, in order, checking each before anything is loaded.  Throws
/// InputError naming the path for no arguments, a missing folder, a folder with neither a
/// transaction file nor a scenario list, a missing truth/households.csv or an unreadable manifest.
std::vector<CompareRun> expand_compare_inputs(const std::vector<std::string>& args);

// Segments: all households, then price-sensitivity terciles of the truth's beta_price (ascending, ties
// by household_key): the lowest third (most negative coefficient on log price) is "high" sensitivity.
enum CompareSegment { kSegAll = 0, kSegHigh, kSegMedium, kSegLow, kNumSegments };

enum CompareMetric {
  kOfferedDiscount = 0,  // sum of truth promotion depths / (products x stores x weeks)
  kPaidDiscount,         // -sum RETAIL_DISC / sum (SALES_VALUE - RETAIL_DISC - COUPON_MATCH_DISC)
  kUnits,                // sum QUANTITY / (households x weeks)
  kRevenue,              // sum SALES_VALUE (net of the retailer's match) / (households x weeks), dollars
  kVisitRate,            // mean over weeks of visiting households / households
  kCategoriesPerVisitor, // mean over weeks with visitors of distinct (household, category) / visitors
  kRetention,            // share of households with a line in the last 3 weeks
  kDistinctProducts,     // distinct PRODUCT_IDs bought
  kCouponLines,          // share of lines with COUPON_DISC != 0
  kNumMetrics
};

struct CompareMetricInfo {
  const char* name;    // CSV / JSON name
  const char* header;  // table column
  const char* axis;    // chart axis label
  bool percent;        // a share, shown in percent
};
const CompareMetricInfo& compare_metric_info(int metric);
/// "all", "high_sensitivity", "medium_sensitivity", "low_sensitivity".
const char* compare_segment_name(int segment);

struct RunMetrics {
  std::string label, dir;
  std::array<i64, kNumSegments> households{};
  std::array<std::array<double, kNumMetrics>, kNumSegments> value{};  // NaN: not defined (empty segment)
};

/// Measures a loaded run (truth/households.csv and, for the offered discount, truth/promotions.csv
/// needed).  Throws InputError when the truth lacks beta_price, a line's household is not in the
/// truth, or a line's week is outside 1..world.weeks.
RunMetrics measure_run(const Dataset& d, const CompareWorld& world);

/// Reads DIR/manifest.json (or a shard's manifest/part-*.json): the world size.
CompareWorld read_compare_world(const std::string& dir);

/// Relative change of `v` against `base`, in percent; 0 when both are 0, NaN when only base is 0.
double percent_change(double base, double v);

/// Renderings of the measured runs (the first run is the baseline of the change tables).
std::string compare_text(const std::vector<RunMetrics>& runs);
std::string compare_markdown(const std::vector<RunMetrics>& runs);
std::string compare_csv(const std::vector<RunMetrics>& runs);
std::string compare_svg(const std::vector<RunMetrics>& runs);

struct CompareOptions {
  std::vector<std::string> inputs;
  std::string out_dir;  // empty: print only
};

struct CompareResult {
  std::vector<RunMetrics> runs;
  std::string table;  // what the command prints
};

/// Expands, loads and measures each run in turn, and with out_dir writes compare.csv, compare.md and
/// compare.svg there (each via a temporary file and a rename).
CompareResult run_compare(const CompareOptions& opt);

}  // namespace retailsynth
