#include "bench.h"

#include <fmt/format.h>
#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "backend.h"
#include "config.h"
#include "cuda_backend.h"
#include "engine/heterogeneity.h"
#include "io/transactions.h"
#include "market.h"
#include "simulator.h"

namespace fs = std::filesystem;

namespace retailsynth {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

}  // namespace

std::string run_bench(const BenchOptions& opt) {
  std::vector<std::string> sets = opt.overrides;
  if (opt.households > 0) sets.push_back("scale.households=" + std::to_string(opt.households));
  if (opt.products > 0) sets.push_back("scale.products=" + std::to_string(opt.products));
  if (opt.weeks > 0) sets.push_back("scale.weeks=" + std::to_string(opt.weeks));
  const Config cfg = load_config(opt.config_path, sets);
  if (opt.threads > 0) omp_set_num_threads(opt.threads);
  std::vector<std::string> backends;
  if (opt.backend == "cpu" || opt.backend == "both") backends.push_back("cpu");
  if (opt.backend == "cuda" || opt.backend == "both") {
    std::string why;
    if (cuda_device_available(&why)) backends.push_back("cuda");
    else if (opt.backend == "cuda") throw InputError("--backend cuda: " + why);
    else std::fprintf(stderr, "bench: skipping cuda (%s)\n", why.c_str());
  }

  const auto t_world = Clock::now();
  const Catalog cat = build_catalog(cfg);
  const Stores stores = build_stores(cfg);
  const Market market(cfg, cat, stores);
  const Demographics demographics = make_demographics(cfg, cat);
  const HouseholdSpecView spec = make_household_spec(cfg, stores, &demographics);
  const Missions missions = make_missions(cfg, cat);
  const RunSetup setup{cfg.seed, cat.view(), spec, missions.view(), make_choice_params(cfg)};
  const double world_s = since(t_world);
  // The market of every week once (host engines), shared by both backends.
  const u32 W = static_cast<u32>(cfg.scale.weeks);
  const auto t_market = Clock::now();
  std::vector<WeekInputs> weeks_in(W);
  MarketCursor cursor(cfg, market);
  for (u32 w = 0; w < W; ++w) cursor.next(weeks_in[w]);
  const double market_s = since(t_market);
  const i64 C = cfg.scale.households;
  const i32 n = static_cast<i32>(std::min<i64>(C, 1 << 30));

  nlohmann::json j;
  j["sizes"] = {{"households", C}, {"products", cat.n_products()}, {"categories", cat.n_categories()},
                {"stores", stores.size()}, {"weeks", W}};
  j["threads"] = omp_get_max_threads();
  j["world_s"] = world_s;
  j["market"] = {{"seconds", market_s}, {"weeks_per_s", W / market_s}};
  std::string table = fmt::format("{:<8} {:>14} {:>16} {:>16} {:>8} {:>14} {:>12} {:>12}\n", "backend", "sampling hh/s",
                                  "choice pairs/s", "evaluated/s", "skipped", "format rows/s", "e2e weeks/s",
                                  "peak RSS MB");
  for (const auto& name : backends) {
    auto backend = make_backend(name);
    backend->prepare(setup);
    HouseholdBlock block;
    auto t0 = Clock::now();
    backend->sample_households(0, n, block);
    const double sample_s = since(t0);
    std::vector<WeekRecords> recs(W);
    u64 trips = 0, rows = 0, evaluated = 0;
    t0 = Clock::now();
    for (u32 w = 0; w < W; ++w) {
      backend->simulate_week(weeks_in[w], recs[w]);
      for (u8 t : recs[w].trips) trips += t;
      rows += recs[w].records.size();
      evaluated += recs[w].evaluated_pairs;
    }
    const double choice_s = since(t0);
    // The model's work: every trip weighs every product (trips x products pairs).  The exact skip
    // evaluates the utilities of only the categories whose incidence bound reaches u_buy.
    const double pairs = static_cast<double>(trips) * cat.n_products();
    const double skipped = pairs > 0 ? 1.0 - static_cast<double>(evaluated) / pairs : 0.0;
    t0 = Clock::now();
    for (auto& r : recs) order_by_trip(r);
    u64 bytes = 0;
    format_transactions_parallel(block, recs, cat, stores, W, omp_get_max_threads(),
                                 [&](std::string& text, u64) { bytes += text.size(); });
    const double format_s = since(t0);
    double e2e_s = 0;
    if (opt.end_to_end) {
      const fs::path tmp = fs::temp_directory_path() / ("rs-bench-" + std::to_string(::getpid()));
      GenerateOptions g;
      g.config_path = opt.config_path;
      g.overrides = sets;
      g.out_dir = tmp.string();
      g.backend = name;
      g.quiet = true;
      g.force = true;
      t0 = Clock::now();
      generate(g);
      e2e_s = since(t0);
      fs::remove_all(tmp);
    }
    nlohmann::json b;
    b["sampling"] = {{"seconds", sample_s}, {"households_per_s", n / sample_s}};
    b["choice"] = {{"seconds", choice_s},
                   {"trips", trips},
                   {"pairs", pairs},
                   {"pairs_per_s", pairs / choice_s},
                   {"pairs_are", "trips x products: the model's work"},
                   {"evaluated_pairs", evaluated},
                   {"evaluated_pairs_per_s", evaluated / choice_s},
                   {"skipped_share", skipped},
                   {"exact_skip", cfg.choice.exact_skip},
                   {"rows", rows}};
    b["format"] = {{"seconds", format_s}, {"rows_per_s", rows / format_s}, {"bytes", bytes}};
    if (opt.end_to_end) b["end_to_end"] = {{"seconds", e2e_s}, {"weeks_per_s", W / e2e_s}};
    b["peak_rss_mb"] = peak_rss_mb();
    if (name == "cuda") b["device_memory_mb"] = cuda::device_memory_used_mb();
    j["backends"][name] = b;
    table += fmt::format("{:<8} {:>14.3e} {:>16.3e} {:>16.3e} {:>7.1f}% {:>14.3e} {:>12} {:>12.0f}\n", name, n / sample_s,
                         pairs / choice_s, evaluated / choice_s, 100.0 * skipped, rows / format_s,
                         opt.end_to_end ? fmt::format("{:.3f}", W / e2e_s) : std::string("-"), peak_rss_mb());
  }
  if (j["backends"].contains("cpu") && j["backends"].contains("cuda"))
    j["speedup_choice"] = j["backends"]["cuda"]["choice"]["pairs_per_s"].get<double>() /
                          j["backends"]["cpu"]["choice"]["pairs_per_s"].get<double>();
  std::printf("%s", table.c_str());
  std::printf("world %d households x %d products (%d categories) x %d stores x %u weeks, %d CPU threads, market %.2f s\n",
              n, cat.n_products(), cat.n_categories(), stores.size(), W, omp_get_max_threads(), market_s);
  const std::string text = j.dump(2);
  if (!opt.json.empty()) {
    std::ofstream f(opt.json);
    if (!f) throw InputError(opt.json + ": cannot write");
    f << text << "\n";
  }
  return text;
}

}  // namespace retailsynth
