// Built instead of cuda_backend.cu when RETAILSYNTH_ENABLE_CUDA is off.
#include <stdexcept>

#include "backend.h"
#include "cuda_backend.h"

namespace retailsynth {

bool cuda_device_available(std::string* why) {
  if (why) *why = "this build has no CUDA backend (RETAILSYNTH_ENABLE_CUDA=OFF)";
  return false;
}

std::unique_ptr<Backend> make_cuda_backend(std::string* why) {
  cuda_device_available(why);
  return nullptr;
}

namespace cuda {
std::vector<u32> curand_philox_words(u64, u64, u64, int) { throw std::runtime_error("built without CUDA"); }
std::vector<u32> philox_words(u64, u64, u64, int) { throw std::runtime_error("built without CUDA"); }
std::vector<float> sample_distribution(const DistSpec&, u64, int) { throw std::runtime_error("built without CUDA"); }
double device_memory_used_mb() { return 0.0; }
void select_device(int) {}
}  // namespace cuda
}  // namespace retailsynth
