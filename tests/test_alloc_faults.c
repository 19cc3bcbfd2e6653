/* Out of memory anywhere: one small encode (new -> video + audio -> open memory (matroska) -> frames ->
 * samples -> close -> output -> free) with its k-th allocation failing, inside polyenc or
 * FFmpeg, for every k from 1 to the number of allocations the encode makes. Every time: no
 * crash, every failing call returns a status with a message, an encode that reports success
 * decodes in full, and polyenc_encoder_free leaves no block behind.
 *
 * The allocator is tests/fault/alloc_fail.c, linked into this program only. Under
 * AddressSanitizer (built without it) and valgrind (which replace the allocator themselves)
 * every case is skipped. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <limits.h>
#include <stdlib.h>

#include "fault/alloc_fail.h"
#include "helpers.h"

#define CASES(X)                   \
  X(interposer_sees_ffmpeg, QUICK) \
  X(every_allocation_fails, SLOW)  \
  X(worker_allocations_fail, SLOW)
CHECK_MAIN(CASES)

enum { W = 64, H = 48, NF = 3, RATE = 48000, NS = 3000 };
/* AUDIO_CODEC_NOTE: the sweep encodes h264 + flac in matroska, not aac: FFmpeg 5.1's aac encoder
 * does not check an allocation of its init (aac_encode_init -> ff_psy_preprocess_init returns NULL,
 * the encoder opens anyway) and dereferences NULL at the first frame (avcodec_send_frame); neither
 * function is exported, so that one site cannot be spared alone. */

static void skip_unless_interposed(void) {
#ifdef POLYENC_NO_ALLOC_FAULTS
  SKIP("built with sanitizers: their allocator replaces the interposer");
#else
  const char *preload = getenv("LD_PRELOAD");
  if (preload && strstr(preload, "vgpreload")) SKIP("under valgrind: its allocator replaces the interposer");
  /* av_malloc is posix_memalign in Debian's libavutil: it must come here */
  alloc_fail_arm(1);
  void *p = av_malloc(64);
  alloc_fail_disarm();
  av_free(p);
  if (p || !alloc_fail_fired()) SKIP("the allocator interposer is not in use");
#endif
}

#ifdef POLYENC_NO_ALLOC_FAULTS
static void case_interposer_sees_ffmpeg(void) { skip_unless_interposed(); }
static void case_every_allocation_fails(void) { skip_unless_interposed(); }
static void case_worker_allocations_fail(void) { skip_unless_interposed(); }
#else

/* The first failing call's status of each run, for the report. */
static int g_by_status[8];
static int g_failed_so_far, g_rerun;

typedef struct run_result {
  int failed_calls;
  int completed; /* every call returned OK */
  uint8_t *output; /* a copy of polyenc_output when completed */
  size_t size;
  long live; /* blocks left after polyenc_encoder_free */
} run_result;

/* A non-OK status must come with a message. */
static int note(polyenc_encoder *enc, polyenc_status st, const char *call, long k) {
  if (st == POLYENC_OK) return 0;
  if (!g_failed_so_far++ && !g_rerun && st < 0 && st > -8) g_by_status[-st]++;
  const char *msg = polyenc_last_error(enc);
  CHECK_MSG(msg && msg[0], "allocation %ld: %s returned %s with no message", k, call, polyenc_status_name(st));
  return 1;
}

/* The encode, with allocation k failing (0: none). Input made outside the armed span. */
static run_result encode(long k, const uint8_t *rgb, const float *pcm, int tolerate_leaks) {
  run_result r = {0, 0, NULL, 0, 0};
  g_failed_so_far = 0;
  alloc_fail_arm(k);
  polyenc_encoder *enc = polyenc_encoder_new();
  if (!enc) { /* documented: NULL only when memory runs out */
    alloc_fail_disarm();
    CHECK_MSG(alloc_fail_fired(), "polyenc_encoder_new returned NULL with memory left");
    r.failed_calls = 1;
    return r;
  }
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.threads = 1; /* one thread: the same allocations in the same order every run */
  vc.preset = "ultrafast";
  polyenc_audio_config ac = audio_cfg(RATE, 1);
  ac.codec = "flac"; /* not aac: see AUDIO_CODEC_NOTE */
  polyenc_stream *v = NULL, *a = NULL;
  polyenc_frames f = frames_of(rgb, POLYENC_RGB24, NF, W, H);
  int failed = 0;
  failed += note(enc, polyenc_add_video(enc, &vc, &v), "add_video", k);
  failed += note(enc, polyenc_add_audio(enc, &ac, &a), "add_audio", k);
  failed += note(enc, polyenc_open_memory(enc, "matroska"), "open_memory", k);
  if (v) failed += note(enc, polyenc_add_frames(v, &f), "add_frames", k);
  if (a) failed += note(enc, polyenc_add_samples(a, pcm, POLYENC_SAMPLES_PLANAR, 1, NS), "add_samples", k);
  polyenc_status closed = polyenc_close(enc);
  failed += note(enc, closed, "close", k);
  const uint8_t *data = NULL;
  size_t size = 0;
  polyenc_status out = polyenc_output(enc, &data, &size);
  failed += note(enc, out, "output", k);
  /* (a failed add_video leaves the encoder usable: the rest may then succeed without that stream) */
  alloc_fail_disarm(); /* (frees are tracked armed or not: free's are seen below) */
  if (!failed) {
    r.output = malloc(size);
    CHECK(r.output);
    memcpy(r.output, data, size);
    r.size = size;
  }
  polyenc_encoder_free(enc);
  r.live = alloc_fail_live();
  r.failed_calls = failed;
  r.completed = !failed;
  if (tolerate_leaks) return r;
  CHECK_MSG(alloc_fail_live() == 0,
            "allocation %ld failing: %ld blocks left after polyenc_encoder_free, the first from allocation %ld "
            "(ALLOC_FAIL_TRAP=that number stops there in a debugger)", k, alloc_fail_live(), alloc_fail_live_number());
  return r;
}

