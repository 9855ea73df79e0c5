// CPU backend: OpenMP over households, the shared per-household functions inside.
#include <omp.h>

#include <algorithm>

#include "backend.h"
#include "config.h"
#include "retailsynth/model/household_week.h"
#include "retailsynth/rng/philox.h"
#include "simd.h"

namespace retailsynth {
namespace {

// ---- the vectorised category evaluation ------------------------------------------------------
// Same arithmetic, same order as RecomputeEval (include/retailsynth/model/household_week.h), laid
// out as passes over a buffer so the compiler can vectorise them; compiled for AVX-512, AVX2 and
// plain x86-64, chosen at run time (simd.h).

RS_SIMD_CLONES void dense_pass(float* __restrict u, int n, const float* __restrict base_u, const float* __restrict quality,
                               const float* __restrict log_price, const float* __restrict ref_gain, HouseholdCoefs c) {
  for (int i = 0; i < n; ++i) u[i] = dense_utility(base_u[i], quality[i], log_price[i], ref_gain[i], c);
}

RS_SIMD_CLONES float max_pass(const float* __restrict u, int n) {
  float mx[math::kLseLanes];
  for (int l = 0; l < math::kLseLanes; ++l) mx[l] = -math::kInf;
  int i = 0;
  for (; i + math::kLseLanes <= n; i += math::kLseLanes)
    for (int l = 0; l < math::kLseLanes; ++l) mx[l] = u[i + l] > mx[l] ? u[i + l] : mx[l];
  for (int l = 0; i + l < n; ++l) mx[l] = u[i + l] > mx[l] ? u[i + l] : mx[l];
  float m = mx[0];
  for (int l = 1; l < math::kLseLanes; ++l) m = mx[l] > m ? mx[l] : m;
  return m;
}

RS_SIMD_CLONES void exp_pass(float* __restrict e, const float* __restrict u, int n, float m) {
  for (int i = 0; i < n; ++i) e[i] = math::rs_exp_lse(u[i] - m);
}

RS_SIMD_CLONES float lane_sum_pass(const float* __restrict e, int n) {
  float acc[math::kLseLanes] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  int i = 0;
  for (; i + math::kLseLanes <= n; i += math::kLseLanes)
    for (int l = 0; l < math::kLseLanes; ++l) acc[l] = acc[l] + e[i + l];
  for (int l = 0; i + l < n; ++l) acc[l] = acc[l] + e[i + l];
  return math::combine_lanes(acc);
}

/// The exact skip for one trip over all K categories, vectorised over categories: each category's
/// u_buy (the first Philox word of its basket slot, as ScalarScreen draws it) and cannot_buy, the
/// same float operations as the scalar path in the same order.
RS_SIMD_CLONES void screen_trip(const SimView& v, const HouseholdCoefs& c, const SkipHousehold& hk, u64 seed, u64 hh,
                                int trip, i32 s, int mission, const float* __restrict shift,
                                const float* __restrict inventory0, const u8* __restrict had_last,
                                float* __restrict u_buy, u8* __restrict skip) {
  const i32 K = v.cat.n_categories;
  const u32 k0 = static_cast<u32>(seed), k1 = static_cast<u32>(seed >> 32);
  const u32 sub_lo = static_cast<u32>(hh), sub_hi = static_cast<u32>(hh >> 32);
  const float loyal_extra = hk.loyal_extra;  // hoisted: plain values vectorise
  for (i32 k = 0; k < K; ++k) {
    const u64 block = basket_offset(v.week.week, trip, k) >> 2;  // word 0 of the block
    const rng::u32x4 r = rng::philox4x32_10(rng::u32x4{static_cast<u32>(block), static_cast<u32>(block >> 32), sub_lo, sub_hi}, k0, k1);
    const float u = math::uniform01_of(r.x);
    u_buy[k] = u;
    const bool loyal = (trip > 0) | (had_last[k] != 0);
    skip[k] = static_cast<u8>(cannot_buy(v, category_bound_state(v, c, s, k), k, shift[k], mission,
                                              inventory0[k], loyal ? loyal_extra : 0.0f, u));
  }
}

/// Utilities of a category's products in a buffer: a dense vectorised pass, then the sparse
/// promotion terms and the loyalty bonus, then max and lane sums.
struct BufferEval {
  std::vector<float> buf, ex;
  float max = 0.0f, sum = 0.0f;
  const WeekInputs* week = nullptr;
  u64 seed = 0;

