// The CUDA backend's shape of a week run on the host (--backend cpu-items): plan per household,
// work items per (household, category) sorted by (store, category) and run in that order, records
// joined by item, spending per household.  The same steps and the same shared functions as
// kernels/cuda_backend.cu, with the eight lanes of an item run one after another
// (LanesInOneThread); state double-buffered and category-major, as on the device.  Its output
// equals the CPU backend's byte for byte (tests/test_items.cpp), which is the host's check of the
// device's decomposition.
#include <omp.h>

#include <algorithm>
#include <numeric>

#include "backend.h"
#include "retailsynth/model/week_items.h"
#include "retailsynth/rng/philox.h"

namespace retailsynth {
namespace {

/// Records of one item go to its own slots (kMaxPicks per trip it evaluates).
struct ItemSink {
  Record* base;
  u32 count = 0;
  u64 pairs = 0;
  void emit(const Record& r) { base[count++] = r; }
  void evaluated(i32 n) { pairs += static_cast<u64>(n); }
  void trip(i32) {}
};

/// The plan's sink: trips per store, in a per-thread row.
struct TripSink {
  u32* store_trips;
  void trip(i32 s) { ++store_trips[s]; }
  void evaluated(i32) {}
  void emit(const Record&) {}
};

/// Exclusive prefix sums: out[i] = in[0] + ... + in[i - 1], out[n] = the total.
template <class F>
void exclusive_scan(size_t n, std::vector<u32>& out, F value) {
  out.resize(n + 1);
  u32 acc = 0;
  for (size_t i = 0; i < n; ++i) {
    out[i] = acc;
    acc += static_cast<u32>(value(i));
  }
  out[n] = acc;
}

class CpuItemsBackend final : public Backend {
 public:
  std::string name() const override { return "cpu-items"; }
  void prepare(const RunSetup& setup) override { setup_ = setup; }

  void sample_households(i64 first, i32 n, HouseholdBlock& out) override {
    sample_households_on_host(setup_, first, n, out, n, 1);  // the state's layout
    block_ = out.view();
    const size_t kn = static_cast<size_t>(setup_.catalog.n_categories) * n;
    for (int b = 0; b < 2; ++b) {
      inventory_[b].assign(kn, 0.0f);
      last_[b].assign(kn, -1);
      spend_[b].assign(n, 0.0f);
      targeted_[b].assign(n, 0);
      activated_[b].assign(n, 0);
    }
  }

  void campaign_state(std::vector<u64>& targeted, std::vector<u64>& activated) override {
    targeted = targeted_[0];
    activated = activated_[0];
  }

  void simulate_week(const WeekInputs& week, WeekRecords& out) override {
    const i32 n = block_.n;
    const HouseholdStateView state{inventory_[0].data(), inventory_[1].data(), last_[0].data(),      last_[1].data(),
                                   spend_[0].data(),     spend_[1].data(),     targeted_[0].data(),  targeted_[1].data(),
                                   activated_[0].data(), activated_[1].data(), n,                    1};
    const SimView v{setup_.catalog, week.view(), block_, state, setup_.missions, setup_.choice, setup_.campaigns};
    plan(v, out);
    make_items(v);
    run_items(v);
    join(v, out);
    inventory_[0].swap(inventory_[1]);  // the week's end is the next week's start
    last_[0].swap(last_[1]);
    spend_[0].swap(spend_[1]);
    targeted_[0].swap(targeted_[1]);
    activated_[0].swap(activated_[1]);
  }

 private:
  /// Step 1: trips, campaign starts and category masks per household; every category's state
  /// carried (the items overwrite theirs).
  void plan(const SimView& v, WeekRecords& out) {
    const i32 n = v.hh.n, K = v.cat.n_categories, S = v.week.n_stores;
    const rng::PhiloxRng rng{setup_.seed};
    trips_.resize(n);
    masks_.assign(static_cast<size_t>(K) * n, 0);
    item_count_.assign(n, 0);
    const int threads = omp_get_max_threads();
    std::vector<u32> store_trips(static_cast<size_t>(threads) * S, 0);
    const float keep = 1.0f - v.choice.inventory_decay;
#pragma omp parallel for schedule(dynamic, 32)
    for (i32 h = 0; h < n; ++h) {
      TripSink sink{store_trips.data() + static_cast<size_t>(omp_get_thread_num()) * S};
      item_count_[h] = static_cast<u32>(plan_household_week(v, h, rng, sink, trips_[h], [&](i32 k, u32 m) {
        masks_[static_cast<size_t>(k) * n + h] = m;
      }));
      for (i32 k = 0; k < K; ++k) carry_category(v, k, h, keep);
    }
    out.store_trips.assign(S, 0);
    for (int t = 0; t < threads; ++t)
      for (i32 s = 0; s < S; ++s) out.store_trips[s] += store_trips[static_cast<size_t>(t) * S + s];
    out.trips.resize(n);
    for (i32 h = 0; h < n; ++h) out.trips[h] = static_cast<u8>(trips_[h].n);
  }