/* A complete encode decodes to every frame and every sample. */
static void check_output(const run_result *r, long k) {
  video_frames vf;
  CHECK_MSG(media_decode_rgb(src_mem(r->output, r->size), 0, "bt601", 0, &vf) == 0,
            "allocation %ld failed, every call succeeded, and the video does not decode", k);
  CHECK_MSG(vf.num_frames == NF, "allocation %ld failed, every call succeeded: %d frames of %d", k, vf.num_frames, NF);
  video_frames_free(&vf);
  audio_samples as;
  CHECK_MSG(media_decode_audio(src_mem(r->output, r->size), 1, &as) == 0,
            "allocation %ld failed, every call succeeded, and the audio does not decode", k);
  CHECK_MSG(as.num_samples == NS,
            "allocation %ld failed, every call succeeded: %lld samples of %d", k,
            (long long)as.num_samples, NS);
  audio_samples_free(&as);
}

static void case_interposer_sees_ffmpeg(void) {
  skip_unless_interposed();
  /* counting only while armed, leaks seen */
  alloc_fail_arm(0);
  void *p = av_malloc(100), *q = av_mallocz(100);
  char *s = av_strdup("x");
  av_free(q);
  CHECK_EQ_INT(alloc_fail_disarm(), 3);
  CHECK_EQ_INT(alloc_fail_live(), 2);
  av_free(p);
  av_free(s);
  CHECK_EQ_INT(alloc_fail_live(), 0);
  /* a failing k-th allocation inside FFmpeg */
  alloc_fail_arm(2);
  p = av_malloc(10), q = av_malloc(10);
  alloc_fail_disarm();
  CHECK(p && !q && alloc_fail_fired());
  av_free(p);
}

static void spare_and_tolerate(void) {
  /* FFmpeg 5.1 aborts on its own out-of-memory paths inside these functions; polyenc cannot
   * recover from an abort, so allocations under them are not made to fail:
   * - avcodec_alloc_context3: init_context_defaults() sets the codec's defaults (libx264's "b",
   *   "g", "bf" ...) with av_opt_set, whose expression parser allocates, and asserts
   *   `ret >= 0` (libavcodec/options.c:142)
   * - x264_encoder_headers, called by libavcodec's X264_init (libavcodec/libx264.c) for the mp4
   *   extradata: it does not check the result (-1 when x264 is out of memory) and reads the NAL
   *   array it never got: a segfault
   * - swr_init (libswresample): succeeds after one of its own allocations failed, and swr_convert
   *   then divides by zero (SIGFPE)
   * - libyuv's RAWToI420 (RGB24 -> yuv420p, platform/cpu/convert.c): mallocs its row buffers
   *   without a check (libyuv's align_buffer_64) and writes through NULL */
  const char *spared[] = {"avcodec_alloc_context3", "x264_encoder_headers", "swr_init", "RAWToI420"};
  for (size_t i = 0; i < sizeof spared / sizeof *spared; i++)
    CHECK_MSG(alloc_fail_spare(spared[i]) == 0, "cannot find %s", spared[i]);
  /* libx264 0.164 leaks on its own out-of-memory paths inside x264_encoder_open and
   * x264_encoder_encode (the blocks it allocated before the failure, e.g. a half-made frame):
   * blocks left that all come from there are not polyenc's */
  const char *leaky[] = {"x264_encoder_open_164", "x264_encoder_encode"};
  for (size_t i = 0; i < sizeof leaky / sizeof *leaky; i++)
    CHECK_MSG(alloc_fail_tolerate_leaks_in(leaky[i]) == 0, "cannot find %s", leaky[i]);
}

