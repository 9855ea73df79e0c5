// End to end through the binary on configs/small.yaml: layout and TCJ conventions,
// reproducibility (same seed, thread counts, shards), and exit 2 with nothing written on bad
// input.  Plus the first statistical checks of the choice model against truth/.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "io/csv.h"
#include "simulator.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using rs_test::read_file;
using rs_test::run_binary;

namespace {

const std::string kSmall = rs_test::source_path("configs/small.yaml");

/// One generation of the small config per (extra args), cached for the suite.
const fs::path& generated(const std::string& extra) {
  static std::map<std::string, fs::path> cache;
  auto it = cache.find(extra);
  if (it != cache.end()) return it->second;
  const fs::path dir = rs_test::temp_dir("gen") / "out";
  const auto r = run_binary("generate --quiet --config " + kSmall + " --out " + dir.string() + " " + extra);
  EXPECT_EQ(r.code, 0) << r.err;
  return cache.emplace(extra, dir).first->second;
}

using rs_test::rows_of;

const char* kDataFiles[] = {"transaction_data.csv", "product.csv", "truth/households.csv", "truth/products.csv",
                            "truth/categories.csv", "truth/stores.csv", "campaign_desc.csv", "campaign_table.csv",
                            "coupon.csv", "coupon_redempt.csv", "truth/campaign_households.csv", "truth/outcomes.csv"};

}  // namespace

TEST(Generate, WritesCompleteJourneyLayout) {
  const fs::path& d = generated("");
  for (const char* f : kDataFiles) EXPECT_TRUE(fs::exists(d / f)) << f;
  EXPECT_TRUE(fs::exists(d / "manifest.json"));
  const std::string tx = read_file(d / "transaction_data.csv");
  EXPECT_EQ(tx.substr(0, tx.find('\n')),
            "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,WEEK_NO,"
            "COUPON_DISC,COUPON_MATCH_DISC");
  const std::string prod = read_file(d / "product.csv");
  EXPECT_EQ(prod.substr(0, prod.find('\n')),
            "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT");
  // No temporary folders left beside the output.
  for (const auto& e : fs::directory_iterator(d.parent_path())) EXPECT_EQ(e.path().filename(), "out");
}

TEST(Generate, TransactionConventions) {
  const fs::path& d = generated("");
  std::set<std::string> products, stores;
  for (const auto& r : rows_of(d / "product.csv")) products.insert(r[0]);
  for (const auto& r : rows_of(d / "truth/stores.csv")) stores.insert(r[0]);
  const auto rows = rows_of(d / "transaction_data.csv");
  ASSERT_GT(rows.size(), 1000u);
  long prev_hh = 0, prev_basket = 0;
  std::map<std::string, std::string> basket_store;
  long matched = 0, bad_shelf = 0, bad_regular = 0;
  for (const auto& r : rows) {
    ASSERT_EQ(r.size(), 12u);
    const long hh = std::stol(r[0]), basket = std::stol(r[1]), day = std::stol(r[2]), qty = std::stol(r[4]);
    const long week = std::stol(r[9]), hhmm = std::stol(r[8]);
    EXPECT_GE(hh, prev_hh) << "ordered by household";
    EXPECT_GE(basket, prev_basket) << "basket ids ascend down the file";
    prev_hh = hh;
    prev_basket = basket;
    EXPECT_TRUE(products.count(r[3])) << r[3];
    EXPECT_TRUE(stores.count(r[6])) << r[6];
    EXPECT_GE(qty, 1);
    EXPECT_GE(week, 1);
    EXPECT_LE(week, 8);
    EXPECT_GE(day, (week - 1) * 7 + 1);
    EXPECT_LE(day, week * 7);
    EXPECT_LT(hhmm / 100, 24);
    EXPECT_LT(hhmm % 100, 60);
    EXPECT_EQ(r[8].size(), 4u);
    // TCJ: SALES_VALUE = QUANTITY * shelf price + COUPON_MATCH_DISC, so the standard formulas
    // shelf = (SALES_VALUE - COUPON_MATCH_DISC) / QUANTITY and regular = (SALES_VALUE - RETAIL_DISC -
    // COUPON_MATCH_DISC) / QUANTITY give whole cents ending in 9 (price points) on every line,
    // matched-coupon lines included.
    const long match = std::lround(std::stod(r[11]) * 100);
    const long shelf = std::lround(std::stod(r[5]) * 100) - match;
    const long regular = shelf - std::lround(std::stod(r[7]) * 100);
    matched += match != 0;
    bad_shelf += shelf % qty != 0 || (shelf / qty) % 10 != 9;
    bad_regular += regular % qty != 0 || (regular / qty) % 10 != 9;
    EXPECT_LE(std::stod(r[7]), 0.0) << "discounts are <= 0";
    // Coupons (configs/small.yaml has campaigns): <= 0, and a retailer match only with a coupon.
    EXPECT_LE(std::stod(r[10]), 0.0);
    EXPECT_LE(std::stod(r[11]), 0.0);
    if (r[10] == "0.00") {
      EXPECT_EQ(r[11], "0.00");
    }
    // One basket = one store, one day, one time.
    auto [it, fresh] = basket_store.emplace(r[1], r[6] + "/" + r[2] + "/" + r[8]);
    if (!fresh) {
      EXPECT_EQ(it->second, r[6] + "/" + r[2] + "/" + r[8]);
    }
  }
  EXPECT_GT(matched, 0) << "configs/small.yaml has matched coupons";
  EXPECT_EQ(bad_shelf, 0) << "lines whose (SALES_VALUE - COUPON_MATCH_DISC) / QUANTITY is not a price point";
  EXPECT_EQ(bad_regular, 0) << "lines whose (SALES_VALUE - RETAIL_DISC - COUPON_MATCH_DISC) / QUANTITY is not a price point";
}