  /// The skip of every trip and category of the household's week, by screen_trip.
  void begin_week(const SimView& v, const HouseholdCoefs& c, const SkipHousehold& hk, float basket_scale, i32 h, u64 hh,
                  int n_trips, const i32* store, const u8* mission, const rng::PhiloxRng&) {
    const i32 K = v.cat.n_categories;
    const float keep = 1.0f - v.choice.inventory_decay;
    shift_.resize(K);
    inventory0_.resize(K);
    had_last_.resize(K);
    u_buy_.resize(static_cast<size_t>(K) * (n_trips > 0 ? n_trips : 1));
    skip_.resize(u_buy_.size());
    for (i32 k = 0; k < K; ++k) {  // the start-of-week state, as simulate_household_week reads it
      const i64 sk = v.state.at(k, h);
      shift_[k] = household_shift(v, basket_scale, sk);
      inventory0_[k] = v.state.inventory_in[sk] * keep;
      const i32 last = v.state.last_in[sk];
      had_last_[k] = last >= v.cat.cat_begin[k] && last < v.cat.cat_begin[k + 1];
    }
    for (int t = 0; t < n_trips; ++t)
      screen_trip(v, c, hk, seed, hh, t, store[t], mission[t], shift_.data(), inventory0_.data(), had_last_.data(),
                  u_buy_.data() + static_cast<size_t>(t) * K, skip_.data() + static_cast<size_t>(t) * K);
  }
  bool skip_category(const SimView& v, const HouseholdCoefs&, const SkipHousehold&, i32, i32 k, int trip, int, float,
                     float, bool, u64, const rng::PhiloxRng&, float& u_buy) const {
    const size_t at = static_cast<size_t>(trip) * v.cat.n_categories + k;
    u_buy = u_buy_[at];
    return skip_[at] != 0;
  }

  void evaluate(const SimView& v, const HouseholdCoefs& c, i32 s, i32 k, const CategoryExtras& x) {
    const i32 begin = v.cat.cat_begin[k], end = v.cat.cat_begin[k + 1];
    const int n = end - begin;
    if (static_cast<int>(buf.size()) < n) buf.resize(n), ex.resize(n);
    float* u = buf.data();
    const i64 at0 = v.week.at(s, begin);
    dense_pass(u, n, v.week.base_u + at0, v.cat.quality + begin, v.week.log_price + at0, v.week.ref_gain + at0, c);
    // The promoted products of this store and category, from the week's sparse index.
    const i32 K = v.cat.n_categories;
    const i32* pb = week->promo_begin.data() + static_cast<size_t>(s) * (K + 1);
    for (i32 p = pb[k]; p < pb[k + 1]; ++p) {
      const i32 j = week->promo_products[p];
      u[j - begin] = add_promotion_terms(u[j - begin], v, c, at0 + (j - begin));
    }
    if (x.last >= begin && x.last < end) u[x.last - begin] = u[x.last - begin] + c.beta_loyal;
    for (int i = 0; i < x.n; ++i) {  // coupons held, after the loyalty bonus as in product_utility
      const i32 j = x.product[i];
      const i64 at = at0 + (j - begin);
      const u32 t = coupon_total(v, x.entry[i]);
      if (coupon_applies(v.week.shelf_cents[at], t)) u[j - begin] = u[j - begin] + coupon_utility(v, c, at, t);
    }
    max = max_pass(u, n);
    exp_pass(ex.data(), u, n, max);
    sum = lane_sum_pass(ex.data(), n);
  }
  /// The product bought for u_pick, walking exp(u_j - max) of the last evaluation (exp_pass
  /// computed them with RecomputeEval's function).
  int pick(const SimView& v, const HouseholdCoefs&, i32, i32 k, const CategoryExtras&, float u_pick,
           const Picks& picked) const {
    const float total = total_without(sum, picked, [&](int i) { return ex[i]; });
    return math::sample_categorical(v.cat.cat_begin[k + 1] - v.cat.cat_begin[k], total, u_pick,
                                    [&](int i) { return picked.has(i) ? 0.0f : ex[i]; });
  }

