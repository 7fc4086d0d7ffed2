// OpenBLAS's CBLAS interface plus its extensions (openblas_get_config,
// openblas_set_num_threads). pkg-config `openblas` points at Debian's pthread build.
// Only Kernels' BLAS.swift imports this module.
#include <cblas.h>
