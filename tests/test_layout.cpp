// Code layout rules that the compiler does not check: the CUDA translation unit sees the
// backends' plain interface only, never a host engine header (DESIGN §5).
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "test_helpers.h"

namespace fs = std::filesystem;

namespace {

/// Every project file reached from `start` through `#include "..."`, resolved the way the
/// build resolves them (the including file's folder, then include/, host/, kernels/).
std::set<std::string> project_includes(const std::string& start) {
  const fs::path root = rs_test::source_dir();
  const std::regex inc(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::set<std::string> seen;
  std::vector<fs::path> todo{root / start};
  while (!todo.empty()) {
    const fs::path file = todo.back();
    todo.pop_back();
    const std::string rel = fs::relative(file, root).generic_string();
    if (!seen.insert(rel).second) continue;
    std::istringstream in(rs_test::read_file(file));
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
      if (!std::regex_search(line, m, inc)) continue;
      for (const fs::path& dir : {file.parent_path(), root / "include", root / "host", root / "kernels"})
        if (fs::exists(dir / m[1].str())) {
          todo.push_back(fs::canonical(dir / m[1].str()));
          break;
        }
    }
  }
  return seen;
}

}  // namespace

TEST(Layout, CudaTranslationUnitReachesNoHostEngineHeader) {
  const auto reached = project_includes("kernels/cuda_backend.cu");
  EXPECT_TRUE(reached.count("host/backend.h"));
  EXPECT_TRUE(reached.count("host/week_inputs.h"));
  EXPECT_TRUE(reached.count("include/retailsynth/model/household_week.h"));
  const std::set<std::string> allowed{"host/backend.h", "host/week_inputs.h"};
  for (const auto& f : reached) {
    if (f.rfind("host/", 0) == 0) {
      EXPECT_TRUE(allowed.count(f)) << "kernels/cuda_backend.cu reaches " << f;
    }
  }
}

TEST(Layout, TheWalkFindsEngineHeadersWhereTheyAre) {
  // The check above can fail: the same walk from the market reaches the engines.
  const auto reached = project_includes("host/market.h");
  EXPECT_TRUE(reached.count("host/engine/promotion.h"));
  EXPECT_TRUE(reached.count("host/week_inputs.h"));
}
