// A sharded run's folder holds the parts of one run only: the check a new shard makes before it
// writes anything.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "retailsynth/common.h"

namespace retailsynth {

/// The first dotted key whose value differs between two JSON objects ("scale.households: 400 vs
/// 500"), or "" when they are equal.
std::string first_json_difference(const nlohmann::json& a, const nlohmann::json& b, const std::string& prefix = "");

/// The config less the keys that change how a run is computed but not its bytes
/// (output.block_households, output.market_cache_mb, output.overlap_write).
nlohmann::json without_layout_keys(nlohmann::json config);

/// Throws InputError (one line naming `out`, the part and what differs) when a finished shard
/// (`out/manifest/part-*.json`) or an unfinished one (`out/.part-*.partial/checkpoint.json`) other
/// than `part` comes from another run: another seed, shard count or config.
void check_shard_matches(const std::filesystem::path& out, const std::string& part, i64 shard_count, u64 seed,
                         const nlohmann::json& config);

/// For readers of a sharded folder: throws InputError (one line naming `dir` and the first
/// difference) when its manifest/part-*.json come from different runs (seed or config).
void check_parts_agree(const std::filesystem::path& dir);

}  // namespace retailsynth
