// A dataset loaded into columns for analysis (tests, `retailsynth validate`).
//
// Layouts, detected by the transaction file's header (plain or .zst):
//   TCJ   transaction_data.csv + product.csv: RetailSynth's output (with truth/ beside it) or dunnhumby's
//         original files.  Discounts <= 0.
//   CJ2   CompleteJourney 2.0 transactions.csv + products.csv (the R package's CSVs): household_id, basket_id,
//         week, transaction_timestamp ...; discounts >= 0.  DAY is derived from the timestamp's date
//         (days since 2017-01-01, plus 1, so 2017 data count like TCJ's DAY).
// Optional beside them: causal_data.csv (TCJ) or promotions.csv (CJ2), read as display / mailer code counts,
// and hh_demographic.csv (TCJ) or demographics.csv (CJ2), read in TCJ's words (engine/demographics.h).
// A sharded RetailSynth run (`generate --shard I/N`) is read as one dataset: transaction_data/part-I-of-N.csv
// (or .csv.zst) in shard order, and truth/households|trips|store_weeks/part-I-of-N.csv likewise; a missing
// part is an error.
//
// Lines of non-merchandise departments (fuel, coupons, ...: the list the catalog loader uses) are
// left out and counted, since they are not groceries (a fuel line's "quantity" is gallons).  Lines
// whose product is missing from the product table are left out and counted for real data (the CJ2
// sample has 222); in RetailSynth output (truth/ present) they are an error.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/demographics.h"
#include "retailsynth/common.h"

namespace retailsynth {

enum class DataLayout { kTcj, kCompleteJourney2 };

/// The promotions of truth/promotions.csv, one entry per promoted product-store-week, sorted by
/// key = (week, store index, product index): the file's own order, so loading does not sort.
struct PromotionTable {
  struct Promo {
    float depth;
    u32 base_cents, shelf_cents;
    u8 display;  // 0 none, 1 shelf_tag, 2 end_cap, 3 feature_display
    u8 in_ad, mailer;
  };
  std::vector<u64> key;
  std::vector<Promo> promo;
  std::vector<size_t> week_begin;  // first entry of each week (week_begin[w] .. week_begin[w + 1])

  static u64 make_key(i64 store_index, i64 product, i64 week) {
    return (static_cast<u64>(week) << 48) | (static_cast<u64>(store_index) << 32) | static_cast<u64>(product);
  }
  static i32 week_of(u64 k) { return static_cast<i32>(k >> 48); }
  static i32 store_of(u64 k) { return static_cast<i32>((k >> 32) & 0xFFFF); }
  static i32 product_of(u64 k) { return static_cast<i32>(k & 0xFFFFFFFFu); }
  size_t size() const { return key.size(); }
  bool empty() const { return key.empty(); }
  /// The promotion of (store index, product index, week), or nullptr.
  const Promo* find(i64 store_index, i64 product, i64 week) const;
  /// Builds week_begin (after `key` is complete and sorted), so find() searches one week.
  void build_index();
};

struct Dataset {
  std::string dir;
  DataLayout layout = DataLayout::kTcj;
  std::string transactions_file, products_file;
  // Transactions, one entry per line.
  std::vector<i64> household, basket;                    // household: the file's key
  std::vector<i32> hh;                                   // household index into household_keys
  std::vector<i32> day, week, store, store_index, product, quantity;  // product: index into product_id
  std::vector<int16_t> minute;  // minute of day (TRANS_TIME, or the CJ2 timestamp's time); -1 unknown
  std::vector<i64> sales_cents, disc_cents;              // SALES_VALUE (net of loyalty discount and match); disc_cents >= 0
  // Coupon amounts (>= 0, any layout): COUPON_DISC (the manufacturer's, reimbursed to the retailer) and
  // COUPON_MATCH_DISC (the retailer's own).  Empty when the file has no such columns.
  std::vector<i64> coupon_cents, coupon_match_cents;
  std::vector<i64> household_keys;                       // by household index, in order of appearance
  u64 skipped_non_merchandise = 0, skipped_unknown_product = 0;
  // Products.
  std::vector<i64> product_id;
  std::vector<i32> product_category;  // index into category_name; -1: non-merchandise or no category
  std::vector<std::string> category_name, category_department;  // category_department: its first product's
  std::vector<i32> product_department;  // index into department_name, every product
  std::vector<std::string> department_name;
  std::unordered_map<i64, i32> product_index;
  // Stores: STORE_IDs by store index (truth/stores.csv order when present, else order of appearance).
  std::vector<i32> store_ids;
  i32 weeks = 0;      // largest week seen (lines, truth/store_weeks.csv)
  i32 first_week = 0;  // smallest week with lines
  // Causal codes: TCJ causal_data.csv or CJ2 promotions.csv (display / mailer code -> rows).
  bool has_causal = false;
  std::map<std::string, u64> display_codes, mailer_codes;
  // Its rows by category index and week (week w at [w], 1-based): the promotion calendar by category
  // (empty when the file has no product or week column).
  std::vector<std::vector<u64>> causal_rows;
  // Ground truth (RetailSynth output).
  bool has_truth = false;
  std::vector<double> popularity;                        // truth/products.csv, by product index
  std::vector<std::string> param_names;                  // truth/households.csv columns after home_store
  std::unordered_map<i64, std::vector<double>> params;   // household_key -> parameters
  std::unordered_map<i64, i32> home_store;               // household_key -> STORE_ID
  std::unordered_map<i64, std::vector<i32>> secondary_stores;  // household_key -> STORE_IDs (runs with store sets)
  using Promo = PromotionTable::Promo;
  PromotionTable promotions;
  std::vector<i64> line_promo;  // by line: index into promotions, -1 when not promoted (empty without them)
  std::unordered_map<u64, double> marketing;  // key(store, 0, week) -> M
  std::unordered_map<u64, i64> store_trips;   // key(store, 0, week) -> trips
  std::unordered_map<u64, i32> trips;         // hh_key(household, week) -> trips (truth/trips.csv)
  // truth/prices.csv: regime level of product index j in week w at j * price_weeks + w - 1 (empty
  // without the file; the chain prices are not kept).
  std::vector<int8_t> regime_level;
  i32 price_weeks = 0;
  // Demographics: hh_demographic.csv (TCJ, or its shard parts) or demographics.csv (CJ2, in TCJ's
  // words), by household key; empty without such a file.
  std::map<i64, DemographicValues> demographics;
  std::vector<std::string> mission_names;
  std::vector<std::vector<i32>> mission_linked;  // category indices

