// Where a household lands among the demographic profiles, and whether hh_demographic.csv shows
// it (DemographicsView): shared by the backends' sampling and the host's writer.
#pragma once
#include "retailsynth/model/views.h"

namespace retailsynth {

/// v of household `global_index` (DemographicsView), and whether hh_demographic.csv shows it.
RS_HD inline double demographic_weyl(const DemographicsView& d, i64 global_index) {
  const double x = d.offset + static_cast<double>(global_index) * kDemographicStep;
  return x - static_cast<double>(static_cast<i64>(x));  // x >= 0: its fraction
}
RS_HD inline bool demographic_shown(const DemographicsView& d, i64 global_index) {
  return demographic_weyl(d, global_index) < d.shown_share;
}
/// u of household `global_index`: where in the profiles' cdf it lands.
RS_HD inline double demographic_position(const DemographicsView& d, i64 global_index) {
  const double v = demographic_weyl(d, global_index), s = d.shown_share;
  if (!(s > 0.0) || !(s < 1.0)) return v;
  return v < s ? v / s : (v - s) / (1.0 - s);
}

}  // namespace retailsynth
