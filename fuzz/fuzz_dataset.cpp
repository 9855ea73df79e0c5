// libFuzzer harness: load_dataset on a folder with transaction_data.csv and product.csv.
// Input: the transaction file, a NUL byte, the product file (no NUL: an empty product file).
// InputError is expected; anything else is a finding.
#include "fuzz_common.h"
#include "analysis/dataset.h"
#include "config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* p = reinterpret_cast<const char*>(data);
  const void* sep = std::memchr(p, '\0', size);
  const size_t tx_size = sep ? static_cast<size_t>(static_cast<const char*>(sep) - p) : size;
  const auto dir = rs_fuzz::scratch() / "dataset";
  std::filesystem::create_directories(dir);
  rs_fuzz::write_file(dir / "transaction_data.csv", p, tx_size);
  if (sep)
    rs_fuzz::write_file(dir / "product.csv", p + tx_size + 1, size - tx_size - 1);
  else
    rs_fuzz::write_file(dir / "product.csv", "", 0);
  try {
    (void)retailsynth::load_dataset(dir.string());
  } catch (const retailsynth::InputError&) {
  }
  return 0;
}
