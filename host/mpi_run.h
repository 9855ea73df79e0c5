// MPI runs (issue 8): `mpirun -np N retailsynth generate ...` makes rank r shard r/N; each rank
// writes its parts, rank 0 then writes DIR/manifest.json with every part's rows and checksums.
#pragma once
#include "simulator.h"

namespace retailsynth {

/// Whether this process was started by an MPI launcher with more than one rank (and the build
/// has MPI).
bool mpi_launched();

/// Runs `generate` as one rank of an MPI job: sets the shard from the rank, picks the GPU by
/// local rank, and on rank 0 combines the shards' manifests.  Returns the process exit code.
int mpi_generate(GenerateOptions opt);

}  // namespace retailsynth
