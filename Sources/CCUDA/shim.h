// The few CUDA runtime, NVML, HIP and ROCm SMI declarations Suanli uses, as function-pointer
// types for dlsym: nothing here is linked, no vendor header or library is needed to build.
// Values and signatures follow the vendor headers named beside each group (read from the
// PyPI wheels nvidia-cuda-runtime-cu12 12.9.79 / nvidia-cuda-runtime 13.5.37 and
// nvidia-nvml-dev-cu12 12.9.79; HIP and ROCm SMI 5.2.3 as Debian 12 ships them); every
// signature listed is the same in CUDA 12 and 13. See shared/research/gpu-backend.md §1.
#ifndef SUANLI_CCUDA_SHIM_H
#define SUANLI_CCUDA_SHIM_H

#include <stddef.h>
#include <stdint.h>

// ---- CUDA runtime (cuda_runtime_api.h, driver_types.h) ----
typedef int (*suanli_cudaRuntimeGetVersion_t)(int *version);
typedef int (*suanli_cudaDriverGetVersion_t)(int *version);
typedef int (*suanli_cudaGetDeviceCount_t)(int *count);
typedef int (*suanli_cudaDeviceGetAttribute_t)(int *value, int attribute, int device);
typedef int (*suanli_cudaDeviceGetPCIBusId_t)(char *busId, int length, int device);
// cudaGetDeviceProperties_v2 (12.x) / cudaGetDeviceProperties (13.x): the struct's layout
// differs between them; only `char name[256]` at offset 0 is read, from a 4 KiB buffer.
typedef int (*suanli_cudaGetDeviceProperties_t)(void *properties, int device);
typedef int (*suanli_cudaSetDevice_t)(int device);
typedef int (*suanli_cudaMemGetInfo_t)(size_t *free, size_t *total);
typedef const char *(*suanli_cudaGetErrorName_t)(int error);
typedef int (*suanli_cudaMalloc_t)(void **pointer, size_t bytes);
typedef int (*suanli_cudaFree_t)(void *pointer);
typedef int (*suanli_cudaMemcpy_t)(void *destination, const void *source, size_t bytes, int kind);
typedef int (*suanli_cudaMemset_t)(void *pointer, int value, size_t bytes);
typedef int (*suanli_cudaDeviceSynchronize_t)(void);
// cudaEvent_t and cudaStream_t are opaque pointers; stream 0 is the legacy default stream.
typedef int (*suanli_cudaEventCreate_t)(void **event);
typedef int (*suanli_cudaEventRecord_t)(void *event, void *stream);
typedef int (*suanli_cudaEventSynchronize_t)(void *event);
typedef int (*suanli_cudaEventElapsedTime_t)(float *milliseconds, void *start, void *end);
typedef int (*suanli_cudaEventDestroy_t)(void *event);
typedef const char *(*suanli_cudaGetErrorString_t)(int error);

enum {
  SUANLI_CUDA_SUCCESS = 0,
  SUANLI_CUDA_ERROR_STUB_LIBRARY = 34,
  SUANLI_CUDA_ERROR_INSUFFICIENT_DRIVER = 35,
  SUANLI_CUDA_ERROR_NO_DEVICE = 100,
};

// cudaMemcpyKind (driver_types.h).
enum { SUANLI_CUDA_MEMCPY_HOST_TO_DEVICE = 1, SUANLI_CUDA_MEMCPY_DEVICE_TO_HOST = 2 };

// cudaDeviceAttr values (driver_types.h; identical in 12.9 and 13.5).
enum {
  SUANLI_CUDA_ATTR_CLOCK_RATE = 13,             // kHz
  SUANLI_CUDA_ATTR_MULTIPROCESSOR_COUNT = 16,
  SUANLI_CUDA_ATTR_ECC_ENABLED = 32,
  SUANLI_CUDA_ATTR_MEMORY_CLOCK_RATE = 36,      // kHz
  SUANLI_CUDA_ATTR_GLOBAL_MEMORY_BUS_WIDTH = 37,  // bits
  SUANLI_CUDA_ATTR_L2_CACHE_SIZE = 38,          // bytes
  SUANLI_CUDA_ATTR_COMPUTE_CAPABILITY_MAJOR = 75,
  SUANLI_CUDA_ATTR_COMPUTE_CAPABILITY_MINOR = 76,
};