  size_t lines() const { return household.size(); }
  /// The retailer's match of line i in cents (>= 0; 0 without the column).
  i64 match_of_line(size_t i) const { return coupon_match_cents.size() == lines() ? coupon_match_cents[i] : 0; }
  /// Line i at the regular price in cents: SALES_VALUE - RETAIL_DISC - COUPON_MATCH_DISC (TCJ:
  /// SALES_VALUE is net of the loyalty discount and of the retailer's coupon match).
  i64 regular_cents(size_t i) const { return sales_cents[i] + disc_cents[i] + match_of_line(i); }
  size_t n_households() const { return household_keys.size(); }
  i32 n_products() const { return static_cast<i32>(product_id.size()); }
  i32 n_categories() const { return static_cast<i32>(category_name.size()); }
  i32 n_stores() const { return static_cast<i32>(store_ids.size()); }
  /// Category of line i (-1 never happens for kept lines).
  i32 category_of_line(size_t i) const { return product_category[product[i]]; }
  /// Department of line i's product (a real category may span departments: its lines are counted by product).
  i32 department_of_line(size_t i) const { return product_department[product[i]]; }
  /// The promotion of line i (truth), or nullptr.
  const Promo* promo_of_line(size_t i) const {
    return line_promo.empty() || line_promo[i] < 0 ? nullptr : &promotions.promo[static_cast<size_t>(line_promo[i])];
  }
  static u64 key(i64 store, i64 product, i64 week) {
    return (static_cast<u64>(store) << 44) ^ (static_cast<u64>(product) << 12) ^ static_cast<u64>(week);
  }
  static u64 hh_key(i64 household, i64 week) { return (static_cast<u64>(household) << 16) ^ static_cast<u64>(week); }
  int param(const std::string& name) const;  // column index in params, -1 if absent
  const char* layout_name() const { return layout == DataLayout::kTcj ? "tcj" : "completejourney2"; }
};

/// Loads a dataset folder (layouts above) and DIR/truth/* when present.  Throws InputError naming
/// the file and line on unreadable input.  Parsing runs on the OpenMP threads.
Dataset load_dataset(const std::string& dir);

/// Reads a whole file, decompressing it when its name ends in .zst.  Throws InputError when it
/// cannot be read.
std::string read_text_file(const std::string& path);

/// Splits `text` into lines and calls f(line_number, fields) for each non-empty data line after
/// the header; fields are RFC 4180 fields with quotes removed (views valid during the call).  CRLF
/// tolerated.
template <class F>
void for_each_csv_row(std::string_view text, F&& f);

// ---------------------------------------------------------------------------------------------

namespace detail {
/// Splits one line into views; quoted fields are unquoted into `scratch` (reserved up front, so
/// the views stay valid).
void split_fields(const char* b, const char* e, std::vector<std::string_view>& out, std::string& scratch);
}

template <class F>
void for_each_csv_row(std::string_view text, F&& f) {
  std::vector<std::string_view> fields;
  std::string scratch;
  size_t pos = 0, line = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    size_t stop = end;
    if (stop > pos && text[stop - 1] == '\r') --stop;
    ++line;
    if (line > 1 && stop > pos) {
      detail::split_fields(text.data() + pos, text.data() + stop, fields, scratch);
      f(line, fields);
    }
    pos = end + 1;
  }
}

}  // namespace retailsynth
