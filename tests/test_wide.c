/* High-depth RGB -> YUV kernels (platform/cpu/wide.c, linked in directly): every layout x pixel format x
 * matrix x range against a double-precision reference written from the formulas of wide.h (at most 1
 * code value off, the maximum seen printed), for the kernel this CPU picks and for the plain C one;
 * 10-bit precision kept end to end (a 1024-level ramp), NaN named with its pixel, clamping of floats,
 * odd sizes, strides with padding, exact alpha, and swscale as a loose second opinion. */
#include <libavutil/frame.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "check.h"
#include "cpu/wide.h"

#define CASES(X)                \
  X(matches_reference, QUICK)   \
  X(ramp_keeps_10_bits, QUICK)  \
  X(nan_named, QUICK)           \
  X(floats_clamped, QUICK)      \
  X(odd_sizes, QUICK)           \
  X(strides_with_padding, QUICK) \
  X(alpha_exact, QUICK)         \
  X(close_to_swscale, QUICK)    \
  X(bad_arguments, QUICK)
CHECK_MAIN(CASES)

static const int layouts[] = {PE_RGB48, PE_RGBA64, PE_RGB_PLANAR16, PE_RGB_PLANAR_F32};
static const char *const layout_names[] = {"rgb48", "rgba64", "rgb-planar16", "rgb-planar-f32"};

static const enum AVPixelFormat formats[] = {AV_PIX_FMT_YUV420P,     AV_PIX_FMT_YUV444P,     AV_PIX_FMT_YUV420P10LE,
                                             AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV420P12LE, AV_PIX_FMT_YUV444P12LE,
                                             AV_PIX_FMT_P010LE,      AV_PIX_FMT_YUVA420P,    AV_PIX_FMT_YUVA444P10LE};
enum { NUM_FMTS = sizeof formats / sizeof *formats };

/* What the test needs of a pixel format, from FFmpeg's descriptor. */
typedef struct fmt {
  enum AVPixelFormat format;
  int depth, sub, nv, alpha; /* bits; 4:2:0; U and V in one plane (p010le); an alpha plane */
} fmt;

static const fmt *fmt_at(int i) {
  static fmt table[NUM_FMTS];
  fmt *f = &table[i];
  if (!f->depth) {
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(formats[i]);
    CHECK(d);
    *f = (fmt){formats[i], d->comp[0].depth, d->log2_chroma_w == 1 && d->log2_chroma_h == 1,
               d->comp[1].plane == d->comp[2].plane, (d->flags & AV_PIX_FMT_FLAG_ALPHA) != 0};
  }
  return f;
}
static const enum AVColorSpace spaces[] = {AVCOL_SPC_SMPTE170M, AVCOL_SPC_BT709, AVCOL_SPC_BT2020_NCL};
static const pe_wide_kernel kernels[] = {PE_WIDE_AUTO, PE_WIDE_PLAIN_C};

/* ------------------------------------------------------------------ source frames */

typedef struct frame_opts {
  int pixel_extra; /* bytes added to the pixel stride */
  int row_pad;     /* bytes added to the row stride */
  int offset;      /* bytes before the first sample (1: every sample unaligned) */
  int flip;        /* negative row stride */
} frame_opts;

typedef struct test_src {
  source_frame f;
  uint8_t *mem;
} test_src;

static int is_float(int layout) { return layout == PE_RGB_PLANAR_F32; }
static int channels(int layout) { return layout == PE_RGBA64 ? 4 : 3; }

static void src_new(test_src *t, int layout, int w, int h, frame_opts o) {
  int sample = is_float(layout) ? 4 : 2, packed = layout == PE_RGB48 || layout == PE_RGBA64;
  int64_t pixel = (packed ? channels(layout) * sample : sample) + o.pixel_extra;
  int64_t row = w * pixel + o.row_pad, plane = h * row + 8;
  size_t size = (size_t)(packed ? h * row : 3 * plane) + (size_t)o.offset;
  t->mem = calloc(size, 1);
  CHECK(t->mem);
  uint8_t *data = t->mem + o.offset + (o.flip ? (h - 1) * row : 0);
  if (o.flip) row = -row;
  t->f = (source_frame){(polyenc_layout)layout, data, {row, pixel, sample}, w, h};
  if (!packed) t->f.strides[0] = plane, t->f.strides[1] = row, t->f.strides[2] = pixel;
}