// ---- cuBLAS (cublas_api.h, 12.9 / 13.0; the header maps cublasCreate to cublasCreate_v2 and so
// on: dlsym the _v2 names) ----
typedef int (*suanli_cublasCreate_t)(void **handle);
typedef int (*suanli_cublasDestroy_t)(void *handle);
typedef int (*suanli_cublasSetStream_t)(void *handle, void *stream);
typedef int (*suanli_cublasSetWorkspace_t)(void *handle, void *workspace, size_t bytes);
typedef int (*suanli_cublasSetMathMode_t)(void *handle, int mode);
typedef int (*suanli_cublasGetMathMode_t)(void *handle, int *mode);
typedef int (*suanli_cublasGetProperty_t)(int type, int *value);
typedef const char *(*suanli_cublasGetStatusName_t)(int status);
typedef int (*suanli_cublasGemmEx_t)(
    void *handle, int transa, int transb, int m, int n, int k, const void *alpha, const void *a,
    int aType, int lda, const void *b, int bType, int ldb, const void *beta, void *c, int cType,
    int ldc, int computeType, int algo);

// cublasLt (cublasLt.h, 12.9 / 13.0).
typedef struct { uint64_t data[8]; } suanli_cublasLtMatmulAlgo_t;
typedef struct {
  suanli_cublasLtMatmulAlgo_t algo;
  size_t workspaceSize;
  int state;
  float wavesCount;
  int reserved[4];
} suanli_cublasLtMatmulHeuristicResult_t;
typedef int (*suanli_cublasLtCreate_t)(void **handle);
typedef int (*suanli_cublasLtDestroy_t)(void *handle);
typedef size_t (*suanli_cublasLtGetVersion_t)(void);
typedef int (*suanli_cublasLtMatmulDescCreate_t)(void **desc, int computeType, int scaleType);
typedef int (*suanli_cublasLtMatmulDescDestroy_t)(void *desc);
typedef int (*suanli_cublasLtMatmulDescSetAttribute_t)(
    void *desc, int attribute, const void *value, size_t bytes);
typedef int (*suanli_cublasLtMatrixLayoutCreate_t)(
    void **layout, int type, uint64_t rows, uint64_t columns, int64_t leading);
typedef int (*suanli_cublasLtMatrixLayoutDestroy_t)(void *layout);
typedef int (*suanli_cublasLtMatmulPreferenceCreate_t)(void **preference);
typedef int (*suanli_cublasLtMatmulPreferenceDestroy_t)(void *preference);
typedef int (*suanli_cublasLtMatmulPreferenceSetAttribute_t)(
    void *preference, int attribute, const void *value, size_t bytes);
typedef int (*suanli_cublasLtMatmulAlgoGetHeuristic_t)(
    void *handle, void *desc, void *aLayout, void *bLayout, void *cLayout, void *dLayout,
    void *preference, int requested, suanli_cublasLtMatmulHeuristicResult_t *results,
    int *returned);
typedef int (*suanli_cublasLtMatmul_t)(
    void *handle, void *desc, const void *alpha, const void *a, void *aLayout, const void *b,
    void *bLayout, const void *beta, const void *c, void *cLayout, void *d, void *dLayout,
    const suanli_cublasLtMatmulAlgo_t *algo, void *workspace, size_t workspaceBytes,
    void *stream);

