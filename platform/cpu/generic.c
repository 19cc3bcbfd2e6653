/* The generic path of both CPU converters (generic.h): gather, then swscale. */
#include <string.h>

#include <libavutil/imgutils.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "generic.h"

enum { PADDING = 64 }; /* swscale's SIMD reads whole words past the end of a row */

int pe_cpu_can_produce(enum AVPixelFormat format) { return sws_isSupportedOutput(format) > 0; }

void pe_generic_path_free(generic_path *g) {
  for (int i = 0; i < NUM_LAYOUTS; i++) sws_freeContext(g->sws[i]);
  av_freep(&g->scratch);
}

int pe_layout_sample_size(polyenc_layout layout) {
  switch (layout) {
  case POLYENC_RGB48:
  case POLYENC_RGBA64:
  case POLYENC_RGB_PLANAR16: return 2;
  case POLYENC_RGB_PLANAR_F32: return 4;
  default: return 1;
  }
}

int pe_layout_bytes_per_pixel(polyenc_layout layout) {
  switch (layout) {
  case POLYENC_RGB24: return 3;
  case POLYENC_RGBA:
  case POLYENC_BGRA: return 4;
  case POLYENC_RGB48: return 6;
  case POLYENC_RGBA64: return 8;
  default: return pe_layout_sample_size(layout);
  }
}

int pe_layout_is_packed(polyenc_layout layout) {
  return layout == POLYENC_RGB24 || layout == POLYENC_RGBA || layout == POLYENC_BGRA || layout == POLYENC_RGB48 ||
         layout == POLYENC_RGBA64;
}

int pe_layout_is_planar_rgb(polyenc_layout layout) {
  return layout == POLYENC_RGB_PLANAR || layout == POLYENC_RGB_PLANAR16 || layout == POLYENC_RGB_PLANAR_F32;
}

uint8_t *pe_grow_buffer(uint8_t **buf, size_t *buf_size, size_t size) {
  if (size > *buf_size) {
    av_freep(buf);
    *buf_size = 0;
    if (!(*buf = av_malloc(size))) return NULL;
    *buf_size = size;
  }
  return *buf;
}

static void copy_rows(uint8_t *dst, const uint8_t *src, int64_t src_stride, size_t row_bytes, int rows) {
  for (int y = 0; y < rows; y++) memcpy(dst + y * row_bytes, src + y * src_stride, row_bytes);
}

int pe_generic_gather(generic_path *g, const source_frame *src, source_frame *dense) {
  int w = src->width, h = src->height, bpp = pe_layout_bytes_per_pixel(src->layout);
  int sample = pe_layout_sample_size(src->layout), channels = bpp / sample;
  const int64_t *st = src->strides;
  size_t plane = (size_t)w * h, cw = (size_t)(w + 1) / 2, ch = (size_t)(h + 1) / 2;
  size_t size = src->layout == POLYENC_YUV420P ? plane + 2 * cw * ch
                                               : plane * (pe_layout_is_packed(src->layout) ? bpp : 3 * sample);
  uint8_t *dst = pe_grow_buffer(&g->scratch, &g->scratch_size, size + PADDING);
  if (!dst) return AVERROR(ENOMEM);
  memset(dst + size, 0, PADDING);
  if (src->layout == POLYENC_YUV420P) {
    const uint8_t *u = src->data + st[0] * h, *v = u + st[1] * (int64_t)ch;
    copy_rows(dst, src->data, st[0], (size_t)w, h);
    copy_rows(dst + plane, u, st[1], cw, (int)ch);
    copy_rows(dst + plane + cw * ch, v, st[1], cw, (int)ch);
    *dense = (source_frame){src->layout, dst, {w, (int64_t)cw, 0}, w, h};
  } else if (pe_layout_is_packed(src->layout)) {
    if (st[1] == bpp && st[2] == sample)
      copy_rows(dst, src->data, st[0], (size_t)w * bpp, h);
    else
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          for (int k = 0; k < channels; k++)
            memcpy(dst + ((size_t)y * w + x) * bpp + (size_t)k * sample, src->data + y * st[0] + x * st[1] + k * st[2],
                   (size_t)sample);
    *dense = (source_frame){src->layout, dst, {(int64_t)w * bpp, bpp, sample}, w, h};
  } else {
    size_t plane_bytes = plane * sample, row_bytes = (size_t)w * sample;
    for (int k = 0; k < 3; k++) {
      uint8_t *d = dst + k * plane_bytes;
      if (st[2] == sample) {
        copy_rows(d, src->data + k * st[0], st[1], row_bytes, h);
        continue;
      }
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          memcpy(d + ((size_t)y * w + x) * sample, src->data + k * st[0] + y * st[1] + x * st[2], (size_t)sample);
    }
    *dense = (source_frame){src->layout, dst, {(int64_t)plane_bytes, (int64_t)row_bytes, sample}, w, h};
  }
  return 0;
}

