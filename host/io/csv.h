// CSV input: the product-table reader (TCJ product.csv or CompleteJourney 2.0 products.csv),
// built on the fast-cpp-csv-parser (libfccp), and a small line splitter.
#pragma once
#include <fstream>
#include <string>
#include <vector>

#include "retailsynth/common.h"

namespace retailsynth {

enum class ProductLayout { kTcj, kCompleteJourney2 };

struct ProductRow {
  i64 product_id = 0;
  std::string manufacturer, department, commodity, sub_commodity, size;
  bool private_label = false;
};

struct ProductTable {
  ProductLayout layout = ProductLayout::kTcj;
  std::vector<ProductRow> rows;
};

/// Reads a product table, detecting the layout by its header.  Quoted fields, NA (read as an
/// empty field) and CRLF line ends are handled; errors throw InputError naming file and line.
ProductTable read_product_table(const std::string& path);

/// The CSV library's error (an io::error::base from libfccp) in our words: "FILE:LINE: what", the
/// file named once; `fields` is how many fields a row should have.
std::string csv_error_message(const std::exception& e, const std::string& path, int fields);

/// Splits one CSV line (RFC 4180 quoting, no embedded newlines).
std::vector<std::string> split_csv_line(const std::string& line);

/// Opens the table `path` (`what` names it in messages) and reads its first line, which must be
/// `header` (CRLF tolerated); throws InputError naming the file (and line 1) otherwise.  The stream
/// is left at the first data line.
std::ifstream open_table(const std::string& path, const std::string& header, const std::string& what);

/// The next line of `in` without its CR, or false at the end.
bool next_table_line(std::ifstream& in, std::string& line);

/// FNV-1a, a stable hash for names (std::hash is not portable across libraries).
inline u64 fnv1a(const std::string& s) {
  u64 h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace retailsynth
