#include "simulator.h"

#include <fmt/format.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "backend.h"
#include "config.h"
#include "io/output.h"
#include "io/price_truth.h"
#include "io/transactions.h"
#include "market.h"
#include "partial_run.h"
#include "shard_check.h"
#include "engine/heterogeneity.h"
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
    std::string buf = "PRODUCT_ID,COMMODITY_DESC,base_price,quality,popularity\n";
    for (i32 j = 0; j < cat.n_products(); ++j)
      buf += fmt::format("{},{},{:.4f},{:.6g},{:.6g}\n", cat.product_id[j], csv_field(cat.cat_name[cat.category[j]]),
                         cat.base_price[j], cat.quality[j], cat.alpha[j]);
    f.write(buf);
    f.add_rows(cat.n_products());
    sums.push_back(f.close());
  }
  {
    OutputFile f(dir, "truth/categories.csv", false);
    std::string buf = "COMMODITY_DESC,DEPARTMENT,n_products,intercept,iv_reference\n";
    for (i32 k = 0; k < cat.n_categories(); ++k)
      buf += fmt::format("{},{},{},{:.6g},{:.6g}\n", csv_field(cat.cat_name[k]), csv_field(cat.cat_department[k]),
                         cat.cat_begin[k + 1] - cat.cat_begin[k], cat.cat_intercept[k], cat.cat_iv_ref[k]);
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
    buf += '\n';
  }
  f.write(buf);
  f.add_rows(b.n);
}

/// causal_data.csv (TCJ codes; promoted rows with a display or a feature, as in TCJ) and
/// truth/promotions.csv (every promoted product-store-week) for one week.
void append_promotions(OutputFile& causal, OutputFile& promos, const WeekInputs& w, const Catalog& cat,
                       const Stores& stores) {
  std::string c, p;
  u64 c_rows = 0, p_rows = 0;
  for (i32 s = 0; s < w.n_stores; ++s) {
    const i64 sid = stores.store_id[s];
    for (i64 j = 0; j < w.n_products; ++j) {
      const size_t at = static_cast<size_t>(s) * w.n_products + j;
      if (w.depth[at] <= 0.0f) continue;
      const i64 pid = cat.product_id[j];
      const auto disp = static_cast<DisplayType>(w.display[at]);
      const bool in_ad = w.feature[at] & kInAd, mailer = w.feature[at] & kMailer;
      p += fmt::format("{},{},{},", sid, pid, w.week);
      append_cents(p, w.base_cents[at]);
      p += ',';
      append_cents(p, w.shelf_cents[at]);
      p += fmt::format(",{:.2f},{},{},{}\n", w.depth[at], kDisplayTypeNames[static_cast<int>(disp)], int(in_ad), int(mailer));
      ++p_rows;
      if (disp != DisplayType::kNone || in_ad || mailer) {
        const double u = code_variant(pid, sid);
        c += fmt::format("{},{},{},{},{}\n", pid, sid, w.week, display_code(disp, u), mailer_code(in_ad, mailer, u));
        ++c_rows;
      }
    }
  }
  causal.write(c);
  causal.add_rows(c_rows);
  promos.write(p);
  promos.add_rows(p_rows);
}

