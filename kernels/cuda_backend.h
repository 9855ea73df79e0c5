// Host-callable entry points of the CUDA code, with no CUDA types (DESIGN §5).  The backend
// itself is reached through host/backend.h (make_cuda_backend); these are hooks for tests.
#pragma once
#include <string>
#include <vector>

#include "retailsynth/model/dist_spec.h"

namespace retailsynth::cuda {

/// Words of cuRAND's Philox stream: curand_init(seed, subsequence, offset) then n curand().
std::vector<u32> curand_philox_words(u64 seed, u64 subsequence, u64 offset, int n);

/// The same words from the project's Philox (rng::PhiloxStream) on the device, the generator the
/// kernels use.
std::vector<u32> philox_words(u64 seed, u64 subsequence, u64 offset, int n);

/// n draws of `d`, draw i from stream (seed, subsequence i, offset 0), sampled on the device
/// with the shared transforms over the project's Philox.
std::vector<float> sample_distribution(const DistSpec& d, u64 seed, int n);

/// Makes device (local_rank mod device count) current; no-op without devices or CUDA.
void select_device(int local_rank);

/// Device memory in use (total - free), in MiB.
double device_memory_used_mb();

}  // namespace retailsynth::cuda
