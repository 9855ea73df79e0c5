// Sharded output from one run only: a shard of another run (seed, shard count, config) is refused
// before it writes anything, and `retailsynth verify` finds tampered, missing and stray files.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "analysis/dataset.h"
#include "shard_check.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using rs_test::read_file;
using rs_test::run_binary;

namespace {

const std::string kTiny = "generate --quiet --config " + rs_test::source_path("configs/small.yaml") + " --set scale.households=40";

struct Output {
  int code;
  std::string out, err;
};

/// `retailsynth verify DIR`: exit code, stdout and stderr.
Output verify(const fs::path& dir) {
  const fs::path t = rs_test::temp_dir("verify");
  const std::string cmd = rs_test::binary() + " verify " + dir.string() + " > " + (t / "out").string() + " 2> " + (t / "err").string();
  const int st = std::system(cmd.c_str());
  Output o{WIFEXITED(st) ? WEXITSTATUS(st) : -1, read_file(t / "out"), read_file(t / "err")};
  fs::remove_all(t);
  return o;
}

}  // namespace

TEST(Shards, AShardOfAnotherRunIsRefusedWithOneLine) {
  const fs::path dir = rs_test::temp_dir("mix") / "out";
  ASSERT_EQ(run_binary(kTiny + " --shard 0/2 --out " + dir.string()).code, 0);
  struct Case {
    std::string args, what;
  };
  for (const Case& c : {Case{"--seed 99 --shard 1/2", "seed 7, not 99"}, Case{"--shard 1/3", "split into 2 shards, not 3"},
                        Case{"--set scale.households=50 --shard 1/2", "scale.households: 40 vs 50"},
                        Case{"--compress zstd --shard 1/2", "output.compress: none vs zstd"}}) {
    const auto r = run_binary(kTiny + " " + c.args + " --out " + dir.string());
    EXPECT_EQ(r.code, 2) << c.args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(dir.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.what), std::string::npos) << r.err;
  }
  // Nothing of the refused shards was written: product.csv is shard 0's, no other part exists.
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("part-", 0) == 0) {
      EXPECT_NE(n.find("part-0-of-2"), std::string::npos) << e.path();
    }
    EXPECT_EQ(n.find(".partial"), std::string::npos) << e.path();
  }
  // The matching shard is accepted (another block size does not change the bytes), and the
  // folder verifies.
  const auto ok = run_binary(kTiny + " --set output.block_households=7 --shard 1/2 --out " + dir.string());
  EXPECT_EQ(ok.code, 0) << ok.err;
  const Output v = verify(dir);
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find(": ok: "), std::string::npos) << v.out;
}

TEST(Shards, AShardIntoAnUnshardedRunIsRefused) {
  const fs::path dir = rs_test::temp_dir("mix1") / "out";
  ASSERT_EQ(run_binary(kTiny + " --out " + dir.string()).code, 0);
  const auto r = run_binary(kTiny + " --shard 1/2 --out " + dir.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("holds an unsharded run"), std::string::npos) << r.err;
}

