// What the user is told about a partial run: resumed, discarded, or left by an interrupt.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>

#include "retailsynth/common.h"

namespace retailsynth {

/// "retailsynth: resuming PARTIAL at block k+1 of n" on stderr (unless quiet), from the checkpoint
/// of a run of `households` households.
void announce_resume(const std::filesystem::path& partial, const nlohmann::json& checkpoint, i64 households, bool quiet);

/// When `partial` holds a checkpoint, says on stderr that it is discarded and that --resume would
/// have continued it (a rerun without --resume starts afresh).
void announce_discard(const std::filesystem::path& partial);

/// From now on SIGINT and SIGTERM print that `blocks_done` of `blocks` blocks are kept in `partial`
/// and that the same command with --resume continues them, then exit 128 + the signal.
void set_interrupt_note(const std::filesystem::path& partial, i64 blocks_done, i64 blocks);

/// The run is complete: signals act as by default again.
void clear_interrupt_note();

/// The signal a test's fault injection raises (RETAILSYNTH_TEST_SIGNAL=INT|TERM, default KILL).
int test_signal();

}  // namespace retailsynth
