// CUDA backend: households sampled with the project's Philox (the host's words, checked against
// cuRAND's on the device), the week as work items (retailsynth/model/week_items.h; kernels in
// week_kernels.cuh): a thread per household plans its trips and the categories the exact skip
// leaves, the items run eight lanes each in (store, category) order, CUB scans and sorts between
// the steps.  Each week's market stays on the device for the next blocks while memory allows;
// the records come back through pinned buffers on one stream.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_reduce.cuh>
#include <cub/device/device_scan.cuh>
#include <curand_kernel.h>
#include <thrust/device_vector.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "backend.h"
#include "cuda_backend.h"
#include "week_kernels.cuh"

#define RS_CUDA_CHECK(call)                                                                                  \
  do {                                                                                                       \
    const cudaError_t rs_err_ = (call);                                                                      \
    if (rs_err_ != cudaSuccess)                                                                              \
      throw std::runtime_error(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " + #call + ": " + \
                               cudaGetErrorString(rs_err_));                                                 \
  } while (0)

// Launch check: the error of the launch always; the kernel's own errors synchronously only in
// debug builds (release builds see them at the week's stream synchronisation).
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

using kernels::kThreads;

template <class T>
T* raw(thrust::device_vector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}
template <class T>
void grow(thrust::device_vector<T>& v, size_t n) {
  if (v.size() < (n > 0 ? n : 1)) v.resize(n > 0 ? n : 1);  // never empty: every pointer is valid
}
template <class T>
void upload(thrust::device_vector<T>& d, const std::vector<T>& h) {
  d.resize(h.empty() ? 1 : h.size());
  if (!h.empty()) thrust::copy(h.begin(), h.end(), d.begin());
}

int blocks_for(i64 n, int per_block = kThreads) { return static_cast<int>((n + per_block - 1) / per_block); }

// Fault injection for tests: a kernel that traps, leaving the context with a sticky error.
__global__ void trap_kernel() { __trap(); }

// The device side of the float-mode guard in common.h.
__global__ void float_mode_kernel(FloatModeProbe p, int* exact) { *exact = exact_float_mode(p); }

// cuRAND's Philox words, and the project's on the device: tests compare both with the host's.
__global__ void curand_words_kernel(u64 seed, u64 sub, u64 off, int n, u32* out) {
  if (blockIdx.x != 0 || threadIdx.x != 0) return;
  curandStatePhilox4_32_10_t st;
  curand_init(seed, sub, off, &st);
  for (int i = 0; i < n; ++i) out[i] = curand(&st);
}
__global__ void philox_words_kernel(u64 seed, u64 sub, u64 off, int n, u32* out) {
  if (blockIdx.x != 0 || threadIdx.x != 0) return;
  auto s = rng::PhiloxRng{seed}.stream(sub, off);
  for (int i = 0; i < n; ++i) out[i] = s.next_u32();
}

__global__ void sample_dist_kernel(DistSpec d, u64 seed, int n, float* out) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i >= n) return;
  auto s = rng::PhiloxRng{seed}.stream(static_cast<u64>(i), 0);
  out[i] = sample(d, s);
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

/// Page-locked host memory, so the device's copies back run asynchronously at full speed.
template <class T>
class Pinned {
 public:
  Pinned() = default;
  Pinned(const Pinned&) = delete;
  Pinned& operator=(const Pinned&) = delete;
  ~Pinned() {
    if (p_) (void)cudaFreeHost(p_);
  }
  T* reserve(size_t n) {
    if (n > cap_) {
      if (p_) RS_CUDA_CHECK(cudaFreeHost(p_));
      p_ = nullptr;
      cap_ = n + n / 4;
      RS_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&p_), cap_ * sizeof(T)));
    }
    return p_;
  }
  T* get() const { return p_; }

 private:
  T* p_ = nullptr;
  size_t cap_ = 0;
};

/// One week's market on the device, and its view.
struct DeviceWeek {
  thrust::device_vector<float> log_price, base_u, ref_gain, depth, marketing, cat_season, bounds;
  thrust::device_vector<u32> shelf, base;
  thrust::device_vector<u8> display, feature, coupon_campaign;
  thrust::device_vector<i32> coupon_begin, coupon_product;
  thrust::device_vector<u16> coupon_cents, coupon_match;
  thrust::device_vector<u64> coupon_mask;
  WeekView view{};

