/* Host colour conversion. libyuv where it has the exact conversion (BT.601, 4:2:0 / NV12 / 4:4:4 from
 * packed RGB: several times faster than swscale), swscale for every other matrix, range and format.
 * Inputs whose strides neither library takes are first gathered into a contiguous frame. */
#include <libavutil/mem.h>
#include <libyuv.h>

#include "generic.h"

struct cpu_converter {
  conversion conv;
  generic_path generic;
  uint8_t *merged; /* planar RGB merged into RAW for libyuv */
  size_t merged_size;
};

static int fits_int(int64_t v) { return v >= -0x7fffffff && v <= 0x7fffffff; }

int pe_cpu_converter_new(const conversion *conv, cpu_converter **out) {
  cpu_converter *c = av_mallocz(sizeof *c);
  if (!c) return AVERROR(ENOMEM);
  c->conv = *conv;
  *out = c;
  return 0;
}

void pe_cpu_converter_free(cpu_converter *c) {
  if (!c) return;
  pe_generic_path_free(&c->generic);
  av_free(c->merged);
  av_free(c);
}

/* Whether libyuv (or a plain plane copy) can read the caller's memory as it is. */
static int usable_as_is(const source_frame *src) {
  const int64_t *st = src->strides;
  if (pe_layout_sample_size(src->layout) != 1) return 0; /* 16-bit: gathered, then swscale */
  if (pe_layout_is_packed(src->layout))
    return st[2] == 1 && st[1] == pe_layout_bytes_per_pixel(src->layout) && fits_int(st[0]);
  if (src->layout == POLYENC_RGB_PLANAR) return st[2] == 1 && fits_int(st[0]) && fits_int(st[1]);
  /* YUV420P: rows of bytes by definition; av_image_copy_plane asserts a row stride at least as wide as a row */
  int w = src->width, cw = (w + 1) / 2;
  return fits_int(st[0]) && fits_int(st[1]) && (st[0] >= w || st[0] <= -w) && (st[1] >= cw || st[1] <= -cw);
}

static int is_bt601(enum AVColorSpace cs) { return cs == AVCOL_SPC_SMPTE170M || cs == AVCOL_SPC_BT470BG; }

/* libyuv's exact conversions; returns 1 when it did the work, 0 when swscale must. */
static int try_libyuv(cpu_converter *c, const source_frame *src, AVFrame *dst) {
  const conversion *cv = &c->conv;
  if (!is_bt601(cv->color_space) || pe_layout_sample_size(src->layout) != 1) return 0;
  const uint8_t *rgb = src->data;
  int stride = (int)src->strides[0], w = src->width, h = src->height;
  polyenc_layout layout = src->layout;
  uint8_t **d = dst->data;
  int *ls = dst->linesize;
  if (cv->format == AV_PIX_FMT_YUV420P && layout == POLYENC_RGB_PLANAR) {
    /* planar -> packed RAW in a scratch frame, then RAW -> I420: still well ahead of swscale */
    uint8_t *raw = pe_grow_buffer(&c->merged, &c->merged_size, (size_t)w * h * 3);
    if (!raw) return 0;
    MergeRGBPlane(rgb, (int)src->strides[1], rgb + src->strides[0], (int)src->strides[1], rgb + 2 * src->strides[0],
                  (int)src->strides[1], raw, w * 3, w, h);
    rgb = raw;
    stride = w * 3;
    layout = POLYENC_RGB24;
  }
  if (cv->format == AV_PIX_FMT_YUV420P) {
    int full = cv->full_range;
    switch (layout) {
    case POLYENC_RGB24:
      return !(full ? RAWToJ420 : RAWToI420)(rgb, stride, d[0], ls[0], d[1], ls[1], d[2], ls[2], w, h);
    case POLYENC_RGBA:
      return !(full ? ABGRToJ420 : ABGRToI420)(rgb, stride, d[0], ls[0], d[1], ls[1], d[2], ls[2], w, h);
    case POLYENC_BGRA:
      return !(full ? ARGBToJ420 : ARGBToI420)(rgb, stride, d[0], ls[0], d[1], ls[1], d[2], ls[2], w, h);
    default: return 0;
    }
  }
  if (cv->full_range) return 0;
  if (cv->format == AV_PIX_FMT_NV12 && layout == POLYENC_RGBA)
    return !ABGRToNV12(rgb, stride, d[0], ls[0], d[1], ls[1], w, h);
  if (cv->format == AV_PIX_FMT_NV12 && layout == POLYENC_BGRA)
    return !ARGBToNV12(rgb, stride, d[0], ls[0], d[1], ls[1], w, h);
  if (cv->format == AV_PIX_FMT_YUV444P && layout == POLYENC_BGRA)
    return !ARGBToI444(rgb, stride, d[0], ls[0], d[1], ls[1], d[2], ls[2], w, h);
  return 0;
}

int pe_cpu_convert(cpu_converter *c, const source_frame *src, AVFrame *dst) {
  int direct = usable_as_is(src);
  int yuv_copy = src->layout == POLYENC_YUV420P && c->conv.format == AV_PIX_FMT_YUV420P;
  if (direct && yuv_copy) return pe_copy_yuv420p(src, dst);
  if (direct && try_libyuv(c, src, dst)) return 0;
  source_frame dense;
  int ret = pe_generic_gather(&c->generic, src, &dense);
  if (ret < 0) return ret;
  if (yuv_copy) return pe_copy_yuv420p(&dense, dst);
  if (!direct && try_libyuv(c, &dense, dst)) return 0;
  return pe_generic_swscale(&c->generic, &c->conv, &dense, dst);
}
