// CPU backend: OpenMP over households, the shared per-household functions inside.
#include <omp.h>

#include <algorithm>

#include "backend.h"
#include "config.h"
#include "retailsynth/model/household_week.h"
#include "retailsynth/rng/philox.h"

namespace retailsynth {
namespace {

struct VectorSink {
  std::vector<Record>* out;
  u32* store_trips;
  void emit(const Record& r) { out->push_back(r); }
  void trip(i32 store) { ++store_trips[store]; }
};

class CpuBackend final : public Backend {
 public:
  std::string name() const override { return "cpu"; }

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
  }

  void simulate_week(const WeekInputs& week, WeekRecords& out) override {
    const i32 n = block_.n;
    // The state is updated in place: each household-category element is read before it is written.
    const HouseholdStateView state{inventory_.data(), inventory_.data(), last_.data(), last_.data()};
    const SimView v{setup_.catalog, week.view(), block_, state, setup_.missions, setup_.choice};
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
      std::vector<Record>& local = chunks_[c];
      local.clear();
      VectorSink sink{&local, chunk_trips_.data() + static_cast<size_t>(c) * S};
      for (i32 h = c * kChunk; h < std::min(n, (c + 1) * kChunk); ++h) {
        const size_t before = local.size();
        out.trips[h] = static_cast<u8>(simulate_household_week(v, h, rng, sink));
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
  RunSetup setup_{};
  HouseholdView block_{};
  std::vector<std::vector<Record>> chunks_;
  std::vector<u32> chunk_trips_;
  std::vector<float> inventory_;
  std::vector<i32> last_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

void order_by_trip(WeekRecords& w) {
  const i32 n = static_cast<i32>(w.offsets.size()) - 1;
#pragma omp parallel for schedule(static, 256)
  for (i32 h = 0; h < n; ++h)
    std::stable_sort(w.records.begin() + w.offsets[h], w.records.begin() + w.offsets[h + 1],
                     [](const Record& a, const Record& b) { return a.trip < b.trip; });
}

std::unique_ptr<Backend> make_backend(const std::string& which) {
  if (which == "cpu") return make_cpu_backend();
  std::string why;
  if (which == "cuda") {
    auto b = make_cuda_backend(&why);
    if (!b) throw InputError("--backend cuda: " + why);
    return b;
  }
  if (which == "auto") {
    auto b = make_cuda_backend(&why);
    return b ? std::move(b) : make_cpu_backend();
  }
  throw InputError("--backend: unknown backend '" + which + "' (auto, cpu, cuda)");
}

}  // namespace retailsynth