TEST(Generate, ManifestCountsAndChecksums) {
  const fs::path& d = generated("");
  const auto m = nlohmann::json::parse(read_file(d / "manifest.json"));
  EXPECT_EQ(m["seed"], 7);
  EXPECT_EQ(m["config"]["scale"]["households"], 400);
  const auto rows = rows_of(d / "transaction_data.csv");
  EXPECT_EQ(m["files"]["transaction_data.csv"]["rows"].get<size_t>(), rows.size());
  EXPECT_EQ(m["totals"]["transaction_rows"].get<size_t>(), rows.size());
  EXPECT_EQ(m["files"]["transaction_data.csv"]["bytes"].get<size_t>(), fs::file_size(d / "transaction_data.csv"));
  EXPECT_EQ(m["files"]["truth/households.csv"]["rows"], 400);
  EXPECT_EQ(m["files"]["transaction_data.csv"]["xxh64"].get<std::string>().size(), 16u);
}

TEST(Generate, SameSeedSameBytesAcrossThreadCounts) {
  const fs::path& a = generated("");
  const fs::path& b = generated("--threads 1");
  const fs::path& c = generated("--threads 2 --backend cpu");
  for (const char* f : kDataFiles) {
    EXPECT_EQ(read_file(a / f), read_file(b / f)) << f;
    EXPECT_EQ(read_file(a / f), read_file(c / f)) << f;
  }
  // OMP_NUM_THREADS too.
  const fs::path d = rs_test::temp_dir("omp") / "o";
  ASSERT_EQ(run_binary("generate --quiet --config " + kSmall + " --out " + d.string(), "OMP_NUM_THREADS=1").code, 0);
  EXPECT_EQ(read_file(a / "transaction_data.csv"), read_file(d / "transaction_data.csv"));
}

TEST(Generate, AnotherSeedGivesOtherData) {
  const fs::path& a = generated("");
  const fs::path& b = generated("--seed 8");
  EXPECT_NE(read_file(a / "transaction_data.csv"), read_file(b / "transaction_data.csv"));
  EXPECT_NE(read_file(a / "truth/households.csv"), read_file(b / "truth/households.csv"));
}

TEST(Generate, VectorisedCpuEqualsTheGpuScalarPath) {
  // The CPU's vectorised category evaluation and the scalar one the CUDA kernel runs
  // (RecomputeEval) give the same bytes.
  const fs::path& a = generated("");
  const fs::path& b = generated("--set scale.households=400 --backend cpu");
  EXPECT_EQ(read_file(a / "transaction_data.csv"), read_file(b / "transaction_data.csv"));
  retailsynth::GenerateOptions o;
  o.config_path = kSmall;
  o.out_dir = (rs_test::temp_dir("reference") / "o").string();
  o.backend = "cpu-reference";
  o.quiet = true;
  retailsynth::generate(o);
  for (const char* f : kDataFiles) EXPECT_EQ(read_file(a / f), read_file(fs::path(o.out_dir) / f)) << f;
}