static uint8_t *addr(const source_frame *f, int x, int y, int c) {
  const int64_t *s = f->strides;
  if ((int)f->layout == PE_RGB48 || (int)f->layout == PE_RGBA64) return (uint8_t *)f->data + y * s[0] + x * s[1] + c * s[2];
  return (uint8_t *)f->data + c * s[0] + y * s[1] + x * s[2];
}

/* A sample as stored: a uint16 code, or a float. */
static void put(const source_frame *f, int x, int y, int c, double v) {
  if (is_float((int)f->layout)) {
    float s = (float)v;
    memcpy(addr(f, x, y, c), &s, 4);
  } else {
    uint16_t s = (uint16_t)v;
    memcpy(addr(f, x, y, c), &s, 2);
  }
}

static double get(const source_frame *f, int x, int y, int c) {
  if (is_float((int)f->layout)) {
    float s;
    memcpy(&s, addr(f, x, y, c), 4);
    return s;
  }
  uint16_t s;
  memcpy(&s, addr(f, x, y, c), 2);
  return s;
}

static uint32_t hash(uint32_t v) {
  v ^= v >> 16, v *= 0x7feb352d, v ^= v >> 15, v *= 0x846ca68b, v ^= v >> 16;
  return v;
}

/* Random samples, with the extremes now and then; floats partly outside [0, 1]. */
static void fill_random(const source_frame *f, uint32_t seed) {
  for (int y = 0; y < f->height; y++)
    for (int x = 0; x < f->width; x++)
      for (int c = 0; c < channels((int)f->layout); c++) {
        uint32_t r = hash(seed ^ hash((uint32_t)(y * 7919 + x) * 4 + (uint32_t)c));
        double v = r % 16 == 0 ? 0 : r % 16 == 1 ? 65535 : r >> 16;
        put(f, x, y, c, is_float((int)f->layout) ? (r % 16 == 2 ? -0.25 : r % 16 == 3 ? 1.5 : v / 65535.0) : v);
      }
}

/* ------------------------------------------------------------------ the double reference */

static double kr_of(enum AVColorSpace cs) {
  return cs == AVCOL_SPC_BT709 ? 0.2126 : cs == AVCOL_SPC_BT2020_NCL ? 0.2627 : 0.299;
}
static double kb_of(enum AVColorSpace cs) {
  return cs == AVCOL_SPC_BT709 ? 0.0722 : cs == AVCOL_SPC_BT2020_NCL ? 0.0593 : 0.114;
}

static double norm(const source_frame *f, int x, int y, int c) {
  double v = get(f, x, y, c);
  if (!is_float((int)f->layout)) return v / 65535;
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

static int quant(double v, int depth) {
  double q = floor(v + 0.5), top = (1 << depth) - 1;
  return (int)(q < 0 ? 0 : q > top ? top : q);
}

/* The exact value, before rounding and clipping, of plane p (0 Y, 1 U, 2 V, 3 A) at (x, y) (chroma
 * coordinates for 4:2:0 U and V). */
static double exact(const source_frame *f, const fmt *d, enum AVColorSpace cs, int full, int p, int x, int y) {
  int n = d->depth;
  double q = 1 << (n - 8), top = (1 << n) - 1, kr = kr_of(cs), kb = kb_of(cs), kg = 1 - kr - kb;
  if (p == 3) return (int)f->layout == PE_RGBA64 ? get(f, x, y, 3) / 65535 * top : top;
  double rgb[3] = {0, 0, 0};
  int x0 = x, y0 = y, nx = 1, ny = 1;
  if (p > 0 && d->sub) {
    x0 = 2 * x, y0 = 2 * y;
    nx = x0 + 1 < f->width ? 2 : 1, ny = y0 + 1 < f->height ? 2 : 1;
  }
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++)
      for (int c = 0; c < 3; c++) rgb[c] += norm(f, x0 + i, y0 + j, c) / (nx * ny);
  double luma = kr * rgb[0] + kg * rgb[1] + kb * rgb[2];
  if (p == 0) return full ? top * luma : q * (16 + 219 * luma);
  double pc = p == 1 ? (rgb[2] - luma) / (2 * (1 - kb)) : (rgb[0] - luma) / (2 * (1 - kr));
  return full ? (1 << (n - 1)) + top * pc : q * (128 + 224 * pc);
}

