#include "simulator.h"

#include <fmt/format.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <thread>
#include <utility>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "backend.h"
#include "config.h"
#include "dataset_folder.h"
#include "io/background_writer.h"
#include "io/output.h"
#include "io/text_cursor.h"
#include "io/price_truth.h"
#include "io/transactions.h"
#include "market.h"
#include "partial_run.h"
#include "shard_check.h"
#include "engine/heterogeneity.h"
#include "retailsynth/model/demographic_draw.h"
#include "engine/tcj_codes.h"
#include "world.h"

namespace fs = std::filesystem;

namespace retailsynth {
namespace {

constexpr const char* kVersion = "0.1.0";
constexpr const char* kTransactionHeader =
    "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,WEEK_NO,COUPON_DISC,"
    "COUPON_MATCH_DISC\n";

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Removes a temporary folder unless the run committed it.
struct TempDir {
  fs::path path;
  bool committed = false;
  ~TempDir() {
    if (!committed && !path.empty()) {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  }
};

struct Progress {
  bool on = false;
  Clock::time_point start = Clock::now();
  i64 steps_total = 0, steps_done = 0;
  void step(int block, int n_blocks, u32 week, u32 weeks, u64 rows) {
    ++steps_done;
    if (!on) return;
    const double t = since(start);
    const double rate = t > 0 ? rows / t : 0;
    const double eta = steps_done > 0 ? t * (steps_total - steps_done) / steps_done : 0;
    const int e = static_cast<int>(eta + 0.5);
    std::fprintf(stderr, "\r  block %d/%d  week %u/%u  rows %s  %.2f M rows/s  ETA %d:%02d:%02d   ", block, n_blocks, week,
                 weeks, fmt::format("{:L}", rows).c_str(), rate / 1e6, e / 3600, (e / 60) % 60, e % 60);
    std::fflush(stderr);
  }
  void done() {
    if (on) std::fprintf(stderr, "\n");
  }
};

void write_product_csv(const std::string& dir, const Catalog& cat, FileSummary& sum) {
  OutputFile f(dir, "product.csv", false);
  std::string buf = "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n";
  for (i32 j = 0; j < cat.n_products(); ++j) {
    const i32 k = cat.category[j];
    buf += fmt::format("{},{},{},{},{},{},{}\n", cat.product_id[j], csv_field(cat.manufacturer[j]),
                       csv_field(cat.cat_department[k]), cat.private_label[j] ? "Private" : "National",
                       csv_field(cat.cat_name[k]), csv_field(cat.subcat_name[cat.subcategory[j]]), csv_field(cat.size[j]));
  }
  f.write(buf);
  f.add_rows(cat.n_products());
  sum = f.close();
}

void write_truth_tables(const std::string& dir, const Catalog& cat, const Stores& stores, std::vector<FileSummary>& sums) {
  {
    OutputFile f(dir, "truth/products.csv", false);
    static const char* kDeal[3] = {"normal", "never", "always"};
    std::string buf = "PRODUCT_ID,COMMODITY_DESC,base_price,quality,popularity,price_ending,deal\n";
    for (i32 j = 0; j < cat.n_products(); ++j)
      buf += fmt::format("{},{},{:.4f},{:.6g},{:.6g},{},{}\n", cat.product_id[j], csv_field(cat.cat_name[cat.category[j]]),
                         cat.base_price[j], cat.quality[j], cat.alpha[j], cat.price_ending[j], kDeal[cat.deal[j]]);
    f.write(buf);
    f.add_rows(cat.n_products());
    sums.push_back(f.close());
  }
  {
    OutputFile f(dir, "truth/categories.csv", false);
    std::string buf = "COMMODITY_DESC,DEPARTMENT,n_products,intercept,iv_reference,quantity_multiplier,size_response\n";
    for (i32 k = 0; k < cat.n_categories(); ++k)
      buf += fmt::format("{},{},{},{:.6g},{:.6g},{:.6g},{:.6g}\n", csv_field(cat.cat_name[k]), csv_field(cat.cat_department[k]),
                         cat.cat_begin[k + 1] - cat.cat_begin[k], cat.cat_intercept[k], cat.cat_iv_ref[k], cat.cat_quantity[k],
                         cat.cat_size_response[k]);
    f.write(buf);
    f.add_rows(cat.n_categories());
    sums.push_back(f.close());
  }
  {
    OutputFile f(dir, "truth/stores.csv", false);
    std::string buf = "STORE_ID,type,price_index,traffic_share\n";
    for (i32 s = 0; s < stores.size(); ++s)
      buf += fmt::format("{},{},{},{:.6g}\n", stores.store_id[s], stores.type[s], static_cast<double>(stores.price_index[s]),
                         stores.traffic[s]);
    f.write(buf);
    f.add_rows(stores.size());
    sums.push_back(f.close());
  }
}

void append_households(OutputFile& f, const HouseholdBlock& b, const Stores& stores) {
  std::string buf;
  for (i32 h = 0; h < b.n; ++h) {
    buf += fmt::format("{},{}", b.first + h + 1, stores.store_id[b.home_store[h]]);
    for (int p = 0; p < kNumHouseholdParams; ++p) buf += fmt::format(",{:.9g}", b.params[static_cast<size_t>(p) * b.n + h]);
    buf += ',';  // the secondary stores' STORE_IDs, first to last, separated by ';' (empty: none)
    for (int i = 0; i < kMaxSecondaryStores; ++i) {
      const i32 s = b.secondary[static_cast<size_t>(i) * b.n + h];
      if (s >= 0) buf += fmt::format("{}{}", i > 0 ? ";" : "", stores.store_id[s]);
    }
    buf += '\n';
  }
  f.write(buf);
  f.add_rows(b.n);
}

/// A block's rows of hh_demographic.csv (the shown households, TCJ layout), truth/demographics.csv
/// (every household, with whether it is shown) and truth/affinities.csv (every non-zero affinity).
void append_demographics(OutputFile& shown, OutputFile& all, const HouseholdBlock& b, const Demographics& demo) {
  if (demo.empty()) return;
  std::string s, t;
  u64 ns = 0;
  for (i32 h = 0; h < b.n; ++h) {
    std::string row;
    for (const std::string& v : demo.profiles.values[b.demographic[h]]) row += csv_field(v) + ",";
    row += std::to_string(b.first + h + 1);
    const bool on = demographic_shown(demo.view, b.first + h);
    if (on) s += row + "\n", ++ns;
    t += row + (on ? ",1\n" : ",0\n");
  }
  shown.write(s);
  shown.add_rows(ns);
  all.write(t);
  all.add_rows(b.n);
}
void append_affinities(OutputFile& f, const HouseholdBlock& b, const Catalog& cat) {
  std::string buf;
  u64 n = 0;
  for (i32 h = 0; h < b.n; ++h)
    for (i32 k = 0; k < cat.n_categories(); ++k)
      if (const float a = b.affinity_at(k, h); a != 0.0f) {
        buf += fmt::format("{},{},{:.6g}\n", b.first + h + 1, csv_field(cat.cat_name[k]), a);
        ++n;
      }
  f.write(buf);
  f.add_rows(n);
}

/// One week's rows of causal_data.csv (TCJ codes; promoted rows with a display or a feature, as
/// in TCJ) and of truth/promotions.csv (every promoted product-store-week).
struct PromotionRows {
  std::string causal, promos;
  u64 causal_rows = 0, promo_rows = 0;
};

/// Writes x as "{:.2f}" formats it: 100 x (exact in double for a float) rounded half to even.
char* put_fixed2(char* p, float x) { return put_cents(p, static_cast<i64>(std::nearbyint(static_cast<double>(x) * 100.0))); }

/// A row of truth/promotions.csv: STORE_ID,PRODUCT_ID,WEEK_NO,base_price,shelf_price,depth,
/// display_type,in_ad,mailer.
char* put_promotion(char* p, std::string_view sid, std::string_view pid, std::string_view week, const WeekInputs& w, size_t at) {
  static const std::string_view kNames[4] = {kDisplayTypeNames[0], kDisplayTypeNames[1], kDisplayTypeNames[2],
                                             kDisplayTypeNames[3]};
  p = put_text(p, sid);
  *p++ = ',';
  p = put_text(p, pid);
  *p++ = ',';
  p = put_text(p, week);
  *p++ = ',';
  p = put_cents(p, w.base_cents[at]);
  *p++ = ',';
  p = put_cents(p, w.shelf_cents[at]);
  *p++ = ',';
  p = put_fixed2(p, w.depth[at]);
  *p++ = ',';
  p = put_text(p, kNames[w.display[at]]);
  const char flags[5] = {',', (w.feature[at] & kInAd) ? '1' : '0', ',', (w.feature[at] & kMailer) ? '1' : '0', '\n'};
  return put_text(p, std::string_view(flags, 5));
}

/// A row of causal_data.csv: PRODUCT_ID,STORE_ID,WEEK_NO,display,mailer (TCJ codes).
char* put_causal(char* p, std::string_view sid, std::string_view pid, std::string_view week, const char* display,
                 const char* mailer) {
  p = put_text(p, pid);
  *p++ = ',';
  p = put_text(p, sid);
  *p++ = ',';
  p = put_text(p, week);
  *p++ = ',';
  p = put_text(p, display);
  *p++ = ',';
  p = put_text(p, mailer);
  *p++ = '\n';
  return p;
}

/// Formats store s's promoted products of week `w` into `out`.
void format_store_promotions(PromotionRows& out, const WeekInputs& w, i32 s, const Catalog& cat, const Stores& stores) {
  const i64 sid = stores.store_id[s];
  const fmt::format_int sid_int(sid), week_int(w.week);
  const std::string_view sid_text(sid_int.data(), sid_int.size()), week_text(week_int.data(), week_int.size());
  out.promos.reserve(static_cast<size_t>(w.stores[s].n_promoted) * 56);  // a row is under 56 bytes
  out.causal.reserve(static_cast<size_t>(w.stores[s].n_promoted) * 28);
  TextCursor p(out.promos), c(out.causal);
  for (i64 j = 0; j < w.n_products; ++j) {
    const size_t at = static_cast<size_t>(s) * w.n_products + j;
    if (w.depth[at] <= 0.0f) continue;
    const i64 pid = cat.product_id[j];
    const fmt::format_int pid_int(pid);
    const std::string_view pid_text(pid_int.data(), pid_int.size());
    p.done(put_promotion(p.room(kMaxRowBytes), sid_text, pid_text, week_text, w, at));
    ++out.promo_rows;
    const auto disp = static_cast<DisplayType>(w.display[at]);
    const bool in_ad = w.feature[at] & kInAd, mailer = w.feature[at] & kMailer;
    if (disp != DisplayType::kNone || in_ad || mailer) {  // TCJ lists a promotion with a display or a feature
      const double u = code_variant(pid, sid);
      c.done(put_causal(c.room(kMaxRowBytes), sid_text, pid_text, week_text, display_code(disp, u), mailer_code(in_ad, mailer, u)));
      ++out.causal_rows;
    }
  }
}

/// The week's promotion rows of every store, formatted in parallel and kept in store order.
std::vector<PromotionRows> format_promotions(const WeekInputs& w, const Catalog& cat, const Stores& stores) {
  std::vector<PromotionRows> rows(w.n_stores);
#pragma omp parallel for schedule(dynamic, 1)
  for (i32 s = 0; s < w.n_stores; ++s) format_store_promotions(rows[s], w, s, cat, stores);
  return rows;
}

/// Promotion figures of the run for the manifest: share of promoted product-store-weeks by
/// category, depth histogram, display mix, ad and mailer rates, and the weekly marketing signal.
struct MarketStats {
  std::vector<u64> promoted, total;
  std::map<int, u64> depth_hist;  // percent -> count
  u64 display[4] = {0, 0, 0, 0}, in_ad = 0, mailer = 0, n_promoted = 0;
  std::vector<double> m_mean;
  explicit MarketStats(i32 K) : promoted(K, 0), total(K, 0) {}
  /// Adds a week: every product-store-week to its category's total, the promoted ones (through
  /// the week's index of promoted products by store and category) to the promotion figures.
  void add(const WeekInputs& w, const Catalog& cat) {
    const i32 K = cat.n_categories();
    for (i32 k = 0; k < K; ++k) total[k] += static_cast<u64>(cat.cat_begin[k + 1] - cat.cat_begin[k]) * w.n_stores;
    double msum = 0;
    for (i32 s = 0; s < w.n_stores; ++s) {
      msum += w.marketing[s];
      const i32* pb = w.promo_begin.data() + static_cast<size_t>(s) * (K + 1);
      for (i32 k = 0; k < K; ++k)
        for (i32 p = pb[k]; p < pb[k + 1]; ++p) {
          const size_t at = static_cast<size_t>(s) * w.n_products + w.promo_products[p];
          ++promoted[k];
          ++n_promoted;
          ++depth_hist[static_cast<int>(std::lround(w.depth[at] * 100))];
          ++display[w.display[at]];
          in_ad += (w.feature[at] & kInAd) != 0;
          mailer += (w.feature[at] & kMailer) != 0;
        }
    }
    m_mean.push_back(w.n_stores ? msum / w.n_stores : 0);
  }
  nlohmann::json json(const Catalog& cat, const Calendar& cal) const {
    nlohmann::json j;
    std::vector<double> share;
    for (size_t k = 0; k < promoted.size(); ++k) share.push_back(total[k] ? double(promoted[k]) / total[k] : 0);
    std::vector<double> sorted = share;
    std::sort(sorted.begin(), sorted.end());
    auto q = [&](double p) { return sorted.empty() ? 0.0 : sorted[static_cast<size_t>(p * (sorted.size() - 1))]; };
    j["promoted_share_by_category"] = {{"min", q(0)}, {"p10", q(0.1)}, {"median", q(0.5)}, {"p90", q(0.9)}, {"max", q(1)}};
    nlohmann::json by_cat = nlohmann::json::object();
    for (size_t k = 0; k < share.size(); ++k) by_cat[cat.cat_name[k]] = std::round(share[k] * 10000) / 10000;
    j["promoted_share_of_category"] = by_cat;
    nlohmann::json hist = nlohmann::json::object();
    for (const auto& [pct, n] : depth_hist) hist[fmt::format("{:.2f}", pct / 100.0)] = n;
    j["depth_histogram"] = hist;
    nlohmann::json mix = nlohmann::json::object();
    for (int t = 0; t < 4; ++t) mix[kDisplayTypeNames[t]] = n_promoted ? double(display[t]) / n_promoted : 0.0;
    j["display_mix"] = mix;
    j["in_ad_share"] = n_promoted ? double(in_ad) / n_promoted : 0.0;
    j["mailer_share"] = n_promoted ? double(mailer) / n_promoted : 0.0;
    j["promoted_product_store_weeks"] = n_promoted;
    std::vector<double> m;
    std::vector<int> ev;
    for (size_t w = 0; w < m_mean.size(); ++w) {
      m.push_back(std::round(m_mean[w] * 10000) / 10000);
      ev.push_back(cal.is_event(static_cast<i64>(w) + 1));
    }
    j["marketing_signal_by_week"] = m;
    j["event_week"] = ev;
    return j;
  }
};

/// truth/outcomes.csv: each household's totals over the run, the outcomes a policy changes.
constexpr const char* kOutcomesHeader = "household_key,spend,units,trips,baskets,categories,category_weeks,coupons";
constexpr int kOutcomeColumns = 7;

void append_outcomes(OutputFile& f, const HouseholdBlock& b, const std::vector<WeekRecords>& weeks, const Catalog& cat) {
  const i32 K = cat.n_categories();
  std::string buf;
  std::vector<i64> seen_run(K, -1), seen_week(K, -1);
  for (i32 h = 0; h < b.n; ++h) {
    i64 spend = 0, units = 0, trips = 0, baskets = 0, categories = 0, category_weeks = 0, coupons = 0;
    for (size_t w = 0; w < weeks.size(); ++w) {
      const WeekRecords& wr = weeks[w];
      trips += wr.trips[h];
      const i64 stamp = static_cast<i64>(h) * static_cast<i64>(weeks.size()) + static_cast<i64>(w);
      int last_trip = -1;
      for (u32 i = wr.offsets[h]; i < wr.offsets[h + 1]; ++i) {  // records are in trip order
        const Record& r = wr.records[i];
        spend += static_cast<i64>(r.quantity) * r.shelf_cents - r.coupon_cents - r.match_cents;
        units += r.quantity;
        coupons += r.campaign != kNoCampaign;
        if (r.trip != last_trip) ++baskets, last_trip = r.trip;
        const i32 k = cat.category[r.product];
        if (seen_run[k] != h) seen_run[k] = h, ++categories;
        if (seen_week[k] != stamp) seen_week[k] = stamp, ++category_weeks;
      }
    }
    buf += fmt::format("{},", b.first + h + 1);
    append_cents(buf, spend);
    buf += fmt::format(",{},{},{},{},{},{}\n", units, trips, baskets, categories, category_weeks, coupons);
  }
  f.write(buf);
  f.add_rows(static_cast<u64>(b.n));
}

}  // namespace

namespace {

/// The config of a run: the file, --set, the scenario, then --seed and --compress.
Config run_config(const GenerateOptions& opt, const std::string& scenario) {
  Config cfg = load_config(opt.config_path, opt.overrides, scenario);
  if (opt.seed) cfg.seed = *opt.seed;
  if (!opt.compress.empty()) {
    if (opt.compress != "zstd" && opt.compress != "none") throw InputError("--compress: must be zstd or none, got '" + opt.compress + "'");
    cfg.output.compress = opt.compress;
  }
  return cfg;
}

/// What a run builds before its first block: the world, the market, the household model and
/// this shard's range of households.
struct RunWorld {
  const Config& cfg;
  const Catalog cat;
  const Stores stores;
  const Market market;
  const Demographics demographics;
  const HouseholdSpecView spec;
  const Missions missions;
  const i64 first, last;  // households [first, last) of this shard
  const u32 weeks;
  RunWorld(const Config& c, const GenerateOptions& opt)
      : cfg(c),
        cat(build_catalog(c)),
        stores(build_stores(c)),
        market(c, cat, stores),
        demographics(make_demographics(c, cat)),
        spec(make_household_spec(c, stores, &demographics)),
        missions(make_missions(c, cat)),
        first(c.scale.households * opt.shard_index / opt.shard_count),
        last(c.scale.households * (opt.shard_index + 1) / opt.shard_count),
        weeks(static_cast<u32>(c.scale.weeks)) {}
  RunSetup setup() const {
    return RunSetup{cfg.seed, cat.view(), spec, missions.view(), make_choice_params(cfg), market.campaigns().view()};
  }
};

/// The files of a run that do not grow block by block: the catalog, the world's truth (prices
/// included), the seasonality table used, the missions and the campaign files.
std::vector<FileSummary> write_fixed_files(const std::string& dir, const RunWorld& w) {
  std::vector<FileSummary> sums(1);
  write_product_csv(dir, w.cat, sums[0]);
  write_truth_tables(dir, w.cat, w.stores, sums);
  sums.push_back(write_price_truth(dir, w.cat, w.market.pricing(), w.cfg.output.compress == "zstd"));
  auto whole = [&](const char* name, const std::string& text) {
    OutputFile f(dir, name, false);
    f.write(text);
    f.add_rows(static_cast<u64>(std::count(text.begin(), text.end(), '\n') - 1));
    sums.push_back(f.close());
  };
  const SeasonalityTable& t = w.market.seasonality().used();
  whole("truth/seasonality.csv", t.empty() ? std::string("level,key,week_of_year,index,reliability,n\n") : t.to_csv());
  std::string missions = "mission,share,shift,link_boost,variety,linked_categories\n";
  for (size_t m = 0; m < w.missions.names.size(); ++m) {
    std::string linked;
    for (i32 k : w.missions.linked[m]) linked += (linked.empty() ? "" : "|") + w.cat.cat_name[k];
    missions += fmt::format("{},{},{},{},{},{}\n", w.missions.names[m], w.missions.share[m], w.cfg.choice.missions[m].shift,
                            w.cfg.choice.missions[m].link_boost, w.cfg.choice.missions[m].variety, csv_field(linked));
  }
  whole("truth/missions.csv", missions);
  const Campaigns& campaigns = w.market.campaigns();
  whole("campaign_desc.csv", campaigns.campaign_desc_csv());
  whole("coupon.csv", campaigns.coupon_csv(w.cat));
  whole("truth/campaigns.csv", campaigns.truth_csv(w.cfg));
  return sums;
}

/// The files a run appends to block by block, opened afresh (with their headers) or, on
/// --resume, at their checkpointed length.  Large writes go through a background writer.
struct RunFiles {
  static constexpr const char* kKeys[] = {"tx",     "hh",       "trips",  "causal", "promos", "ctable",
                                          "redeem", "chh",      "outcomes", "demo", "tdemo",  "affinity"};
  static constexpr int kCount = sizeof(kKeys) / sizeof(kKeys[0]);
  const DatasetFolder& folder;
  FileState st[kCount];
  OutputFile tx, hh, trips, causal, promos, ctable, redeem, chh, outcomes, demo, tdemo, affinity;
  BackgroundWriter writer;

