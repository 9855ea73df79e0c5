#include "io/price_truth.h"

#include <fmt/format.h>

namespace retailsynth {

FileSummary write_price_truth(const std::string& dir, const Catalog& cat, const PricingEngine& pricing, bool zstd) {
  OutputFile f(dir, "truth/prices.csv", zstd);
  f.write(std::string(kPriceTruthHeader) + "\n");
  const u32 W = pricing.weeks();
  std::string buf;
  for (i32 j = 0; j < cat.n_products(); ++j) {
    buf.clear();
    for (u32 w = 1; w <= W; ++w)
      fmt::format_to(std::back_inserter(buf), "{},{},{},{}\n", cat.product_id[j], w, pricing.chain_price(j, w), pricing.regime(j, w));
    f.write(buf);
  }
  f.add_rows(static_cast<u64>(cat.n_products()) * W);
  return f.close();
}

}  // namespace retailsynth
