#include "io/transactions.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "io/output.h"

namespace retailsynth {

void format_transactions(std::string& out, const HouseholdBlock& block, const std::vector<WeekRecords>& weeks, i32 h0,
                       i32 h1, const Catalog& cat, const Stores& stores, i64 total_weeks, u64& rows) {
  for (i32 h = h0; h < h1; ++h) {
    const i64 hh = block.first + h;
    const auto key = fmt::format_int(hh + 1);
    for (size_t w = 0; w < weeks.size(); ++w) {
      const WeekRecords& wr = weeks[w];
      const i64 week = static_cast<i64>(w) + 1;
      for (u32 i = wr.offsets[h]; i < wr.offsets[h + 1]; ++i) {
        const Record& r = wr.records[i];
        const i64 basket = 1 + (hh * total_weeks + (week - 1)) * 16 + r.trip;
        const i64 qty = r.quantity;
        out.append(key.data(), key.size());
        out += ',';
        out += fmt::format_int(basket).c_str();
        out += ',';
        out += fmt::format_int((week - 1) * 7 + r.day + 1).c_str();
        out += ',';
        out += fmt::format_int(cat.product_id[r.product]).c_str();
        out += ',';
        out += fmt::format_int(qty).c_str();
        out += ',';
        // SALES_VALUE is what the retailer receives: net of its own coupon match, as in TCJ (the
        // manufacturer refunds COUPON_DISC), so shelf price = (SALES_VALUE - COUPON_MATCH_DISC) / QUANTITY.
        append_cents(out, qty * static_cast<i64>(r.shelf_cents) - static_cast<i64>(r.match_cents));
        out += ',';
        out += fmt::format_int(stores.store_id[r.store]).c_str();
        out += ',';
        append_cents(out, -qty * (static_cast<i64>(r.base_cents) - static_cast<i64>(r.shelf_cents)));
        const int hour = r.minute / 60, minute = r.minute % 60;  // TRANS_TIME as HHMM
        const char hhmm[7] = {',', static_cast<char>('0' + hour / 10), static_cast<char>('0' + hour % 10),
                              static_cast<char>('0' + minute / 10), static_cast<char>('0' + minute % 10), ','};
        out.append(hhmm, 6);
        out += fmt::format_int(week).c_str();
        if (r.coupon_cents == 0 && r.match_cents == 0) {  // nearly every line: no coupon
          out += ",0.00,0.00\n";
        } else {
          out += ',';
          append_cents(out, -static_cast<i64>(r.coupon_cents));
          out += ',';
          append_cents(out, -static_cast<i64>(r.match_cents));
          out += '\n';
        }
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