  const FileState* state(int i) {
    if (!folder.resuming()) return nullptr;
    const auto& f = folder.checkpoint()["files"][kKeys[i]];
    st[i] = FileState{f["bytes"].get<u64>(), f["rows"].get<u64>()};
    return &st[i];
  }
  RunFiles(const DatasetFolder& f, bool zstd)
      : folder(f),
        tx(f.dir(), f.name_of("transaction_data.csv"), zstd, state(0)),
        hh(f.dir(), f.name_of("truth/households.csv"), false, state(1)),
        trips(f.dir(), f.name_of("truth/trips.csv"), zstd, state(2)),
        causal(f.dir(), "causal_data.csv", zstd, state(3)),
        promos(f.dir(), "truth/promotions.csv", zstd, state(4)),
        ctable(f.dir(), f.name_of("campaign_table.csv"), false, state(5)),
        redeem(f.dir(), f.name_of("coupon_redempt.csv"), false, state(6)),
        chh(f.dir(), f.name_of("truth/campaign_households.csv"), false, state(7)),
        outcomes(f.dir(), f.name_of("truth/outcomes.csv"), false, state(8)),
        demo(f.dir(), f.name_of("hh_demographic.csv"), false, state(9)),
        tdemo(f.dir(), f.name_of("truth/demographics.csv"), false, state(10)),
        affinity(f.dir(), f.name_of("truth/affinities.csv"), zstd, state(11)) {
    if (f.resuming()) return;
    tx.write(kTransactionHeader);
    trips.write("household_key,WEEK_NO,trips\n");
    causal.write("PRODUCT_ID,STORE_ID,WEEK_NO,display,mailer\n");
    promos.write("STORE_ID,PRODUCT_ID,WEEK_NO,base_price,shelf_price,depth,display_type,in_ad,mailer\n");
    std::string head = "household_key,home_store";
    for (const char* n : kHouseholdParamNames) head += std::string(",") + n;
    hh.write(head + ",secondary_stores\n");
    ctable.write("DESCRIPTION,household_key,CAMPAIGN\n");
    redeem.write("household_key,DAY,COUPON_UPC,CAMPAIGN\n");
    chh.write("household_key,CAMPAIGN,took_up\n");
    outcomes.write(std::string(kOutcomesHeader) + "\n");
    std::string dh;
    for (const char* c : kDemographicColumns) dh += std::string(c) + ",";
    demo.write(dh + "household_key\n");
    tdemo.write(dh + "household_key,shown\n");
    affinity.write("household_key,COMMODITY_DESC,affinity\n");
  }
  OutputFile* file(int i) {
    OutputFile* all[kCount] = {&tx, &hh, &trips, &causal, &promos, &ctable, &redeem, &chh, &outcomes, &demo, &tdemo, &affinity};
    return all[i];
  }
  /// Every file durable up to here; their positions for the checkpoint.
  nlohmann::json checkpoint() {
    writer.drain();
    nlohmann::json files;
    for (int i = 0; i < kCount; ++i) {
      const FileState s = file(i)->checkpoint();
      files[kKeys[i]] = {{"bytes", s.bytes}, {"rows", s.rows}};
    }
    return files;
  }
  void close(std::vector<FileSummary>& sums) {
    writer.drain();
    for (int i = 0; i < kCount; ++i) sums.push_back(file(i)->close());
  }
};

/// What the run counts as it goes, kept in the checkpoint or rebuilt on --resume.
struct RunTotals {
  u64 tx_rows = 0, trips = 0;
  std::vector<u64> store_week_trips;            // [s * W + w - 1]
  std::vector<StorePromoSummary> store_weeks;   // [s * W + w - 1], without the display lists
  MarketStats market;
  RunTotals(i32 S, u32 W, i32 K) : store_week_trips(static_cast<size_t>(S) * W, 0), store_weeks(static_cast<size_t>(S) * W), market(K) {}
  /// The market figures of one week (gathered once: the market is the same for every block).
  void gather_market(const WeekInputs& w, const Catalog& cat, u32 W) {
    market.add(w, cat);
    for (i32 s = 0; s < w.n_stores; ++s) {
      StorePromoSummary& sum = store_weeks[static_cast<size_t>(s) * W + w.week - 1];
      sum = w.stores[s];
      sum.end_caps = {};
      sum.feature_displays = {};
    }
  }
};

/// The week's market files (causal_data, truth/promotions): formatted in parallel, each file's
/// rows in store order, written in the background.
void append_promotions(RunFiles& f, const WeekInputs& w, const Catalog& cat, const Stores& stores) {
  for (PromotionRows& r : format_promotions(w, cat, stores)) {
    f.writer.write(f.causal, std::move(r.causal), r.causal_rows);
    f.writer.write(f.promos, std::move(r.promos), r.promo_rows);
  }
}

/// truth/trips.csv rows of a block: every household-week with a trip.
void append_trips(OutputFile& f, const HouseholdBlock& b, const std::vector<WeekRecords>& weeks) {
  std::string buf;
  u64 n = 0;
  for (i32 h = 0; h < b.n; ++h)
    for (u32 w = 0; w < weeks.size(); ++w)
      if (weeks[w].trips[h] > 0) {
        buf += fmt::format("{},{},{}\n", b.first + h + 1, w + 1, weeks[w].trips[h]);
        ++n;
      }
  f.write(buf);
  f.add_rows(n);
}

/// A block's rows of campaign_table.csv and truth/campaign_households.csv (the campaigns that
/// targeted each household, and whether it took them up) and of coupon_redempt.csv.
void append_campaign_files(RunFiles& f, const HouseholdBlock& b, const std::vector<WeekRecords>& wr, const Campaigns& cs,
                           const std::vector<u64>& targeted, const std::vector<u64>& activated) {
  std::string t, r, c;
  u64 nt = 0, nr = 0;
  for (i32 h = 0; h < b.n; ++h) {
    const i64 key = b.first + h + 1;
    for (i32 k = 0; k < static_cast<i32>(cs.list().size()); ++k) {
      if (!((targeted[h] >> k) & 1u)) continue;
      t += fmt::format("{},{},{}\n", cs.list()[k].type, key, Campaigns::campaign_number(k));
      c += fmt::format("{},{},{}\n", key, Campaigns::campaign_number(k), (activated[h] >> k) & 1u);
      ++nt;
    }
    for (u32 w = 0; w < wr.size(); ++w)
      for (u32 i = wr[w].offsets[h]; i < wr[w].offsets[h + 1]; ++i) {
        const Record& rec = wr[w].records[i];
        if (rec.campaign == kNoCampaign) continue;
        r += fmt::format("{},{},{},{}\n", key, static_cast<i64>(w) * 7 + rec.day + 1, cs.coupon_upc(rec.campaign, rec.product),
                         Campaigns::campaign_number(rec.campaign));
        ++nr;
      }
  }
  f.ctable.write(t);
  f.ctable.add_rows(nt);
  f.chh.write(c);
  f.chh.add_rows(nt);
  f.redeem.write(r);
  f.redeem.add_rows(nr);
}

/// The blocks of households, each simulated over every week and then written, with a checkpoint
/// after each: the transaction file stays ordered by household (shards concatenate) while memory
/// stays bounded.
/// One block's households, records and campaign masks: what writing the block reads.
struct BlockBuffers {
  int index = -1;
  HouseholdBlock block;
  std::vector<WeekRecords> records;
  std::vector<u64> targeted, activated;
  u64 trips = 0;
  std::vector<u64> store_week_trips;  // [s * W + w - 1], added to the run's totals once written
};

/// Runs one job at a time on a second thread; wait() joins it and rethrows what it threw.
class BlockWriter {
 public:
  BlockWriter() = default;
  BlockWriter(const BlockWriter&) = delete;
  BlockWriter& operator=(const BlockWriter&) = delete;
  ~BlockWriter() {
    if (t_.joinable()) t_.join();  // unwinding from the simulation: the job's own error is dropped
  }
  void start(std::function<void()> job) {
    t_ = std::thread([this, job = std::move(job)] {
      try {
        job();
      } catch (...) {
        error_ = std::current_exception();
      }
    });
  }
  void wait() {
    if (t_.joinable()) t_.join();
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  std::thread t_;
  std::exception_ptr error_;
};

class BlockLoop {
 public:
  BlockLoop(const RunWorld& w, const GenerateOptions& opt, Backend& backend, DatasetFolder& folder, RunFiles& files)
      : w_(w),
        backend_(backend),
        folder_(folder),
        files_(files),
        totals_(w.stores.size(), w.weeks, w.cat.n_categories()),
        cursor_(w.cfg, w.market),
        weeks_(w.weeks) {
    const i64 n_hh = w.last - w.first;
    block_size_ = w.cfg.output.block_households;
    if (block_size_ <= 0) block_size_ = std::clamp<i64>(16'000'000 / (static_cast<i64>(w.weeks) * 12), 1024, 1 << 20);
    block_size_ = std::min<i64>(block_size_, std::max<i64>(n_hh, 1));
    n_blocks_ = static_cast<int>((n_hh + block_size_ - 1) / block_size_);
    progress_.on = !opt.quiet && ::isatty(2);
    progress_.steps_total = static_cast<i64>(n_blocks_) * w.weeks;
    // The market of every week is the same for every block.  With more than one block to go it
    // is built once and kept when it fits output.market_cache_mb, else rebuilt per block
    // (memory bounded whatever the world).
    const int to_go = n_blocks_ - (folder.resuming() ? folder.checkpoint()["blocks_done"].get<int>() : 0);
    use_cache_ = to_go > 1 && week_bytes() * w.weeks <= w.cfg.output.market_cache_mb * 1048576.0;
    const std::string& ov = w.cfg.output.overlap_write;
    overlap_ = ov == "on" || (ov == "auto" && backend.name() == "cuda");
    threads_ = omp_get_max_threads();
    cache_.resize(use_cache_ ? w.weeks : 0);
  }

