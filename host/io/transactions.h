// The transaction_data.csv lines of simulated households (TCJ conventions, DESIGN §6.2).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "backend.h"
#include "world.h"

namespace retailsynth {

/// Appends the lines of households [h0, h1) of a block for all weeks (household, week, trip
/// order) to `out`, counting them in `rows`.
void format_transactions(std::string& out, const HouseholdBlock& block, const std::vector<WeekRecords>& weeks, i32 h0,
                         i32 h1, const Catalog& cat, const Stores& stores, i64 total_weeks, u64& rows);

/// Formats a whole block on `threads` threads in chunks of households and hands the chunks to
/// `sink(text, rows)` in order (it may take the text), holding a bounded number of chunks in memory.
void format_transactions_parallel(const HouseholdBlock& block, const std::vector<WeekRecords>& weeks, const Catalog& cat,
                                  const Stores& stores, i64 total_weeks, int threads,
                                  const std::function<void(std::string&, u64)>& sink);

}  // namespace retailsynth
