// Row formatting through a raw cursor: a row's fields are written straight into the string's
// room, with no capacity check or length count per field (the CSV writers' inner loops).
#pragma once
#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>
#include <string_view>

#include "retailsynth/common.h"

namespace retailsynth {

/// The most a row of the data files can take: 16 fields of 21 characters and a separator each.
constexpr size_t kMaxRowBytes = 16 * 22;

/// Appends rows to `out` through a cursor: room(kMaxRowBytes) before each row, then the put_*
/// functions, then done(end).  The string gets its final length when the cursor goes.
class TextCursor {
 public:
  explicit TextCursor(std::string& out) : out_(out), used_(out.size()) {}
  ~TextCursor() { out_.resize(used_); }
  TextCursor(const TextCursor&) = delete;
  TextCursor& operator=(const TextCursor&) = delete;
  /// Where the next `n` bytes go.  The string's length runs at most 4 kB ahead of the text, so each
  /// byte is zeroed about once and a reserve() made beforehand is not outgrown early; its capacity
  /// grows geometrically as append's does.
  char* room(size_t n) {
    if (used_ + n > out_.size()) out_.resize(used_ + std::max(n, size_t{4096}));
    return &out_[used_];
  }
  void done(const char* end) { used_ = static_cast<size_t>(end - out_.data()); }

 private:
  std::string& out_;
  size_t used_;
};

inline char* put_int(char* p, i64 v) { return std::to_chars(p, p + 20, v).ptr; }

inline char* put_text(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

/// "-1.23" style dollars for a cent amount (never "-0.00").
inline char* put_cents(char* p, i64 cents) {
  if (cents < 0) {
    *p++ = '-';
    cents = -cents;
  }
  p = put_int(p, cents / 100);
  const int c = static_cast<int>(cents % 100);
  p[0] = '.';
  p[1] = static_cast<char>('0' + c / 10);
  p[2] = static_cast<char>('0' + c % 10);
  return p + 3;
}

}  // namespace retailsynth