/// Promotion figures of the run for the manifest: share of promoted product-store-weeks by
/// category, depth histogram, display mix, ad and mailer rates, and the weekly marketing signal.
struct MarketStats {
  std::vector<u64> promoted, total;
  std::map<int, u64> depth_hist;  // percent -> count
  u64 display[4] = {0, 0, 0, 0}, in_ad = 0, mailer = 0, n_promoted = 0;
  std::vector<double> m_mean;
  explicit MarketStats(i32 K) : promoted(K, 0), total(K, 0) {}
  void add(const WeekInputs& w, const Catalog& cat) {
    double msum = 0;
    for (i32 s = 0; s < w.n_stores; ++s) {
      msum += w.marketing[s];
      for (i64 j = 0; j < w.n_products; ++j) {
        const size_t at = static_cast<size_t>(s) * w.n_products + j;
        const i32 k = cat.category[j];
        ++total[k];
        if (w.depth[at] <= 0) continue;
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

/// Moves the finished temporary folder into place (replacing an old output with --force).
void commit(TempDir& tmp, const fs::path& out, bool force) {
  std::error_code ec;
  fs::path old;
  if (fs::exists(out)) {
    if (fs::is_directory(out) && fs::is_empty(out)) {
      fs::remove(out);
    } else {
      if (!force) throw InputError(out.string() + ": appeared during the run and is not empty");
      old = out.string() + ".old-" + std::to_string(::getpid());
      fs::rename(out, old);
    }
  }
  fs::rename(tmp.path, out);
  tmp.committed = true;
  if (!old.empty()) fs::remove_all(old, ec);
}

/// Moves every file of a shard's finished temporary folder to its place in the shared output
/// folder (per-household parts are the shard's own; shared files are identical from every shard,
/// so whichever shard renames last leaves the same bytes).
void commit_shard(TempDir& tmp, const fs::path& out) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(tmp.path))
    if (e.is_regular_file()) files.push_back(e.path());
  // Parts and shared files first, the shard's manifest last: a manifest part marks a finished shard.
  std::stable_partition(files.begin(), files.end(), [](const fs::path& p) { return p.parent_path().filename() != "manifest"; });
  for (const auto& f : files) {
    const fs::path target = out / fs::relative(f, tmp.path);
    fs::create_directories(target.parent_path());
    fs::rename(f, target);
  }
  std::error_code ec;
  fs::remove_all(tmp.path, ec);
  tmp.committed = true;
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

/// One dataset into `out` (for a scenario set, `out` is the scenario's folder).
GenerateResult run_one(const Config& cfg, const GenerateOptions& opt, const fs::path& out) {
  const auto t_start = Clock::now();
  if (fs::exists(out) && !fs::is_directory(out)) throw InputError(out.string() + ": exists and is not a folder");
  // Sharded runs write into one shared folder: each shard its own parts (DIR/transaction_data/
  // part-I-of-N.csv, ...), every shard the same shared files.
  const bool sharded = opt.shard_count > 1;
  const std::string part = fmt::format("part-{}-of-{}", opt.shard_index, opt.shard_count);
  auto name_of = [&](const std::string& name) -> std::string {
    if (!sharded) return name;
    static const char* kPerHousehold[] = {"transaction_data.csv", "truth/households.csv", "truth/trips.csv",
                                          "truth/store_weeks.csv", "manifest.json", "campaign_table.csv",
                                          "coupon_redempt.csv", "truth/campaign_households.csv", "truth/outcomes.csv"};
    for (const char* p : kPerHousehold)
      if (name == p) {
        const fs::path n(name);
        return (n.parent_path() / n.stem() / (part + n.extension().string())).string();
      }
    return name;
  };
  if (!sharded && fs::exists(out) && !fs::is_empty(out) && !opt.force)
    throw InputError(out.string() + ": exists and is not empty (use --force to replace it)");
  if (sharded && !opt.force)
    for (const char* n : {"transaction_data.csv", "manifest.json"})
      for (const char* ext : {"", ".zst"})
        if (fs::exists(out / (name_of(n) + ext)))
          throw InputError((out / (name_of(n) + ext)).string() + ": this shard's output exists (use --force to replace it)");
  if (sharded) check_shard_matches(out, part, opt.shard_count, cfg.seed, config_to_json(cfg));
  if (opt.threads > 0) omp_set_num_threads(opt.threads);

  auto backend = make_backend(opt.backend);

  // World and market.
  const Catalog cat = build_catalog(cfg);
  const Stores stores = build_stores(cfg);
  const Market market(cfg, cat, stores);
  const i64 C = cfg.scale.households;
  const i64 first = C * opt.shard_index / opt.shard_count;
  const i64 last = C * (opt.shard_index + 1) / opt.shard_count;
  const u32 W = static_cast<u32>(cfg.scale.weeks);

  const HouseholdSpecView spec = make_household_spec(cfg, stores);
  const Missions missions = make_missions(cfg, cat);
  const ChoiceParams choice = make_choice_params(cfg);
  const Campaigns& campaigns = market.campaigns();
  RunSetup setup{cfg.seed, cat.view(), spec, missions.view(), choice, campaigns.view()};
  backend->prepare(setup);

  // Output folder: a partial sibling (a hidden folder inside DIR for a shard), renamed into
  // place at the end.  After each block of households it holds a checkpoint, so a killed run
  // can continue with --resume; without --resume an old partial folder is started afresh.
  fs::create_directories(sharded ? out : out.parent_path());
  TempDir tmp;
  tmp.path = sharded ? out / ("." + part + ".partial") : out.parent_path() / (out.filename().string() + ".partial");
  const std::string config_json = config_to_json(cfg).dump();
  nlohmann::json ckpt;
  if (opt.resume && fs::exists(tmp.path / "checkpoint.json")) {
    std::ifstream in(tmp.path / "checkpoint.json");
    try {
      ckpt = nlohmann::json::parse(in);
    } catch (const std::exception&) {
      throw InputError((tmp.path / "checkpoint.json").string() + ": unreadable checkpoint; run without --resume");
    }
    if (ckpt.value("config", std::string()) != config_json || ckpt.value("shard", std::string()) != part)
      throw InputError((tmp.path / "checkpoint.json").string() +
                       ": the checkpoint is for another config, seed or shard; run without --resume");
    announce_resume(tmp.path, ckpt, last - first, opt.quiet);
  } else {
    announce_discard(tmp.path);
    fs::remove_all(tmp.path);
  }
  fs::create_directories(tmp.path / "truth");
  const std::string dir = tmp.path.string();
  const bool zstd = cfg.output.compress == "zstd";
  const double setup_s = since(t_start);

  std::vector<FileSummary> sums(1);
  write_product_csv(dir, cat, sums[0]);
  write_truth_tables(dir, cat, stores, sums);
  sums.push_back(write_price_truth(dir, cat, market.pricing(), zstd));
  {
    OutputFile f(dir, "truth/seasonality.csv", false);
    const SeasonalityTable& t = market.seasonality().used();
    const std::string text = t.empty() ? std::string("level,key,week_of_year,index,reliability,n\n") : t.to_csv();
    f.write(text);
    f.add_rows(static_cast<u64>(std::count(text.begin(), text.end(), '\n') - 1));
    sums.push_back(f.close());
  }
  {
    OutputFile f(dir, "truth/missions.csv", false);
    std::string buf = "mission,share,shift,link_boost,linked_categories\n";
    for (size_t m = 0; m < missions.names.size(); ++m) {
      std::string linked;
      for (i32 k : missions.linked[m]) linked += (linked.empty() ? "" : "|") + cat.cat_name[k];
      buf += fmt::format("{},{},{},{},{}\n", missions.names[m], missions.share[m], cfg.choice.missions[m].shift,
                         cfg.choice.missions[m].link_boost, csv_field(linked));
    }
    f.write(buf);
    f.add_rows(missions.names.size());
    sums.push_back(f.close());
  }

  for (auto [name, text] : {std::pair<const char*, std::string>{"campaign_desc.csv", campaigns.campaign_desc_csv()},
                            {"coupon.csv", campaigns.coupon_csv(cat)},
                            {"truth/campaigns.csv", campaigns.truth_csv(cfg)}}) {
    OutputFile f(dir, name, false);
    f.write(text);
    f.add_rows(static_cast<u64>(std::count(text.begin(), text.end(), '\n') - 1));
    sums.push_back(f.close());
  }

  const bool resuming = !ckpt.is_null();
  auto state_of = [&](const std::string& key, FileState& st) -> const FileState* {
    if (!resuming) return nullptr;
    st = FileState{ckpt["files"][key]["bytes"].get<u64>(), ckpt["files"][key]["rows"].get<u64>()};
    return &st;
  };
  FileState st_tx, st_hh, st_trips, st_causal, st_promos, st_ctable, st_redeem, st_chh, st_outcomes;
  OutputFile tx(dir, name_of("transaction_data.csv"), zstd, state_of("tx", st_tx));
  OutputFile ctable(dir, name_of("campaign_table.csv"), false, state_of("ctable", st_ctable));
  OutputFile redeem(dir, name_of("coupon_redempt.csv"), false, state_of("redeem", st_redeem));
  OutputFile chh(dir, name_of("truth/campaign_households.csv"), false, state_of("chh", st_chh));
  OutputFile outcomes(dir, name_of("truth/outcomes.csv"), false, state_of("outcomes", st_outcomes));
  OutputFile hh(dir, name_of("truth/households.csv"), false, state_of("hh", st_hh));
  OutputFile trips_file(dir, name_of("truth/trips.csv"), zstd, state_of("trips", st_trips));
  OutputFile causal(dir, "causal_data.csv", zstd, state_of("causal", st_causal));
  OutputFile promos(dir, "truth/promotions.csv", zstd, state_of("promos", st_promos));
  if (!resuming) {
    tx.write(kTransactionHeader);
    trips_file.write("household_key,WEEK_NO,trips\n");
    causal.write("PRODUCT_ID,STORE_ID,WEEK_NO,display,mailer\n");
    promos.write("STORE_ID,PRODUCT_ID,WEEK_NO,base_price,shelf_price,depth,display_type,in_ad,mailer\n");
    std::string head = "household_key,home_store";
    for (const char* n : kHouseholdParamNames) head += std::string(",") + n;
    hh.write(head + "\n");
    ctable.write("DESCRIPTION,household_key,CAMPAIGN\n");
    redeem.write("household_key,DAY,COUPON_UPC,CAMPAIGN\n");
    chh.write("household_key,CAMPAIGN,took_up\n");
    outcomes.write(std::string(kOutcomesHeader) + "\n");
  }
  const i32 S = stores.size();
  std::vector<u64> store_week_trips(static_cast<size_t>(S) * W, 0);
  std::vector<StorePromoSummary> store_week_summary(static_cast<size_t>(S) * W);
  MarketStats market_stats(cat.n_categories());

  // Households are simulated in blocks, every week of a block before the next block, so the
  // transaction file is ordered by household (shards concatenate) while memory stays bounded.
  const i64 n_hh = last - first;
  i64 block_size = cfg.output.block_households;
  if (block_size <= 0) block_size = std::clamp<i64>(16'000'000 / (static_cast<i64>(W) * 12), 1024, 1 << 20);
  block_size = std::min<i64>(block_size, std::max<i64>(n_hh, 1));
  const int n_blocks = static_cast<int>((n_hh + block_size - 1) / block_size);

  Progress progress;
  progress.on = !opt.quiet && ::isatty(2);
  progress.steps_total = static_cast<i64>(n_blocks) * W;
  double sim_s = 0, write_s = 0;
  u64 tx_rows = 0, trips = 0;
  WeekInputs week_in;
  MarketCursor cursor(cfg, market);
  std::vector<WeekRecords> weeks(W);
  HouseholdBlock block;
  std::vector<u64> targeted, activated;
  auto append_campaign_files = [&](OutputFile& ct, OutputFile& rd, OutputFile& ch, const HouseholdBlock& b,
                                   const std::vector<WeekRecords>& wr, const Campaigns& cs) {
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
      for (u32 w = 0; w < W; ++w)
        for (u32 i = wr[w].offsets[h]; i < wr[w].offsets[h + 1]; ++i) {
          const Record& rec = wr[w].records[i];
          if (rec.campaign == kNoCampaign) continue;
          r += fmt::format("{},{},{},{}\n", key, static_cast<i64>(w) * 7 + rec.day + 1, cs.coupon_upc(rec.campaign, rec.product),
                           Campaigns::campaign_number(rec.campaign));
          ++nr;
        }
    }
    ct.write(t);
    ct.add_rows(nt);
    ch.write(c);
    ch.add_rows(nt);
    rd.write(r);
    rd.add_rows(nr);
  };
  const int n_threads = omp_get_max_threads();
  // Market figures of every week (block 0 gathers them while it writes the market files).
  auto gather_market = [&](const WeekInputs& w_in) {
    market_stats.add(w_in, cat);
    for (i32 s = 0; s < S; ++s) {
      StorePromoSummary& sum = store_week_summary[static_cast<size_t>(s) * W + w_in.week - 1];
      sum = w_in.stores[s];
      sum.end_caps.clear();
      sum.feature_displays.clear();
      sum.end_caps.shrink_to_fit();
      sum.feature_displays.shrink_to_fit();
    }
  };
  // The market of every week is the same for every block.  With more than one block to go it is
  // built once and kept when it fits output.market_cache_mb (about 27 bytes per product-store-week),
  // else rebuilt per block (memory bounded whatever the world).
  const double week_bytes = static_cast<double>(S) * cat.n_products() * 27.0 + static_cast<double>(S) * (cat.n_categories() + 1) * 4.0;
  const int blocks_to_go = n_blocks - (resuming ? ckpt["blocks_done"].get<int>() : 0);
  const bool use_cache = blocks_to_go > 1 && week_bytes * W <= cfg.output.market_cache_mb * 1048576.0;
  std::vector<WeekInputs> market_cache(use_cache ? W : 0);
  bool cache_filled = false;
  int start_block = 0;
  if (resuming) {
    if (ckpt.value("block_size", i64{0}) != block_size)
      throw InputError((tmp.path / "checkpoint.json").string() + ": the checkpoint used another block size");
    start_block = ckpt["blocks_done"].get<int>();
    tx_rows = ckpt["tx_rows"].get<u64>();
    trips = ckpt["trips"].get<u64>();
    store_week_trips = ckpt["store_week_trips"].get<std::vector<u64>>();
    cursor.reset();
    for (u32 w = 1; w <= W; ++w) {  // the market files are complete; rebuild their figures
      WeekInputs& wk = use_cache ? market_cache[w - 1] : week_in;
      cursor.next(wk);
      gather_market(wk);
    }
    cache_filled = use_cache;
    progress.steps_done = static_cast<i64>(start_block) * W;
  }
  const char* kill_after = std::getenv("RETAILSYNTH_TEST_KILL_AFTER_BLOCK");  // fault injection for tests
  for (int b = start_block; b < n_blocks; ++b) {
    const i64 b_first = first + static_cast<i64>(b) * block_size;
    const i32 b_n = static_cast<i32>(std::min<i64>(block_size, last - b_first));
    auto t0 = Clock::now();
    backend->sample_households(b_first, b_n, block);
    u64 block_rows = 0;
    cursor.reset();
    for (u32 w = 1; w <= W; ++w) {
      WeekInputs& wk = use_cache ? market_cache[w - 1] : week_in;
      if (!cache_filled) cursor.next(wk);
      if (b == 0) {  // market files once: they don't depend on the households
        append_promotions(causal, promos, wk, cat, stores);
        gather_market(wk);
      }
      backend->simulate_week(wk, weeks[w - 1]);
      order_by_trip(weeks[w - 1]);
      for (i32 s = 0; s < S; ++s) store_week_trips[static_cast<size_t>(s) * W + w - 1] += weeks[w - 1].store_trips[s];
      block_rows += weeks[w - 1].records.size();
      for (u8 t : weeks[w - 1].trips) trips += t;
      progress.step(b + 1, n_blocks, w, W, tx_rows + block_rows);
    }
    cache_filled = use_cache;
    sim_s += since(t0);
    t0 = Clock::now();
    append_households(hh, block, stores);
    {
      std::string buf;
      u64 n = 0;
      for (i32 h = 0; h < b_n; ++h)
        for (u32 w = 0; w < W; ++w)
          if (weeks[w].trips[h] > 0) {
            buf += fmt::format("{},{},{}\n", block.first + h + 1, w + 1, weeks[w].trips[h]);
            ++n;
          }
      trips_file.write(buf);
      trips_file.add_rows(n);
    }
    format_transactions_parallel(block, weeks, cat, stores, W, n_threads, [&](const std::string& text, u64 rows) {
      tx.write(text);
      tx.add_rows(rows);
      tx_rows += rows;
    });
    backend->campaign_state(targeted, activated);
    append_campaign_files(ctable, redeem, chh, block, weeks, campaigns);
    append_outcomes(outcomes, block, weeks, cat);
    write_s += since(t0);
    // Checkpoint: every file durable up to here, the counters, then the checkpoint file itself
    // (renamed into place, so it is never half-written).
    nlohmann::json c;
    c["config"] = config_json;
    c["shard"] = part;
    c["block_size"] = block_size;
    c["blocks_done"] = b + 1;
    c["tx_rows"] = tx_rows;
    c["trips"] = trips;
    c["store_week_trips"] = store_week_trips;
    for (auto [key, f] : {std::pair<const char*, OutputFile*>{"tx", &tx}, {"hh", &hh}, {"trips", &trips_file},
                          {"causal", &causal}, {"promos", &promos}, {"ctable", &ctable}, {"redeem", &redeem},
                          {"chh", &chh}, {"outcomes", &outcomes}}) {
      const FileState st = f->checkpoint();
      c["files"][key] = {{"bytes", st.bytes}, {"rows", st.rows}};
    }
    {
      std::ofstream cf(tmp.path / "checkpoint.json.tmp");
      cf << c.dump();
      if (!cf.flush()) throw std::runtime_error((tmp.path / "checkpoint.json.tmp").string() + ": write failed");
    }
    fs::rename(tmp.path / "checkpoint.json.tmp", tmp.path / "checkpoint.json");
    set_interrupt_note(tmp.path, b + 1, n_blocks);
    if (kill_after && std::atoi(kill_after) == b) std::raise(test_signal());
  }
  progress.done();
  sums.push_back(tx.close());
  sums.push_back(hh.close());
  sums.push_back(trips_file.close());
  sums.push_back(causal.close());
  sums.push_back(promos.close());
  sums.push_back(ctable.close());
  sums.push_back(redeem.close());
  sums.push_back(chh.close());
  sums.push_back(outcomes.close());
  {
    OutputFile sw(dir, name_of("truth/store_weeks.csv"), false);
    std::string buf = "STORE_ID,WEEK_NO,marketing_signal,n_promoted,mean_depth,trips\n";
    for (i32 s = 0; s < S; ++s)
      for (u32 w = 1; w <= W; ++w) {
        const size_t at = static_cast<size_t>(s) * W + w - 1;
        const StorePromoSummary& sum = store_week_summary[at];
        buf += fmt::format("{},{},{:.6f},{},{:.4f},{}\n", stores.store_id[s], w, sum.marketing, sum.n_promoted,
                           sum.mean_depth, store_week_trips[at]);
      }
    sw.write(buf);
    sw.add_rows(static_cast<u64>(S) * W);
    sums.push_back(sw.close());
  }

  // Manifest, then the rename that makes the output visible.
  nlohmann::json m;
  m["generator"] = "retailsynth";
  m["version"] = kVersion;
  m["seed"] = cfg.seed;
  m["backend"] = backend->name();
  m["threads"] = n_threads;
  m["shard"] = {{"index", opt.shard_index}, {"count", opt.shard_count}, {"households_first", first + 1},
                {"households_last", last}};
  m["config_file"] = cfg.source;
  if (!cfg.scenario.name.empty())
    m["scenario"] = {{"name", cfg.scenario.name}, {"file", cfg.scenario.file}, {"description", cfg.scenario.description}};
  m["config"] = config_to_json(cfg);
  m["campaigns"] = static_cast<u64>(campaigns.list().size());
  m["world"] = {{"products", cat.n_products()}, {"categories", cat.n_categories()}, {"stores", stores.size()},
                {"weeks", W}, {"households", n_hh}};
  m["totals"] = {{"trips", trips}, {"transaction_rows", tx_rows}};
  m["market"] = market_stats.json(cat, market.calendar());
  {
    const auto& mc = market.seasonality().match_counts();
    m["seasonality"] = {{"table", cfg.seasonality.table},
                        {"categories_matched", {{"exact", mc[0]}, {"normalised_name", mc[1]}, {"unreliable_flat", mc[2]},
                                                {"department_mean", mc[3]}, {"none", mc[4]}}}};
  }
  nlohmann::json files = nlohmann::json::object();
  for (const auto& s : sums) files[s.name] = {{"rows", s.rows}, {"bytes", s.bytes}, {"xxh64", s.xxh64}};
  m["files"] = files;
  const double total_s = since(t_start);
  m["timings_s"] = {{"setup", setup_s}, {"simulate", sim_s}, {"write", write_s}, {"total", total_s}};
  m["blocks"] = {{"households_per_block", block_size}, {"count", n_blocks}, {"market_cached", use_cache}};
  {
    OutputFile mf(dir, name_of("manifest.json"), false);
    mf.write(m.dump(2) + "\n");
    mf.close();
  }
  fs::remove(tmp.path / "checkpoint.json");
  if (sharded) commit_shard(tmp, out);
  else commit(tmp, out, opt.force);
  clear_interrupt_note();
  if (!opt.quiet)
    std::fprintf(stderr, "retailsynth: %s rows, %lld households x %u weeks, %d products, backend %s, %.1f s -> %s\n",
                 fmt::format("{:L}", tx_rows).c_str(), static_cast<long long>(n_hh), W, cat.n_products(),
                 backend->name().c_str(), total_s, out.string().c_str());
  return GenerateResult{tx_rows, total_s, backend->name()};
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
    commit(tmp, out, opt.force);
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
