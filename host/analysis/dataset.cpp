#include "analysis/dataset.h"

#include <omp.h>
#include <zstd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config.h"
#include "io/csv.h"
#include "io/dates.h"
#include "shard_check.h"
#include "world.h"

namespace fs = std::filesystem;

namespace retailsynth {
namespace detail {

void split_fields(const char* b, const char* e, std::vector<std::string_view>& out, std::string& scratch) {
  out.clear();
  if (!std::memchr(b, '"', static_cast<size_t>(e - b))) {  // the common case: no quotes, no copies
    const char* start = b;
    for (const char* p = b; p < e; ++p)
      if (*p == ',') {
        out.emplace_back(start, static_cast<size_t>(p - start));
        start = p + 1;
      }
    out.emplace_back(start, static_cast<size_t>(e - start));
    return;
  }
  scratch.clear();
  scratch.reserve(static_cast<size_t>(e - b));  // never reallocates below, so earlier views stay valid
  size_t field_start = 0;
  bool quoted = false;
  for (const char* p = b; p < e; ++p) {
    const char c = *p;
    if (quoted) {
      if (c == '"' && p + 1 < e && p[1] == '"') {
        scratch += '"';
        ++p;
      } else if (c == '"') {
        quoted = false;
      } else {
        scratch += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back(scratch.data() + field_start, scratch.size() - field_start);
      field_start = scratch.size();
    } else {
      scratch += c;
    }
  }
  out.emplace_back(scratch.data() + field_start, scratch.size() - field_start);
}

}  // namespace detail

const PromotionTable::Promo* PromotionTable::find(i64 store_index, i64 product, i64 week) const {
  if (store_index < 0 || week < 0) return nullptr;
  const u64 k = make_key(store_index, product, week);
  auto lo = key.begin(), hi = key.end();
  if (static_cast<size_t>(week) + 1 < week_begin.size()) {
    lo = key.begin() + static_cast<std::ptrdiff_t>(week_begin[week]);
    hi = key.begin() + static_cast<std::ptrdiff_t>(week_begin[week + 1]);
  } else if (!week_begin.empty()) {
    return nullptr;  // a week past the last promotion
  }
  const auto it = std::lower_bound(lo, hi, k);
  return it != hi && *it == k ? &promo[static_cast<size_t>(it - key.begin())] : nullptr;
}

void PromotionTable::build_index() {
  const i64 last = key.empty() ? 0 : week_of(key.back());
  week_begin.assign(static_cast<size_t>(last) + 2, 0);
  for (i64 w = 0; w <= last + 1; ++w)
    week_begin[w] = static_cast<size_t>(std::lower_bound(key.begin(), key.end(), make_key(0, 0, w)) - key.begin());
}

std::string read_text_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError(path + ": cannot open");
  std::string raw;
  f.seekg(0, std::ios::end);
  const auto size = f.tellg();
  if (size < 0) throw InputError(path + ": cannot read");
  raw.resize(static_cast<size_t>(size));
  f.seekg(0);
  f.read(raw.data(), static_cast<std::streamsize>(raw.size()));
  if (!f) throw InputError(path + ": cannot read");
  if (path.size() < 4 || path.compare(path.size() - 4, 4, ".zst") != 0) return raw;
  // Streaming decompression: the frame may not record its content size.
  std::string out;
  ZSTD_DStream* ds = ZSTD_createDStream();
  ZSTD_initDStream(ds);
  ZSTD_inBuffer in{raw.data(), raw.size(), 0};
  std::vector<char> buf(ZSTD_DStreamOutSize());
  size_t last = 0;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(ds, &o, &in);
    if (ZSTD_isError(last)) {
      const std::string why = ZSTD_getErrorName(last);
      ZSTD_freeDStream(ds);
      throw InputError(path + ": not a valid zstd file (" + why + ")");
    }
    out.append(buf.data(), o.pos);
  }
  ZSTD_freeDStream(ds);
  if (last != 0) throw InputError(path + ": truncated zstd file");
  return out;
}

