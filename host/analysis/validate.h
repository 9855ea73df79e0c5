// `retailsynth validate`: measures a dataset against its success metrics and, given real
// data, its likeness to them (1 - Kolmogorov-Smirnov distance); writes metrics.json and a
// self-contained report.html, and returns a summary table for the terminal.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace retailsynth {

struct ValidateOptions {
  std::string data_dir;  // a dataset folder (RetailSynth output, real TCJ, or CompleteJourney 2.0 files)
  std::string real_dir;  // real data to compare with; empty: skip the likeness section
  std::string real_note;  // why real_dir is empty (shown in the report)
  std::string out_dir;   // empty: DATA_DIR/validation
};

struct ValidateResult {
  nlohmann::json report;  // the content of metrics.json
  std::string table;      // the terminal summary
  std::string out_dir;
};

/// Loads, measures and writes OUT/metrics.json and OUT/report.html (each via a temporary file and
/// a rename).  Unreadable input throws InputError naming the file and line; targets that are not
/// met are reported, not thrown.
ValidateResult run_validate(const ValidateOptions& opt);

/// The measurements without writing anything (tests, benchmarks).
nlohmann::json validate_report(const ValidateOptions& opt);
/// pass, fail or n/a with the reason (empty unless n/a).
struct SlopeVerdict {
  std::string status, why;
};
using OrderVerdict = SlopeVerdict;
struct DisplayLifts;

/// The trip-vs-marketing slope b (standard error se) against the configured slope: fail when it
/// differs by 4 se or more; n/a when se is too large to tell the configured slope from 0
/// (expected <= 4 se); else pass when b > 4 se.
SlopeVerdict slope_verdict(double b, double expected, double se);

/// The display order none < shelf_tag < end_cap < feature_display: fail when a neighbour pair is
/// reversed by 2 se, n/a when one lies within 2 se, pass when each is greater by 2 se.
OrderVerdict display_order_verdict(const DisplayLifts& dl);

/// The terminal table of a report: at most 100 columns, the reason under every n/a row.
std::string summary_table(const nlohmann::json& report);

}  // namespace retailsynth
