// A native BF16 matrix multiply for CPUs with AVX512-BF16: C = A·B with A (m×k) and B (k×n)
// in bfloat16, C (m×n) in FP32, all column-major. VDPBF16PS multiplies pairs of BF16 values
// exactly and adds both products to an FP32 lane, so one instruction does 16 lanes × 2 products
// × 2 flops = 64 flops: twice an FP32 FMA of the same width.
//
// BLIS's structure: B is packed in panels of NR columns × KC values (pairs of consecutive k
// interleaved, as VDPBF16PS wants them), A in panels of MR rows × KC; a 32×12 micro-kernel keeps
// 24 accumulators in registers and streams both panels. Columns of C are split among threads.
// The work formula: 2·m·n·k flops. Packing is inside the timing, as in any BLAS.
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csuanli.h"

#if defined(__AVX512BF16__) && defined(__AVX512F__)
#include <immintrin.h>

enum { MR = 32, NR = 12, KC = 384, MC = 256 };  // KC even: packed in k-pairs

// Packs a count×kb block into panels of `width` lines (rows of A, columns of B): per k-pair, one
// 32-bit word per line (words, so the kernel reads them without type punning), (x[line, p], x[line, p+1]) as VDPBF16PS takes them. Element (line, p) is
// at src[line * line_stride + p * k_stride]. Lines past `count` and the partner of an odd last k
// are zero. A: lines are rows (stride 1, k stride lda); B: lines are columns (stride ldb, 1).
static void pack(const uint16_t *src, size_t line_stride, size_t k_stride, int count, int kb,
                 int width, uint32_t *dst) {
  int pairs = (kb + 1) / 2;
  for (int first = 0; first < count; first += width) {
    int lines = count - first < width ? count - first : width;
    for (int q = 0; q < pairs; q++) {
      int second = 2 * q + 1 < kb;
      for (int l = 0; l < width; l++) {
        uint16_t x = 0, y = 0;
        if (l < lines) {
          const uint16_t *at = src + (size_t)(first + l) * line_stride + (size_t)(2 * q) * k_stride;
          x = at[0];
          if (second) y = at[k_stride];
        }
        dst[l] = (uint32_t)x | (uint32_t)y << 16;  // x in the low half: element 2i of the lane
      }
      dst += width;
    }
  }
}

// c[0:32, 0:12] (+)= Ap·Bp over `pairs` k-pairs. `add`: accumulate into C (later KC blocks).
// The 24 accumulators are named one by one: with an array, compilers keep them in memory.
#define ACC(j) __m512 c0_##j = _mm512_setzero_ps(), c1_##j = _mm512_setzero_ps();
#define STEP(j)                                                     \
  {                                                                 \
    __m512bh bj = (__m512bh)_mm512_set1_epi32((int)bp[j]);          \
    c0_##j = _mm512_dpbf16_ps(c0_##j, a0, bj);                      \
    c1_##j = _mm512_dpbf16_ps(c1_##j, a1, bj);                      \
  }
