#include "shard_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <optional>

#include "config.h"

namespace fs = std::filesystem;

namespace retailsynth {

namespace {

/// A value as it reads in a message (strings without quotes, long values cut).
std::string shown(const nlohmann::json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

/// "part-I-of-N" -> N, or nothing for another name.
std::optional<i64> count_of_part(const std::string& name) {
  long long i = 0, n = 0;
  char tail = 0;
  if (std::sscanf(name.c_str(), "part-%lld-of-%lld%c", &i, &n, &tail) != 2) return std::nullopt;
  return n;
}

struct OtherPart {
  std::string name;  // part-I-of-N
  fs::path file;     // where it was read
  nlohmann::json config;
};

/// The finished and unfinished parts already in `out`, except `part`.
std::vector<OtherPart> other_parts(const fs::path& out, const std::string& part) {
  std::vector<OtherPart> found;
  std::error_code ec;
  auto read = [&](const std::string& name, const fs::path& file, bool checkpoint) {
    if (name == part || !count_of_part(name)) return;
    std::ifstream in(file);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
      if (checkpoint) j["config"] = nlohmann::json::parse(j.value("config", std::string("{}")));
    } catch (const std::exception&) {
      throw InputError(file.string() + ": unreadable; this folder's shards cannot be checked against the new one");
    }
    found.push_back({name, file, j.value("config", nlohmann::json::object())});
  };
  if (fs::is_directory(out / "manifest", ec))
    for (const auto& e : fs::directory_iterator(out / "manifest"))
      if (e.path().extension() == ".json") read(e.path().stem().string(), e.path(), false);
  if (fs::is_directory(out, ec))
    for (const auto& e : fs::directory_iterator(out)) {
      const std::string n = e.path().filename().string();
      if (n.size() > 9 && n[0] == '.' && n.compare(n.size() - 8, 8, ".partial") == 0 &&
          fs::exists(e.path() / "checkpoint.json"))
        read(n.substr(1, n.size() - 9), e.path() / "checkpoint.json", true);
    }
  return found;
}

}  // namespace

nlohmann::json without_layout_keys(nlohmann::json c) {
  if (c.contains("output") && c["output"].is_object())
    for (const char* k : {"block_households", "market_cache_mb", "overlap_write"}) c["output"].erase(k);
  return c;
}

std::string first_json_difference(const nlohmann::json& a, const nlohmann::json& b, const std::string& prefix) {
  if (a == b) return "";
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : a.items()) {
      const std::string key = prefix.empty() ? k : prefix + "." + k;
      if (!b.contains(k)) return key + ": set in one, absent in the other";
      const std::string d = first_json_difference(v, b[k], key);
      if (!d.empty()) return d;
    }
    for (const auto& [k, v] : b.items())
      if (!a.contains(k)) return (prefix.empty() ? k : prefix + "." + k) + ": set in one, absent in the other";
  }
  return (prefix.empty() ? std::string("value") : prefix) + ": " + shown(a) + " vs " + shown(b);
}

void check_shard_matches(const fs::path& out, const std::string& part, i64 shard_count, u64 seed,
                         const nlohmann::json& config) {
  for (const char* f : {"transaction_data.csv", "transaction_data.csv.zst"})
    if (fs::exists(out / f))
      throw InputError(out.string() + ": holds an unsharded run (" + f + "); shards need a folder of their own");
  for (const OtherPart& o : other_parts(out, part)) {
    const bool unfinished = o.file.filename() == "checkpoint.json";
    const std::string head = out.string() + ": holds " + (unfinished ? "the unfinished " : "") + o.name + " of another run (" +
                             fs::relative(o.file, out).string() + "), ";
    const i64 n = *count_of_part(o.name);
    if (n != shard_count)
      throw InputError(head + fmt::format("split into {} shards, not {} (use an empty folder)", n, shard_count));
    if (o.config.contains("seed") && o.config["seed"] != nlohmann::json(seed))
      throw InputError(head + fmt::format("seed {}, not {} (use an empty folder)", shown(o.config["seed"]), seed));
    const std::string d = first_json_difference(without_layout_keys(o.config), without_layout_keys(config));
    if (!d.empty()) throw InputError(head + "with another config (its value vs this shard's): " + d + " (use an empty folder)");
  }
}

void check_parts_agree(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir / "manifest", ec)) return;
  std::vector<std::pair<std::string, nlohmann::json>> parts;
  for (const auto& e : fs::directory_iterator(dir / "manifest"))
    if (e.path().extension() == ".json" && count_of_part(e.path().stem().string())) {
      std::ifstream in(e.path());
      try {
        parts.emplace_back(e.path().stem().string(), nlohmann::json::parse(in));
      } catch (const std::exception&) {
        throw InputError(e.path().string() + ": unreadable manifest part");
      }
    }
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < parts.size(); ++i) {
    const auto& [n0, m0] = parts[0];
    const auto& [n, m] = parts[i];
    const auto seed0 = m0.value("seed", nlohmann::json()), seed = m.value("seed", nlohmann::json());
    std::string what = seed != seed0 ? "seed " + shown(seed) + " vs " + shown(seed0) : "";
    if (what.empty())
      what = first_json_difference(without_layout_keys(m.value("config", nlohmann::json::object())),
                                   without_layout_keys(m0.value("config", nlohmann::json::object())));
    if (!what.empty())
      throw InputError(dir.string() + ": its shards come from different runs: " + n + " vs " + n0 + ": " + what +
                       " (retailsynth verify lists every difference)");
  }
}

}  // namespace retailsynth