static int reference(const source_frame *f, const fmt *d, enum AVColorSpace cs, int full, int p, int x, int y) {
  return quant(exact(f, d, cs, full, p, x, y), d->depth);
}

/* ------------------------------------------------------------------ reading the output */

static AVFrame *frame_new(const fmt *d, int w, int h) {
  AVFrame *out = av_frame_alloc();
  CHECK(out);
  out->format = d->format, out->width = w, out->height = h;
  CHECK(av_frame_get_buffer(out, 0) == 0);
  return out;
}

static int out_code(const AVFrame *out, const fmt *d, int p, int x, int y) {
  int plane = p, bytes = d->depth > 8 ? 2 : 1;
  if (d->nv && p > 0) plane = 1, x = 2 * x + (p == 2);
  const uint8_t *row = out->data[plane] + (ptrdiff_t)y * out->linesize[plane];
  if (bytes == 1) return row[x];
  int v = AV_RL16(row + 2 * x);
  if (d->nv) {
    CHECK_EQ_INT(v & 63, 0);
    return v >> 6;
  }
  return v;
}

typedef struct tally {
  long wrong, total; /* samples that differ from the reference, samples compared */
  double margin;     /* the largest distance of a differing sample's exact value from its rounding boundary */
} tally;

/* The largest difference from the reference over every plane, counted into t (may be NULL). */
static int max_error(const source_frame *f, const AVFrame *out, const fmt *d, enum AVColorSpace cs, int full,
                     tally *t) {
  int worst = 0;
  for (int p = 0; p < 3 + d->alpha; p++) {
    int sub = p == 1 || p == 2 ? d->sub : 0;
    int pw = sub ? (f->width + 1) / 2 : f->width, ph = sub ? (f->height + 1) / 2 : f->height;
    for (int y = 0; y < ph; y++)
      for (int x = 0; x < pw; x++) {
        double v = exact(f, d, cs, full, p, x, y);
        int e = abs(out_code(out, d, p, x, y) - quant(v, d->depth));
        if (e > worst) worst = e;
        if (!t) continue;
        t->total++;
        if (!e) continue;
        t->wrong++;
        double margin = fabs(v - floor(v) - 0.5);
        if (margin > t->margin) t->margin = margin;
      }
  }
  return worst;
}

static AVFrame *convert_ok(pe_wide_kernel kernel, const source_frame *f, const fmt *d, enum AVColorSpace cs,
                           int full) {
  AVFrame *out = frame_new(d, f->width, f->height);
  char err[256] = "";
  int ret = pe_wide_convert_with(kernel, f, out, cs, full, err, sizeof err);
  CHECK_MSG(ret == 0, "%s -> %s: %s", layout_names[f->layout - PE_RGB48], av_get_pix_fmt_name(d->format), err);
  return out;
}

enum { NUM_KERNELS = sizeof kernels / sizeof *kernels };

/* Converts f every way (formats, matrices, ranges, kernels); fails past 1 code value. per[kernel][format]
 * gets the largest error of each, and t[kernel] the counts, when not NULL. */
