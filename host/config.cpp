#include "config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace retailsynth {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : path) {
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

const char* kind_name(DistKind k) {
  switch (k) {
    case DistKind::kConstant: return "constant";
    case DistKind::kNormal: return "normal";
    case DistKind::kLogNormal: return "lognormal";
    case DistKind::kBeta: return "beta";
    case DistKind::kGamma: return "gamma";
    case DistKind::kUniform: return "uniform";
  }
  return "?";
}

/// Parameter names of each distribution kind (a, b).
std::pair<const char*, const char*> kind_params(DistKind k) {
  switch (k) {
    case DistKind::kConstant: return {"value", nullptr};
    case DistKind::kNormal: return {"mean", "sd"};
    case DistKind::kLogNormal: return {"mu", "sigma"};
    case DistKind::kBeta: return {"a", "b"};
    case DistKind::kGamma: return {"shape", "scale"};
    case DistKind::kUniform: return {"low", "high"};
  }
  return {nullptr, nullptr};
}

/// The node at a dotted path, or an undefined node.
YAML::Node find_node(const YAML::Node& root, const std::string& key) {
  // yaml-cpp's Node::operator= writes through to the tree; reset() rebinds.
  YAML::Node cur;
  cur.reset(root);
  for (const auto& part : split_path(key)) {
    if (!cur.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    bool found = false;
    for (const auto& kv : cur) {
      if (kv.first.as<std::string>() == part) {
        cur.reset(kv.second);
        found = true;
        break;
      }
    }
    if (!found) return YAML::Node(YAML::NodeType::Undefined);
  }
  return cur;
}

/// Reads and validates keys from the YAML tree, remembering which ones were consumed.
class Loader {
 public:
  Loader(YAML::Node root, std::string file, std::map<std::string, std::string> set_origin)
      : root_(std::move(root)), file_(std::move(file)), set_origin_(std::move(set_origin)) {}

  void u64v(const char* key, u64& out, u64 lo, u64 hi) {
    const YAML::Node n = find(key);
    if (!n) return;
    const std::string s = scalar(n, key, "a non-negative integer");
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || s[0] == '-' || *end != '\0' || errno == ERANGE) fail(n, key, "expected a non-negative integer, got '" + s + "'");
    if (v < lo || v > hi) fail(n, key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + s);
    out = v;
  }
  template <class I>
  void intv(const char* key, I& out, long long lo, long long hi) {
    const YAML::Node n = find(key);
    if (!n) return;
    out = static_cast<I>(integer(n, key, lo, hi));
  }
  void real(const char* key, double& out, double lo, double hi) {
    const YAML::Node n = find(key);
    if (!n) return;
    out = parse_real(n, key);
    if (!(out >= lo && out <= hi)) fail(n, key, "must be in [" + fmt(lo) + ", " + fmt(hi) + "], got " + n.Scalar());
  }
  void choice(const char* key, std::string& out, std::initializer_list<const char*> allowed) {
    const YAML::Node n = find(key);
    if (!n) return;
    const std::string s = scalar(n, key, "a string");
    std::string list;
    for (const char* a : allowed) {
      if (s == a) {
        out = s;
        return;
      }
      list += list.empty() ? a : std::string(", ") + a;
    }
    fail(n, key, "must be one of {" + list + "}, got '" + s + "'");
  }
  void boolean(const char* key, bool& out) {
    const YAML::Node n = find(key);
    if (!n) return;
    const std::string s = scalar(n, key, "true or false");
    if (s == "true") out = true;
    else if (s == "false") out = false;
    else fail(n, key, "expected true or false, got '" + s + "'");
  }
  void text(const char* key, std::string& out) {
    const YAML::Node n = find(key);
    if (!n) return;
    out = n.IsNull() ? std::string() : scalar(n, key, "a string");
  }
  /// A list of integers, each in [lo, hi].
  void intlist(const char* key, std::vector<int>& out, long long lo, long long hi) {
    const YAML::Node n = find(key);
    if (!n) return;
    if (!n.IsSequence()) fail(n, key, "expected a list of integers such as [1, 5, 47]");
    std::vector<int> v;
    for (size_t i = 0; i < n.size(); ++i) {
      const std::string item = std::string(key) + "[" + std::to_string(i) + "]";
      const std::string s = scalar(n[i], item, "an integer");
      char* end = nullptr;
      const long long x = std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0') fail(n[i], item, "expected an integer, got '" + s + "'");
      if (x < lo || x > hi) fail(n[i], item, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + s);
      v.push_back(static_cast<int>(x));
    }
    out = v;
  }
  /// Calls f(item_key, node) for each map in the list at `key` (absent: nothing); `list_hint` and
  /// `item_hint` say what was expected when the list or an item has another shape.
  template <class F>
  void each_map(const char* key, const YAML::Node& n, const std::string& list_hint, const std::string& item_hint, F&& f) {
    if (!n.IsSequence()) fail(n, key, list_hint);
    for (size_t i = 0; i < n.size(); ++i) {
      const std::string item = std::string(key) + "[" + std::to_string(i) + "]";
      const YAML::Node e = n[i];
      if (!e.IsMap()) fail(e, item, item_hint);
      f(item, e);
    }
  }
  /// Calls f(sub_key, dotted_key, key_node, value_node) for each entry of the map `n` at `key`.
  template <class F>
  void each_key(const YAML::Node& n, const std::string& key, const std::string& hint, F&& f) {
    if (!n.IsMap()) fail(n, key, hint);
    for (const auto& kv : n) {
      const std::string sub = kv.first.as<std::string>();
      f(sub, key + "." + sub, kv.first, kv.second);
    }
  }
  /// A list of {a: PARAM, b: PARAM, rho: R} pairs of household parameters.
  void correlations(const char* key, std::vector<Config::Correlation>& out) {
    const YAML::Node n = find(key);
    if (!n) return;
    std::vector<Config::Correlation> v;
    each_map(key, n, "expected a list such as [{a: beta_price, b: beta_promo, rho: -0.3}]", "expected {a: PARAM, b: PARAM, rho: R}",
             [&](const std::string& item, const YAML::Node& e) {
      Config::Correlation c{-1, -1, 0.0};
      bool seen_rho = false;
      for (const auto& kv : e) {
        const std::string sub = kv.first.as<std::string>();
        if (sub == "a" || sub == "b") {
          const std::string name = scalar(kv.second, item + "." + sub, "a parameter name");
          int idx = -1;
          for (int p = 0; p < kNumHouseholdParams; ++p)
            if (name == kHouseholdParamNames[p]) idx = p;
          if (idx < 0) fail(kv.second, item + "." + sub, "unknown household parameter '" + name + "'");
          (sub == "a" ? c.a : c.b) = idx;
        } else if (sub == "rho") {
          c.rho = parse_real(kv.second, item + ".rho");
          if (!(c.rho > -1 && c.rho < 1)) fail(kv.second, item + ".rho", "must be in (-1, 1)");
          seen_rho = true;
        } else {
          fail(kv.first, item + "." + sub, "unknown key (expected a, b, rho)");
        }
      }
      if (c.a < 0 || c.b < 0 || !seen_rho) fail(e, item, "needs a, b and rho");
      if (c.a == c.b) fail(e, item, "a and b must differ");
      v.push_back(c);
    });
    out = v;
  }
  /// A list of trip missions {name, share, shift, linked_share, link_boost}.
  void missions(const char* key, std::vector<Config::Mission>& out) {
    const YAML::Node n = find(key);
    if (!n) return;
    if (!n.IsSequence() || n.size() == 0) fail(n, key, "expected a non-empty list of missions");
    if (n.size() > static_cast<size_t>(kMaxMissions)) fail(n, key, "at most " + std::to_string(kMaxMissions) + " missions");
    std::vector<Config::Mission> v;
    double total = 0;
    each_map(key, n, "expected a list of missions", "expected {name, share, shift, linked_share, link_boost}",
             [&](const std::string& item, const YAML::Node& e) {
      Config::Mission m{"", -1, 0, 0, 0, {}, 1};
      for (const auto& kv : e) {
        const std::string sub = kv.first.as<std::string>();
        const std::string full = item + "." + sub;
        if (sub == "name") {
          m.name = scalar(kv.second, full, "a string");
        } else if (sub == "share" || sub == "linked_share") {
          const double x = parse_real(kv.second, full);
          if (!(x >= 0 && x <= 1)) fail(kv.second, full, "must be in [0, 1]");
          (sub == "share" ? m.share : m.linked_share) = x;
        } else if (sub == "shift" || sub == "link_boost") {
          const double x = parse_real(kv.second, full);
          if (!(x >= -20 && x <= 20)) fail(kv.second, full, "must be in [-20, 20]");
          (sub == "shift" ? m.shift : m.link_boost) = x;
        } else if (sub == "variety") {
          const double x = parse_real(kv.second, full);
          if (!(x >= 0 && x <= 20)) fail(kv.second, full, "must be in [0, 20]");
          m.variety = x;
        } else if (sub == "departments") {
          if (!kv.second.IsSequence()) fail(kv.second, full, "expected a list of department names");
          for (size_t d = 0; d < kv.second.size(); ++d)
            m.departments.push_back(scalar(kv.second[d], full + "[" + std::to_string(d) + "]", "a department name"));
        } else {
          fail(kv.first, full, "unknown key (expected name, share, shift, linked_share, link_boost, departments, variety)");
        }
      }
      if (m.name.empty()) fail(e, item + ".name", "missing");
      if (m.share < 0) fail(e, item + ".share", "missing");
      total += m.share;
      v.push_back(m);
    });
    if (std::fabs(total - 1.0) > 1e-6) fail(n, key, "mission shares must sum to 1 (they sum to " + fmt(total) + ")");
    out = v;
  }
  /// Policy price changes: a list of {product: ID | category: NAME, store: ID, from_week, to_week,
  /// multiplier}.
  void price_changes(const char* key, std::vector<Config::PriceChange>& out) {
    const YAML::Node n = find(key);
    if (!n) return;
    std::vector<Config::PriceChange> v;
    each_map(key, n, "expected a list such as [{product: 1001, multiplier: 1.1}]",
             "expected {product or category, store, from_week, to_week, multiplier}", [&](const std::string& item, const YAML::Node& e) {
      Config::PriceChange c;
      c.origin = where(e, item);
      bool seen_mult = false;
      for (const auto& kv : e) {
        const std::string sub = kv.first.as<std::string>();
        const std::string full = item + "." + sub;
        if (sub == "product") c.product_id = integer(kv.second, full, 0, std::numeric_limits<i64>::max());
        else if (sub == "category") c.category = scalar(kv.second, full, "a category name");
        else if (sub == "store") c.store_id = integer(kv.second, full, 0, std::numeric_limits<i64>::max());
        else if (sub == "from_week") c.from_week = static_cast<i32>(integer(kv.second, full, 1, rng::kMaxWeeks));
        else if (sub == "to_week") c.to_week = static_cast<i32>(integer(kv.second, full, 1, rng::kMaxWeeks));
        else if (sub == "multiplier") {
          c.multiplier = parse_real(kv.second, full);
          if (!(c.multiplier >= 0.05 && c.multiplier <= 20)) fail(kv.second, full, "must be in [0.05, 20]");
          seen_mult = true;
        } else {
          fail(kv.first, full, "unknown key (expected product, category, store, from_week, to_week, multiplier)");
        }
      }
      if ((c.product_id >= 0) == !c.category.empty()) fail(e, item, "needs exactly one of product and category");
      if (!seen_mult) fail(e, item + ".multiplier", "missing");
      if (c.from_week > c.to_week) fail(e, item + ".from_week", "must be <= to_week");
      v.push_back(c);
    });
    out = v;
  }
  /// Coupon campaigns: a list of {name, type, start_week, end_week, target: {...}, products: {...},
  /// coupon: {...}}.
  void campaigns(const char* key, std::vector<Config::Campaign>& out) {
    const YAML::Node n = find(key);
    if (!n) return;
    if (n.IsSequence() && n.size() > static_cast<size_t>(kMaxCampaigns))
      fail(n, key, "at most " + std::to_string(kMaxCampaigns) + " campaigns");
    std::vector<Config::Campaign> v;
    each_map(key, n, "expected a list of campaigns", "expected {name, type, start_week, end_week, target, products, coupon}",
             [&](const std::string& item, const YAML::Node& e) {
      Config::Campaign c;
      c.origin = where(e, item);
      c.name = "campaign_" + std::to_string(v.size() + 1);
      bool seen_start = false, seen_end = false, seen_coupon = false;
      for (const auto& kv : e) {
        const std::string sub = kv.first.as<std::string>();
        const std::string full = item + "." + sub;
        if (sub == "name") {
          c.name = scalar(kv.second, full, "a string");
        } else if (sub == "type") {
          const std::string t = scalar(kv.second, full, "A, B or C");
          if (t != "A" && t != "B" && t != "C") fail(kv.second, full, "must be A, B or C (TCJ TypeA/B/C), got '" + t + "'");
          c.type = "Type" + t;
        } else if (sub == "start_week") {
          c.start_week = static_cast<i32>(integer(kv.second, full, 1, rng::kMaxWeeks));
          seen_start = true;
        } else if (sub == "end_week") {
          c.end_week = static_cast<i32>(integer(kv.second, full, 1, rng::kMaxWeeks));
          seen_end = true;
        } else if (sub == "target") {
          each_key(kv.second, full, "expected {share, param, min, max, min_weekly_spend}", [&](const std::string& tk, const std::string& tf, const YAML::Node& k, const YAML::Node& val) {
            if (tk == "share") {
              c.target_share = parse_real(val, tf);
              if (!(c.target_share >= 0 && c.target_share <= 1)) fail(val, tf, "must be in [0, 1]");
            } else if (tk == "param") {
              c.target_param = scalar(val, tf, "a household parameter name");
              bool known = false;
              for (const char* name : kHouseholdParamNames) known = known || c.target_param == name;
              if (!known) fail(val, tf, "unknown household parameter '" + c.target_param + "'");
            } else if (tk == "min") {
              c.param_min = parse_real(val, tf);
            } else if (tk == "max") {
              c.param_max = parse_real(val, tf);
            } else if (tk == "min_weekly_spend") {
              c.min_weekly_spend = parse_real(val, tf);
              if (!(c.min_weekly_spend >= 0 && c.min_weekly_spend <= 1e5)) fail(val, tf, "must be in [0, 100000]");
            } else {
              fail(k, tf, "unknown key (expected share, param, min, max, min_weekly_spend)");
            }
          });
          if (c.param_min > c.param_max) fail(kv.second, full + ".min", "must be <= max");
          if (c.target_param.empty() && (c.param_min > -1e30 || c.param_max < 1e30))
            fail(kv.second, full + ".param", "min/max need a param");
        } else if (sub == "products") {
          each_key(kv.second, full, "expected {count, categories, departments} or {ids}", [&](const std::string& tk, const std::string& tf, const YAML::Node& k, const YAML::Node& val) {
            if (tk == "count") {
              c.count = static_cast<i32>(integer(val, tf, 1, 10000));
            } else if (tk == "categories" || tk == "departments") {
              if (!val.IsSequence()) fail(val, tf, "expected a list of names");
              auto& list = tk == "categories" ? c.categories : c.departments;
              for (size_t d = 0; d < val.size(); ++d)
                list.push_back(scalar(val[d], tf + "[" + std::to_string(d) + "]", "a name"));
            } else if (tk == "ids") {
              if (!val.IsSequence() || val.size() == 0) fail(val, tf, "expected a non-empty list of PRODUCT_IDs");
              for (size_t d = 0; d < val.size(); ++d)
                c.product_ids.push_back(integer(val[d], tf + "[" + std::to_string(d) + "]", 0, std::numeric_limits<i64>::max()));
            } else {
              fail(k, tf, "unknown key (expected count, categories, departments, ids)");
            }
          });
          if (!c.product_ids.empty() && (!c.categories.empty() || !c.departments.empty()))
            fail(kv.second, full + ".ids", "ids cannot be combined with categories or departments");
        } else if (sub == "coupon") {
          each_key(kv.second, full, "expected {value | depth, match}", [&](const std::string& tk, const std::string& tf, const YAML::Node& k, const YAML::Node& val) {
            const double x = parse_real(val, tf);
            if (tk == "value") {
              if (!(x >= 0.05 && x <= 50)) fail(val, tf, "must be in [0.05, 50] dollars");
              c.value = x;
            } else if (tk == "depth") {
              if (!(x > 0 && x <= 0.5)) fail(val, tf, "must be in (0, 0.5]");
              c.depth = x;
            } else if (tk == "match") {
              if (!(x >= 0 && x <= 1)) fail(val, tf, "must be in [0, 1]");
              c.match = x;
            } else {
              fail(k, tf, "unknown key (expected value, depth, match)");
            }
          });
          if ((c.value > 0) == (c.depth > 0)) fail(kv.second, full, "needs exactly one of value and depth");
          seen_coupon = true;
        } else {
          fail(kv.first, full, "unknown key (expected name, type, start_week, end_week, target, products, coupon)");
        }
      }
      if (!seen_start) fail(e, item + ".start_week", "missing");
      if (!seen_end) fail(e, item + ".end_week", "missing");
      if (c.start_week > c.end_week) fail(e, item + ".start_week", "must be <= end_week");
      if (!seen_coupon) fail(e, item + ".coupon", "missing");
      for (const auto& other : v)
        if (other.name == c.name) fail(e, item + ".name", "duplicate campaign name '" + c.name + "'");
      v.push_back(c);
    });
    out = v;
  }
  /// A distribution map {dist: KIND, <params>, lower: x, upper: y} whose support must lie
  /// within [lo, hi] (after truncation).
  void dist(const char* key, DistSpec& out, double lo, double hi) {
    const YAML::Node n = find(key);
    if (!n) return;
    if (!n.IsMap()) fail(n, key, "expected a distribution map such as {dist: normal, mean: 0, sd: 1}");
    const YAML::Node kind_node = n["dist"];
    if (!kind_node) fail(n, std::string(key) + ".dist", "missing (one of constant, normal, lognormal, beta, gamma, uniform)");
    const std::string kind = scalar(kind_node, std::string(key) + ".dist", "a string");
    DistSpec d;
    bool known = false;
    for (DistKind k : {DistKind::kConstant, DistKind::kNormal, DistKind::kLogNormal, DistKind::kBeta, DistKind::kGamma,
                       DistKind::kUniform}) {
      if (kind == kind_name(k)) {
        d.kind = k;
        known = true;
      }
    }
    if (!known) fail(kind_node, std::string(key) + ".dist", "unknown distribution '" + kind + "' (constant, normal, lognormal, beta, gamma, uniform)");
    const auto [pa, pb] = kind_params(d.kind);
    bool seen_a = false, seen_b = false;
    for (const auto& kv : n) {
      const std::string sub = kv.first.as<std::string>();
      const std::string full = std::string(key) + "." + sub;
      if (sub == "dist") continue;
      const double v = parse_real(kv.second, full);
      if (pa && sub == pa) {
        d.a = static_cast<float>(v);
        seen_a = true;
      } else if (pb && sub == pb) {
        d.b = static_cast<float>(v);
        seen_b = true;
      } else if (sub == "lower") {
        d.lower = static_cast<float>(v);
      } else if (sub == "upper") {
        d.upper = static_cast<float>(v);
      } else {
        fail(kv.first, full, std::string("unknown key for a ") + kind + " distribution (expected " + pa +
                                 (pb ? std::string(", ") + pb : std::string()) + ", lower, upper)");
      }
    }
    if (!seen_a) fail(n, std::string(key) + "." + pa, "missing");
    if (pb && !seen_b) fail(n, std::string(key) + "." + pb, "missing");
    const std::string k = key;
    switch (d.kind) {
      case DistKind::kNormal:
        if (!(d.b >= 0)) fail(n, k + ".sd", "must be >= 0");
        break;
      case DistKind::kLogNormal:
        if (!(d.b >= 0)) fail(n, k + ".sigma", "must be >= 0");
        break;
      case DistKind::kBeta:
        if (!(d.a > 0)) fail(n, k + ".a", "must be > 0");
        if (!(d.b > 0)) fail(n, k + ".b", "must be > 0");
        break;
      case DistKind::kGamma:
        if (!(d.a > 0)) fail(n, k + ".shape", "must be > 0");
        if (!(d.b > 0)) fail(n, k + ".scale", "must be > 0");
        break;
      case DistKind::kUniform:
        if (!(d.a <= d.b)) fail(n, k + ".low", "must be <= high");
        break;
      case DistKind::kConstant: break;
    }
    if (!(d.lower <= d.upper)) fail(n, k + ".lower", "must be <= upper");
    // Support after truncation must lie inside [lo, hi].
    double s_lo = -INFINITY, s_hi = INFINITY;
    switch (d.kind) {
      case DistKind::kConstant: s_lo = s_hi = d.a; break;
      case DistKind::kNormal:
        if (d.b == 0) s_lo = s_hi = d.a;
        break;
      case DistKind::kLogNormal: s_lo = 0; break;
      case DistKind::kBeta: s_lo = 0, s_hi = 1; break;
      case DistKind::kGamma: s_lo = 0; break;
      case DistKind::kUniform: s_lo = d.a, s_hi = d.b; break;
    }
    s_lo = std::max(s_lo, double(d.lower));
    s_hi = std::min(s_hi, double(d.upper));
    if (s_lo < lo || s_hi > hi)
      fail(n, key, "values must lie in [" + fmt(lo) + ", " + fmt(hi) + "]; the distribution reaches [" + fmt(s_lo) + ", " +
                       fmt(s_hi) + "] (set lower/upper to truncate)");
    out = d;
  }

  /// Every key in the file that no call consumed is an error.
  void check_unknown() const { walk(root_, ""); }

 private:
  YAML::Node find(const std::string& key) {
    consumed_.insert(key);
    return find_node(root_, key);
  }
  void walk(const YAML::Node& n, const std::string& prefix) const {
    if (!prefix.empty() && consumed_.count(prefix)) return;
    if (n.IsMap()) {
      for (const auto& kv : n) {
        const std::string k = kv.first.as<std::string>();
        const std::string full = prefix.empty() ? k : prefix + "." + k;
        bool is_prefix = consumed_.count(full) > 0;
        for (const auto& c : consumed_) is_prefix = is_prefix || c.rfind(full + ".", 0) == 0;
        if (!is_prefix) fail(kv.first, full, "unknown key");
        walk(kv.second, full);
      }
    } else if (!prefix.empty()) {
      fail(n, prefix, "expected a map of keys");
    } else if (!n.IsNull() && n.IsDefined()) {
      fail(n, "(top level)", "expected a map of keys");
    }
  }
  std::string scalar(const YAML::Node& n, const std::string& key, const char* what) const {
    if (!n.IsScalar()) fail(n, key, std::string("expected ") + what);
    return n.Scalar();
  }
  i64 integer(const YAML::Node& n, const std::string& key, i64 lo, i64 hi) const {
    const std::string s = scalar(n, key, "an integer");
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno == ERANGE) fail(n, key, "expected an integer, got '" + s + "'");
    if (v < lo || v > hi) fail(n, key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + s);
    return v;
  }
  /// "file:line" of a node, for messages raised after loading (unknown product ids, names).
  std::string where(const YAML::Node& n, const std::string& key) const {
    std::string w = file_for_key(key);
    if (n.Mark().line >= 0) w += ":" + std::to_string(n.Mark().line + 1);
    return w;
  }
  double parse_real(const YAML::Node& n, const std::string& key) const {
    const std::string s = scalar(n, key, "a number");
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v)) fail(n, key, "expected a number, got '" + s + "'");
    return v;
  }
  static std::string fmt(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& msg) const {
    for (const auto& [path, origin] : set_origin_) {
      if (key == path || key.rfind(path + ".", 0) == 0) throw InputError(origin + ": " + key + ": " + msg);
    }
    const YAML::Mark m = n.Mark();
    std::string where = file_for_key(key);
    if (m.line >= 0) where += ":" + std::to_string(m.line + 1);
    throw InputError(where + ": " + key + ": " + msg);
  }
  /// The file a key came from: the scenario file for the keys it set, else the config file.
  std::string file_for_key(const std::string& key) const {
    for (const auto& p : scenario_paths_)
      if (key == p || key.rfind(p + ".", 0) == 0 || key.rfind(p + "[", 0) == 0) return scenario_file_;
    return file_.empty() ? std::string("config") : file_;
  }

 public:
  void set_scenario(std::string file, std::vector<std::string> paths) {
    scenario_file_ = std::move(file);
    scenario_paths_ = std::move(paths);
  }

 private:

  YAML::Node root_;
  std::string file_;
  std::map<std::string, std::string> set_origin_;
  std::set<std::string> consumed_;
  std::string scenario_file_;
  std::vector<std::string> scenario_paths_;
};

