// Errors a user meets first: filesystem problems, a negative --seed, a cross-key config check, a
// broken catalog CSV, a missing GPU; and what an interrupted, resumed or discarded run says.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_helpers.h"

namespace fs = std::filesystem;
using rs_test::read_file;
using rs_test::run_binary;
using rs_test::write_file;

namespace {

const std::string kTiny = "generate --quiet --config " + rs_test::source_path("configs/small.yaml") + " --set scale.households=40";

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST(Errors, AParentThatIsAFileIsOneLineAndExitTwo) {
  const fs::path root = rs_test::temp_dir("fserr");
  write_file(root / "afile", "x");
  const auto r = run_binary(kTiny + " --out " + (root / "afile" / "out").string());
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.find("filesystem error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find((root / "afile").string() + ": "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Not a directory"), std::string::npos) << r.err;
}

TEST(Errors, ANegativeOrHugeSeedFlagIsRefusedLikeTheConfigKey) {
  for (const char* s : {"-1", "18446744073709551616", "1.5", "7x"}) {
    const fs::path out = rs_test::temp_dir("seed") / "out";
    const auto r = run_binary(kTiny + " --seed " + s + " --out " + out.string());
    EXPECT_EQ(r.code, 2) << s;
    EXPECT_EQ(lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(std::string("--seed ") + s + ": expected a non-negative integer"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << s;
  }
  const fs::path out = rs_test::temp_dir("seed") / "out";
  EXPECT_EQ(run_binary(kTiny + " --seed 18446744073709551615 --set scale.weeks=2 --out " + out.string()).code, 0);
}

TEST(Errors, ACrossKeyCheckBlamesTheSetOverrideNotTheFile) {
  const auto r = run_binary("generate --quiet --config " + rs_test::source_path("configs/default.yaml") +
                            " --set promotions.depth_min=0.6 --out " + (rs_test::temp_dir("blame") / "out").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("retailsynth: --set promotions.depth_min=0.6: promotions.depth_min: must be below", 0), 0u) << r.err;
}

TEST(Errors, ABrokenCatalogCsvNamesTheFileOnceWithItsLine) {
  const fs::path root = rs_test::temp_dir("badcsv");
  const fs::path f = root / "product.csv";
  write_file(f, "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n"
                "1,2,GROCERY,National,SOUP,SOUP,1 OZ\n2,2,GROCERY,National,\"SOUP,SOUP,1 OZ\n");
  const auto r = run_binary(kTiny + " --set catalog.source=file --set catalog.file=" + f.string() + " --out " + (root / "out").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "retailsynth: " + f.string() + ":3: a quoted field is not closed\n");
  write_file(f, "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n1,2,GROCERY\n");
  const auto few = run_binary(kTiny + " --set catalog.source=file --set catalog.file=" + f.string() + " --out " + (root / "out").string());
  EXPECT_EQ(few.err, "retailsynth: " + f.string() + ":2: too few fields (expected 7)\n");
}

TEST(Errors, CudaWithoutAGpuSaysSoAndNamesTheWayOut) {
  const auto r = run_binary(kTiny + " --backend cuda --set scale.weeks=2 --out " + (rs_test::temp_dir("nogpu") / "out").string());
  if (r.code == 0) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("--backend cuda: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("use --backend cpu or auto"), std::string::npos) << r.err;
}

TEST(Errors, AnInterruptSaysWhereThePartialRunIsAndResumeSaysWhereItStarts) {
  const fs::path out = rs_test::temp_dir("sigint") / "out";
  const std::string cmd = kTiny + " --set output.block_households=10 --out " + out.string();
  const auto killed = run_binary(cmd, "RETAILSYNTH_TEST_KILL_AFTER_BLOCK=1 RETAILSYNTH_TEST_SIGNAL=INT");
  EXPECT_EQ(killed.code, 130);
  EXPECT_EQ(killed.err, "retailsynth: interrupted; 2 of 4 blocks of households are kept in " + out.string() +
                            ".partial: the same command with --resume continues from there\n");
  // Without --quiet, --resume says where it starts.
  std::string loud = cmd;
  loud.replace(loud.find(" --quiet"), 8, "");
  const auto resumed = run_binary(loud + " --resume");
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("retailsynth: resuming " + out.string() + ".partial at block 3 of 4\n"), std::string::npos)
      << resumed.err;
  // A rerun without --resume says that it discards the partial run.
  fs::remove_all(out);
  ASSERT_NE(run_binary(cmd, "RETAILSYNTH_TEST_KILL_AFTER_BLOCK=0").code, 0);
  const auto fresh = run_binary(cmd);
  EXPECT_EQ(fresh.code, 0);
  EXPECT_EQ(fresh.err, "retailsynth: " + out.string() + ".partial: discarding a partial run (1 blocks of households done; "
                       "--resume continues it)\n");
}

TEST(FirstUse, LearnSeasonalityReadsZstdOutputAndCreatesTheOutFolder) {
  const fs::path root = rs_test::temp_dir("learnz");
  for (const char* c : {"none", "zstd"})
    ASSERT_EQ(run_binary(kTiny + " --compress " + std::string(c) + " --out " + (root / c).string()).code, 0);
  auto learn = [&](const std::string& tx, const fs::path& out) {
    return run_binary("learn-seasonality --transactions " + tx + " --products " + (root / "none" / "product.csv").string() +
                      " --out " + out.string() + " --svg " + (out.parent_path() / "t.svg").string());
  };
  const fs::path plain = root / "a" / "b" / "plain.csv", packed = root / "c" / "packed.csv";
  const auto a = learn((root / "none" / "transaction_data.csv").string(), plain);
  EXPECT_EQ(a.code, 0) << a.err;
  const auto b = learn((root / "zstd" / "transaction_data.csv.zst").string(), packed);
  EXPECT_EQ(b.code, 0) << b.err;
  ASSERT_TRUE(fs::exists(plain) && fs::exists(packed));
  EXPECT_EQ(read_file(plain), read_file(packed));
  EXPECT_TRUE(fs::exists(root / "c" / "t.svg"));
}

TEST(FirstUse, CampaignsOutsideTheWeeksAreNamed) {
  // configs/small.yaml: A1 weeks 2-6, B1 1-8, C1 3-5.
  const fs::path root = rs_test::temp_dir("camp");
  std::string cmd = kTiny + " --set scale.weeks=4 --out " + (root / "a").string();
  cmd.replace(cmd.find(" --quiet"), 8, "");
  const auto r = run_binary(cmd);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("retailsynth: note: 3 of 3 end after week 4 and are cut there: A1, B1, C1\n"), std::string::npos) << r.err;
  cmd = kTiny + " --set scale.weeks=2 --out " + (root / "b").string();
  cmd.replace(cmd.find(" --quiet"), 8, "");
  const auto s = run_binary(cmd);
  EXPECT_NE(s.err.find("retailsynth: note: 1 of 3 campaigns start after week 2 (scale.weeks) and are left out: C1; 2 of 3 "
                       "end after week 2 and are cut there: A1, B1\n"),
            std::string::npos)
      << s.err;
  // Quiet runs stay quiet.
  EXPECT_EQ(run_binary(kTiny + " --set scale.weeks=2 --out " + (root / "c").string()).err, "");
}