namespace {

/// Line number (1-based) of byte `pos` in `text`: counted only on the error path.
size_t line_of(std::string_view text, size_t pos) {
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

struct Ctx {
  const std::string* file;
  size_t line;
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(*file + ":" + std::to_string(line) + ": " + what);
  }
  /// An integer that must fit 32 bits (weeks, days, stores, quantities, trips).
  i32 int32(std::string_view s) const {
    const i64 v = integer(s);
    if (v < INT32_MIN || v > INT32_MAX) fail("'" + std::string(s) + "' is out of range");
    return static_cast<i32>(v);
  }
  i64 integer(std::string_view s) const {
    i64 v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return v;
    // R's write.csv prints some round ids in scientific notation ("4.0128e+10"): accept exact integers.
    double d = 0;
    const auto r2 = std::from_chars(s.data(), s.data() + s.size(), d);
    if (!s.empty() && r2.ec == std::errc() && r2.ptr == s.data() + s.size() && std::fabs(d) < 9.0e15 &&
        d == std::floor(d))
      return static_cast<i64>(d);
    fail("expected an integer, got '" + std::string(s) + "'");
  }
  double real(std::string_view s) const {
    double v = 0;
    const char* b = s.data();
    if (!s.empty() && *b == '+') ++b;
    const auto r = std::from_chars(b, s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v))
      fail("expected a number, got '" + std::string(s) + "'");
    return v;
  }
  i64 cents(std::string_view s) const {
    const double c = real(s) * 100.0;
    // llround is unspecified out of range (and llabs of the result undefined): refuse such amounts.
    if (!(std::fabs(c) < 9.0e15)) fail("amount '" + std::string(s) + "' is out of range");
    return std::llround(c);
  }
};

std::vector<std::string> header_of(std::string_view text, const std::string& file) {
  const size_t end = text.find('\n');
  std::string line(text.substr(0, end == std::string_view::npos ? text.size() : end));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) throw InputError(file + ":1: a UTF-8 byte-order mark is not supported; remove it");
  if (line.empty()) throw InputError(file + ":1: empty file or missing header");
  std::vector<std::string_view> views;
  std::string scratch;
  detail::split_fields(line.data(), line.data() + line.size(), views, scratch);
  return std::vector<std::string>(views.begin(), views.end());
}

int find_column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

int column(const std::vector<std::string>& header, const std::string& name, const std::string& file) {
  const int c = find_column(header, name);
  if (c < 0) throw InputError(file + ":1: missing column " + name);
  return c;
}

/// DIR/name or DIR/name.zst, whichever exists ("" if neither).
std::string existing(const fs::path& dir, const std::string& name) {
  if (fs::exists(dir / name)) return (dir / name).string();
  if (fs::exists(dir / (name + ".zst"))) return (dir / (name + ".zst")).string();
  return "";
}

/// I and N of a shard part's name, "part-I-of-N.csv" or "part-I-of-N.csv.zst"; false for other names.
bool parse_part_name(std::string_view s, long long& i, long long& n) {
  const auto number = [&](long long& v) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr == s.data()) return false;
    s.remove_prefix(static_cast<size_t>(r.ptr - s.data()));
    return true;
  };
  const auto literal = [&](std::string_view l) {
    if (s.substr(0, l.size()) != l) return false;
    s.remove_prefix(l.size());
    return true;
  };
  return literal("part-") && number(i) && literal("-of-") && number(n) && (s == ".csv" || s == ".csv.zst");
}

/// The shard parts part-I-of-N.csv[.zst] in `folder`, in shard order; empty when there are none.
/// A part that is missing, or parts of different N, are an error: a partial run read as whole would
/// silently lose households.
std::vector<std::string> shard_parts(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return {};
  std::map<long long, std::string> by_index;
  long long n = -1;
  for (const auto& e : fs::directory_iterator(folder, ec)) {
    const std::string name = e.path().filename().string();
    long long i = -1, of = -1;
    if (!parse_part_name(name, i, of)) continue;
    if (n >= 0 && of != n) throw InputError(folder.string() + ": parts of different shard counts (" + std::to_string(n) + " and " +
                                            std::to_string(of) + ")");
    n = of;
    if (i < 0 || i >= of) continue;
    if (!by_index.emplace(i, e.path().string()).second)
      throw InputError(folder.string() + ": part " + std::to_string(i) + " is there both plain and compressed");
  }
  if (n < 0) return {};
  for (long long i = 0; i < n; ++i)
    if (!by_index.count(i))
      throw InputError((folder / ("part-" + std::to_string(i) + "-of-" + std::to_string(n) + ".csv")).string() +
                       ": missing (the run has " + std::to_string(n) + " shards)");
  std::vector<std::string> out;
  for (auto& [i, path] : by_index) out.push_back(std::move(path));
  return out;
}

/// DIR/name.csv[.zst] as one file, else its shard parts DIR/name/part-I-of-N.csv (empty if neither).
std::vector<std::string> file_or_parts(const fs::path& dir, const std::string& name) {
  if (std::string f = existing(dir, name + ".csv"); !f.empty()) return {f};
  return shard_parts(dir / name);
}


