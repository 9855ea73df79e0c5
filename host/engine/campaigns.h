// Targeted coupon campaigns (TCJ campaign_desc / campaign_table / coupon / coupon_redempt).
// A campaign runs over whole weeks; the households it targets are chosen in its start week by
// the rule in CampaignRule (a truth parameter, past spending, a random share), each takes the
// coupons up with its own coupon_propensity, and a household that holds a coupon sees it in
// the product's utility and redeems it when it buys the product.  Which products carry coupons
// and their values are a pure function of the seed and the config.
#pragma once
#include <string>
#include <vector>

#include "config.h"
#include "world.h"

namespace retailsynth {

struct WeekInputs;

class Campaigns {
 public:
  struct Resolved {
    std::string name, type;  // type: TCJ DESCRIPTION (TypeA, TypeB, TypeC)
    u32 start_week, end_week;
    std::vector<i32> products;  // catalog indices, ascending
    std::vector<u16> cents;     // manufacturer coupon value per product
    std::vector<u16> match;     // retailer match per product
  };

  Campaigns(const Config& cfg, const Catalog& cat);

  /// The campaigns starting within the simulated weeks, in config order (index = campaign bit).
  const std::vector<Resolved>& list() const { return list_; }
  CampaignView view() const { return CampaignView{static_cast<i32>(rules_.size()), rules_.data()}; }
  /// The coupon arrays of `week` (every coupon of the campaigns running that week, by category).
  void fill_week(u32 week, const Catalog& cat, WeekInputs& out) const;
  /// TCJ COUPON_UPC of campaign c's coupon for catalog product j (which must be in it).
  i64 coupon_upc(i32 c, i32 j) const;
  /// TCJ CAMPAIGN number of campaign c (1-based).
  static i32 campaign_number(i32 c) { return c + 1; }
  /// DAY range of a campaign (TCJ START_DAY / END_DAY, days counted from 1).
  static i64 start_day(const Resolved& r) { return (static_cast<i64>(r.start_week) - 1) * 7 + 1; }
  static i64 end_day(const Resolved& r) { return static_cast<i64>(r.end_week) * 7; }

  std::string campaign_desc_csv() const;  // DESCRIPTION,CAMPAIGN,START_DAY,END_DAY
  std::string coupon_csv(const Catalog& cat) const;  // COUPON_UPC,PRODUCT_ID,CAMPAIGN
  std::string truth_csv(const Config& cfg) const;    // the rules, values and product counts

 private:
  std::vector<Resolved> list_;
  std::vector<CampaignRule> rules_;
  std::vector<i32> source_;  // config index of each resolved campaign
};

/// A line for the user when campaigns of `cfg` fall outside its weeks ("18 of 24 campaigns start
/// after week 26 and are left out: A3, ..."; those cut short at the last week too), or "".
std::string campaigns_outside_run_note(const Config& cfg);

}  // namespace retailsynth
