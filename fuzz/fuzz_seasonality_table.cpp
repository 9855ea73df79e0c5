// libFuzzer harness: SeasonalityTable::load.  InputError is expected; anything else is a finding.
#include "fuzz_common.h"
#include "config.h"
#include "seasonality/table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = rs_fuzz::scratch() / "seasonality.csv";
  rs_fuzz::write_file(path, reinterpret_cast<const char*>(data), size);
  try {
    const auto t = retailsynth::SeasonalityTable::load(path.string());
    // A table that loads must write out and look up without trouble.
    (void)t.to_csv();
    (void)t.traffic_index(0);
    (void)t.product_index(1, "SOUP", 60);
  } catch (const retailsynth::InputError&) {
  }
  return 0;
}
