// A fake NVML for Suanli's tests (built as libnvidia-ml.so.1): every bus id is a board drawing
// 650 W at an SM clock of 1755 MHz (maximum 1980), 61 °C, power-capped; the energy counter
// runs at 650 W of the host's monotonic clock. Exports `suanli_fake_nvml_library`.
#include <stdio.h>
#include <string.h>
#include <time.h>

int suanli_fake_nvml_library = 1;

static void *board = (void *)0x5a11;

int nvmlInit_v2(void) { return 0; }
int nvmlShutdown(void) { return 0; }
const char *nvmlErrorString(int result) { return result ? "Not Supported" : "Success"; }
int nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  snprintf(version, length, "580.0-fake");
  return 0;
}
int nvmlDeviceGetHandleByPciBusId_v2(const char *bus, void **device) {
  (void)bus;
  *device = board;
  return 0;
}
int nvmlDeviceGetMigMode(void *device, unsigned int *current, unsigned int *pending) {
  (void)device;
  *current = 0;
  *pending = 0;
  return 0;
}
int nvmlDeviceGetMaxClockInfo(void *device, int type, unsigned int *mhz) {
  (void)device; (void)type;
  *mhz = 1980;
  return 0;
}
int nvmlDeviceGetClockInfo(void *device, int type, unsigned int *mhz) {
  (void)device; (void)type;
  *mhz = 1755;
  return 0;
}
int nvmlDeviceGetPowerUsage(void *device, unsigned int *milliwatts) {
  (void)device;
  *milliwatts = 650000;
  return 0;
}
int nvmlDeviceGetTemperature(void *device, int sensor, unsigned int *celsius) {
  (void)device; (void)sensor;
  *celsius = 61;
  return 0;
}
int nvmlDeviceGetCurrentClocksEventReasons(void *device, unsigned long long *reasons) {
  (void)device;
  *reasons = 0x4;  // software power cap
  return 0;
}
int nvmlDeviceGetTotalEnergyConsumption(void *device, unsigned long long *millijoules) {
  (void)device;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  double seconds = (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
  *millijoules = (unsigned long long)(seconds * 650.0 * 1000.0);
  return 0;
}
