// The one table that maps display types and feature flags to TCJ causal codes (DESIGN §3.3, §6.2).
//
//   display type       TCJ display codes (picked per product-store by the real mix in shared/data)
//   none               0 not on display
//   shelf_tag          7 in-aisle (2.7%), A in-shelf (0.6%)
//   end_cap            3 front end cap (4.1%), 4 mid-aisle end cap (1.8%), 5 rear end cap (9.5%),
//                      6 side-aisle end cap (4.2%)
//   feature_display    1 store front (1.2%), 2 store rear (4.5%), 9 secondary location (14.2%)
//
//   in_ad  mailer      TCJ mailer code
//   0      0           0 not on ad
//   1      0           A interior page feature (43.7%), C interior page line item (0.8%)
//   1      1           D front page feature (12.5%), H wrap front feature (4.2%), F back page
//                      feature (2.8%), L wrap back feature (0.9%)
//   0      1           J wrap interior coupon (1.0%), P interior page coupon (0.1%)
// X and Z (free items) are not generated: the simulator has no free-item promotions.
#pragma once
#include "retailsynth/common.h"

namespace retailsynth {

enum class DisplayType : u8 { kNone = 0, kShelfTag = 1, kEndCap = 2, kFeatureDisplay = 3 };
inline constexpr const char* kDisplayTypeNames[4] = {"none", "shelf_tag", "end_cap", "feature_display"};
enum FeatureFlag : u8 { kInAd = 1, kMailer = 2 };

/// A stable value in [0, 1) per product-store, choosing among a type's codes.
inline double code_variant(i64 product_id, i64 store_id) {
  u64 h = static_cast<u64>(product_id) * 0x9E3779B97F4A7C15ull ^ static_cast<u64>(store_id) * 0xC2B2AE3D27D4EB4Full;
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 32;
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

namespace detail {
struct CodeWeight {
  const char* code;
  double weight;
};
template <int N>
const char* pick(const CodeWeight (&table)[N], double u) {
  double total = 0;
  for (const auto& c : table) total += c.weight;
  double acc = 0;
  for (const auto& c : table) {
    acc += c.weight / total;
    if (u < acc) return c.code;
  }
  return table[N - 1].code;
}
}  // namespace detail

inline const char* display_code(DisplayType t, double u) {
  static const detail::CodeWeight shelf[] = {{"7", 2.7}, {"A", 0.6}};
  static const detail::CodeWeight end_cap[] = {{"3", 4.1}, {"4", 1.8}, {"5", 9.5}, {"6", 4.2}};
  static const detail::CodeWeight feature[] = {{"1", 1.2}, {"2", 4.5}, {"9", 14.2}};
  switch (t) {
    case DisplayType::kNone: return "0";
    case DisplayType::kShelfTag: return detail::pick(shelf, u);
    case DisplayType::kEndCap: return detail::pick(end_cap, u);
    case DisplayType::kFeatureDisplay: return detail::pick(feature, u);
  }
  return "0";
}

inline const char* mailer_code(bool in_ad, bool mailer, double u) {
  static const detail::CodeWeight ad_only[] = {{"A", 43.7}, {"C", 0.8}};
  static const detail::CodeWeight ad_mailer[] = {{"D", 12.5}, {"H", 4.2}, {"F", 2.8}, {"L", 0.9}};
  static const detail::CodeWeight mailer_only[] = {{"J", 1.0}, {"P", 0.1}};
  if (in_ad && mailer) return detail::pick(ad_mailer, u);
  if (in_ad) return detail::pick(ad_only, u);
  if (mailer) return detail::pick(mailer_only, u);
  return "0";
}

}  // namespace retailsynth