  void run() {
    int start = 0;
    if (folder_.resuming()) start = restore();
    // With overlap, block b's files are formatted and written on a second thread while block
    // b + 1 is simulated (the files' order and bytes do not change).
    const bool overlap = overlap_ && n_blocks_ - start > 1;
    BlockWriter writer;
    int pending = -1;  // the block being written
    for (int b = start; b < n_blocks_; ++b) {
      BlockBuffers& cur = buffers_[overlap ? b & 1 : 0];
      auto t0 = Clock::now();
      simulate_block(b, cur);
      sim_s_ += since(t0);
      if (!overlap) {
        t0 = Clock::now();
        write_block(cur);
        write_s_ += since(t0);
        block_written(cur);
        continue;
      }
      if (pending >= 0) {
        writer.wait();
        block_written(buffers_[pending & 1]);
      }
      writer.start([this, &cur] {
        omp_set_num_threads(threads_);  // a new thread starts from OpenMP's defaults
        const auto t = Clock::now();
        write_block(cur);
        write_s_ += since(t);
      });
      pending = b;
    }
    if (pending >= 0) {
      writer.wait();
      block_written(buffers_[pending & 1]);
    }
    progress_.done();
  }

  const RunTotals& totals() const { return totals_; }
  double simulate_seconds() const { return sim_s_; }
  double write_seconds() const { return write_s_; }
  nlohmann::json blocks_json() const {
    return {{"households_per_block", block_size_}, {"count", n_blocks_}, {"market_cached", use_cache_}};
  }

