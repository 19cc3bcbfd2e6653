/* Colour conversion for the WebAssembly build: the same interface as platform/cpu/convert.c
 * (platform.h), with WebAssembly SIMD128 kernels in place of libyuv.
 *
 * SIMD128 covers what a browser feeds: RGBA (canvas / ImageData / VideoFrame), BGRA, RGB24 and planar
 * RGB -> yuv420p, for BT.601, BT.709 and BT.2020, tv or pc range. The arithmetic is libyuv's (what the
 * host build uses for BT.601), generalised to the other matrices:
 *   Y = (cy_r R + cy_g G + cy_b B + y_offset) >> 8
 *   U = (cu_r R + cu_g G + cu_b B + c_offset) >> 8, V likewise, from the 2x2 average of R, G, B
 *       (rounded average of the two rows, then of the two columns, as libyuv's pavgb path does).
 * With BT.601 the coefficients and offsets are exactly libyuv's (I420 and J420), so the wasm and the
 * host builds produce the same YUV for the same RGB. Every other pixel format, and inputs whose strides
 * are not rows of packed pixels, go through swscale (the same settings as the host build). */
#include <libavutil/mem.h>

#include "cpu/generic.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

typedef struct coefficients {
  int16_t yr, yg, yb, ur, ug, ub, vr, vg, vb;
  uint16_t y_offset, c_offset;
} coefficients;

struct cpu_converter {
  conversion conv;
  coefficients k;
  int simd_ok; /* the matrix is one of the three and the output is yuv420p */
  generic_path generic;
};

static int round_int(double v) { return (int)(v < 0 ? v - 0.5 : v + 0.5); }

/* libyuv's integer coefficients for BT.601, the same rounding for BT.709 and BT.2020. */
static int make_coefficients(enum AVColorSpace cs, int full, coefficients *k) {
  double kr, kb;
  switch (cs) {
  case AVCOL_SPC_SMPTE170M:
  case AVCOL_SPC_BT470BG: kr = 0.299, kb = 0.114; break;
  case AVCOL_SPC_BT709: kr = 0.2126, kb = 0.0722; break;
  case AVCOL_SPC_BT2020_NCL: kr = 0.2627, kb = 0.0593; break;
  default: return 0;
  }
  double ys = full ? 256.0 : 219.0 * 256 / 255; /* luma scale */
  int cmax = full ? 127 : 112;                   /* 0.5 * chroma scale, 127 to stay in 16 bits */
  int ysum = full ? 256 : 220;
  k->yr = (int16_t)round_int(kr * ys);
  k->yb = (int16_t)round_int(kb * ys);
  k->yg = (int16_t)(ysum - k->yr - k->yb);
  k->ub = (int16_t)cmax;
  k->ur = (int16_t)-round_int(kr / (2 * (1 - kb)) * cmax * 2);
  k->ug = (int16_t)(-k->ub - k->ur);
  k->vr = (int16_t)cmax;
  k->vb = (int16_t)-round_int(kb / (2 * (1 - kr)) * cmax * 2);
  k->vg = (int16_t)(-k->vr - k->vb);
  k->y_offset = full ? 0x80 : 0x1080;
  k->c_offset = full ? 0x8080 : 0x8000;
  if (cs == AVCOL_SPC_SMPTE170M || cs == AVCOL_SPC_BT470BG) { /* libyuv's own tables */
    static const coefficients tv = {66, 129, 25, -38, -74, 112, 112, -94, -18, 0x1080, 0x8000};
    static const coefficients pc = {77, 150, 29, -43, -84, 127, 127, -107, -20, 0x80, 0x8080};
    *k = full ? pc : tv;
  }
  return 1;
}

int pe_cpu_converter_new(const conversion *conv, cpu_converter **out) {
  cpu_converter *c = av_mallocz(sizeof *c);
  if (!c) return AVERROR(ENOMEM);
  c->conv = *conv;
  c->simd_ok = conv->format == AV_PIX_FMT_YUV420P && make_coefficients(conv->color_space, conv->full_range, &c->k);
  *out = c;
  return 0;
}

