/* High-depth RGB -> YUV (wide.h): the checks, the coefficients, the row driver and the portable C kernel.
 *
 * libyuv has no conversion from 16-bit or float RGB (1857: AR64 / AB64 only to and from 8-bit ARGB,
 * which would put an 8-bit step in between), so every path here is our own: the C kernel below
 * (every host), on x86-64 an AVX2 + FMA kernel (wide_avx2.c) chosen by cpuid, and in the wasm build a
 * SIMD128 kernel (wide_simd128.c). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/avconfig.h>
#include <libavutil/bswap.h>
#include <libavutil/error.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>

#include "wide.h"
#include "wide_kernels.h"

/* ------------------------------------------------------------------ the C kernel
 * Plain loops over CHUNK columns at a time, specialised (by constant arguments) for the sample type and
 * the output kind, that compilers vectorise for the target's baseline (SSE2 on x86-64, SIMD128 with
 * -msimd128, NEON). */

enum { CHUNK = 128 };

/* n samples from x on, as floats: uint16 as is, floats clamped to [0, 1] (NaN: 0, and *nan set). */
static inline void load_row(const void *plane, int x, int n, float *dst, const int is_float, int *nan) {
  if (!is_float) {
    const uint16_t *p = (const uint16_t *)plane + x;
    for (int i = 0; i < n; i++) dst[i] = p[i];
    return;
  }
  const float *p = (const float *)plane + x;
  int bad = 0;
  for (int i = 0; i < n; i++) {
    float v = p[i];
    bad |= v != v;
    dst[i] = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;
  }
  *nan |= bad;
}

/* n values (>= 0, with the rounding half) clipped to max and truncated into row at sample x, every step-th
 * sample (2: p010le's interleaved chroma). */
static inline void store_row(const wide_params *k, uint8_t *row, int x, const float *v, int n, int step,
                             const int out) {
  const float max = k->max;
  if (out == PE_OUT_8) {
    for (int i = 0; i < n; i++) row[x + i] = (uint8_t)(int)(v[i] < max ? v[i] : max);
    return;
  }
  uint16_t *d = (uint16_t *)row + x;
  const int shift = out == PE_OUT_P010 ? 6 : 0;
  for (int i = 0; i < n; i++) {
    uint16_t q = (uint16_t)((int)(v[i] < max ? v[i] : max) << shift);
#if AV_HAVE_BIGENDIAN
    q = av_bswap16(q);
#endif
    d[i * step] = q;
  }
}

static inline void dot_row(const float k[3], float off, float *const rgb[3], int n, float *dst) {
  for (int i = 0; i < n; i++) dst[i] = off + k[0] * rgb[0][i] + k[1] * rgb[1][i] + k[2] * rgb[2][i];
}

static inline int rows_c(const wide_params *k, const wide_rows *r, int x0, int x1, const int is_float,
                         const int out) {
  float in[3][CHUNK], sum[3][CHUNK + 1], pair[3][CHUNK / 2], val[CHUNK], cu[CHUNK / 2], cv[CHUNK / 2];
  float *const rgb[3] = {in[0], in[1], in[2]}, *const pairs[3] = {pair[0], pair[1], pair[2]};
  int nan = 0;
  for (int cx = x0; cx < x1; cx += CHUNK) {
    int n = x1 - cx < CHUNK ? x1 - cx : CHUNK;
    for (int row = 0; row < 2; row++) {
      for (int c = 0; c < 3; c++) load_row(r->src[row][c], cx, n, in[c], is_float, &nan);
      dot_row(k->ky, k->y_off, rgb, n, val);
      store_row(k, r->y[row], cx, val, n, 1, out);
      if (!k->sub) {
        dot_row(k->ku, k->c_off, rgb, n, val);
        store_row(k, r->u[row], cx, val, n, 1, out);
        dot_row(k->kv, k->c_off, rgb, n, val);
        store_row(k, r->v[row], cx, val, n, 1, out);
      } else {
        for (int c = 0; c < 3; c++)
          for (int i = 0; i < n; i++) sum[c][i] = row ? sum[c][i] + in[c][i] : in[c][i];
      }
    }
    if (!k->sub) continue;
    int m = (n + 1) / 2;
    for (int c = 0; c < 3; c++) {
      sum[c][n] = sum[c][n - 1]; /* an odd right edge: the mean of the pixels that exist */
      for (int j = 0; j < m; j++) pair[c][j] = sum[c][2 * j] + sum[c][2 * j + 1];
    }
    dot_row(k->ku, k->c_off, pairs, m, cu);
    dot_row(k->kv, k->c_off, pairs, m, cv);
    if (out == PE_OUT_P010) {
      store_row(k, r->u[0], cx, cu, m, 2, out);
      store_row(k, r->u[0], cx + 1, cv, m, 2, out);
    } else {
      store_row(k, r->u[0], cx / 2, cu, m, 1, out);
      store_row(k, r->v[0], cx / 2, cv, m, 1, out);
    }
  }
  return nan;
}

