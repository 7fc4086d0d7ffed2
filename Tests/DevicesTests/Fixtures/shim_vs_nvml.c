/* Suanli's CCUDA shim against NVIDIA's nvml.h (the nvidia-nvml-dev-cu12 12.9 wheel, headers
   only): the values it copies, and the names it resolves with dlsym as the header declares them
   (an entry point renamed or gone fails to compile). scripts/check-cublas.sh compiles it. */
#include <nvml.h>
#include "shim.h"

#define SAME(a, b) _Static_assert((long long)(a) == (long long)(b), #a " is not " #b)
SAME(SUANLI_NVML_SUCCESS, NVML_SUCCESS);
SAME(SUANLI_NVML_ERROR_NOT_SUPPORTED, NVML_ERROR_NOT_SUPPORTED);
SAME(SUANLI_NVML_ERROR_DRIVER_NOT_LOADED, NVML_ERROR_DRIVER_NOT_LOADED);
SAME(SUANLI_NVML_CLOCK_SM, NVML_CLOCK_SM);
SAME(SUANLI_NVML_TEMPERATURE_GPU, NVML_TEMPERATURE_GPU);
SAME(SUANLI_NVML_REASON_SW_POWER_CAP, nvmlClocksEventReasonSwPowerCap);
SAME(SUANLI_NVML_REASON_HW_SLOWDOWN, nvmlClocksThrottleReasonHwSlowdown);
SAME(SUANLI_NVML_REASON_SW_THERMAL, nvmlClocksEventReasonSwThermalSlowdown);
SAME(SUANLI_NVML_REASON_HW_THERMAL, nvmlClocksThrottleReasonHwThermalSlowdown);
SAME(SUANLI_NVML_REASON_HW_POWER_BRAKE, nvmlClocksThrottleReasonHwPowerBrakeSlowdown);

static void *resolved[] __attribute__((unused)) = {
    (void *)nvmlInit_v2, (void *)nvmlShutdown, (void *)nvmlErrorString,
    (void *)nvmlSystemGetDriverVersion, (void *)nvmlDeviceGetHandleByPciBusId_v2,
    (void *)nvmlDeviceGetMigMode, (void *)nvmlDeviceGetMaxClockInfo, (void *)nvmlDeviceGetClockInfo,
    (void *)nvmlDeviceGetTotalEnergyConsumption, (void *)nvmlDeviceGetPowerUsage,
    (void *)nvmlDeviceGetTemperature, (void *)nvmlDeviceGetCurrentClocksEventReasons,
};