/// Writes each key's value into a JSON object (the resolved config).
class Dumper {
 public:
  explicit Dumper(nlohmann::json& out) : out_(out) {}
  void u64v(const char* key, u64& v, u64, u64) { at(key) = v; }
  template <class I>
  void intv(const char* key, I& v, long long, long long) { at(key) = v; }
  void real(const char* key, double& v, double, double) { at(key) = v; }
  void choice(const char* key, std::string& v, std::initializer_list<const char*>) { at(key) = v; }
  void text(const char* key, std::string& v) { at(key) = v; }
  void boolean(const char* key, bool& v) { at(key) = v; }
  void intlist(const char* key, std::vector<int>& v, long long, long long) { at(key) = v; }
  void correlations(const char* key, std::vector<Config::Correlation>& v) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& c : v) j.push_back({{"a", kHouseholdParamNames[c.a]}, {"b", kHouseholdParamNames[c.b]}, {"rho", c.rho}});
    at(key) = j;
  }
  void missions(const char* key, std::vector<Config::Mission>& v) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& m : v)
      j.push_back({{"name", m.name}, {"share", m.share}, {"shift", m.shift}, {"linked_share", m.linked_share},
                   {"link_boost", m.link_boost}, {"departments", m.departments}, {"variety", m.variety}});
    at(key) = j;
  }
  void price_changes(const char* key, std::vector<Config::PriceChange>& v) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& c : v) {
      nlohmann::json e;
      if (c.product_id >= 0) e["product"] = c.product_id;
      else e["category"] = c.category;
      if (c.store_id >= 0) e["store"] = c.store_id;
      e["from_week"] = c.from_week;
      e["to_week"] = c.to_week;
      e["multiplier"] = c.multiplier;
      j.push_back(e);
    }
    at(key) = j;
  }
  void campaigns(const char* key, std::vector<Config::Campaign>& v) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& c : v) {
      nlohmann::json t = {{"share", c.target_share}};
      if (!c.target_param.empty()) t["param"] = c.target_param, t["min"] = c.param_min, t["max"] = c.param_max;
      if (c.min_weekly_spend > 0) t["min_weekly_spend"] = c.min_weekly_spend;
      nlohmann::json p = nlohmann::json::object();
      if (!c.product_ids.empty()) p["ids"] = c.product_ids;
      else p = {{"count", c.count}, {"categories", c.categories}, {"departments", c.departments}};
      nlohmann::json cp = {{"match", c.match}};
      if (c.value > 0) cp["value"] = c.value;
      else cp["depth"] = c.depth;
      j.push_back({{"name", c.name}, {"type", c.type.substr(4)}, {"start_week", c.start_week}, {"end_week", c.end_week},
                   {"target", t}, {"products", p}, {"coupon", cp}});
    }
    at(key) = j;
  }
  void dist(const char* key, DistSpec& d, double, double) {
    nlohmann::json j;
    j["dist"] = kind_name(d.kind);
    const auto [pa, pb] = kind_params(d.kind);
    // Shortest decimal that reads back as the same float (0.9, not 0.8999999761581421).
    auto num = [](float x) { return std::stod(fmt::format("{}", x)); };
    j[pa] = num(d.a);
    if (pb) j[pb] = num(d.b);
    if (std::isfinite(d.lower)) j["lower"] = num(d.lower);
    if (std::isfinite(d.upper)) j["upper"] = num(d.upper);
    at(key) = j;
  }

 private:
  nlohmann::json& at(const char* key) {
    nlohmann::json* cur = &out_;
    for (const auto& part : split_path(key)) cur = &(*cur)[part];
    return *cur;
  }
  nlohmann::json& out_;
};