int pe_wide_rows_c(const wide_params *k, const wide_rows *r, int x0, int x1) {
  if (k->is_float)
    return k->out == PE_OUT_8    ? rows_c(k, r, x0, x1, 1, PE_OUT_8)
           : k->out == PE_OUT_16 ? rows_c(k, r, x0, x1, 1, PE_OUT_16)
                                 : rows_c(k, r, x0, x1, 1, PE_OUT_P010);
  return k->out == PE_OUT_8    ? rows_c(k, r, x0, x1, 0, PE_OUT_8)
         : k->out == PE_OUT_16 ? rows_c(k, r, x0, x1, 0, PE_OUT_16)
                               : rows_c(k, r, x0, x1, 0, PE_OUT_P010);
}

/* ------------------------------------------------------------------ formats, layouts, coefficients */

typedef struct format_info {
  enum AVPixelFormat format;
  int depth, sub, nv, alpha;
} format_info;

static const format_info formats[] = {
    {AV_PIX_FMT_YUV420P, 8, 1, 0, 0},      {AV_PIX_FMT_YUV444P, 8, 0, 0, 0},
    {AV_PIX_FMT_YUV420P10LE, 10, 1, 0, 0}, {AV_PIX_FMT_YUV444P10LE, 10, 0, 0, 0},
    {AV_PIX_FMT_YUV420P12LE, 12, 1, 0, 0}, {AV_PIX_FMT_YUV444P12LE, 12, 0, 0, 0},
    {AV_PIX_FMT_P010LE, 10, 1, 1, 0},      {AV_PIX_FMT_YUVA420P, 8, 1, 0, 1},
    {AV_PIX_FMT_YUVA444P10LE, 10, 0, 0, 1},
};

static const format_info *format_of(enum AVPixelFormat f) {
  for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
    if (formats[i].format == f) return &formats[i];
  return NULL;
}

int pe_wide_can_produce(enum AVPixelFormat format) { return format_of(format) != NULL; }

int pe_wide_is_layout(polyenc_layout layout) {
  int l = (int)layout;
  return l == PE_RGB48 || l == PE_RGBA64 || l == PE_RGB_PLANAR16 || l == PE_RGB_PLANAR_F32;
}

static int is_packed(int layout) { return layout == PE_RGB48 || layout == PE_RGBA64; }

static int matrix_of(enum AVColorSpace cs, double *kr, double *kb) {
  switch (cs) {
  case AVCOL_SPC_SMPTE170M:
  case AVCOL_SPC_BT470BG: *kr = 0.299, *kb = 0.114; return 1;
  case AVCOL_SPC_BT709: *kr = 0.2126, *kb = 0.0722; return 1;
  case AVCOL_SPC_BT2020_NCL: *kr = 0.2627, *kb = 0.0593; return 1;
  default: return 0;
  }
}

static void make_params(const format_info *f, double kr, double kb, int full, int is_float, wide_params *k) {
  double kg = 1.0 - kr - kb, n = f->depth, top = (double)((1 << f->depth) - 1);
  double unit = is_float ? 1.0 : 1.0 / 65535.0, q = (double)(1 << (f->depth - 8));
  double ys = full ? top : 219 * q, cs = full ? top : 224 * q;
  double yo = full ? 0 : 16 * q, co = full ? (double)(1 << (f->depth - 1)) : 128 * q;
  double csum = cs * unit * (f->sub ? 0.25 : 1.0);
  const double ky[3] = {kr, kg, kb};
  const double ku[3] = {-kr / (2 * (1 - kb)), -kg / (2 * (1 - kb)), 0.5};
  const double kv[3] = {0.5, -kg / (2 * (1 - kr)), -kb / (2 * (1 - kr))};
  for (int c = 0; c < 3; c++) {
    k->ky[c] = (float)(ky[c] * ys * unit);
    k->ku[c] = (float)(ku[c] * csum);
    k->kv[c] = (float)(kv[c] * csum);
  }
  k->y_off = (float)(yo + 0.5), k->c_off = (float)(co + 0.5), k->max = (float)top;
  k->depth = (int)n, k->out = f->nv ? PE_OUT_P010 : f->depth > 8 ? PE_OUT_16 : PE_OUT_8;
  k->sub = f->sub, k->alpha = f->alpha, k->is_float = is_float;
}

