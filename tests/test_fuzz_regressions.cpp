// Hostile input for the readers (issue 8): every input found by fuzz/run.sh (fuzz/regressions/<target>/),
// the seed corpora (fuzz/corpus/<target>/) and hand-made hostile inputs must either load or throw
// InputError with a one-line message.  Any other exception fails the test; a crash fails the run.
// The inputs are fed the way the libFuzzer harnesses in fuzz/ feed them.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "analysis/dataset.h"
#include "config.h"
#include "io/csv.h"
#include "seasonality/table.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using namespace retailsynth;

namespace {

const char* const kTargets[] = {"product_table", "seasonality_table", "config", "dataset"};

/// Runs `f`; passes when it returns or throws InputError with a non-empty one-line message.
void expect_clean(const std::string& what, const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_FALSE(msg.empty()) << what;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << what << ": message spans lines: " << msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": threw " << typeid(e).name() << " instead of InputError: " << e.what();
  } catch (...) {
    ADD_FAILURE() << what << ": threw a non-std exception instead of InputError";
  }
}

class Scratch {
 public:
  Scratch() : dir_(rs_test::temp_dir("fuzzreg")) {}
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

// The four targets, fed as in fuzz/fuzz_<target>.cpp.
void run_product_table(const fs::path& dir, const std::string& bytes) {
  const fs::path p = dir / "product.csv";
  rs_test::write_file(p, bytes);
  (void)read_product_table(p.string());
}

void run_seasonality_table(const fs::path& dir, const std::string& bytes) {
  const fs::path p = dir / "seasonality.csv";
  rs_test::write_file(p, bytes);
  const SeasonalityTable t = SeasonalityTable::load(p.string());
  (void)t.to_csv();
}

/// YAML text, then NUL-separated --set overrides (at most 4).
void run_config(const fs::path& dir, const std::string& bytes) {
  const size_t nul = bytes.find('\0');
  std::vector<std::string> overrides;
  for (size_t pos = nul; pos != std::string::npos && overrides.size() < 4;) {
    const size_t next = bytes.find('\0', pos + 1);
    overrides.push_back(bytes.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1));
    pos = next;
  }
  const fs::path p = dir / "config.yaml";
  rs_test::write_file(p, bytes.substr(0, nul));
  (void)load_config(p.string(), overrides);
}

/// Transactions, a NUL byte, products.
void run_dataset(const fs::path& dir, const std::string& bytes) {
  const size_t nul = bytes.find('\0');
  const fs::path d = dir / "dataset";
  fs::create_directories(d);
  rs_test::write_file(d / "transaction_data.csv", bytes.substr(0, nul));
  rs_test::write_file(d / "product.csv", nul == std::string::npos ? std::string() : bytes.substr(nul + 1));
  (void)load_dataset(d.string());
}

void run_target(const std::string& target, const fs::path& dir, const std::string& bytes) {
  if (target == "product_table") run_product_table(dir, bytes);
  else if (target == "seasonality_table") run_seasonality_table(dir, bytes);
  else if (target == "config") run_config(dir, bytes);
  else run_dataset(dir, bytes);
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

const std::string kTcjProductHeader =
    "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n";
const std::string kCj2ProductHeader = "product_id,manufacturer_id,department,brand,product_category,product_type,package_size\n";
const std::string kTcjTxHeader =
    "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,WEEK_NO,COUPON_DISC,"
    "COUPON_MATCH_DISC\n";
const std::string kCj2TxHeader =
    "household_id,store_id,basket_id,product_id,quantity,sales_value,retail_disc,coupon_disc,coupon_match_disc,week,"
    "transaction_timestamp\n";
const std::string kSeasonHeader = "level,key,week_of_year,index,reliability,n\n";
const std::string kProducts = kTcjProductHeader + "1,2,GROCERY,National,SOUP,SOUP,\n2,2,GROCERY,Private,BREAD,BREAD,\n";

std::string garbage(size_t n, unsigned seed) {
  std::string s(n, '\0');
  unsigned x = seed;
  for (auto& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 16);
  }
  return s;
}