TEST(Generate, BlockSizeDoesNotChangeOutput) {
  // A household's data depends on nothing but its own index: any blocking gives the same bytes,
  // with the weeks' market kept for later blocks (the default here) or rebuilt per block.
  const fs::path& a = generated("");
  const fs::path& b = generated("--set output.block_households=37");
  const fs::path& c = generated("--set output.block_households=37 --set output.market_cache_mb=0");
  for (const char* f : kDataFiles) EXPECT_EQ(read_file(a / f), read_file(b / f)) << f;
  for (const char* f : kDataFiles) EXPECT_EQ(read_file(b / f), read_file(c / f)) << f;
  const auto mb = nlohmann::json::parse(read_file(b / "manifest.json"))["blocks"];
  EXPECT_EQ(mb["count"], 11);
  EXPECT_TRUE(mb["market_cached"].get<bool>());
  EXPECT_FALSE(nlohmann::json::parse(read_file(c / "manifest.json"))["blocks"]["market_cached"].get<bool>());
}

TEST(Generate, ShardsConcatenateToTheWholeRun) {
  // Four shards write their parts into one folder; the parts, concatenated in order without
  // their headers, equal the one-shard files byte for byte, and the shared files are the same.
  const fs::path& whole = generated("");
  const fs::path dir = rs_test::temp_dir("shards") / "out";
  for (int i = 0; i < 4; ++i) {
    const auto r = run_binary("generate --quiet --config " + kSmall + " --shard " + std::to_string(i) + "/4 --out " + dir.string());
    ASSERT_EQ(r.code, 0) << r.err;
  }
  auto joined = [&](const std::string& stem, const std::string& ext) {
    std::string all;
    for (int i = 0; i < 4; ++i) {
      const std::string text = read_file(dir / stem / ("part-" + std::to_string(i) + "-of-4" + ext));
      EXPECT_FALSE(text.empty()) << stem << " part " << i;
      all += i == 0 ? text : text.substr(text.find('\n') + 1);
    }
    return all;
  };
  EXPECT_EQ(joined("transaction_data", ".csv"), read_file(whole / "transaction_data.csv"));
  EXPECT_EQ(joined("truth/households", ".csv"), read_file(whole / "truth/households.csv"));
  EXPECT_EQ(joined("truth/trips", ".csv"), read_file(whole / "truth/trips.csv"));
  for (const char* f : {"campaign_table", "coupon_redempt", "truth/campaign_households", "truth/outcomes"})
    EXPECT_EQ(joined(f, ".csv"), read_file(whole / (std::string(f) + ".csv"))) << f;
  for (const char* f : {"product.csv", "causal_data.csv", "truth/promotions.csv", "truth/products.csv", "truth/stores.csv",
                        "campaign_desc.csv", "coupon.csv", "truth/campaigns.csv"})
    EXPECT_EQ(read_file(dir / f), read_file(whole / f)) << f;
  // Store-week trips are per shard; their sum is the whole run's.
  double trips = 0;
  for (int i = 0; i < 4; ++i)
    for (const auto& r : rows_of(dir / "truth/store_weeks" / ("part-" + std::to_string(i) + "-of-4.csv"))) trips += std::stod(r[5]);
  EXPECT_EQ(trips, nlohmann::json::parse(read_file(whole / "manifest.json"))["totals"]["trips"].get<double>());
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(fs::exists(dir / "manifest" / ("part-" + std::to_string(i) + "-of-4.json")));
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos);
  // A shard refuses to overwrite its own finished parts without --force.
  const auto again = run_binary("generate --quiet --config " + kSmall + " --shard 1/4 --out " + dir.string());
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.err.find("part-1-of-4"), std::string::npos) << again.err;
}

