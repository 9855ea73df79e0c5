// `retailsynth generate`: the block/week loop and the output folder (DESIGN §2, §6.2).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "retailsynth/common.h"

namespace retailsynth {

struct GenerateOptions {
  std::string config_path;
  std::vector<std::string> overrides;  // --set key=value
  std::string out_dir;
  std::string backend = "auto";
  std::optional<u64> seed;
  i64 shard_index = 0, shard_count = 1;
  int threads = 0;  // 0: OpenMP's default
  std::string compress;  // empty: the config's output.compress
  bool force = false;
  bool quiet = false;
  bool resume = false;  // continue a killed run from its last finished block of households
  std::vector<std::string> scenarios;  // --scenario FILE...: policy scenarios on the same households
};

struct GenerateResult {
  u64 transaction_rows = 0;
  double seconds = 0;
  std::string backend;
};

/// Runs a generation.  Throws InputError for bad input (exit 2), std::runtime_error otherwise;
/// on any failure the output folder is left as it was.
///
/// With scenarios, every scenario is simulated on the same households with common random
/// numbers and written to DIR/<scenario name>/ (a whole dataset each); DIR/truth/effects.csv
/// holds each household's outcomes per scenario and their differences from the first (baseline)
/// scenario, and DIR/manifest.json lists the scenarios.
GenerateResult generate(const GenerateOptions& opt);

/// The scenario names of a scenario-set folder's manifest (empty for a plain dataset).
std::vector<std::string> scenario_dirs(const std::string& dir);

}  // namespace retailsynth
