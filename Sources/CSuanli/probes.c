#include "csuanli.h"

#if defined(__has_include)
#if __has_include("suanli_generated.h")
#include "suanli_generated.h"
#endif
#endif
#ifndef SUANLI_GIT_COMMIT
#define SUANLI_GIT_COMMIT ""
#endif

const char *suanli_build_commit(void) { return SUANLI_GIT_COMMIT; }

const char *suanli_build_isa(void) {
  return ""
#if defined(__SSE2__)
         " sse2"
#endif
#if defined(__AVX__)
         " avx"
#endif
#if defined(__AVX2__)
         " avx2"
#endif
#if defined(__FMA__)
         " fma"
#endif
#if defined(__F16C__)
         " f16c"
#endif
#if defined(__AVX512F__)
         " avx512f"
#endif
#if defined(__AVX512BF16__)
         " avx512_bf16"
#endif
#if defined(__AVX512FP16__)
         " avx512_fp16"
#endif
#if defined(__ARM_NEON)
         " neon"
#endif
#if defined(__ARM_FEATURE_FMA)
         " fma"
#endif
#if defined(__ARM_FEATURE_SVE)
         " sve"
#endif
      ;
}

#define ADD16(x)                                                                                 \
  x += 1; x += 1; x += 1; x += 1; x += 1; x += 1; x += 1; x += 1;                                \
  x += 1; x += 1; x += 1; x += 1; x += 1; x += 1; x += 1; x += 1;

uint64_t suanli_dependent_adds(uint64_t iterations) {
  uint64_t x = 0;
  for (uint64_t i = 0; i < iterations; i++) {
#if defined(__x86_64__)
    // Each add depends on the previous one: latency 1 cycle on every x86 core since the P6.
    __asm__ volatile(
        "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
        "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
        "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
        "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
        : "+r"(x));
#elif defined(__aarch64__)
    __asm__ volatile(
        "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
        "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
        "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
        "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
        : "+r"(x));
#else
    volatile uint64_t v = x;
    ADD16(v)
    x = v;
#endif
  }
  return x;
}

// Vector width: the widest the build targets. 12 independent chains cover FMA latency (4-5
// cycles) x 2 pipes; 12 accumulators fit in 16 ymm (AVX2) or 32 zmm (AVX-512) registers.
#if defined(__AVX512F__)
#define VBYTES 64
#elif defined(__AVX__)
#define VBYTES 32
#else
#define VBYTES 16
#endif

typedef double vd __attribute__((vector_size(VBYTES)));
typedef float vf __attribute__((vector_size(VBYTES)));

int suanli_fma_vector_bits(void) { return VBYTES * 8; }

// The empty asm keeps four chains in vector registers ("x" on x86, "w" on Arm) so the compiler
// cannot fold the loop.
#if defined(__x86_64__)
#define VREG "+x"
#else
#define VREG "+w"
#endif

#define CHAINS(T, LANES, ONE, B, C)                                                              \
  T a0 = ONE, a1 = ONE + 1, a2 = ONE + 2, a3 = ONE + 3, a4 = ONE + 4, a5 = ONE + 5;              \
  T a6 = ONE + 6, a7 = ONE + 7, a8 = ONE + 8, a9 = ONE + 9, a10 = ONE + 10, a11 = ONE + 11;      \
  for (uint64_t i = 0; i < iterations; i++) {                                                    \
    a0 = a0 * B + C; a1 = a1 * B + C; a2 = a2 * B + C; a3 = a3 * B + C;                          \
    a4 = a4 * B + C; a5 = a5 * B + C; a6 = a6 * B + C; a7 = a7 * B + C;                          \
    a8 = a8 * B + C; a9 = a9 * B + C; a10 = a10 * B + C; a11 = a11 * B + C;                      \
    __asm__ volatile("" : VREG(a0), VREG(a1), VREG(a2), VREG(a3));                               \
  }                                                                                              \
  T s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;                             \
  *sink = s[0];                                                                                  \
  return iterations * 12u * (LANES) * 2u;

// a <- a*b + c with b just below 1 converges to c/(1-b): no overflow, no denormals.
#pragma clang fp contract(fast)
uint64_t suanli_fma_chains_f64(uint64_t iterations, double *sink) {
  const vd one = (vd){} + 1.0, b = (vd){} + 0.999999, c = (vd){} + 1e-6;
  CHAINS(vd, VBYTES / 8, one, b, c)
}

uint64_t suanli_fma_chains_f32(uint64_t iterations, float *sink) {
  const vf one = (vf){} + 1.0f, b = (vf){} + 0.999f, c = (vf){} + 1e-3f;
  CHAINS(vf, VBYTES / 4, one, b, c)
}