 private:
  std::vector<float> shift_, inventory0_, u_buy_;
  std::vector<u8> had_last_, skip_;
};

struct VectorSink {
  std::vector<Record>* out;
  u32* store_trips;
  u64 pairs = 0;
  void emit(const Record& r) { out->push_back(r); }
  void trip(i32 store) { ++store_trips[store]; }
  void evaluated(i32 n) { pairs += static_cast<u64>(n); }
};

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(bool reference) : reference_(reference) {}
  std::string name() const override { return reference_ ? "cpu-reference" : "cpu"; }

  void prepare(const RunSetup& setup) override { setup_ = setup; }

  void sample_households(i64 first, i32 n, HouseholdBlock& out) override {
    sample_households_on_host(setup_, first, n, out, 1, setup_.catalog.n_categories);  // the state's layout
    block_ = out.view();
    const size_t kn = static_cast<size_t>(setup_.catalog.n_categories) * n;
    inventory_.assign(kn, 0.0f);
    last_.assign(kn, -1);
    spend_.assign(n, 0.0f);
    targeted_.assign(n, 0);
    activated_.assign(n, 0);
  }

  void campaign_state(std::vector<u64>& targeted, std::vector<u64>& activated) override {
    targeted = targeted_;
    activated = activated_;
  }

  void simulate_week(const WeekInputs& week, WeekRecords& out) override {
    const i32 n = block_.n;
    // The state is updated in place: each household-category element is read before it is written.
    const HouseholdStateView state{inventory_.data(), inventory_.data(), last_.data(),      last_.data(),
                                   spend_.data(),     spend_.data(),     targeted_.data(),  targeted_.data(),
                                   activated_.data(), activated_.data(), 1, setup_.catalog.n_categories};
    const SimView v{setup_.catalog, week.view(), block_, state, setup_.missions, setup_.choice, setup_.campaigns};
    const rng::PhiloxRng rng{setup_.seed};
    // Fixed chunks of households, each filled by one thread and joined in order: the result
    // does not depend on the thread count or the schedule.
    constexpr i32 kChunk = 32;
    const i32 n_chunks = (n + kChunk - 1) / kChunk;
    const i32 S = week.n_stores;
    chunks_.resize(n_chunks);
    chunk_trips_.assign(static_cast<size_t>(n_chunks) * S, 0);
    chunk_evaluated_.assign(n_chunks, 0);
    out.offsets.assign(n + 1, 0);
    out.trips.assign(n, 0);
#pragma omp parallel for schedule(dynamic, 1)
    for (i32 c = 0; c < n_chunks; ++c) {
      thread_local BufferEval eval;
      eval.week = &week;
      eval.seed = setup_.seed;
      RecomputeEval reference_eval;
      std::vector<Record>& local = chunks_[c];
      local.clear();
      VectorSink sink{&local, chunk_trips_.data() + static_cast<size_t>(c) * S};
      for (i32 h = c * kChunk; h < std::min(n, (c + 1) * kChunk); ++h) {
        const size_t before = local.size();
        out.trips[h] = static_cast<u8>(reference_ ? simulate_household_week(v, h, rng, sink, reference_eval)
                                                  : simulate_household_week(v, h, rng, sink, eval));
        out.offsets[h + 1] = static_cast<u32>(local.size() - before);
      }
      chunk_evaluated_[c] = sink.pairs;
    }
    out.evaluated_pairs = 0;
    for (u64 p : chunk_evaluated_) out.evaluated_pairs += p;
    for (i32 h = 0; h < n; ++h) out.offsets[h + 1] += out.offsets[h];
    out.store_trips.assign(S, 0);
    for (i32 c = 0; c < n_chunks; ++c)
      for (i32 s = 0; s < S; ++s) out.store_trips[s] += chunk_trips_[static_cast<size_t>(c) * S + s];
    out.records.resize(out.offsets[n]);
#pragma omp parallel for schedule(static)
    for (i32 c = 0; c < n_chunks; ++c) std::copy(chunks_[c].begin(), chunks_[c].end(), out.records.begin() + out.offsets[c * kChunk]);
  }