/// The one list of keys: names, types, ranges.
template <class V>
void bind(V& v, Config& c) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  v.u64v("seed", c.seed, 0, std::numeric_limits<u64>::max());
  v.intv("scale.households", c.scale.households, 1, 4000000000LL);
  v.intv("scale.products", c.scale.products, 1, 100000000);
  v.intv("scale.categories", c.scale.categories, 1, rng::kMaxSlots);
  v.intv("scale.stores", c.scale.stores, 1, 65535);
  v.intv("scale.weeks", c.scale.weeks, 1, rng::kMaxWeeks);
  v.choice("catalog.source", c.catalog.source, {"synthetic", "file"});
  v.text("world.table", c.world.table);
  v.text("world.calibration", c.world.calibration);
  v.real("world.lines_per_trip", c.world.lines_per_trip, 0.01, 100);
  v.real("world.promo_lift", c.world.promo_lift, 1, 100);
  v.text("catalog.file", c.catalog.file);
  v.intv("catalog.max_products", c.catalog.max_products, 0, 100000000);
  v.intv("catalog.min_products_per_category", c.catalog.min_products_per_category, 1, 1000000);
  v.real("catalog.private_label_share", c.catalog.private_label_share, 0, 1);
  v.real("catalog.private_label_price_ratio", c.catalog.private_label_price_ratio, 0.05, 2);
  v.real("catalog.price_log_mean", c.catalog.price_log_mean, -3, 6);
  v.real("catalog.price_log_sd_category", c.catalog.price_log_sd_category, 0, 3);
  v.real("catalog.price_log_sd_product", c.catalog.price_log_sd_product, 0, 3);
  v.real("catalog.quality_price_link", c.catalog.quality_price_link, 0, 1);
  v.real("catalog.popularity_sd", c.catalog.popularity_sd, 0, 10);
  v.real("stores.price_index_sd", c.stores.price_index_sd, 0, 1);
  v.real("stores.traffic_sd", c.stores.traffic_sd, 0, 5);
  v.real("stores.set.none", c.stores.secondary_count[0], 0, 1e6);
  v.real("stores.set.one", c.stores.secondary_count[1], 0, 1e6);
  v.real("stores.set.two", c.stores.secondary_count[2], 0, 1e6);
  v.real("stores.set.three", c.stores.secondary_count[3], 0, 1e6);
  v.real("stores.set.first_weight", c.stores.secondary_weight[0], 1e-6, 1e6);
  v.real("stores.set.second_weight", c.stores.secondary_weight[1], 1e-6, 1e6);
  v.real("stores.set.third_weight", c.stores.secondary_weight[2], 1e-6, 1e6);
  v.real("stores.set.outside", c.stores.away_outside, 0, 1);
  v.dist("households.trip_rate", c.households[kTripRate], 0, 50);
  v.dist("households.store_loyalty", c.households[kStoreLoyalty], 0, 1);
  v.dist("households.beta_price", c.households[kBetaPrice], -50, 50);
  v.dist("households.beta_quality", c.households[kBetaQuality], -50, 50);
  v.dist("households.basket_scale", c.households[kBasketScale], -20, 20);
  v.dist("households.quantity_scale", c.households[kQuantityScale], 0, 100);
  v.dist("households.beta_promo", c.households[kBetaPromo], -50, 50);
  v.dist("households.beta_display", c.households[kBetaDisplay], -50, 50);
  v.dist("households.beta_feature", c.households[kBetaFeature], -50, 50);
  v.dist("households.beta_ref", c.households[kBetaRef], -50, 50);
  v.dist("households.loss_aversion", c.households[kLossAversion], 0, 50);
  v.dist("households.promo_sensitivity", c.households[kPromoSensitivity], 0, 50);
  v.dist("households.beta_loyal", c.households[kBetaLoyal], -50, 50);
  v.dist("households.stockpile", c.households[kStockpile], 0, 20);
  v.dist("households.coupon_propensity", c.households[kCouponPropensity], 0, 1);
  v.dist("households.variety", c.households[kVariety], 0, 1);
  v.correlations("households.correlation", c.correlations);
  v.real("households.category_affinity_sd", c.category_affinity_sd, 0, 10);
  v.text("demographics.profiles", c.demographics.profiles);
  v.text("demographics.kids", c.demographics.kids);
  v.real("demographics.shown_share", c.demographics.shown_share, 0, 1);
  v.real("demographics.income_price", c.demographics.income_price, -10, 10);
  v.real("demographics.size_basket", c.demographics.size_basket, -5, 5);
  v.real("demographics.size_quantity", c.demographics.size_quantity, -1, 1);
  v.real("demographics.kids_affinity", c.demographics.kids_affinity, -10, 10);
  v.real("utility.quality_saturation", c.utility.quality_saturation, 0, 50);
  v.real("utility.promo_depth_scale", c.utility.promo_depth_scale, 0, 50);
  v.real("utility.perception_threshold", c.utility.perception_threshold, 0, 1);
  v.real("utility.perception_bonus", c.utility.perception_bonus, -10, 10);
  v.real("utility.threshold_bonus", c.utility.threshold_bonus, -10, 10);
  v.real("utility.threshold_window", c.utility.threshold_window, 0, 0.5);
  v.real("utility.display_effect.shelf_tag", c.utility.display_shelf_tag, -20, 20);
  v.real("utility.display_effect.end_cap", c.utility.display_end_cap, -20, 20);
  v.real("utility.display_effect.feature_display", c.utility.display_feature, -20, 20);
  v.real("utility.feature_scale", c.utility.feature_scale, 0, 20);
  v.real("utility.coupon_scale", c.utility.coupon_scale, 0, 50);
  v.real("utility.reference_decay", c.utility.reference_decay, 0, 10);
  v.intv("utility.reference_weeks", c.utility.reference_weeks, 1, 52);
  v.real("choice.iv_coefficient", c.choice.iv_coefficient, 0, 1);
  v.dist("choice.category_intercept", c.choice.category_intercept, -30, 30);
  v.intv("choice.max_trips_per_week", c.choice.max_trips_per_week, 1, rng::kMaxTrips);
  v.real("choice.inventory_weight", c.choice.inventory_weight, 0, 20);
  v.real("choice.inventory_decay", c.choice.inventory_decay, 0, 1);
  v.boolean("choice.exact_skip", c.choice.exact_skip);
  v.missions("choice.missions", c.choice.missions);
  v.intv("calendar.start_week_of_year", c.calendar.start_week_of_year, 1, 52);
  v.intlist("calendar.event_weeks", c.calendar.event_weeks, 1, 52);
  v.text("calendar.profile", c.calendar.profile);
  v.real("pricing.inflation_per_year", c.pricing.inflation_per_year, -0.5, 1.0);
  v.real("pricing.cost_ar", c.pricing.cost_ar, 0, 0.999);
  v.real("pricing.cost_sd", c.pricing.cost_sd, 0, 0.5);
  v.real("pricing.regime_stay", c.pricing.regime_stay, 0, 1);
  v.real("pricing.regime_step", c.pricing.regime_step, 0, 0.5);
  v.intv("pricing.regime_levels", c.pricing.regime_levels, 0, 10);
  v.real("pricing.price_index", c.pricing.price_index, 0.1, 10);
  v.price_changes("price_changes", c.price_changes);
  v.campaigns("campaigns", c.campaigns);
  v.choice("promotions.source", c.promotions.source, {"config", "learned"});
  v.real("promotions.share_min", c.promotions.share_min, 0, 1);
  v.real("promotions.share_max", c.promotions.share_max, 0, 1);
  v.real("promotions.store_participation", c.promotions.store_participation, 0, 1);
  v.real("promotions.depth_min", c.promotions.depth_min, 0.01, 0.95);
  v.real("promotions.depth_max", c.promotions.depth_max, 0.01, 0.95);
  v.real("promotions.depth_step", c.promotions.depth_step, 0.001, 0.5);
  v.dist("promotions.depth", c.promotions.depth, 0, 1);
  v.real("promotions.duration_shallow", c.promotions.duration_shallow, 1, 4);
  v.real("promotions.duration_deep", c.promotions.duration_deep, 1, 4);
  v.real("promotions.event_start_boost", c.promotions.event_start_boost, 1, 20);
  v.real("promotions.event_depth_shift", c.promotions.event_depth_shift, 0, 0.5);
  v.real("promotions.season_tilt", c.promotions.season_tilt, 0, 3);
  v.intv("promotions.end_caps_per_store", c.promotions.end_caps_per_store, 0, 100000);
  v.intv("promotions.feature_displays_per_store", c.promotions.feature_displays_per_store, 0, 100000);
  v.real("promotions.shelf_tag_prob", c.promotions.shelf_tag_prob, 0, 1);
  v.real("promotions.display_popularity_weight", c.promotions.display_popularity_weight, 0, 10);
  v.real("promotions.in_ad.intercept", c.promotions.in_ad_intercept, -20, 20);
  v.real("promotions.in_ad.depth", c.promotions.in_ad_depth, -50, 50);
  v.real("promotions.in_ad.event", c.promotions.in_ad_event, -20, 20);
  v.real("promotions.in_ad.popularity", c.promotions.in_ad_popularity, -20, 20);
  v.real("promotions.mailer.intercept", c.promotions.mailer_intercept, -20, 20);
  v.real("promotions.mailer.depth", c.promotions.mailer_depth, -50, 50);
  v.real("promotions.mailer.in_ad", c.promotions.mailer_in_ad, -20, 20);
  v.real("marketing.w_depth", c.marketing.w_depth, 0, 10);
  v.real("marketing.w_breadth", c.marketing.w_breadth, 0, 10);
  v.real("marketing.w_display", c.marketing.w_display, 0, 10);
  v.real("marketing.w_ad", c.marketing.w_ad, 0, 10);
  v.real("marketing.depth_reference", c.marketing.depth_reference, 0.01, 1);
  v.real("marketing.breadth_reference", c.marketing.breadth_reference, 0.01, 1);
  v.text("seasonality.table", c.seasonality.table);
  v.real("seasonality.strength", c.seasonality.strength, 0, 5);
  v.real("seasonality.min_reliability", c.seasonality.min_reliability, -1, 1);
  v.boolean("seasonality.traffic", c.seasonality.traffic);
  v.choice("seasonality.incidence", c.seasonality.incidence, {"share", "logit"});
  v.choice("output.compress", c.output.compress, {"none", "zstd"});
  v.intv("output.block_households", c.output.block_households, 0, 4000000000LL);
  v.intv("output.market_cache_mb", c.output.market_cache_mb, 0, 1 << 30);
  v.choice("output.overlap_write", c.output.overlap_write, {"auto", "on", "off"});
  (void)inf;
}