  static size_t bytes(const WeekInputs& w) {
    return w.log_price.size() * 27 + w.bounds.size() * 4 + w.coupon_product.size() * 10 + w.cat_season.size() * 16;
  }
  void upload_from(const WeekInputs& w) {
    upload(log_price, w.log_price), upload(base_u, w.base_u), upload(ref_gain, w.ref_gain), upload(depth, w.depth);
    upload(marketing, w.marketing), upload(cat_season, w.cat_season), upload(bounds, w.bounds);
    upload(shelf, w.shelf_cents), upload(base, w.base_cents), upload(display, w.display), upload(feature, w.feature);
    upload(coupon_campaign, w.coupon_campaign), upload(coupon_begin, w.coupon_begin);
    upload(coupon_product, w.coupon_product), upload(coupon_cents, w.coupon_cents);
    upload(coupon_match, w.coupon_match), upload(coupon_mask, w.coupon_mask);
    view = WeekView{w.week,           w.n_stores,       w.n_products,      raw(log_price),   raw(base_u),
                    raw(ref_gain),    raw(shelf),       raw(base),         raw(depth),       raw(display),
                    raw(feature),     raw(marketing),   raw(cat_season),   w.traffic_season, raw(coupon_begin),
                    raw(coupon_product), raw(coupon_campaign), raw(coupon_cents), raw(coupon_match), raw(coupon_mask),
                    raw(bounds)};
  }
};

/// Household state, double-buffered: a week reads `in` and writes `out`, then they swap.
struct DeviceState {
  thrust::device_vector<float> inventory[2], spend[2];
  thrust::device_vector<i32> last[2];
  thrust::device_vector<u64> targeted[2], activated[2];
  void reset(size_t kn, size_t n) {
    for (int b = 0; b < 2; ++b) {
      inventory[b].assign(kn > 0 ? kn : 1, 0.0f);
      last[b].assign(kn > 0 ? kn : 1, -1);
      spend[b].assign(n > 0 ? n : 1, 0.0f);
      targeted[b].assign(n > 0 ? n : 1, 0);
      activated[b].assign(n > 0 ? n : 1, 0);
    }
  }
  HouseholdStateView view(i32 n) {
    return HouseholdStateView{raw(inventory[0]), raw(inventory[1]), raw(last[0]),      raw(last[1]),
                              raw(spend[0]),     raw(spend[1]),     raw(targeted[0]),  raw(targeted[1]),
                              raw(activated[0]), raw(activated[1]), n,                 1};
  }
  void swap() {
    inventory[0].swap(inventory[1]), last[0].swap(last[1]), spend[0].swap(spend[1]);
    targeted[0].swap(targeted[1]), activated[0].swap(activated[1]);
  }
};