std::string season_key(const std::string& level, const std::string& key, const std::string& index) {
  std::string s;
  for (int w = 1; w <= 52; ++w) s += level + "," + key + "," + std::to_string(w) + "," + index + ",NA,1\n";
  return s;
}

/// Hostile inputs shared by every target (each target sees them as its whole input).
std::vector<std::pair<std::string, std::string>> generic_inputs() {
  const std::string big_line(1 << 20, 'x');
  return {
      {"empty file", ""},
      {"one newline", "\n"},
      {"binary garbage", garbage(4096, 1)},
      {"binary garbage with NULs", garbage(512, 7) + std::string(64, '\0') + garbage(512, 9)},
      {"1 MB line", big_line},
      {"1 MB line after a header", kTcjProductHeader + big_line + "\n"},
      {"unterminated quote", "\"abc,def\nghi\n"},
      {"CR-only line ends", "a,b,c\r1,2,3\r4,5,6\r"},
      {"UTF-8 byte-order mark", "\xEF\xBB\xBF" "a,b\n"},
  };
}

}  // namespace

TEST(FuzzRegression, FoundInputsAndSeeds) {
  Scratch s;
  size_t n = 0;
  for (const char* t : kTargets) {
    for (const char* sub : {"fuzz/regressions/", "fuzz/corpus/"}) {
      for (const fs::path& f : files_under(rs_test::source_path(std::string(sub) + t))) {
        if (f.filename().string()[0] == '.') continue;  // .gitkeep
        const std::string bytes = rs_test::read_file(f);
        expect_clean(std::string(t) + " <- " + f.string(), [&] { run_target(t, s.dir(), bytes); });
        ++n;
      }
    }
  }
  EXPECT_GT(n, 0u) << "no seed corpus under " << rs_test::source_path("fuzz/corpus");
}

TEST(FuzzRegression, GenericHostileInputsEveryTarget) {
  Scratch s;
  for (const auto& [name, bytes] : generic_inputs())
    for (const char* t : kTargets) expect_clean(std::string(t) + " <- " + name, [&, t = t] { run_target(t, s.dir(), bytes); });
  // Also as the product table beside a valid transaction file, and as transactions beside a valid product table.
  for (const auto& [name, bytes] : generic_inputs()) {
    std::string as_products = kTcjTxHeader + "1,1,1,1,1,1.0,1,0,1,1,0,0\n";
    as_products += '\0';
    as_products += bytes;
    expect_clean("dataset products <- " + name, [&] { run_dataset(s.dir(), as_products); });
    std::string as_tx = kTcjTxHeader + bytes;
    as_tx += '\0';
    as_tx += kProducts;
    expect_clean("dataset transactions <- " + name, [&] { run_dataset(s.dir(), as_tx); });
  }
}

TEST(FuzzRegression, ProductTableHostile) {
  Scratch s;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"header only", kTcjProductHeader},
      {"huge id", kTcjProductHeader + "99999999999999999999999999,2,GROCERY,National,SOUP,SOUP,\n"},
      {"id 1e400", kTcjProductHeader + "1e400,2,GROCERY,National,SOUP,SOUP,\n"},
      {"id 9e18", kTcjProductHeader + "9e18,2,GROCERY,National,SOUP,SOUP,\n"},
      {"id nan", kTcjProductHeader + "nan,2,GROCERY,National,SOUP,SOUP,\n"},
      {"id inf", kTcjProductHeader + "inf,2,GROCERY,National,SOUP,SOUP,\n"},
      {"id -0", kTcjProductHeader + "-0,2,GROCERY,National,SOUP,SOUP,\n"},
      {"unterminated quote in a row", kTcjProductHeader + "1,2,\"GROCERY,National,SOUP,SOUP,\n"},
      {"too few columns", kTcjProductHeader + "1,2\n"},
      {"too many columns", kTcjProductHeader + "1,2,3,4,5,6,7,8,9,10\n"},
      {"CR-only", "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\r1,2,G,N,S,S,\r"},
      {"CJ2 header, NUL in a field", kCj2ProductHeader + std::string("1,2,GRO\0CERY,National,SOUP,SOUP,NA\n", 36)},
      {"duplicate header columns", "PRODUCT_ID,PRODUCT_ID,COMMODITY_DESC\n1,1,SOUP\n"},
      {"1 MB field", kTcjProductHeader + "1,2,GROCERY,National," + std::string(1 << 20, 'S') + ",SOUP,\n"},
  };
  for (const auto& [name, bytes] : cases) expect_clean("product_table <- " + name, [&] { run_product_table(s.dir(), bytes); });
}

