// Helpers for tests: temporary folders, files, running the binary.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "io/csv.h"

namespace rs_test {

/// The binary and source folder: compiled-in paths, overridable by RS_BINARY / RS_SOURCE_DIR
/// (for running a carried build on another machine).
inline std::string binary() {
  const char* e = std::getenv("RS_BINARY");
  return e && *e ? e : RS_BINARY;
}
inline std::string source_dir() {
  const char* e = std::getenv("RS_SOURCE_DIR");
  return e && *e ? e : RS_SOURCE_DIR;
}

inline std::filesystem::path temp_dir(const std::string& tag) {
  auto p = std::filesystem::temp_directory_path() /
           ("rs_test_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct RunResult {
  int code;
  std::string err;
};

/// Runs the retailsynth binary with `args` (a shell fragment); returns exit code and stderr.
inline RunResult run_binary(const std::string& args, const std::string& env = "") {
  const auto errf = temp_dir("stderr") / "err.txt";
  const std::string cmd = env + " " + binary() + " " + args + " 2> " + errf.string() + " > /dev/null";
  const int st = std::system(cmd.c_str());
  const int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  RunResult r{code, read_file(errf)};
  std::filesystem::remove_all(errf.parent_path());
  return r;
}

/// A CSV file's data rows (header skipped), each split into fields.
inline std::vector<std::vector<std::string>> rows_of(const std::filesystem::path& f) {
  std::istringstream in(read_file(f));
  std::string line;
  std::vector<std::vector<std::string>> rows;
  std::getline(in, line);
  while (std::getline(in, line)) rows.push_back(retailsynth::split_csv_line(line));
  return rows;
}

inline std::string source_path(const std::string& rel) { return source_dir() + "/" + rel; }

/// configs/small.yaml generated once per test process, for the tests that only read it.
inline const std::filesystem::path& small_generated() {
  static const std::filesystem::path dir = [] {
    const auto d = temp_dir("small") / "out";
    const auto r = run_binary("generate --quiet --config " + source_path("configs/small.yaml") + " --out " + d.string());
    if (r.code != 0) throw std::runtime_error("generating configs/small.yaml failed: " + r.err);
    return d;
  }();
  return dir;
}

}  // namespace rs_test