/// DAY of a CJ2 timestamp "YYYY-MM-DD HH:MM:SS": days since 2017-01-01, plus 1.
i32 day_of_timestamp(std::string_view s, const Ctx& ctx) {
  int y = 0, m = 0, d = 0;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-' || std::from_chars(s.data(), s.data() + 4, y).ec != std::errc() ||
      std::from_chars(s.data() + 5, s.data() + 7, m).ec != std::errc() ||
      std::from_chars(s.data() + 8, s.data() + 10, d).ec != std::errc() || m < 1 || m > 12 || d < 1 || d > 31)
    ctx.fail("expected a timestamp YYYY-MM-DD HH:MM:SS, got '" + std::string(s) + "'");
  static const i64 base = days_from_civil(2017, 1, 1);
  return static_cast<i32>(days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) - base + 1);
}

/// Minute of day of "YYYY-MM-DD HH:MM[:SS]" (-1 when the time is missing or not a time).
int16_t minute_of_timestamp(std::string_view s) {
  int h = 0, m = 0;
  if (s.size() < 16 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
      std::from_chars(s.data() + 11, s.data() + 13, h).ec != std::errc() ||
      std::from_chars(s.data() + 14, s.data() + 16, m).ec != std::errc() || h < 0 || h > 23 || m < 0 || m > 59)
    return -1;
  return static_cast<int16_t>(h * 60 + m);
}

/// Minute of day of a TRANS_TIME HHMM (-1 when it is not a time).
int16_t minute_of_hhmm(std::string_view s) {
  int v = -1;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v < 0 || v / 100 > 23 || v % 100 > 59) return -1;
  return static_cast<int16_t>(v / 100 * 60 + v % 100);
}

/// The transaction columns, one layout or the other.
struct TxColumns {
  int hh, basket, day = -1, timestamp = -1, product, quantity, sales, store, disc, week;
  int coupon = -1, coupon_match = -1;  // optional
  int trans_time = -1;                 // TCJ TRANS_TIME (HHMM), optional
  size_t n_fields;
};

struct LineChunk {
  std::vector<i64> household, basket, sales, disc, coupon, coupon_match;
  std::vector<i32> day, week, store, product, quantity;
  std::vector<int16_t> minute;
  u64 non_merch = 0, unknown = 0;
  size_t error_pos = std::string_view::npos;
  std::string error;
};

void parse_chunk(std::string_view text, size_t begin, size_t end, const TxColumns& c, const Dataset& d,
                 bool strict_products, const std::string& file, LineChunk& out) {
  std::vector<std::string_view> f;
  std::string scratch;
  size_t pos = begin;
  Ctx ctx{&file, 0};
  try {
    while (pos < end) {
      size_t stop = text.find('\n', pos);
      if (stop == std::string_view::npos || stop > end) stop = end;
      const size_t next = stop + 1;
      if (stop > pos && text[stop - 1] == '\r') --stop;
      if (stop > pos) {
        detail::split_fields(text.data() + pos, text.data() + stop, f, scratch);
        ctx.line = pos;  // a byte offset until an error turns it into a line number
        if (f.size() != c.n_fields) {
          out.error_pos = pos;
          out.error = "expected " + std::to_string(c.n_fields) + " fields, found " + std::to_string(f.size());
          return;
        }
        const i64 pid = ctx.integer(f[c.product]);
        const auto it = d.product_index.find(pid);
        if (it == d.product_index.end()) {
          if (strict_products) {
            out.error_pos = pos;
            out.error = "product " + std::string(f[c.product]) + " is not in the product table";
            return;
          }
          ++out.unknown;
        } else if (d.product_category[it->second] < 0) {
          ++out.non_merch;
        } else {
          out.household.push_back(ctx.integer(f[c.hh]));
          out.basket.push_back(ctx.integer(f[c.basket]));
          out.day.push_back(c.day >= 0 ? ctx.int32(f[c.day]) : day_of_timestamp(f[c.timestamp], ctx));
          out.minute.push_back(c.timestamp >= 0 ? minute_of_timestamp(f[c.timestamp])
                                                : c.trans_time >= 0 ? minute_of_hhmm(f[c.trans_time]) : int16_t{-1});
          out.week.push_back(ctx.int32(f[c.week]));
          out.store.push_back(ctx.int32(f[c.store]));
          out.product.push_back(it->second);
          const double q = ctx.real(f[c.quantity]);
          if (!(std::fabs(q) < 2.0e9)) ctx.fail("quantity '" + std::string(f[c.quantity]) + "' is out of range");
          out.quantity.push_back(static_cast<i32>(std::llround(q)));
          out.sales.push_back(ctx.cents(f[c.sales]));
          out.disc.push_back(std::llabs(ctx.cents(f[c.disc])));
          if (c.coupon >= 0) out.coupon.push_back(std::llabs(ctx.cents(f[c.coupon])));
          if (c.coupon_match >= 0) out.coupon_match.push_back(std::llabs(ctx.cents(f[c.coupon_match])));
        }
      }
      pos = next;
    }
  } catch (const InputError& e) {
    // Ctx::fail wrote "file:OFFSET: what"; keep the what, the caller turns the offset into a line.
    const std::string msg = e.what();
    const std::string prefix = file + ":" + std::to_string(ctx.line) + ": ";
    out.error_pos = ctx.line;
    out.error = msg.rfind(prefix, 0) == 0 ? msg.substr(prefix.size()) : msg;
  }
}