TEST(FuzzRegression, SeasonalityTableHostile) {
  Scratch s;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"header only", kSeasonHeader},
      {"NaN index", kSeasonHeader + season_key("category", "SOUP", "nan")},
      {"inf index", kSeasonHeader + season_key("category", "SOUP", "inf")},
      {"huge index", kSeasonHeader + season_key("category", "SOUP", "1e308")},
      {"denormal index", kSeasonHeader + season_key("category", "SOUP", "1e-320")},
      {"huge product id", kSeasonHeader + season_key("product", "99999999999999999999999", "1")},
      {"huge week", kSeasonHeader + "traffic,ALL,99999999999999999999,1,NA,1\n"},
      {"huge n", kSeasonHeader + "traffic,ALL,1,1,NA,99999999999999999999\n"},
      {"NaN reliability", kSeasonHeader + "traffic,ALL,1,1,nan,1\n"},
      {"unterminated quote", kSeasonHeader + "category,\"SOUP,1,1,NA,1\n"},
      {"CR-only", "level,key,week_of_year,index,reliability,n\rtraffic,ALL,1,1,NA,1\r"},
      {"duplicate week", kSeasonHeader + "traffic,ALL,1,1,NA,1\ntraffic,ALL,1,1,NA,1\n"},
  };
  for (const auto& [name, bytes] : cases)
    expect_clean("seasonality_table <- " + name, [&] { run_seasonality_table(s.dir(), bytes); });
}

TEST(FuzzRegression, ConfigHostile) {
  Scratch s;
  std::string deep(5000, '[');
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c)
    laughs += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
              char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + "]\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"duplicate keys", "seed: 1\nseed: 2\n"},
      {"duplicate nested keys", "scale:\n  households: 10\n  households: 20\n"},
      {"anchors and aliases", "base: &b {households: 10}\nscale: *b\n"},
      {"alias of a known map", "scale: &s {households: 10}\ncatalog: *s\n"},
      {"merge key", "scale:\n  <<: {households: 10}\n"},
      {"undefined alias", "scale: *nothing\n"},
      {"billion laughs", laughs},
      {"deep nesting", deep},
      {"deep nesting of maps", std::string(3000, '{')},
      {"sequence as key", "? [a, b]\n: 1\n"},
      {"map as key", "{a: 1}: 2\n"},
      {"sequence key inside a known map", "scale:\n  ? [households]\n  : 10\n"},
      {"map key in a distribution", "households:\n  trip_rate: {dist: normal, mean: 0, sd: 1, {x: 1}: 2}\n"},
      {"sequence key in a mission", "choice:\n  missions:\n    - {name: a, share: 1, [x]: 1}\n"},
      {"sequence key in a correlation", "households:\n  correlation:\n    - {a: beta_price, b: beta_promo, [r]: 1}\n"},
      {"null key", "~: 1\n"},
      {"huge integer", "seed: 999999999999999999999999999999\n"},
      {"huge scale", "scale: {households: 99999999999999999999}\n"},
      {"negative seed", "seed: -1\n"},
      {"NaN real", "stores: {price_index_sd: .nan}\n"},
      {"inf real", "stores: {price_index_sd: .inf}\n"},
      {"nan literal", "stores: {price_index_sd: nan}\n"},
      {"1e400", "stores: {price_index_sd: 1e400}\n"},
      {"NaN in a distribution", "households:\n  trip_rate: {dist: normal, mean: .nan, sd: 1}\n"},
      {"huge distribution parameter", "households:\n  beta_price: {dist: normal, mean: 1e300, sd: 1e300}\n"},
      {"huge event week", "calendar: {event_weeks: [99999999999999999999999]}\n"},
      {"key with a newline", "\"sc\\nale\": 1\n"},
      {"tab indentation", "scale:\n\thouseholds: 10\n"},
      {"document markers", "---\nseed: 1\n...\n---\nseed: 2\n"},
      {"tags", "seed: !!binary aGVsbG8=\n"},
      {"--set into a scalar", std::string("seed: 1\0seed.x=1", 16)},
      {"--set empty part", std::string("\0scale..households=1", 20)},
      {"--set bad YAML", std::string("\0seed=[", 7)},
      {"--set sequence key", std::string("\0households.trip_rate={dist: constant, value: 2, [a]: 1}", 55)},
      {"--set deep value", std::string("\0seed=", 6) + deep},
      {"--set no equals", std::string("\0seed", 5)},
      {"--set newline key", std::string("\0sc\nale=1", 9)},
  };
  for (const auto& [name, bytes] : cases) expect_clean("config <- " + name, [&] { run_config(s.dir(), bytes); });
}

