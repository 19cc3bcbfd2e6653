/* The GPU adapter of a build without CUDA (POLYENC_CUDA=OFF, or AUTO without nvcc): no device, and
 * every question answered with the reason. */
#include <stdio.h>

#include "platform.h"

static const char no_cuda[] = "this build of polyenc has no CUDA support (built with POLYENC_CUDA=OFF or without nvcc)";

int pe_gpu_device_count(void) { return 0; }

const char *pe_gpu_device_problem(int index, char *buf, size_t size) {
  (void)index;
  snprintf(buf, size, "%s", no_cuda);
  return buf;
}

void pe_gpu_device_name(int index, char *buf, size_t size) {
  (void)index;
  if (size) buf[0] = '\0';
}

int pe_gpu_can_produce(enum AVPixelFormat format) {
  (void)format;
  return 0;
}

int pe_gpu_can_read(polyenc_layout layout) {
  (void)layout;
  return 0;
}

int pe_gpu_converter_new(int index, const conversion *conv, AVBufferRef *hw_device, gpu_converter **out, char *err,
                         size_t size) {
  (void)index, (void)conv, (void)hw_device;
  *out = NULL;
  snprintf(err, size, "%s", no_cuda);
  return AVERROR(ENOSYS);
}

const char *pe_gpu_converter_error(const gpu_converter *c) {
  (void)c;
  return no_cuda;
}

int pe_gpu_begin(gpu_converter *c, const source_frame *first, int n, int64_t frame_stride) {
  (void)c, (void)first, (void)n, (void)frame_stride;
  return AVERROR(ENOSYS);
}

int pe_gpu_convert_to_host(gpu_converter *c, const source_frame *src, AVFrame *dst, int slot) {
  (void)c, (void)src, (void)dst, (void)slot;
  return AVERROR(ENOSYS);
}

int pe_gpu_wait(gpu_converter *c, int slot) {
  (void)c, (void)slot;
  return AVERROR(ENOSYS);
}

int pe_gpu_convert_to_hw_frame(gpu_converter *c, const source_frame *src, AVFrame *dst) {
  (void)c, (void)src, (void)dst;
  return AVERROR(ENOSYS);
}

int pe_gpu_hw_device_new(int index, AVBufferRef **out, char *err, size_t size) {
  (void)index;
  *out = NULL;
  snprintf(err, size, "%s", no_cuda);
  return AVERROR(ENOSYS);
}

void pe_gpu_converter_free(gpu_converter *c) { (void)c; }
