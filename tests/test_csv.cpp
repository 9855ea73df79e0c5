// The product-table reader: both layouts, quoting, NA, CRLF, and errors naming file and line.
#include <gtest/gtest.h>

#include "config.h"
#include "io/csv.h"
#include "test_helpers.h"
#include "world.h"

using namespace retailsynth;

namespace {
std::string error_reading(const std::string& text) {
  const auto dir = rs_test::temp_dir("csv");
  rs_test::write_file(dir / "p.csv", text);
  std::string e;
  try {
    read_product_table((dir / "p.csv").string());
  } catch (const InputError& x) {
    e = x.what();
  }
  std::filesystem::remove_all(dir);
  return e;
}
}  // namespace

TEST(Csv, ReadsTcjWithCrlfAndQuotes) {
  const auto dir = rs_test::temp_dir("csv");
  rs_test::write_file(dir / "product.csv",
                      "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\r\n"
                      "25671,2,GROCERY,National,FRZN ICE,ICE - CRUSHED/CUBED,22 LB\r\n"
                      "26081,69,GROCERY,Private,\"SOUP, CANNED\",\"CONDENSED \"\"RED\"\"\",NA\r\n");
  const auto t = read_product_table((dir / "product.csv").string());
  EXPECT_EQ(t.layout, ProductLayout::kTcj);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].product_id, 25671);
  EXPECT_EQ(t.rows[0].size, "22 LB");
  EXPECT_EQ(t.rows[1].commodity, "SOUP, CANNED");
  EXPECT_EQ(t.rows[1].sub_commodity, "CONDENSED \"RED\"");
  EXPECT_TRUE(t.rows[1].private_label);
  EXPECT_EQ(t.rows[1].size, "");  // NA
  std::filesystem::remove_all(dir);
}

TEST(Csv, ReadsCompleteJourney2) {
  const auto dir = rs_test::temp_dir("csv");
  rs_test::write_file(dir / "products.csv",
                      "\"product_id\",\"manufacturer_id\",\"department\",\"brand\",\"product_category\",\"product_type\","
                      "\"package_size\"\n"
                      "\"25671\",\"2\",\"GROCERY\",\"National\",\"FRZN ICE\",\"ICE - CRUSHED/CUBED\",\"22 LB\"\n"
                      "\"26081\",\"2\",\"MISCELLANEOUS\",\"National\",NA,NA,NA\n");
  const auto t = read_product_table((dir / "products.csv").string());
  EXPECT_EQ(t.layout, ProductLayout::kCompleteJourney2);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].commodity, "FRZN ICE");
  EXPECT_EQ(t.rows[1].commodity, "");
  std::filesystem::remove_all(dir);
}

TEST(Csv, ErrorsNameFileAndLine) {
  const std::string head = "PRODUCT_ID,MANUFACTURER,DEPARTMENT,BRAND,COMMODITY_DESC,SUB_COMMODITY_DESC,CURR_SIZE_OF_PRODUCT\n";
  std::string e = error_reading(head + "1,2,G,National,A,B,C\nx7,2,G,National,A,B,C\n");
  EXPECT_NE(e.find("p.csv:3: product id 'x7'"), std::string::npos) << e;
  e = error_reading(head + "900000,2,G,National,A,B,C\n9e+05,2,G,National,A,B,C\n");
  EXPECT_NE(e.find("p.csv:3: duplicate product id 9e+05 (first at line 2)"), std::string::npos) << e;
  e = error_reading(head + "9.5e+05x,2,G,National,A,B,C\n");
  EXPECT_NE(e.find("p.csv:2: product id '9.5e+05x'"), std::string::npos) << e;
  e = error_reading(head + "1,2,G,National,A,B,C\n2,2,G\n");
  EXPECT_NE(e.find("p.csv:3: too few fields (expected 7)"), std::string::npos) << e;
  e = error_reading("a,b,c\n1,2,3\n");
  EXPECT_NE(e.find("p.csv:1: unrecognised header"), std::string::npos) << e;
  e = error_reading(head + "1,2,G,National,\"unclosed,B,C\n");
  EXPECT_NE(e.find("p.csv:2: a quoted field is not closed"), std::string::npos) << e;
  EXPECT_EQ(e.find("p.csv", e.find("p.csv") + 1), std::string::npos) << "the file is named once: " << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << "one line";
}

TEST(Csv, LoadsRealCatalogWithoutNonMerchandise) {
  const std::string real = rs_test::source_path("../shared/data/completejourney/products.csv");
  if (!std::filesystem::exists(real)) GTEST_SKIP() << "real sample not present at " << real;
  Config cfg = load_config("", {"catalog.source=file", "catalog.file=" + real, "scale.stores=3"});
  const Catalog cat = build_catalog(cfg);
  EXPECT_GT(cat.n_products(), 80000);
  EXPECT_GT(cat.n_categories(), 250);
  for (const auto& d : cat.cat_department) EXPECT_FALSE(is_non_merchandise_department(d)) << d;
  bool soup = false;
  for (const auto& n : cat.cat_name) soup = soup || n == "SOUP";
  EXPECT_TRUE(soup);
  for (i32 k = 0; k < cat.n_categories(); ++k) EXPECT_LT(cat.cat_begin[k], cat.cat_begin[k + 1]);
}
