// The device side of common.h's float-mode guard, compiled to PTX by float_mode_ptx.sh.
#include "retailsynth/common.h"

__global__ void probe(retailsynth::FloatModeProbe p, int* exact) { *exact = retailsynth::exact_float_mode(p); }
