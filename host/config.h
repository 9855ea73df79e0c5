// Typed configuration with defaults, loaded from YAML and validated key by key (DESIGN §6.1).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "retailsynth/model/views.h"
#include "retailsynth/rng/streams.h"

namespace retailsynth {

/// Bad input (config, CSV, flags): the CLI prints the one-line message and exits 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Config {
  u64 seed = 20170101;

  struct Scale {
    i64 households = 5000;
    i32 products = 20000;
    i32 categories = 300;
    i32 stores = 50;
    i32 weeks = 104;
  } scale;

  struct Catalog {
    std::string source = "synthetic";  // synthetic | file
    std::string file;                  // TCJ product.csv or CompleteJourney 2.0 products.csv
    i32 max_products = 0;              // with source=file: keep the first N merchandise products (0 = all)
    i32 min_products_per_category = 10;  // synthetic: smallest category (so category statistics are not a coin toss)
    double private_label_share = 0.25;
    double private_label_price_ratio = 0.75;  // private label base price relative to national
    double price_log_mean = 1.0;              // mean over categories of log base price ($)
    double price_log_sd_category = 0.55;      // spread of category price levels
    double price_log_sd_product = 0.30;       // spread of prices inside a category
    double quality_price_link = 0.6;          // weight of the price rank in quality (0 = unrelated)
    double popularity_sd = 1.0;               // sd of the product intercept a_j
  } catalog;

  /// The world learned from real data (host/world_learned.cpp): categories, their shares, price
  /// levels and spreads, private label, quantities, discount frequency and depth, deal-prone
  /// products and price endings from a world table (configs/world/); empty: the synthetic world of
  /// `catalog`.
  struct World {
    std::string table;          // `retailsynth learn-world` output
    std::string calibration;    // `retailsynth calibrate` output (empty: the table's first guess)
    double lines_per_trip = 7.5;  // first guess of the intercepts: P(category on a trip) = share x this
    double promo_lift = 5.0;      // first guess of promotion shares: odds of a promoted product's lines
  } world;

  struct Stores {
    double price_index_sd = 0.03;  // sd of log store price index
    double traffic_sd = 0.5;       // sd of log store traffic weight (home-store choice)
    // A household's store set: relative frequencies of 0, 1, 2, 3 secondary stores, the relative
    // shares of its away trips that go to the 1st, 2nd, 3rd, and the share outside the set.
    double secondary_count[4] = {0.2, 0.25, 0.27, 0.28};
    double secondary_weight[3] = {1.0, 0.7, 0.5};
    double away_outside = 0.12;
  } stores;

  /// Heterogeneity distributions, indexed by HouseholdParam (DESIGN §3.5; the tuned values are
  /// explained in configs/default.yaml).
  DistSpec households[kNumHouseholdParams] = {
      {DistKind::kLogNormal, -0.50f, 1.0f, 0.0f, 10.0f},   // trip_rate
      {DistKind::kBeta, 8.0f, 2.0f, 0.0f, 1.0f},           // store_loyalty: mean 0.8
      {DistKind::kNormal, -2.5f, 0.8f, -8.0f, 0.0f},       // beta_price (log price)
      {DistKind::kLogNormal, 1.2f, 0.5f, 0.0f, 30.0f},     // beta_quality
      {DistKind::kNormal, 0.0f, 0.5f, -3.0f, 3.0f},        // basket_scale
      {DistKind::kGamma, 2.0f, 0.08f, 0.0f, 20.0f},        // quantity_scale: mean 0.16
      {DistKind::kNormal, 1.8f, 0.6f, 0.0f, 10.0f},        // beta_promo
      {DistKind::kBeta, 2.0f, 5.0f, 0.0f, 1.0f},           // beta_display
      {DistKind::kNormal, 0.8f, 0.3f, 0.0f, 5.0f},         // beta_feature
      {DistKind::kNormal, 1.0f, 0.3f, 0.0f, 10.0f},        // beta_ref
      {DistKind::kLogNormal, 0.9f, 0.2f, 1.0f, 10.0f},     // loss_aversion: mean 2.5
      {DistKind::kGamma, 2.0f, 0.25f, 0.0f, 5.0f},         // promo_sensitivity: mean 0.5
      {DistKind::kNormal, 1.0f, 0.5f, -2.0f, 5.0f},        // beta_loyal
      {DistKind::kLogNormal, 0.95f, 0.4f, 0.0f, 6.0f},     // stockpile: mean 2.8
      {DistKind::kBeta, 2.0f, 6.0f, 0.0f, 1.0f},           // coupon_propensity: mean 0.25
      {DistKind::kBeta, 1.0f, 3.0f, 0.0f, 1.0f},           // variety: mean 0.25
  };

