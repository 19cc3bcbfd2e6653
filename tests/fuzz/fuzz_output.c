/* libFuzzer target: a valid small encode (video and/or audio) into a container chosen by the input
 * (the main ones, or any muxer of this build), through a writer that fails: a write that copies only
 * the bytes before a fuzz-chosen offset and returns an error, a seek that fails at a fuzz-chosen
 * call, or no seek at all (a non-seekable sink), or into memory.
 *
 * Invariants (abort = finding):
 * - every failure has a known status and a non-empty polyenc_last_error;
 * - once a call failed because of the output, every later call fails too (never POLYENC_OK);
 * - a writer that failed never ends in a successful close;
 * - into a main container with an output that never fails, every call succeeds and bytes come out;
 * - polyenc_encoder_free releases everything (LeakSanitizer). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

enum { MAX_CHUNKS = 12, MAX_W = 32, MAX_H = 32 };

/* The main containers; "frag" = mp4 into a writer without seek. */
static const struct {
  const char *format;
  int video, audio;        /* takes a video / an audio stream with its default codec */
  const char *video_codec; /* NULL: the default */
} containers[] = {
    {"mp4", 1, 1, NULL},        {"frag", 1, 1, NULL},          {"mov", 1, 1, NULL},      {"matroska", 1, 1, NULL},
    {"webm", 1, 1, NULL},       {"wav", 0, 1, NULL},           {"ogg", 0, 1, NULL},      {"flac", 0, 1, NULL},
    {"mp3", 0, 1, NULL},        {"avi", 1, 1, NULL},           {"mpegts", 1, 1, NULL},   {"nut", 1, 1, "mpeg4"},
    {"adts", 0, 1, NULL},       {"opus", 0, 1, NULL},          {"ipod", 1, 1, NULL},     {"ismv", 1, 1, NULL},
    {"mkv", 1, 1, "mpeg4"},     {"mp4", 1, 0, "mpeg4"},        {"webm", 1, 0, "vp8"},    {"matroska", 1, 0, "mjpeg"},
    {"mov", 1, 0, "prores_ks"}, {"mpegts", 1, 0, "mpeg2video"}, {"flv", 1, 1, "flv"},    {"ogg", 1, 0, "libtheora"},
};
enum { NUM_CONTAINERS = sizeof containers / sizeof *containers };

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_names_init();
  return 0;
}

typedef struct session {
  polyenc_encoder *enc;
  int failed;    /* a call failed */
  int strict;    /* a main container and an output that never fails */
} session;

