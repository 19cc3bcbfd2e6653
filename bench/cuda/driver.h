/* What the GPU check's benchmarks (kernels.c, e2e.c) share: the CUDA Driver API, libcuda.so.1 loaded
 * with dlopen like the library loads it (no cuda.h, no link to the driver), the error exit, timing. */
#ifndef POLYENC_BENCH_CUDA_DRIVER_H
#define POLYENC_BENCH_CUDA_DRIVER_H

#include <stddef.h>

typedef unsigned long long devptr;

/* The entry points the benchmarks call, filled by driver_load. */
struct driver {
  int (*Init)(unsigned);
  int (*DriverGetVersion)(int *);
  int (*DeviceGetCount)(int *);
  int (*DeviceGet)(int *, int);
  int (*DeviceGetAttribute)(int *, int, int);
  int (*DeviceTotalMem)(size_t *, int);
  int (*PrimaryCtxRetain)(void **, int);
  int (*PrimaryCtxRelease)(int);
  int (*CtxPushCurrent)(void *);
  int (*CtxPopCurrent)(void **);
  int (*CtxSynchronize)(void);
  int (*MemAlloc)(devptr *, size_t);
  int (*MemFree)(devptr);
  int (*MemcpyHtoD)(devptr, const void *, size_t);
  int (*MemcpyDtoH)(void *, devptr, size_t);
  int (*MemsetD8)(devptr, unsigned char, size_t);
  int (*MemcpyDtoDAsync)(devptr, devptr, size_t, void *);
  int (*StreamCreate)(void **, unsigned);
  int (*StreamDestroy)(void *);
  int (*EventCreate)(void **, unsigned);
  int (*EventDestroy)(void *);
  int (*EventRecord)(void *, void *);
  int (*EventSynchronize)(void *);
  int (*EventElapsedTime)(float *, void *, void *);
  int (*ModuleLoadData)(void **, const void *);
  int (*ModuleUnload)(void *);
  int (*ModuleGetFunction)(void **, void *, const char *);
  int (*LaunchKernel)(void *, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void *, void **,
                      void **);
  int (*GetErrorName)(int, const char **);
};
extern struct driver cu;

/* The program's name, the prefix of die's messages; main sets it. */
extern const char *bench_program;

/* Loads libcuda.so.1 into `cu` and runs cuInit(0): NULL when done, else why not (a static string). */
const char *driver_load(void);

/* "<bench_program>: <what> failed: <CUDA error name> (<r>)" or, with r == 0, "<bench_program>: <what>",
 * on stderr; exit status 1. */
void die(const char *what, int r) __attribute__((noreturn));

/* A driver call that must succeed. */
#define CU(call)                 \
  do {                           \
    int r_ = (call);             \
    if (r_ != 0) die(#call, r_); \
  } while (0)

/* Seconds on the monotonic clock. */
double now(void);
/* The median of v[0..n-1] (n >= 1); sorts v. */
double median(double *v, int n);

#endif
