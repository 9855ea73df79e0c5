// The folder one dataset is written into: the part names of a shard, the partial folder that
// holds the files until the run is complete, its checkpoint for --resume, and the commit that
// puts the files in place.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "simulator.h"

namespace retailsynth {

/// Moves a finished partial folder `tmp` into place at `out` (an old output is replaced with
/// `force`, else an output that appeared meanwhile is refused).
void commit_folder(const std::filesystem::path& tmp, const std::filesystem::path& out, bool force);

class DatasetFolder {
 public:
  /// Refuses an output that would be overwritten (a non-empty DIR, or this shard's parts,
  /// unless --force) before anything is written.
  DatasetFolder(const GenerateOptions& opt, const std::filesystem::path& out);
  /// A run that ends without its commit (an error) leaves no partial folder behind.
  ~DatasetFolder();
  DatasetFolder(const DatasetFolder&) = delete;
  DatasetFolder& operator=(const DatasetFolder&) = delete;

  /// Opens the partial folder (DIR.partial, or DIR/.part-I-of-N.partial for a shard).  With
  /// --resume and a checkpoint of the same config and shard it continues from there (and says
  /// so unless `quiet`); otherwise it starts afresh (saying so when it discards a checkpoint).
  void open(const std::string& config_json, i64 households, bool quiet);

  bool sharded() const { return sharded_; }
  const std::string& part() const { return part_; }
  /// Where file `name` of the dataset goes: a shard's per-household files are parts of their own
  /// folder (transaction_data.csv -> transaction_data/part-I-of-N.csv), the rest as named.
  std::string name_of(const std::string& name) const;
  /// The partial folder the files are written into.
  std::string dir() const { return tmp_.string(); }

  bool resuming() const { return !ckpt_.is_null(); }
  const nlohmann::json& checkpoint() const { return ckpt_; }
  /// Writes the checkpoint of a finished block (renamed into place, never half-written).
  void save_checkpoint(const nlohmann::json& c) const;
  /// Throws InputError naming the checkpoint file.
  [[noreturn]] void refuse_checkpoint(const std::string& why) const;

  /// Moves the finished files into place: the whole folder (replacing an old output with
  /// --force), or a shard's files into the shared folder with its manifest part last.
  void commit();

 private:
  std::filesystem::path checkpoint_path() const { return tmp_ / "checkpoint.json"; }
  void commit_shard();

  std::filesystem::path out_, tmp_;
  bool sharded_, force_, resume_, opened_ = false, committed_ = false;
  std::string part_;
  nlohmann::json ckpt_;
};

}  // namespace retailsynth