  /// Correlations between normal-family household parameters (on the underlying normal).
  struct Correlation {
    int a, b;
    double rho;
  };
  std::vector<Correlation> correlations = {{kBetaPrice, kBetaPromo, -0.3}};
  /// sd of the household-category affinity eta_ik (0: none besides the demographic terms).
  double category_affinity_sd = 0.0;

  /// Utility terms (DESIGN §3.6).
  struct Utility {
    double quality_saturation = 1.5;    // kappa
    double promo_depth_scale = 0.5;     // beta_promo * scale * depth (the plan's 5, tuned: §3.7a)
    double perception_threshold = 0.20;  // discounts from this depth are noticed ...
    double perception_bonus = 0.2;       // ... and add this much utility
    double threshold_bonus = 0.15;       // left-digit bonus just under 1, 2, 5, 10, 20, 50 dollars
    double threshold_window = 0.05;      // "just under": within this share below the threshold
    double display_shelf_tag = 0.3, display_end_cap = 1.0, display_feature = 1.6;  // effect(type), none = 0
    double feature_scale = 0.4;          // beta_feature * scale * (in_ad + mailer)
    double coupon_scale = 0.5;           // beta_promo * scale * (coupon value / shelf price)
    double reference_decay = 0.3;        // reference price: EWMA weight exp(-decay * age)
    i32 reference_weeks = 10;            // ... over this many past weeks
  } utility;

  struct Mission {
    std::string name;
    double share;        // probability of a trip having this mission
    double shift;        // added to every category's incidence logit
    double linked_share;  // share of categories linked to the mission
    double link_boost;   // extra shift of the linked categories
    std::vector<std::string> departments;  // linked categories come from these departments (empty: any)
    double variety = 1;  // multiplies the household's variety on a trip with this mission
  };

  struct Choice {
    double iv_coefficient = 0.3;  // mu (DESIGN §3.7a; tuned, see configs/default.yaml)
    DistSpec category_intercept{DistKind::kNormal, -4.0f, 0.9f, -12.0f, 4.0f};  // gamma_k
    i32 max_trips_per_week = 12;
    double inventory_weight = 0.6;  // omega
    double inventory_decay = 0.5;   // share of home inventory consumed per week
    // Skip the category evaluations whose incidence bound cannot reach the household's u_buy
    // (the same output bit for bit; false evaluates every category on every trip).
    bool exact_skip = true;
    std::vector<Mission> missions = {
        {"stock_up", 0.15, 1.5, 0.0, 0.0, {}},
        {"fill_in", 0.40, -2.2, 0.10, 1.5, {"GROCERY", "PRODUCE"}},
        {"meal", 0.20, -0.6, 0.25, 2.0, {"MEAT", "MEAT-PCKGD", "PRODUCE", "DELI", "SEAFOOD", "SEAFOOD-PCKGD"}},
        {"snack", 0.12, -2.0, 0.08, 2.5, {"GROCERY", "PASTRY", "SPIRITS"}},
        {"special", 0.13, -0.3, 0.25, 1.5, {"PASTRY", "FLORAL", "SPIRITS", "DELI", "RESTAURANT"}}};
  } choice;

