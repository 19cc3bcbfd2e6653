/* What the CUDA tests (test_cuda.c, test_cuda_gpu.c, test_cuda_wide.c) share: frames of the 8-bit layouts
 * with padded strides, the kernel's arithmetic run on the CPU (its emulation), one frame through a polyenc
 * stream read back, DLPack tensors, and device memory through the CUDA driver (loaded like the library
 * loads it). */
#ifndef POLYENC_TESTS_CUDA_COMMON_H
#define POLYENC_TESTS_CUDA_COMMON_H

#include <dlpack/dlpack.h>

#include "../platform/cuda/yuv_math.h"
#include "helpers.h"

extern const char *const layout_names[4], *const format_names[3], *const matrix_names[3], *const range_names[2];

/* ---- a frame in a layout, with padded (non-contiguous) strides ---- */
typedef struct test_frame {
  int layout, w, h;
  int64_t strides[4]; /* polyenc_frames order: {frame, ...} */
  size_t size;
  uint8_t *data;
} test_frame;
/* n random frames of an 8-bit layout (PE_RGB_PLANAR ... PE_BGRA). */
test_frame make_frame(int layout, int w, int h, int n, uint32_t seed);
const uint8_t *pixel(const test_frame *f, int x, int y, int c);

/* ---- planes of a converted frame, packed without padding (the rawvideo layout) ---- */
typedef struct planes {
  int format, w, h, cw, ch; /* chroma plane size in samples (NV12: cw pairs) */
  uint8_t *data;
  size_t size;
} planes;
planes make_planes(int format, int w, int h);
/* The kernel's arithmetic (yuv_math.h), run on the CPU. */
planes emulate(const test_frame *f, const uint8_t *frame, int format, int matrix, int range);
/* Max difference per plane kind: [0] luma, [1] chroma. */
void max_diff(const planes *a, const planes *b, int out[2]);
/* The first packet of stream 0 of a file. */
uint8_t *first_packet(const char *path, size_t *size);
/* One frame through a polyenc stream (cpu, or `device`) with codec rawvideo (else lossless libx264): the
 * converter's bytes. */
planes convert_with_polyenc(const char *device, const test_frame *f, const void *data, int format, int matrix,
                            int range);

/* ---- DLPack ---- */
/* A 4-dimensional uint8 tensor. */
DLTensor tensor(void *data, int device_type, int64_t *shape, int64_t *strides);
/* n pattern frames (rgb) encoded from tensor t, decoded and compared (PSNR > 35 dB). */
void dlpack_roundtrip(const char *name, const char *device, uint8_t *tensor_data, DLTensor *t, const uint8_t *rgb,
                      int n, int w, int h);
enum { DW = 96, DH = 64, DN = 6 };
/* The pattern in each tensor layout: NCHW, NHWC 4 channels. */
void fill_layouts(const uint8_t *rgb, uint8_t *nchw, uint8_t *nhwc4);

/* ---- on a GPU ---- */
typedef unsigned long long devptr;
struct cuda_driver {
  int (*Init)(unsigned);
  int (*DeviceGet)(int *, int);
  int (*PrimaryCtxRetain)(void **, int);
  int (*CtxPushCurrent)(void *);
  int (*MemAlloc)(devptr *, size_t);
  int (*MemFree)(devptr);
  int (*MemcpyHtoD)(devptr, const void *, size_t);
  int (*MemcpyHtoDAsync)(devptr, const void *, size_t, void *);
  int (*StreamCreate)(void **, unsigned);
  int (*StreamDestroy)(void *);
  int (*CtxSynchronize)(void);
};
extern struct cuda_driver drv;
/* Skips the case (exit code 77) without a CUDA device; else loads the driver and makes the device's primary
 * context current. */
void need_gpu(void);
devptr to_device(const void *host, size_t size);

#endif