 private:
  /// Bytes of one week's market (the cache's unit): 27 per product-store-week plus the indexes.
  double week_bytes() const {
    const double S = w_.stores.size(), P = w_.cat.n_products(), K = w_.cat.n_categories();
    return S * P * 27.0 + S * (K + 1) * 4.0 + S * K * 2.0 * kBoundFields * 4.0;
  }

  /// The week's market: built by the cursor, or from the cache once it is full.
  WeekInputs& market_week(u32 w) {
    WeekInputs& wk = use_cache_ ? cache_[w - 1] : week_in_;
    if (!cache_filled_) cursor_.next(wk);
    return wk;
  }

  /// Picks up a killed run at its checkpoint: the counters, and the market figures of every
  /// week (the market files are complete).  Returns the first block to simulate.
  int restore() {
    const nlohmann::json& c = folder_.checkpoint();
    if (c.value("block_size", i64{0}) != block_size_) folder_.refuse_checkpoint("the checkpoint used another block size");
    totals_.tx_rows = c["tx_rows"].get<u64>();
    totals_.trips = c["trips"].get<u64>();
    totals_.store_week_trips = c["store_week_trips"].get<std::vector<u64>>();
    rows_written_ = totals_.tx_rows;
    cursor_.reset();
    for (u32 w = 1; w <= weeks_; ++w) totals_.gather_market(market_week(w), w_.cat, weeks_);
    cache_filled_ = use_cache_;
    const int start = c["blocks_done"].get<int>();
    progress_.steps_done = static_cast<i64>(start) * weeks_;
    return start;
  }