void pe_cpu_converter_free(cpu_converter *c) {
  if (!c) return;
  pe_generic_path_free(&c->generic);
  av_free(c);
}

/* ------------------------------------------------------------------ RGB -> yuv420p kernels */

typedef struct rgb_source {
  polyenc_layout layout;
  const uint8_t *data;
  int64_t row_stride, plane_stride; /* plane_stride: RGB_PLANAR only */
} rgb_source;

static inline void load_pixel(const rgb_source *s, const uint8_t *row, int x, int *r, int *g, int *b) {
  switch (s->layout) {
  case POLYENC_RGB24: *r = row[3 * x], *g = row[3 * x + 1], *b = row[3 * x + 2]; break;
  case POLYENC_RGBA: *r = row[4 * x], *g = row[4 * x + 1], *b = row[4 * x + 2]; break;
  case POLYENC_BGRA: *b = row[4 * x], *g = row[4 * x + 1], *r = row[4 * x + 2]; break;
  default: *r = row[x], *g = row[x + s->plane_stride], *b = row[x + 2 * s->plane_stride]; break;
  }
}

static inline int avg2(int a, int b) { return (a + b + 1) >> 1; }

/* Scalar path: the tail of each row pair (and the reference for the SIMD path). */
static void rows_scalar(const coefficients *k, const rgb_source *s, const uint8_t *row0, const uint8_t *row1,
                        int two_rows, int x0, int width, uint8_t *y0, uint8_t *y1, uint8_t *u, uint8_t *v) {
  for (int x = x0; x < width; x += 2) {
    int r[4], g[4], b[4], n = x + 1 < width ? 2 : 1;
    for (int i = 0; i < n; i++) {
      load_pixel(s, row0, x + i, &r[i], &g[i], &b[i]);
      load_pixel(s, row1, x + i, &r[2 + i], &g[2 + i], &b[2 + i]);
      y0[x + i] = (uint8_t)((k->yr * r[i] + k->yg * g[i] + k->yb * b[i] + k->y_offset) >> 8);
      if (two_rows) y1[x + i] = (uint8_t)((k->yr * r[2 + i] + k->yg * g[2 + i] + k->yb * b[2 + i] + k->y_offset) >> 8);
    }
    int ar, ag, ab;
    if (n == 2) {
      ar = avg2(avg2(r[0], r[2]), avg2(r[1], r[3]));
      ag = avg2(avg2(g[0], g[2]), avg2(g[1], g[3]));
      ab = avg2(avg2(b[0], b[2]), avg2(b[1], b[3]));
    } else {
      ar = avg2(r[0], r[2]), ag = avg2(g[0], g[2]), ab = avg2(b[0], b[2]);
    }
    u[x / 2] = (uint8_t)((k->ur * ar + k->ug * ag + k->ub * ab + k->c_offset) >> 8);
    v[x / 2] = (uint8_t)((k->vr * ar + k->vg * ag + k->vb * ab + k->c_offset) >> 8);
  }
}

