/* Helpers of the native bench programs: a monotonic clock, a whole file read into memory, and one
 * line of JSON with the timing (wall and CPU seconds) on standard output (read by bench/suite/). */
#ifndef POLYENC_BENCH_UTIL_H
#define POLYENC_BENCH_UTIL_H
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of every thread of the process: its ratio to bench_now's wall time is how many cores the timed
 * work kept busy. */
static inline double bench_cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The whole file, or exits naming it. */
static inline unsigned char *bench_read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(1);
  }
  fclose(f);
  /* one read of every page before any timing: on some virtual machines the first read of freshly written
   * memory runs at a tenth of the speed of the next, and the tools read inputs of different sizes */
  volatile unsigned char sum = 0;
  for (long i = 0; i < n; i += 64) sum += buf[i];
  (void)sum;
  *size = (size_t)n;
  return buf;
}

/* "WxH" into w and h, or exits. */
static inline void bench_parse_size(const char *s, int *w, int *h) {
  if (sscanf(s, "%dx%d", w, h) != 2 || *w <= 0 || *h <= 0) {
    fprintf(stderr, "bad size '%s' (WxH)\n", s);
    exit(2);
  }
}

static inline void bench_die(const char *what, const char *detail) {
  fprintf(stderr, "%s: %s\n", what, detail ? detail : "");
  exit(1);
}
#endif
