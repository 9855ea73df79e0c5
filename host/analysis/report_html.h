// The validation report as one self-contained HTML page: tables and inline SVG charts drawn from
// metrics.json alone (no scripts, no external fonts or files).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace retailsynth {

/// The page for a report produced by validate_report().
std::string render_report_html(const nlohmann::json& report);

/// One chart as an inline <svg> element.  Spec: {"type": "xy", "title", "x_label", "y_label",
/// "log_x", "log_y" (not with "bar" series), "series": [{"name", "x": [...], "y": [...], "err": [...]
/// (optional), "style": "line" | "step" | "points" | "bar", "dash"}], "vband": [x0, x1], "hband": [y0,
/// y1], "hline": y, "vline": x, "y_range": [y0, y1], "legend": "bottom"}
/// or {"type": "bars", "title", "y_label", "labels": [...], "series": [{"name", "y", "err"}],
/// "hband": [y0, y1]}
/// or {"type": "hbars", "title", "x_label", "labels": [...], "series": [{"name", "y"}]}: horizontal
/// bars from 0, one row per label, as tall as the labels need.
std::string render_chart_svg(const nlohmann::json& spec);

}  // namespace retailsynth