TEST(Generate, TwoMpiRanksWriteTheShardsAndOneManifest) {
#ifndef RS_MPIEXEC
  GTEST_SKIP() << "built without MPI";
#else
  if (!fs::exists(RS_MPIEXEC)) GTEST_SKIP() << RS_MPIEXEC << " is not on this machine";
  const fs::path& whole = generated("");
  const fs::path dir = rs_test::temp_dir("mpi") / "out";
  const std::string cmd = std::string("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ") + RS_MPIEXEC +
                          " -np 2 --oversubscribe " + rs_test::binary() + " generate --quiet --config " + kSmall +
                          " --out " + dir.string() + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string p0 = read_file(dir / "transaction_data/part-0-of-2.csv");
  const std::string p1 = read_file(dir / "transaction_data/part-1-of-2.csv");
  EXPECT_EQ(p0 + p1.substr(p1.find('\n') + 1), read_file(whole / "transaction_data.csv"));
  // Rank 0's manifest lists every part with its rows and checksum; the totals add up.
  const auto m = nlohmann::json::parse(read_file(dir / "manifest.json"));
  const auto w = nlohmann::json::parse(read_file(whole / "manifest.json"));
  EXPECT_EQ(m["mpi"]["ranks"], 2);
  EXPECT_EQ(m["totals"]["transaction_rows"], w["totals"]["transaction_rows"]);
  EXPECT_EQ(m["totals"]["trips"], w["totals"]["trips"]);
  for (const char* f : {"transaction_data/part-0-of-2.csv", "transaction_data/part-1-of-2.csv", "truth/households/part-1-of-2.csv"})
    EXPECT_EQ(m["files"][f]["xxh64"].get<std::string>().size(), 16u) << f;
  EXPECT_EQ(m["files"]["transaction_data/part-0-of-2.csv"]["rows"].get<std::uint64_t>() +
                m["files"]["transaction_data/part-1-of-2.csv"]["rows"].get<std::uint64_t>(),
            w["files"]["transaction_data.csv"]["rows"].get<std::uint64_t>());
#endif
}