  /// Block b's households and weeks into `buf`, and its campaign masks.
  void simulate_block(int b, BlockBuffers& buf) {
    const i64 b_first = w_.first + static_cast<i64>(b) * block_size_;
    const i32 b_n = static_cast<i32>(std::min<i64>(block_size_, w_.last - b_first));
    backend_.sample_households(b_first, b_n, buf.block);
    buf.index = b;
    buf.records.resize(weeks_);
    buf.trips = 0;
    buf.store_week_trips.assign(totals_.store_week_trips.size(), 0);
    u64 block_rows = 0;
    cursor_.reset();
    for (u32 w = 1; w <= weeks_; ++w) {
      WeekInputs& wk = market_week(w);
      if (b == 0) {  // the market files once: they don't depend on the households
        append_promotions(files_, wk, w_.cat, w_.stores);
        totals_.gather_market(wk, w_.cat, weeks_);
      }
      WeekRecords& rec = buf.records[w - 1];
      backend_.simulate_week(wk, rec);
      order_by_trip(rec);
      for (i32 s = 0; s < wk.n_stores; ++s) buf.store_week_trips[static_cast<size_t>(s) * weeks_ + w - 1] += rec.store_trips[s];
      block_rows += rec.records.size();
      for (u8 t : rec.trips) buf.trips += t;
      progress_.step(b + 1, n_blocks_, w, weeks_, rows_written_ + block_rows);
    }
    backend_.campaign_state(buf.targeted, buf.activated);
    cache_filled_ = use_cache_;
  }