  /// Household demographics (host/engine/demographics.h): profiles drawn from the real joint
  /// distribution, shown in hh_demographic.csv for `shown_share` of the households, and their
  /// ties to the model.  Empty `profiles`: no demographics (and no kids' affinities).
  struct Demographics {
    std::string profiles;          // `retailsynth learn-demographics` output: profiles.csv
    std::string kids;              // ... and kids.csv (per category log ratio with / without children)
    double shown_share = 0.32;     // TCJ: 801 of its 2,500 households
    double income_price = 0.0;     // beta_price += this x (log income - mean)
    double size_basket = 0.0;      // basket_scale += this x (persons - mean)
    double size_quantity = 0.0;    // quantity_scale x (1 + this x (persons - mean))
    double kids_affinity = 1.0;    // x the learned log ratios, for households with children
  } demographics;

  /// Week of year of simulation week 1, and the weeks of year with events (holidays, big-ad
  /// weeks): New Year, Super Bowl, Easter, Memorial Day, July 4, Labor Day, Halloween,
  /// Thanksgiving, Christmas.
  /// `profile`: the trips' day-of-week and hour-of-day profile (configs/calendar/, learned by
  /// `learn-calendar`); empty: every day alike and one fixed hour curve.
  struct Calendar {
    i32 start_week_of_year = 1;
    std::vector<int> event_weeks = {1, 5, 15, 21, 27, 36, 43, 47, 51, 52};
    std::string profile;
  } calendar;

  /// Base prices (DESIGN §3.2): inflation, category cost shocks, sticky price regimes.
  struct Pricing {
    double inflation_per_year = 0.025;
    double cost_ar = 0.9;        // AR(1) coefficient of a category's log cost shock (weekly)
    double cost_sd = 0.01;       // innovation sd of the log cost shock
    double regime_stay = 0.95;   // probability a product's price level stays the same week to week
    double regime_step = 0.03;   // a regime move changes the price by this fraction
    i32 regime_levels = 2;       // levels -L..L
    double price_index = 1.0;    // policy: every base price times this
  } pricing;

  /// Policy price changes: base prices of a product (PRODUCT_ID) or a category (COMMODITY_DESC),
  /// in one store (STORE_ID) or all, over weeks [from_week, to_week], times `multiplier`.
  struct PriceChange {
    i64 product_id = -1;
    std::string category;
    i64 store_id = -1;
    i32 from_week = 1, to_week = rng::kMaxWeeks;
    double multiplier = 1.0;
    std::string origin;  // file:line, for messages
  };
  std::vector<PriceChange> price_changes;

  /// Targeted coupon campaigns (TCJ campaign_desc / campaign_table / coupon / coupon_redempt).
  struct Campaign {
    std::string name;
    std::string type = "TypeA";  // TCJ DESCRIPTION: TypeA, TypeB, TypeC
    i32 start_week = 1, end_week = 1;
    // Targeting: a random share of the households that pass the parameter and spending rules.
    double target_share = 1.0;
    std::string target_param;  // a household parameter (empty: none)
    double param_min = -1e30, param_max = 1e30;
    double min_weekly_spend = 0;  // mean dollars per week before the start week
    // Products: `count` drawn by popularity from the listed categories/departments (all when
    // both are empty), or the listed PRODUCT_IDs.
    i32 count = 20;
    std::vector<std::string> categories, departments;
    std::vector<i64> product_ids;
    // Coupon value: `value` dollars, or `depth` times the product's base price (rounded to 5
    // cents); the retailer matches `match` times it (COUPON_MATCH_DISC).
    double value = 0, depth = 0, match = 0;
    std::string origin;
  };
  std::vector<Campaign> campaigns;

