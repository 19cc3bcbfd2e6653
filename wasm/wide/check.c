/* The SIMD128 kernel of the deep layouts (platform/cpu/wide_simd128.c) against the plain C kernel
 * (pe_wide_convert_with PE_WIDE_PLAIN_C), built with emcc and run under Node by wasm/wide/run.sh.
 *
 * Random frames (the extremes now and then, floats partly outside [0, 1]) in every layout, into every
 * pixel format, matrix and range, at sizes with odd edges and columns past the last multiple of 16 and
 * at 1920x1080: every sample of every plane compared; fails past 1 code value, prints how many differ.
 * Then a NaN inside the vector columns: both kernels refuse the frame with the same message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/pixdesc.h>

#include "cpu/wide.h"

static const int layouts[] = {PE_RGB48, PE_RGBA64, PE_RGB_PLANAR16, PE_RGB_PLANAR_F32};
static const char *const layout_names[] = {"rgb48", "rgba64", "rgb-planar16", "rgb-planar-f32"};
static const enum AVPixelFormat formats[] = {AV_PIX_FMT_YUV420P,     AV_PIX_FMT_YUV444P,     AV_PIX_FMT_YUV420P10LE,
                                             AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV420P12LE, AV_PIX_FMT_YUV444P12LE,
                                             AV_PIX_FMT_P010LE,      AV_PIX_FMT_YUVA420P,    AV_PIX_FMT_YUVA444P10LE};
static const enum AVColorSpace spaces[] = {AVCOL_SPC_SMPTE170M, AVCOL_SPC_BT709, AVCOL_SPC_BT2020_NCL};
static const int sizes[][2] = {{133, 37}, {50, 4}, {1920, 1080}};

static int failed;

static void die(const char *what) {
  fprintf(stderr, "wide check: %s\n", what);
  exit(1);
}

static uint32_t hash(uint32_t v) {
  v ^= v >> 16, v *= 0x7feb352d, v ^= v >> 15, v *= 0x846ca68b, v ^= v >> 16;
  return v;
}

/* A frame of layout l, w x h, contiguous; samples random with 0, full scale (and -0.25, 1.5 for floats)
 * now and then. */
static source_frame random_frame(int l, int w, int h, uint32_t seed) {
  int is_float = layouts[l] == PE_RGB_PLANAR_F32, nc = layouts[l] == PE_RGBA64 ? 4 : 3;
  int sample = is_float ? 4 : 2;
  size_t n = (size_t)w * h * nc;
  uint8_t *data = malloc(n * (size_t)sample);
  if (!data) die("out of memory");
  for (size_t i = 0; i < n; i++) {
    uint32_t r = hash(seed ^ hash((uint32_t)i));
    double v = r % 16 == 0 ? 0 : r % 16 == 1 ? 65535 : r >> 16;
    if (is_float) ((float *)data)[i] = r % 16 == 2 ? -0.25f : r % 16 == 3 ? 1.5f : (float)(v / 65535.0);
    else ((uint16_t *)data)[i] = (uint16_t)v;
  }
  source_frame f = {(polyenc_layout)layouts[l], data, {0}, w, h};
  if (nc == 4 || layouts[l] == PE_RGB48) f.strides[0] = (int64_t)w * nc * 2, f.strides[1] = nc * 2, f.strides[2] = 2;
  else f.strides[0] = (int64_t)w * h * sample, f.strides[1] = (int64_t)w * sample, f.strides[2] = sample;
  return f;
}

static AVFrame *convert(pe_wide_kernel kernel, const source_frame *f, enum AVPixelFormat format, enum AVColorSpace cs,
                        int full) {
  AVFrame *out = av_frame_alloc();
  if (!out) die("out of memory");
  out->format = format, out->width = f->width, out->height = f->height;
  if (av_frame_get_buffer(out, 0) < 0) die("av_frame_get_buffer failed");
  char err[256] = "";
  if (pe_wide_convert_with(kernel, f, out, cs, full, err, sizeof err) < 0) die(err);
  return out;
}

/* The largest code difference of a and b over every plane; *differ counts the samples that differ,
 * *total those compared. */
