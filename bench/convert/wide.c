/* High-depth RGB -> YUV at 1080p (platform/cpu/wide.c) against swscale from the matching FFmpeg source
 * format (rgb48le, rgba64le, gbrp16le, gbrpf32le; the generic path's flags), BT.709 tv range, into
 * yuv420p10le and yuv420p. Prints ms per frame, the median of `rounds` rounds of `frames` frames each (the
 * three timed in turn within a round), and swscale's time over ours; the plain C kernel's time too (what
 * the wasm build and non-x86 hosts run).
 * Usage: polyenc_bench_convert_wide [W H [rounds [frames]]] */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "cpu/wide.h"

enum { MAX_ROUNDS = 31 };

static int W = 1920, H = 1080, ROUNDS = 9, FRAMES = 10;

/* The thread's CPU time: time the process waits for a core on a busy machine is not counted (on an idle
 * one it is the wall time). */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void die(const char *what, const char *why) {
  fprintf(stderr, "polyenc_bench_convert_wide: %s: %s\n", what, why);
  exit(1);
}

typedef struct job {
  pe_wide_kernel kernel;
  source_frame src;
  struct SwsContext *sws; /* NULL: ours */
  const uint8_t *planes[4];
  int strides[4];
  AVFrame *dst;
} job;

static void run_once(job *j) {
  if (j->sws) {
    if (sws_scale(j->sws, j->planes, j->strides, 0, H, j->dst->data, j->dst->linesize) != H) die("sws_scale", "failed");
    return;
  }
  char err[256];
  if (pe_wide_convert_with(j->kernel, &j->src, j->dst, AVCOL_SPC_BT709, 0, err, sizeof err) < 0)
    die("pe_wide_convert", err);
}

static double median(double *v) {
  qsort(v, (size_t)ROUNDS, sizeof *v, compare);
  return v[ROUNDS / 2];
}

/* Times the jobs in turn within each round (so that a busy machine slows them alike): ms per frame, the
 * median of the rounds, into ms[]. */
static void time_jobs(job *jobs, int n, double *ms) {
  double t[3][MAX_ROUNDS];
  for (int i = 0; i < n; i++) run_once(&jobs[i]); /* warm-up: page faults, swscale's first-use tables */
  for (int r = 0; r < ROUNDS; r++)
    for (int i = 0; i < n; i++) {
      double t0 = now();
      for (int f = 0; f < FRAMES; f++) run_once(&jobs[i]);
      t[i][r] = (now() - t0) * 1000 / FRAMES;
    }
  for (int i = 0; i < n; i++) ms[i] = median(t[i]);
}

int main(int argc, char **argv) {
  if (argc > 2) W = atoi(argv[1]), H = atoi(argv[2]);
  if (argc > 3) ROUNDS = atoi(argv[3]);
  if (argc > 4) FRAMES = atoi(argv[4]);
  if (W <= 0 || H <= 0 || ROUNDS < 1 || ROUNDS > MAX_ROUNDS || FRAMES < 1) die("usage", "[W H [rounds [frames]]]");
  static const struct {
    int layout;
    const char *name;
    enum AVPixelFormat sws_format;
  } layouts[] = {{PE_RGB48, "rgb48", AV_PIX_FMT_RGB48LE},
                 {PE_RGBA64, "rgba64", AV_PIX_FMT_RGBA64LE},
                 {PE_RGB_PLANAR16, "rgb-planar16", AV_PIX_FMT_GBRP16LE},
                 {PE_RGB_PLANAR_F32, "rgb-planar-f32", AV_PIX_FMT_GBRPF32LE}};
  static const enum AVPixelFormat targets[] = {AV_PIX_FMT_YUV420P10LE, AV_PIX_FMT_YUV420P};
  size_t plane = (size_t)W * H, bytes = plane * 16;
  uint8_t *data = malloc(bytes);
  if (!data) die("malloc", "out of memory");
  printf("%dx%d, BT.709 tv, CPU ms per frame (median of %d rounds x %d frames); kernel: %s\n", W, H, ROUNDS, FRAMES,
         pe_wide_kernel_name());
  printf("%-15s %-12s %9s %9s %9s %8s\n", "layout", "format", "polyenc", "C kernel", "swscale", "speedup");
  for (size_t l = 0; l < sizeof layouts / sizeof *layouts; l++) {
    int lay = layouts[l].layout, is_float = lay == PE_RGB_PLANAR_F32, nc = lay == PE_RGBA64 ? 4 : 3;
    /* a smooth gradient with noise: every sample in range */
    for (size_t i = 0; i < plane * 4; i++) {
      double v = ((i * 2654435761u) >> 7 & 1023) / 4096.0 + (double)(i % 3000) / 4000.0;
      if (is_float) ((float *)data)[i] = (float)v;
      else ((uint16_t *)data)[i] = (uint16_t)(v * 65535);
    }
    job j = {PE_WIDE_AUTO, {(polyenc_layout)lay, data, {0}, W, H}, NULL, {data}, {0}, NULL};
    int sample = is_float ? 4 : 2;
    if (nc == 4 || lay == PE_RGB48) {
      j.src.strides[0] = (int64_t)W * nc * 2, j.src.strides[1] = nc * 2, j.src.strides[2] = 2;
      j.strides[0] = W * nc * 2;
    } else { /* swscale's planar RGB is G, B, R */
      j.src.strides[0] = (int64_t)plane * sample, j.src.strides[1] = (int64_t)W * sample, j.src.strides[2] = sample;
      j.planes[0] = data + plane * sample, j.planes[1] = data + 2 * plane * sample, j.planes[2] = data;
      j.strides[0] = j.strides[1] = j.strides[2] = W * sample;
    }
    for (size_t t = 0; t < sizeof targets / sizeof *targets; t++) {
      job jobs[3] = {j, j, j}; /* ours (the kernel the CPU picks), ours with the C kernel, swscale */
      jobs[1].kernel = PE_WIDE_PLAIN_C;
      AVFrame *dst = av_frame_alloc();
      if (!dst) die("av_frame_alloc", "out of memory");
      dst->format = targets[t], dst->width = W, dst->height = H;
      if (av_frame_get_buffer(dst, 0) < 0) die("av_frame_get_buffer", "failed");
      jobs[2].sws = sws_getContext(W, H, layouts[l].sws_format, W, H, targets[t],
                                   SWS_AREA | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, NULL, NULL, NULL);
      if (!jobs[2].sws) die("sws_getContext", av_get_pix_fmt_name(layouts[l].sws_format));
      const int *table = sws_getCoefficients(SWS_CS_ITU709);
      sws_setColorspaceDetails(jobs[2].sws, table, 1, table, 0, 0, 1 << 16, 1 << 16);
      for (int i = 0; i < 3; i++) jobs[i].dst = dst;
      double ms[3];
      time_jobs(jobs, 3, ms);
      printf("%-15s %-12s %9.2f %9.2f %9.2f %7.1fx\n", layouts[l].name, av_get_pix_fmt_name(targets[t]), ms[0], ms[1],
             ms[2], ms[2] / ms[0]);
      fflush(stdout);
      sws_freeContext(jobs[2].sws);
      av_frame_free(&dst);
    }
  }
  free(data);
  return 0;
}
