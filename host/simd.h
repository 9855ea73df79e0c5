// Function clones for the CPU's vector loops: compiled for AVX-512, AVX2 and plain x86-64, the
// one the processor has chosen at run time.  Every clone rounds identically: the project builds
// with -ffp-contract=off, so no clone fuses a multiply and an add.
#pragma once

#if defined(__x86_64__) && !defined(__CUDACC__)
#define RS_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RS_SIMD_CLONES
#endif
