// CUDA equivalence: skipped (GTEST_SKIP) without a device; the CPU backend covers every
// behaviour through the same shared functions.
#include <gtest/gtest.h>

#include "backend.h"
#include "cuda_backend.h"
#include "retailsynth/model/dist_spec.h"
#include "retailsynth/rng/philox.h"
#include "test_helpers.h"

using namespace retailsynth;

// A macro, so that GTEST_SKIP returns from the test body itself.
#define REQUIRE_DEVICE()                                                          \
  do {                                                                            \
    std::string why_;                                                             \
    if (!cuda_device_available(&why_)) GTEST_SKIP() << "no CUDA device: " << why_; \
  } while (0)

TEST(Cuda, PhiloxWordsMatchHost) {
  REQUIRE_DEVICE();
  for (u64 seed : {u64{0}, u64{20170101}, ~u64{0}}) {
    for (u64 sub : {u64{0}, u64{1}, u64{123456789}, u64{1} << 62}) {
      for (u64 off : {u64{0}, u64{1}, u64{3}, u64{6}, (u64{3} << 52) | (u64{2} << 48) | (u64{7} << 28)}) {
        const auto dev = cuda::philox_words(seed, sub, off, 37);
        rng::PhiloxStream host(seed, sub, off);
        for (int i = 0; i < 37; ++i) ASSERT_EQ(dev[i], host.next_u32()) << seed << " " << sub << " " << off << " " << i;
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
  for (const char* f : {"transaction_data.csv", "truth/households.csv", "product.csv"}) {
    const std::string a = rs_test::read_file(dir / "cpu" / f), b = rs_test::read_file(dir / "gpu" / f);
    if (a == b) continue;
    // Report the share of identical rows before failing.
    std::istringstream sa(a), sb(b);
    std::string la, lb;
    size_t rows = 0, same = 0;
    while (std::getline(sa, la)) {
      ++rows;
      if (std::getline(sb, lb) && la == lb) ++same;
    }
    ADD_FAILURE() << f << ": " << same << " of " << rows << " rows identical (" << 100.0 * same / rows << "%)";
  }
  std::filesystem::remove_all(dir);
}
