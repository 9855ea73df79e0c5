// The likeness rows of `retailsynth validate` built from category_measures.h: category line
// shares, the department line mix, category price levels, discount frequency and quantities by
// department, each with its score, status, figures and a chart.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/category_measures.h"

namespace retailsynth {

/// A likeness row in report["likeness"]'s format: status pass when score >= threshold, n/a when
/// the score is NaN (note says why).  figures: the numbers behind the score; figures_text: them in
/// words (printed under the row in the terminal table).
nlohmann::json likeness_row(const std::string& id, const std::string& name, double score, double threshold,
                            const std::string& target, nlohmann::json figures, const std::string& figures_text);

/// Appends the category and department rows (ours against real) to `rows` and their charts,
/// section "categories", to `charts`.
void category_likeness(const Dataset& ours, const Dataset& real, nlohmann::json& rows, nlohmann::json& charts);

/// Chart specs (report_html.h): a scatter of real (x) against ours (y) with the diagonal, the
/// names in `highlight` drawn as a second series; paired horizontal bars, ours vs real per label.
nlohmann::json scatter_chart(const std::string& title, const std::string& axis, const Paired& p, bool log,
                             const std::vector<std::string>& highlight = {}, const std::string& highlight_name = "");
nlohmann::json paired_bars_chart(const std::string& title, const std::string& axis, const Paired& p);

}  // namespace retailsynth