#define STORE(j)                                                    \
  {                                                                 \
    float *column = c + (size_t)(j) * ldc;                          \
    if (add) {                                                      \
      c0_##j = _mm512_add_ps(c0_##j, _mm512_loadu_ps(column));      \
      c1_##j = _mm512_add_ps(c1_##j, _mm512_loadu_ps(column + 16)); \
    }                                                               \
    _mm512_storeu_ps(column, c0_##j);                               \
    _mm512_storeu_ps(column + 16, c1_##j);                          \
  }
#define ALL(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

static void micro_kernel(int pairs, const uint32_t *ap, const uint32_t *bp, float *c, int ldc,
                         int add) {
  ALL(ACC)
  for (int q = 0; q < pairs; q++) {
    __m512bh a0 = (__m512bh)_mm512_loadu_si512((const void *)(ap));
    __m512bh a1 = (__m512bh)_mm512_loadu_si512((const void *)(ap + 16));
    ALL(STEP)
    ap += MR;
    bp += NR;
  }
  ALL(STORE)
}

struct job {
  int m, n, k;
  const uint16_t *a, *b;
  float *c;
  int j0, j1;
  int failed;
};

static void *columns(void *argument) {
  struct job *job = argument;
  int m = job->m, k = job->k;
  int nb_max = job->j1 - job->j0;
  // KC/2 words per line of a panel, bytes rounded up to the alignment (C11 asks for a multiple).
  size_t b_bytes = ((size_t)((nb_max + NR - 1) / NR) * NR * (KC / 2) * sizeof(uint32_t) + 63) / 64 * 64;
  size_t a_bytes = ((size_t)((MC + MR - 1) / MR) * MR * (KC / 2) * sizeof(uint32_t) + 63) / 64 * 64;
  uint32_t *bp = aligned_alloc(64, b_bytes);
  uint32_t *ap = aligned_alloc(64, a_bytes);
  float tile[MR * NR];
  if (!bp || !ap) {
    job->failed = 1;
    free(bp);
    free(ap);
    return NULL;
  }
  int nb = nb_max;
  for (int p0 = 0; p0 < k; p0 += KC) {
    int kb = k - p0 < KC ? k - p0 : KC;
    int pairs = (kb + 1) / 2;
    pack(job->b + p0 + (size_t)job->j0 * k, (size_t)k, 1, nb, kb, NR, bp);
    for (int i0 = 0; i0 < m; i0 += MC) {
      int mb = m - i0 < MC ? m - i0 : MC;
      pack(job->a + i0 + (size_t)p0 * m, 1, (size_t)m, mb, kb, MR, ap);
      for (int jr = 0; jr < nb; jr += NR) {
        int cols = nb - jr < NR ? nb - jr : NR;
        const uint32_t *bpanel = bp + (size_t)(jr / NR) * NR * pairs;
        for (int ir = 0; ir < mb; ir += MR) {
          int rows = mb - ir < MR ? mb - ir : MR;
          const uint32_t *apanel = ap + (size_t)(ir / MR) * MR * pairs;
          float *c = job->c + (size_t)(i0 + ir) + (size_t)(job->j0 + jr) * m;
          if (rows == MR && cols == NR) {
            micro_kernel(pairs, apanel, bpanel, c, m, p0 > 0);
          } else {  // an edge tile: through a full-size buffer, then only its valid part
            for (int j = 0; j < cols; j++)
              for (int i = 0; i < rows; i++) tile[i + j * MR] = c[i + (size_t)j * m];
            micro_kernel(pairs, apanel, bpanel, tile, MR, p0 > 0);
            for (int j = 0; j < cols; j++)
              for (int i = 0; i < rows; i++) c[i + (size_t)j * m] = tile[i + j * MR];
          }
        }
      }
    }
  }
  free(bp);
  free(ap);
  return NULL;
}

int suanli_bf16_gemm_native(void) { return __builtin_cpu_supports("avx512bf16") ? 1 : 0; }

int suanli_bf16_gemm(int m, int n, int k, const uint16_t *a, const uint16_t *b, float *c,
                     int threads) {
  if (m <= 0 || n <= 0) return 0;
  if (k <= 0) {
    for (size_t i = 0; i < (size_t)m * n; i++) c[i] = 0;
    return 0;
  }
  if (threads < 1) threads = 1;
  if (threads > 256) threads = 256;
  struct job jobs[256];
  pthread_t ids[256];
  int running[256] = {0};
  // Columns split in multiples of NR among the threads.
  int panels = (n + NR - 1) / NR;
  for (int t = 0; t < threads; t++) {
    int first = (int)((long)panels * t / threads) * NR;
    int last = (int)((long)panels * (t + 1) / threads) * NR;
    if (last > n) last = n;
    jobs[t] = (struct job){m, n, k, a, b, c, first, last, 0};
  }
  for (int t = 1; t < threads; t++) {
    if (jobs[t].j0 >= jobs[t].j1) continue;
    running[t] = pthread_create(&ids[t], NULL, columns, &jobs[t]) == 0;
    if (!running[t]) columns(&jobs[t]);  // no thread: this one does the part
  }
  if (jobs[0].j0 < jobs[0].j1) columns(&jobs[0]);
  int failed = jobs[0].failed;
  for (int t = 1; t < threads; t++) {
    if (running[t]) pthread_join(ids[t], NULL);
    failed |= jobs[t].failed;
  }
  return failed ? -1 : 0;
}

#else

int suanli_bf16_gemm_native(void) { return 0; }

int suanli_bf16_gemm(int m, int n, int k, const uint16_t *a, const uint16_t *b, float *c,
                     int threads) {
  (void)m, (void)n, (void)k, (void)a, (void)b, (void)c, (void)threads;
  return -1;
}

#endif

// The BF16 dot-product throughput of one core: 12 independent VDPBF16PS chains (latency ~6
// cycles × up to 2 per cycle). Each instruction: 16 lanes × 2 products × 2 flops. The inputs
// are small so the FP32 accumulators never overflow. Returns the flops, 0 without AVX512-BF16.
uint64_t suanli_bf16_dot_chains(uint64_t iterations, float *sink) {
#if defined(__AVX512BF16__) && defined(__AVX512F__)
  __m512bh x = (__m512bh)_mm512_set1_epi32(0x3c003c00);  // (2^-7, 2^-7)
  __m512bh y = (__m512bh)_mm512_set1_epi32(0x3c003c00);
  __m512 a0 = _mm512_set1_ps(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
  __m512 a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
  for (uint64_t i = 0; i < iterations; i++) {
    a0 = _mm512_dpbf16_ps(a0, x, y); a1 = _mm512_dpbf16_ps(a1, x, y);
    a2 = _mm512_dpbf16_ps(a2, x, y); a3 = _mm512_dpbf16_ps(a3, x, y);
    a4 = _mm512_dpbf16_ps(a4, x, y); a5 = _mm512_dpbf16_ps(a5, x, y);
    a6 = _mm512_dpbf16_ps(a6, x, y); a7 = _mm512_dpbf16_ps(a7, x, y);
    a8 = _mm512_dpbf16_ps(a8, x, y); a9 = _mm512_dpbf16_ps(a9, x, y);
    a10 = _mm512_dpbf16_ps(a10, x, y); a11 = _mm512_dpbf16_ps(a11, x, y);
    __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3));
  }
  __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                           _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
  s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
  *sink = _mm512_reduce_add_ps(s);
  return iterations * 12u * 16u * 4u;
#else
  (void)iterations;
  *sink = 0;
  return 0;
#endif
}
