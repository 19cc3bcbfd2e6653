/* The long run: one encoder fed FRAMES small frames (64x64 @ 30 fps, ultrafast, content changing
 * every frame) plus the matching audio (24 kHz mono AAC, 800 samples a frame) through a writer that
 * cannot seek (so fragmented MP4) and that counts the bytes, checks they form a sequence of whole
 * MP4 boxes, and drops them. It reports the resident memory (VmRSS) and the open file descriptors
 * at the start, after 1k, 10k and 100k frames and at the end, and fails when
 *  - the descriptors open at the end differ from those at the start, or
 *  - RSS grows by more than RSS_BOUND_MIB between the reference point (frame FRAMES/10) and the
 *    last frame. By then the encoder, the lookahead, the muxer's fragment buffer and the allocator's
 *    arenas have all reached their working size; what still grows is a leak proportional to the
 *    frame count. 8 MiB over the last 90% of 100k frames catches any leak of 94 bytes a frame or
 *    more (an AVPacket or AVFrame struct a frame is several times that), while staying far above
 *    the allocator's noise (well under 1 MiB here).
 *
 *   longrun [FRAMES]     default 100000; exit 0 pass, 1 fail, 77 skip
 *
 * Built with AddressSanitizer the run is cut to 2000 frames and RSS is not bounded (ASan's
 * quarantine holds freed memory on purpose); the descriptor check and LeakSanitizer still apply. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <time.h>

#include "helpers.h"

enum { W = 64, H = 64, FPS = 30, RATE = 24000, SAMPLES_PER_FRAME = RATE / FPS, RSS_BOUND_MIB = 8 };

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* ---- what the process holds ---- */
static long rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long kib = -1;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "VmRSS:", 6)) kib = strtol(line + 6, NULL, 10);
  fclose(f);
  return kib;
}

static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n - 1; /* the directory's own descriptor */
}

/* ---- the writer: counts bytes and walks the top-level MP4 boxes as they stream by ---- */
typedef struct box_counter {
  uint64_t bytes;
  uint64_t box_left;  /* payload bytes of the current box still to come */
  uint8_t header[16]; /* the header being read */
  int header_len, header_need;
  int boxes, moofs, bad;
  char first[5];
} box_counter;

static int count_write(void *opaque, const uint8_t *data, size_t size) {
  box_counter *c = opaque;
  c->bytes += size;
  while (size && !c->bad) {
    if (c->box_left) {
      size_t k = c->box_left < size ? (size_t)c->box_left : size;
      c->box_left -= k, data += k, size -= k;
      continue;
    }
    c->header[c->header_len++] = *data++, size--;
    if (c->header_len < c->header_need) continue;
    uint64_t box = (uint64_t)c->header[0] << 24 | (uint64_t)c->header[1] << 16 | (uint64_t)c->header[2] << 8 |
                   c->header[3];
    if (box == 1 && c->header_need == 8) { /* 64-bit size follows the type */
      c->header_need = 16;
      continue;
    }
    if (c->header_need == 16) {
      box = 0;
      for (int i = 8; i < 16; i++) box = box << 8 | c->header[i];
    }
    if (box < (uint64_t)c->header_need) { /* 0 (to the end) is not written by a streaming muxer */
      c->bad = 1;
      break;
    }
    if (!c->boxes) memcpy(c->first, c->header + 4, 4);
    c->boxes++;
    c->moofs += !memcmp(c->header + 4, "moof", 4);
    c->box_left = box - (uint64_t)c->header_need;
    c->header_len = 0, c->header_need = 8;
  }
  return 0;
}

/* ---- content ---- */
static void make_frame(uint8_t *rgb, int t) {
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      uint8_t *p = rgb + (y * W + x) * 3;
      p[0] = (uint8_t)(x * 4 + t);
      p[1] = (uint8_t)(y * 4 - t * 3);
      p[2] = (uint8_t)((x + y) * 2 + ((x / 8 + y / 8 + t / 15) % 2) * 96);
    }
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct checkpoint {
  const char *name;
  long frame, rss_kib;
  int fds;
  double seconds;
  uint64_t bytes;
} checkpoint;

static void report(const checkpoint *c) {
  printf("%-6s frame %8ld  RSS %7.1f MiB  fds %2d  %7.1f s  %10llu bytes written\n", c->name, c->frame,
         c->rss_kib / 1024.0, c->fds, c->seconds, (unsigned long long)c->bytes);
  fflush(stdout);
}