/* Checks the invariants of one call's status. */
static void after(session *s, polyenc_status st, const char *call) {
  expect_clean(s->enc, st, call);
  if (st == POLYENC_OK && s->failed) {
    fprintf(stderr, "%s returned POLYENC_OK after an earlier call failed\n", call);
    abort();
  }
  if (st != POLYENC_OK && s->strict) {
    fprintf(stderr, "%s failed on an output that never fails: %s: %s\n", call, polyenc_status_name(st),
            polyenc_last_error(s->enc));
    abort();
  }
  if (st) s->failed = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const fuzz_names *names = fuzz_names_init();
  fuzz_literals_reset();
  fuzz_in in = {data, size};
  /* the container */
  int main_index = -1;
  const char *format;
  uint8_t cmode = in_u8(&in);
  if (cmode < 200) {
    main_index = cmode % NUM_CONTAINERS;
    format = containers[main_index].format;
  } else {
    format = in_name(&in, &names->muxers, 0);
  }
  int frag = format && !strcmp(format, "frag");
  if (frag) format = "mp4";
  /* the streams */
  uint8_t smode = in_u8(&in);
  int want_video = main_index < 0 ? smode & 1 : containers[main_index].video && (smode & 1 || !containers[main_index].audio);
  int want_audio = main_index < 0 ? (smode >> 1) & 1 : containers[main_index].audio && ((smode >> 1) & 1 || !want_video);
  if (!want_video && !want_audio) want_video = 1;
  int w = 2 * in_range(&in, 1, MAX_W / 2), h = 2 * in_range(&in, 1, MAX_H / 2);
  static const int rates[] = {48000, 44100, 16000, 8000};
  int rate = rates[in_range(&in, 0, main_index >= 0 ? 1 : 3)] /* the main containers' codecs take 48000 and 44100 */, channels = in_range(&in, 1, 2);
  /* the sink: 0 memory, 1 seekable writer, 2 writer without seek */
  int sink = frag ? 2 : in_range(&in, 0, 2);
  uint8_t fmode = in_u8(&in);
  int64_t fail_at = sink && fmode < 160 ? (int64_t)in_range(&in, 0, 1 << 16) : -1;
  int fail_seek = sink == 1 && fmode >= 160 && fmode < 220 ? in_range(&in, 0, 6) : -1;
  fault_writer fw;
  fault_writer_init(&fw, fail_at, fail_seek);

  session s = {polyenc_encoder_new(), 0, 0};
  if (!s.enc) abort();
  polyenc_stream *video = NULL, *audio = NULL;
  polyenc_status st = POLYENC_OK;
  if (want_video) {
    polyenc_video_config vc;
    polyenc_video_config_init(&vc);
    vc.width = w, vc.height = h, vc.frame_rate = in_bool(&in) ? 25 : 30000.0 / 1001;
    vc.codec = main_index >= 0 ? containers[main_index].video_codec : NULL;
    vc.threads = 1;
    /* mjpeg opens yuv420p only in full range (its default pixel format is yuv420p in tv range) */
    if (vc.codec && !strcmp(vc.codec, "mjpeg")) vc.color_range = "pc";
    st = polyenc_add_video(s.enc, &vc, &video);
    expect_clean(s.enc, st, "polyenc_add_video");
  }
  if (!st && want_audio) {
    polyenc_audio_config ac;
    polyenc_audio_config_init(&ac);
    ac.sample_rate = rate, ac.num_channels = channels;
    /* containers with a fixed rate list get one they take */
    if (format && (!strcmp(format, "opus") || !strcmp(format, "webm") || !strcmp(format, "ogg"))) ac.out_sample_rate = 48000;
    st = polyenc_add_audio(s.enc, &ac, &audio);
    expect_clean(s.enc, st, "polyenc_add_audio");
  }
  if (st) goto done;

  polyenc_writer writer = fault_writer_api(&fw, sink == 1);
  st = sink ? polyenc_open_writer(s.enc, &writer, format) : polyenc_open_memory(s.enc, format);
  if (getenv("POLYENC_FUZZ_TRACE")) fprintf(stderr, "container %s, %s\n", format ? format : "NULL", sink ? "writer" : "memory");
  expect_clean(s.enc, st, "open");
  if (st) {
    /* a main container may only fail to open because of the writer */
    if (main_index >= 0 && !fw.failed && strcmp(format, "ogg")) {
      fprintf(stderr, "open of %s failed without a writer fault: %s\n", format, polyenc_last_error(s.enc));
      abort();
    }
    goto done;
  }
  s.strict = main_index >= 0 && fail_at < 0 && fail_seek < 0;

  int chunks = in_range(&in, 1, MAX_CHUNKS);
  uint8_t *rgb = malloc((size_t)w * h * 3 * 4);
  float *pcm = malloc(sizeof(float) * 2 * 4096);
  if (!rgb || !pcm) abort();
  int64_t sample_pos = 0;
  int fed = 0; /* frames or samples were given: a successful encode has bytes */
  for (int c = 0; c < chunks; c++) {
    int to_video = video && (!audio || in_bool(&in));
    if (to_video) {
      int n = in_range(&in, 1, 4);
      uint8_t seed = in_u8(&in);
      for (size_t k = 0; k < (size_t)w * h * 3 * n; k++) rgb[k] = (uint8_t)(seed + k * 13 + (k >> 7));
      fed = 1;
      polyenc_frames f = {.data = rgb, .layout = POLYENC_RGB24, .num_frames = n, .width = w, .height = h};
      after(&s, polyenc_add_frames(video, &f), "polyenc_add_frames");
    } else {
      int n = in_range(&in, 0, 4096);
      for (int k = 0; k < n * channels; k++) pcm[k] = 0.5f * sinf(0.05f * (float)(sample_pos * channels + k));
      sample_pos += n;
      fed |= n > 0;
      after(&s, polyenc_add_samples(audio, pcm, POLYENC_SAMPLES_INTERLEAVED, channels, n), "polyenc_add_samples");
    }
  }
  free(rgb);
  free(pcm);
  st = polyenc_close(s.enc);
  after(&s, st, "polyenc_close");
  if (st == POLYENC_OK && fw.failed) {
    fprintf(stderr, "close returned POLYENC_OK although the writer failed\n");
    abort();
  }
  after(&s, polyenc_close(s.enc), "polyenc_close (again)");
  if (!sink && st == POLYENC_OK) {
    const uint8_t *out;
    size_t out_size;
    after(&s, polyenc_output(s.enc, &out, &out_size), "polyenc_output");
    touch_bytes(out, out_size);
    if (s.strict && fed && !out_size) {
      fprintf(stderr, "an encode into %s gave no bytes\n", format);
      abort();
    }
  } else if (sink && s.strict && fed && !fw.size) {
    fprintf(stderr, "an encode into %s gave the writer no bytes\n", format);
    abort();
  }
done:
  polyenc_encoder_free(s.enc);
  fault_writer_free(&fw);
  fuzz_tmp_clean();
  return 0;
}
