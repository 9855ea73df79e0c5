// `retailsynth calibrate`: fits a learned world's calibration (world_table/calibration.h) in
// simulation.  Each round generates the config's world at a few seeds (households and weeks
// reduced), pools what they show and moves the shifts toward the world table's figures:
//   - each category's intercept by log(table line share / simulated share);
//   - every category's intercept (the `all` row) by log(lines_per_basket / simulated lines per
//     basket), by default 9.4, the published full Complete Journey figure (the table's line sample
//     cannot show baskets);
//   - each category's promoted share (logit) toward its discounted share of lines, and its log
//     price level toward its median paid unit price, where the simulation has 30 lines of it;
//   - the depths of every category (the `all` row) toward the median depth of discounted lines;
//   - each category's trip-size response (log r) toward the table's big_trip_ratio: the simulation's
//     ratio is the expectation under thinning at the real sample's line rate (a line of a basket of
//     s lines is kept with probability p and its basket then keeps Binomial(s - 1, p) others), so it
//     carries no thinning noise; categories with 30 expected kept lines move, and the lines-weighted
//     mean of log r stays 0 (the ratios are relative; a common r would change every trip's size).
// Each step is the gap times `damping`, capped; the world is drawn anew for every seed, so the
// shifts fit the average over seeds, not one seed's products.
#pragma once
#include <string>
#include <vector>

#include "retailsynth/common.h"

namespace retailsynth {

struct CalibrateOptions {
  std::string config_path;
  std::vector<std::string> overrides;  // --set key=value
  std::string out;                     // the calibration CSV to write
  std::vector<u64> seeds = {1, 2, 3, 4, 5};
  i64 households = 1000;
  i32 weeks = 52;
  int rounds = 4;
  double damping = 0.8;
  double lines_per_basket = 9.4;  // 0: leave the lines per basket alone
  double line_rate = 0.0522;      // the real sample's line rate behind the table's big_trip_ratio
  bool size_response = true;      // fit the trip-size responses (where the table has big_trip_ratio)
  bool quiet = false;
};

/// Runs the rounds and writes `out` (replaced when it exists); returns the report (per round the
/// fit, and per seed of the last round the basket facts).  Throws InputError on bad input.
std::string run_calibrate(const CalibrateOptions& opt);

}  // namespace retailsynth
