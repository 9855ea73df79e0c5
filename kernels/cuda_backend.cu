// CUDA backend: household parameters sampled with cuRAND Philox, the trip/choice kernel (a
// thread per household calling the shared simulate_household_week), and compaction of the
// per-household record slots with CUB.  Device buffers are Thrust vectors.
#include <cub/device/device_reduce.cuh>
#include <cub/device/device_scan.cuh>
#include <curand_kernel.h>
#include <thrust/device_vector.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

#include "backend.h"
#include "cuda_backend.h"
#include "retailsynth/model/household_week.h"

#define RS_CUDA_CHECK(call)                                                                                  \
  do {                                                                                                       \
    const cudaError_t rs_err_ = (call);                                                                      \
    if (rs_err_ != cudaSuccess)                                                                              \
      throw std::runtime_error(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " + #call + ": " + \
                               cudaGetErrorString(rs_err_));                                                 \
  } while (0)

// Launch check: the error of the launch always; the kernel's own errors synchronously only in
// debug builds (release builds see them at the next synchronising call).
#ifdef NDEBUG
#define RS_CUDA_LAUNCH_CHECK() RS_CUDA_CHECK(cudaGetLastError())
#else
#define RS_CUDA_LAUNCH_CHECK()                 \
  do {                                         \
    RS_CUDA_CHECK(cudaGetLastError());         \
    RS_CUDA_CHECK(cudaDeviceSynchronize());    \
  } while (0)
#endif

namespace retailsynth {
namespace {

/// cuRAND Philox behind the generator interface of the shared transforms.
struct CurandStream {
  curandStatePhilox4_32_10_t st;
  __device__ RS_FORCEINLINE u32 next_u32() { return curand(&st); }
};

struct CurandRng {
  u64 seed;
  RS_HD RS_FORCEINLINE CurandStream stream(u64 subsequence, u64 offset) const {
#ifdef __CUDA_ARCH__
    CurandStream s;
    curand_init(seed, subsequence, offset, &s.st);
    return s;
#else
    (void)subsequence;
    (void)offset;
    return CurandStream{};  // never called on the host
#endif
  }
};

/// Records of one household-week go to its fixed slot; the count goes on past the capacity so
/// the host can grow the slots and run the week again (the week is a pure function of its
/// inputs, so the rerun gives the same records).
struct SlotSink {
  Record* base;
  u32 cap;
  u32 count;
  u32* store_trips;
  u64 pairs;
  __device__ RS_FORCEINLINE void evaluated(i32 n) { pairs += static_cast<u64>(n); }
  __device__ RS_FORCEINLINE void emit(const Record& r) {
    if (count < cap) base[count] = r;
    ++count;
  }
  __device__ RS_FORCEINLINE void trip(i32 store) { atomicAdd(store_trips + store, 1u); }  // integer: order-free
};

template <class T>
T* raw(thrust::device_vector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}

__global__ void sample_households_kernel(HouseholdSpecView spec, CurandRng rng, i64 first, i32 n, float* params,
                                         i32* home) {
  const i32 h = static_cast<i32>(blockIdx.x * blockDim.x + threadIdx.x);
  if (h >= n) return;
  sample_household(spec, first + h, rng, params + h, n, home + h);
}

__global__ void week_kernel(SimView v, CurandRng rng, Record* slots, u32 cap, u32* counts, u8* trips, u32* store_trips,
                            u64* evaluated) {
  const i32 h = static_cast<i32>(blockIdx.x * blockDim.x + threadIdx.x);
  if (h >= v.hh.n) return;
  SlotSink sink{slots + static_cast<i64>(h) * cap, cap, 0, store_trips, 0};
  RecomputeEval eval;
  trips[h] = static_cast<u8>(simulate_household_week(v, h, rng, sink, eval));
  counts[h] = sink.count;
  evaluated[h] = sink.pairs;
}

__global__ void gather_kernel(const Record* slots, u32 cap, const u32* offsets, i32 n, Record* out) {
  const i32 h = static_cast<i32>(blockIdx.x * blockDim.x + threadIdx.x);
  if (h >= n) return;
  const u32 begin = offsets[h];
  const u32 count = offsets[h + 1] - begin;
  const Record* src = slots + static_cast<i64>(h) * cap;
  for (u32 i = 0; i < count; ++i) out[begin + i] = src[i];
}

// Fault injection for tests: a kernel that traps, leaving the context with a sticky error.
__global__ void trap_kernel() { __trap(); }

// The device side of the float-mode guard in common.h.
__global__ void float_mode_kernel(FloatModeProbe p, int* exact) { *exact = exact_float_mode(p); }

__global__ void philox_words_kernel(u64 seed, u64 sub, u64 off, int n, u32* out) {
  if (blockIdx.x != 0 || threadIdx.x != 0) return;
  auto s = CurandRng{seed}.stream(sub, off);
  for (int i = 0; i < n; ++i) out[i] = s.next_u32();
}

__global__ void sample_dist_kernel(DistSpec d, u64 seed, int n, float* out) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i >= n) return;
  auto s = CurandRng{seed}.stream(static_cast<u64>(i), 0);
  out[i] = sample(d, s);
}

constexpr int kThreads = 128;
int blocks_for(i64 n) { return static_cast<int>((n + kThreads - 1) / kThreads); }

/// A positive integer from environment variable `name`, or `fallback` when it is unset.  Sets
/// `why` and returns 0 for anything else.
u32 positive_env(const char* name, u32 fallback, std::string* why) {
  const char* e = std::getenv(name);
  if (!e || !*e) return fallback;
  char* end = nullptr;
  const unsigned long v = std::strtoul(e, &end, 10);
  if (*end || v == 0 || v > (1u << 20) || e[0] == '-') {
    if (why) *why = std::string(name) + "=" + e + ": expected a whole number from 1 to 1048576";
    return 0;
  }
  return static_cast<u32>(v);
}

/// Device memory of a helper's result, copied to the host once the device is known to be
/// healthy.  On a device error the buffer is abandoned (freeing it would throw from a destructor
/// during unwinding, see CudaBackendOwner) and the error is thrown.
template <class T>
std::vector<T> to_host_checked(thrust::device_vector<T>& d) {
  const cudaError_t e = cudaDeviceSynchronize();
  if (e != cudaSuccess) {
    (void)new thrust::device_vector<T>(std::move(d));
    throw std::runtime_error(std::string(__FILE__) + ": cudaDeviceSynchronize(): " + cudaGetErrorString(e));
  }
  std::vector<T> h(d.size());
  thrust::copy(d.begin(), d.end(), h.begin());
  return h;
}

class CudaBackend final : public Backend {
 public:
  /// `slot_cap`: records per household-week before a slot overflows and the week runs again;
  /// `trap_week`: a week that traps on the device (0: none; fault injection for tests).
  CudaBackend(u32 slot_cap, u32 trap_week) : cap_(slot_cap), trap_week_(trap_week) {}
  std::string name() const override { return "cuda"; }

  void prepare(const RunSetup& setup) override {
    setup_ = setup;
    const CatalogView& c = setup.catalog;
    cat_begin_.assign(c.cat_begin, c.cat_begin + c.n_categories + 1);
    alpha_.assign(c.alpha, c.alpha + c.n_products);
    quality_.assign(c.quality, c.quality + c.n_products);
    cat_intercept_.assign(c.cat_intercept, c.cat_intercept + c.n_categories);
    cat_iv_ref_.assign(c.cat_iv_ref, c.cat_iv_ref + c.n_categories);
    cat_quantity_.assign(c.cat_quantity, c.cat_quantity + c.n_categories);
    store_cdf_.assign(setup.spec.store_cdf, setup.spec.store_cdf + setup.spec.n_stores);
    cat_ = CatalogView{c.n_products, c.n_categories, raw(cat_begin_), raw(alpha_), raw(quality_), raw(cat_intercept_),
                       raw(cat_iv_ref_), raw(cat_quantity_)};
    spec_ = setup.spec;
    spec_.store_cdf = raw(store_cdf_);
    mission_shift_.assign(setup.missions.shift, setup.missions.shift + static_cast<size_t>(setup.missions.n) * c.n_categories);
    missions_ = setup.missions;
    missions_.shift = raw(mission_shift_);
    rules_.resize(setup.campaigns.n > 0 ? setup.campaigns.n : 1);
    if (setup.campaigns.n > 0)
      RS_CUDA_CHECK(cudaMemcpy(raw(rules_), setup.campaigns.rules, sizeof(CampaignRule) * setup.campaigns.n,
                               cudaMemcpyHostToDevice));
    campaigns_ = CampaignView{setup.campaigns.n, raw(rules_)};
  }

  void sample_households(i64 first, i32 n, HouseholdBlock& out) override {
    params_.resize(static_cast<size_t>(kNumHouseholdParams) * n);
    home_.resize(n);
    if (n > 0) {  // a grid of 0 blocks is an invalid launch
      sample_households_kernel<<<blocks_for(n), kThreads>>>(spec_, CurandRng{setup_.seed}, first, n, raw(params_),
                                                            raw(home_));
      RS_CUDA_LAUNCH_CHECK();
      RS_CUDA_CHECK(cudaDeviceSynchronize());  // a kernel fault is named here, not in a Thrust copy
    }
    out.first = first;
    out.n = n;
    out.params.resize(params_.size());
    out.home_store.resize(n);
    thrust::copy(params_.begin(), params_.end(), out.params.begin());
    thrust::copy(home_.begin(), home_.end(), out.home_store.begin());
    block_ = HouseholdView{first, n, raw(params_), raw(home_)};
    const size_t kn = static_cast<size_t>(setup_.catalog.n_categories) * n;
    inv_in_.assign(kn, 0.0f);
    inv_out_.resize(kn);
    last_in_.assign(kn, -1);
    last_out_.resize(kn);
    spend_in_.assign(n, 0.0f);
    spend_out_.resize(n);
    targeted_in_.assign(n, 0);
    targeted_out_.resize(n);
    activated_in_.assign(n, 0);
    activated_out_.resize(n);
  }

  void campaign_state(std::vector<u64>& targeted, std::vector<u64>& activated) override {
    targeted.resize(targeted_in_.size());
    activated.resize(activated_in_.size());
    thrust::copy(targeted_in_.begin(), targeted_in_.end(), targeted.begin());
    thrust::copy(activated_in_.begin(), activated_in_.end(), activated.begin());
  }

  void simulate_week(const WeekInputs& week, WeekRecords& out) override {
    const i32 n = block_.n;
    if (n == 0) return empty_week(week, out);  // nothing to launch
    log_price_.assign(week.log_price.begin(), week.log_price.end());
    shelf_.assign(week.shelf_cents.begin(), week.shelf_cents.end());
    base_.assign(week.base_cents.begin(), week.base_cents.end());
    depth_.assign(week.depth.begin(), week.depth.end());
    display_.assign(week.display.begin(), week.display.end());
    feature_.assign(week.feature.begin(), week.feature.end());
    marketing_.assign(week.marketing.begin(), week.marketing.end());
    cat_season_.assign(week.cat_season.begin(), week.cat_season.end());
    base_u_.assign(week.base_u.begin(), week.base_u.end());
    ref_gain_.assign(week.ref_gain.begin(), week.ref_gain.end());
    bounds_.assign(week.bounds.begin(), week.bounds.end());
    coupon_mask_.assign(week.coupon_mask.begin(), week.coupon_mask.end());
    coupon_begin_.assign(week.coupon_begin.begin(), week.coupon_begin.end());
    // Empty coupon lists still get one element, so every pointer is valid.
    const size_t n_coupons = week.coupon_product.size();
    coupon_product_.resize(n_coupons > 0 ? n_coupons : 1);
    coupon_campaign_.resize(n_coupons > 0 ? n_coupons : 1);
    coupon_cents_.resize(n_coupons > 0 ? n_coupons : 1);
    coupon_match_.resize(n_coupons > 0 ? n_coupons : 1);
    if (n_coupons > 0) {
      thrust::copy(week.coupon_product.begin(), week.coupon_product.end(), coupon_product_.begin());
      thrust::copy(week.coupon_campaign.begin(), week.coupon_campaign.end(), coupon_campaign_.begin());
      thrust::copy(week.coupon_cents.begin(), week.coupon_cents.end(), coupon_cents_.begin());
      thrust::copy(week.coupon_match.begin(), week.coupon_match.end(), coupon_match_.begin());
    }
    const WeekView wv{week.week,      week.n_stores,     week.n_products,   raw(log_price_),      raw(base_u_),
                      raw(ref_gain_), raw(shelf_),       raw(base_),        raw(depth_),          raw(display_),
                      raw(feature_),  raw(marketing_),   raw(cat_season_),  week.traffic_season,  raw(coupon_begin_),
                      raw(coupon_product_), raw(coupon_campaign_), raw(coupon_cents_), raw(coupon_match_),
                      raw(coupon_mask_),        raw(bounds_)};
    // State is double-buffered: a week run again after a slot overflow starts from the same state.
    const HouseholdStateView state{raw(inv_in_),      raw(inv_out_),      raw(last_in_),     raw(last_out_),
                                   raw(spend_in_),    raw(spend_out_),    raw(targeted_in_), raw(targeted_out_),
                                   raw(activated_in_), raw(activated_out_), n, 1};
    const SimView v{cat_, wv, block_, state, missions_, setup_.choice, campaigns_};
    counts_.resize(n);
    evaluated_.resize(n);
    trips_.resize(n);
    offsets_.resize(n + 1);
    for (;;) {
      const size_t need = static_cast<size_t>(n) * cap_;
      if (slots_.size() < need) slots_.resize(need);
      store_trips_.assign(week.n_stores, 0u);
      if (week.week == trap_week_) trap_kernel<<<1, 1>>>();
      week_kernel<<<blocks_for(n), kThreads>>>(v, CurandRng{setup_.seed}, raw(slots_), cap_, raw(counts_), raw(trips_),
                                               raw(store_trips_), raw(evaluated_));
      RS_CUDA_LAUNCH_CHECK();
      // Once per week (max_count waits for the kernel anyway): a kernel fault ends the run here,
      // named, instead of surfacing in a Thrust copy.
      RS_CUDA_CHECK(cudaDeviceSynchronize());
      const u32 most = max_count(n);
      if (most <= cap_) break;
      while (cap_ < most) cap_ *= 2;  // grow the slots and run the week again
    }
    // offsets[0] = 0, offsets[h+1] = counts[0] + ... + counts[h]
    RS_CUDA_CHECK(cudaMemset(raw(offsets_), 0, sizeof(u32)));
    size_t tmp_bytes = 0;
    RS_CUDA_CHECK(cub::DeviceScan::InclusiveSum(nullptr, tmp_bytes, raw(counts_), raw(offsets_) + 1, n));
    if (temp_.size() < tmp_bytes) temp_.resize(tmp_bytes);
    RS_CUDA_CHECK(cub::DeviceScan::InclusiveSum(raw(temp_), tmp_bytes, raw(counts_), raw(offsets_) + 1, n));
    out.offsets.resize(n + 1);
    thrust::copy(offsets_.begin(), offsets_.end(), out.offsets.begin());
    const u32 total = out.offsets[n];
    compact_.resize(total > 0 ? total : 1);
    gather_kernel<<<blocks_for(n), kThreads>>>(raw(slots_), cap_, raw(offsets_), n, raw(compact_));
    RS_CUDA_LAUNCH_CHECK();
    out.records.resize(total);
    if (total > 0)
      RS_CUDA_CHECK(cudaMemcpy(out.records.data(), raw(compact_), sizeof(Record) * total, cudaMemcpyDeviceToHost));
    out.trips.resize(n);
    thrust::copy(trips_.begin(), trips_.end(), out.trips.begin());
    out.store_trips.resize(week.n_stores);
    thrust::copy(store_trips_.begin(), store_trips_.end(), out.store_trips.begin());
    out.evaluated_pairs = evaluated_sum(n);
    inv_in_.swap(inv_out_);
    last_in_.swap(last_out_);
    spend_in_.swap(spend_out_);
    targeted_in_.swap(targeted_out_);
    activated_in_.swap(activated_out_);
  }

 private:
  /// One CUB device reduction of n elements of `in` into result[0] (temporary storage in temp_):
  /// `reduce` is a cub::DeviceReduce entry point wrapped in a lambda.
  template <class T, class Reduce>
  T reduce_to_host(thrust::device_vector<T>& in, thrust::device_vector<T>& result, i32 n, Reduce reduce) {
    size_t tmp_bytes = 0;
    result.resize(1);
    RS_CUDA_CHECK(reduce(nullptr, tmp_bytes, raw(in), raw(result), n));
    if (temp_.size() < tmp_bytes) temp_.resize(tmp_bytes);
    RS_CUDA_CHECK(reduce(raw(temp_), tmp_bytes, raw(in), raw(result), n));
    return result[0];
  }
  u64 evaluated_sum(i32 n) {
    return reduce_to_host(evaluated_, sum_, n,
                          [](auto&&... a) { return cub::DeviceReduce::Sum(std::forward<decltype(a)>(a)...); });
  }
  u32 max_count(i32 n) {
    return reduce_to_host(counts_, max_, n,
                          [](auto&&... a) { return cub::DeviceReduce::Max(std::forward<decltype(a)>(a)...); });
  }

  // The week of an empty block: what the CPU backend returns for it.
  static void empty_week(const WeekInputs& week, WeekRecords& out) {
    out.records.clear();
    out.offsets.assign(1, 0);
    out.trips.clear();
    out.store_trips.assign(week.n_stores, 0);
    out.evaluated_pairs = 0;
  }

  RunSetup setup_{};
  CatalogView cat_{};
  HouseholdSpecView spec_{};
  HouseholdView block_{};
  MissionView missions_{};
  CampaignView campaigns_{};
  u32 cap_ = 128;
  u32 trap_week_ = 0;
  thrust::device_vector<i32> cat_begin_, home_, last_in_, last_out_, coupon_begin_, coupon_product_;
  thrust::device_vector<float> alpha_, quality_, cat_intercept_, cat_iv_ref_, cat_quantity_, store_cdf_, params_, log_price_, depth_,
      marketing_, base_u_, ref_gain_, bounds_, mission_shift_, inv_in_, inv_out_, cat_season_, spend_in_, spend_out_;
  thrust::device_vector<u32> shelf_, base_, counts_, offsets_, max_, store_trips_;
  thrust::device_vector<u64> targeted_in_, targeted_out_, activated_in_, activated_out_, evaluated_, sum_,
      coupon_mask_;
  thrust::device_vector<u16> coupon_cents_, coupon_match_;
  thrust::device_vector<CampaignRule> rules_;
  thrust::device_vector<u8> trips_, temp_, display_, feature_, coupon_campaign_;
  thrust::device_vector<Record> slots_, compact_;
};

}  // namespace

bool cuda_device_available(std::string* why) {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess || n == 0) {
    if (why) *why = e != cudaSuccess ? std::string("no CUDA device: ") + cudaGetErrorString(e) : "no CUDA device";
    return false;
  }
  return true;
}

