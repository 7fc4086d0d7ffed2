/* Suanli's CCUDA shim against NVIDIA's own headers (the CUDA 13 runtime and cuBLAS wheels):
   every enum value the shim copies and the layout of the one struct it declares must be the
   headers', or this file does not compile. (The function signatures declare opaque handles as
   void *, so a C compiler cannot compare them with the headers' typed handles; the host-side
   calls of DeviceGEMMTests.testTheRealCuBLAS exercise them.) scripts/check-cublas.sh compiles
   it (-fsyntax-only); nothing of NVIDIA's is committed. */
#include <stddef.h>
#include <cublasLt.h>
#include <cublas_api.h>
#include <cuda_runtime_api.h>
#include "shim.h"

#define SAME(a, b) _Static_assert((long)(a) == (long)(b), #a " is not " #b)
SAME(SUANLI_CUDA_SUCCESS, cudaSuccess);
SAME(SUANLI_CUDA_ERROR_STUB_LIBRARY, cudaErrorStubLibrary);
SAME(SUANLI_CUDA_ERROR_INSUFFICIENT_DRIVER, cudaErrorInsufficientDriver);
SAME(SUANLI_CUDA_ERROR_NO_DEVICE, cudaErrorNoDevice);
SAME(SUANLI_CUDA_MEMCPY_HOST_TO_DEVICE, cudaMemcpyHostToDevice);
SAME(SUANLI_CUDA_MEMCPY_DEVICE_TO_HOST, cudaMemcpyDeviceToHost);
SAME(SUANLI_CUDA_ATTR_CLOCK_RATE, cudaDevAttrClockRate);
SAME(SUANLI_CUDA_ATTR_MULTIPROCESSOR_COUNT, cudaDevAttrMultiProcessorCount);
SAME(SUANLI_CUDA_ATTR_ECC_ENABLED, cudaDevAttrEccEnabled);
SAME(SUANLI_CUDA_ATTR_MEMORY_CLOCK_RATE, cudaDevAttrMemoryClockRate);
SAME(SUANLI_CUDA_ATTR_GLOBAL_MEMORY_BUS_WIDTH, cudaDevAttrGlobalMemoryBusWidth);
SAME(SUANLI_CUDA_ATTR_L2_CACHE_SIZE, cudaDevAttrL2CacheSize);
SAME(SUANLI_CUDA_ATTR_COMPUTE_CAPABILITY_MAJOR, cudaDevAttrComputeCapabilityMajor);
SAME(SUANLI_CUDA_ATTR_COMPUTE_CAPABILITY_MINOR, cudaDevAttrComputeCapabilityMinor);
SAME(SUANLI_CUBLAS_OP_N, CUBLAS_OP_N);
SAME(SUANLI_CUBLAS_OP_T, CUBLAS_OP_T);
SAME(SUANLI_CUBLAS_GEMM_DEFAULT, CUBLAS_GEMM_DEFAULT);
SAME(SUANLI_CUBLAS_DEFAULT_MATH, CUBLAS_DEFAULT_MATH);
SAME(SUANLI_CUDA_R_32F, CUDA_R_32F);
SAME(SUANLI_CUDA_R_64F, CUDA_R_64F);
SAME(SUANLI_CUDA_R_16F, CUDA_R_16F);
SAME(SUANLI_CUDA_R_8I, CUDA_R_8I);
SAME(SUANLI_CUDA_R_32I, CUDA_R_32I);
SAME(SUANLI_CUDA_R_16BF, CUDA_R_16BF);
SAME(SUANLI_CUDA_R_8F_E4M3, CUDA_R_8F_E4M3);
SAME(SUANLI_CUBLAS_COMPUTE_32F, CUBLAS_COMPUTE_32F);
SAME(SUANLI_CUBLAS_COMPUTE_64F, CUBLAS_COMPUTE_64F);
SAME(SUANLI_CUBLAS_COMPUTE_32I, CUBLAS_COMPUTE_32I);
SAME(SUANLI_CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_COMPUTE_32F_FAST_TF32);
SAME(SUANLI_CUBLASLT_DESC_TRANSA, CUBLASLT_MATMUL_DESC_TRANSA);
SAME(SUANLI_CUBLASLT_DESC_TRANSB, CUBLASLT_MATMUL_DESC_TRANSB);
SAME(SUANLI_CUBLASLT_DESC_FAST_ACCUM, CUBLASLT_MATMUL_DESC_FAST_ACCUM);
SAME(SUANLI_CUBLASLT_PREF_MAX_WORKSPACE_BYTES, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES);
SAME(SUANLI_LIBRARY_MAJOR, MAJOR_VERSION);
SAME(SUANLI_LIBRARY_MINOR, MINOR_VERSION);
SAME(SUANLI_LIBRARY_PATCH, PATCH_LEVEL);
_Static_assert(sizeof(suanli_cublasLtMatmulAlgo_t) == sizeof(cublasLtMatmulAlgo_t), "algorithm size");
_Static_assert(
    sizeof(suanli_cublasLtMatmulHeuristicResult_t) == sizeof(cublasLtMatmulHeuristicResult_t),
    "heuristic result size");
_Static_assert(
    offsetof(suanli_cublasLtMatmulHeuristicResult_t, workspaceSize)
        == offsetof(cublasLtMatmulHeuristicResult_t, workspaceSize),
    "workspaceSize offset");
_Static_assert(
    offsetof(suanli_cublasLtMatmulHeuristicResult_t, state)
        == offsetof(cublasLtMatmulHeuristicResult_t, state),
    "state offset");
