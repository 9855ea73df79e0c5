#include "analysis/dataset.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config.h"
#include "io/csv.h"

namespace fs = std::filesystem;

namespace retailsynth {
namespace detail {

void split_fields(const char* b, const char* e, std::vector<std::string>& out) {
  out.clear();
  std::string cur;
  bool quoted = false;
  for (const char* p = b; p < e; ++p) {
    const char c = *p;
    if (quoted) {
      if (c == '"' && p + 1 < e && p[1] == '"') {
        cur += '"';
        ++p;
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
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
}

}  // namespace detail

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw InputError(p.string() + ": cannot open");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Ctx {
  std::string file;
  size_t line;
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(file + ":" + std::to_string(line) + ": " + what);
  }
  i64 integer(const std::string& s) const {
    i64 v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) fail("expected an integer, got '" + s + "'");
    return v;
  }
  double real(const std::string& s) const {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0') fail("expected a number, got '" + s + "'");
    return v;
  }
  i64 cents(const std::string& s) const { return std::llround(real(s) * 100.0); }
};

std::vector<std::string> header_of(const std::string& text) {
  std::vector<std::string> h;
  const size_t end = text.find('\n');
  std::string line = text.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  detail::split_fields(line.data(), line.data() + line.size(), h);
  return h;
}

int column(const std::vector<std::string>& header, const std::string& name, const std::string& file) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  throw InputError(file + ":1: missing column " + name);
}

}  // namespace

int Dataset::param(const std::string& name) const {
  for (size_t i = 0; i < param_names.size(); ++i)
    if (param_names[i] == name) return static_cast<int>(i);
  return -1;
}