  /// Step 2a: the items in (household, category) order, their slots, and the order they run in
  /// (by store x category, then item).
  void make_items(const SimView& v) {
    const i32 n = v.hh.n, K = v.cat.n_categories;
    exclusive_scan(n, item_begin_, [&](size_t h) { return item_count_[h]; });
    items_.resize(item_begin_[n]);
    keys_.resize(items_.size());
#pragma omp parallel for schedule(static)
    for (i32 h = 0; h < n; ++h) {
      u32 at = item_begin_[h];
      for (i32 k = 0; k < K; ++k) {
        const u32 m = masks_[static_cast<size_t>(k) * n + h];
        if (m == 0) continue;
        items_[at] = WorkItem{h, k, m};
        keys_[at] = item_key(trips_[h], items_[at], K);
        ++at;
      }
    }
    exclusive_scan(items_.size(), slot_begin_, [&](size_t i) { return __builtin_popcount(items_[i].trips) * kMaxPicks; });
    order_.resize(items_.size());
    std::iota(order_.begin(), order_.end(), 0u);
    std::sort(order_.begin(), order_.end(), [&](u32 a, u32 b) { return keys_[a] != keys_[b] ? keys_[a] < keys_[b] : a < b; });
  }

  /// Step 2b: every item in sorted order, each into its own slots.
  void run_items(const SimView& v) {
    const rng::PhiloxRng rng{setup_.seed};
    slots_.resize(slot_begin_.back());
    record_count_.assign(items_.size(), 0);
    pairs_.assign(items_.size(), 0);
#pragma omp parallel for schedule(dynamic, 64)
    for (size_t p = 0; p < order_.size(); ++p) {
      const u32 id = order_[p];
      const WorkItem& it = items_[id];
      ItemSink sink{slots_.data() + slot_begin_[id]};
      LanesInOneThread eval;
      simulate_item(v, trips_[it.h], it, rng, sink, eval);
      record_count_[id] = sink.count;
      pairs_[id] = sink.pairs;
    }
  }

  /// Step 3: records joined in item order (each household's in (category, trip) order), the
  /// household offsets and spending.
  void join(const SimView& v, WeekRecords& out) {
    const i32 n = v.hh.n;
    exclusive_scan(items_.size(), record_begin_, [&](size_t i) { return record_count_[i]; });
    out.records.resize(record_begin_.back());
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < items_.size(); ++i)
      std::copy_n(slots_.begin() + slot_begin_[i], record_count_[i], out.records.begin() + record_begin_[i]);
    out.offsets.resize(n + 1);
    for (i32 h = 0; h <= n; ++h) out.offsets[h] = record_begin_[item_begin_[h]];
#pragma omp parallel for schedule(static)
    for (i32 h = 0; h < n; ++h)
      v.state.spend_out[h] = week_spend(v.state.spend_in[h], out.records.data() + out.offsets[h],
                                        out.offsets[h + 1] - out.offsets[h]);
    out.evaluated_pairs = std::accumulate(pairs_.begin(), pairs_.end(), u64{0});
  }

  RunSetup setup_{};
  HouseholdView block_{};
  std::vector<float> inventory_[2], spend_[2];
  std::vector<i32> last_[2];
  std::vector<u64> targeted_[2], activated_[2];
  std::vector<Trips> trips_;
  std::vector<u32> masks_, item_count_, item_begin_, keys_, slot_begin_, order_, record_count_, record_begin_;
  std::vector<WorkItem> items_;
  std::vector<Record> slots_;
  std::vector<u64> pairs_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_items_backend() { return std::make_unique<CpuItemsBackend>(); }

}  // namespace retailsynth
