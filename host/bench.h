// `retailsynth bench`: stage timings of the CPU and CUDA backends on the same world (issue 7).
#pragma once
#include <string>
#include <vector>

#include "retailsynth/common.h"

namespace retailsynth {

struct BenchOptions {
  std::string config_path;             // empty: built-in defaults
  std::vector<std::string> overrides;  // --set
  std::string backend = "both";        // cpu | cuda | both
  i64 households = 0;                  // 0: the config's
  i32 products = 0, weeks = 0;
  int threads = 0;
  bool end_to_end = true;  // also time a whole generate() into a temporary folder
  std::string json;        // write the results here
};

/// Runs the benchmark, prints a table to stdout, returns the JSON text.
std::string run_bench(const BenchOptions& opt);

}  // namespace retailsynth
