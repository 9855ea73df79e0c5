// The seasonality table (DESIGN §3.8): indices by (level, key, week of year), mean 1 per key, with
// the lookup fallback product -> category -> 1.0.
//
// File format (CSV, one header line, then one line per key and week of year):
//
//   level,key,week_of_year,index,reliability,n
//   traffic,ALL,1,0.981234,0.4120,75000
//   category,SOUP,1,1.104512,0.6011,1366
//   category,"BAG SNACKS, SALTY",1,0.998001,NA,120     <- RFC 4180 quotes where a name holds a comma
//   product,1029743,1,1.203300,0.3100,412
//
//   level         product | category | traffic
//   key           the product id (product), the category name COMMODITY_DESC (category), ALL (traffic)
//   week_of_year  1..52; every key has each of the 52 weeks exactly once (lines of a key need not be
//                 adjacent)
//   index         > 0 and finite; the 52 indices of a key average 1 (within 1e-3)
//   reliability   the key's split-half correlation across households (see learner.h), in [-1, 1];
//                 empty or NA when unknown.  Informational: lookups do not use it.
//   n             the number of transaction lines the key was learned from (the same on all its lines)
//
// Week 52 stands for the last 8 (9 in leap years) days of a year; lookups clamp a week of year
// outside 1..52 into it, as the learner does with dates.
#pragma once
#include <array>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "retailsynth/common.h"

namespace retailsynth {

constexpr int kWeeksPerYear = 52;

/// One key's 52 indices and what they were learned from.
struct SeasonCurve {
  std::array<float, kWeeksPerYear> index;  // index[w - 1] for week of year w
  double reliability = std::numeric_limits<double>::quiet_NaN();  // NaN: unknown (NA in the file)
  i64 n = 0;

  SeasonCurve() { index.fill(1.0f); }
  float at(int week_of_year) const;
};

/// Peak and trough of a curve, for reports and plots.
struct SeasonSummary {
  int peak_week = 1, trough_week = 1;
  double peak = 1.0, trough = 1.0;
  double ratio() const { return trough > 0 ? peak / trough : 0.0; }
};
SeasonSummary summarize(const SeasonCurve& c);

/// Clamps a week of year into 1..52.
inline int clamp_week_of_year(int w) { return w < 1 ? 1 : (w > kWeeksPerYear ? kWeeksPerYear : w); }

class SeasonalityTable {
 public:
  /// Reads and validates a table file.  Any problem throws InputError with one line naming the
  /// file and line ("path:LINE: ...") or the file and key ("path: category 'SOUP': ...").
  static SeasonalityTable load(const std::string& path);
  /// Writes the table (traffic, then categories by name, then products by id; weeks in order)
  /// to `path.tmp` and renames it into place, so `path` is never half-written.
  void save(const std::string& path) const;
  std::string to_csv() const;

  /// Category index for a week of year; 1.0 when the category is absent.
  float category_index(const std::string& category, int week_of_year) const;
  /// Product index, falling back to the product's category and then to 1.0.
  float product_index(i64 product_id, const std::string& category, int week_of_year) const;
  /// Store-traffic index (trip rates); 1.0 when absent.
  float traffic_index(int week_of_year) const;

  bool empty() const { return products_.empty() && categories_.empty() && !has_traffic_; }

  void set_product(i64 product_id, const SeasonCurve& c) { products_[product_id] = c; }
  void set_category(const std::string& category, const SeasonCurve& c) { categories_[category] = c; }
  void set_traffic(const SeasonCurve& c) {
    traffic_ = c;
    has_traffic_ = true;
  }

  const std::map<i64, SeasonCurve>& products() const { return products_; }
  const std::map<std::string, SeasonCurve>& categories() const { return categories_; }
  /// nullptr when the key is absent.
  const SeasonCurve* traffic() const { return has_traffic_ ? &traffic_ : nullptr; }
  const SeasonCurve* find_product(i64 product_id) const;
  const SeasonCurve* find_category(const std::string& category) const;

 private:
  std::map<i64, SeasonCurve> products_;
  std::map<std::string, SeasonCurve> categories_;
  SeasonCurve traffic_;
  bool has_traffic_ = false;
};

/// Writes `text` to `path.tmp` and renames it to `path`; on failure removes the temporary file
/// and throws InputError naming the path.
void write_text_file_atomic(const std::string& path, const std::string& text);

}  // namespace retailsynth