  /// Promotions (DESIGN §3.3): a chain-wide schedule executed per store.
  struct Promotions {
    // learned: each category's promoted share, depth law and deal-prone products from the learned
    // world (world.table); config: the keys below for every category (policy scenarios set this).
    std::string source = "config";
    double share_min = 0.12;  // each category's target share of promoted product-store-weeks
    double share_max = 0.22;  // is drawn uniformly in [share_min, share_max]
    double store_participation = 0.9;  // share of stores running a chain promotion
    double depth_min = 0.10;
    double depth_max = 0.50;
    double depth_step = 0.05;  // depths land on multiples of this step
    DistSpec depth{DistKind::kBeta, 3.0f, 5.0f};  // fraction of [depth_min, depth_max]: mean 0.25
    double duration_shallow = 3.0;  // mean weeks (1..4) of a promotion at depth_min
    double duration_deep = 1.2;     // ... at depth_max (deeper -> shorter)
    double event_start_boost = 2.0;   // start probability multiplier in event weeks
    double event_depth_shift = 0.05;  // depth added to promotions starting in event weeks
    double season_tilt = 0.0;  // start probability x (category's seasonal index)^tilt, mean 1 a year
    // Capacities in products per store-week (an end cap or a secondary display holds several
    // products).  With about 3,700 promoted products per store-week at the default scale these
    // give the real mix of display codes: about 40% of advertised/displayed rows on an end cap or
    // a feature display (shared/data/completejourney README).
    i32 end_caps_per_store = 500;         // end-cap capacity per store-week
    i32 feature_displays_per_store = 500;  // feature-display capacity per store-week
    double shelf_tag_prob = 0.05;       // promoted products without a display get a shelf tag
    double display_popularity_weight = 0.5;  // weight of popularity next to log depth in display allocation
    double in_ad_intercept = -0.4, in_ad_depth = 6.0, in_ad_event = 1.0, in_ad_popularity = 0.5;
    double mailer_intercept = -2.5, mailer_depth = 5.0, mailer_in_ad = 1.5;
  } promotions;

  /// Marketing signal M[s,t] weights (DESIGN §3.4).
  struct Marketing {
    double w_depth = 0.3, w_breadth = 0.3, w_display = 0.1, w_ad = 0.3;
    // The depth and breadth scores are mean depth / depth_reference and promoted share /
    // breadth_reference (each capped at 1): fixed references, so policies are measured on one scale.
    double depth_reference = 0.50, breadth_reference = 0.22;
  } marketing;

  /// Seasonality (DESIGN §3.8): a learned table (see configs/seasonality/) applied to utilities
  /// (log index) and trip rates (traffic index).
  struct Seasonality {
    std::string table;             // empty: no seasonality
    double strength = 1.0;         // index^strength (0 switches seasonality off)
    double min_reliability = 0.2;  // keys whose split-half reliability is below this are ignored
    bool traffic = true;           // scale trip rates by the traffic index
    // share: a category's index multiplies each trip's buy probability, so its share of lines
    // follows the index; logit: its log is added to the incidence logit (odds x index), which
    // flattens the peaks of categories that households are likely to buy.
    std::string incidence = "share";
  } seasonality;

  struct Output {
    std::string compress = "none";  // none | zstd
    i64 block_households = 0;       // households simulated per block (0 = automatic)
    i64 market_cache_mb = 1024;     // keep every week's market for later blocks when it fits (0: rebuild)
    std::string overlap_write = "auto";  // on: write block b while block b + 1 is simulated; auto: on for cuda
  } output;

  /// A policy scenario applied on top (--scenario FILE): its name and description.
  struct Scenario {
    std::string name, description, file;
  } scenario;

  std::string source;  // the config file, for messages
  std::string base_dir;  // relative paths in the file resolve against this folder (made absolute on load)
};

/// Loads `path` (empty: the built-in defaults), applies `--set key=value` overrides, then the
/// policy scenario file `scenario` (empty: none), and validates every key.  A scenario may change
/// only policy keys: promotions.*, pricing.price_index, price_changes and campaigns (plus its own
/// name and description).  Throws InputError naming the file, line and dotted key.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {},
                   const std::string& scenario = "");

/// The resolved configuration as JSON (the manifest's "config").
nlohmann::json config_to_json(const Config& cfg);

}  // namespace retailsynth