static const char *layout_name(int layout) {
  switch (layout) {
  case PE_RGB48: return "rgb48";
  case PE_RGBA64: return "rgba64";
  case PE_RGB_PLANAR16: return "rgb-planar16";
  case PE_RGB_PLANAR_F32: return "rgb-planar-f32";
  default: return "?";
  }
}

static int fail(char *err, size_t size, int ret, const char *fmt, ...) {
  if (err && size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
  }
  return ret;
}

/* ------------------------------------------------------------------ source rows */

typedef void (*split_fn)(const uint16_t *p, int w, int nc, uint16_t *r, uint16_t *g, uint16_t *b, uint16_t *a);

typedef struct row_source {
  const source_frame *src;
  int layout, sample;   /* sample: bytes per sample, 2 or 4 */
  void *buf[2][4];      /* gathered rows: R, G, B, A per row (each width * sample bytes) */
  const uint16_t *a[2]; /* the alpha rows of RGBA64, else NULL */
  split_fn split;       /* packed pixels -> the rows above: split_packed, or the SIMD128 kernel's */
} row_source;

static int aligned(const void *p, int size) { return (uintptr_t)p % (uintptr_t)size == 0; }

/* RGB48 / RGBA64 with packed pixels: one pass that splits the channels (auto-vectorised). */
static void split_packed(const uint16_t *p, int w, int nc, uint16_t *r, uint16_t *g, uint16_t *b, uint16_t *a) {
  if (nc == 3)
    for (int x = 0; x < w; x++) r[x] = p[3 * x], g[x] = p[3 * x + 1], b[x] = p[3 * x + 2];
  else
    for (int x = 0; x < w; x++) r[x] = p[4 * x], g[x] = p[4 * x + 1], b[x] = p[4 * x + 2], a[x] = p[4 * x + 3];
}

/* Points planes[0..2] at row y of R, G, B (contiguous samples), gathering into buffer set i when the
 * caller's strides are not that. */
static void source_row(row_source *s, int y, int i, const void *planes[3]) {
  const source_frame *src = s->src;
  const int64_t *st = src->strides;
  int w = src->width, sample = s->sample, nc = s->layout == PE_RGBA64 ? 4 : 3;
  s->a[i] = NULL;
  if (is_packed(s->layout)) {
    const uint8_t *row = src->data + y * st[0];
    if (st[1] == 2 * nc && st[2] == 2 && aligned(row, 2)) {
      s->split((const uint16_t *)row, w, nc, s->buf[i][0], s->buf[i][1], s->buf[i][2], s->buf[i][3]);
    } else {
      for (int c = 0; c < nc; c++)
        for (int x = 0; x < w; x++) memcpy((uint8_t *)s->buf[i][c] + 2 * x, row + x * st[1] + c * st[2], 2);
    }
    for (int c = 0; c < 3; c++) planes[c] = s->buf[i][c];
    if (nc == 4) s->a[i] = s->buf[i][3];
    return;
  }
  for (int c = 0; c < 3; c++) {
    const uint8_t *row = src->data + c * st[0] + y * st[1];
    if (st[2] == sample && aligned(row, sample)) {
      planes[c] = row;
      continue;
    }
    for (int x = 0; x < w; x++) memcpy((uint8_t *)s->buf[i][c] + x * sample, row + x * st[2], (size_t)sample);
    planes[c] = s->buf[i][c];
  }
}