template <class T>
void append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

void load_products(Dataset& d, const std::string& file) {
  const ProductTable t = read_product_table(file);
  d.products_file = file;
  std::unordered_map<std::string, i32> cat_index, dept_index;
  d.product_id.reserve(t.rows.size());
  for (const ProductRow& r : t.rows) {
    auto [dept, new_dept] = dept_index.emplace(r.department, static_cast<i32>(d.department_name.size()));
    if (new_dept) d.department_name.push_back(r.department);
    d.product_department.push_back(dept->second);
    i32 k = -1;
    if (is_merchandise(r.department, r.commodity)) {
      auto [it, fresh] = cat_index.emplace(r.commodity, static_cast<i32>(d.category_name.size()));
      if (fresh) {
        d.category_name.push_back(r.commodity);
        d.category_department.push_back(r.department);
      }
      k = it->second;
    }
    d.product_index[r.product_id] = static_cast<i32>(d.product_id.size());
    d.product_id.push_back(r.product_id);
    d.product_category.push_back(k);
  }
}

/// Parses one transaction file and appends its lines to d (household indices come later).
/// `first_header`: empty for the first file of a run; later shard parts must repeat it.
void append_transactions(Dataset& d, const std::string& file, bool strict_products, std::vector<std::string>& first_header) {
  const std::string text_owned = read_text_file(file);
  const std::string_view text(text_owned);
  const auto h = header_of(text, file);
  if (!first_header.empty() && h != first_header) throw InputError(file + ":1: the header differs from the first part's");
  TxColumns c{};
  c.n_fields = h.size();
  if (find_column(h, "household_key") >= 0) {
    d.layout = DataLayout::kTcj;
    c.hh = column(h, "household_key", file), c.basket = column(h, "BASKET_ID", file), c.day = column(h, "DAY", file);
    c.product = column(h, "PRODUCT_ID", file), c.quantity = column(h, "QUANTITY", file);
    c.sales = column(h, "SALES_VALUE", file), c.store = column(h, "STORE_ID", file), c.disc = column(h, "RETAIL_DISC", file);
    c.week = column(h, "WEEK_NO", file);
    c.coupon = find_column(h, "COUPON_DISC"), c.coupon_match = find_column(h, "COUPON_MATCH_DISC");
    c.trans_time = find_column(h, "TRANS_TIME");
  } else if (find_column(h, "household_id") >= 0) {
    d.layout = DataLayout::kCompleteJourney2;
    c.hh = column(h, "household_id", file), c.basket = column(h, "basket_id", file);
    c.timestamp = column(h, "transaction_timestamp", file), c.product = column(h, "product_id", file);
    c.quantity = column(h, "quantity", file), c.sales = column(h, "sales_value", file);
    c.store = column(h, "store_id", file), c.disc = column(h, "retail_disc", file), c.week = column(h, "week", file);
    c.coupon = find_column(h, "coupon_disc"), c.coupon_match = find_column(h, "coupon_match_disc");
  } else {
    throw InputError(file +
                     ":1: unrecognised header: expected TCJ transaction_data.csv (household_key,BASKET_ID,DAY,...) or "
                     "CompleteJourney 2.0 transactions.csv (household_id,store_id,basket_id,...)");
  }
  if (first_header.empty()) first_header = h;
  // Chunks of about equal size that start at line starts, parsed in parallel.
  const size_t header_end = text.find('\n');
  const size_t body = header_end == std::string_view::npos ? text.size() : header_end + 1;
  const int n_chunks = std::max(1, std::min<int>(omp_get_max_threads() * 4, static_cast<int>(text.size() / (1 << 20)) + 1));
  std::vector<size_t> cut(n_chunks + 1, text.size());
  cut[0] = body;
  for (int i = 1; i < n_chunks; ++i) {
    size_t p = std::max(cut[i - 1], body + (text.size() - body) * i / n_chunks);
    const size_t nl = text.find('\n', p == 0 ? 0 : p - 1);
    cut[i] = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  std::vector<LineChunk> chunks(n_chunks);
#pragma omp parallel for schedule(dynamic, 1)
  for (int i = 0; i < n_chunks; ++i) parse_chunk(text, cut[i], cut[i + 1], c, d, strict_products, file, chunks[i]);
  for (const LineChunk& ch : chunks)
    if (ch.error_pos != std::string_view::npos)
      throw InputError(file + ":" + std::to_string(line_of(text, ch.error_pos)) + ": " + ch.error);
  size_t n = d.household.size();
  for (const LineChunk& ch : chunks) n += ch.household.size();
  d.household.reserve(n), d.basket.reserve(n), d.day.reserve(n), d.week.reserve(n), d.store.reserve(n), d.minute.reserve(n);
  d.product.reserve(n), d.quantity.reserve(n), d.sales_cents.reserve(n), d.disc_cents.reserve(n);
  if (c.coupon >= 0) d.coupon_cents.reserve(n);
  if (c.coupon_match >= 0) d.coupon_match_cents.reserve(n);
  for (LineChunk& ch : chunks) {
    append(d.household, ch.household), append(d.basket, ch.basket), append(d.day, ch.day), append(d.week, ch.week);
    append(d.minute, ch.minute);
    append(d.store, ch.store), append(d.product, ch.product), append(d.quantity, ch.quantity);
    append(d.sales_cents, ch.sales), append(d.disc_cents, ch.disc);
    append(d.coupon_cents, ch.coupon), append(d.coupon_match_cents, ch.coupon_match);
    d.skipped_non_merchandise += ch.non_merch;
    d.skipped_unknown_product += ch.unknown;
    ch = LineChunk();
  }
}

/// Loads the transaction file, or a sharded run's parts in shard order, as one table.
void load_transactions(Dataset& d, const std::vector<std::string>& files, bool strict_products) {
  std::vector<std::string> first_header;
  for (const std::string& file : files) append_transactions(d, file, strict_products, first_header);
  d.transactions_file = files.size() == 1 ? files[0] : fs::path(files[0]).parent_path().string();
  const size_t n = d.household.size();
  // Household indices (RetailSynth output is ordered by household: the previous key usually matches).
  std::unordered_map<i64, i32> hh_index;
  d.hh.resize(n);
  i64 prev = 0;
  i32 prev_index = -1;
  for (size_t i = 0; i < n; ++i) {
    if (prev_index < 0 || d.household[i] != prev) {
      auto [it, fresh] = hh_index.emplace(d.household[i], static_cast<i32>(d.household_keys.size()));
      if (fresh) d.household_keys.push_back(d.household[i]);
      prev = d.household[i];
      prev_index = it->second;
    }
    d.hh[i] = prev_index;
  }
  d.first_week = n ? *std::min_element(d.week.begin(), d.week.end()) : 0;
  d.weeks = n ? *std::max_element(d.week.begin(), d.week.end()) : 0;
}

/// Counts display and mailer codes of TCJ causal_data.csv or CJ2 promotions.csv.
void load_causal(Dataset& d, const std::string& file) {
  const std::string text = read_text_file(file);
  const auto h = header_of(text, file);
  int c_disp = find_column(h, "display"), c_mail = find_column(h, "mailer");
  if (c_disp < 0) c_disp = find_column(h, "display_location");
  if (c_mail < 0) c_mail = find_column(h, "mailer_location");
  if (c_disp < 0 || c_mail < 0) throw InputError(file + ":1: missing column display/display_location or mailer/mailer_location");
  int c_prod = find_column(h, "PRODUCT_ID"), c_week = find_column(h, "WEEK_NO");
  if (c_prod < 0) c_prod = find_column(h, "product_id");
  if (c_week < 0) c_week = find_column(h, "week");
  const bool by_category = c_prod >= 0 && c_week >= 0;
  if (by_category) d.causal_rows.assign(d.category_name.size(), {});
  std::unordered_map<std::string, u64> disp, mail;
  for_each_csv_row(text, [&](size_t line, const std::vector<std::string_view>& f) {
    Ctx ctx{&file, line};
    if (f.size() != h.size()) ctx.fail("expected " + std::to_string(h.size()) + " fields");
    ++disp[std::string(f[c_disp])];
    ++mail[std::string(f[c_mail])];
    if (!by_category) return;
    // Products the product table lacks (or without a category) count in no category's calendar.
    const auto it = d.product_index.find(ctx.integer(f[c_prod]));
    const i64 week = ctx.integer(f[c_week]);
    if (week < 1 || week > 100000) ctx.fail("week " + std::string(f[c_week]) + " is out of range (1..100000)");
    if (it == d.product_index.end() || d.product_category[it->second] < 0) return;
    std::vector<u64>& rows = d.causal_rows[d.product_category[it->second]];
    if (rows.size() <= static_cast<size_t>(week)) rows.resize(week + 1, 0);
    ++rows[week];
  });
  d.display_codes.insert(disp.begin(), disp.end());
  d.mailer_codes.insert(mail.begin(), mail.end());
  d.has_causal = true;
}

void load_promotions(Dataset& d, const std::string& file) {
  const std::string text_owned = read_text_file(file);
  const std::string_view text(text_owned);
  const auto h = header_of(text, file);
  const int c_store = column(h, "STORE_ID", file), c_prod = column(h, "PRODUCT_ID", file), c_week = column(h, "WEEK_NO", file),
            c_depth = column(h, "depth", file), c_disp = column(h, "display_type", file), c_ad = column(h, "in_ad", file),
            c_mail = column(h, "mailer", file), c_base = column(h, "base_price", file),
            c_shelf = column(h, "shelf_price", file);
  std::unordered_map<i32, i32> store_index;
  for (size_t s = 0; s < d.store_ids.size(); ++s) store_index[d.store_ids[s]] = static_cast<i32>(s);
  const size_t approx = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  d.promotions.key.reserve(approx);
  d.promotions.promo.reserve(approx);
  bool sorted = true;
  for_each_csv_row(text, [&](size_t line, const std::vector<std::string_view>& f) {
    Ctx ctx{&file, line};
    if (f.size() != h.size()) ctx.fail("expected " + std::to_string(h.size()) + " fields");
    const auto it = d.product_index.find(ctx.integer(f[c_prod]));
    if (it == d.product_index.end()) ctx.fail("product " + std::string(f[c_prod]) + " is not in the product table");
    const auto st = store_index.find(ctx.int32(f[c_store]));
    if (st == store_index.end()) ctx.fail("store " + std::string(f[c_store]) + " is not in truth/stores.csv");
    const std::string_view t = f[c_disp];
    const u8 disp = t == "shelf_tag" ? 1 : t == "end_cap" ? 2 : t == "feature_display" ? 3 : 0;
    if (disp == 0 && t != "none") ctx.fail("unknown display_type '" + std::string(t) + "'");
    const u64 k = PromotionTable::make_key(st->second, it->second, ctx.integer(f[c_week]));
    if (!d.promotions.key.empty() && k <= d.promotions.key.back()) sorted = false;
    d.promotions.key.push_back(k);
    d.promotions.promo.push_back(PromotionTable::Promo{static_cast<float>(ctx.real(f[c_depth])),
                                                       static_cast<u32>(ctx.cents(f[c_base])),
                                                       static_cast<u32>(ctx.cents(f[c_shelf])), disp,
                                                       static_cast<u8>(f[c_ad] == "1"), static_cast<u8>(f[c_mail] == "1")});
  });
  if (!sorted) {  // not in the simulator's order: sort (key, promo) pairs
    std::vector<size_t> order(d.promotions.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d.promotions.key[a] < d.promotions.key[b]; });
    PromotionTable t;
    t.key.reserve(order.size());
    t.promo.reserve(order.size());
    for (size_t i : order) {
      if (!t.key.empty() && t.key.back() == d.promotions.key[i]) continue;  // duplicate rows: keep the first
      t.key.push_back(d.promotions.key[i]);
      t.promo.push_back(d.promotions.promo[i]);
    }
    d.promotions = std::move(t);
  }
  d.promotions.build_index();
}