TEST(Verify, FindsATamperedFileAMissingPartAndAStrayPart) {
  const fs::path dir = rs_test::temp_dir("verify-run") / "out";
  for (int i = 0; i < 2; ++i) ASSERT_EQ(run_binary(kTiny + " --shard " + std::to_string(i) + "/2 --out " + dir.string()).code, 0);
  ASSERT_EQ(verify(dir).code, 0);
  // One changed byte in a part: its checksum no longer matches (same size).
  const fs::path tx = dir / "transaction_data" / "part-1-of-2.csv";
  std::string text = read_file(tx);
  text[text.size() / 2] = text[text.size() / 2] == '1' ? '2' : '1';
  rs_test::write_file(tx, text);
  Output v = verify(dir);
  EXPECT_EQ(v.code, 1);
  EXPECT_NE(v.out.find(tx.string() + ": xxh64 "), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("1 problem:"), std::string::npos) << v.out;
  // A shared file with a line more: rows, size and checksum differ.
  rs_test::write_file(dir / "product.csv", read_file(dir / "product.csv") + "1,2,3,4,5,6,7\n");
  v = verify(dir);
  EXPECT_NE(v.out.find((dir / "product.csv").string() + ": "), std::string::npos) << v.out;
  // A missing manifest part and a stray part of another split.
  fs::remove(dir / "manifest" / "part-0-of-2.json");
  rs_test::write_file(dir / "transaction_data" / "part-2-of-3.csv", "x\n");
  v = verify(dir);
  EXPECT_EQ(v.code, 1);
  EXPECT_NE(v.out.find("part-0-of-2.json: missing"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("part-2-of-3.csv: a part that no manifest lists"), std::string::npos) << v.out;
  // Not an output folder: exit 2, one line.
  v = verify(dir / "transaction_data");
  EXPECT_EQ(v.code, 2);
  EXPECT_EQ(std::count(v.err.begin(), v.err.end(), '\n'), 1) << v.err;
}

TEST(Verify, ZstdRunsAndScenarioSetsVerify) {
  const fs::path dir = rs_test::temp_dir("verify-z") / "out";
  ASSERT_EQ(run_binary(kTiny + " --compress zstd --scenario " + rs_test::source_path("configs/scenarios/IV_rare_deep.yaml") +
                       " --out " + dir.string()).code, 0);
  Output v = verify(dir);
  EXPECT_EQ(v.code, 0) << v.out;
  // A truncated .zst part is named.
  const fs::path tx = dir / "IV_rare_deep" / "transaction_data.csv.zst";
  const std::string z = read_file(tx);
  rs_test::write_file(tx, z.substr(0, z.size() - 5));
  v = verify(dir);
  EXPECT_EQ(v.code, 1);
  EXPECT_NE(v.out.find(tx.string() + ": is a truncated zstd stream"), std::string::npos) << v.out;
}

TEST(ShardCheck, FirstJsonDifferenceNamesTheDottedKey) {
  using retailsynth::first_json_difference;
  const auto a = nlohmann::json::parse(R"({"seed": 7, "scale": {"households": 40, "weeks": 8}})");
  auto b = a;
  EXPECT_EQ(first_json_difference(a, b), "");
  b["scale"]["weeks"] = 9;
  EXPECT_EQ(first_json_difference(a, b), "scale.weeks: 8 vs 9");
  b = a;
  b["extra"] = 1;
  EXPECT_EQ(first_json_difference(a, b), "extra: set in one, absent in the other");
}

TEST(Shards, StoreWeekTripsOfThePartsAreSummed) {
  const fs::path dir = rs_test::temp_dir("sw") / "out";
  for (int i = 0; i < 3; ++i) ASSERT_EQ(run_binary(kTiny + " --shard " + std::to_string(i) + "/3 --out " + dir.string()).code, 0);
  const retailsynth::Dataset d = retailsynth::load_dataset(dir.string());
  long long from_store_weeks = 0, from_trips = 0;
  for (const auto& [k, t] : d.store_trips) from_store_weeks += t;
  for (const auto& [k, t] : d.trips) from_trips += t;
  EXPECT_GT(from_trips, 0);
  EXPECT_EQ(from_store_weeks, from_trips) << "store-week trips summed over the 3 parts = all households' trips";
}

TEST(Shards, ValidateAndCompareRefuseAFolderOfMixedShards) {
  // Parts copied together by hand (past the generate check): the readers refuse them.
  const fs::path root = rs_test::temp_dir("mixread");
  const fs::path a = root / "a", b = root / "b";
  for (int i = 0; i < 2; ++i) ASSERT_EQ(run_binary(kTiny + " --shard " + std::to_string(i) + "/2 --out " + a.string()).code, 0);
  ASSERT_EQ(run_binary(kTiny + " --seed 99 --shard 1/2 --out " + b.string()).code, 0);
  for (const auto& e : fs::recursive_directory_iterator(b))
    if (e.is_regular_file() && e.path().filename().string().rfind("part-1-of-2", 0) == 0)
      fs::copy_file(e.path(), a / fs::relative(e.path(), b), fs::copy_options::overwrite_existing);
  for (const std::string& cmd : {"validate --data " + a.string() + " --out " + (root / "v").string(), "compare " + a.string()}) {
    const auto r = run_binary(cmd);
    EXPECT_EQ(r.code, 2) << cmd;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("shards come from different runs: part-1-of-2 vs part-0-of-2: seed 99 vs 7"), std::string::npos) << r.err;
  }
  EXPECT_EQ(verify(a).code, 1);
}
