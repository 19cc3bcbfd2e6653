/* The generic path of both CPU converters (generic.h): gather, then swscale. */
#include <string.h>

#include <libavutil/imgutils.h>
#include <libavutil/mem.h>
#include <libswscale/swscale.h>

#include "generic.h"

enum { PADDING = 64 }; /* swscale's SIMD reads whole words past the end of a row */

int pe_cpu_can_produce(enum AVPixelFormat format) { return sws_isSupportedOutput(format) > 0; }

void pe_generic_path_free(generic_path *g) {
  for (int i = 0; i < NUM_LAYOUTS; i++) sws_freeContext(g->sws[i]);
  av_freep(&g->scratch);
}

int pe_layout_bytes_per_pixel(polyenc_layout layout) {
  return layout == POLYENC_RGB24 ? 3 : layout == POLYENC_RGBA || layout == POLYENC_BGRA ? 4 : 1;
}

int pe_layout_is_packed(polyenc_layout layout) { return layout != POLYENC_RGB_PLANAR && layout != POLYENC_YUV420P; }

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
  const int64_t *st = src->strides;
  size_t plane = (size_t)w * h, cw = (size_t)(w + 1) / 2, ch = (size_t)(h + 1) / 2;
  size_t size = src->layout == POLYENC_YUV420P ? plane + 2 * cw * ch
                                               : plane * (pe_layout_is_packed(src->layout) ? bpp : 3);
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

static struct SwsContext *sws_for(generic_path *g, const conversion *cv, polyenc_layout layout) {
  if (g->sws[layout]) return g->sws[layout];
  /* SWS_AREA: 4:2:0 chroma is the average of each 2x2 block, as in libyuv, the wasm SIMD path and the
   * CUDA kernels */
  struct SwsContext *sws =
      sws_getContext(cv->width, cv->height, source_format(layout), cv->width, cv->height, cv->format,
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

int pe_copy_yuv420p(const source_frame *src, AVFrame *dst) {
  int w = src->width, h = src->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
  const uint8_t *u = src->data + src->strides[0] * h, *v = u + src->strides[1] * ch;
  av_image_copy_plane(dst->data[0], dst->linesize[0], src->data, (int)src->strides[0], w, h);
  av_image_copy_plane(dst->data[1], dst->linesize[1], u, (int)src->strides[1], cw, ch);
  av_image_copy_plane(dst->data[2], dst->linesize[2], v, (int)src->strides[1], cw, ch);
  return 0;
}