 private:
  bool reference_;
  RunSetup setup_{};
  HouseholdView block_{};
  std::vector<std::vector<Record>> chunks_;
  std::vector<u32> chunk_trips_;
  std::vector<u64> chunk_evaluated_;  // household-product pairs evaluated, per chunk
  std::vector<float> inventory_, spend_;
  std::vector<i32> last_;
  std::vector<u64> targeted_, activated_;
};

}  // namespace

void sample_households_on_host(const RunSetup& setup, i64 first, i32 n, HouseholdBlock& out, i64 affinity_k_stride,
                               i64 affinity_h_stride) {
  const i32 K = setup.catalog.n_categories;
  out.first = first;
  out.n = n;
  out.params.assign(static_cast<size_t>(kNumHouseholdParams) * n, 0.0f);
  out.home_store.assign(n, 0);
  out.secondary.assign(static_cast<size_t>(kMaxSecondaryStores) * n, -1);
  out.demographic.assign(n, -1);
  out.affinity.assign(static_cast<size_t>(K) * n, 0.0f);
  out.affinity_k_stride = affinity_k_stride;
  out.affinity_h_stride = affinity_h_stride;
  const rng::PhiloxRng rng{setup.seed};
#pragma omp parallel for schedule(static)
  for (i32 h = 0; h < n; ++h) {
    sample_household(setup.spec, first + h, rng, out.params.data() + h, n, &out.home_store[h], out.secondary.data() + h,
                     &out.demographic[h]);
    if (setup.spec.affinity_sd == 0.0f && out.demographic[h] < 0) continue;  // every affinity 0, as assigned
    for (i32 k = 0; k < K; ++k)
      out.affinity[k * affinity_k_stride + h * affinity_h_stride] =
          sample_affinity(setup.spec, first + h, out.demographic[h], rng, k);
  }
}

std::unique_ptr<Backend> make_cpu_backend(bool reference) { return std::make_unique<CpuBackend>(reference); }

void order_by_trip(WeekRecords& w) {
  const i32 n = static_cast<i32>(w.offsets.size()) - 1;
#pragma omp parallel for schedule(static, 256)
  for (i32 h = 0; h < n; ++h)
    std::stable_sort(w.records.begin() + w.offsets[h], w.records.begin() + w.offsets[h + 1],
                     [](const Record& a, const Record& b) { return a.trip < b.trip; });
}

std::unique_ptr<Backend> make_backend(const std::string& which) {
  if (which == "cpu") return make_cpu_backend();
  if (which == "cpu-reference") return make_cpu_backend(true);
  if (which == "cpu-items") return make_cpu_items_backend();
  std::string why;
  if (which == "cuda") {
    auto b = make_cuda_backend(&why);
    if (!b) {
      const std::string dev = "no CUDA device: ";  // the runtime's reason follows, e.g. "driver version is insufficient"
      if (why.rfind(dev, 0) == 0)
        why = "no usable GPU and CUDA driver on this machine (the CUDA runtime says: " + why.substr(dev.size()) + ")";
      throw InputError("--backend cuda: " + why + "; use --backend cpu or auto");
    }
    return b;
  }
  if (which == "auto") {
    auto b = make_cuda_backend(&why);
    return b ? std::move(b) : make_cpu_backend();
  }
  throw InputError("--backend: unknown backend '" + which + "' (auto, cpu, cuda, cpu-reference, cpu-items)");
}

}  // namespace retailsynth