static void check_all(const source_frame *f, int per[NUM_KERNELS][NUM_FMTS], tally t[NUM_KERNELS]) {
  for (int i = 0; i < NUM_FMTS; i++)
    for (size_t s = 0; s < sizeof spaces / sizeof *spaces; s++)
      for (int full = 0; full < 2; full++)
        for (int k = 0; k < NUM_KERNELS; k++) {
          AVFrame *out = convert_ok(kernels[k], f, fmt_at(i), spaces[s], full);
          int e = max_error(f, out, fmt_at(i), spaces[s], full, t ? &t[k] : NULL);
          CHECK_MSG(e <= 1, "%s %dx%d -> %s, %s, %s range, %s kernel: %d code values off",
                    layout_names[f->layout - PE_RGB48], f->width, f->height, av_get_pix_fmt_name(fmt_at(i)->format),
                    av_color_space_name(spaces[s]), full ? "pc" : "tv", k ? "C" : pe_wide_kernel_name(), e);
          if (per && e > per[k][i]) per[k][i] = e;
          av_frame_free(&out);
        }
}

/* ------------------------------------------------------------------ cases */

static void case_matches_reference(void) {
  printf("max error vs the double reference (3 matrices x 2 ranges), 131x45 random frame\n");
  printf("%-24s", "layout, kernel");
  for (int i = 0; i < NUM_FMTS; i++) printf(" %s", av_get_pix_fmt_name(fmt_at(i)->format));
  printf("\n");
  for (int l = 0; l < 4; l++) {
    test_src t;
    src_new(&t, layouts[l], 131, 45, (frame_opts){0});
    fill_random(&t.f, (uint32_t)l + 1);
    int per[NUM_KERNELS][NUM_FMTS] = {{0}};
    tally n[NUM_KERNELS] = {{0, 0, 0}};
    check_all(&t.f, per, n);
    for (int k = 0; k < NUM_KERNELS; k++) {
      printf("%-15s %-8s", layout_names[l], k ? "C" : pe_wide_kernel_name());
      for (int i = 0; i < NUM_FMTS; i++)
        printf(" %*d", (int)strlen(av_get_pix_fmt_name(fmt_at(i)->format)), per[k][i]);
      printf("   %ld of %ld samples off by 1, within %.1e of a rounding boundary\n", n[k].wrong, n[k].total,
             n[k].margin);
      /* float32 arithmetic: only values that (nearly) tie can round the other way */
      CHECK_MSG(n[k].margin < 1e-3, "a sample off by 1 is %g code values from its rounding boundary", n[k].margin);
    }
    free(t.mem);
  }
}

static void case_ramp_keeps_10_bits(void) {
  const fmt *d = fmt_at(3); /* yuv444p10le */
  for (int l = 0; l < 4; l++) {
    test_src t;
    src_new(&t, layouts[l], 1024, 2, (frame_opts){0});
    for (int y = 0; y < 2; y++)
      for (int x = 0; x < 1024; x++)
        for (int c = 0; c < channels(layouts[l]); c++)
          put(&t.f, x, y, c, is_float(layouts[l]) ? x / 1023.0 : floor(x * 65535.0 / 1023 + 0.5));
    for (size_t k = 0; k < 2; k++) {
      AVFrame *out = convert_ok(kernels[k], &t.f, d, AVCOL_SPC_BT709, 0);
      int seen[1024] = {0}, levels = 0;
      for (int x = 0; x < 1024; x++) {
        int v = out_code(out, d, 0, x, 0);
        CHECK(v >= 64 && v <= 940);
        levels += !seen[v]++;
      }
      printf("%s ramp of 1024 levels -> yuv444p10le tv: %d luma levels (%s kernel)\n", layout_names[l], levels,
             k ? "C" : pe_wide_kernel_name());
      CHECK_GT(levels, 700);
      av_frame_free(&out);
    }
    free(t.mem);
  }
}

static void case_nan_named(void) {
  /* (37, 5): inside the vector loop of a 67-wide row; (66, 34): the C tail of the last, odd row */
  static const int where[][3] = {{37, 5, 1}, {66, 34, 2}, {0, 0, 0}};
  for (size_t n = 0; n < 3; n++)
    for (int i = 0; i < NUM_FMTS; i++)
      for (size_t k = 0; k < 2; k++) {
        test_src t;
        src_new(&t, PE_RGB_PLANAR_F32, 67, 35, (frame_opts){0});
        fill_random(&t.f, 9);
        put(&t.f, where[n][0], where[n][1], where[n][2], NAN);
        put(&t.f, 66, 34, 0, NAN); /* a later one is not the one named */
        AVFrame *out = frame_new(fmt_at(i), 67, 35);
        char err[256] = "", want[64];
        CHECK_EQ_INT(pe_wide_convert_with(kernels[k], &t.f, out, AVCOL_SPC_BT709, 0, err, sizeof err),
                     AVERROR_INVALIDDATA);
        snprintf(want, sizeof want, "NaN in channel %c at pixel (%d, %d)", "RGB"[where[n][2]], where[n][0],
                 where[n][1]);
        if (n == 1) snprintf(want, sizeof want, "NaN in channel R at pixel (66, 34)");
        CHECK_STREQ(err, want);
        av_frame_free(&out);
        free(t.mem);
      }
}