void load_truth(Dataset& d, const fs::path& truth) {
  d.has_truth = true;
  for (const std::string& file : file_or_parts(truth, "households")) {
    const std::string text = read_text_file(file);
    const auto h = header_of(text, file);
    if (h.size() < 2 || h[0] != "household_key" || h[1] != "home_store")
      throw InputError(file + ":1: expected household_key,home_store,... as the first columns");
    // The parameters, then (newer runs) the secondary stores: STORE_IDs separated by ';'.
    const int c_set = find_column(h, "secondary_stores");  // newer runs: the last column
    if (c_set >= 0 && c_set != static_cast<int>(h.size()) - 1)
      throw InputError(file + ":1: secondary_stores must be the last column");
    const bool has_set = c_set >= 0;
    const size_t n_params = h.size() - 2 - (has_set ? 1 : 0);
    const std::vector<std::string> names(h.begin() + 2, h.begin() + 2 + static_cast<std::ptrdiff_t>(n_params));
    if (!d.param_names.empty() && names != d.param_names) throw InputError(file + ":1: the header differs from the first part's");
    d.param_names = names;
    for_each_csv_row(text, [&](size_t line, const std::vector<std::string_view>& f) {
      Ctx ctx{&file, line};
      if (f.size() != h.size()) ctx.fail("expected " + std::to_string(h.size()) + " fields");
      const i64 key = ctx.integer(f[0]);
      d.home_store[key] = ctx.int32(f[1]);
      std::vector<double> v;
      for (size_t i = 2; i < 2 + n_params; ++i) v.push_back(ctx.real(f[i]));
      d.params[key] = std::move(v);
      if (!has_set) return;
      std::vector<i32>& set = d.secondary_stores[key];
      for (std::string_view rest = f.back(); !rest.empty();) {
        const size_t semi = rest.find(';');
        set.push_back(ctx.int32(rest.substr(0, semi)));
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      }
    });
  }
  if (const std::string file = existing(truth, "products.csv"); !file.empty()) {
    const std::string text = read_text_file(file);
    const auto h = header_of(text, file);
    const int c_id = column(h, "PRODUCT_ID", file), c_pop = column(h, "popularity", file);
    d.popularity.assign(d.product_id.size(), 0.0);
    for_each_csv_row(text, [&](size_t line, const std::vector<std::string_view>& f) {
      Ctx ctx{&file, line};
      if (f.size() != h.size()) ctx.fail("expected " + std::to_string(h.size()) + " fields");
      const auto it = d.product_index.find(ctx.integer(f[c_id]));
      if (it != d.product_index.end()) d.popularity[it->second] = ctx.real(f[c_pop]);
    });
  }
  if (const std::string file = existing(truth, "stores.csv"); !file.empty()) {
    std::vector<i32> ids;
    for_each_csv_row(read_text_file(file), [&](size_t line, const std::vector<std::string_view>& f) {
      ids.push_back(Ctx{&file, line}.int32(f[0]));
    });
    // The truth's store order is the simulator's store index; stores without lines are kept.
    d.store_ids = ids;
  }
  if (const std::string file = existing(truth, "promotions.csv"); !file.empty()) load_promotions(d, file);
  for (const std::string& file : file_or_parts(truth, "store_weeks")) {
    const std::string text = read_text_file(file);
    const auto h = header_of(text, file);
    const int c_s = column(h, "STORE_ID", file), c_w = column(h, "WEEK_NO", file), c_m = column(h, "marketing_signal", file),
              c_t = column(h, "trips", file);
    for_each_csv_row(text, [&](size_t line, const std::vector<std::string_view>& f) {
      Ctx ctx{&file, line};
      if (f.size() != h.size()) ctx.fail("expected " + std::to_string(h.size()) + " fields");
      const i64 w = ctx.integer(f[c_w]);
      const u64 k = Dataset::key(ctx.integer(f[c_s]), 0, w);
      d.marketing[k] = ctx.real(f[c_m]);
      d.store_trips[k] += ctx.integer(f[c_t]);  // shard parts hold their own households' trips: summed
      d.weeks = std::max<i32>(d.weeks, static_cast<i32>(w));
    });
  }
  for (const std::string& file : file_or_parts(truth, "trips")) {
    for_each_csv_row(read_text_file(file), [&](size_t line, const std::vector<std::string_view>& f) {
      Ctx ctx{&file, line};
      if (f.size() != 3) ctx.fail("expected 3 fields");
      d.trips[Dataset::hh_key(ctx.integer(f[0]), ctx.integer(f[1]))] = ctx.int32(f[2]);
    });
  }
  if (const std::string file = existing(truth, "missions.csv"); !file.empty()) {
    std::unordered_map<std::string, i32> cat_index;
    for (size_t k = 0; k < d.category_name.size(); ++k) cat_index[d.category_name[k]] = static_cast<i32>(k);
    const std::string text = read_text_file(file);
    const auto h = header_of(text, file);
    const int c_name = column(h, "mission", file), c_linked = column(h, "linked_categories", file);
    for_each_csv_row(text, [&](size_t line, const std::vector<std::string_view>& f) {
      if (f.size() != h.size()) Ctx{&file, line}.fail("expected " + std::to_string(h.size()) + " fields");
      d.mission_names.emplace_back(f[c_name]);
      std::vector<i32> linked;
      std::string cur;
      std::istringstream in{std::string(f[c_linked])};
      while (std::getline(in, cur, '|'))
        if (cat_index.count(cur)) linked.push_back(cat_index[cur]);
      d.mission_linked.push_back(linked);
    });
  }
}

}  // namespace

