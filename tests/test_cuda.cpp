// CUDA equivalence: skipped (GTEST_SKIP) without a device, failed instead with RS_REQUIRE_CUDA=1;
// the CPU backend covers every behaviour through the same shared functions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "backend.h"
#include "config.h"
#include "cuda_backend.h"
#include "engine/heterogeneity.h"
#include "market.h"
#include "retailsynth/model/dist_spec.h"
#include "retailsynth/rng/philox.h"
#include "test_helpers.h"

using namespace retailsynth;

// RS_REQUIRE_CUDA=1 (set on a GPU machine) turns the skip into a failure, so a CUDA start that
// breaks there cannot read as a pass.
static bool cuda_required() {
  const char* e = std::getenv("RS_REQUIRE_CUDA");
  return e && std::string(e) == "1";
}

// A macro, so that GTEST_SKIP and FAIL return from the test body itself.
#define REQUIRE_DEVICE()                                                              \
  do {                                                                                \
    std::string why_;                                                                 \
    if (!cuda_device_available(&why_)) {                                              \
      if (cuda_required()) FAIL() << "RS_REQUIRE_CUDA=1 and no CUDA device: " << why_; \
      GTEST_SKIP() << "no CUDA device: " << why_;                                     \
    }                                                                                 \
  } while (0)

namespace {

/// The files that must match byte for byte between the CPU and GPU runs in `a` and `b`; on a
/// difference, the share of identical rows is reported.
void expect_same_files(const std::filesystem::path& a_dir, const std::filesystem::path& b_dir) {
  for (const char* f : {"transaction_data.csv", "truth/households.csv", "truth/trips.csv", "truth/store_weeks.csv",
                        "product.csv"}) {
    const std::string a = rs_test::read_file(a_dir / f), b = rs_test::read_file(b_dir / f);
    EXPECT_FALSE(a.empty()) << f;
    if (a == b) continue;
    std::istringstream sa(a), sb(b);
    std::string la, lb;
    size_t rows = 0, same = 0;
    while (std::getline(sa, la)) {
      ++rows;
      if (std::getline(sb, lb) && la == lb) ++same;
    }
    ADD_FAILURE() << f << ": " << same << " of " << rows << " rows identical (" << 100.0 * same / rows << "%)";
  }
}

}  // namespace

TEST(Cuda, PhiloxWordsMatchHostAndCurand) {
  REQUIRE_DEVICE();
  // The kernels draw from the project's Philox; it must give cuRAND's words and the host's.
  for (u64 seed : {u64{0}, u64{20170101}, ~u64{0}}) {
    for (u64 sub : {u64{0}, u64{1}, u64{123456789}, u64{1} << 62}) {
      for (u64 off : {u64{0}, u64{1}, u64{3}, u64{6}, (u64{3} << 52) | (u64{2} << 48) | (u64{7} << 28)}) {
        const auto dev = cuda::philox_words(seed, sub, off, 37);
        const auto cur = cuda::curand_philox_words(seed, sub, off, 37);
        rng::PhiloxStream host(seed, sub, off);
        for (int i = 0; i < 37; ++i) {
          const u32 h = host.next_u32();
          ASSERT_EQ(dev[i], h) << seed << " " << sub << " " << off << " " << i;
          ASSERT_EQ(cur[i], h) << seed << " " << sub << " " << off << " " << i;
        }
      }
    }
  }
}

TEST(Cuda, DistributionsBitIdenticalToHost) {
  REQUIRE_DEVICE();
  const DistSpec specs[] = {{DistKind::kNormal, -2.5f, 0.8f, -8.0f, 0.0f},
                            {DistKind::kLogNormal, -0.42f, 1.0f, 0.0f, 10.0f},
                            {DistKind::kBeta, 8.0f, 2.0f},
                            {DistKind::kGamma, 0.7f, 0.15f},
                            {DistKind::kUniform, -1.0f, 3.0f}};
  for (const auto& d : specs) {
    const int n = 20000;
    const auto dev = cuda::sample_distribution(d, 42, n);
    int same = 0;
    for (int i = 0; i < n; ++i) {
      rng::PhiloxStream g(42, static_cast<u64>(i), 0);
      same += dev[i] == sample(d, g);
    }
    EXPECT_EQ(same, n) << "kind " << static_cast<int>(d.kind);
  }
}

TEST(Cuda, TransactionsIdenticalToCpu) {
  REQUIRE_DEVICE();
  const auto dir = rs_test::temp_dir("cuda_eq");
  const std::string cfg = rs_test::source_path("configs/small.yaml");
  ASSERT_EQ(rs_test::run_binary("generate --quiet --config " + cfg + " --backend cpu --out " + (dir / "cpu").string()).code, 0);
  ASSERT_EQ(rs_test::run_binary("generate --quiet --config " + cfg + " --backend cuda --out " + (dir / "gpu").string()).code, 0);
  expect_same_files(dir / "cpu", dir / "gpu");
  std::filesystem::remove_all(dir);
}