static void case_floats_clamped(void) {
  static const double low[] = {-0.25, -1e30, -INFINITY, -0.0, -1e-30}, high[] = {1.0000001, 1.5, 1e30, INFINITY};
  int w = 40, h = 4; /* columns past 32 for the C tail */
  test_src a, b;
  src_new(&a, PE_RGB_PLANAR_F32, w, h, (frame_opts){0});
  src_new(&b, PE_RGB_PLANAR_F32, w, h, (frame_opts){0});
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < 3; c++) {
        int hi = (x + y + c) % 2;
        put(&a.f, x, y, c, hi ? high[(x + c) % 4] : low[(x + c) % 5]);
        put(&b.f, x, y, c, hi);
      }
  for (int i = 0; i < NUM_FMTS; i++)
    for (int full = 0; full < 2; full++)
      for (size_t k = 0; k < 2; k++) {
        AVFrame *oa = convert_ok(kernels[k], &a.f, fmt_at(i), AVCOL_SPC_BT2020_NCL, full);
        AVFrame *ob = convert_ok(kernels[k], &b.f, fmt_at(i), AVCOL_SPC_BT2020_NCL, full);
        CHECK_EQ_INT(max_error(&a.f, oa, fmt_at(i), AVCOL_SPC_BT2020_NCL, full, NULL), 0);
        for (int p = 0; p < 3; p++)
          for (int y = 0; y < (p && fmt_at(i)->sub ? h / 2 : h); y++)
            for (int x = 0; x < (p && fmt_at(i)->sub ? w / 2 : w); x++)
              CHECK_EQ_INT(out_code(oa, fmt_at(i), p, x, y), out_code(ob, fmt_at(i), p, x, y));
        av_frame_free(&oa);
        av_frame_free(&ob);
      }
  free(a.mem);
  free(b.mem);
}

static void case_odd_sizes(void) {
  static const int sizes[][2] = {{1, 1}, {1, 2}, {2, 1}, {3, 3}, {17, 5}, {33, 9}, {47, 3}};
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
    for (int l = 0; l < 4; l++) {
      test_src t;
      src_new(&t, layouts[l], sizes[s][0], sizes[s][1], (frame_opts){0});
      fill_random(&t.f, (uint32_t)(s * 4 + l));
      check_all(&t.f, NULL, NULL);
      free(t.mem);
    }
}

/* The same frame laid out with padding, unaligned or upside down converts to the same bytes. */
static void case_strides_with_padding(void) {
  static const frame_opts opts[] = {{0, 64, 0, 0}, {2, 6, 0, 0}, {6, 3, 1, 0}, {0, 0, 0, 1}, {4, 10, 3, 1}};
  int w = 37, h = 7;
  for (int l = 0; l < 4; l++) {
    test_src dense;
    src_new(&dense, layouts[l], w, h, (frame_opts){0});
    fill_random(&dense.f, 77);
    for (size_t o = 0; o < sizeof opts / sizeof *opts; o++) {
      test_src t;
      src_new(&t, layouts[l], w, h, opts[o]);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          for (int c = 0; c < channels(layouts[l]); c++) put(&t.f, x, y, c, get(&dense.f, x, y, c));
      for (int i = 0; i < NUM_FMTS; i++)
        for (size_t k = 0; k < 2; k++) {
          AVFrame *a = convert_ok(kernels[k], &dense.f, fmt_at(i), AVCOL_SPC_BT709, 1);
          AVFrame *b = convert_ok(kernels[k], &t.f, fmt_at(i), AVCOL_SPC_BT709, 1);
          for (int p = 0; p < 3 + fmt_at(i)->alpha; p++) {
            int sub = (p == 1 || p == 2) && fmt_at(i)->sub;
            for (int y = 0; y < (sub ? (h + 1) / 2 : h); y++)
              for (int x = 0; x < (sub ? (w + 1) / 2 : w); x++)
                CHECK_MSG(out_code(a, fmt_at(i), p, x, y) == out_code(b, fmt_at(i), p, x, y),
                          "%s, strides %lld %lld %lld: plane %d (%d, %d)", layout_names[l],
                          (long long)t.f.strides[0], (long long)t.f.strides[1], (long long)t.f.strides[2], p, x, y);
          }
          av_frame_free(&a);
          av_frame_free(&b);
        }
      free(t.mem);
    }
    free(dense.mem);
  }
}