int Dataset::param(const std::string& name) const {
  for (size_t i = 0; i < param_names.size(); ++i)
    if (param_names[i] == name) return static_cast<int>(i);
  return -1;
}

/// truth/prices.csv (or .zst): the regime level of every product-week.
void load_price_truth(Dataset& d, const fs::path& truth) {
  const std::string file = existing(truth, "prices.csv");
  if (file.empty()) return;
  const std::string text = read_text_file(file);
  const auto h = header_of(text, file);
  const int c_prod = column(h, "PRODUCT_ID", file), c_week = column(h, "WEEK_NO", file), c_level = column(h, "regime_level", file);
  std::vector<std::tuple<i32, i32, int>> rows;
  std::vector<std::string_view> f;
  std::string scratch;
  size_t pos = text.find('\n');
  size_t line = 1;
  i32 weeks = 0;
  while (pos != std::string::npos && pos + 1 < text.size()) {
    const size_t start = pos + 1, stop = text.find('\n', start);
    ++line;
    pos = stop;
    const size_t end = stop == std::string::npos ? text.size() : stop;
    if (end == start) continue;
    detail::split_fields(text.data() + start, text.data() + end, f, scratch);
    auto bad = [&](const char* what) { return InputError(file + ":" + std::to_string(line) + ": " + what); };
    if (f.size() != h.size()) throw bad("wrong number of fields");
    char* e = nullptr;
    const long long id = std::strtoll(std::string(f[c_prod]).c_str(), &e, 10);
    const long w = std::strtol(std::string(f[c_week]).c_str(), nullptr, 10);
    const long lv = std::strtol(std::string(f[c_level]).c_str(), nullptr, 10);
    const auto it = d.product_index.find(id);
    if (it == d.product_index.end()) throw bad("PRODUCT_ID is not in the product table");
    if (w < 1 || w > 100000 || lv < -127 || lv > 127) throw bad("WEEK_NO or regime_level out of range");
    rows.emplace_back(it->second, static_cast<i32>(w), static_cast<int>(lv));
    weeks = std::max(weeks, static_cast<i32>(w));
  }
  d.price_weeks = weeks;
  d.regime_level.assign(static_cast<size_t>(d.n_products()) * weeks, 0);
  for (const auto& [j, w, lv] : rows) d.regime_level[static_cast<size_t>(j) * weeks + w - 1] = static_cast<int8_t>(lv);
}