TEST(Cuda, DefaultConfigAndScenariosIdenticalToCpu) {
  REQUIRE_DEVICE();
  // The default (learned) world with its coupon campaigns, several blocks; then a scenario set.
  const auto dir = rs_test::temp_dir("cuda_default");
  const std::string cfg = rs_test::source_path("configs/default.yaml");
  const std::string sets = " --set scale.households=2000 --set scale.weeks=13 --set output.block_households=700";
  for (const char* b : {"cpu", "cuda"})
    ASSERT_EQ(rs_test::run_binary("generate --quiet --config " + cfg + sets + " --backend " + b + " --out " +
                                  (dir / b).string()).code, 0);
  expect_same_files(dir / "cpu", dir / "cuda");
  const std::string small = rs_test::source_path("configs/small.yaml");
  const std::string scen = " --scenario " + rs_test::source_path("configs/scenarios/I_frequent_shallow.yaml") +
                           " --scenario " + rs_test::source_path("configs/scenarios/IV_rare_deep.yaml");
  for (const char* b : {"cpu", "cuda"})
    ASSERT_EQ(rs_test::run_binary("generate --quiet --config " + small + scen + " --backend " + b + " --out " +
                                  (dir / (std::string("s-") + b)).string()).code, 0);
  for (const char* sub : {"I_frequent_shallow", "IV_rare_deep"}) expect_same_files(dir / "s-cpu" / sub, dir / "s-cuda" / sub);
  std::filesystem::remove_all(dir);
}

TEST(Cuda, EmptyBlockLaunchesNothingAndMatchesCpu) {
  REQUIRE_DEVICE();
  const Config cfg = load_config(rs_test::source_path("configs/small.yaml"));
  const Catalog cat = build_catalog(cfg);
  const Stores stores = build_stores(cfg);
  const Market market(cfg, cat, stores);
  const Missions missions = make_missions(cfg, cat);
  const Demographics demographics = make_demographics(cfg, cat);
  const RunSetup setup{cfg.seed, cat.view(), make_household_spec(cfg, stores, &demographics), missions.view(), make_choice_params(cfg),
                       market.campaigns().view()};
  MarketCursor cursor(cfg, market);
  WeekInputs week;
  cursor.next(week);
  std::string why;
  for (i32 n : {0, 37, 0}) {
    WeekRecords want, got;
    HouseholdBlock bc, bg;
    auto cpu = make_cpu_backend();
    auto gpu = make_cuda_backend(&why);
    ASSERT_TRUE(gpu) << why;
    cpu->prepare(setup);
    gpu->prepare(setup);
    cpu->sample_households(5, n, bc);
    gpu->sample_households(5, n, bg);
    EXPECT_EQ(bg.params, bc.params);
    EXPECT_EQ(bg.home_store, bc.home_store);
    EXPECT_EQ(bg.secondary, bc.secondary);
    cpu->simulate_week(week, want);
    gpu->simulate_week(week, got);
    EXPECT_EQ(got.offsets, want.offsets) << n;
    EXPECT_EQ(got.trips, want.trips) << n;
    EXPECT_EQ(got.store_trips, want.store_trips) << n;
    ASSERT_EQ(got.records.size(), want.records.size()) << n;
    const auto fields = [](const Record& r) {
      return std::make_tuple(r.product, r.shelf_cents, r.base_cents, r.store, r.quantity, r.trip, r.day, r.minute,
                             r.mission, r.display, r.feature, r.depth_pct, r.coupon_cents, r.match_cents, r.campaign);
    };
    for (size_t i = 0; i < want.records.size(); ++i)
      ASSERT_TRUE(fields(got.records[i]) == fields(want.records[i])) << n << " record " << i;
  }
}

TEST(Cuda, StickyDeviceErrorEndsWithOneLineAndExitOne) {
  REQUIRE_DEVICE();
  // A kernel that traps in week 2 leaves the context broken: the run ends with one line naming
  // the CUDA call and exit code 1 (no abort from Thrust destructors), and writes no output.
  const auto dir = rs_test::temp_dir("cuda_trap");
  const auto r = rs_test::run_binary("generate --quiet --config " + rs_test::source_path("configs/small.yaml") +
                                         " --backend cuda --out " + (dir / "out").string(),
                                     "RETAILSYNTH_TEST_CUDA_TRAP_WEEK=2");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("retailsynth: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cuda"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "transaction_data.csv"));
  std::filesystem::remove_all(dir);
}

namespace {

int cuda_test_count() {
  const auto& u = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < u.total_test_suite_count(); ++i)
    if (std::string(u.GetTestSuite(i)->name()) == "Cuda") return u.GetTestSuite(i)->total_test_count();
  return 0;
}

/// Runs this test binary on the Cuda tests with `env`; returns the exit code and the output.
std::pair<int, std::string> run_cuda_tests(const std::string& env) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string cmd = "env " + env + " " + self + " --gtest_filter='Cuda.*' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  const int st = p ? pclose(p) : -1;
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

}  // namespace

TEST(CudaGate, RequireCudaTurnsEverySkipIntoAFailure) {
  std::string why;
  if (cuda_device_available(&why)) GTEST_SKIP() << "a CUDA device is present: the Cuda tests run for real";
  const int n = cuda_test_count();
  ASSERT_GT(n, 0);
  const std::string count = std::to_string(n) + (n == 1 ? " test," : " tests,");
  const auto skipped = run_cuda_tests("-u RS_REQUIRE_CUDA");
  EXPECT_EQ(skipped.first, 0) << skipped.second;
  EXPECT_NE(skipped.second.find("[  SKIPPED ] " + count), std::string::npos) << skipped.second;
  const auto failed = run_cuda_tests("RS_REQUIRE_CUDA=1");
  EXPECT_EQ(failed.first, 1) << failed.second;
  EXPECT_NE(failed.second.find("[  FAILED  ] " + count), std::string::npos) << failed.second;
  EXPECT_EQ(failed.second.find("SKIPPED"), std::string::npos) << failed.second;
  EXPECT_NE(failed.second.find("RS_REQUIRE_CUDA=1 and no CUDA device"), std::string::npos) << failed.second;
}
