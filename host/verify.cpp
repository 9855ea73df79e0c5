#include "verify.h"

#include <fmt/format.h>
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "config.h"
#include "shard_check.h"

namespace fs = std::filesystem;

namespace retailsynth {

namespace {

/// j[key], or null when j is not an object or lacks the key.
nlohmann::json get(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) ? j[key] : nlohmann::json();
}

struct FileFacts {
  u64 bytes = 0, rows = 0;
  std::string xxh64, error;  // error: why the file could not be read to its end
};

/// Bytes, xxh64 of the bytes on disk and data rows (newlines less the header; decompressed for .zst).
FileFacts file_facts(const fs::path& p) {
  FileFacts f;
  std::ifstream in(p, std::ios::binary);
  if (!in) return f.error = "cannot be opened", f;
  const bool zst = p.extension() == ".zst";
  XXH64_state_t* h = XXH64_createState();
  XXH64_reset(h, 0);
  ZSTD_DStream* ds = zst ? ZSTD_createDStream() : nullptr;
  if (ds) ZSTD_initDStream(ds);
  std::vector<char> buf(1 << 20), out(ZSTD_DStreamOutSize());
  u64 newlines = 0;
  size_t last = 0;
  while (in && f.error.empty()) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    XXH64_update(h, buf.data(), n);
    f.bytes += n;
    if (!ds) {
      newlines += static_cast<u64>(std::count(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n), '\n'));
      continue;
    }
    ZSTD_inBuffer zin{buf.data(), n, 0};
    while (zin.pos < zin.size) {
      ZSTD_outBuffer zout{out.data(), out.size(), 0};
      last = ZSTD_decompressStream(ds, &zout, &zin);
      if (ZSTD_isError(last)) {
        f.error = std::string("is not valid zstd: ") + ZSTD_getErrorName(last);
        break;
      }
      newlines += static_cast<u64>(std::count(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(zout.pos), '\n'));
    }
  }
  if (ds && f.error.empty() && last != 0) f.error = "is a truncated zstd stream";
  if (ds) ZSTD_freeDStream(ds);
  f.xxh64 = fmt::format("{:016x}", XXH64_digest(h));
  XXH64_freeState(h);
  f.rows = newlines > 0 ? newlines - 1 : 0;
  return f;
}

nlohmann::json read_manifest(const fs::path& p) {
  std::ifstream in(p);
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception&) {
    throw InputError(p.string() + ": unreadable manifest");
  }
}

/// Checks the files a manifest lists in `folder` (each path once per run of verify).
void check_files(const fs::path& folder, const nlohmann::json& files, VerifyResult& r, std::set<fs::path>& seen) {
  if (!files.is_object()) return;
  for (const auto& [name, want] : files.items()) {
    const fs::path p = folder / name;
    if (!seen.insert(p).second) continue;
    if (!fs::is_regular_file(p)) {
      r.problems.push_back(p.string() + ": missing");
      continue;
    }
    const FileFacts f = file_facts(p);
    ++r.files;
    r.rows += f.rows;
    if (!f.error.empty()) r.problems.push_back(p.string() + ": " + f.error);
    const nlohmann::json b = get(want, "bytes"), n = get(want, "rows"), x = get(want, "xxh64");
    const u64 bytes = b.is_number_unsigned() ? b.get<u64>() : 0, rows = n.is_number_unsigned() ? n.get<u64>() : 0;
    const std::string xxh = x.is_string() ? x.get<std::string>() : "";
    if (f.bytes != bytes) r.problems.push_back(fmt::format("{}: {} bytes, the manifest says {}", p.string(), f.bytes, bytes));
    if (f.xxh64 != xxh) r.problems.push_back(fmt::format("{}: xxh64 {}, the manifest says {}", p.string(), f.xxh64, xxh));
    else if (f.error.empty() && f.rows != rows)
      r.problems.push_back(fmt::format("{}: {} rows, the manifest says {}", p.string(), f.rows, rows));
  }
}

/// "part-I-of-N" -> (I, N).
bool parse_part(const std::string& stem, i64& i, i64& n) {
  long long a = 0, b = 0;
  char tail = 0;
  if (std::sscanf(stem.c_str(), "part-%lld-of-%lld%c", &a, &b, &tail) != 2) return false;
  i = a, n = b;
  return true;
}