/// Owns the CUDA backend and forwards to it.  After a sticky device error (a kernel fault) every
/// CUDA call fails, freeing memory too, and Thrust reports a failed free by throwing from a
/// destructor, which aborts the process while the first error unwinds.  So a backend whose
/// device is broken is left to the process's exit: the first error reaches the caller as one line.
class CudaBackendOwner final : public Backend {
 public:
  explicit CudaBackendOwner(std::unique_ptr<CudaBackend> impl) : impl_(std::move(impl)) {}
  ~CudaBackendOwner() override {
    if (cudaDeviceSynchronize() != cudaSuccess) (void)impl_.release();
  }
  std::string name() const override { return impl_->name(); }
  void prepare(const RunSetup& setup) override { impl_->prepare(setup); }
  void sample_households(i64 first, i32 n, HouseholdBlock& out) override { impl_->sample_households(first, n, out); }
  void simulate_week(const WeekInputs& week, WeekRecords& out) override { impl_->simulate_week(week, out); }
  void campaign_state(std::vector<u64>& targeted, std::vector<u64>& activated) override {
    impl_->campaign_state(targeted, activated);
  }

 private:
  std::unique_ptr<CudaBackend> impl_;
};

/// Throws unless the device code rounds as the host does (common.h's guard, run on the device).
void check_device_float_mode() {
  int* d = nullptr;
  RS_CUDA_CHECK(cudaMalloc(&d, sizeof(int)));
  float_mode_kernel<<<1, 1>>>(FloatModeProbe{}, d);
  RS_CUDA_LAUNCH_CHECK();
  int exact = 0;
  RS_CUDA_CHECK(cudaMemcpy(&exact, d, sizeof(int), cudaMemcpyDeviceToHost));
  RS_CUDA_CHECK(cudaFree(d));
  if (!exact)
    throw std::runtime_error(
        "the CUDA backend was compiled with flush-to-zero, approximate division or square root, or FMA contraction "
        "(build without --use_fast_math, with -fmad=false): its output would differ from the CPU's");
}

