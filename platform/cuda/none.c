/* The CUDA adapter of a build without CUDA (POLYENC_CUDA=OFF, AUTO without nvcc, WebAssembly): the same
 * converter (pe_cuda_converter) and public queries as stream.c, every device refused with the reason. */
#include <stdio.h>

#include "internal.h"
#include "platform.h"

static const char no_cuda[] = "this build of polyenc has no CUDA support (built with POLYENC_CUDA=OFF or without nvcc)";

static const char *device_problem(int device, char *buf, size_t size) {
  (void)device;
  snprintf(buf, size, "%s", no_cuda);
  return buf;
}

/* (never called: src/device.c asks device_problem first) */
static polyenc_status unsupported(polyenc_encoder *enc) {
  return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED, "%s", no_cuda);
}

static polyenc_status choose_encoder(polyenc_encoder *enc, int device, const char *name, const AVCodec **codec) {
  (void)device, (void)name, (void)codec;
  return unsupported(enc);
}

static polyenc_status check_pixel_format(polyenc_encoder *enc, const AVCodec *codec, const char *name,
                                         enum AVPixelFormat *pix_fmt) {
  (void)codec, (void)name, (void)pix_fmt;
  return unsupported(enc);
}

static polyenc_status open_stream(polyenc_stream *s, int device, const conversion *conv, void **state) {
  (void)device, (void)conv;
  *state = NULL;
  return unsupported(s->enc);
}

static polyenc_status convert(void *state, polyenc_stream *s, const source_frame *first, int n, int64_t frame_stride,
                              const pe_frame_sink *sink) {
  (void)state, (void)first, (void)n, (void)frame_stride, (void)sink;
  return unsupported(s->enc);
}

static void free_stream(void *state) { (void)state; }

const pe_converter_ops pe_cuda_converter = {
    .tag = " (cuda)",
    .device_problem = device_problem,
    .choose_encoder = choose_encoder,
    .check_pixel_format = check_pixel_format,
    .open = open_stream,
    .convert = convert,
    .free = free_stream,
};

int polyenc_cuda_device_count(void) { return 0; }

int polyenc_cuda_device_name(int index, char *buf, size_t size) {
  (void)index;
  if (buf && size) buf[0] = '\0';
  return -1;
}

int polyenc_cuda_has_nvenc(int index, const char *codec_name) {
  (void)index, (void)codec_name;
  return 0;
}