  /// The block's households, trips, transactions, campaign files and outcomes.
  void write_block(const BlockBuffers& buf) {
    append_households(files_.hh, buf.block, w_.stores);
    append_demographics(files_.demo, files_.tdemo, buf.block, w_.demographics);
    append_affinities(files_.affinity, buf.block, w_.cat);
    append_trips(files_.trips, buf.block, buf.records);
    format_transactions_parallel(buf.block, buf.records, w_.cat, w_.stores, weeks_, threads_, [&](std::string& text, u64 rows) {
      files_.writer.write(files_.tx, std::move(text), rows);
      totals_.tx_rows += rows;
      rows_written_ += rows;
    });
    append_campaign_files(files_, buf.block, buf.records, w_.market.campaigns(), buf.targeted, buf.activated);
    append_outcomes(files_.outcomes, buf.block, buf.records, w_.cat);
  }

  /// The block in `buf` is written: its counts join the run's, then the checkpoint and the note
  /// for an interrupted run.
  void block_written(const BlockBuffers& buf) {
    const int b = buf.index;
    totals_.trips += buf.trips;
    for (size_t i = 0; i < buf.store_week_trips.size(); ++i) totals_.store_week_trips[i] += buf.store_week_trips[i];
    save_checkpoint(b + 1);
    set_interrupt_note(folder_.dir(), b + 1, n_blocks_);
    const char* kill_after = std::getenv("RETAILSYNTH_TEST_KILL_AFTER_BLOCK");  // fault injection for tests
    if (kill_after && std::atoi(kill_after) == b) std::raise(test_signal());
  }

  /// Every file durable up to here, the counters, then the checkpoint file itself.
  void save_checkpoint(int blocks_done) {
    nlohmann::json c;
    c["files"] = files_.checkpoint();
    c["config"] = config_to_json(w_.cfg).dump();
    c["shard"] = folder_.part();
    c["block_size"] = block_size_;
    c["blocks_done"] = blocks_done;
    c["tx_rows"] = totals_.tx_rows;
    c["trips"] = totals_.trips;
    c["store_week_trips"] = totals_.store_week_trips;
    folder_.save_checkpoint(c);
  }

