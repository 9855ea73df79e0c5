// A picture of seasonality curves: a self-contained SVG line chart (no external dependency).
#pragma once
#include <string>
#include <vector>

#include "seasonality/table.h"

namespace retailsynth {

/// The SVG text: week of year on x (ticks every 4 weeks, month starts marked), index on y (ticks at
/// a round step, a dashed line at 1), one polyline per category in the given order, and a legend
/// with each category's peak/trough ratio.  A category not in the table throws InputError.
std::string seasonality_svg(const SeasonalityTable& table, const std::vector<std::string>& categories,
                            const std::string& title = "Seasonality index by week of year");

/// Writes seasonality_svg() to `path` (via `path.tmp` and a rename).
void write_seasonality_svg(const SeasonalityTable& table, const std::vector<std::string>& categories,
                           const std::string& path);

}  // namespace retailsynth