/// Puts `value` (parsed as YAML) at the dotted `path` inside `root`, creating maps.
void set_path(YAML::Node root, const std::string& path, const YAML::Node& value, const std::string& origin) {
  const auto parts = split_path(path);
  for (const auto& p : parts)
    if (p.empty()) throw InputError(origin + ": empty key in '" + path + "'");
  YAML::Node cur;
  cur.reset(root);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node next;
    next.reset(cur[parts[i]]);
    if (!next.IsDefined() || next.IsNull()) {
      cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next.reset(cur[parts[i]]);
    } else if (!next.IsMap()) {
      throw InputError(origin + ": " + path + ": '" + parts[i] + "' is not a map of keys");
    }
    cur.reset(next);
  }
  cur[parts.back()] = value;
}

}  // namespace

namespace {

/// Control characters (a key "a\nb" in quotes, a --set with a newline) escaped, so a message is one line.
std::string one_line(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out;
}

/// Merges the scenario's map `src` into `dst` at `prefix`: maps merge key by key (a distribution
/// map, one with a `dist` key, replaces the old one whole), anything else replaces.  Records the
/// dotted paths it set.
void merge_scenario(YAML::Node dst, const YAML::Node& src, const std::string& prefix, std::vector<std::string>& paths) {
  for (const auto& kv : src) {
    const std::string k = kv.first.as<std::string>();
    const std::string full = prefix + "." + k;
    YAML::Node old;
    old.reset(dst[k]);
    if (kv.second.IsMap() && !kv.second["dist"] && old.IsDefined() && old.IsMap()) {
      merge_scenario(old, kv.second, full, paths);
    } else {
      dst[k] = kv.second;
      paths.push_back(full);
    }
  }
}

/// A YAML file that must hold a map of keys (an empty file is an empty map); `what` names it in
/// messages ("config", "scenario").
YAML::Node load_yaml_map(const std::string& file, const char* what) {
  if (!std::filesystem::is_regular_file(file)) throw InputError(file + ": cannot read the " + what + " file");
  YAML::Node n;
  try {
    n = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    throw InputError(file + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (n.IsNull()) n = YAML::Node(YAML::NodeType::Map);
  if (!n.IsMap()) throw InputError(file + ": the " + what + " must be a map of keys");
  return n;
}

/// Applies scenario file `file` to `root` (see load_config); returns the paths it set.
std::vector<std::string> apply_scenario(YAML::Node root, const std::string& file, Config::Scenario& info) {
  const YAML::Node sc = load_yaml_map(file, "scenario");
  info.file = file;
  info.name = std::filesystem::path(file).stem().string();
  std::vector<std::string> paths;
  for (const auto& kv : sc) {
    const std::string key = kv.first.as<std::string>();
    const std::string at = file + ":" + std::to_string(kv.first.Mark().line + 1) + ": " + key + ": ";
    if (key == "name" || key == "description") {
      if (!kv.second.IsScalar()) throw InputError(at + "expected a string");
      (key == "name" ? info.name : info.description) = kv.second.Scalar();
    } else if (key == "promotions" || key == "pricing") {
      if (!kv.second.IsMap()) throw InputError(at + "expected a map of keys");
      if (key == "pricing")
        for (const auto& p : kv.second)
          if (p.first.as<std::string>() != "price_index")
            throw InputError(file + ":" + std::to_string(p.first.Mark().line + 1) + ": pricing." + p.first.as<std::string>() +
                             ": not a policy key (a scenario may set pricing.price_index only)");
      YAML::Node old;
      old.reset(root[key]);
      if (!old.IsDefined() || old.IsNull()) {
        root[key] = YAML::Node(YAML::NodeType::Map);
        old.reset(root[key]);
      }
      if (!old.IsMap()) throw InputError(at + "is not a map in the config");
      merge_scenario(old, kv.second, key, paths);
    } else if (key == "price_changes" || key == "campaigns") {
      root[key] = kv.second;
      paths.push_back(key);
    } else {
      throw InputError(at + "not a policy key (a scenario may set promotions.*, pricing.price_index, price_changes, "
                            "campaigns, name, description)");
    }
  }
  for (const char c : info.name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      throw InputError(file + ": name: '" + info.name + "' must use letters, digits, '_', '-' or '.' (it names a folder)");
  if (info.name.empty() || info.name[0] == '.') throw InputError(file + ": name: must not be empty or start with '.'");
  return paths;
}

Config load_config_checked(const std::string& path, const std::vector<std::string>& overrides, const std::string& scenario) {
  Config cfg;
  YAML::Node root(YAML::NodeType::Map);
  if (!path.empty()) {
    root = load_yaml_map(path, "config");
    cfg.source = path;
    cfg.base_dir = std::filesystem::absolute(path).parent_path().string();
  } else {
    cfg.base_dir = std::filesystem::current_path().string();
  }
  std::map<std::string, std::string> origin;
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) throw InputError("--set " + o + ": expected key=value");
    const std::string key = o.substr(0, eq);
    const std::string val = o.substr(eq + 1);
    YAML::Node v;
    try {
      v = YAML::Load(val);
    } catch (const YAML::Exception& e) {
      throw InputError("--set " + o + ": invalid value: " + e.msg);
    }
    set_path(root, key, v, "--set " + o);
    origin[key] = "--set " + o;
  }
  std::vector<std::string> scenario_paths;
  try {
    if (!scenario.empty()) scenario_paths = apply_scenario(root, scenario, cfg.scenario);
  } catch (const YAML::Exception& e) {
    throw InputError(scenario + ": keys must be plain strings (" + e.msg + ")");
  }
  Loader loader(root, path, origin);
  loader.set_scenario(scenario, scenario_paths);
  try {
    bind(loader, cfg);
    loader.check_unknown();
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws when a key is not a plain string (a list, a map or null as a key).
    std::string where = path.empty() ? std::string("--set") : path;
    if (!e.mark.is_null()) where += ":" + std::to_string(e.mark.line + 1);
    throw InputError(where + ": keys must be plain strings (" + e.msg + ")");
  }
  // Relative paths: from the file, against the file's folder; from --set, against the current folder.
  for (auto [key, p] : {std::pair<const char*, std::string*>{"catalog.file", &cfg.catalog.file},
                         std::pair<const char*, std::string*>{"seasonality.table", &cfg.seasonality.table},
                         std::pair<const char*, std::string*>{"calendar.profile", &cfg.calendar.profile},
                         std::pair<const char*, std::string*>{"demographics.profiles", &cfg.demographics.profiles},
                         std::pair<const char*, std::string*>{"demographics.kids", &cfg.demographics.kids},
                         std::pair<const char*, std::string*>{"world.table", &cfg.world.table},
                         std::pair<const char*, std::string*>{"world.calibration", &cfg.world.calibration}}) {
    if (p->empty() || std::filesystem::path(*p).is_absolute()) continue;
    const std::filesystem::path base =
        origin.count(key) || path.empty() ? std::filesystem::current_path() : std::filesystem::path(cfg.base_dir);
    *p = (base / *p).lexically_normal().string();
  }
  const std::string where = path.empty() ? std::string("config") : path;
  auto origin_of = [&](const std::string& key) {
    if (origin.count(key)) return origin.at(key);
    std::string file = where;
    for (const auto& p : scenario_paths)
      if (key == p || key.rfind(p + ".", 0) == 0) file = scenario;
    const YAML::Node n = find_node(root, key);
    return n && n.Mark().line >= 0 ? file + ":" + std::to_string(n.Mark().line + 1) : file;
  };
  // A check of two keys blames the one given by --set, else the second one's line in the file.
  auto blame = [&](const std::string& a, const std::string& b) { return origin.count(a) ? origin.at(a) : origin_of(b); };
  if (cfg.promotions.depth_min >= cfg.promotions.depth_max)
    throw InputError(blame("promotions.depth_min", "promotions.depth_max") + ": promotions.depth_min: must be below promotions.depth_max (" +
                     fmt::format("{} >= {}", cfg.promotions.depth_min, cfg.promotions.depth_max) + ")");
  if (cfg.promotions.share_min > cfg.promotions.share_max)
    throw InputError(blame("promotions.share_min", "promotions.share_max") + ": promotions.share_min: must be <= promotions.share_max");
  if (cfg.promotions.share_max >= cfg.promotions.store_participation && cfg.promotions.share_max > 0)
    throw InputError(blame("promotions.store_participation", "promotions.share_max") +
                     ": promotions.share_max: must be below promotions.store_participation (a share of store-weeks "
                     "cannot exceed the share of stores taking part)");
  for (size_t i = 0; i < cfg.correlations.size(); ++i) {
    for (int p : {cfg.correlations[i].a, cfg.correlations[i].b}) {
      const DistKind k = cfg.households[p].kind;
      if (k != DistKind::kNormal && k != DistKind::kLogNormal)
        throw InputError(origin_of("households.correlation") + ": households.correlation[" + std::to_string(i) + "]: " +
                         kHouseholdParamNames[p] + " is " + "not normal or lognormal (only those can be correlated)");
    }
  }
  if (cfg.promotions.source == "learned" && cfg.world.table.empty())
    throw InputError(origin_of("promotions.source") + ": promotions.source: 'learned' needs world.table (a learned world)");
  if (cfg.catalog.source == "file" && cfg.catalog.file.empty())
    throw InputError((path.empty() ? std::string("config") : path) + ": catalog.file: required when catalog.source is 'file'");
  return cfg;
}

}  // namespace

Config load_config(const std::string& path, const std::vector<std::string>& overrides, const std::string& scenario) {
  try {
    return load_config_checked(path, overrides, scenario);
  } catch (const InputError& e) {
    throw InputError(one_line(e.what()));
  }
}

nlohmann::json config_to_json(const Config& cfg) {
  nlohmann::json j = nlohmann::json::object();
  Config copy = cfg;
  Dumper d(j);
  bind(d, copy);
  return j;
}

}  // namespace retailsynth