Dataset load_dataset(const std::string& dir) {
  Dataset d;
  d.dir = dir;
  const fs::path root(dir);
  if (!fs::is_directory(root)) throw InputError(dir + ": not a folder");
  check_parts_agree(root);  // a sharded folder holds one run
  std::vector<std::string> tx = file_or_parts(root, "transaction_data");
  if (tx.empty())
    if (std::string f = existing(root, "transactions.csv"); !f.empty()) tx = {f};
  if (tx.empty())
    throw InputError((root / "transaction_data.csv").string() + ": cannot open (nor transactions.csv, nor transaction_data/part-*.csv)");
  std::string prod = existing(root, "product.csv");
  if (prod.empty()) prod = existing(root, "products.csv");
  if (prod.empty()) throw InputError((root / "product.csv").string() + ": cannot open (nor products.csv)");
  if (prod.size() > 4 && prod.compare(prod.size() - 4, 4, ".zst") == 0)
    throw InputError(prod + ": a compressed product table is not supported");
  load_products(d, prod);
  const fs::path truth = root / "truth";
  const bool truth_present = !file_or_parts(truth, "households").empty();
  load_transactions(d, tx, truth_present);
  // Stores in order of appearance; truth/stores.csv replaces this with the simulator's order.
  {
    std::unordered_map<i32, i32> seen;
    for (i32 s : d.store)
      if (seen.emplace(s, static_cast<i32>(d.store_ids.size())).second) d.store_ids.push_back(s);
  }
  if (truth_present) load_truth(d, truth);
  if (truth_present) load_price_truth(d, truth);
  {
    std::unordered_map<i32, i32> index;
    for (size_t s = 0; s < d.store_ids.size(); ++s) index[d.store_ids[s]] = static_cast<i32>(s);
    d.store_index.resize(d.lines());
    for (size_t i = 0; i < d.lines(); ++i) {
      const auto it = index.find(d.store[i]);
      if (it == index.end()) {
        // Every line is kept when truth/ is present (unknown products are errors), so in one file the line is i + 2.
        const std::string at =
            tx.size() == 1 && d.skipped_non_merchandise + d.skipped_unknown_product == 0 ? ":" + std::to_string(i + 2) : "";
        throw InputError(d.transactions_file + at + ": store " + std::to_string(d.store[i]) + " is not in truth/stores.csv");
      }
      d.store_index[i] = it->second;
    }
  }
  if (!d.promotions.empty()) {
    d.line_promo.resize(d.lines());
    const i64 n = static_cast<i64>(d.lines());
#pragma omp parallel for schedule(static)
    for (i64 i = 0; i < n; ++i) {
      const Dataset::Promo* p = d.promotions.find(d.store_index[i], d.product[i], d.week[i]);
      d.line_promo[i] = p ? p - d.promotions.promo.data() : -1;
    }
  }
  std::string causal = existing(root, "causal_data.csv");
  if (causal.empty()) causal = existing(root, "promotions.csv");
  if (!causal.empty()) load_causal(d, causal);
  std::vector<std::string> demo = file_or_parts(root, "hh_demographic");
  if (demo.empty())
    if (std::string f = existing(root, "demographics.csv"); !f.empty()) demo = {f};
  for (const std::string& f : demo)
    for (auto& [key, v] : read_demographics_file(f)) d.demographics[key] = std::move(v);
  return d;
}

}  // namespace retailsynth
