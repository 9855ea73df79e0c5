#include "io/output.h"
#include "io/text_cursor.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <unistd.h>
#include <vector>
#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace retailsynth {

OutputFile::OutputFile(const std::string& dir, const std::string& name, bool zstd, const FileState* resume)
    : name_(zstd ? name + ".zst" : name) {
  path_ = dir + "/" + name_;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  hash_ = XXH64_createState();
  XXH64_reset(hash_, 0);
  if (resume) {
    f_ = std::fopen(path_.c_str(), "r+b");
    if (!f_) throw std::runtime_error(path_ + ": cannot reopen to resume: " + std::strerror(errno));
    std::vector<char> buf(1 << 20);
    u64 left = resume->bytes;
    while (left > 0) {
      const size_t n = std::fread(buf.data(), 1, std::min<u64>(left, buf.size()), f_);
      if (n == 0) throw std::runtime_error(path_ + ": shorter than its checkpoint; cannot resume");
      XXH64_update(hash_, buf.data(), n);
      left -= n;
    }
    if (std::fflush(f_) != 0 || ::ftruncate(::fileno(f_), static_cast<off_t>(resume->bytes)) != 0 ||
        std::fseek(f_, static_cast<long>(resume->bytes), SEEK_SET) != 0)
      throw std::runtime_error(path_ + ": cannot truncate to its checkpoint: " + std::strerror(errno));
    bytes_ = resume->bytes;
    rows_ = resume->rows;
  } else {
    f_ = std::fopen(path_.c_str(), "wb");
    if (!f_) throw std::runtime_error(path_ + ": cannot create: " + std::strerror(errno));
  }
  std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
  if (zstd) {
    zc_ = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(zc_, ZSTD_c_compressionLevel, 3);
    zbuf_.resize(ZSTD_CStreamOutSize());
  }
}

OutputFile::~OutputFile() {
  if (f_) std::fclose(f_);
  if (zc_) ZSTD_freeCCtx(zc_);
  if (hash_) XXH64_freeState(hash_);
}

void OutputFile::put(const void* data, size_t n) {
  if (n == 0) return;
  if (std::fwrite(data, 1, n, f_) != n) throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
  XXH64_update(hash_, data, n);
  bytes_ += n;
}

void OutputFile::write(std::string_view bytes) {
  if (!zc_) {
    put(bytes.data(), bytes.size());
    return;
  }
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer out{zbuf_.data(), zbuf_.size(), 0};
    const size_t r = ZSTD_compressStream2(zc_, &out, &in, ZSTD_e_continue);
    if (ZSTD_isError(r)) throw std::runtime_error(path_ + ": zstd: " + ZSTD_getErrorName(r));
    put(zbuf_.data(), out.pos);
  }
}

void OutputFile::end_frame() {
  if (!zc_) return;
  ZSTD_inBuffer in{nullptr, 0, 0};
  size_t left;
  do {
    ZSTD_outBuffer out{zbuf_.data(), zbuf_.size(), 0};
    left = ZSTD_compressStream2(zc_, &out, &in, ZSTD_e_end);
    if (ZSTD_isError(left)) throw std::runtime_error(path_ + ": zstd: " + ZSTD_getErrorName(left));
    put(zbuf_.data(), out.pos);
  } while (left != 0);
}

FileState OutputFile::checkpoint() {
  end_frame();
  if (std::fflush(f_) != 0) throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
  return FileState{bytes_, rows_};
}

FileSummary OutputFile::close() {
  end_frame();
  const bool flushed = std::fflush(f_) == 0;
  const bool closed = std::fclose(f_) == 0;
  f_ = nullptr;
  if (!flushed || !closed) throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(XXH64_digest(hash_)));
  return FileSummary{name_, rows_, bytes_, hex};
}

void append_cents(std::string& out, i64 cents) {
  char buf[32];
  out.append(buf, static_cast<size_t>(put_cents(buf, cents) - buf));
}

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace retailsynth
