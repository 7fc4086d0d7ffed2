// OpenBLAS's CBLAS interface plus its extensions (openblas_get_config,
// openblas_set_num_threads). pkg-config `openblas` points at Debian's pthread build.
// Only Kernels' BLAS.swift imports this module.
#include <cblas.h>

// LAPACK routines that libopenblas itself exports (its optimised laswp/getrf), declared here
// because OpenBLAS is built without LAPACKE headers. 32-bit integers: Debian's OpenBLAS is LP64.
void dlaswp_(const int *n, double *a, const int *lda, const int *k1, const int *k2,
             const int *ipiv, const int *incx);
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
void slaswp_(const int *n, float *a, const int *lda, const int *k1, const int *k2,
             const int *ipiv, const int *incx);
