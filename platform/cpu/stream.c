/* The host converter (pe_host_converter, platform.h): a video stream whose frames are in host memory,
 * converted by the CPU adapter (platform/cpu/convert.c natively, platform/wasm/convert.c in the
 * WebAssembly build) into one AVFrame, reused while the encoder does not hold it.
 * The high-depth layouts (RGB48, RGBA64, RGB_PLANAR16, RGB_PLANAR_F32) go to platform/cpu/wide.c when it
 * produces the stream's pixel format (at full precision, alpha included), else the 16-bit ones to the
 * CPU adapter's swscale path; float frames are checked for NaN before any frame of the call is encoded. */
#include <string.h>

#include <libavutil/pixdesc.h>

#include "internal.h"
#include "platform.h"
#include "cpu/generic.h"
#include "cpu/wide.h"

typedef struct host_stream {
  cpu_converter *cpu;
  AVFrame *frame;
  conversion conv;
} host_stream;

static const char *device_problem(int device, char *buf, size_t size) {
  (void)device, (void)buf, (void)size;
  return NULL; /* the host is always there */
}

static polyenc_status choose_encoder(polyenc_encoder *enc, int device, const char *name, const AVCodec **codec) {
  (void)enc, (void)device, (void)name, (void)codec;
  return POLYENC_OK; /* the one chosen for any stream */
}

static polyenc_status check_pixel_format(polyenc_encoder *enc, const AVCodec *codec, const char *name,
                                         enum AVPixelFormat *pix_fmt) {
  (void)name;
  if (!pe_cpu_can_produce(*pix_fmt))
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED, "pixel_format %s of codec %s cannot be produced from RGB here",
                        av_get_pix_fmt_name(*pix_fmt), codec->name);
  return POLYENC_OK;
}

/* A fresh, zeroed buffer: the converters write only the visible pixels, and encoders read the row
 * padding too (x264's SIMD copies do), so leftover heap bytes there would change the output. */
static int new_frame_buffer(AVFrame *frame) {
  av_buffer_unref(&frame->buf[0]);
  av_buffer_unref(&frame->buf[1]);
  av_buffer_unref(&frame->buf[2]);
  av_buffer_unref(&frame->buf[3]);
  memset(frame->data, 0, sizeof frame->data);
  memset(frame->linesize, 0, sizeof frame->linesize);
  int ret = av_frame_get_buffer(frame, 0);
  for (int i = 0; ret >= 0 && i < AV_NUM_DATA_POINTERS && frame->buf[i]; i++) memset(frame->buf[i]->data, 0, frame->buf[i]->size);
  return ret;
}

static void host_free(void *state) {
  host_stream *h = state;
  if (!h) return;
  av_frame_free(&h->frame);
  pe_cpu_converter_free(h->cpu);
  av_free(h);
}

static polyenc_status host_open(polyenc_stream *s, int device, const conversion *conv, void **state) {
  (void)device;
  host_stream *h = av_mallocz(sizeof *h);
  int ret = h && (h->frame = av_frame_alloc()) ? pe_cpu_converter_new(conv, &h->cpu) : AVERROR(ENOMEM);
  if (ret >= 0) {
    h->conv = *conv;
    h->frame->format = conv->format;
    h->frame->width = conv->width;
    h->frame->height = conv->height;
    ret = new_frame_buffer(h->frame);
  }
  if (ret < 0) {
    host_free(h);
    return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening stream %d", s->index);
  }
  *state = h;
  return POLYENC_OK;
}

static const char *const wide_formats = "yuv420p, yuv444p, yuv420p10le, yuv444p10le, yuv420p12le, yuv444p12le, "
                                        "p010le, yuva420p, yuva444p10le";

static const char *layout_name(polyenc_layout layout) {
  switch (layout) {
  case POLYENC_RGB48: return "RGB48";
  case POLYENC_RGBA64: return "RGBA64";
  case POLYENC_RGB_PLANAR16: return "RGB_PLANAR16";
  case POLYENC_RGB_PLANAR_F32: return "RGB_PLANAR_F32";
  default: return "?";
  }
}

/* The first NaN of n float frames, before anything is encoded: POLYENC_ERR_ARGUMENT naming it. */
static polyenc_status find_nan(polyenc_stream *s, const source_frame *first, int n, int64_t frame_stride) {
  const int64_t *st = first->strides;
  for (int i = 0; i < n; i++) {
    const uint8_t *frame = first->data + i * frame_stride;
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < first->height; y++) {
        const uint8_t *row = frame + c * st[0] + y * st[1];
        int nan = 0;
        for (int x = 0; x < first->width; x++) {
          float v;
          memcpy(&v, row + x * st[2], sizeof v);
          nan |= v != v;
        }
        if (!nan) continue;
        for (int x = 0; x < first->width; x++) {
          float v;
          memcpy(&v, row + x * st[2], sizeof v);
          if (v != v)
            return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                                "RGB_PLANAR_F32 frame %d of the call: NaN in channel %c at pixel (x %d, y %d) "
                                "(stream %d; nothing of the call was encoded)",
                                i, "RGB"[c], x, y, s->index);
        }
      }
  }
  return POLYENC_OK;
}

static polyenc_status host_convert(void *state, polyenc_stream *s, const source_frame *first, int n,
                                   int64_t frame_stride, const pe_frame_sink *sink) {
  host_stream *h = state;
  polyenc_encoder *enc = s->enc;
  source_frame src = *first;
  int wide = pe_wide_is_layout(first->layout) && pe_wide_can_produce(h->conv.format);
  if (first->layout == POLYENC_RGB_PLANAR_F32) {
    if (!wide)
      return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                          "layout RGB_PLANAR_F32 cannot be converted into pixel_format %s (stream %d): float frames "
                          "go into %s; use a 16-bit layout (RGB48, RGBA64, RGB_PLANAR16) for other pixel formats",
                          av_get_pix_fmt_name(h->conv.format), s->index, wide_formats);
    polyenc_status st = find_nan(s, first, n, frame_stride);
    if (st) return st;
  }
  for (int i = 0; i < n; i++) {
    src.data = first->data + i * frame_stride;
    int ret = av_frame_is_writable(h->frame) ? 0 : new_frame_buffer(h->frame); /* the encoder may hold the last one */
    char reason[600] = "";
    if (ret >= 0 && wide)
      ret = pe_wide_convert(&src, h->frame, h->conv.color_space, h->conv.full_range, reason, sizeof reason);
    else if (ret >= 0)
      ret = pe_cpu_convert(h->cpu, &src, h->frame);
    if (ret < 0) {
      if (wide && reason[0])
        return pe_encoder_fail(enc, pe_set_error(enc, pe_codec_status(ret),
                                                 "converting %s frame %d of stream %d failed: %s",
                                                 layout_name(first->layout), i, s->index, reason));
      return pe_encoder_fail(enc, pe_set_error(enc, pe_codec_status(ret),
                                               "converting frame %d of stream %d failed: %s", i, s->index,
                                               pe_error_text(ret, reason, sizeof reason)));
    }
    polyenc_status st = sink->send(sink->opaque, h->frame, i);
    if (st) return st;
  }
  return POLYENC_OK;
}

const pe_converter_ops pe_host_converter = {
    .tag = "",
    .device_problem = device_problem,
    .choose_encoder = choose_encoder,
    .check_pixel_format = check_pixel_format,
    .open = host_open,
    .convert = host_convert,
    .free = host_free,
};
