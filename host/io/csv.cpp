#include "io/csv.h"

#include "io/fccp.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <unordered_map>

#include "config.h"

namespace retailsynth {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string clean(std::string s) { return s == "NA" ? std::string() : s; }

template <class Reader>
void read_rows(Reader& in, const std::string& path, ProductTable& t) {
  std::string id, maker, dep, brand, commodity, sub, size;
  std::unordered_map<i64, unsigned> seen;
  while (in.read_row(id, maker, dep, brand, commodity, sub, size)) {
    const unsigned line = in.get_file_line();
    ProductRow r;
    char* end = nullptr;
    r.product_id = std::strtoll(id.c_str(), &end, 10);
    if (!id.empty() && *end != '\0') {
      // R's write.csv prints some round ids in scientific notation ("9e+05"): accept exact integers.
      const double v = std::strtod(id.c_str(), &end);
      r.product_id = (*end == '\0' && v >= 0 && v < 9.0e15 && v == static_cast<double>(static_cast<i64>(v)))
                         ? static_cast<i64>(v)
                         : -1;
    }
    if (id.empty() || *end != '\0' || r.product_id < 0)
      throw InputError(path + ":" + std::to_string(line) + ": product id '" + id + "' is not a non-negative integer");
    if (auto [it, fresh] = seen.emplace(r.product_id, line); !fresh)
      throw InputError(path + ":" + std::to_string(line) + ": duplicate product id " + id + " (first at line " +
                       std::to_string(it->second) + ")");
    r.manufacturer = clean(maker);
    r.department = clean(dep);
    r.private_label = lower(brand) == "private";
    r.commodity = clean(commodity);
    r.sub_commodity = clean(sub);
    r.size = clean(size);
    t.rows.push_back(std::move(r));
  }
}

}  // namespace

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string csv_error_message(const std::exception& e, const std::string& path, int fields) {
  namespace er = io::error;
  const auto* at = dynamic_cast<const er::with_file_line*>(&e);
  const auto* col = dynamic_cast<const er::with_column_name*>(&e);
  const std::string where = path + ":" + (at ? std::to_string(at->file_line) : std::string("1")) + ": ";
  const std::string column = col ? std::string(col->column_name) : std::string();
  if (dynamic_cast<const er::escaped_string_not_closed*>(&e)) return where + "a quoted field is not closed";
  if (dynamic_cast<const er::too_few_columns*>(&e)) return where + "too few fields (expected " + std::to_string(fields) + ")";
  if (dynamic_cast<const er::too_many_columns*>(&e)) return where + "too many fields (expected " + std::to_string(fields) + ")";
  if (dynamic_cast<const er::line_length_limit_exceeded*>(&e)) return where + "the line is too long";
  if (dynamic_cast<const er::missing_column_in_header*>(&e)) return where + "the header has no column " + column;
  if (dynamic_cast<const er::duplicated_column_in_header*>(&e)) return where + "the header has column " + column + " twice";
  if (dynamic_cast<const er::header_missing*>(&e)) return path + ":1: no header line";
  if (dynamic_cast<const er::can_not_open_file*>(&e)) return path + ": cannot open the product table";
  return where + "malformed CSV" + (column.empty() ? std::string() : " in column " + column);
}

ProductTable read_product_table(const std::string& path) {
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw InputError(path + ": cannot open the product table");
  std::string header;
  std::getline(probe, header);
  if (header.rfind("\xEF\xBB\xBF", 0) == 0) throw InputError(path + ":1: a UTF-8 byte-order mark is not supported; remove it");
  const auto cols = split_csv_line(header);
  auto has = [&](const char* name) {
    return std::any_of(cols.begin(), cols.end(), [&](const std::string& c) { return c == name; });
  };
  ProductTable t;
  using Reader = io::CSVReader<7, io::trim_chars<' ', '\t'>, io::double_quote_escape<',', '"'>>;
  try {
    if (has("PRODUCT_ID") && has("COMMODITY_DESC")) {
      t.layout = ProductLayout::kTcj;
      Reader in(path);
      in.read_header(io::ignore_extra_column, "PRODUCT_ID", "MANUFACTURER", "DEPARTMENT", "BRAND", "COMMODITY_DESC",
                     "SUB_COMMODITY_DESC", "CURR_SIZE_OF_PRODUCT");
      read_rows(in, path, t);
    } else if (has("product_id") && has("product_category")) {
      t.layout = ProductLayout::kCompleteJourney2;
      Reader in(path);
      in.read_header(io::ignore_extra_column, "product_id", "manufacturer_id", "department", "brand",
                     "product_category", "product_type", "package_size");
      read_rows(in, path, t);
    } else {
      throw InputError(path +
                       ":1: unrecognised header: expected a TCJ product.csv (PRODUCT_ID,...,COMMODITY_DESC,...) or "
                       "a CompleteJourney 2.0 products.csv (product_id,...,product_category,...)");
    }
  } catch (const io::error::base& e) {
    throw InputError(csv_error_message(e, path, 7));
  }
  if (t.rows.empty()) throw InputError(path + ": no product rows");
  return t;
}

std::ifstream open_table(const std::string& path, const std::string& header, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the " + what);
  std::string line;
  if (!next_table_line(in, line)) throw InputError(path + ":1: empty file: expected the header '" + header + "'");
  if (line != header) throw InputError(path + ":1: bad header '" + line + "': expected '" + header + "'");
  return in;
}

bool next_table_line(std::ifstream& in, std::string& line) {
  if (!std::getline(in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

}  // namespace retailsynth