/* round(a (2^n - 1) / 65535) exactly: floor(t / 65535) = (t + 1 + (t >> 16)) >> 16 for t < 2^32 - 2^16. */
static void alpha_row(const wide_params *k, const uint16_t *a, uint8_t *dst, int w) {
  uint32_t top = (1u << k->depth) - 1;
  if (k->out == PE_OUT_8) {
    if (!a) memset(dst, 255, (size_t)w);
    else
      for (int x = 0; x < w; x++) {
        uint32_t t = a[x] * top + 32767;
        dst[x] = (uint8_t)((t + 1 + (t >> 16)) >> 16);
      }
    return;
  }
  for (int x = 0; x < w; x++) {
    uint32_t t = (a ? a[x] : 65535u) * top + 32767;
    AV_WL16(dst + 2 * x, (uint16_t)((t + 1 + (t >> 16)) >> 16));
  }
}

static float float_at(const source_frame *f, int c, int x, int y) {
  float v;
  memcpy(&v, f->data + c * f->strides[0] + y * f->strides[1] + x * f->strides[2], sizeof v);
  return v;
}

int pe_wide_first_nan(const source_frame *src, int from_row, char *err, size_t size) {
  for (int y = from_row; y < src->height; y++) {
    int nan = 0; /* a row without a NaN is read once, in a loop the compiler vectorises */
    for (int c = 0; c < 3; c++)
      for (int x = 0; x < src->width; x++) {
        float v = float_at(src, c, x, y);
        nan |= v != v;
      }
    for (int x = 0; nan && x < src->width; x++)
      for (int c = 0; c < 3; c++) {
        float v = float_at(src, c, x, y);
        if (v != v) return fail(err, size, AVERROR_INVALIDDATA, "NaN in channel %c at pixel (%d, %d)", "RGB"[c], x, y);
      }
  }
  return 0;
}

/* ------------------------------------------------------------------ entry points */

static int check_args(const source_frame *src, const AVFrame *dst, enum AVColorSpace cs, int full_range, char *err,
                      size_t size, const format_info **f) {
  if (!src || !dst || !src->data) return fail(err, size, AVERROR(EINVAL), "no source frame or no destination frame");
  if (!pe_wide_is_layout(src->layout))
    return fail(err, size, AVERROR(EINVAL), "layout %d is not rgb48, rgba64, rgb-planar16 or rgb-planar-f32",
                (int)src->layout);
  if (!(*f = format_of((enum AVPixelFormat)dst->format))) {
    const char *name = av_get_pix_fmt_name((enum AVPixelFormat)dst->format);
    return fail(err, size, AVERROR(EINVAL),
                "pixel format %s is not one of yuv420p, yuv444p, yuv420p10le, yuv444p10le, yuv420p12le, "
                "yuv444p12le, p010le, yuva420p, yuva444p10le",
                name ? name : "(none)");
  }
  if (src->width <= 0 || src->height <= 0 || src->width != dst->width || src->height != dst->height)
    return fail(err, size, AVERROR(EINVAL), "%s frame %dx%d into a %s frame %dx%d", layout_name((int)src->layout),
                src->width, src->height, av_get_pix_fmt_name((enum AVPixelFormat)dst->format), dst->width,
                dst->height);
  int planes = (*f)->nv ? 2 : (*f)->alpha ? 4 : 3;
  for (int p = 0; p < planes; p++)
    if (!dst->data[p]) return fail(err, size, AVERROR(EINVAL), "the destination frame has no plane %d", p);
  double kr, kb;
  if (!matrix_of(cs, &kr, &kb)) {
    const char *name = av_color_space_name(cs);
    return fail(err, size, AVERROR(EINVAL), "colour space %s is not bt601 (smpte170m), bt709 or bt2020nc",
                name ? name : "(unknown)");
  }
  if (full_range != 0 && full_range != 1)
    return fail(err, size, AVERROR(EINVAL), "full_range %d is not 0 (tv) or 1 (pc)", full_range);
  return 0;
}

typedef int (*rows_fn)(const wide_params *k, const wide_rows *r, int x0, int x1);

static rows_fn pick_kernel(pe_wide_kernel kernel) {
#ifdef PE_WIDE_HAVE_AVX2
  if (kernel == PE_WIDE_AUTO && pe_wide_cpu_has_avx2()) return pe_wide_rows_avx2;
#endif
#ifdef PE_WIDE_HAVE_SIMD128
  if (kernel == PE_WIDE_AUTO) return pe_wide_rows_simd128;
#endif
  (void)kernel;
  return pe_wide_rows_c;
}

const char *pe_wide_kernel_name(void) {
  rows_fn f = pick_kernel(PE_WIDE_AUTO);
#ifdef PE_WIDE_HAVE_SIMD128
  if (f == pe_wide_rows_simd128) return "simd128";
#endif
  return f == pe_wide_rows_c ? "c" : "avx2+fma";
}

