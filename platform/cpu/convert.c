/* Host colour conversion. libyuv where it has the exact conversion (BT.601, 4:2:0 / NV12 / 4:4:4 from
 * packed RGB: several times faster than swscale), swscale for every other matrix, range and format.
 * Inputs whose strides neither library takes are first gathered into a contiguous frame. */
#include <string.h>

#include <libavutil/imgutils.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <libyuv.h>

#include "platform.h"

enum { NUM_LAYOUTS = POLYENC_YUV420P + 1 };

struct cpu_converter {
  conversion conv;
  struct SwsContext *sws[NUM_LAYOUTS]; /* made on first use of each source layout */
  uint8_t *scratch[2];                 /* [0]: a contiguous copy of the source; [1]: planar RGB merged */
  size_t scratch_size[2];
};

static int bytes_per_pixel(polyenc_layout layout) {
  return layout == POLYENC_RGB24 ? 3 : layout == POLYENC_RGBA || layout == POLYENC_BGRA ? 4 : 1;
}

static int is_packed(polyenc_layout layout) { return layout != POLYENC_RGB_PLANAR && layout != POLYENC_YUV420P; }

static int fits_int(int64_t v) { return v >= -0x7fffffff && v <= 0x7fffffff; }

int cpu_can_produce(enum AVPixelFormat format) { return sws_isSupportedOutput(format) > 0; }

int cpu_converter_new(const conversion *conv, cpu_converter **out) {
  cpu_converter *c = av_mallocz(sizeof *c);
  if (!c) return AVERROR(ENOMEM);
  c->conv = *conv;
  *out = c;
  return 0;
}

void cpu_converter_free(cpu_converter *c) {
  if (!c) return;
  for (int i = 0; i < NUM_LAYOUTS; i++) sws_freeContext(c->sws[i]);
  av_free(c->scratch[0]);
  av_free(c->scratch[1]);
  av_free(c);
}

static uint8_t *scratch(cpu_converter *c, int which, size_t size) {
  if (size > c->scratch_size[which]) {
    av_freep(&c->scratch[which]);
    c->scratch_size[which] = 0;
    if (!(c->scratch[which] = av_malloc(size))) return NULL;
    c->scratch_size[which] = size;
  }
  return c->scratch[which];
}

enum { PADDING = 64 }; /* swscale's SIMD reads whole words past the end of a row */

static void copy_rows(uint8_t *dst, const uint8_t *src, int64_t src_stride, size_t row_bytes, int rows) {
  for (int y = 0; y < rows; y++) memcpy(dst + y * row_bytes, src + y * src_stride, row_bytes);
}

/* Copies a frame into a contiguous, padded one of the same layout: what swscale gets, and what
 * libyuv gets when the caller's strides are not rows of packed pixels. */
static int gather(cpu_converter *c, const source_frame *src, source_frame *dense) {
  int w = src->width, h = src->height, bpp = bytes_per_pixel(src->layout);
  const int64_t *st = src->strides;
  size_t plane = (size_t)w * h, cw = (size_t)(w + 1) / 2, ch = (size_t)(h + 1) / 2;
  size_t size = src->layout == POLYENC_YUV420P ? plane + 2 * cw * ch : plane * (is_packed(src->layout) ? bpp : 3);
  uint8_t *dst = scratch(c, 0, size + PADDING);
  if (!dst) return AVERROR(ENOMEM);
  memset(dst + size, 0, PADDING);
  if (src->layout == POLYENC_YUV420P) {
    const uint8_t *u = src->data + st[0] * h, *v = u + st[1] * (int64_t)ch;
    copy_rows(dst, src->data, st[0], (size_t)w, h);
    copy_rows(dst + plane, u, st[1], cw, (int)ch);
    copy_rows(dst + plane + cw * ch, v, st[1], cw, (int)ch);
    *dense = (source_frame){src->layout, dst, {w, (int64_t)cw, 0}, w, h};
  } else if (is_packed(src->layout)) {
    if (st[1] == bpp && st[2] == 1)
      copy_rows(dst, src->data, st[0], (size_t)w * bpp, h);
    else
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          for (int k = 0; k < bpp; k++) dst[((size_t)y * w + x) * bpp + k] = src->data[y * st[0] + x * st[1] + k * st[2]];
    *dense = (source_frame){src->layout, dst, {(int64_t)w * bpp, bpp, 1}, w, h};
  } else {
    for (int k = 0; k < 3; k++) {
      if (st[2] == 1) {
        copy_rows(dst + k * plane, src->data + k * st[0], st[1], (size_t)w, h);
        continue;
      }
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) dst[k * plane + (size_t)y * w + x] = src->data[k * st[0] + y * st[1] + x * st[2]];
    }
    *dense = (source_frame){src->layout, dst, {(int64_t)plane, w, 1}, w, h};
  }
  return 0;
}

/* Whether libyuv (or a plain plane copy) can read the caller's memory as it is. */
static int usable_as_is(const source_frame *src) {
  const int64_t *st = src->strides;
  if (is_packed(src->layout)) return st[2] == 1 && st[1] == bytes_per_pixel(src->layout) && fits_int(st[0]);
  if (src->layout == POLYENC_RGB_PLANAR) return st[2] == 1 && fits_int(st[0]) && fits_int(st[1]);
  return fits_int(st[0]) && fits_int(st[1]); /* YUV420P: rows of bytes by definition */
}

