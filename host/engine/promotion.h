// Promotion engine (DESIGN §3.3) and the store-week promotion context with its marketing signal
// (§3.4).  A chain-wide schedule (which products, when, how deep, in the ad, in a mailer) is
// drawn once; each store runs a chain promotion with probability store_participation and
// allocates its own end caps and feature displays.  Everything is a pure function of the seed,
// so any week can be rebuilt in any order.
#pragma once
#include <vector>

#include "engine/calendar.h"
#include "engine/pricing.h"
#include "engine/seasonality.h"
#include "engine/tcj_codes.h"
#include "retailsynth/rng/philox.h"
#include "week_inputs.h"

namespace retailsynth {

struct PromoEvent {
  i32 product;
  i32 start;     // first week (<= 0 for promotions under way when the simulation starts)
  u8 duration;   // weeks, 1..4
  u8 in_ad;      // in the chain's weekly circular
  u8 mailer;     // in a mailer
  float depth;   // discount fraction, on the depth grid
  u8 every_store = 0;  // a product always on deal: every store runs it
};

class PromotionEngine {
 public:
  /// `season` (may be null): with promotions.season_tilt > 0, a category's start probability
  /// follows its seasonal index (season_multipliers below).
  PromotionEngine(const Config& cfg, const Catalog& cat, const Stores& stores, const Calendar& cal,
                  const Seasonality* season = nullptr);

  /// The schedule starts this many weeks before week 1, so week 1 already has promotions under
  /// way (no start-up transient).
  static constexpr int kBurnInWeeks = 8;

  const std::vector<PromoEvent>& events() const { return events_; }
  /// Index of the chain promotion covering product j in `week`, or -1.
  i32 active_event(i32 j, u32 week) const { return active_[static_cast<size_t>(j) * weeks_ + week - 1]; }
  /// Whether store s runs chain promotion `event`.
  bool participates(i32 s, i32 event) const;
  double category_target_share(i32 k) const { return target_[k]; }
  double category_start_prob(i32 k) const { return start_prob_[k]; }
  /// Start-probability multiplier of `week` (event weeks boosted; mean 1 over a year).
  double week_multiplier(i64 week) const;
  /// Category k's multiplier in `week`: week_multiplier's, times index^season_tilt for a category
  /// with a season (normalised so that its mean over the 52 weeks of a year is 1 again).
  double category_week_multiplier(i32 k, i64 week) const;

  /// Fills the week's promotion arrays of store s (depth, display, feature) from its promoted
  /// products (depth > 0 already set by the caller), allocates displays and summarises.
  void allocate_store_week(i32 s, u32 week, const std::vector<i32>& promoted, float* depth, u8* display, u8* feature,
                           StorePromoSummary& out) const;

  /// M[s,t] from a summary (weights in the config).
  float marketing_signal(const StorePromoSummary& s) const;

 private:
  void set_category_targets();
  void set_season_multipliers(const Seasonality& season);
  double seasonal_start_prob(i32 k, const double* mult) const;
  double category_mean_duration(i32 k) const;
  double draw_depth(i32 k, rng::PhiloxStream& g, bool event) const;
  std::vector<PromoEvent> schedule_product(i32 j) const;
  /// Product j's deal kind: the learned world's, else every product follows the schedule.
  u8 deal_kind(i32 j) const { return learned_ ? cat_.deal[j] : u8{kDealNormal}; }

  const Config& cfg_;
  const Catalog& cat_;
  const Calendar& cal_;
  u32 weeks_;
  bool learned_;  // promotions.source learned, with a learned world
  double event_base_ = 1;
  std::vector<double> target_, start_prob_;
  std::vector<double> on_share_, duration_;  // per category: the scheduled products' on-share / pi, mean weeks
  // K x 52 by week of year: the seasonal categories' multipliers; empty when none or no tilt;
  // a category without a season has no row (season_row_[k] < 0) and keeps week_multiplier.
  std::vector<double> season_mult_;
  std::vector<i32> season_row_;
  std::vector<PromoEvent> events_;
  std::vector<i32> active_;  // P x W
};

}  // namespace retailsynth