static void case_alpha_exact(void) {
  test_src t;
  src_new(&t, PE_RGBA64, 256, 256, (frame_opts){0});
  for (int y = 0; y < 256; y++)
    for (int x = 0; x < 256; x++)
      for (int c = 0; c < 4; c++) put(&t.f, x, y, c, c == 3 ? (uint32_t)(y * 256 + x) : hash((uint32_t)(y * 256 + x)) >> 16);
  for (int i = 0; i < NUM_FMTS; i++) {
    if (!fmt_at(i)->alpha) continue;
    AVFrame *out = convert_ok(PE_WIDE_AUTO, &t.f, fmt_at(i), AVCOL_SPC_BT709, 0);
    for (int y = 0; y < 256; y++)
      for (int x = 0; x < 256; x++)
        CHECK_EQ_INT(out_code(out, fmt_at(i), 3, x, y), reference(&t.f, fmt_at(i), AVCOL_SPC_BT709, 0, 3, x, y));
    av_frame_free(&out);
  }
  free(t.mem);
}

/* swscale (FFmpeg's own conversion, the generic path's settings) agrees within a few code values. */
static void case_close_to_swscale(void) {
  static const enum AVPixelFormat sws_src[] = {AV_PIX_FMT_RGB48LE, AV_PIX_FMT_RGBA64LE, AV_PIX_FMT_GBRP16LE,
                                               AV_PIX_FMT_GBRPF32LE};
  int w = 64, h = 32;
  for (int l = 0; l < 4; l++) {
    test_src t;
    src_new(&t, layouts[l], w, h, (frame_opts){0});
    for (int y = 0; y < h; y++) /* smooth content: swscale's 4:2:0 filter is not exactly the 2x2 mean */
      for (int x = 0; x < w; x++)
        for (int c = 0; c < channels(layouts[l]); c++) {
          double v = (0.5 + 0.45 * sin(0.05 * x * (c + 1) + 0.11 * y)) * (c == 3 ? 1 : 0.98);
          put(&t.f, x, y, c, is_float(layouts[l]) ? v : floor(v * 65535));
        }
    const uint8_t *planes[4] = {t.f.data};
    int strides[4] = {(int)t.f.strides[0]};
    if (l >= 2) { /* G, B, R */
      planes[0] = t.f.data + t.f.strides[0], planes[1] = t.f.data + 2 * t.f.strides[0], planes[2] = t.f.data;
      strides[0] = strides[1] = strides[2] = (int)t.f.strides[1];
    }
    for (int i = 0; i < NUM_FMTS; i++)
      for (int full = 0; full < 2; full++) {
        const fmt *d = fmt_at(i);
        AVFrame *ours = convert_ok(PE_WIDE_AUTO, &t.f, d, AVCOL_SPC_BT709, full), *theirs = frame_new(d, w, h);
        struct SwsContext *sws = sws_getContext(w, h, sws_src[l], w, h, d->format,
                                                SWS_AREA | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, NULL, NULL, NULL);
        CHECK(sws);
        const int *table = sws_getCoefficients(SWS_CS_ITU709);
        sws_setColorspaceDetails(sws, table, 1, table, full, 0, 1 << 16, 1 << 16);
        CHECK(sws_scale(sws, planes, strides, 0, h, theirs->data, theirs->linesize) == h);
        /* swscale's tv range at n > 8 bits spans (2^n - 1) / 255 per 8-bit level where BT.709 / BT.2020 (and
         * wide.h) take 2^(n - 8): 10-bit white is 943, not 940, blue's Cb 962, not 960. Ours are compared
         * through that scale, about black (Y) and the middle (U, V). */
        double to_sws = full || d->depth == 8 ? 1 : ((1 << d->depth) - 1) / (255.0 * (1 << (d->depth - 8)));
        double pivot[4] = {16 << (d->depth - 8), 1 << (d->depth - 1), 1 << (d->depth - 1), 0};
        double worst[4] = {0};
        for (int p = 0; p < 3 + d->alpha; p++) {
          int sub = (p == 1 || p == 2) && d->sub;
          for (int y = 0; y < (sub ? h / 2 : h); y++)
            for (int x = 0; x < (sub ? w / 2 : w); x++) {
              double mapped = pivot[p] + (out_code(ours, d, p, x, y) - pivot[p]) * (p == 3 ? 1 : to_sws);
              double e = fabs(mapped - out_code(theirs, d, p, x, y));
              if (e > worst[p]) worst[p] = e;
            }
        }
        /* 2 code values: swscale dithers 16-bit input down to 8 bits, and rounds in its own fixed point */
        double tol = 2;
        CHECK_MSG(worst[0] <= tol && worst[1] <= tol && worst[2] <= tol && worst[3] <= tol,
                  "%s -> %s %s: off by Y %.2f U %.2f V %.2f A %.2f", layout_names[l], av_get_pix_fmt_name(d->format),
                  full ? "pc" : "tv", worst[0], worst[1], worst[2], worst[3]);
        sws_freeContext(sws);
        av_frame_free(&ours);
        av_frame_free(&theirs);
      }
    free(t.mem);
  }
}