enum {
  SUANLI_CUBLAS_OP_N = 0,
  SUANLI_CUBLAS_OP_T = 1,
  SUANLI_CUBLAS_GEMM_DEFAULT = -1,
  SUANLI_CUBLAS_DEFAULT_MATH = 0,
  // cudaDataType (library_types.h).
  SUANLI_CUDA_R_32F = 0,
  SUANLI_CUDA_R_64F = 1,
  SUANLI_CUDA_R_16F = 2,
  SUANLI_CUDA_R_8I = 3,
  SUANLI_CUDA_R_32I = 10,
  SUANLI_CUDA_R_16BF = 14,
  SUANLI_CUDA_R_8F_E4M3 = 28,
  // cublasComputeType_t.
  SUANLI_CUBLAS_COMPUTE_32F = 68,
  SUANLI_CUBLAS_COMPUTE_64F = 70,
  SUANLI_CUBLAS_COMPUTE_32I = 72,
  SUANLI_CUBLAS_COMPUTE_32F_FAST_TF32 = 77,
  // cublasLtMatmulDescAttributes_t, cublasLtMatmulPreferenceAttributes_t.
  SUANLI_CUBLASLT_DESC_TRANSA = 3,
  SUANLI_CUBLASLT_DESC_TRANSB = 4,
  SUANLI_CUBLASLT_DESC_FAST_ACCUM = 25,
  SUANLI_CUBLASLT_PREF_MAX_WORKSPACE_BYTES = 1,
  // libraryPropertyType.
  SUANLI_LIBRARY_MAJOR = 0,
  SUANLI_LIBRARY_MINOR = 1,
  SUANLI_LIBRARY_PATCH = 2,
};

// ---- NVML (nvml.h; the header maps nvmlInit to nvmlInit_v2 and so on: dlsym those names) ----
typedef void *suanli_nvmlDevice_t;
typedef int (*suanli_nvmlInit_t)(void);
typedef int (*suanli_nvmlShutdown_t)(void);
typedef const char *(*suanli_nvmlErrorString_t)(int result);
typedef int (*suanli_nvmlSystemGetDriverVersion_t)(char *version, unsigned int length);
typedef int (*suanli_nvmlDeviceGetHandleByPciBusId_t)(const char *busId, suanli_nvmlDevice_t *device);
typedef int (*suanli_nvmlDeviceGetMigMode_t)(suanli_nvmlDevice_t device, unsigned int *current, unsigned int *pending);
typedef int (*suanli_nvmlDeviceGetMaxClockInfo_t)(suanli_nvmlDevice_t device, int type, unsigned int *megahertz);
typedef int (*suanli_nvmlDeviceGetClockInfo_t)(suanli_nvmlDevice_t device, int type, unsigned int *megahertz);
typedef int (*suanli_nvmlDeviceGetTotalEnergyConsumption_t)(suanli_nvmlDevice_t device, unsigned long long *millijoules);
typedef int (*suanli_nvmlDeviceGetPowerUsage_t)(suanli_nvmlDevice_t device, unsigned int *milliwatts);
typedef int (*suanli_nvmlDeviceGetTemperature_t)(suanli_nvmlDevice_t device, int sensor, unsigned int *celsius);
typedef int (*suanli_nvmlDeviceGetCurrentClocksEventReasons_t)(suanli_nvmlDevice_t device, unsigned long long *reasons);

enum {
  SUANLI_NVML_SUCCESS = 0,
  SUANLI_NVML_ERROR_NOT_SUPPORTED = 3,
  SUANLI_NVML_ERROR_DRIVER_NOT_LOADED = 9,
  SUANLI_NVML_CLOCK_SM = 1,
  SUANLI_NVML_TEMPERATURE_GPU = 0,
};

// Clock event reasons (nvmlClocksEventReason*, before NVML 12.2 nvmlClocksThrottleReason*).
#define SUANLI_NVML_REASON_SW_POWER_CAP 0x4ULL
#define SUANLI_NVML_REASON_HW_SLOWDOWN 0x8ULL
#define SUANLI_NVML_REASON_SW_THERMAL 0x20ULL
#define SUANLI_NVML_REASON_HW_THERMAL 0x40ULL
#define SUANLI_NVML_REASON_HW_POWER_BRAKE 0x80ULL

// ---- HIP runtime (hip_runtime_api.h, 5.2.3) and ROCm SMI (rocm_smi.h, 5.2.3) ----
typedef int (*suanli_hipGetDeviceCount_t)(int *count);
typedef int (*suanli_hipRuntimeGetVersion_t)(int *version);
typedef const char *(*suanli_hipGetErrorString_t)(int error);
typedef int (*suanli_rsmi_init_t)(unsigned long long flags);
typedef int (*suanli_rsmi_num_monitor_devices_t)(unsigned int *count);
typedef int (*suanli_rsmi_shut_down_t)(void);

#endif
