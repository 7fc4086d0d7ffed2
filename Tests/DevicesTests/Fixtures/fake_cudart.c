// A fake CUDA runtime for Suanli's tests: the entry points `suanli devices` and the GEMM
// benchmarks call, answering as a node of FAKE_CUDA_DEVICES (default 2) Hopper-like GPUs would
// (132 SMs, 1980 MHz, 80 GiB), or, with FAKE_CUDA_ERROR set, that error from
// cudaGetDeviceCount. "Device" memory is host memory; work is done when it is enqueued, so
// an event's time is the host clock's when it is recorded. It exports
// `suanli_fake_cuda_library`, so Suanli labels every device it reports as fake. Compiled by the
// tests with `cc -shared -fPIC`; Suanli's own code, no vendor header.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int suanli_fake_cuda_library = 1;

static int devices(void) {
  const char *text = getenv("FAKE_CUDA_DEVICES");
  return text ? atoi(text) : 2;
}

int cudaRuntimeGetVersion(int *version) { *version = 12090; return 0; }
int cudaDriverGetVersion(int *version) { *version = 12080; return 0; }

int cudaGetDeviceCount(int *count) {
  const char *error = getenv("FAKE_CUDA_ERROR");
  if (error) return atoi(error);
  *count = devices();
  return 0;
}

int cudaDeviceGetAttribute(int *value, int attribute, int device) {
  if (device < 0 || device >= devices()) return 101;  // cudaErrorInvalidDevice
  switch (attribute) {
    case 13: *value = 1980000; return 0;  // clock, kHz
    case 16: *value = 132; return 0;      // SMs
    case 32: *value = 1; return 0;        // ECC
    case 36: *value = 2619000; return 0;  // memory clock, kHz
    case 37: *value = 5120; return 0;     // bus width, bits
    case 38: *value = 52428800; return 0; // L2
    case 75: *value = 9; return 0;
    case 76: *value = 0; return 0;
    default: return 1;  // cudaErrorInvalidValue
  }
}

int cudaDeviceGetPCIBusId(char *bus, int length, int device) {
  snprintf(bus, (size_t)length, "0000:%02X:00.0", 0x18 + device);
  return 0;
}

int cudaGetDeviceProperties_v2(void *properties, int device) {
  snprintf((char *)properties, 256, "Fake Hopper %d", device);
  return 0;
}

static int current = 0;
int cudaSetDevice(int device) { current = device; return 0; }
int cudaMemGetInfo(size_t *free, size_t *total) {
  *total = (size_t)80 << 30;
  *free = *total - ((size_t)1 << 30);
  return 0;
}

const char *cudaGetErrorName(int error) {
  switch (error) {
    case 35: return "cudaErrorInsufficientDriver";
    case 100: return "cudaErrorNoDevice";
    default: return "cudaErrorUnknown";
  }
}

const char *cudaGetErrorString(int error) {
  switch (error) {
    case 35: return "CUDA driver version is insufficient for CUDA runtime version";
    case 100: return "no CUDA-capable device is detected";
    default: return "unknown error";
  }
}

int cudaMalloc(void **pointer, size_t bytes) {
  *pointer = malloc(bytes);
  return *pointer ? 0 : 2;  // cudaErrorMemoryAllocation
}
int cudaFree(void *pointer) { free(pointer); return 0; }
int cudaMemcpy(void *destination, const void *source, size_t bytes, int kind) {
  (void)kind;
  memcpy(destination, source, bytes);
  return 0;
}
int cudaMemset(void *pointer, int value, size_t bytes) { memset(pointer, value, bytes); return 0; }
int cudaDeviceSynchronize(void) { return 0; }

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
int cudaEventCreate(void **event) {
  *event = calloc(1, sizeof(double));
  return *event ? 0 : 2;
}
int cudaEventRecord(void *event, void *stream) {
  (void)stream;
  *(double *)event = now();
  return 0;
}
int cudaEventSynchronize(void *event) { (void)event; return 0; }
int cudaEventElapsedTime(float *milliseconds, void *start, void *end) {
  *milliseconds = (float)((*(double *)end - *(double *)start) * 1e3);
  return 0;
}
int cudaEventDestroy(void *event) { free(event); return 0; }
