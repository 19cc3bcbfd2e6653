/* The colour-conversion adapters behind one small interface: the core hands one frame
 * in the caller's layout and strides, the adapter fills an AVFrame of the codec's pixel format. */
#ifndef POLYENC_PLATFORM_H
#define POLYENC_PLATFORM_H

#include <stddef.h>

#include <libavutil/buffer.h>
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>

#include "polyenc/polyenc.h"

/* One source frame. strides are the layout's per-frame strides in bytes (the frame dimension dropped):
 * RGB_PLANAR {channel, row, pixel}; RGB24/RGBA/BGRA {row, pixel, channel}; YUV420P {Y row, U/V row}. */
typedef struct source_frame {
  polyenc_layout layout;
  const uint8_t *data;
  int64_t strides[3];
  int width, height;
} source_frame;

typedef struct conversion {
  enum AVPixelFormat format;     /* the codec's pixel format */
  enum AVColorSpace color_space; /* AVCOL_SPC_SMPTE170M (bt601), AVCOL_SPC_BT709 or AVCOL_SPC_BT2020_NCL */
  int full_range;                /* 0: tv (limited), 1: pc (full) */
  int width, height;
} conversion;

typedef struct cpu_converter cpu_converter;

/* 0 or a negative AVERROR. */
int pe_cpu_converter_new(const conversion *conv, cpu_converter **out);
int pe_cpu_convert(cpu_converter *c, const source_frame *src, AVFrame *dst);
void pe_cpu_converter_free(cpu_converter *c);
/* Whether the CPU adapter can produce this pixel format at all. */
int pe_cpu_can_produce(enum AVPixelFormat format);

/* ---- the GPU adapter ----
 * platform/cuda/cuda.c: CUDA kernels (embedded fatbin) driven through the CUDA Driver API, which is
 * loaded at run time (dlopen of libcuda.so.1): one binary runs on machines without driver or GPU.
 * platform/cuda/none.c: the same interface in a build without CUDA (POLYENC_CUDA=OFF, or no nvcc).
 * Plain C and FFmpeg types only: the core never sees a CUDA header.
 *
 * Device memory is passed as source_frame.data (the device address). Errors are negative AVERROR
 * codes with the reason in the converter (pe_gpu_converter_error) or in the caller's buffer. */
typedef struct gpu_converter gpu_converter;

/* Number of CUDA devices; 0 without CUDA in this build, without driver or without GPU. */
int pe_gpu_device_count(void);
/* NULL when device `index` can be used; otherwise why not, written to buf ("no CUDA driver
 * (libcuda.so.1 not found)", "no CUDA device", "device index 2 out of range: 1 CUDA device", ...). */
const char *pe_gpu_device_problem(int index, char *buf, size_t size);
/* "NVIDIA H100 80GB HBM3" ("" when unknown). */
void pe_gpu_device_name(int index, char *buf, size_t size);
/* The pixel formats the kernels write: NV12, YUV420P, YUV444P. */
int pe_gpu_can_produce(enum AVPixelFormat format);
/* Whether the source layout can be read by the kernels (RGB planar, RGB24, RGBA, BGRA). */
int pe_gpu_can_read(polyenc_layout layout);

/* FFmpeg's CUDA device (an AVHWDeviceContext of type CUDA, for NVENC and its frames) on device `index`'s
 * primary context, the one the caller's CUDA runtime uses, whatever flags it was made with. On failure:
 * < 0, the reason in err. */
int pe_gpu_hw_device_new(int index, AVBufferRef **out, char *err, size_t size);
/* A converter on device `index`. hw_device NULL: on the device's primary context (the one the CUDA
 * runtime, PyTorch, CuPy and JAX use), for the host path; otherwise an AVHWDeviceContext of type CUDA
 * whose context it uses (the NVENC path). On failure: < 0, the reason in err. */
int pe_gpu_converter_new(int index, const conversion *conv, AVBufferRef *hw_device, gpu_converter **out, char *err,
                         size_t size);
const char *pe_gpu_converter_error(const gpu_converter *c); /* the reason of the last failure */
/* Before reading n frames (frame_stride bytes apart, the first at first->data): checks that they are
 * CUDA memory of the converter's device, then waits for all work queued in its context
 * (cuCtxSynchronize), so the frames may still be being written by the caller when polyenc is called. */
int pe_gpu_begin(gpu_converter *c, const source_frame *first, int n, int64_t frame_stride);
/* Host path, asynchronous: converts src on the GPU and queues the copy of the YUV planes into a new
 * pinned host buffer that becomes dst's (dst: format, width and height set; its old buffers are
 * released). `slot` (0 or 1) names the operation for pe_gpu_wait; a slot is reused once waited for. */
int pe_gpu_convert_to_host(gpu_converter *c, const source_frame *src, AVFrame *dst, int slot);
int pe_gpu_wait(gpu_converter *c, int slot);
/* NVENC path: converts src into dst, an AV_PIX_FMT_CUDA frame of the converter's hw_device; returns
 * when the frame is written. */
int pe_gpu_convert_to_hw_frame(gpu_converter *c, const source_frame *src, AVFrame *dst);
void pe_gpu_converter_free(gpu_converter *c);

#endif