int main(int argc, char **argv) {
  long frames = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
  if (frames <= 0) {
    fprintf(stderr, "usage: %s [FRAMES > 0]\n", argv[0]);
    return 2;
  }
  if (UNDER_ASAN && frames > 2000) {
    printf("AddressSanitizer build: %ld frames cut to 2000, RSS not bounded\n", frames);
    frames = 2000;
  }
  const long reference = frames / 10;
  static const long marks[] = {1000, 10000, 100000};
  checkpoint cps[8];
  int ncp = 0;
  box_counter counter = {.header_need = 8};
  const double t0 = now_s();
  cps[ncp++] = (checkpoint){"start", 0, rss_kib(), open_fds(), 0, 0};
  report(&cps[0]);

  polyenc_encoder *enc = polyenc_encoder_new();
  CHECK(enc);
  polyenc_video_config vc = video_cfg(W, H, FPS);
  vc.preset = "ultrafast";
  polyenc_audio_config ac = audio_cfg(RATE, 1);
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_stream *a = add_audio_ok(enc, &ac);
  polyenc_writer w = {&counter, count_write, NULL};
  CHECK_OK(enc, polyenc_open_writer(enc, &w, "mp4"));

  uint8_t rgb[W * H * 3];
  float pcm[SAMPLES_PER_FRAME];
  long rss_reference = -1, rss_last = -1;
  for (long i = 0; i < frames; i++) {
    make_frame(rgb, (int)i);
    add_rgb24_ok(enc, v, rgb, 1, W, H);
    for (int k = 0; k < SAMPLES_PER_FRAME; k++) /* a tone whose pitch walks up and down */
      pcm[k] = 0.4f * sinf((float)((i * SAMPLES_PER_FRAME + k) * (200.0 + (i % 300)) * 6.283185307 / RATE));
    add_samples_ok(enc, a, pcm, 1, SAMPLES_PER_FRAME);
    long done = i + 1;
    if (done == reference) rss_reference = rss_kib();
    if (done == frames) rss_last = rss_kib();
    for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++)
      if (done == marks[m]) {
        const char *name = m == 0 ? "1k" : m == 1 ? "10k" : "100k";
        cps[ncp] = (checkpoint){name, done, rss_kib(), open_fds(), now_s() - t0, counter.bytes};
        report(&cps[ncp++]);
      }
  }
  CHECK_OK(enc, polyenc_close(enc));
  double feed_s = now_s() - t0;
  cps[ncp] = (checkpoint){"closed", frames, rss_kib(), open_fds(), feed_s, counter.bytes};
  report(&cps[ncp++]);
  polyenc_encoder_free(enc);
  cps[ncp] = (checkpoint){"freed", frames, rss_kib(), open_fds(), now_s() - t0, counter.bytes};
  report(&cps[ncp++]);

  printf("%ld frames in %.1f s: %.0f frames/s; %llu bytes, %d top-level boxes (first '%s'), %d fragments\n", frames,
         feed_s, frames / feed_s, (unsigned long long)counter.bytes, counter.boxes, counter.first, counter.moofs);
  int failed = 0;
  if (counter.bad || counter.box_left || counter.header_len || strcmp(counter.first, "ftyp") || counter.moofs < 1) {
    printf("FAIL: the output is not a whole fragmented MP4 (bad box %d, %llu bytes missing, first box '%s', "
           "%d fragments)\n",
           counter.bad, (unsigned long long)counter.box_left, counter.first, counter.moofs);
    failed = 1;
  }
  for (int i = 1; i < ncp; i++)
    if (cps[i].fds != cps[0].fds) {
      printf("FAIL: %d file descriptors open at '%s', %d at the start\n", cps[i].fds, cps[i].name, cps[0].fds);
      failed = 1;
    }
  if (!UNDER_ASAN && reference > 0) {
    long growth = rss_last - rss_reference;
    printf("RSS from frame %ld to frame %ld: %+.1f MiB (bound %d MiB)\n", reference, frames, growth / 1024.0,
           RSS_BOUND_MIB);
    if (growth > RSS_BOUND_MIB * 1024L) {
      printf("FAIL: RSS grew by %.1f MiB over %ld frames\n", growth / 1024.0, frames - reference);
      failed = 1;
    }
  }
  printf("%s\n", failed ? "longrun: FAILED" : "longrun: passed");
  return failed;
}