static void case_every_allocation_fails(void) {
  skip_unless_interposed();
  spare_and_tolerate();
  uint8_t *rgb = pattern_frames(W, H, NF);
  float *pcm = sine_planar(1, NS, RATE, 440);
  /* The sweep numbers allocations: they must come in the same order every run, so the frames are encoded on
   * this thread, not on the encoder's worker thread (whose allocations interleave with this one's by timing).
   * The worker's own allocations are swept by worker_allocations_fail. */
  CHECK(setenv("POLYENC_ENCODE_THREAD", "0", 1) == 0);
  run_result warm = encode(0, rgb, pcm, 0); /* one-time initialisations of FFmpeg and libc happen here */
  CHECK_MSG(warm.completed, "the encode fails without any allocation failing");
  free(warm.output);
  run_result base = encode(0, rgb, pcm, 0);
  long count = alloc_fail_disarm();
  CHECK_MSG(base.completed, "the encode fails without any allocation failing");
  check_output(&base, 0);
  free(base.output);
  CHECK_GT(count, 100);
  /* `every_allocation_fails A:B`: only allocations A to B fail (to look at one in a debugger) */
  long from = 1, limit = LONG_MAX;
  if (case_arg() && sscanf(case_arg(), "%ld:%ld", &from, &limit) != 2) from = 1, limit = LONG_MAX;
  long completed = 0, not_reached = 0, spared_k = 0, x264_leaks = 0;
  for (long k = from; k <= count && k <= limit; k++) {
    if (getenv("POLYENC_TEST_VERBOSE")) fprintf(stderr, "allocation %ld\n", k);
    run_result r = encode(k, rgb, pcm, 1);
    if (r.live) { /* whose blocks? the same run again, watching them */
      int watched = alloc_fail_watch_live();
      free(r.output);
      g_rerun = 1;
      r = encode(k, rgb, pcm, 1);
      g_rerun = 0;
      CHECK_MSG(alloc_fail_watched_leaky() == watched,
                "allocation %ld failing: %ld blocks left after polyenc_encoder_free, %d of them by libx264, the first "
                "from allocation %ld (ALLOC_FAIL_TRAP=that number stops there in a debugger)", k, r.live,
                alloc_fail_watched_leaky(), alloc_fail_live_number());
      x264_leaks++;
    }
    if (alloc_fail_spared()) spared_k++;
    else if (!alloc_fail_fired()) not_reached++;
    if (r.completed) {
      completed++;
      check_output(&r, k);
    }
    free(r.output);
  }
  CHECK_MSG(not_reached == 0, "%ld of %ld allocation numbers were never reached", not_reached, count);
  printf("%ld allocations in the encode, each made to fail (%ld spared, inside FFmpeg functions that abort): %ld "
         "encodes still completed and decoded in full; after %ld of them libx264 left blocks of its own\n", count, spared_k, completed,
         x264_leaks);
  for (int i = 1; i < 8; i++)
    if (g_by_status[i]) printf("  first failing call returned %s: %d times\n", polyenc_status_name(-i), g_by_status[i]);
  free(rgb);
  free(pcm);
}

/* The same sweep with the encoder's worker thread (src/worker.c) on, whose allocations interleave with this
 * thread's by timing, so that an allocation's number differs from run to run: no crash, a message with every
 * failing call, and an encode that reports success decodes in full. (Blocks left behind are counted by
 * every_allocation_fails, where the numbers hold.) */
static void case_worker_allocations_fail(void) {
  skip_unless_interposed();
  spare_and_tolerate();
  CHECK(setenv("POLYENC_ENCODE_THREAD", "1", 1) == 0); /* a worker for these small frames too */
  uint8_t *rgb = pattern_frames(W, H, NF);
  float *pcm = sine_planar(1, NS, RATE, 440);
  run_result warm = encode(0, rgb, pcm, 1);
  CHECK_MSG(warm.completed, "the encode fails without any allocation failing");
  free(warm.output);
  run_result base = encode(0, rgb, pcm, 1);
  long count = alloc_fail_disarm();
  CHECK_MSG(base.completed, "the encode fails without any allocation failing");
  free(base.output);
  long completed = 0;
  for (long k = 1; k <= count + 20; k++) { /* (a run may allocate a little more than the base did) */
    run_result r = encode(k, rgb, pcm, 1);
    if (r.completed) {
      completed++;
      check_output(&r, k);
    }
    free(r.output);
  }
  printf("worker thread on: %ld allocations, each made to fail: %ld encodes still completed and decoded in full\n",
         count, completed);
  free(rgb);
  free(pcm);
}
#endif