/// The parts of a sharded run against each other, then each part's files.
void verify_parts(const fs::path& folder, VerifyResult& r, std::set<fs::path>& seen) {
  std::map<i64, std::map<i64, nlohmann::json>> by_count;  // N -> I -> manifest
  for (const auto& e : fs::directory_iterator(folder / "manifest")) {
    i64 i = 0, n = 0;
    if (e.path().extension() == ".json" && parse_part(e.path().stem().string(), i, n)) by_count[n][i] = read_manifest(e.path());
  }
  if (by_count.empty()) throw InputError((folder / "manifest").string() + ": no part-I-of-N.json manifests");
  if (by_count.size() > 1) {
    std::string counts;
    for (const auto& [n, parts] : by_count) counts += (counts.empty() ? "" : ", ") + std::to_string(n);
    r.problems.push_back((folder / "manifest").string() + ": parts of runs split into " + counts + " shards");
  }
  std::map<std::string, std::pair<std::string, std::string>> shared;  // name -> (xxh64, first part listing it)
  for (const auto& [n, parts] : by_count) {
    const auto& [i0, first] = *parts.begin();
    const std::string first_name = fmt::format("part-{}-of-{}", i0, n);
    i64 next_household = 1;
    for (i64 i = 0; i < n; ++i) {
      const std::string name = fmt::format("part-{}-of-{}", i, n);
      const fs::path mf = folder / "manifest" / (name + ".json");
      const auto it = parts.find(i);
      if (it == parts.end()) {
        r.problems.push_back(mf.string() + ": missing (shard " + std::to_string(i) + " of " + std::to_string(n) + " has not finished)");
        next_household = -1;  // unknown after a missing part
        continue;
      }
      const nlohmann::json& m = it->second;
      if (get(m, "seed") != get(first, "seed"))
        r.problems.push_back(fmt::format("{}: seed {}, {} has {}", mf.string(), get(m, "seed").dump(),
                                         first_name, get(first, "seed").dump()));
      const std::string d = first_json_difference(without_layout_keys(get(m, "config")),
                                                  without_layout_keys(get(first, "config")));
      if (!d.empty()) r.problems.push_back(mf.string() + ": another config than " + first_name + "'s: " + d);
      const nlohmann::json sh = get(m, "shard"), hfj = get(sh, "households_first"), hlj = get(sh, "households_last");
      const i64 hf = hfj.is_number() ? hfj.get<i64>() : -1, hl = hlj.is_number() ? hlj.get<i64>() : -1;
      if (next_household >= 0 && hf != next_household)
        r.problems.push_back(fmt::format("{}: households {}..{}, expected to start at {}", mf.string(), hf, hl, next_household));
      next_household = hl + 1;
      const nlohmann::json files = get(m, "files");
      for (const auto& [file, f] : files.items()) {
        if (file.find("part-") != std::string::npos) continue;
        const nlohmann::json xj = get(f, "xxh64");
        const std::string x = xj.is_string() ? xj.get<std::string>() : "";
        auto [s, fresh] = shared.emplace(file, std::make_pair(x, name));
        if (!fresh && s->second.first != x)
          r.problems.push_back(fmt::format("{}: {} lists xxh64 {}, {} lists {}", (folder / file).string(), name, x,
                                           s->second.second, s->second.first));
      }
      check_files(folder, files, r, seen);
    }
    const nlohmann::json cj = get(get(get(first, "config"), "scale"), "households");
    const i64 C = cj.is_number() ? cj.get<i64>() : -1;
    if (next_household >= 0 && next_household - 1 != C)
      r.problems.push_back(fmt::format("{}: the parts end at household {}, the config has {}", (folder / "manifest").string(),
                                       next_household - 1, C));
  }
  // Part files that no manifest lists: left by another run, or by a shard that did not finish.
  for (auto it = fs::recursive_directory_iterator(folder); it != fs::recursive_directory_iterator(); ++it) {
    const std::string n = it->path().filename().string();
    if (it->is_directory() && (n[0] == '.' || it->path() == folder / "manifest")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && n.rfind("part-", 0) == 0 && !seen.count(it->path()))
      r.problems.push_back(it->path().string() + ": a part that no manifest lists");
  }
}

void verify_folder(const fs::path& folder, VerifyResult& r, std::set<fs::path>& seen) {
  if (!fs::is_directory(folder)) throw InputError(folder.string() + ": not a folder");
  if (fs::is_directory(folder / "manifest")) return verify_parts(folder, r, seen);
  if (!fs::exists(folder / "manifest.json"))
    throw InputError(folder.string() + ": no manifest.json and no manifest/ parts: not a RetailSynth output folder");
  const nlohmann::json m = read_manifest(folder / "manifest.json");
  check_files(folder, get(m, "files"), r, seen);
  if (m.contains("scenarios") && m["scenarios"].is_array())
    for (const auto& s : m["scenarios"]) {
      const fs::path sub = folder / s.value("dir", s.value("name", std::string()));
      if (fs::is_directory(sub)) verify_folder(sub, r, seen);
      else r.problems.push_back(sub.string() + ": the scenario folder is missing");
    }
}

}  // namespace

VerifyResult verify_dataset(const std::string& dir) {
  VerifyResult r;
  std::set<fs::path> seen;
  fs::path folder = fs::absolute(dir).lexically_normal();
  if (folder.filename().empty()) folder = folder.parent_path();  // "DIR/"
  verify_folder(folder, r, seen);
  for (const std::string& p : r.problems) r.report += p + "\n";
  r.report += fmt::format("{}: {}: {} files, {} rows checked\n", folder.string(),
                          r.ok() ? std::string("ok") : fmt::format("{} problem{}", r.problems.size(), r.problems.size() == 1 ? "" : "s"),
                          r.files, r.rows);
  return r;
}

}  // namespace retailsynth
