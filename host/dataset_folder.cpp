#include "dataset_folder.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <vector>

#include "config.h"
#include "partial_run.h"

namespace fs = std::filesystem;

namespace retailsynth {

DatasetFolder::DatasetFolder(const GenerateOptions& opt, const fs::path& out)
    : out_(out),
      sharded_(opt.shard_count > 1),
      force_(opt.force),
      resume_(opt.resume),
      part_(fmt::format("part-{}-of-{}", opt.shard_index, opt.shard_count)) {
  if (fs::exists(out) && !fs::is_directory(out)) throw InputError(out.string() + ": exists and is not a folder");
  if (!sharded_ && fs::exists(out) && !fs::is_empty(out) && !force_)
    throw InputError(out.string() + ": exists and is not empty (use --force to replace it)");
  if (sharded_ && !force_)
    for (const char* n : {"transaction_data.csv", "manifest.json"})
      for (const char* ext : {"", ".zst"})
        if (fs::exists(out / (name_of(n) + ext)))
          throw InputError((out / (name_of(n) + ext)).string() + ": this shard's output exists (use --force to replace it)");
  tmp_ = sharded_ ? out / ("." + part_ + ".partial") : out.parent_path() / (out.filename().string() + ".partial");
}

DatasetFolder::~DatasetFolder() {
  if (!opened_ || committed_) return;
  std::error_code ec;
  fs::remove_all(tmp_, ec);
}

std::string DatasetFolder::name_of(const std::string& name) const {
  if (!sharded_) return name;
  static const char* kPerHousehold[] = {"transaction_data.csv", "truth/households.csv", "truth/trips.csv",
                                        "truth/store_weeks.csv", "manifest.json", "campaign_table.csv",
                                        "coupon_redempt.csv", "truth/campaign_households.csv", "truth/outcomes.csv",
                                        "hh_demographic.csv", "truth/demographics.csv", "truth/affinities.csv"};
  for (const char* p : kPerHousehold)
    if (name == p) {
      const fs::path n(name);
      return (n.parent_path() / n.stem() / (part_ + n.extension().string())).string();
    }
  return name;
}

void DatasetFolder::refuse_checkpoint(const std::string& why) const {
  throw InputError(checkpoint_path().string() + ": " + why);
}

void DatasetFolder::open(const std::string& config_json, i64 households, bool quiet) {
  fs::create_directories(sharded_ ? out_ : out_.parent_path());
  if (resume_ && fs::exists(checkpoint_path())) {
    std::ifstream in(checkpoint_path());
    try {
      ckpt_ = nlohmann::json::parse(in);
    } catch (const std::exception&) {
      refuse_checkpoint("unreadable checkpoint; run without --resume");
    }
    if (ckpt_.value("config", std::string()) != config_json || ckpt_.value("shard", std::string()) != part_)
      refuse_checkpoint("the checkpoint is for another config, seed or shard; run without --resume");
    announce_resume(tmp_, ckpt_, households, quiet);
  } else {
    announce_discard(tmp_);
    fs::remove_all(tmp_);
  }
  fs::create_directories(tmp_ / "truth");
  opened_ = true;
}

void DatasetFolder::save_checkpoint(const nlohmann::json& c) const {
  const fs::path tmp = tmp_ / "checkpoint.json.tmp";
  {
    std::ofstream cf(tmp);
    cf << c.dump();
    if (!cf.flush()) throw std::runtime_error(tmp.string() + ": write failed");
  }
  fs::rename(tmp, checkpoint_path());
}

void DatasetFolder::commit() {
  fs::remove(checkpoint_path());
  if (sharded_) commit_shard();
  else commit_folder(tmp_, out_, force_);
  committed_ = true;
}

void commit_folder(const fs::path& tmp, const fs::path& out, bool force) {
  std::error_code ec;
  fs::path old;
  if (fs::exists(out)) {
    if (fs::is_directory(out) && fs::is_empty(out)) {
      fs::remove(out);
    } else {
      if (!force) throw InputError(out.string() + ": appeared during the run and is not empty");
      old = out.string() + ".old-" + std::to_string(::getpid());
      fs::rename(out, old);
    }
  }
  fs::rename(tmp, out);
  if (!old.empty()) fs::remove_all(old, ec);
}

/// Moves every file of a shard's partial folder to its place in the shared output folder
/// (per-household parts are the shard's own; shared files are identical from every shard, so
/// whichever shard renames last leaves the same bytes).  The shard's manifest goes last: a
/// manifest part marks a finished shard.
void DatasetFolder::commit_shard() {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(tmp_))
    if (e.is_regular_file()) files.push_back(e.path());
  std::stable_partition(files.begin(), files.end(), [](const fs::path& p) { return p.parent_path().filename() != "manifest"; });
  for (const auto& f : files) {
    const fs::path target = out_ / fs::relative(f, tmp_);
    fs::create_directories(target.parent_path());
    fs::rename(f, target);
  }
  std::error_code ec;
  fs::remove_all(tmp_, ec);
}

}  // namespace retailsynth