static int compare(const AVFrame *a, const AVFrame *b, long *differ, long *total) {
  const AVPixFmtDescriptor *d = av_pix_fmt_desc_get((enum AVPixelFormat)a->format);
  int bytes = d->comp[0].depth > 8 ? 2 : 1, shift = d->comp[0].shift, worst = 0;
  for (int p = 0; p < av_pix_fmt_count_planes((enum AVPixelFormat)a->format); p++) {
    int chroma = p == 1 || p == 2, rows = chroma ? AV_CEIL_RSHIFT(a->height, d->log2_chroma_h) : a->height;
    int n = av_image_get_linesize((enum AVPixelFormat)a->format, a->width, p) / bytes;
    for (int y = 0; y < rows; y++) {
      const uint8_t *ra = a->data[p] + (ptrdiff_t)y * a->linesize[p], *rb = b->data[p] + (ptrdiff_t)y * b->linesize[p];
      for (int x = 0; x < n; x++) {
        int va = bytes == 1 ? ra[x] : AV_RL16(ra + 2 * x) >> shift;
        int vb = bytes == 1 ? rb[x] : AV_RL16(rb + 2 * x) >> shift;
        int e = abs(va - vb);
        if (e > worst) worst = e;
        *differ += e != 0;
      }
      *total += n;
    }
  }
  return worst;
}

static void check_codes(void) {
  printf("SIMD128 kernel vs C kernel: %zu formats x %zu matrices x 2 ranges each\n", sizeof formats / sizeof *formats,
         sizeof spaces / sizeof *spaces);
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
    for (int l = 0; l < 4; l++) {
      source_frame f = random_frame(l, sizes[s][0], sizes[s][1], (uint32_t)(s * 4 + l + 1));
      long differ = 0, total = 0;
      int worst = 0;
      for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        for (size_t m = 0; m < sizeof spaces / sizeof *spaces; m++)
          for (int full = 0; full < 2; full++) {
            AVFrame *a = convert(PE_WIDE_AUTO, &f, formats[i], spaces[m], full);
            AVFrame *b = convert(PE_WIDE_PLAIN_C, &f, formats[i], spaces[m], full);
            int e = compare(a, b, &differ, &total);
            if (e > 1) {
              fprintf(stderr, "FAILED: %s %dx%d -> %s, %s, %s range: %d code values apart\n", layout_names[l],
                      f.width, f.height, av_get_pix_fmt_name(formats[i]), av_color_space_name(spaces[m]),
                      full ? "pc" : "tv", e);
              failed = 1;
            }
            if (e > worst) worst = e;
            av_frame_free(&a);
            av_frame_free(&b);
          }
      printf("  %-15s %4dx%-4d %ld of %ld samples differ, by at most %d\n", layout_names[l], f.width, f.height,
             differ, total, worst);
      free((void *)f.data);
    }
}

static void check_nan(void) {
  source_frame f = random_frame(3, 67, 35, 9);
  ((float *)f.data)[67 * 35 + 5 * 67 + 37] = NAN; /* G at (37, 5): inside the vector columns */
  ((float *)f.data)[67 * 35 - 1] = NAN;           /* R at (66, 34): a later one, not the one named */
  for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
    char err[2][256] = {"", ""};
    int ret[2];
    for (int k = 0; k < 2; k++) {
      AVFrame *out = av_frame_alloc();
      if (!out) die("out of memory");
      out->format = formats[i], out->width = f.width, out->height = f.height;
      if (av_frame_get_buffer(out, 0) < 0) die("av_frame_get_buffer failed");
      ret[k] = pe_wide_convert_with(k ? PE_WIDE_PLAIN_C : PE_WIDE_AUTO, &f, out, AVCOL_SPC_BT709, 0, err[k], 256);
      av_frame_free(&out);
    }
    if (ret[0] >= 0 || ret[0] != ret[1] || strcmp(err[0], err[1]) || !strstr(err[0], "channel G at pixel (37, 5)")) {
      fprintf(stderr, "FAILED: NaN into %s: SIMD128 %d \"%s\", C %d \"%s\"\n", av_get_pix_fmt_name(formats[i]), ret[0],
              err[0], ret[1], err[1]);
      failed = 1;
    }
  }
  printf("NaN at (37, 5): both kernels refuse it with the same message, every format\n");
  free((void *)f.data);
}

int main(void) {
  if (strcmp(pe_wide_kernel_name(), "simd128") != 0) {
    fprintf(stderr, "FAILED: the kernel PE_WIDE_AUTO runs is \"%s\", not \"simd128\"\n", pe_wide_kernel_name());
    return 1;
  }
  check_codes();
  check_nan();
  printf(failed ? "wide check: FAILED\n" : "wide check: passed\n");
  return failed;
}
