// `retailsynth verify DIR`: a dataset folder against its manifests (checksums, sizes, row counts)
// and, for a sharded run, the parts against each other.
#pragma once
#include <string>
#include <vector>

#include "retailsynth/common.h"

namespace retailsynth {

struct VerifyResult {
  std::vector<std::string> problems;  // one line each, naming the file
  u64 files = 0, rows = 0;            // files checked and their data rows
  std::string report;                 // what the command prints
  bool ok() const { return problems.empty(); }
};

/// Checks every file that the manifests of `dir` list (a run, a sharded run's manifest/ parts, or a
/// scenario set and its scenario folders): it exists, and its bytes, xxh64 and data rows (lines
/// after the header, decompressed for .zst) are the manifest's.  For shards: the parts 0..N-1 are
/// all there, share N, seed and config, cover the households 1..C in order, list the same shared
/// files, and no part-* file lies outside them.  Throws InputError when `dir` has no readable
/// manifest.
VerifyResult verify_dataset(const std::string& dir);

}  // namespace retailsynth