#ifdef __wasm_simd128__
/* 16 pixels of a row as three u8x16 vectors R, G, B. */
static inline void load16(const rgb_source *s, const uint8_t *row, int x, v128_t *r, v128_t *g, v128_t *b) {
  switch (s->layout) {
  case POLYENC_RGBA:
  case POLYENC_BGRA: {
    const uint8_t *p = row + 4 * x;
    v128_t a0 = wasm_v128_load(p), a1 = wasm_v128_load(p + 16), a2 = wasm_v128_load(p + 32),
           a3 = wasm_v128_load(p + 48);
    /* byte k of each pixel: pixels 0-7 from a0/a1, 8-15 from a2/a3 */
    v128_t c01 = wasm_i8x16_shuffle(a0, a1, 0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    v128_t c23 = wasm_i8x16_shuffle(a2, a3, 0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    v128_t d01 = wasm_i8x16_shuffle(a0, a1, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    v128_t d23 = wasm_i8x16_shuffle(a2, a3, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    v128_t ch0 = wasm_i8x16_shuffle(c01, c23, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    v128_t ch1 = wasm_i8x16_shuffle(c01, c23, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    v128_t ch2 = wasm_i8x16_shuffle(d01, d23, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    *g = ch1;
    if (s->layout == POLYENC_RGBA) *r = ch0, *b = ch2;
    else *b = ch0, *r = ch2;
    break;
  }
  case POLYENC_RGB24: {
    const uint8_t *p = row + 3 * x;
    v128_t a0 = wasm_v128_load(p), a1 = wasm_v128_load(p + 16), a2 = wasm_v128_load(p + 32);
    v128_t t;
    t = wasm_i8x16_shuffle(a0, a1, 0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 0, 0, 0, 0, 0);
    *r = wasm_i8x16_shuffle(t, a2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 20, 23, 26, 29);
    t = wasm_i8x16_shuffle(a0, a1, 1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 0, 0, 0, 0, 0);
    *g = wasm_i8x16_shuffle(t, a2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 18, 21, 24, 27, 30);
    t = wasm_i8x16_shuffle(a0, a1, 2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 0, 0, 0, 0, 0, 0);
    *b = wasm_i8x16_shuffle(t, a2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 19, 22, 25, 28, 31);
    break;
  }
  default: {
    const uint8_t *p = row + x;
    *r = wasm_v128_load(p);
    *g = wasm_v128_load(p + s->plane_stride);
    *b = wasm_v128_load(p + 2 * s->plane_stride);
  }
  }
}

/* (cr R + cg G + cb B + off) >> 8 on eight u16 lanes; exact because the true value is in [0, 65535]. */
static inline v128_t dot8(v128_t r, v128_t g, v128_t b, v128_t cr, v128_t cg, v128_t cb, v128_t off) {
  v128_t acc = wasm_i16x8_add(wasm_i16x8_mul(r, cr), wasm_i16x8_mul(g, cg));
  acc = wasm_i16x8_add(acc, wasm_i16x8_add(wasm_i16x8_mul(b, cb), off));
  return wasm_u16x8_shr(acc, 8);
}

static inline v128_t luma16(v128_t r, v128_t g, v128_t b, const v128_t *ky) {
  v128_t lo = dot8(wasm_u16x8_extend_low_u8x16(r), wasm_u16x8_extend_low_u8x16(g), wasm_u16x8_extend_low_u8x16(b),
                   ky[0], ky[1], ky[2], ky[3]);
  v128_t hi = dot8(wasm_u16x8_extend_high_u8x16(r), wasm_u16x8_extend_high_u8x16(g),
                   wasm_u16x8_extend_high_u8x16(b), ky[0], ky[1], ky[2], ky[3]);
  return wasm_u8x16_narrow_i16x8(lo, hi);
}

/* rounded average of neighbouring pairs: 16 values -> 8 (in the low half) */
static inline v128_t pair_avg(v128_t a) {
  v128_t even = wasm_i8x16_shuffle(a, a, 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
  v128_t odd = wasm_i8x16_shuffle(a, a, 1, 3, 5, 7, 9, 11, 13, 15, 1, 3, 5, 7, 9, 11, 13, 15);
  return wasm_u16x8_extend_low_u8x16(wasm_u8x16_avgr(even, odd));
}

/* Returns the first x the scalar tail must do. */
static int rows_simd(const coefficients *k, const rgb_source *s, const uint8_t *row0, const uint8_t *row1,
                     int two_rows, int width, uint8_t *y0, uint8_t *y1, uint8_t *u, uint8_t *v) {
  const v128_t ky[4] = {wasm_i16x8_splat(k->yr), wasm_i16x8_splat(k->yg), wasm_i16x8_splat(k->yb),
                        wasm_i16x8_splat((int16_t)k->y_offset)};
  const v128_t ur = wasm_i16x8_splat(k->ur), ug = wasm_i16x8_splat(k->ug), ub = wasm_i16x8_splat(k->ub);
  const v128_t vr = wasm_i16x8_splat(k->vr), vg = wasm_i16x8_splat(k->vg), vb = wasm_i16x8_splat(k->vb);
  const v128_t coff = wasm_i16x8_splat((int16_t)k->c_offset);
  int x = 0;
  for (; x + 16 <= width; x += 16) {
    v128_t r0, g0, b0, r1, g1, b1;
    load16(s, row0, x, &r0, &g0, &b0);
    load16(s, row1, x, &r1, &g1, &b1);
    wasm_v128_store(y0 + x, luma16(r0, g0, b0, ky));
    if (two_rows) wasm_v128_store(y1 + x, luma16(r1, g1, b1, ky));
    v128_t ar = pair_avg(wasm_u8x16_avgr(r0, r1));
    v128_t ag = pair_avg(wasm_u8x16_avgr(g0, g1));
    v128_t ab = pair_avg(wasm_u8x16_avgr(b0, b1));
    v128_t uu = dot8(ar, ag, ab, ur, ug, ub, coff), vv = dot8(ar, ag, ab, vr, vg, vb, coff);
    wasm_v128_store64_lane(u + x / 2, wasm_u8x16_narrow_i16x8(uu, uu), 0);
    wasm_v128_store64_lane(v + x / 2, wasm_u8x16_narrow_i16x8(vv, vv), 0);
  }
  return x;
}
#endif

static void rgb_to_yuv420p(const coefficients *k, const rgb_source *s, int width, int height, AVFrame *dst) {
  for (int y = 0; y < height; y += 2) {
    int two_rows = y + 1 < height;
    const uint8_t *row0 = s->data + y * s->row_stride;
    const uint8_t *row1 = two_rows ? row0 + s->row_stride : row0; /* odd height: the last row with itself */
    uint8_t *y0 = dst->data[0] + (ptrdiff_t)y * dst->linesize[0], *y1 = y0 + dst->linesize[0];
    uint8_t *u = dst->data[1] + (ptrdiff_t)(y / 2) * dst->linesize[1];
    uint8_t *v = dst->data[2] + (ptrdiff_t)(y / 2) * dst->linesize[2];
    int x = 0;
#ifdef __wasm_simd128__
    x = rows_simd(k, s, row0, row1, two_rows, width, y0, y1, u, v);
#endif
    rows_scalar(k, s, row0, row1, two_rows, x, width, y0, y1, u, v);
  }
}

/* The kernels take rows of packed pixels (or planes of rows); anything else goes to swscale. */
static int try_simd(cpu_converter *c, const source_frame *src, AVFrame *dst) {
  if (!c->simd_ok || src->layout == POLYENC_YUV420P || pe_layout_sample_size(src->layout) != 1) return 0;
  const int64_t *st = src->strides;
  rgb_source s = {src->layout, src->data, st[0], 0};
  if (pe_layout_is_packed(src->layout)) {
    if (st[1] != pe_layout_bytes_per_pixel(src->layout) || st[2] != 1) return 0;
  } else {
    if (st[2] != 1) return 0;
    s.plane_stride = st[0], s.row_stride = st[1];
  }
  rgb_to_yuv420p(&c->k, &s, src->width, src->height, dst);
  return 1;
}

int pe_cpu_convert(cpu_converter *c, const source_frame *src, AVFrame *dst) {
  int yuv_copy = src->layout == POLYENC_YUV420P && c->conv.format == AV_PIX_FMT_YUV420P;
  if (yuv_copy && src->strides[0] > 0 && src->strides[1] > 0) return pe_copy_yuv420p(src, dst);
  if (try_simd(c, src, dst)) return 0;
  source_frame dense;
  int ret = pe_generic_gather(&c->generic, src, &dense);
  if (ret < 0) return ret;
  if (yuv_copy) return pe_copy_yuv420p(&dense, dst);
  return pe_generic_swscale(&c->generic, &c->conv, &dense, dst);
}
