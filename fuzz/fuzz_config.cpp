// libFuzzer harness: load_config on a YAML file plus --set style overrides.
// Input: the YAML text, then optionally NUL-separated override strings ("key=value"), at most 4.
// InputError is expected; anything else is a finding.
#include <vector>

#include "fuzz_common.h"
#include <nlohmann/json.hpp>

#include "config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  const std::string yaml = in.substr(0, nul);
  std::vector<std::string> overrides;
  for (size_t pos = nul; pos != std::string::npos && overrides.size() < 4;) {
    const size_t next = in.find('\0', pos + 1);
    overrides.push_back(in.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1));
    pos = next;
  }
  const auto path = rs_fuzz::scratch() / "config.yaml";
  rs_fuzz::write_file(path, yaml.data(), yaml.size());
  try {
    const retailsynth::Config c = retailsynth::load_config(path.string(), overrides);
    (void)retailsynth::config_to_json(c);
  } catch (const retailsynth::InputError&) {
  }
  // The overrides alone, on the built-in defaults.
  try {
    (void)retailsynth::load_config("", overrides);
  } catch (const retailsynth::InputError&) {
  }
  return 0;
}