TEST(FuzzRegression, DatasetHostile) {
  Scratch s;
  auto tcj = [](const std::string& rows) { return kTcjTxHeader + rows + std::string(1, '\0') + kProducts; };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"header only", tcj("")},
      {"huge sales", tcj("1,1,1,1,1,1e308,1,-1e308,1,1,0,0\n")},
      {"sales 1e20", tcj("1,1,1,1,1,1e20,1,-1e20,1,1,0,0\n")},
      {"NaN sales", tcj("1,1,1,1,1,nan,1,0,1,1,0,0\n")},
      {"inf discount", tcj("1,1,1,1,1,1,1,-inf,1,1,0,0\n")},
      {"huge quantity", tcj("1,1,1,1,1e300,1,1,0,1,1,0,0\n")},
      {"huge week", tcj("1,1,1,1,1,1,1,0,1,99999999999,0,0\n")},
      {"huge integers", tcj("99999999999999999999,1,1,1,1,1,1,0,1,1,0,0\n")},
      {"id in scientific notation", tcj("1e15,1,1,1,1,1,1,0,1,1,0,0\n")},
      {"unterminated quote", tcj("1,1,1,\"1,1,1,1,0,1,1,0,0\n")},
      {"wrong field count", tcj("1,1,1\n")},
      {"CR-only", kTcjTxHeader + "1,1,1,1,1,1,1,0,1,1,0,0\r2,1,1,1,1,1,1,0,1,1,0,0\r" + std::string(1, '\0') + kProducts},
      {"CJ2 bad timestamp", kCj2TxHeader + "1,1,1,1,1,1,0,0,0,1,2017-13-45 00:00:00\n" + std::string(1, '\0') +
                                kCj2ProductHeader + "1,2,GROCERY,National,SOUP,SOUP,NA\n"},
      {"CJ2 negative year", kCj2TxHeader + "1,1,1,1,1,1,0,0,0,1,-999-01-01 00:00:00\n" + std::string(1, '\0') +
                                kCj2ProductHeader + "1,2,GROCERY,National,SOUP,SOUP,NA\n"},
      {"CJ2 short timestamp", kCj2TxHeader + "1,1,1,1,1,1,0,0,0,1,2017\n" + std::string(1, '\0') + kCj2ProductHeader +
                                  "1,2,GROCERY,National,SOUP,SOUP,NA\n"},
  };
  for (const auto& [name, bytes] : cases) expect_clean("dataset <- " + name, [&] { run_dataset(s.dir(), bytes); });
}
