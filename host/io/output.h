// Output files: streamed writes, optional zstd, xxHash64 of the bytes on disk, row counts.
#pragma once
#include <zstd.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "retailsynth/common.h"

struct XXH64_state_s;

namespace retailsynth {

struct FileSummary {
  std::string name;  // relative to the output folder
  u64 rows = 0;      // data rows (header excluded)
  u64 bytes = 0;     // bytes on disk
  std::string xxh64;
};

/// Where a file stood at a checkpoint.
struct FileState {
  u64 bytes = 0, rows = 0;
};

class OutputFile {
 public:
  /// Creates `dir/name` (appending ".zst" when `zstd`), or with `resume` reopens it, keeps its
  /// first resume->bytes bytes (re-reading them into the checksum) and continues after them.
  /// Throws std::runtime_error on I/O errors.
  OutputFile(const std::string& dir, const std::string& name, bool zstd, const FileState* resume = nullptr);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view bytes);
  void add_rows(u64 n) { rows_ += n; }
  /// Makes everything written so far durable and self-contained (a zstd file ends its frame, so
  /// the file is a valid concatenation of frames) and returns the position to resume from.
  FileState checkpoint();
  const std::string& name() const { return name_; }
  /// Flushes, closes and returns the summary.
  FileSummary close();

 private:
  void put(const void* data, size_t n);
  void end_frame();  // zstd: finish the current frame (the next write starts a new one)
  std::string path_, name_;
  std::FILE* f_ = nullptr;
  ZSTD_CCtx* zc_ = nullptr;
  std::string zbuf_;
  XXH64_state_s* hash_ = nullptr;
  u64 rows_ = 0, bytes_ = 0;
};

/// Appends "-1.23" style dollars for a cent amount (never "-0.00").
void append_cents(std::string& out, i64 cents);

/// Escapes &, <, > and " for XML/HTML text and attributes (SVG charts, report.html).
std::string xml_escape(const std::string& s);

/// Quotes a CSV field when it holds a comma, quote or newline.
std::string csv_field(const std::string& s);

}  // namespace retailsynth
