// retailsynth: the command line (DESIGN §6.1).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <exception>
#include <map>

#include "analysis/compare.h"
#include "analysis/validate.h"
#include "config.h"
#include "engine/demographics.h"
#include "seasonality/calendar_profile.h"
#include "seasonality/learner.h"
#include "world_table/calibrate.h"
#include "world_table/learner.h"
#include "bench.h"
#include "mpi_run.h"
#include "simulator.h"
#include "verify.h"

namespace {

/// --seed N: a decimal integer in [0, 2^64), as the config's `seed` (CLI11 would wrap -1 around).
retailsynth::u64 parse_seed_flag(const std::string& text) {
  const bool digits = !text.empty() && text.size() <= 20 &&
                      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  errno = 0;
  const unsigned long long v = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
  if (!digits || errno == ERANGE)
    throw retailsynth::InputError("--seed " + text + ": expected a non-negative integer below 2^64");
  return v;
}

/// "PATH: reason (operation)" for a filesystem error, instead of the library's wording.
std::string filesystem_message(const std::filesystem::filesystem_error& e) {
  std::string what = e.what();  // "filesystem error: cannot create directories: Not a directory [PATH]"
  const std::string prefix = "filesystem error: ";
  if (what.rfind(prefix, 0) == 0) what = what.substr(prefix.size());
  const auto bracket = what.find(" [");
  if (bracket != std::string::npos) what = what.substr(0, bracket);
  const std::string path = e.path1().empty() ? std::string("output") : e.path1().string();
  return path + ": " + what;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace retailsynth;
  CLI::App app{"RetailSynth: a grocery-shopping simulator writing Complete Journey datasets"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "retailsynth 0.1.0");

  GenerateOptions g;
  std::string shard;
  std::string seed;
  auto* gen = app.add_subcommand("generate", "simulate households and write a dataset");
  gen->add_option("--config", g.config_path,
                  "YAML config (default: the built-in defaults, which differ from configs/default.yaml: no coupon "
                  "campaigns and no seasonality table)");
  gen->add_option("--out", g.out_dir, "output folder")->required();
  gen->add_option("--backend", g.backend, "auto | cpu | cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  auto* seed_opt = gen->add_option("--seed", seed, "random seed (overrides the config's seed)");
  gen->add_option("--set", g.overrides, "override a config key: --set scale.households=2000")->take_all();
  gen->add_option("--scenario", g.scenarios,
                  "policy scenario file (repeatable): each is simulated on the same households into DIR/<name>/, "
                  "the first is the baseline of DIR/truth/effects.csv")
      ->take_all();
  gen->add_option("--shard", shard, "I/N: simulate the I-th of N household ranges (0-based)");
  gen->add_option("--threads", g.threads, "CPU threads (default: all)")->check(CLI::NonNegativeNumber);
  gen->add_option("--compress", g.compress, "zstd | none")->check(CLI::IsMember({"zstd", "none"}));
  gen->add_flag("--force", g.force, "replace a non-empty output folder");
  gen->add_flag("--quiet", g.quiet, "no progress or summary on stderr");
  gen->add_flag("--resume", g.resume, "continue a killed run (same config and flags) from its last finished block");
  LearnOptions ls;
  std::string ls_out, ls_svg;
  auto* learn = app.add_subcommand("learn-seasonality", "learn a seasonality table from transactions (.csv or .zst)");
  learn->add_option("--transactions", ls.transactions_path, "TCJ transaction_data.csv or CJ 2.0 transactions.csv")->required();
  learn->add_option("--products", ls.products_path, "TCJ product.csv or CJ 2.0 products.csv")->required();
  learn->add_option("--out", ls_out, "the table to write (CSV; replaced if it exists)")->required();
  learn->add_option("--start-date", ls.start_date, "date of DAY 1 in a TCJ-layout file, YYYY-MM-DD (default 2017-01-01)");
  learn->add_option("--svg", ls_svg, "also draw the report's top categories (at most 6) to this SVG (default: none)");
  learn->add_option("--top", ls.report_top, "categories listed in the report (default 15)")->check(CLI::NonNegativeNumber);
  learn->add_option("--smooth", ls.smoothing_half_width, "triangular smoothing, weeks each side (default 3)");
  learn->add_option("--shrink", ls.shrinkage_lines, "shrinkage n0 of --shrink-by lines: index = 1 + (raw-1)*n/(n+n0) (default 200)");
  learn->add_option("--shrink-by", ls.shrink_by, "shrinkage toward 1: reliability (2r/(1+r), default) or lines (n/(n+n0))")
      ->transform(CLI::CheckedTransformer(std::map<std::string, ShrinkBy>{{"reliability", ShrinkBy::kReliability}, {"lines", ShrinkBy::kLines}}));
  learn->add_option("--event-weeks", ls.event_weeks, "weeks of year kept out of the smoothing with their own peak (default "
                                                    "1 5 15 21 27 36 43 47 51 52; 0 for none)")
      ->expected(1, -1)->check(CLI::Range(0, 52));
  learn->add_option("--min-category-lines", ls.min_category_lines, "lines a category needs (default 50)");
  learn->add_option("--min-product-lines", ls.min_product_lines, "lines a product needs (default 300)");
  learn->add_option("--min-reliability", ls.report_min_reliability, "split-half r a reported category needs (default 0.3)");

  CalendarLearnOptions lc;
  std::string lc_out;
  auto* learn_c = app.add_subcommand("learn-calendar", "learn the trips' day-of-week and hour-of-day profile from transactions");
  learn_c->add_option("--transactions", lc.transactions_path, "TCJ transaction_data.csv or CJ 2.0 transactions.csv")->required();
  learn_c->add_option("--products", lc.products_path, "TCJ product.csv or CJ 2.0 products.csv")->required();
  learn_c->add_option("--out", lc_out, "the profile to write (CSV; replaced if it exists)")->required();
  learn_c->add_option("--start-date", lc.start_date, "date of DAY 1 in a TCJ-layout file, YYYY-MM-DD (default 2017-01-01, a Sunday)");

  DemographicsLearnOptions ld;
  std::string ld_out;
  auto* learn_d = app.add_subcommand("learn-demographics",
                                     "learn household demographic profiles and children's category ratios from real data");
  learn_d->add_option("--data", ld.real_dir,
                      "folder of TCJ (transaction_data.csv, product.csv, hh_demographic.csv) or CJ 2.0 files (demographics.csv)")
      ->required();
  learn_d->add_option("--out", ld_out, "folder to write profiles.csv and kids.csv into (replaced if they exist)")->required();

  WorldLearnOptions lw;
  std::string lw_out;
  auto* learn_w = app.add_subcommand("learn-world", "learn a world table (categories, prices, discounts, quantities) from transactions");
  learn_w->add_option("--data", lw.data_dir, "folder of TCJ (transaction_data.csv, product.csv) or CJ 2.0 files")->required();
  learn_w->add_option("--out", lw_out, "the table to write (CSV; replaced if it exists)")->required();
  learn_w->add_option("--shrink", lw.shrink_lines, "prior weight in lines toward the department (default 20)")->check(CLI::NonNegativeNumber);
  learn_w->add_option("--deal-prior", lw.deal_prior_products, "prior weight in products of the deal shares (default 10)")
      ->check(CLI::NonNegativeNumber);
  learn_w->add_option("--min-category-lines", lw.min_category_lines, "lines a category needs (default 1)")->check(CLI::NonNegativeNumber);
  learn_w->add_option("--size-prior", lw.size_prior_lines, "prior weight in lines of the trip-size ratio toward 1 (default 100)")
      ->check(CLI::NonNegativeNumber);

  CalibrateOptions cb;
  auto* calib = app.add_subcommand("calibrate", "fit a learned world's calibration (intercepts, promotion shares, prices, "
                                                "depths) in simulation over several seeds");
  calib->add_option("--config", cb.config_path, "YAML config with world.table (e.g. configs/default.yaml)")->required();
  calib->add_option("--out", cb.out, "the calibration CSV to write (replaced if it exists)")->required();
  calib->add_option("--set", cb.overrides, "override a config key")->take_all();
  calib->add_option("--seeds", cb.seeds, "seeds to average over (default 1 2 3 4 5)")->expected(1, -1);
  calib->add_option("--households", cb.households, "households per run (default 1000)")->check(CLI::PositiveNumber);
  calib->add_option("--weeks", cb.weeks, "weeks per run (default 52)")->check(CLI::PositiveNumber);
  calib->add_option("--rounds", cb.rounds, "rounds of steps (default 4)")->check(CLI::NonNegativeNumber);
  calib->add_option("--damping", cb.damping, "share of each gap a step closes (default 0.8)")->check(CLI::Range(0.0, 1.0));
  calib->add_option("--lines-per-basket", cb.lines_per_basket, "lines per basket to fit (default 9.4, the published figure; 0: none)")
      ->check(CLI::NonNegativeNumber);
  calib->add_option("--line-rate", cb.line_rate,
                    "line rate of the real sample the table's trip-size ratios come from (default 0.0522, CompleteJourney 2.0; 1: whole baskets)")
      ->check(CLI::Range(1e-4, 1.0));
  calib->add_flag("--quiet", cb.quiet, "no progress on stderr");

  BenchOptions bo;
  auto* bench = app.add_subcommand("bench", "time the backends stage by stage (sampling, choice, formatting, end to end)");
  bench->add_option("--config", bo.config_path, "YAML config (default: built-in defaults; see configs/bench/)");
  bench->add_option("--backend", bo.backend, "cpu | cuda | both")->check(CLI::IsMember({"cpu", "cuda", "both"}));
  bench->add_option("--households", bo.households, "households (default: the config's)")->check(CLI::PositiveNumber);
  bench->add_option("--products", bo.products, "products (default: the config's)")->check(CLI::PositiveNumber);
  bench->add_option("--weeks", bo.weeks, "weeks (default: the config's)")->check(CLI::PositiveNumber);
  bench->add_option("--threads", bo.threads, "CPU threads (default: all)")->check(CLI::NonNegativeNumber);
  bench->add_option("--set", bo.overrides, "override a config key")->take_all();
  bench->add_option("--json", bo.json, "write the results as JSON");
  bench->add_flag("!--no-end-to-end", bo.end_to_end, "skip the end-to-end generate() timing");

  ValidateOptions vo;
  auto* validate = app.add_subcommand("validate", "measure a dataset against its targets and real data; writes a report");
  validate->add_option("--data", vo.data_dir, "dataset folder: RetailSynth output, real TCJ or CompleteJourney 2.0 files")->required();
  validate->add_option("--real", vo.real_dir, "real data to compare with (default: $RETAILSYNTH_REAL_DATA, else none)");
  validate->add_option("--out", vo.out_dir, "report folder (default: DATA/validation)");

  CompareOptions co;
  auto* compare = app.add_subcommand("compare", "the policy table (discounts, units, revenue, visits, retention ...) of generated runs");
  // Not ->required(): an empty list reaches run_compare, whose InputError names what is missing.
  compare->add_option("runs", co.inputs, "dataset folders written by generate, or scenario-set folders (manifest.json \"scenarios\")");
  compare->add_option("--out", co.out_dir, "also write compare.csv, compare.md and compare.svg into this folder");

  std::string verify_dir;
  auto* verify = app.add_subcommand("verify", "check a dataset folder against its manifests (xxh64, sizes, rows) and its "
                                              "shards against each other; exit 0 when all is well, 1 otherwise");
  verify->add_option("dir", verify_dir, "dataset folder written by generate (one run, shards or a scenario set)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "retailsynth: %s (see --help)\n", e.what());
    return 2;
  }

  try {
    if (gen->parsed()) {
      if (*seed_opt) g.seed = parse_seed_flag(seed);
      if (!shard.empty()) {
        const auto slash = shard.find('/');
        char* end1 = nullptr;
        char* end2 = nullptr;
        const std::string a = shard.substr(0, slash), b = slash == std::string::npos ? "" : shard.substr(slash + 1);
        g.shard_index = std::strtoll(a.c_str(), &end1, 10);
        g.shard_count = std::strtoll(b.c_str(), &end2, 10);
        if (slash == std::string::npos || a.empty() || b.empty() || *end1 || *end2)
          throw InputError("--shard " + shard + ": expected I/N, e.g. 0/4");
      }
      if (mpi_launched()) return mpi_generate(g);
      generate(g);
    }
    if (bench->parsed()) run_bench(bo);
    if (validate->parsed()) {
      const char* env = std::getenv("RETAILSYNTH_REAL_DATA");
      if (vo.real_dir.empty() && env && *env) vo.real_dir = env;
      if (vo.real_dir.empty()) vo.real_note = "no --real given and RETAILSYNTH_REAL_DATA is not set";
      std::fputs(run_validate(vo).table.c_str(), stdout);
    }
    if (learn->parsed()) std::fputs(run_learn_seasonality(ls, ls_out, ls_svg).c_str(), stdout);
    if (learn_c->parsed()) std::fputs(run_learn_calendar(lc, lc_out).c_str(), stdout);
    if (learn_w->parsed()) std::fputs(run_learn_world(lw, lw_out).c_str(), stdout);
    if (learn_d->parsed()) std::fputs(run_learn_demographics(ld, ld_out).c_str(), stdout);
    if (calib->parsed()) std::fputs(run_calibrate(cb).c_str(), stdout);
    if (compare->parsed()) std::fputs(run_compare(co).table.c_str(), stdout);
    if (verify->parsed()) {
      const VerifyResult r = verify_dataset(verify_dir);
      std::fputs(r.report.c_str(), stdout);
      if (!r.ok()) return 1;
    }
  } catch (const InputError& e) {
    std::fprintf(stderr, "retailsynth: %s\n", e.what());
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // A parent that is a file, an unwritable or missing folder: the path and the system's reason.
    std::fprintf(stderr, "retailsynth: %s\n", filesystem_message(e).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "retailsynth: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
