// libFuzzer harness: the product-table reader (TCJ product.csv / CompleteJourney 2.0 products.csv).
// InputError is the expected answer to bad input; anything else (another exception, a crash, a
// sanitizer report, a hang) is a finding.
#include "fuzz_common.h"
#include "config.h"
#include "io/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = rs_fuzz::scratch() / "product.csv";
  rs_fuzz::write_file(path, reinterpret_cast<const char*>(data), size);
  try {
    (void)retailsynth::read_product_table(path.string());
  } catch (const retailsynth::InputError&) {
  }
  // split_csv_line takes any line as well.
  (void)retailsynth::split_csv_line(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
