// docs/data-dictionary.md documents every output file and column: each CSV written by a sharded,
// zstd-compressed scenario set and by a plain run has a section (### `NAME.csv`) that names every
// column of its header, and every top-level manifest key is in the manifest section.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "analysis/dataset.h"
#include "io/csv.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using rs_test::read_file;
using rs_test::run_binary;

namespace {

/// The text of the section whose heading starts with "### `name`", up to the next heading.
std::string section(const std::string& doc, const std::string& heading) {
  const size_t at = doc.find(heading);
  if (at == std::string::npos) return "";
  const size_t end = doc.find("\n#", at + heading.size());
  return doc.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

/// "truth/households/part-0-of-2.csv.zst" -> "truth/households.csv"; "truth/prices.csv.zst" -> "truth/prices.csv".
std::string table_name(fs::path rel) {
  std::string s = rel.generic_string();
  if (s.size() > 4 && s.compare(s.size() - 4, 4, ".zst") == 0) s.resize(s.size() - 4);
  rel = s;
  if (rel.filename().string().rfind("part-", 0) == 0) return rel.parent_path().generic_string() + ".csv";
  return s;
}

void check_folder(const fs::path& dir, const std::string& doc, std::set<std::string>& seen) {  // NOLINT(misc-no-recursion)
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const std::string n = it->path().filename().string();
    if (it->is_directory() && n[0] == '.') {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory() && (fs::exists(it->path() / "manifest.json") || fs::is_directory(it->path() / "manifest"))) {
      check_folder(it->path(), doc, seen);  // a scenario's dataset folder: names relative to it
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || (n.find(".csv") == std::string::npos)) continue;
    const std::string name = table_name(fs::relative(it->path(), dir));
    const std::string sec = section(doc, "### `" + name + "`");
    ASSERT_FALSE(sec.empty()) << "no section ### `" << name << "` for " << it->path();
    seen.insert(name);
    const std::string text = retailsynth::read_text_file(it->path().string());
    for (const std::string& col : retailsynth::split_csv_line(text.substr(0, text.find('\n'))))
      EXPECT_NE(sec.find("`" + col + "`"), std::string::npos) << name << ": column " << col << " is not in the dictionary";
  }
}

void check_manifest(const fs::path& file, const std::string& doc) {
  const std::string sec = section(doc, "## `manifest.json`");
  ASSERT_FALSE(sec.empty());
  for (const auto& [key, v] : nlohmann::json::parse(read_file(file)).items())
    EXPECT_NE(sec.find("`" + key + "`"), std::string::npos) << file << ": key " << key << " is not in the dictionary";
}

}  // namespace

TEST(DataDictionary, EveryFileAndColumnIsDocumented) {
  const std::string doc = read_file(rs_test::source_path("docs/data-dictionary.md"));
  ASSERT_FALSE(doc.empty());
  const fs::path root = rs_test::temp_dir("dictionary");
  const std::string gen = "generate --quiet --config " + rs_test::source_path("configs/small.yaml") + " --set scale.households=40";
  const std::string scen = " --scenario " + rs_test::source_path("configs/scenarios/IV_rare_deep.yaml");
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(run_binary(gen + scen + " --compress zstd --shard " + std::to_string(i) + "/2 --out " + (root / "set").string()).code, 0);
  ASSERT_EQ(run_binary(gen + scen + " --out " + (root / "plain").string()).code, 0);
  std::set<std::string> seen;
  check_folder(root / "set", doc, seen);
  check_folder(root / "plain", doc, seen);
  for (const char* f : {"transaction_data.csv", "product.csv", "causal_data.csv", "truth/households.csv", "truth/prices.csv",
                        "truth/store_weeks.csv", "truth/outcomes.csv", "coupon_redempt.csv", "truth/effects.csv"})
    EXPECT_TRUE(seen.count(f)) << f;
  check_manifest(root / "plain" / "manifest.json", doc);
  check_manifest(root / "plain" / "IV_rare_deep" / "manifest.json", doc);
  check_manifest(root / "set" / "IV_rare_deep" / "manifest" / "part-1-of-2.json", doc);
}