  const RunWorld& w_;
  Backend& backend_;
  DatasetFolder& folder_;
  RunFiles& files_;
  RunTotals totals_;
  MarketCursor cursor_;
  u32 weeks_;
  i64 block_size_ = 0;
  int n_blocks_ = 0;
  bool use_cache_ = false, cache_filled_ = false;
  std::vector<WeekInputs> cache_;
  WeekInputs week_in_;
  BlockBuffers buffers_[2];  // the second one only with overlap
  bool overlap_ = false;
  int threads_ = 1;
  std::atomic<u64> rows_written_{0};
  Progress progress_;
  double sim_s_ = 0, write_s_ = 0;
};

/// truth/store_weeks.csv: each store-week's promotion summary and this run's trips there.
FileSummary write_store_weeks(const DatasetFolder& folder, const RunWorld& w, const RunTotals& t) {
  OutputFile sw(folder.dir(), folder.name_of("truth/store_weeks.csv"), false);
  std::string buf = "STORE_ID,WEEK_NO,marketing_signal,n_promoted,mean_depth,trips\n";
  for (i32 s = 0; s < w.stores.size(); ++s)
    for (u32 wk = 1; wk <= w.weeks; ++wk) {
      const size_t at = static_cast<size_t>(s) * w.weeks + wk - 1;
      const StorePromoSummary& sum = t.store_weeks[at];
      buf += fmt::format("{},{},{:.6f},{},{:.4f},{}\n", w.stores.store_id[s], wk, sum.marketing, sum.n_promoted,
                         sum.mean_depth, t.store_week_trips[at]);
    }
  sw.write(buf);
  sw.add_rows(static_cast<u64>(w.stores.size()) * w.weeks);
  return sw.close();
}

/// manifest.json (a shard's manifest part): the run, its world, totals, files and timings.
void write_manifest(const DatasetFolder& folder, const RunWorld& w, const GenerateOptions& opt, const Backend& backend,
                    const BlockLoop& loop, const std::vector<FileSummary>& sums, double setup_s, double total_s) {
  const Config& cfg = w.cfg;
  nlohmann::json m;
  m["generator"] = "retailsynth";
  m["version"] = kVersion;
  m["seed"] = cfg.seed;
  m["backend"] = backend.name();
  m["threads"] = omp_get_max_threads();
  m["shard"] = {{"index", opt.shard_index}, {"count", opt.shard_count}, {"households_first", w.first + 1},
                {"households_last", w.last}};
  m["config_file"] = cfg.source;
  if (!cfg.scenario.name.empty())
    m["scenario"] = {{"name", cfg.scenario.name}, {"file", cfg.scenario.file}, {"description", cfg.scenario.description}};
  m["config"] = config_to_json(cfg);
  m["campaigns"] = static_cast<u64>(w.market.campaigns().list().size());
  m["world"] = {{"products", w.cat.n_products()}, {"categories", w.cat.n_categories()}, {"stores", w.stores.size()},
                {"weeks", w.weeks}, {"households", w.last - w.first}};
  m["totals"] = {{"trips", loop.totals().trips}, {"transaction_rows", loop.totals().tx_rows}};
  m["market"] = loop.totals().market.json(w.cat, w.market.calendar());
  const auto& mc = w.market.seasonality().match_counts();
  m["seasonality"] = {{"table", cfg.seasonality.table},
                      {"categories_matched", {{"exact", mc[0]}, {"normalised_name", mc[1]}, {"unreliable_flat", mc[2]},
                                              {"department_mean", mc[3]}, {"none", mc[4]}}}};
  nlohmann::json files = nlohmann::json::object();
  for (const auto& s : sums) files[s.name] = {{"rows", s.rows}, {"bytes", s.bytes}, {"xxh64", s.xxh64}};
  m["files"] = files;
  m["timings_s"] = {{"setup", setup_s}, {"simulate", loop.simulate_seconds()}, {"write", loop.write_seconds()},
                    {"total", total_s}};
  m["blocks"] = loop.blocks_json();
  OutputFile mf(folder.dir(), folder.name_of("manifest.json"), false);
  mf.write(m.dump(2) + "\n");
  mf.close();
}

/// One dataset into `out` (for a scenario set, `out` is the scenario's folder).
GenerateResult run_one(const Config& cfg, const GenerateOptions& opt, const fs::path& out) {
  const auto t_start = Clock::now();
  DatasetFolder folder(opt, out);
  if (folder.sharded()) check_shard_matches(out, folder.part(), opt.shard_count, cfg.seed, config_to_json(cfg));
  if (opt.threads > 0) omp_set_num_threads(opt.threads);
  auto backend = make_backend(opt.backend);
  const RunWorld world(cfg, opt);
  backend->prepare(world.setup());
  folder.open(config_to_json(cfg).dump(), world.last - world.first, opt.quiet);
  const double setup_s = since(t_start);

  std::vector<FileSummary> sums = write_fixed_files(folder.dir(), world);
  RunFiles files(folder, cfg.output.compress == "zstd");
  BlockLoop loop(world, opt, *backend, folder, files);
  loop.run();
  files.close(sums);
  sums.push_back(write_store_weeks(folder, world, loop.totals()));
  const double total_s = since(t_start);
  write_manifest(folder, world, opt, *backend, loop, sums, setup_s, total_s);
  folder.commit();
  clear_interrupt_note();
  const u64 rows = loop.totals().tx_rows;
  if (!opt.quiet)
    std::fprintf(stderr, "retailsynth: %s rows, %lld households x %u weeks, %d products, backend %s, %.1f s -> %s\n",
                 fmt::format("{:L}", rows).c_str(), static_cast<long long>(world.last - world.first), world.weeks,
                 world.cat.n_products(), backend->name().c_str(), total_s, out.string().c_str());
  return GenerateResult{rows, total_s, backend->name()};
}


/// One household's outcomes as read back from truth/outcomes.csv.
struct Outcome {
  i64 key;
  double v[kOutcomeColumns];
};

std::vector<Outcome> read_outcomes(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot read");
  std::vector<Outcome> out;
  std::string line;
  std::getline(in, line);
  size_t n = 1;
  while (std::getline(in, line)) {
    ++n;
    Outcome o{};
    const char* p = line.c_str();
    char* end = nullptr;
    o.key = std::strtoll(p, &end, 10);
    for (int c = 0; c < kOutcomeColumns; ++c) {
      if (*end != ',') throw std::runtime_error(file.string() + ":" + std::to_string(n) + ": malformed outcome line");
      o.v[c] = std::strtod(end + 1, &end);
    }
    out.push_back(o);
  }
  return out;
}

/// truth/effects.csv of a scenario set: each household's outcomes in every scenario and the
/// difference from the first (baseline) scenario, its individual treatment effect.
FileSummary write_effects(const std::string& dir, const std::string& name, const std::vector<std::string>& scenarios,
                          const std::vector<fs::path>& outcome_files) {
  OutputFile f(dir, name, false);
  std::string head = "household_key,scenario";
  const char* cols[kOutcomeColumns] = {"spend", "units", "trips", "baskets", "categories", "category_weeks", "coupons"};
  for (const char* c : cols) head += std::string(",") + c;
  for (const char* c : cols) head += std::string(",d_") + c;
  f.write(head + "\n");
  const std::vector<Outcome> base = read_outcomes(outcome_files[0]);
  for (size_t s = 0; s < scenarios.size(); ++s) {
    const std::vector<Outcome> cur = s == 0 ? base : read_outcomes(outcome_files[s]);
    if (cur.size() != base.size())
      throw std::runtime_error(outcome_files[s].string() + ": another household count than the baseline's");
    std::string buf;
    for (size_t i = 0; i < cur.size(); ++i) {
      if (cur[i].key != base[i].key) throw std::runtime_error(outcome_files[s].string() + ": households out of step with the baseline");
      buf += fmt::format("{},{}", cur[i].key, scenarios[s]);
      for (int c = 0; c < kOutcomeColumns; ++c) buf += c == 0 ? fmt::format(",{:.2f}", cur[i].v[c]) : fmt::format(",{}", cur[i].v[c]);
      for (int c = 0; c < kOutcomeColumns; ++c) {
        const double d = cur[i].v[c] - base[i].v[c];
        buf += c == 0 ? fmt::format(",{:.2f}", std::round(d * 100) / 100 + 0.0) : fmt::format(",{}", d);
      }
      buf += '\n';
      if (buf.size() > (1 << 22)) f.write(buf), buf.clear();
    }
    f.write(buf);
    f.add_rows(cur.size());
  }
  return f.close();
}

/// A scenario set: every scenario on the same households into DIR/<name>/, then the effects.
GenerateResult generate_scenarios(const GenerateOptions& opt) {
  const auto t_start = Clock::now();
  std::vector<Config> cfgs;
  std::vector<std::string> names;
  for (const auto& file : opt.scenarios) {
    cfgs.push_back(run_config(opt, file));
    const std::string& n = cfgs.back().scenario.name;
    if (std::find(names.begin(), names.end(), n) != names.end())
      throw InputError(file + ": name: '" + n + "' is used by an earlier --scenario (names must differ: they name folders)");
    if (n == "truth" || n == "manifest") throw InputError(file + ": name: '" + n + "' is reserved");
    names.push_back(n);
  }
  // Every scenario's references to the world (products, stores, categories) are checked before
  // the first one runs: a typo in the last scenario should not wait for the others.
  {
    const Catalog cat = build_catalog(cfgs[0]);
    const Stores stores = build_stores(cfgs[0]);
    for (const Config& c : cfgs) {
      const PricingEngine pricing(c, cat, stores);
      const Campaigns campaigns(c, cat);
    }
  }
  const fs::path out = fs::absolute(opt.out_dir).lexically_normal();
  if (fs::exists(out) && !fs::is_directory(out)) throw InputError(out.string() + ": exists and is not a folder");
  if (!opt.quiet) std::fputs(campaigns_outside_run_note(cfgs[0]).c_str(), stderr);
  const bool sharded = opt.shard_count > 1;
  const std::string part = fmt::format("part-{}-of-{}", opt.shard_index, opt.shard_count);
  GenerateOptions sub = opt;
  sub.scenarios.clear();
  GenerateResult total;
  std::vector<GenerateResult> results;
  nlohmann::json m;
  m["generator"] = "retailsynth";
  m["version"] = kVersion;
  m["seed"] = cfgs[0].seed;
  m["config_file"] = cfgs[0].source;
  m["scenarios"] = nlohmann::json::array();
  for (size_t i = 0; i < cfgs.size(); ++i)
    m["scenarios"].push_back({{"name", names[i]}, {"dir", names[i]}, {"file", cfgs[i].scenario.file},
                              {"description", cfgs[i].scenario.description}});
  m["baseline"] = names[0];
  m["effects"] = sharded ? "truth/effects/" : "truth/effects.csv";
  if (sharded) {
    // Each shard writes its parts into the shared scenario folders, then its effects part; the
    // scenario-set manifest is the same from every shard (no timings), renamed into place.
    fs::create_directories(out / "truth" / "effects");
    std::vector<fs::path> files;
    for (size_t i = 0; i < cfgs.size(); ++i) {
      results.push_back(run_one(cfgs[i], sub, out / names[i]));
      files.push_back(out / names[i] / "truth" / "outcomes" / (part + ".csv"));
    }
    write_effects(out.string(), "truth/effects/" + part + ".csv", names, files);
    const fs::path tmp = out / ("manifest.json." + part + ".tmp");
    {
      std::ofstream f(tmp);
      f << m.dump(2) << "\n";
      if (!f.flush()) throw std::runtime_error(tmp.string() + ": write failed");
    }
    fs::rename(tmp, out / "manifest.json");
  } else {
    if (fs::exists(out) && !fs::is_empty(out) && !opt.force)
      throw InputError(out.string() + ": exists and is not empty (use --force to replace it)");
    fs::create_directories(out.parent_path());
    TempDir tmp;
    tmp.path = out.parent_path() / (out.filename().string() + ".partial");
    if (!opt.resume) fs::remove_all(tmp.path);
    fs::create_directories(tmp.path / "truth");
    sub.force = true;
    std::vector<fs::path> files;
    for (size_t i = 0; i < cfgs.size(); ++i) {
      const fs::path dir = tmp.path / names[i];
      // On --resume a finished scenario (committed folder, no partial one) is kept as it is.
      const bool done = opt.resume && fs::exists(dir / "manifest.json") && !fs::exists(tmp.path / (names[i] + ".partial"));
      if (done) {
        if (!opt.quiet) std::fprintf(stderr, "retailsynth: scenario %s: already complete\n", names[i].c_str());
        results.push_back(GenerateResult{});
      } else {
        if (!opt.quiet) std::fprintf(stderr, "retailsynth: scenario %s\n", names[i].c_str());
        results.push_back(run_one(cfgs[i], sub, dir));
      }
      files.push_back(dir / "truth" / "outcomes.csv");
    }
    const FileSummary eff = write_effects(tmp.path.string(), "truth/effects.csv", names, files);
    m["files"] = {{eff.name, {{"rows", eff.rows}, {"bytes", eff.bytes}, {"xxh64", eff.xxh64}}}};
    for (size_t i = 0; i < cfgs.size(); ++i) {
      m["scenarios"][i]["transaction_rows"] = results[i].transaction_rows;
      m["scenarios"][i]["seconds"] = results[i].seconds;
    }
    m["timings_s"] = {{"total", since(t_start)}};
    {
      OutputFile mf(tmp.path.string(), "manifest.json", false);
      mf.write(m.dump(2) + "\n");
      mf.close();
    }
    commit_folder(tmp.path, out, opt.force);
    tmp.committed = true;
  }
  for (const auto& r : results) total.transaction_rows += r.transaction_rows;
  total.backend = results.empty() ? std::string() : results.back().backend;
  total.seconds = since(t_start);
  if (!opt.quiet)
    std::fprintf(stderr, "retailsynth: %zu scenarios, %s rows in all, %.1f s -> %s\n", names.size(),
                 fmt::format("{:L}", total.transaction_rows).c_str(), total.seconds, out.string().c_str());
  return total;
}

}  // namespace

GenerateResult generate(const GenerateOptions& opt) {
  if (opt.out_dir.empty()) throw InputError("--out: required");
  if (opt.shard_count < 1 || opt.shard_index < 0 || opt.shard_index >= opt.shard_count)
    throw InputError("--shard: expected I/N with 0 <= I < N");
  if (!opt.scenarios.empty()) return generate_scenarios(opt);
  const Config cfg = run_config(opt, "");
  if (!opt.quiet) std::fputs(campaigns_outside_run_note(cfg).c_str(), stderr);
  return run_one(cfg, opt, fs::absolute(opt.out_dir).lexically_normal());
}

std::vector<std::string> scenario_dirs(const std::string& dir) {
  std::vector<std::string> out;
  const fs::path p = fs::path(dir) / "manifest.json";
  if (!fs::exists(p)) return out;
  std::ifstream in(p);
  try {
    const nlohmann::json m = nlohmann::json::parse(in);
    if (m.contains("scenarios"))
      for (const auto& s : m["scenarios"]) out.push_back(s.value("dir", s.value("name", std::string())));
  } catch (const std::exception&) {
    throw InputError(p.string() + ": unreadable manifest");
  }
  return out;
}

}  // namespace retailsynth