std::unique_ptr<Backend> make_cuda_backend(std::string* why) {
  // Records per household-week before the week runs again with larger slots; a small value
  // forces that rerun (tests).
  const u32 slot_cap = positive_env("RETAILSYNTH_CUDA_SLOT_CAP", 128, why);
  if (slot_cap == 0) return nullptr;
  const char* trap = std::getenv("RETAILSYNTH_TEST_CUDA_TRAP_WEEK");
  if (!cuda_device_available(why)) return nullptr;
  check_device_float_mode();
  return std::make_unique<CudaBackendOwner>(
      std::make_unique<CudaBackend>(slot_cap, trap && *trap ? static_cast<u32>(std::atoi(trap)) : 0));
}

namespace cuda {

std::vector<u32> philox_words(u64 seed, u64 subsequence, u64 offset, int n) {
  thrust::device_vector<u32> d(n);
  philox_words_kernel<<<1, 1>>>(seed, subsequence, offset, n, raw(d));
  RS_CUDA_LAUNCH_CHECK();
  return to_host_checked(d);
}

std::vector<float> sample_distribution(const DistSpec& spec, u64 seed, int n) {
  thrust::device_vector<float> d(n);
  if (n > 0) {
    sample_dist_kernel<<<blocks_for(n), kThreads>>>(spec, seed, n, raw(d));
    RS_CUDA_LAUNCH_CHECK();
  }
  return to_host_checked(d);
}

void select_device(int local_rank) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) {
    cudaGetLastError();  // clear the error of a machine without devices
    return;
  }
  RS_CUDA_CHECK(cudaSetDevice(local_rank % n));
}

double device_memory_used_mb() {
  size_t free_b = 0, total_b = 0;
  RS_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
  return (total_b - free_b) / 1048576.0;
}

}  // namespace cuda
}  // namespace retailsynth
