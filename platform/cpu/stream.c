/* The host converter (pe_host_converter, platform.h): a video stream whose frames are in host memory,
 * converted by the CPU adapter (platform/cpu/convert.c natively, platform/wasm/convert.c in the
 * WebAssembly build) into two AVFrames in turn: the encoder takes one on its worker thread (src/worker.c)
 * while the next is converted into the other; a frame the encoder still holds gets a fresh buffer.
 * The high-depth layouts (RGB48, RGBA64, RGB_PLANAR16, RGB_PLANAR_F32) go to platform/cpu/wide.c when it
 * produces the stream's pixel format (at full precision, alpha included), else the 16-bit ones to the
 * CPU adapter's swscale path; float frames are checked for NaN before any frame of the call is encoded (the
 * first by its own conversion, which finds a NaN before the frame is sent; the others by one read before). */
#include <string.h>

#include <libavutil/pixdesc.h>

#include "internal.h"
#include "platform.h"
#include "cpu/generic.h"
#include "cpu/wide.h"

typedef struct host_stream {
  cpu_converter *cpu;
  AVFrame *frames[2];
  int next; /* the frame the next conversion writes */
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
  av_frame_free(&h->frames[0]);
  av_frame_free(&h->frames[1]);
  pe_cpu_converter_free(h->cpu);
  av_free(h);
}

static polyenc_status host_open(polyenc_stream *s, int device, const conversion *conv, void **state) {
  (void)device;
  host_stream *h = av_mallocz(sizeof *h);
  int ret = h && (h->frames[0] = av_frame_alloc()) && (h->frames[1] = av_frame_alloc())
                ? pe_cpu_converter_new(conv, &h->cpu)
                : AVERROR(ENOMEM);
  if (ret >= 0) h->conv = *conv;
  for (int i = 0; i < 2 && ret >= 0; i++) {
    h->frames[i]->format = conv->format;
    h->frames[i]->width = conv->width;
    h->frames[i]->height = conv->height;
    ret = new_frame_buffer(h->frames[i]);
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
  case POLYENC_RGB_PLANAR: return "RGB_PLANAR";
  case POLYENC_RGB24: return "RGB24";
  case POLYENC_RGBA: return "RGBA";
  case POLYENC_BGRA: return "BGRA";
  case POLYENC_YUV420P: return "YUV420P";
  case POLYENC_RGB48: return "RGB48";
  case POLYENC_RGBA64: return "RGBA64";
  case POLYENC_RGB_PLANAR16: return "RGB_PLANAR16";
  case POLYENC_RGB_PLANAR_F32: return "RGB_PLANAR_F32";
  default: return "?";
  }
}

/* The error of a NaN at `where` ("NaN in channel G at pixel (12, 7)") in float frame i of the call. */
static polyenc_status nan_error(polyenc_stream *s, int i, const char *where) {
  return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                      "RGB_PLANAR_F32 frame %d of the call: %s (stream %d; nothing of the call was encoded)", i,
                      where, s->index);
}

/* The first NaN of float frames [from, n), before anything is encoded. */
static polyenc_status find_nan(polyenc_stream *s, const source_frame *first, int from, int n, int64_t frame_stride) {
  for (int i = from; i < n; i++) {
    source_frame frame = *first;
    frame.data = first->data + i * frame_stride;
    char where[80];
    if (pe_wide_first_nan(&frame, 0, where, sizeof where) < 0) return nan_error(s, i, where);
  }
  return POLYENC_OK;
}

int pe_host_convert_frame(cpu_converter *cpu, const conversion *conv, const source_frame *src, AVFrame *dst,
                          char *reason, size_t size) {
  reason[0] = '\0';
  if (pe_wide_is_layout(src->layout) && pe_wide_can_produce(conv->format))
    return pe_wide_convert(src, dst, conv->color_space, conv->full_range, reason, size);
  if (src->layout == POLYENC_RGB_PLANAR_F32) {
    snprintf(reason, size, "layout RGB_PLANAR_F32 cannot be converted into pixel_format %s: float frames go into %s",
             av_get_pix_fmt_name(conv->format), wide_formats);
    return AVERROR(ENOSYS);
  }
  int ret = pe_cpu_convert(cpu, src, dst);
  if (ret < 0) pe_error_text(ret, reason, size);
  return ret;
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
    /* frame 0's NaN is found by its conversion, before it is sent: the others are read once more first */
    polyenc_status st = find_nan(s, first, 1, n, frame_stride);
    if (st) return st;
  }
  for (int i = 0; i < n; i++) {
    src.data = first->data + i * frame_stride;
    AVFrame *frame = h->frames[h->next];
    int ret = av_frame_is_writable(frame) ? 0 : new_frame_buffer(frame); /* the encoder may hold it still */
    char reason[600] = "";
    if (ret >= 0) ret = pe_host_convert_frame(h->cpu, &h->conv, &src, frame, reason, sizeof reason);
    else pe_error_text(ret, reason, sizeof reason);
    if (ret == AVERROR_INVALIDDATA && wide) return nan_error(s, i, reason);
    if (ret < 0)
      return pe_encoder_fail(enc, pe_set_error(enc, pe_codec_status(ret), "converting %s frame %d of stream %d failed: %s",
                                               layout_name(first->layout), i, s->index, reason));
    polyenc_status st = sink->send(sink->opaque, frame, i);
    if (st) return st;
    h->next ^= 1;
  }
  return POLYENC_OK;
}

const pe_converter_ops pe_host_converter = {
    .tag = "",
    .async = 1,
    .device_problem = device_problem,
    .choose_encoder = choose_encoder,
    .check_pixel_format = check_pixel_format,
    .open = host_open,
    .convert = host_convert,
    .free = host_free,
};
