// The few CUDA runtime, NVML, HIP and ROCm SMI declarations Suanli uses, as function-pointer
// types for dlsym: nothing here is linked, no vendor header or library is needed to build.
// Values and signatures follow the vendor headers named beside each group (read from the
// PyPI wheels nvidia-cuda-runtime-cu12 12.9.79 / nvidia-cuda-runtime 13.5.37 and
// nvidia-nvml-dev-cu12 12.9.79; HIP and ROCm SMI 5.2.3 as Debian 12 ships them); every
// signature listed is the same in CUDA 12 and 13. See shared/research/gpu-backend.md §1.
#ifndef SUANLI_CCUDA_SHIM_H
#define SUANLI_CCUDA_SHIM_H

#include <stddef.h>

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
typedef const char *(*suanli_cudaGetErrorString_t)(int error);

enum {
  SUANLI_CUDA_SUCCESS = 0,
  SUANLI_CUDA_ERROR_STUB_LIBRARY = 34,
  SUANLI_CUDA_ERROR_INSUFFICIENT_DRIVER = 35,
  SUANLI_CUDA_ERROR_NO_DEVICE = 100,
};

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

// ---- NVML (nvml.h; the header maps nvmlInit to nvmlInit_v2 and so on: dlsym those names) ----
typedef void *suanli_nvmlDevice_t;
typedef int (*suanli_nvmlInit_t)(void);
typedef int (*suanli_nvmlShutdown_t)(void);
typedef const char *(*suanli_nvmlErrorString_t)(int result);
typedef int (*suanli_nvmlSystemGetDriverVersion_t)(char *version, unsigned int length);
typedef int (*suanli_nvmlDeviceGetHandleByPciBusId_t)(const char *busId, suanli_nvmlDevice_t *device);
typedef int (*suanli_nvmlDeviceGetMigMode_t)(suanli_nvmlDevice_t device, unsigned int *current, unsigned int *pending);
typedef int (*suanli_nvmlDeviceGetMaxClockInfo_t)(suanli_nvmlDevice_t device, int type, unsigned int *megahertz);

enum {
  SUANLI_NVML_SUCCESS = 0,
  SUANLI_NVML_ERROR_NOT_SUPPORTED = 3,
  SUANLI_NVML_ERROR_DRIVER_NOT_LOADED = 9,
  SUANLI_NVML_CLOCK_SM = 1,
};

// ---- HIP runtime (hip_runtime_api.h, 5.2.3) and ROCm SMI (rocm_smi.h, 5.2.3) ----
typedef int (*suanli_hipGetDeviceCount_t)(int *count);
typedef int (*suanli_hipRuntimeGetVersion_t)(int *version);
typedef const char *(*suanli_hipGetErrorString_t)(int error);
typedef int (*suanli_rsmi_init_t)(unsigned long long flags);
typedef int (*suanli_rsmi_num_monitor_devices_t)(unsigned int *count);
typedef int (*suanli_rsmi_shut_down_t)(void);

#endif