Dataset load_dataset(const std::string& dir) {
  Dataset d;
  d.dir = dir;
  const fs::path root(dir);
  // Products.
  {
    const std::string file = (root / "product.csv").string();
    const std::string text = slurp(file);
    const auto h = header_of(text);
    const int c_id = column(h, "PRODUCT_ID", file), c_cat = column(h, "COMMODITY_DESC", file),
              c_dep = column(h, "DEPARTMENT", file);
    std::unordered_map<std::string, i32> cat_index;
    for_each_csv_row(text, [&](size_t line, const std::vector<std::string>& f) {
      Ctx ctx{file, line};
      if (f.size() != h.size()) ctx.fail("expected " + std::to_string(h.size()) + " fields");
      const i64 id = ctx.integer(f[c_id]);
      auto [it, fresh] = cat_index.emplace(f[c_cat], static_cast<i32>(d.category_name.size()));
      if (fresh) {
        d.category_name.push_back(f[c_cat]);
        d.category_department.push_back(f[c_dep]);
      }
      d.product_index[id] = static_cast<i32>(d.product_id.size());
      d.product_id.push_back(id);
      d.product_category.push_back(it->second);
    });
  }
  // Transactions.
  {
    const std::string file = (root / "transaction_data.csv").string();
    const std::string text = slurp(file);
    const auto h = header_of(text);
    const int c_hh = column(h, "household_key", file), c_b = column(h, "BASKET_ID", file), c_day = column(h, "DAY", file),
              c_p = column(h, "PRODUCT_ID", file), c_q = column(h, "QUANTITY", file), c_s = column(h, "SALES_VALUE", file),
              c_st = column(h, "STORE_ID", file), c_d = column(h, "RETAIL_DISC", file), c_w = column(h, "WEEK_NO", file);
    const size_t approx = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    d.household.reserve(approx);
    for_each_csv_row(text, [&](size_t line, const std::vector<std::string>& f) {
      Ctx ctx{file, line};
      if (f.size() != h.size()) ctx.fail("expected " + std::to_string(h.size()) + " fields");
      const i64 pid = ctx.integer(f[c_p]);
      const auto it = d.product_index.find(pid);
      if (it == d.product_index.end()) ctx.fail("product " + f[c_p] + " is not in product.csv");
      d.household.push_back(ctx.integer(f[c_hh]));
      d.basket.push_back(ctx.integer(f[c_b]));
      d.day.push_back(static_cast<i32>(ctx.integer(f[c_day])));
      d.week.push_back(static_cast<i32>(ctx.integer(f[c_w])));
      d.store.push_back(static_cast<i32>(ctx.integer(f[c_st])));
      d.product.push_back(it->second);
      d.quantity.push_back(static_cast<i32>(ctx.integer(f[c_q])));
      d.sales_cents.push_back(ctx.cents(f[c_s]));
      d.disc_cents.push_back(std::llabs(ctx.cents(f[c_d])));
      d.weeks = std::max(d.weeks, d.week.back());
    });
  }
  // Ground truth.
  const fs::path truth = root / "truth";
  if (!fs::exists(truth / "households.csv")) return d;
  d.has_truth = true;
  {
    const std::string file = (truth / "households.csv").string();
    const std::string text = slurp(file);
    const auto h = header_of(text);
    d.param_names.assign(h.begin() + 2, h.end());
    for_each_csv_row(text, [&](size_t line, const std::vector<std::string>& f) {
      Ctx ctx{file, line};
      const i64 key = ctx.integer(f[0]);
      d.home_store[key] = static_cast<i32>(ctx.integer(f[1]));
      std::vector<double> v;
      for (size_t i = 2; i < f.size(); ++i) v.push_back(ctx.real(f[i]));
      d.params[key] = std::move(v);
    });
  }
  if (fs::exists(truth / "products.csv")) {
    const std::string file = (truth / "products.csv").string();
    d.popularity.assign(d.product_id.size(), 0.0);
    for_each_csv_row(slurp(file), [&](size_t line, const std::vector<std::string>& f) {
      Ctx ctx{file, line};
      const auto it = d.product_index.find(ctx.integer(f[0]));
      if (it != d.product_index.end()) d.popularity[it->second] = ctx.real(f[4]);
    });
  }
  {
    const std::string file = (truth / "stores.csv").string();
    for_each_csv_row(slurp(file), [&](size_t line, const std::vector<std::string>& f) {
      d.store_ids.push_back(static_cast<i32>(Ctx{file, line}.integer(f[0])));
    });
  }
  if (fs::exists(truth / "promotions.csv")) {
    const std::string file = (truth / "promotions.csv").string();
    for_each_csv_row(slurp(file), [&](size_t line, const std::vector<std::string>& f) {
      Ctx ctx{file, line};
      const auto it = d.product_index.find(ctx.integer(f[1]));
      if (it == d.product_index.end()) ctx.fail("unknown product");
      u8 disp = 0;
      if (f[6] == "shelf_tag") disp = 1;
      else if (f[6] == "end_cap") disp = 2;
      else if (f[6] == "feature_display") disp = 3;
      d.promotions[Dataset::key(ctx.integer(f[0]), it->second, ctx.integer(f[2]))] =
          Dataset::Promo{static_cast<float>(ctx.real(f[5])), disp, static_cast<u8>(f[7] == "1"), static_cast<u8>(f[8] == "1")};
    });
  }
  if (fs::exists(truth / "store_weeks.csv")) {
    const std::string file = (truth / "store_weeks.csv").string();
    for_each_csv_row(slurp(file), [&](size_t line, const std::vector<std::string>& f) {
      Ctx ctx{file, line};
      const u64 k = Dataset::key(ctx.integer(f[0]), 0, ctx.integer(f[1]));
      d.marketing[k] = ctx.real(f[2]);
      d.store_trips[k] = ctx.integer(f[5]);
    });
  }
  if (fs::exists(truth / "trips.csv")) {
    const std::string file = (truth / "trips.csv").string();
    for_each_csv_row(slurp(file), [&](size_t line, const std::vector<std::string>& f) {
      Ctx ctx{file, line};
      d.trips[Dataset::hh_key(ctx.integer(f[0]), ctx.integer(f[1]))] = static_cast<i32>(ctx.integer(f[2]));
    });
  }
  if (fs::exists(truth / "missions.csv")) {
    std::unordered_map<std::string, i32> cat_index;
    for (size_t k = 0; k < d.category_name.size(); ++k) cat_index[d.category_name[k]] = static_cast<i32>(k);
    const std::string file = (truth / "missions.csv").string();
    for_each_csv_row(slurp(file), [&](size_t, const std::vector<std::string>& f) {
      d.mission_names.push_back(f[0]);
      std::vector<i32> linked;
      std::string cur;
      std::istringstream in(f[4]);
      while (std::getline(in, cur, '|'))
        if (cat_index.count(cur)) linked.push_back(cat_index[cur]);
      d.mission_linked.push_back(linked);
    });
  }
  return d;
}

}  // namespace retailsynth
