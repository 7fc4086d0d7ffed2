/* OpenBLAS alone: times cblas_dgemm and cblas_sgemm on n x n random matrices, column-major,
 * with OpenBLAS's own threads (OPENBLAS_NUM_THREADS), one warm-up then REPEATS timed calls.
 * Prints "dgemm <best GFLOPS> <median GFLOPS>" and the same for sgemm. The anchor for
 * bench/gemm-vs-openblas: Suanli's gemm.* must reach it, less harness overhead only. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void report(const char *name, double flops, double *times, int repeats) {
  qsort(times, repeats, sizeof(double), compare);
  printf("%s %.3f %.3f\n", name, flops / times[0] / 1e9, flops / times[repeats / 2] / 1e9);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 4096;
  int repeats = argc > 2 ? atoi(argv[2]) : 5;
  size_t count = (size_t)n * n;
  double *a = malloc(count * sizeof(double)), *b = malloc(count * sizeof(double)),
         *c = malloc(count * sizeof(double));
  float *as = malloc(count * sizeof(float)), *bs = malloc(count * sizeof(float)),
        *cs = malloc(count * sizeof(float));
  double *times = malloc(repeats * sizeof(double));
  srand(1);
  for (size_t i = 0; i < count; i++) {
    a[i] = 2.0 * rand() / RAND_MAX - 1;
    b[i] = 2.0 * rand() / RAND_MAX - 1;
    as[i] = (float)a[i];
    bs[i] = (float)b[i];
  }
  double flops = 2.0 * n * (double)n * n;
  for (int r = -1; r < repeats; r++) {
    double t = now();
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
    if (r >= 0) times[r] = now() - t;
  }
  report("dgemm", flops, times, repeats);
  for (int r = -1; r < repeats; r++) {
    double t = now();
    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, as, n, bs, n, 0, cs, n);
    if (r >= 0) times[r] = now() - t;
  }
  report("sgemm", flops, times, repeats);
  return c[0] == 12345.0 && cs[0] == 12345.0f; /* keep the results alive */
}
