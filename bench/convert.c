/* Host colour conversion at 1080p: the libyuv path (BT.601) against swscale (BT.709, where libyuv has
 * no exact conversion; swscale's cost does not depend on the matrix), per input layout, to yuv420p.
 * Prints the median time per frame of 9 rounds of 20 frames. Usage: polyenc_bench_convert [W H] */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/frame.h>

#include "platform.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median_ms(enum AVColorSpace cs, polyenc_layout layout, const uint8_t *rgb, int w, int h) {
  conversion conv = {AV_PIX_FMT_YUV420P, cs, 0, w, h};
  cpu_converter *c;
  AVFrame *f = av_frame_alloc();
  f->format = AV_PIX_FMT_YUV420P, f->width = w, f->height = h;
  if (pe_cpu_converter_new(&conv, &c) < 0 || av_frame_get_buffer(f, 0) < 0) exit(1);
  int bpp = layout == POLYENC_RGB24 ? 3 : 4;
  source_frame src = {layout, rgb, {(int64_t)w * bpp, bpp, 1}, w, h};
  if (layout == POLYENC_RGB_PLANAR) src.strides[0] = (int64_t)w * h, src.strides[1] = w, src.strides[2] = 1;
  double rounds[9];
  for (int r = 0; r < 9; r++) {
    double t0 = now();
    for (int i = 0; i < 20; i++)
      if (pe_cpu_convert(c, &src, f) < 0) exit(1);
    rounds[r] = (now() - t0) * 1000 / 20;
  }
  qsort(rounds, 9, sizeof *rounds, compare);
  pe_cpu_converter_free(c);
  av_frame_free(&f);
  return rounds[4];
}

int main(int argc, char **argv) {
  int w = argc > 2 ? atoi(argv[1]) : 1920, h = argc > 2 ? atoi(argv[2]) : 1080;
  uint8_t *rgb = malloc((size_t)w * h * 4);
  for (size_t i = 0; i < (size_t)w * h * 4; i++) rgb[i] = (uint8_t)(i * 7 + i / 4096);
  static const struct { polyenc_layout layout; const char *name; } layouts[] = {
      {POLYENC_RGB24, "rgb24"}, {POLYENC_RGBA, "rgba"}, {POLYENC_BGRA, "bgra"}, {POLYENC_RGB_PLANAR, "rgb-planar"}};
  printf("%dx%d -> yuv420p, ms per frame (median of 9 x 20 frames)\n", w, h);
  printf("%-11s %16s %18s %8s\n", "layout", "libyuv (bt601)", "swscale (bt709)", "speedup");
  for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++) {
    double fast = median_ms(AVCOL_SPC_SMPTE170M, layouts[i].layout, rgb, w, h);
    double slow = median_ms(AVCOL_SPC_BT709, layouts[i].layout, rgb, w, h);
    printf("%-11s %16.2f %18.2f %7.1fx\n", layouts[i].name, fast, slow, slow / fast);
  }
  free(rgb);
  return 0;
}
