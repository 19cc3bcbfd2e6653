/* What the benchmarks share: see driver.h. */
#define _GNU_SOURCE
#include "driver.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct driver cu;
const char *bench_program = "polyenc_bench_cuda";

static const char *error_name(int r) {
  const char *name = NULL;
  if (!cu.GetErrorName || cu.GetErrorName(r, &name) != 0 || !name) return "error";
  return name;
}

void die(const char *what, int r) {
  if (r) fprintf(stderr, "%s: %s failed: %s (%d)\n", bench_program, what, error_name(r), r);
  else fprintf(stderr, "%s: %s\n", bench_program, what);
  exit(1);
}

const char *driver_load(void) {
  static char why[512];
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(why, sizeof why, "%s", dlerror());
    return why;
  }
  static const struct { const char *name; size_t offset; } syms[] = {
#define SYM(field, name) {name, offsetof(struct driver, field)}
      SYM(Init, "cuInit"), SYM(DriverGetVersion, "cuDriverGetVersion"), SYM(DeviceGetCount, "cuDeviceGetCount"),
      SYM(DeviceGet, "cuDeviceGet"), SYM(DeviceGetAttribute, "cuDeviceGetAttribute"),
      SYM(DeviceTotalMem, "cuDeviceTotalMem_v2"), SYM(PrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
      SYM(PrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2"), SYM(CtxPushCurrent, "cuCtxPushCurrent_v2"),
      SYM(CtxPopCurrent, "cuCtxPopCurrent_v2"), SYM(CtxSynchronize, "cuCtxSynchronize"),
      SYM(MemAlloc, "cuMemAlloc_v2"), SYM(MemFree, "cuMemFree_v2"), SYM(MemcpyHtoD, "cuMemcpyHtoD_v2"),
      SYM(MemcpyDtoH, "cuMemcpyDtoH_v2"), SYM(MemsetD8, "cuMemsetD8_v2"),
      SYM(MemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2"), SYM(StreamCreate, "cuStreamCreate"),
      SYM(StreamDestroy, "cuStreamDestroy_v2"), SYM(EventCreate, "cuEventCreate"),
      SYM(EventDestroy, "cuEventDestroy_v2"), SYM(EventRecord, "cuEventRecord"),
      SYM(EventSynchronize, "cuEventSynchronize"), SYM(EventElapsedTime, "cuEventElapsedTime"),
      SYM(ModuleLoadData, "cuModuleLoadData"), SYM(ModuleUnload, "cuModuleUnload"),
      SYM(ModuleGetFunction, "cuModuleGetFunction"), SYM(LaunchKernel, "cuLaunchKernel"),
      SYM(GetErrorName, "cuGetErrorName"),
#undef SYM
  };
  for (size_t i = 0; i < sizeof syms / sizeof *syms; i++) {
    void *fn = dlsym(lib, syms[i].name);
    if (!fn) {
      memset(&cu, 0, sizeof cu);
      snprintf(why, sizeof why, "libcuda.so.1 has no %s", syms[i].name);
      return why;
    }
    memcpy((char *)&cu + syms[i].offset, &fn, sizeof fn);
  }
  int r = cu.Init(0);
  if (r) {
    snprintf(why, sizeof why, "cuInit failed: %s (%d)", error_name(r), r);
    return why;
  }
  return NULL;
}

double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, compare);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
