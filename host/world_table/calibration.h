// The calibration of a learned world (`retailsynth calibrate`): shifts of the world table's first
// guesses, fitted in simulation so that category line shares, discount shares and price levels
// and the lines per basket match the table, averaged over seeds.
//
// CSV: level,category,intercept_shift,promo_logit_shift,price_log_shift,spread_log_shift,depth_tilt,
// size_log_response.  One `all` row (empty category) whose shifts apply to every category; one
// `category` row per calibrated category (others get none of their own): the shift of its incidence
// intercept, of its promoted share's logit, of its log price level, of the log of its price spread,
// the tilt a of its discount depths (promotions are offered with the density of the table's line
// depths times exp(-a depth), since deeper discounts win more lines), and the log of its trip-size
// response r (a trip mission shifts the category's incidence by the mission's shift times r, plus
// the link boost; r = 1 is every category alike).  Files written before the last column existed
// (7 columns) still load, with size_log_response 0.
#pragma once
#include <map>
#include <string>

#include "retailsynth/common.h"

namespace retailsynth {

struct CategoryCalibration {
  double intercept_shift = 0, promo_logit_shift = 0, price_log_shift = 0, spread_log_shift = 0, depth_tilt = 0;
  double size_log_response = 0;
};

struct Calibration {
  CategoryCalibration all;  // every category
  std::map<std::string, CategoryCalibration> categories;

  /// The category's shifts (zero when it has none).
  const CategoryCalibration& category(const std::string& name) const;
  static Calibration load(const std::string& path);
  std::string to_csv() const;
};

}  // namespace retailsynth
