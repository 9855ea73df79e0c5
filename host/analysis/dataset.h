// A dataset in the Complete Journey layout, loaded into columns for analysis (tests, validate).
#pragma once
#include <string>
#include <unordered_map>
#include <vector>

#include "retailsynth/common.h"

namespace retailsynth {

/// Splits `text` into lines and calls f(line_number, fields) for each data line after the header;
/// fields are views into a scratch buffer (RFC 4180 quotes removed).  CRLF tolerated.
template <class F>
void for_each_csv_row(const std::string& text, F&& f);

struct Dataset {
  std::string dir;
  // Transactions, one entry per line.
  std::vector<i64> household, basket;
  std::vector<i32> day, week, store, product, quantity;  // product: index into product_id
  std::vector<i64> sales_cents, disc_cents;               // disc_cents >= 0 (discount amount)
  // Products.
  std::vector<i64> product_id;
  std::vector<i32> product_category;  // index into category_name
  std::vector<std::string> category_name, category_department;
  std::unordered_map<i64, i32> product_index;
  // Ground truth (present for RetailSynth output).
  bool has_truth = false;
  std::vector<double> popularity;                        // truth/products.csv, by product index
  std::vector<std::string> param_names;                  // truth/households.csv columns after home_store
  std::unordered_map<i64, std::vector<double>> params;   // household_key -> parameters
  std::unordered_map<i64, i32> home_store;               // household_key -> STORE_ID
  struct Promo {
    float depth;
    u8 display;  // 0 none, 1 shelf_tag, 2 end_cap, 3 feature_display
    u8 in_ad, mailer;
  };
  std::unordered_map<u64, Promo> promotions;  // key(store, product index, week)
  std::unordered_map<u64, double> marketing;  // key(store, 0, week) -> M
  std::unordered_map<u64, i64> store_trips;   // key(store, 0, week) -> trips
  std::unordered_map<u64, i32> trips;         // key(household, week) -> trips (truth/trips.csv)
  std::vector<std::string> mission_names;
  std::vector<std::vector<i32>> mission_linked;  // category indices
  std::vector<i32> store_ids;
  i32 weeks = 0;

  size_t lines() const { return household.size(); }
  static u64 key(i64 store, i64 product, i64 week) {
    return (static_cast<u64>(store) << 44) ^ (static_cast<u64>(product) << 12) ^ static_cast<u64>(week);
  }
  static u64 hh_key(i64 household, i64 week) { return (static_cast<u64>(household) << 16) ^ static_cast<u64>(week); }
  int param(const std::string& name) const;  // column index in params, -1 if absent
};

/// Loads DIR/transaction_data.csv and DIR/product.csv (TCJ layout) and DIR/truth/* when present.
/// Throws InputError naming the file and line on unreadable input.
Dataset load_dataset(const std::string& dir);

// ---------------------------------------------------------------------------------------------

namespace detail {
void split_fields(const char* b, const char* e, std::vector<std::string>& out);
}

template <class F>
void for_each_csv_row(const std::string& text, F&& f) {
  std::vector<std::string> fields;
  size_t pos = 0, line = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    size_t stop = end;
    if (stop > pos && text[stop - 1] == '\r') --stop;
    ++line;
    if (line > 1 && stop > pos) {
      detail::split_fields(text.data() + pos, text.data() + stop, fields);
      f(line, fields);
    }
    pos = end + 1;
  }
}

}  // namespace retailsynth
