#include "engine/campaigns.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "io/output.h"
#include "market.h"
#include "retailsynth/math/distributions.h"
#include "retailsynth/rng/philox.h"

namespace retailsynth {
namespace {

u16 to_cents(double dollars) {
  const double c = std::round(dollars * 100.0);
  return static_cast<u16>(std::clamp(c, 1.0, 65535.0));
}

}  // namespace

Campaigns::Campaigns(const Config& cfg, const Catalog& cat) {
  const i32 P = cat.n_products(), K = cat.n_categories();
  std::unordered_map<i64, i32> product_index;
  for (i32 j = 0; j < P; ++j) product_index[cat.product_id[j]] = j;
  for (size_t i = 0; i < cfg.campaigns.size(); ++i) {
    const Config::Campaign& c = cfg.campaigns[i];
    const std::string at = c.origin + ": campaigns[" + std::to_string(i) + "]";
    if (c.start_week > cfg.scale.weeks) continue;  // starts after the simulated weeks
    Resolved r;
    r.name = c.name;
    r.type = c.type;
    r.start_week = static_cast<u32>(c.start_week);
    r.end_week = static_cast<u32>(std::min(c.end_week, cfg.scale.weeks));
    // The coupon value of product j: fixed dollars, or a share of its base price to 5 cents.
    auto value_of = [&](i32 j) {
      const double v = c.value > 0 ? c.value : std::max(0.05, std::round(cat.base_price[j] * c.depth * 20.0) / 20.0);
      return v;
    };
    if (!c.product_ids.empty()) {
      for (i64 id : c.product_ids) {
        const auto it = product_index.find(id);
        if (it == product_index.end()) throw InputError(at + ".products.ids: no product with PRODUCT_ID " + std::to_string(id));
        r.products.push_back(it->second);
      }
      std::sort(r.products.begin(), r.products.end());
      r.products.erase(std::unique(r.products.begin(), r.products.end()), r.products.end());
    } else {
      // Eligible: products of the listed categories or departments (all when none are listed)
      // whose regular price is at least twice the coupon with its match, so the coupon applies.
      std::vector<char> cat_ok(K, c.categories.empty() && c.departments.empty());
      for (const auto& name : c.categories) {
        bool found = false;
        for (i32 k = 0; k < K; ++k)
          if (cat.cat_name[k] == name) cat_ok[k] = found = true;
        if (!found) throw InputError(at + ".products.categories: no category named '" + name + "'");
      }
      for (const auto& name : c.departments) {
        bool found = false;
        for (i32 k = 0; k < K; ++k)
          if (cat.cat_department[k] == name) cat_ok[k] = found = true;
        if (!found) throw InputError(at + ".products.departments: no department named '" + name + "'");
      }
      // Popular products are likelier coupon carriers: the `count` largest Gumbel-perturbed
      // popularity intercepts (a draw without replacement with weights exp(alpha)).
      std::vector<std::pair<double, i32>> keyed;
      for (i32 j = 0; j < P; ++j) {
        if (!cat_ok[cat.category[j]]) continue;
        if (cat.base_price[j] < 2.0 * value_of(j) * (1.0 + c.match)) continue;
        rng::PhiloxStream g(cfg.seed, rng::world_subsequence(rng::Stream::kCatalog, (u64{7} << 32) | static_cast<u64>(j)),
                            rng::offset(0, rng::Stream::kCatalog, 5, static_cast<u32>(i)));
        const double gumbel = -std::log(-std::log(static_cast<double>(math::uniform_open01(g))));
        keyed.push_back({cat.alpha[j] + gumbel, j});
      }
      if (keyed.empty())
        throw InputError(at + ".products: no product qualifies (none in the listed categories/departments costs twice the coupon)");
      const size_t n = std::min<size_t>(keyed.size(), static_cast<size_t>(c.count));
      std::partial_sort(keyed.begin(), keyed.begin() + n, keyed.end(),
                        [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
      for (size_t q = 0; q < n; ++q) r.products.push_back(keyed[q].second);
      std::sort(r.products.begin(), r.products.end());
    }
    for (i32 j : r.products) {
      const double v = value_of(j);
      r.cents.push_back(to_cents(v));
      r.match.push_back(c.match > 0 ? to_cents(v * c.match) : 0);
    }
    CampaignRule rule{};
    // Slot: FNV-1a of the name, probing past the slots of earlier campaigns.
    u32 h = 2166136261u;
    for (const unsigned char ch : c.name) h = (h ^ ch) * 16777619u;
    rule.slot = h % rng::kMaxSlots;
    for (bool clash = true; clash;) {
      clash = false;
      for (const auto& other : rules_) clash = clash || other.slot == rule.slot;
      if (clash) rule.slot = (rule.slot + 1) % rng::kMaxSlots;
    }
    rule.start_week = r.start_week;
    rule.end_week = r.end_week;
    rule.share = static_cast<float>(c.target_share);
    rule.param = -1;
    for (int p = 0; p < kNumHouseholdParams; ++p)
      if (c.target_param == kHouseholdParamNames[p]) rule.param = p;
    rule.param_min = static_cast<float>(std::max(c.param_min, -3.0e38));
    rule.param_max = static_cast<float>(std::min(c.param_max, 3.0e38));
    rule.min_weekly_cents = static_cast<float>(c.min_weekly_spend * 100.0);
    rules_.push_back(rule);
    list_.push_back(std::move(r));
    source_.push_back(static_cast<i32>(i));
  }
}

void Campaigns::fill_week(u32 week, const Catalog& cat, WeekInputs& out) const {
  struct Entry {
    i32 product;
    u8 campaign;
    u16 cents, match;
  };
  std::vector<Entry> entries;
  for (size_t c = 0; c < list_.size(); ++c) {
    const Resolved& r = list_[c];
    if (week < r.start_week || week > r.end_week) continue;
    for (size_t q = 0; q < r.products.size(); ++q)
      entries.push_back({r.products[q], static_cast<u8>(c), r.cents[q], r.match[q]});
  }
  // Products are sorted by category, so (product, campaign) order groups them by category.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.product != b.product ? a.product < b.product : a.campaign < b.campaign; });
  const i32 K = cat.n_categories();
  out.coupon_begin.assign(static_cast<size_t>(K) + 1, 0);
  out.coupon_product.clear();
  out.coupon_campaign.clear();
  out.coupon_cents.clear();
  out.coupon_match.clear();
  out.coupon_mask.assign(K, 0);
  size_t e = 0;
  for (i32 k = 0; k < K; ++k) {
    out.coupon_begin[k] = static_cast<i32>(out.coupon_product.size());
    for (; e < entries.size() && entries[e].product < cat.cat_begin[k + 1]; ++e) {
      out.coupon_mask[k] |= u64{1} << entries[e].campaign;
      out.coupon_product.push_back(entries[e].product);
      out.coupon_campaign.push_back(entries[e].campaign);
      out.coupon_cents.push_back(entries[e].cents);
      out.coupon_match.push_back(entries[e].match);
    }
  }
  out.coupon_begin[K] = static_cast<i32>(out.coupon_product.size());
}

i64 Campaigns::coupon_upc(i32 c, i32 j) const {
  const auto& p = list_[c].products;
  const auto it = std::lower_bound(p.begin(), p.end(), j);
  // 11 digits like TCJ's: 1 0000 CCCC QQQQ with the campaign number and the coupon's position.
  return 10000000000LL + static_cast<i64>(campaign_number(c)) * 10000 + static_cast<i64>(it - p.begin());
}

std::string Campaigns::campaign_desc_csv() const {
  std::string s = "DESCRIPTION,CAMPAIGN,START_DAY,END_DAY\n";
  for (size_t c = 0; c < list_.size(); ++c)
    s += fmt::format("{},{},{},{}\n", list_[c].type, campaign_number(static_cast<i32>(c)), start_day(list_[c]),
                     end_day(list_[c]));
  return s;
}

std::string Campaigns::coupon_csv(const Catalog& cat) const {
  std::string s = "COUPON_UPC,PRODUCT_ID,CAMPAIGN\n";
  for (size_t c = 0; c < list_.size(); ++c)
    for (i32 j : list_[c].products)
      s += fmt::format("{},{},{}\n", coupon_upc(static_cast<i32>(c), j), cat.product_id[j], campaign_number(static_cast<i32>(c)));
  return s;
}

std::string Campaigns::truth_csv(const Config& cfg) const {
  std::string s =
      "CAMPAIGN,name,DESCRIPTION,start_week,end_week,target_share,target_param,param_min,param_max,min_weekly_spend,"
      "n_products,mean_coupon,mean_match\n";
  for (size_t c = 0; c < list_.size(); ++c) {
    const auto& r = list_[c];
    const auto& src = cfg.campaigns[source_[c]];
    double cents = 0, match = 0;
    for (size_t q = 0; q < r.products.size(); ++q) cents += r.cents[q], match += r.match[q];
    const double n = static_cast<double>(r.products.size());
    auto bound = [](double x) { return std::fabs(x) >= 1e30 ? std::string() : fmt::format("{}", x); };
    s += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{:.2f},{:.2f}\n", campaign_number(static_cast<i32>(c)), csv_field(r.name),
                     r.type, r.start_week, r.end_week, src.target_share, src.target_param, bound(src.param_min),
                     bound(src.param_max), src.min_weekly_spend, r.products.size(), cents / n / 100.0, match / n / 100.0);
  }
  return s;
}

std::string campaigns_outside_run_note(const Config& cfg) {
  std::string left_out, cut;
  int n_left = 0, n_cut = 0;
  for (const auto& c : cfg.campaigns) {
    if (c.start_week > cfg.scale.weeks) left_out += (n_left++ ? ", " : "") + c.name;
    else if (c.end_week > cfg.scale.weeks) cut += (n_cut++ ? ", " : "") + c.name;
  }
  if (n_left == 0 && n_cut == 0) return "";
  const size_t n = cfg.campaigns.size();
  std::string note = "retailsynth: note: ";
  if (n_left)
    note += fmt::format("{} of {} campaigns start after week {} (scale.weeks) and are left out: {}", n_left, n,
                        cfg.scale.weeks, left_out);
  if (n_cut)
    note += fmt::format("{}{} of {} end after week {} and are cut there: {}", n_left ? "; " : "", n_cut, n, cfg.scale.weeks, cut);
  return note + "\n";
}

}  // namespace retailsynth