static int is_bt601(enum AVColorSpace cs) { return cs == AVCOL_SPC_SMPTE170M || cs == AVCOL_SPC_BT470BG; }

/* libyuv's exact conversions; returns 1 when it did the work, 0 when swscale must. */
static int try_libyuv(cpu_converter *c, const source_frame *src, AVFrame *dst) {
  const conversion *cv = &c->conv;
  if (!is_bt601(cv->color_space)) return 0;
  const uint8_t *rgb = src->data;
  int stride = (int)src->strides[0], w = src->width, h = src->height;
  polyenc_layout layout = src->layout;
  uint8_t **d = dst->data;
  int *ls = dst->linesize;
  if (cv->format == AV_PIX_FMT_YUV420P && layout == POLYENC_RGB_PLANAR) {
    /* planar -> packed RAW in a scratch frame, then RAW -> I420: still well ahead of swscale */
    uint8_t *raw = scratch(c, 1, (size_t)w * h * 3);
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

static enum AVPixelFormat source_format(polyenc_layout layout) {
  switch (layout) {
  case POLYENC_RGB_PLANAR: return AV_PIX_FMT_GBRP;
  case POLYENC_RGB24: return AV_PIX_FMT_RGB24;
  case POLYENC_RGBA: return AV_PIX_FMT_RGB0; /* alpha ignored */
  case POLYENC_BGRA: return AV_PIX_FMT_BGR0;
  case POLYENC_YUV420P: return AV_PIX_FMT_YUV420P;
  }
  return AV_PIX_FMT_NONE;
}

static int sws_coefficients(enum AVColorSpace cs) {
  return cs == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : cs == AVCOL_SPC_BT2020_NCL ? SWS_CS_BT2020 : SWS_CS_ITU601;
}

static struct SwsContext *sws_for(cpu_converter *c, polyenc_layout layout) {
  if (c->sws[layout]) return c->sws[layout];
  const conversion *cv = &c->conv;
  /* SWS_AREA: 4:2:0 chroma is the average of each 2x2 block, as in libyuv and the CUDA kernels */
  struct SwsContext *sws =
      sws_getContext(cv->width, cv->height, source_format(layout), cv->width, cv->height, cv->format,
                     SWS_AREA | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, NULL, NULL, NULL);
  if (!sws) return NULL;
  const int *table = sws_getCoefficients(sws_coefficients(cv->color_space));
  /* RGB sources are full range; YUV sources are taken to be in the stream's own range already. */
  int src_range = layout == POLYENC_YUV420P ? cv->full_range : 1;
  sws_setColorspaceDetails(sws, table, src_range, table, cv->full_range, 0, 1 << 16, 1 << 16);
  c->sws[layout] = sws;
  return sws;
}

static int convert_with_swscale(cpu_converter *c, const source_frame *src, AVFrame *dst) {
  struct SwsContext *sws = sws_for(c, src->layout);
  if (!sws) return AVERROR(EINVAL);
  const uint8_t *planes[4] = {0};
  int strides[4] = {0};
  const uint8_t *p = src->data;
  const int64_t *st = src->strides;
  switch (src->layout) {
  case POLYENC_RGB_PLANAR: /* GBRP: G, B, R */
    planes[0] = p + st[0];
    planes[1] = p + 2 * st[0];
    planes[2] = p;
    strides[0] = strides[1] = strides[2] = (int)st[1];
    break;
  case POLYENC_YUV420P:
    planes[0] = p;
    planes[1] = p + st[0] * src->height;
    planes[2] = planes[1] + st[1] * ((src->height + 1) / 2);
    strides[0] = (int)st[0];
    strides[1] = strides[2] = (int)st[1];
    break;
  default:
    planes[0] = p;
    strides[0] = (int)st[0];
  }
  int ret = sws_scale(sws, planes, strides, 0, src->height, dst->data, dst->linesize);
  return ret < 0 ? ret : 0;
}

static int copy_yuv420p(const source_frame *src, AVFrame *dst) {
  int w = src->width, h = src->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
  const uint8_t *u = src->data + src->strides[0] * h, *v = u + src->strides[1] * ch;
  av_image_copy_plane(dst->data[0], dst->linesize[0], src->data, (int)src->strides[0], w, h);
  av_image_copy_plane(dst->data[1], dst->linesize[1], u, (int)src->strides[1], cw, ch);
  av_image_copy_plane(dst->data[2], dst->linesize[2], v, (int)src->strides[1], cw, ch);
  return 0;
}

int cpu_convert(cpu_converter *c, const source_frame *src, AVFrame *dst) {
  int direct = usable_as_is(src);
  int yuv_copy = src->layout == POLYENC_YUV420P && c->conv.format == AV_PIX_FMT_YUV420P;
  if (direct && yuv_copy) return copy_yuv420p(src, dst);
  if (direct && try_libyuv(c, src, dst)) return 0;
  source_frame dense;
  int ret = gather(c, src, &dense);
  if (ret < 0) return ret;
  if (yuv_copy) return copy_yuv420p(&dense, dst);
  if (!direct && try_libyuv(c, &dense, dst)) return 0;
  return convert_with_swscale(c, &dense, dst);
}