/* The packed-pixel splitter that goes with a kernel: SIMD128 code with the SIMD128 kernel (clang leaves
 * split_packed's strided loads scalar in wasm), else split_packed. */
static split_fn pick_split(rows_fn rows) {
#ifdef PE_WIDE_HAVE_SIMD128
  if (rows == pe_wide_rows_simd128) return pe_wide_split_simd128;
#endif
  (void)rows;
  return split_packed;
}

static uint8_t *plane_row(const AVFrame *f, int plane, int y) { return f->data[plane] + (ptrdiff_t)y * f->linesize[plane]; }

int pe_wide_convert_with(pe_wide_kernel kernel, const source_frame *src, AVFrame *dst, enum AVColorSpace cs,
                         int full_range, char *err, size_t errsize) {
  const format_info *f = NULL;
  int ret = check_args(src, dst, cs, full_range, err, errsize, &f);
  if (ret < 0) return ret;
  double kr = 0, kb = 0;
  matrix_of(cs, &kr, &kb);
  int layout = (int)src->layout, w = src->width, h = src->height;
  wide_params k;
  make_params(f, kr, kb, full_range, layout == PE_RGB_PLANAR_F32, &k);
  rows_fn rows = pick_kernel(kernel);

  /* 8 gathered rows (2 x R, G, B, A) of float-sized samples, then 3 scratch output rows for the row past an
   * odd height */
  size_t row_bytes = (size_t)w * 4;
  uint8_t *mem = av_malloc(row_bytes * 11);
  if (!mem) return fail(err, errsize, AVERROR(ENOMEM), "out of memory (%zu bytes of row buffers)", row_bytes * 11);
  row_source s = {src, layout, layout == PE_RGB_PLANAR_F32 ? 4 : 2, {{0}}, {0}, pick_split(rows)};
  for (int i = 0; i < 8; i++) s.buf[i / 4][i % 4] = mem + i * row_bytes;
  uint8_t *scratch[3] = {mem + 8 * row_bytes, mem + 9 * row_bytes, mem + 10 * row_bytes};

  for (int y = 0; y < h; y += 2) {
    int two = y + 1 < h;
    wide_rows r;
    source_row(&s, y, 0, r.src[0]);
    if (two) source_row(&s, y + 1, 1, r.src[1]);
    else memcpy(r.src[1], r.src[0], sizeof r.src[0]);
    for (int i = 0; i < 2; i++) r.y[i] = i < 1 || two ? plane_row(dst, 0, y + i) : scratch[0];
    if (k.sub) {
      r.u[0] = plane_row(dst, 1, y / 2), r.v[0] = f->nv ? NULL : plane_row(dst, 2, y / 2);
      r.u[1] = r.v[1] = NULL;
    } else {
      for (int i = 0; i < 2; i++) {
        r.u[i] = i < 1 || two ? plane_row(dst, 1, y + i) : scratch[1];
        r.v[i] = i < 1 || two ? plane_row(dst, 2, y + i) : scratch[2];
      }
    }
    /* planar rows from memory (12 or 24 MB a 1080p frame): the kernel prefetches the next pair's */
    int ahead = !is_packed(layout) && src->strides[2] == s.sample && y + 3 < h;
    for (int i = 0; i < 2; i++)
      for (int c = 0; c < 3; c++)
        r.next[i][c] = ahead ? src->data + c * src->strides[0] + (y + 2 + i) * src->strides[1] : NULL;
    if (rows(&k, &r, 0, w)) {
      av_free(mem);
      ret = pe_wide_first_nan(src, y, err, errsize); /* the first NaN is in this row pair */
      return ret < 0 ? ret : fail(err, errsize, AVERROR_INVALIDDATA, "NaN in rows %d-%d", y, y + two);
    }
    if (k.alpha)
      for (int i = 0; i < 1 + two; i++) alpha_row(&k, s.a[i], plane_row(dst, 3, y + i), w);
  }
  av_free(mem);
  return 0;
}

int pe_wide_convert(const source_frame *src, AVFrame *dst, enum AVColorSpace cs, int full_range, char *err,
                    size_t errsize) {
  return pe_wide_convert_with(PE_WIDE_AUTO, src, dst, cs, full_range, err, errsize);
}
