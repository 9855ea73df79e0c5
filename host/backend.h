// The backend interface: the CPU (OpenMP) and CUDA implementations call the same shared
// functions (include/retailsynth/model/household_week.h) and produce identical records.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "week_inputs.h"

namespace retailsynth {

/// A block of households with their sampled parameters (host copy).
struct HouseholdBlock {
  i64 first = 0;
  i32 n = 0;
  std::vector<float> params;  // kNumHouseholdParams x n, parameter-major
  std::vector<i32> home_store;
  std::vector<i32> secondary;  // kMaxSecondaryStores x n (HouseholdView::secondary), -1 none
  std::vector<i32> demographic;  // n: demographic profile, -1 none
  // n_categories x n category affinities, (k, h) at k * affinity_k_stride + h * affinity_h_stride:
  // the backend's state layout (HouseholdStateView::at).
  std::vector<float> affinity;
  i64 affinity_k_stride = 0, affinity_h_stride = 0;
  float affinity_at(i32 k, i32 h) const { return affinity[k * affinity_k_stride + h * affinity_h_stride]; }
  HouseholdView view() const {
    return HouseholdView{first, n, params.data(), home_store.data(), secondary.data(), demographic.data(), affinity.data()};
  }
};

/// Everything fixed for a run, as host views; a backend copies what it needs.
struct RunSetup {
  u64 seed = 0;
  CatalogView catalog{};
  HouseholdSpecView spec{};
  MissionView missions{};
  ChoiceParams choice{};
  CampaignView campaigns{};  // rules stay valid for the run (host memory)
};

/// Puts each household's records of a week in trip order (the backends produce them in
/// category order; a basket's lines then sit together), stable inside a trip.
void order_by_trip(WeekRecords& w);

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual void prepare(const RunSetup& setup) = 0;
  /// Samples households [first, first + n), makes them the active block and starts their state
  /// (empty inventories, no last choices).
  virtual void sample_households(i64 first, i32 n, HouseholdBlock& out) = 0;
  /// Simulates the active block for one week, advancing its state.
  virtual void simulate_week(const WeekInputs& week, WeekRecords& out) = 0;
  /// The active block's campaign masks so far (bit c: targeted by / took up campaign c).
  virtual void campaign_state(std::vector<u64>& targeted, std::vector<u64>& activated) = 0;
};

/// The CPU backend.  `reference`: evaluate categories with the GPU's scalar RecomputeEval
/// instead of the vectorised buffer passes (the same results; used to check that claim).
std::unique_ptr<Backend> make_cpu_backend(bool reference = false);

/// The CUDA backend's work decomposition (retailsynth/model/week_items.h: plan, work items grouped
/// by store and category, spending) run on the host, its eight lanes one after another: the
/// host's check that the device's shape of the week gives the CPU backend's bytes.
std::unique_ptr<Backend> make_cpu_items_backend();

/// Households [first, first + n) sampled on the host (both CPU backends), their affinities in
/// the layout the strides give (the backend's state layout).
void sample_households_on_host(const RunSetup& setup, i64 first, i32 n, HouseholdBlock& out, i64 affinity_k_stride,
                               i64 affinity_h_stride);

/// The CUDA backend (kernels/), or nullptr with the reason in `why` when the build has no CUDA
/// or no device is visible.
std::unique_ptr<Backend> make_cuda_backend(std::string* why);
bool cuda_device_available(std::string* why);

/// `--backend auto|cpu|cuda`: auto picks CUDA when a device is present.  Throws InputError for an
/// unknown name, or for cuda without a device.
std::unique_ptr<Backend> make_backend(const std::string& which);

}  // namespace retailsynth