static int has_alpha(enum AVPixelFormat format) {
  const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(format);
  return d && (d->flags & AV_PIX_FMT_FLAG_ALPHA);
}

/* The source as swscale sees it; alpha kept only when the output has alpha (else RGB0: ignored). */
static enum AVPixelFormat source_format(polyenc_layout layout, int alpha) {
  switch (layout) {
  case POLYENC_RGB_PLANAR: return AV_PIX_FMT_GBRP;
  case POLYENC_RGB24: return AV_PIX_FMT_RGB24;
  case POLYENC_RGBA: return alpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB0;
  case POLYENC_BGRA: return alpha ? AV_PIX_FMT_BGRA : AV_PIX_FMT_BGR0;
  case POLYENC_YUV420P: return AV_PIX_FMT_YUV420P;
  case POLYENC_RGB48: return AV_PIX_FMT_RGB48; /* native endian */
  case POLYENC_RGBA64: return AV_PIX_FMT_RGBA64; /* into a format without alpha, swscale drops it */
  case POLYENC_RGB_PLANAR16: return AV_PIX_FMT_GBRP16;
  case POLYENC_RGB_PLANAR_F32: return AV_PIX_FMT_NONE; /* platform/cpu/wide.c only */
  }
  return AV_PIX_FMT_NONE;
}

static int sws_coefficients(enum AVColorSpace cs) {
  return cs == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : cs == AVCOL_SPC_BT2020_NCL ? SWS_CS_BT2020 : SWS_CS_ITU601;
}

static struct SwsContext *sws_for(generic_path *g, const conversion *cv, polyenc_layout layout) {
  if ((unsigned)layout >= NUM_LAYOUTS) return NULL;
  if (g->sws[layout]) return g->sws[layout];
  enum AVPixelFormat from = source_format(layout, has_alpha(cv->format));
  if (from == AV_PIX_FMT_NONE) return NULL;
  /* SWS_AREA: 4:2:0 chroma is the average of each 2x2 block, as in libyuv, the wasm SIMD path and the
   * CUDA kernels */
  struct SwsContext *sws =
      sws_getContext(cv->width, cv->height, from, cv->width, cv->height, cv->format,
                     SWS_AREA | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, NULL, NULL, NULL);
  if (!sws) return NULL;
  const int *table = sws_getCoefficients(sws_coefficients(cv->color_space));
  /* RGB sources are full range; YUV sources are taken to be in the stream's own range already. */
  int src_range = layout == POLYENC_YUV420P ? cv->full_range : 1;
  sws_setColorspaceDetails(sws, table, src_range, table, cv->full_range, 0, 1 << 16, 1 << 16);
  g->sws[layout] = sws;
  return sws;
}

int pe_generic_swscale(generic_path *g, const conversion *cv, const source_frame *src, AVFrame *dst) {
  struct SwsContext *sws = sws_for(g, cv, src->layout);
  if (!sws) return AVERROR(EINVAL);
  const uint8_t *planes[4] = {0};
  int strides[4] = {0};
  const uint8_t *p = src->data;
  const int64_t *st = src->strides;
  switch (src->layout) {
  case POLYENC_RGB_PLANAR: /* GBRP / GBRP16: G, B, R */
  case POLYENC_RGB_PLANAR16:
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

int pe_copy_yuv420p(const source_frame *src, AVFrame *dst) {
  int w = src->width, h = src->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
  const uint8_t *u = src->data + src->strides[0] * h, *v = u + src->strides[1] * ch;
  av_image_copy_plane(dst->data[0], dst->linesize[0], src->data, (int)src->strides[0], w, h);
  av_image_copy_plane(dst->data[1], dst->linesize[1], u, (int)src->strides[1], cw, ch);
  av_image_copy_plane(dst->data[2], dst->linesize[2], v, (int)src->strides[1], cw, ch);
  return 0;
}