class CudaBackend final : public Backend {
 public:
  /// `trap_week`: a week that traps on the device (0: none; fault injection for tests).
  explicit CudaBackend(u32 trap_week) : trap_week_(trap_week) { RS_CUDA_CHECK(cudaStreamCreate(&stream_)); }
  ~CudaBackend() override { (void)cudaStreamDestroy(stream_); }
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
    const DemographicsView& d = setup.spec.demographics;
    const size_t nd = d.n > 0 ? static_cast<size_t>(d.n) : 0;
    demo_cdf_.assign(d.cdf, d.cdf + nd);
    demo_income_.assign(d.log_income, d.log_income + nd);
    demo_size_.assign(d.size, d.size + nd);
    demo_kids_.assign(d.kids, d.kids + nd);
    kid_loading_.assign(c.n_categories, 0.0f);
    if (d.n > 0) thrust::copy(d.kid_loading, d.kid_loading + c.n_categories, kid_loading_.begin());
    spec_.demographics.cdf = raw(demo_cdf_);
    spec_.demographics.log_income = raw(demo_income_);
    spec_.demographics.size = raw(demo_size_);
    spec_.demographics.kids = raw(demo_kids_);
    spec_.demographics.kid_loading = raw(kid_loading_);
    mission_shift_.assign(setup.missions.shift, setup.missions.shift + static_cast<size_t>(setup.missions.n) * c.n_categories);
    missions_ = setup.missions;
    missions_.shift = raw(mission_shift_);
    rules_.resize(setup.campaigns.n > 0 ? setup.campaigns.n : 1);
    if (setup.campaigns.n > 0)
      RS_CUDA_CHECK(cudaMemcpy(raw(rules_), setup.campaigns.rules, sizeof(CampaignRule) * setup.campaigns.n,
                               cudaMemcpyHostToDevice));
    campaigns_ = CampaignView{setup.campaigns.n, raw(rules_)};
    weeks_.clear();  // a new run: its markets are not yet on the device
  }

  void sample_households(i64 first, i32 n, HouseholdBlock& out) override {
    params_.resize(static_cast<size_t>(kNumHouseholdParams) * (n > 0 ? n : 1));
    home_.resize(n > 0 ? n : 1);
    secondary_.resize(static_cast<size_t>(kMaxSecondaryStores) * (n > 0 ? n : 1));
    const i32 K = setup_.catalog.n_categories;
    demographic_.resize(n > 0 ? n : 1);
    affinity_.resize(static_cast<size_t>(K) * (n > 0 ? n : 1));  // category-major, the state's layout
    if (n > 0) {  // a grid of 0 blocks is an invalid launch
      kernels::sample_households_kernel<<<blocks_for(n), kThreads>>>(spec_, rng::PhiloxRng{setup_.seed}, first, n,
                                                                     raw(params_), raw(home_), raw(secondary_),
                                                                     raw(demographic_));
      RS_CUDA_LAUNCH_CHECK();
      if (K > 0) {
        kernels::affinity_kernel<<<blocks_for(static_cast<i64>(K) * n), kThreads>>>(
            spec_, rng::PhiloxRng{setup_.seed}, first, n, K, raw(demographic_), raw(affinity_));
        RS_CUDA_LAUNCH_CHECK();
      }
      RS_CUDA_CHECK(cudaDeviceSynchronize());  // a kernel fault is named here, not in a Thrust copy
    }
    out.first = first;
    out.n = n;
    out.params.resize(static_cast<size_t>(kNumHouseholdParams) * n);
    out.home_store.resize(n);
    thrust::copy(params_.begin(), params_.begin() + out.params.size(), out.params.begin());
    thrust::copy(home_.begin(), home_.begin() + n, out.home_store.begin());
    out.secondary.resize(static_cast<size_t>(kMaxSecondaryStores) * n);
    thrust::copy(secondary_.begin(), secondary_.begin() + out.secondary.size(), out.secondary.begin());
    out.demographic.resize(n);
    thrust::copy(demographic_.begin(), demographic_.begin() + n, out.demographic.begin());
    out.affinity.resize(static_cast<size_t>(K) * n);
    thrust::copy(affinity_.begin(), affinity_.begin() + out.affinity.size(), out.affinity.begin());
    out.affinity_k_stride = n;
    out.affinity_h_stride = 1;
    block_ = HouseholdView{first, n, raw(params_), raw(home_), raw(secondary_), raw(demographic_), raw(affinity_)};
    state_.reset(static_cast<size_t>(setup_.catalog.n_categories) * n, n);
  }

  void campaign_state(std::vector<u64>& targeted, std::vector<u64>& activated) override {
    targeted.resize(block_.n);
    activated.resize(block_.n);
    thrust::copy(state_.targeted[0].begin(), state_.targeted[0].begin() + block_.n, targeted.begin());
    thrust::copy(state_.activated[0].begin(), state_.activated[0].begin() + block_.n, activated.begin());
  }

  void simulate_week(const WeekInputs& week, WeekRecords& out) override {
    const i32 n = block_.n;
    if (n == 0) return empty_week(week, out);  // nothing to launch
    const SimView v{cat_, device_week(week).view, block_, state_.view(n), missions_, setup_.choice, campaigns_};
    if (week.week == trap_week_) trap_kernel<<<1, 1, 0, stream_>>>();
    const u32 n_items = plan(v);
    run_items(v, n_items);
    join(v, n_items);
    copy_back(n, week.n_stores, out);
    state_.swap();
  }

 private:
  /// The week's market: kept on the device from its first block while memory allows (the market
  /// of a week is the same for every block of a run), else uploaded again.
  DeviceWeek& device_week(const WeekInputs& w) {
    if (w.week < weeks_.size() && weeks_[w.week]) return *weeks_[w.week];
    size_t free_b = 0, total_b = 0;
    RS_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
    const bool keep = free_b > DeviceWeek::bytes(w) + total_b / 4;  // a quarter stays for the blocks' buffers
    if (!keep) {
      scratch_week_.upload_from(w);
      return scratch_week_;
    }
    if (weeks_.size() <= w.week) weeks_.resize(w.week + 1);
    weeks_[w.week] = std::make_unique<DeviceWeek>();
    weeks_[w.week]->upload_from(w);
    return *weeks_[w.week];
  }

  /// Step 1: plan, then the items in (household, category) order and their (store, category)
  /// order.  Returns the number of items.
  u32 plan(const SimView& v) {
    const i32 n = v.hh.n, K = v.cat.n_categories;
    grow(trips_, n), grow(n_trips_, n), grow(item_count_, n), grow(item_begin_, n + 1);
    grow(masks_, static_cast<size_t>(K) * n);
    store_trips_.assign(v.week.n_stores, 0u);
    kernels::plan_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(v, rng::PhiloxRng{setup_.seed}, raw(trips_),
                                                                  raw(n_trips_), raw(masks_), raw(item_count_),
                                                                  raw(store_trips_));
    RS_CUDA_LAUNCH_CHECK();
    const u32 n_items = exclusive_sum(item_count_, item_begin_, n);
    grow(items_, n_items), grow(keys_, n_items), grow(ids_, n_items), grow(slot_count_, n_items);
    grow(slot_begin_, n_items + 1), grow(sorted_keys_, n_items), grow(order_, n_items);
    kernels::fill_items_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(n, K, raw(masks_), raw(item_begin_), raw(trips_),
                                                                        raw(items_), raw(keys_), raw(ids_),
                                                                        raw(slot_count_));
    RS_CUDA_LAUNCH_CHECK();
    if (n_items == 0) return 0;
    int key_bits = 1;
    while (key_bits < 32 && (u64{1} << key_bits) < static_cast<u64>(v.week.n_stores) * K) ++key_bits;
    size_t tmp = 0;
    RS_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, tmp, raw(keys_), raw(sorted_keys_), raw(ids_), raw(order_),
                                                  n_items, 0, key_bits, stream_));
    grow(temp_, tmp);
    RS_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(raw(temp_), tmp, raw(keys_), raw(sorted_keys_), raw(ids_), raw(order_),
                                                  n_items, 0, key_bits, stream_));
    return n_items;
  }

  /// Step 2: the items, eight lanes each, into their slots.
  void run_items(const SimView& v, u32 n_items) {
    const u32 n_slots = exclusive_sum(slot_count_, slot_begin_, n_items);
    grow(slots_, n_slots), grow(record_count_, n_items), grow(record_begin_, n_items + 1), grow(pairs_, n_items);
    if (n_items == 0) return;
    kernels::item_kernel<<<blocks_for(n_items, kernels::kItemsPerBlock), kThreads, 0, stream_>>>(
        v, rng::PhiloxRng{setup_.seed}, raw(trips_), raw(items_), raw(order_), n_items, raw(slot_begin_), raw(slots_),
        raw(record_count_), raw(pairs_));
    RS_CUDA_LAUNCH_CHECK();
  }

  /// Step 3: records joined in item order, household offsets and spending.
  void join(const SimView& v, u32 n_items) {
    const i32 n = v.hh.n;
    n_records_ = exclusive_sum(record_count_, record_begin_, n_items);
    grow(records_, n_records_), grow(offsets_, n + 1);
    if (n_items > 0) {
      kernels::gather_kernel<<<blocks_for(n_items), kThreads, 0, stream_>>>(n_items, raw(slot_begin_), raw(record_count_),
                                                                            raw(record_begin_), raw(slots_), raw(records_));
      RS_CUDA_LAUNCH_CHECK();
    }
    kernels::household_join_kernel<<<blocks_for(n + 1), kThreads, 0, stream_>>>(v, raw(item_begin_), raw(record_begin_),
                                                                                 raw(records_), raw(offsets_));
    RS_CUDA_LAUNCH_CHECK();
    grow(sum_, 1);
    if (n_items > 0) sum_pairs(n_items);
    else RS_CUDA_CHECK(cudaMemsetAsync(raw(sum_), 0, sizeof(u64), stream_));
  }

  /// The week's results through pinned buffers, one synchronisation: a kernel fault ends the run
  /// here, named, instead of in a Thrust copy.
  void copy_back(i32 n, i32 n_stores, WeekRecords& out) {
    Record* rec = pinned_records_.reserve(n_records_ > 0 ? n_records_ : 1);
    u32* off = pinned_offsets_.reserve(n + 1);
    u8* trips = pinned_trips_.reserve(n);
    u32* st = pinned_store_trips_.reserve(n_stores > 0 ? n_stores : 1);
    RS_CUDA_CHECK(cudaMemcpyAsync(rec, raw(records_), sizeof(Record) * n_records_, cudaMemcpyDeviceToHost, stream_));
    RS_CUDA_CHECK(cudaMemcpyAsync(off, raw(offsets_), sizeof(u32) * (n + 1), cudaMemcpyDeviceToHost, stream_));
    RS_CUDA_CHECK(cudaMemcpyAsync(trips, raw(n_trips_), n, cudaMemcpyDeviceToHost, stream_));
    RS_CUDA_CHECK(cudaMemcpyAsync(st, raw(store_trips_), sizeof(u32) * n_stores, cudaMemcpyDeviceToHost, stream_));
    u64* pairs = pinned_pairs_.reserve(1);
    RS_CUDA_CHECK(cudaMemcpyAsync(pairs, raw(sum_), sizeof(u64), cudaMemcpyDeviceToHost, stream_));
    RS_CUDA_CHECK(cudaStreamSynchronize(stream_));
    out.records.assign(rec, rec + n_records_);
    out.offsets.assign(off, off + n + 1);
    out.trips.assign(trips, trips + n);
    out.store_trips.assign(st, st + n_stores);
    out.evaluated_pairs = *pairs;
  }

  /// out[0] = 0, out[i + 1] = in[0] + ... + in[i] for i < n (CUB on the stream); returns out[n].
  u32 exclusive_sum(thrust::device_vector<u32>& in, thrust::device_vector<u32>& out, u32 n) {
    RS_CUDA_CHECK(cudaMemsetAsync(raw(out), 0, sizeof(u32), stream_));
    if (n == 0) return 0;
    size_t tmp = 0;
    RS_CUDA_CHECK(cub::DeviceScan::InclusiveSum(nullptr, tmp, raw(in), raw(out) + 1, n, stream_));
    grow(temp_, tmp);
    RS_CUDA_CHECK(cub::DeviceScan::InclusiveSum(raw(temp_), tmp, raw(in), raw(out) + 1, n, stream_));
    u32 total = 0;
    RS_CUDA_CHECK(cudaMemcpyAsync(&total, raw(out) + n, sizeof(u32), cudaMemcpyDeviceToHost, stream_));
    RS_CUDA_CHECK(cudaStreamSynchronize(stream_));  // sizes the next step's buffers
    return total;
  }
  /// The week's evaluated pairs into sum_[0] (copied back with the records).
  void sum_pairs(u32 n_items) {
    size_t tmp = 0;
    grow(sum_, 1);
    RS_CUDA_CHECK(cub::DeviceReduce::Sum(nullptr, tmp, raw(pairs_), raw(sum_), n_items, stream_));
    grow(temp_, tmp);
    RS_CUDA_CHECK(cub::DeviceReduce::Sum(raw(temp_), tmp, raw(pairs_), raw(sum_), n_items, stream_));
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
  u32 trap_week_ = 0;
  cudaStream_t stream_{};
  std::vector<std::unique_ptr<DeviceWeek>> weeks_;  // by week number, while they fit
  DeviceWeek scratch_week_;
  DeviceState state_;
  thrust::device_vector<i32> cat_begin_, home_, secondary_, demographic_;
  thrust::device_vector<float> demo_cdf_, demo_income_, demo_size_, demo_kids_, kid_loading_, affinity_;
  thrust::device_vector<float> alpha_, quality_, cat_intercept_, cat_iv_ref_, cat_quantity_, store_cdf_, params_,
      mission_shift_;
  thrust::device_vector<CampaignRule> rules_;
  thrust::device_vector<Trips> trips_;
  thrust::device_vector<WorkItem> items_;
  thrust::device_vector<u32> masks_, item_count_, item_begin_, keys_, sorted_keys_, ids_, order_, slot_count_,
      slot_begin_, record_count_, record_begin_, offsets_, store_trips_;
  thrust::device_vector<u8> n_trips_, temp_;
  thrust::device_vector<u64> pairs_, sum_;
  thrust::device_vector<Record> slots_, records_;
  u32 n_records_ = 0;
  Pinned<Record> pinned_records_;
  Pinned<u32> pinned_offsets_, pinned_store_trips_;
  Pinned<u8> pinned_trips_;
  Pinned<u64> pinned_pairs_;
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
  const char* trap = std::getenv("RETAILSYNTH_TEST_CUDA_TRAP_WEEK");
  if (!cuda_device_available(why)) return nullptr;
  check_device_float_mode();
  return std::make_unique<CudaBackendOwner>(
      std::make_unique<CudaBackend>(trap && *trap ? static_cast<u32>(std::atoi(trap)) : 0));
}

namespace cuda {

std::vector<u32> curand_philox_words(u64 seed, u64 subsequence, u64 offset, int n) {
  thrust::device_vector<u32> d(n);
  curand_words_kernel<<<1, 1>>>(seed, subsequence, offset, n, raw(d));
  RS_CUDA_LAUNCH_CHECK();
  return to_host_checked(d);
}

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
