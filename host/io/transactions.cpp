#include "io/transactions.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "io/output.h"
#include "io/text_cursor.h"

namespace retailsynth {

namespace {

/// One line of transaction_data.csv.
char* put_transaction(char* p, std::string_view key, i64 hh, i64 week, const Record& r, const Catalog& cat,
                      const Stores& stores, i64 total_weeks) {
  const i64 basket = 1 + (hh * total_weeks + (week - 1)) * 16 + r.trip;
  const i64 qty = r.quantity;
  p = put_text(p, key);
  *p++ = ',';
  p = put_int(p, basket);
  *p++ = ',';
  p = put_int(p, (week - 1) * 7 + r.day + 1);
  *p++ = ',';
  p = put_int(p, cat.product_id[r.product]);
  *p++ = ',';
  p = put_int(p, qty);
  *p++ = ',';
  // SALES_VALUE is what the retailer receives: net of its own coupon match, as in TCJ (the
  // manufacturer refunds COUPON_DISC), so shelf price = (SALES_VALUE - COUPON_MATCH_DISC) / QUANTITY.
  p = put_cents(p, qty * static_cast<i64>(r.shelf_cents) - static_cast<i64>(r.match_cents));
  *p++ = ',';
  p = put_int(p, stores.store_id[r.store]);
  *p++ = ',';
  p = put_cents(p, -qty * (static_cast<i64>(r.base_cents) - static_cast<i64>(r.shelf_cents)));
  const int hour = r.minute / 60, minute = r.minute % 60;  // TRANS_TIME as HHMM
  const char hhmm[6] = {',', static_cast<char>('0' + hour / 10), static_cast<char>('0' + hour % 10),
                        static_cast<char>('0' + minute / 10), static_cast<char>('0' + minute % 10), ','};
  p = put_text(p, std::string_view(hhmm, 6));
  p = put_int(p, week);
  if (r.coupon_cents == 0 && r.match_cents == 0) return put_text(p, ",0.00,0.00\n");  // nearly every line
  *p++ = ',';
  p = put_cents(p, -static_cast<i64>(r.coupon_cents));
  *p++ = ',';
  p = put_cents(p, -static_cast<i64>(r.match_cents));
  *p++ = '\n';
  return p;
}

}  // namespace

void format_transactions(std::string& out, const HouseholdBlock& block, const std::vector<WeekRecords>& weeks, i32 h0,
                         i32 h1, const Catalog& cat, const Stores& stores, i64 total_weeks, u64& rows) {
  TextCursor cur(out);
  for (i32 h = h0; h < h1; ++h) {
    const i64 hh = block.first + h;
    const auto key = fmt::format_int(hh + 1);
    const std::string_view key_text(key.data(), key.size());
    for (size_t w = 0; w < weeks.size(); ++w) {
      const WeekRecords& wr = weeks[w];
      for (u32 i = wr.offsets[h]; i < wr.offsets[h + 1]; ++i) {
        cur.done(put_transaction(cur.room(kMaxRowBytes), key_text, hh, static_cast<i64>(w) + 1, wr.records[i], cat, stores,
                                 total_weeks));
        ++rows;
      }
    }
  }
}

void format_transactions_parallel(const HouseholdBlock& block, const std::vector<WeekRecords>& weeks, const Catalog& cat,
                                  const Stores& stores, i64 total_weeks, int threads,
                                  const std::function<void(std::string&, u64)>& sink) {
  constexpr i32 kChunk = 64;
  const i32 n = block.n;
  const i32 n_chunks = (n + kChunk - 1) / kChunk;
  const i32 per_round = std::max(1, threads) * 4;
  std::vector<std::string> bufs(per_round);
  std::vector<u64> rows(per_round);
  for (i32 c0 = 0; c0 < n_chunks; c0 += per_round) {
    const i32 c1 = std::min(n_chunks, c0 + per_round);
#pragma omp parallel for schedule(dynamic, 1)
    for (i32 c = c0; c < c1; ++c) {
      std::string& s = bufs[c - c0];
      s.clear();
      rows[c - c0] = 0;
      format_transactions(s, block, weeks, c * kChunk, std::min(n, (c + 1) * kChunk), cat, stores, total_weeks, rows[c - c0]);
    }
    for (i32 c = c0; c < c1; ++c) sink(bufs[c - c0], rows[c - c0]);
  }
}

}  // namespace retailsynth
