// CPU backend: OpenMP over households, the shared per-household functions inside.
#include <omp.h>

#include <algorithm>

#include "backend.h"
#include "config.h"
#include "retailsynth/model/household_week.h"
#include "retailsynth/rng/philox.h"

namespace retailsynth {
namespace {

// ---- the vectorised category evaluation ------------------------------------------------------
// Same arithmetic, same order as RecomputeEval (include/retailsynth/model/household_week.h), laid
// out as passes over a buffer so the compiler can vectorise them; compiled for AVX-512, AVX2 and
// plain x86-64, chosen at run time.  Every clone rounds identically (no FMA contraction).
#define RS_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

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

/// Utilities of a category's products in a buffer: a dense vectorised pass, then the sparse
/// promotion terms and the loyalty bonus, then max and lane sums.
struct BufferEval {
  std::vector<float> buf, ex;
  float max = 0.0f, sum = 0.0f;
  const WeekInputs* week = nullptr;
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
    begin_ = begin;
  }
  float utility(const SimView&, const HouseholdCoefs&, i32, i32 j, const CategoryExtras&) const { return buf[j - begin_]; }

 private:
  i32 begin_ = 0;
};

struct VectorSink {
  std::vector<Record>* out;
  u32* store_trips;
  void emit(const Record& r) { out->push_back(r); }
  void trip(i32 store) { ++store_trips[store]; }
};

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(bool reference) : reference_(reference) {}
  std::string name() const override { return reference_ ? "cpu-reference" : "cpu"; }

  void prepare(const RunSetup& setup) override { setup_ = setup; }

  void sample_households(i64 first, i32 n, HouseholdBlock& out) override {
    out.first = first;
    out.n = n;
    out.params.assign(static_cast<size_t>(kNumHouseholdParams) * n, 0.0f);
    out.home_store.assign(n, 0);
    const rng::HostRng rng{setup_.seed};
#pragma omp parallel for schedule(static)
    for (i32 h = 0; h < n; ++h) sample_household(setup_.spec, first + h, rng, out.params.data() + h, n, &out.home_store[h]);
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
                                   activated_.data(), activated_.data()};
    const SimView v{setup_.catalog, week.view(), block_, state, setup_.missions, setup_.choice, setup_.campaigns};
    const rng::HostRng rng{setup_.seed};
    // Fixed chunks of households, each filled by one thread and joined in order: the result
    // does not depend on the thread count or the schedule.
    constexpr i32 kChunk = 32;
    const i32 n_chunks = (n + kChunk - 1) / kChunk;
    const i32 S = week.n_stores;
    chunks_.resize(n_chunks);
    chunk_trips_.assign(static_cast<size_t>(n_chunks) * S, 0);
    out.offsets.assign(n + 1, 0);
    out.trips.assign(n, 0);
#pragma omp parallel for schedule(dynamic, 1)
    for (i32 c = 0; c < n_chunks; ++c) {
      thread_local BufferEval eval;
      eval.week = &week;
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
    }
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
  std::vector<float> inventory_, spend_;
  std::vector<i32> last_;
  std::vector<u64> targeted_, activated_;
};

}  // namespace

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
  throw InputError("--backend: unknown backend '" + which + "' (auto, cpu, cuda)");
}

}  // namespace retailsynth