static void case_bad_arguments(void) {
  test_src t;
  src_new(&t, PE_RGB48, 16, 8, (frame_opts){0});
  char err[256];
  AVFrame *out = frame_new(fmt_at(0), 16, 8);
  CHECK_EQ_INT(pe_wide_convert(&t.f, out, AVCOL_SPC_BT2020_CL, 0, err, sizeof err), AVERROR(EINVAL));
  CHECK_CONTAINS(err, "colour space bt2020c");
  CHECK_EQ_INT(pe_wide_convert(&t.f, out, AVCOL_SPC_BT709, 2, err, sizeof err), AVERROR(EINVAL));
  CHECK_CONTAINS(err, "full_range 2");
  out->width = 15;
  CHECK_EQ_INT(pe_wide_convert(&t.f, out, AVCOL_SPC_BT709, 0, err, sizeof err), AVERROR(EINVAL));
  CHECK_CONTAINS(err, "rgb48 frame 16x8 into a yuv420p frame 15x8");
  out->width = 16;
  out->format = AV_PIX_FMT_YUV422P;
  CHECK_EQ_INT(pe_wide_convert(&t.f, out, AVCOL_SPC_BT709, 0, err, sizeof err), AVERROR(EINVAL));
  CHECK_CONTAINS(err, "pixel format yuv422p is not one of");
  out->format = AV_PIX_FMT_YUV420P;
  t.f.layout = POLYENC_RGB24;
  CHECK_EQ_INT(pe_wide_convert(&t.f, out, AVCOL_SPC_BT709, 0, err, sizeof err), AVERROR(EINVAL));
  CHECK_CONTAINS(err, "layout 1 is not rgb48");
  t.f.layout = (polyenc_layout)PE_RGB48;
  CHECK_EQ_INT(pe_wide_convert(&t.f, out, AVCOL_SPC_BT709, 0, NULL, 0), 0);
  CHECK(pe_wide_can_produce(AV_PIX_FMT_P010LE) && !pe_wide_can_produce(AV_PIX_FMT_NV12));
  av_frame_free(&out);
  free(t.mem);
}
