/* The GPU's own interface, under the CUDA adapter's converter (stream.c):
 * platform/cuda/cuda.c runs the CUDA kernels (embedded fatbin) through the CUDA Driver API, which is
 * loaded at run time (dlopen of libcuda.so.1): one binary runs on machines without driver or GPU. Built
 * only with CUDA (a build without it has platform/cuda/none.c, which refuses every device instead).
 * Plain C and FFmpeg types only: no CUDA header here either.
 *
 * Device memory is passed as source_frame.data (the device address). Errors are negative AVERROR
 * codes with the reason in the converter (pe_gpu_converter_error) or in the caller's buffer. */
#ifndef POLYENC_CUDA_GPU_H
#define POLYENC_CUDA_GPU_H

#include "platform.h"

typedef struct gpu_converter gpu_converter;

/* Number of CUDA devices; 0 without driver or without GPU. */
int pe_gpu_device_count(void);
/* NULL when device `index` can be used; otherwise why not, written to buf ("no CUDA driver
 * (libcuda.so.1 not found)", "no CUDA device", "device index 2 out of range: 1 CUDA device", ...). */
const char *pe_gpu_device_problem(int index, char *buf, size_t size);
/* "NVIDIA H100 80GB HBM3" ("" when unknown). */
void pe_gpu_device_name(int index, char *buf, size_t size);
/* The pixel formats the kernels write: NV12, YUV420P, YUV444P (8 bits); P010LE, YUV420P10LE, YUV444P10LE,
 * YUV444P16LE (10 bits; P010 and YUV444P16 with the code in the high bits, as NVENC takes them). */
int pe_gpu_can_produce(enum AVPixelFormat format);
/* Whether the source layout can be read by the kernels: every one but YUV420P (RGB planar, RGB24, RGBA,
 * BGRA; RGB48, RGBA64, RGB_PLANAR16, RGB_PLANAR_F32, alpha ignored). */
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
 * (cuCtxSynchronize), so the frames may still be being written by the caller when polyenc is called.
 * RGB_PLANAR_F32 frames are then searched for NaN on the GPU: the first (frame, row, column, channel) is
 * AVERROR(EINVAL) with "RGB_PLANAR_F32 frame 1 of the call: NaN in channel G at pixel (12, 7) ...". */
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
