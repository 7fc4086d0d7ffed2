/* A stand-in for the CUDA toolkit's crt/host_defines.h, which the PyPI wheels' headers include
   but do not ship: the attribute macros as host-only C sees them. Used only to compile
   shim_vs_headers.c (scripts/check-cublas.sh). */
#define __host__
#define __device__
#define __forceinline__ inline
#define __align__(n) __attribute__((aligned(n)))
#define __builtin_align__(n) __attribute__((aligned(n)))
#define __cudart_builtin__
#define __device_builtin__
#define __device_builtin_texture_type__
#define __device_builtin_surface_type__
#define CUDARTAPI
#define CUDART_CB
#define CUDA_CB
#define __location__(a)
