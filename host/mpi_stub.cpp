// Built instead of mpi_run.cpp when RETAILSYNTH_ENABLE_MPI is off or MPI is not found.
#include "config.h"
#include "mpi_run.h"

namespace retailsynth {
bool mpi_launched() { return false; }
int mpi_generate(GenerateOptions) { throw InputError("this build has no MPI support (RETAILSYNTH_ENABLE_MPI=OFF)"); }
}  // namespace retailsynth