TEST(Generate, FullDiskGivesAClearErrorAndNothingComplete) {
  // A file-size limit makes writes fail the way a full disk does (EFBIG instead of ENOSPC).
  const fs::path dir = rs_test::temp_dir("full") / "out";
  const std::string cmd = "bash -c \"trap '' XFSZ; ulimit -f 200; exec " + rs_test::binary() + " generate --quiet --config " +
                          kSmall + " --out " + dir.string() + "\" 2> " + (dir.parent_path() / "err.txt").string();
  const int st = std::system(cmd.c_str());
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1) << st;
  const std::string err = read_file(dir.parent_path() / "err.txt");
  EXPECT_NE(err.find("write failed"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_FALSE(fs::exists(dir.string() + ".partial"));
}

TEST(Generate, KilledRunResumesToTheSameBytes) {
  // A run killed (SIGKILL) after its 4th block of households leaves no output folder, only a
  // partial one; --resume continues from the checkpoint and gives the uninterrupted bytes.
  for (const std::string extra : {"", " --compress zstd", " --set output.overlap_write=on"}) {
    const std::string flags = "--set output.block_households=37" + extra;
    const fs::path& whole = generated(flags);
    const fs::path dir = rs_test::temp_dir("resume") / "out";
    const std::string cmd = "generate --quiet --config " + kSmall + " --out " + dir.string() + " " + flags;
    const auto killed = run_binary(cmd, "RETAILSYNTH_TEST_KILL_AFTER_BLOCK=3");
    EXPECT_NE(killed.code, 0);
    EXPECT_FALSE(fs::exists(dir)) << "nothing that looks complete";
    EXPECT_TRUE(fs::exists(dir.string() + ".partial/checkpoint.json"));
    const auto resumed = run_binary(cmd + " --resume");
    ASSERT_EQ(resumed.code, 0) << resumed.err;
    for (const char* f : {"transaction_data.csv", "truth/households.csv", "truth/trips.csv", "causal_data.csv",
                          "truth/promotions.csv", "truth/store_weeks.csv"}) {
      const std::string name = extra.empty() || std::string(f) == "truth/households.csv" || std::string(f) == "truth/store_weeks.csv"
                                   ? std::string(f)
                                   : std::string(f) + ".zst";
      EXPECT_EQ(read_file(dir / name), read_file(whole / name)) << name << extra;
    }
    EXPECT_FALSE(fs::exists(dir.string() + ".partial"));
    const auto m = nlohmann::json::parse(read_file(dir / "manifest.json"));
    const auto w = nlohmann::json::parse(read_file(whole / "manifest.json"));
    EXPECT_EQ(m["files"], w["files"]) << "rows and checksums as uninterrupted";
    EXPECT_EQ(m["market"], w["market"]);
  }
}

TEST(Generate, WritingABlockWhileTheNextIsSimulatedChangesNoByte) {
  // output.overlap_write=on formats and writes block b on a second thread during block b + 1.
  const fs::path& plain = generated("--set output.block_households=37 --set output.overlap_write=off");
  for (const std::string threads : {"1", "2"}) {
    const fs::path dir = rs_test::temp_dir("overlap") / "out";
    const auto r = run_binary("generate --quiet --config " + kSmall + " --out " + dir.string() + " --threads " + threads +
                              " --set output.block_households=37 --set output.overlap_write=on");
    ASSERT_EQ(r.code, 0) << r.err;
    const auto m = nlohmann::json::parse(read_file(dir / "manifest.json"));
    const auto w = nlohmann::json::parse(read_file(plain / "manifest.json"));
    ASSERT_GT(m["blocks"]["count"].get<int>(), 2);
    EXPECT_EQ(m["files"], w["files"]) << "rows and checksums of every file";
    for (const char* f : {"transaction_data.csv", "truth/households.csv", "truth/trips.csv", "coupon_redempt.csv",
                          "truth/outcomes.csv", "truth/store_weeks.csv"})
      EXPECT_EQ(read_file(dir / f), read_file(plain / f)) << f << " on " << threads << " threads";
  }
}

TEST(Generate, ResumeRefusesAnotherConfigAndStartsAfreshWithout) {
  const fs::path dir = rs_test::temp_dir("resume2") / "out";
  const std::string cmd = "generate --quiet --config " + kSmall + " --out " + dir.string() + " --set output.block_households=37";
  EXPECT_NE(run_binary(cmd, "RETAILSYNTH_TEST_KILL_AFTER_BLOCK=1").code, 0);
  const auto other = run_binary(cmd + " --seed 99 --resume");
  EXPECT_EQ(other.code, 2);
  EXPECT_NE(other.err.find("another config"), std::string::npos) << other.err;
  ASSERT_EQ(run_binary(cmd).code, 0);  // no --resume: starts afresh
  EXPECT_EQ(read_file(dir / "transaction_data.csv"),
            read_file(generated("--set output.block_households=37") / "transaction_data.csv"));
}

TEST(Generate, ZstdOutputMatchesPlain) {
  const fs::path& z = generated("--compress zstd");
  ASSERT_TRUE(fs::exists(z / "transaction_data.csv.zst"));
  const fs::path plain = z.parent_path() / "plain.csv";
  ASSERT_EQ(std::system(("zstd -q -d -f " + (z / "transaction_data.csv.zst").string() + " -o " + plain.string() +
                         " 2>/dev/null || python3 -c 'import sys' ").c_str()),
            0);
  if (fs::exists(plain)) {
    EXPECT_EQ(read_file(plain), read_file(generated("") / "transaction_data.csv"));
  }
}

TEST(Generate, TripsFollowHouseholdRates) {
  // Trips per household-week ~ Poisson(trip_rate_i * (1 + promo_sensitivity_i * M[home, t]))
  // (capped at 12): the run's total matches the sum of those means within 5 standard errors.
  const fs::path& d = generated("");
  const auto m = nlohmann::json::parse(read_file(d / "manifest.json"));
  std::map<std::pair<std::string, int>, double> signal;  // (STORE_ID, week) -> M
  for (const auto& r : rows_of(d / "truth/store_weeks.csv")) signal[{r[0], std::stoi(r[1])}] = std::stod(r[2]);
  double expected = 0, base = 0;
  for (const auto& r : rows_of(d / "truth/households.csv"))
    for (int w = 1; w <= 8; ++w) {
      expected += std::stod(r[2]) * (1 + std::stod(r[13]) * signal.at({r[1], w}));
      base += std::stod(r[2]);
    }
  const double trips = m["totals"]["trips"].get<double>();
  EXPECT_NEAR(trips, expected, 5 * std::sqrt(expected));
  EXPECT_GT(trips, base + 5 * std::sqrt(base)) << "the marketing lift is there";
  // truth/store_weeks.csv counts the same trips by store.
  double by_store = 0;
  for (const auto& r : rows_of(d / "truth/store_weeks.csv")) by_store += std::stod(r[5]);
  EXPECT_EQ(by_store, trips);
}

TEST(Generate, QuantityFollowsHouseholdScale) {
  // At regular price QUANTITY = 1 + Poisson(quantity_scale_i): over non-promoted lines the sum
  // of (qty - 1) matches the sum of the buyers' scales within 5 standard errors.
  const fs::path& d = generated("");
  std::map<std::string, double> qscale;
  for (const auto& r : rows_of(d / "truth/households.csv")) qscale[r[0]] = std::stod(r[7]);
  double extra = 0, expected = 0;
  for (const auto& r : rows_of(d / "transaction_data.csv")) {
    if (r[7] != "0.00") continue;
    extra += std::stod(r[4]) - 1;
    expected += qscale.at(r[0]);
  }
  EXPECT_NEAR(extra, expected, 5 * std::sqrt(expected));
}

TEST(Generate, PriceSensitiveHouseholdsBuyCheaper) {
  // Within the model, a more negative beta_price shifts choice to cheaper products: the mean
  // unit price paid by the most price-sensitive third is below that of the least sensitive.
  const fs::path& d = generated("--set scale.households=1200 --set scale.weeks=4");
  std::map<std::string, double> beta;
  for (const auto& r : rows_of(d / "truth/households.csv")) beta[r[0]] = std::stod(r[4]);
  std::vector<double> sorted;
  for (auto& [k, b] : beta) sorted.push_back(b);
  std::sort(sorted.begin(), sorted.end());
  const double lo = sorted[sorted.size() / 3], hi = sorted[2 * sorted.size() / 3];
  double sum_lo = 0, sum_hi = 0, sq_lo = 0, sq_hi = 0;
  int n_lo = 0, n_hi = 0;
  for (const auto& r : rows_of(d / "transaction_data.csv")) {
    const double lp = std::log(std::stod(r[5]) / std::stod(r[4]));
    const double b = beta.at(r[0]);
    if (b < lo) sum_lo += lp, sq_lo += lp * lp, ++n_lo;
    if (b > hi) sum_hi += lp, sq_hi += lp * lp, ++n_hi;
  }
  const double m_lo = sum_lo / n_lo, m_hi = sum_hi / n_hi;
  const double se = std::sqrt((sq_lo / n_lo - m_lo * m_lo) / n_lo + (sq_hi / n_hi - m_hi * m_hi) / n_hi);
  EXPECT_LT(m_lo, m_hi - 3 * se) << "sensitive " << m_lo << " vs insensitive " << m_hi;
}

TEST(Cli, ExistingOutputRefusedUnlessForce) {
  const fs::path d = rs_test::temp_dir("force");
  rs_test::write_file(d / "keep.txt", "mine");
  auto r = run_binary("generate --quiet --config " + kSmall + " --out " + d.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not empty"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(d / "keep.txt"), "mine");
  r = run_binary("generate --quiet --config " + kSmall + " --out " + d.string() + " --force");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(fs::exists(d / "keep.txt"));
  EXPECT_TRUE(fs::exists(d / "transaction_data.csv"));
}

TEST(Cli, BadInputExitsTwoWithOneLineAndNoOutput) {
  const fs::path base = rs_test::temp_dir("bad");
  rs_test::write_file(base / "bad.yaml", "scale:\n  households: 10\n  wekks: 3\n");
  struct Case {
    std::string args, expect;
  } cases[] = {
      {"generate --config " + (base / "bad.yaml").string(), "bad.yaml:3: scale.wekks: unknown key"},
      {"generate --config " + kSmall + " --set scale.weeks=0", "scale.weeks: must be in [1, 4095]"},
      {"generate --config " + kSmall + " --set catalog.source=file --set catalog.file=/nonexistent/p.csv",
       "/nonexistent/p.csv: cannot open"},
      {"generate --config /nonexistent.yaml", "/nonexistent.yaml: cannot read the config file"},
      {"generate --config " + kSmall + " --shard 3/2", "--shard"},
      {"generate --config " + kSmall + " --bogus-flag", "bogus-flag"},
      {"generate --config " + kSmall + " --backend gpu", "--backend"},
  };
  for (const auto& c : cases) {
    const fs::path out = base / "out";
    const auto r = run_binary(c.args + " --out " + out.string());
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_FALSE(fs::exists(out)) << c.args;
    for (const auto& e : fs::directory_iterator(base))
      EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << "left " << e.path();
  }
}
