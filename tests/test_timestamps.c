/* Timestamps: the caller's pts (polyenc_frames.pts in the stream's time_base), forced key frames
 * (polyenc_frames.key_frames) and an audio stream's start_time, each a real encode read back with
 * ffprobe (per-frame and per-packet times) and FFmpeg's decoders.
 *
 * Precision: mp4/mov store the given time base exactly (1/1000 -> timescale 16000), Matroska and WebM
 * in milliseconds: the times checked below are multiples of 1 ms, so every container must give them
 * back within 0.5 ms.
 */
#include "helpers.h"

#define CASES(X)                      \
  X(vfr_mp4, QUICK)                   \
  X(vfr_mov, QUICK)                   \
  X(vfr_mkv, QUICK)                   \
  X(vfr_webm, QUICK)                  \
  X(late_start_exact_mp4, QUICK)      \
  X(bframes_mp4_90k, QUICK)           \
  X(mixed_calls_default_time_base, QUICK) \
  X(mixed_calls_ms_mkv, QUICK)        \
  X(no_drift_ms_mp4, QUICK)           \
  X(audio_start_mp4, QUICK)           \
  X(audio_start_mkv, QUICK)           \
  X(audio_start_vs_cli_mp4, QUICK) \
  X(key_frames_x264_mp4, QUICK)       \
  X(key_frames_vp9_webm, QUICK)       \
  X(bad_time_base, QUICK)             \
  X(bad_start_time, QUICK)            \
  X(bad_pts_stream_usable, QUICK)
CHECK_MAIN(CASES)

enum { W = 128, H = 96, MAX_VALUES = 4096 };

/* Every `key=` value of ffprobe's default output, in order; "N/A" reads as NAN. */
static int values_of(const char *text, const char *key, double *out, int max) {
  char buf[64];
  int n = 0;
  while (n < max && kv_get(text, key, n, buf, sizeof buf)) {
    out[n] = strcmp(buf, "N/A") ? atof(buf) : NAN;
    n++;
  }
  return n;
}

static double probe_value(const char *path, const char *args, const char *key) {
  char *p = ffprobe(args, path);
  CHECK(p);
  char buf[64];
  const char *v = kv_get(p, key, 0, buf, sizeof buf);
  CHECK_MSG(v, "no %s in ffprobe output: %s", key, p);
  double d = strcmp(v, "N/A") ? atof(v) : NAN;
  free(p);
  return d;
}

/* Encodes n pattern frames with these pts (NULL: running) into path, one add_frames call. */
static void encode_vfr(const char *path, const polyenc_video_config *vc, const int64_t *pts, const uint8_t *keys,
                       const uint8_t *rgb, int n) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = add_video_ok(enc, vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames f = frames_of(rgb, POLYENC_RGB24, n, W, H);
  f.pts = pts;
  f.key_frames = keys;
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
}

/* Decodes stream 0: n frames, each at seconds[i] (within tol) and showing input frame i. */
static void expect_decoded(const char *path, const uint8_t *rgb, const double *seconds, int n, double tol) {
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  video_frames v;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 0, "bt601", 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, n);
  AVRational tb = info.streams[0].time_base;
  for (int i = 0; i < n; i++) {
    CHECK_NEAR(v.pts[i] * av_q2d(tb), seconds[i], tol);
    double p = psnr_u8(v.data + v.frame_size * i, rgb + (size_t)W * H * 3 * i, v.frame_size);
    CHECK_MSG(p > 28.0, "decoded frame %d is not input frame %d (PSNR %.2f dB)", i, i, p);
  }
  video_frames_free(&v);
}

/* ffprobe's per-frame pts_time of stream 0 equal seconds (within tol), n frames exactly. */
static void expect_frame_times(const char *path, const double *seconds, int n, double tol) {
  char *p = ffprobe("-select_streams v:0 -show_entries frame=pts_time -of default=noprint_wrappers=1", path);
  CHECK(p);
  double t[MAX_VALUES];
  int got = values_of(p, "pts_time", t, MAX_VALUES);
  CHECK_MSG(got == n, "ffprobe shows %d frames, %d given:\n%s", got, n, p);
  for (int i = 0; i < n; i++) CHECK_NEAR(t[i], seconds[i], tol);
  free(p);
}

/* Irregular pts in 1/1000: regular, a gap, a burst, a long gap, regular again. */
enum { VFR_N = 24 };
static const int64_t vfr_ms[VFR_N] = {0,   33,  67,  100, 400, 401, 402, 404,  450,  1200, 1233, 1267,
                                      1300, 1310, 1320, 1330, 2000, 2040, 2080, 2120, 2500, 2501, 2700, 2733};

static void vfr(const char *ext) {
  char name[32];
  snprintf(name, sizeof name, "vfr.%s", ext);
  const char *path = tmp_path(name);
  uint8_t *rgb = pattern_frames(W, H, VFR_N);
  polyenc_video_config vc = video_cfg(W, H, 30);
  vc.time_base_num = 1, vc.time_base_den = 1000;
  encode_vfr(path, &vc, vfr_ms, NULL, rgb, VFR_N);
  double seconds[VFR_N];
  for (int i = 0; i < VFR_N; i++) seconds[i] = vfr_ms[i] / 1000.0;
  expect_frame_times(path, seconds, VFR_N, 0.0005);
  expect_decoded(path, rgb, seconds, VFR_N, 0.0005);
  CHECK_EQ_INT(media_count_packets(src_file(path), 0), VFR_N);
  /* Matroska / WebM store one rate, the nominal one (DefaultDuration): ffprobe shows it as r_frame_rate
   * and avg_frame_rate. MP4 / MOV store none: avg_frame_rate is frames over the sum of the sample
   * durations (dts steps, so lagging by libx264's B-frame delay: 9.23 here for 8.68 over the pts), and
   * r_frame_rate falls back to the time base (libx264's VUI timing is in the stream's time base). */
  char *p = ffprobe("-select_streams v:0 -show_entries stream=r_frame_rate,avg_frame_rate -of default=noprint_wrappers=1",
                    path);
  CHECK(p);
  char r[64], a[64];
  CHECK(kv_get(p, "r_frame_rate", 0, r, sizeof r) && kv_get(p, "avg_frame_rate", 0, a, sizeof a));
  int num = 0, den = 0;
  CHECK_EQ_INT(sscanf(a, "%d/%d", &num, &den), 2);
  double avg = den ? (double)num / den : 0, real = VFR_N / (2.733 + 1 / 30.0); /* the last frame lasts 1/30 s */
  fprintf(stderr, "%s: r_frame_rate %s, avg_frame_rate %s = %.3f (frames / span %.3f)\n", ext, r, a, avg, real);
  if (!strcmp(ext, "mkv") || !strcmp(ext, "webm")) {
    CHECK_STREQ(r, "30/1");
    CHECK_STREQ(a, "30/1");
  } else {
    CHECK_STREQ(r, "1000/1");
    CHECK_NEAR(avg, real, 0.1 * real);
  }
  free(p);
  free(rgb);
}

/* A first pts far from 0 (a camera's clock): mp4's edit list moves every frame by it, in the movie's time
 * scale; at FFmpeg's default 1/1000 s the frames came out up to 1 ms off. */
static void case_late_start_exact_mp4(void) {
  enum { N = 6 };
  const int64_t pts[N] = {1111111, 1114111, 1117111, 1126111, 1129111, 1130000}; /* 1/90000: 12.345678 s on */
  double seconds[N];
  for (int i = 0; i < N; i++) seconds[i] = pts[i] / 90000.0;
  const char *path = tmp_path("late_start.mp4");
  uint8_t *rgb = pattern_frames(W, H, N);
  polyenc_video_config vc = video_cfg(W, H, 30);
  vc.time_base_num = 1, vc.time_base_den = 90000;
  encode_vfr(path, &vc, pts, NULL, rgb, N);
  expect_frame_times(path, seconds, N, 2e-6);
  /* the default time base (1/30): frames 1, 3, 4 */
  const int64_t frames[3] = {1, 3, 4};
  const double at[3] = {1 / 30.0, 3 / 30.0, 4 / 30.0};
  polyenc_video_config cfr = video_cfg(W, H, 30);
  encode_vfr(path, &cfr, frames, NULL, rgb, 3);
  expect_frame_times(path, at, 3, 2e-6);
  free(rgb);
}

static void case_vfr_mp4(void) { vfr("mp4"); }
static void case_vfr_mov(void) { vfr("mov"); }
static void case_vfr_mkv(void) { vfr("mkv"); }
static void case_vfr_webm(void) { vfr("webm"); }

/* libx264's default preset has B-frames: decode order differs from presentation order, dts increase
 * strictly and the composition offsets (mp4 ctts) put every frame back at its pts. */
static void case_bframes_mp4_90k(void) {
  enum { N = 40 };
  const char *path = tmp_path("b.mp4");
  uint8_t *rgb = pattern_frames(W, H, N);
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.codec = "libx264";
  vc.time_base_num = 1, vc.time_base_den = 90000;
  int64_t pts[N];
  double seconds[N];
  for (int i = 0; i < N; i++) { /* 25 fps with jitter and one 0.5 s hole */
    pts[i] = (int64_t)i * 3600 + (i % 3) * 700 + (i >= 20 ? 45000 : 0);
    seconds[i] = pts[i] / 90000.0;
  }
  encode_vfr(path, &vc, pts, NULL, rgb, N);
  char *p = ffprobe("-select_streams v:0 -show_entries packet=pts_time,dts_time -of default=noprint_wrappers=1", path);
  CHECK(p);
  double pt[MAX_VALUES], dt[MAX_VALUES];
  CHECK_EQ_INT(values_of(p, "pts_time", pt, MAX_VALUES), N);
  CHECK_EQ_INT(values_of(p, "dts_time", dt, MAX_VALUES), N);
  int reordered = 0;
  for (int i = 0; i < N; i++) {
    if (i) CHECK_MSG(dt[i] > dt[i - 1], "packet %d: dts %.6f after %.6f", i, dt[i], dt[i - 1]);
    CHECK_MSG(pt[i] >= dt[i] - 1e-9, "packet %d: pts %.6f < dts %.6f", i, pt[i], dt[i]);
    reordered += i && pt[i] < pt[i - 1];
  }
  CHECK_MSG(reordered > 0, "no B-frames: decode order equals presentation order");
  free(p);
  p = ffprobe("-select_streams v:0 -show_entries frame=pict_type -of default=noprint_wrappers=1", path);
  CHECK_CONTAINS(p, "pict_type=B");
  free(p);
  expect_frame_times(path, seconds, N, 1.0 / 90000);
  expect_decoded(path, rgb, seconds, N, 1.0 / 90000);
  free(rgb);
}

/* Calls with pts, without (one nominal frame after the last), and empty calls with key_frames. */
static void mixed_calls(const char *ext, int tb_num, int tb_den, const int *sizes, const int64_t *const *given,
                        int calls, const double *expect, int n) {
  char name[32];
  snprintf(name, sizeof name, "mixed.%s", ext);
  const char *path = tmp_path(name);
  uint8_t *rgb = pattern_frames(W, H, n);
  polyenc_video_config vc = video_cfg(W, H, 30);
  vc.time_base_num = tb_num, vc.time_base_den = tb_den;
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  int done = 0;
  static const uint8_t keys[1] = {1};
  for (int c = 0; c < calls; c++) {
    polyenc_frames f = frames_of(rgb + (size_t)W * H * 3 * done, POLYENC_RGB24, sizes[c], W, H);
    f.pts = given[c];
    if (!sizes[c]) f.key_frames = keys, f.data = NULL; /* num_frames 0: both ignored */
    CHECK_OK(enc, polyenc_add_frames(s, &f));
    done += sizes[c];
  }
  CHECK_EQ_INT(done, n);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  expect_frame_times(path, expect, n, 0.0005);
  expect_decoded(path, rgb, expect, n, 0.0005);
  free(rgb);
}

static void case_mixed_calls_default_time_base(void) {
  static const int64_t b[] = {5, 6, 10}, d[] = {20};
  const int sizes[] = {3, 3, 0, 2, 1, 0};
  const int64_t *const given[] = {NULL, b, NULL, NULL, d, NULL};
  double expect[] = {0, 1, 2, 5, 6, 10, 11, 12, 20};
  for (int i = 0; i < 9; i++) expect[i] /= 30;
  mixed_calls("mp4", 0, 0, sizes, given, 6, expect, 9);
}

/* 1/1000: frames without pts follow the last given one at 30 fps, rounded once (33, 67 ms after it) */
static void case_mixed_calls_ms_mkv(void) {
  static const int64_t b[] = {100, 150}, d[] = {500, 510};
  const int sizes[] = {2, 2, 1, 2, 2};
  const int64_t *const given[] = {NULL, b, NULL, d, NULL};
  double expect[] = {0, 33, 100, 150, 183, 500, 510, 543, 577};
  for (int i = 0; i < 9; i++) expect[i] /= 1000;
  mixed_calls("mkv", 1, 1000, sizes, given, 5, expect, 9);
}

/* 30 fps in a 1/1000 time base, 3000 frames without pts in calls of 7: the last is at 2999 / 30 s = 99.967 s
 * (adding a rounded 33 ms per frame would put it at 98.967 s). */
static void case_no_drift_ms_mp4(void) {
  enum { N = 3000, CALL = 7, SW = 32, SH = 32 }; /* (MAX_VALUES is 4096) */
  const char *path = tmp_path("no_drift.mp4");
  uint8_t *rgb = pattern_frames(SW, SH, CALL);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(SW, SH, 30);
  vc.time_base_num = 1, vc.time_base_den = 1000;
  vc.preset = "ultrafast";
  polyenc_stream *v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  for (int done = 0; done < N;) {
    int n = N - done < CALL ? N - done : CALL;
    polyenc_frames f = frames_of(rgb, POLYENC_RGB24, n, SW, SH);
    CHECK_OK(enc, polyenc_add_frames(v, &f));
    done += n;
  }
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  free(rgb);
  double times[N];
  char *out = ffprobe("-select_streams v:0 -show_entries packet=pts_time", path);
  CHECK(out);
  int n = values_of(out, "pts_time", times, N);
  free(out);
  CHECK_EQ_INT(n, N);
  double last = 0;
  for (int i = 0; i < n; i++) last = times[i] > last ? times[i] : last;
  CHECK_MSG(fabs(last - 2999.0 / 30) < 0.0006, "the last frame is at %.4f s, not %.4f s", last, 2999.0 / 30);
}

/* ---- audio start_time ---- */
enum { RATE = 48000, AUDIO_N = 48000 + 333 };

/* 1 s of video from 0 and AUDIO_N samples of audio from start. */
static void encode_av(const char *path, double start) {
  uint8_t *rgb = pattern_frames(W, H, 30);
  float *pcm = sine_planar(1, AUDIO_N, RATE, 440);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 30);
  polyenc_audio_config ac = audio_cfg(RATE, 1);
  ac.start_time = start;
  polyenc_stream *v = add_video_ok(enc, &vc), *a = add_audio_ok(enc, &ac);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  add_rgb24_ok(enc, v, rgb, 30, W, H);
  add_samples_ok(enc, a, pcm, 1, AUDIO_N);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  free(rgb);
  free(pcm);
}

/* The audio stream's start_time and duration, and the first audio packet's pts_time. */
static void audio_times(const char *path, double *start, double *duration, double *first_pts) {
  *start = probe_value(path, "-select_streams a:0 -show_entries stream=start_time -of default=noprint_wrappers=1",
                       "start_time");
  *duration = probe_value(path, "-select_streams a:0 -show_entries stream=duration -of default=noprint_wrappers=1",
                          "duration");
  *first_pts = probe_value(
      path, "-select_streams a:0 -read_intervals %+#1 -show_entries packet=pts_time -of default=noprint_wrappers=1",
      "pts_time");
}

static void audio_start(const char *ext) {
  char name[32];
  snprintf(name, sizeof name, "av.%s", ext);
  const char *path = tmp_path(name);
  encode_av(path, 1.0);
  double start, duration, first;
  audio_times(path, &start, &duration, &first);
  double video_start = probe_value(
      path, "-select_streams v:0 -show_entries stream=start_time -of default=noprint_wrappers=1", "start_time");
  fprintf(stderr, "%s: audio start_time %.6f, first packet %.6f, duration %.6f (%d samples = %.6f s); video start %.6f\n",
          ext, start, first, duration, AUDIO_N, (double)AUDIO_N / RATE, video_start);
  CHECK_NEAR(video_start, 0, 0.0005);
  if (!strcmp(ext, "mp4")) { /* the edit list starts at start_time and hides the priming packet before it */
    CHECK_NEAR(start, 1.0, 0.001);
    CHECK_NEAR(first, 1.0 - 1024.0 / RATE, 0.001);
    CHECK_NEAR(duration, (double)AUDIO_N / RATE, 1024.0 / RATE);
  } else { /* Matroska has no field for aac's priming: its 1024 samples are played before start_time */
    CHECK_NEAR(start, 1.0 - 1024.0 / RATE, 0.001);
    CHECK_NEAR(first, 1.0 - 1024.0 / RATE, 0.001);
  }
  audio_samples s;
  CHECK_EQ_INT(media_decode_audio(src_file(path), 1, &s), 0);
  CHECK_GE(s.num_samples, AUDIO_N);
  CHECK(s.num_samples <= AUDIO_N + 2048);
  audio_samples_free(&s);
}

static void case_audio_start_mp4(void) { audio_start("mp4"); }
static void case_audio_start_mkv(void) { audio_start("mkv"); }

/* start_time 0 and 1 against the ffmpeg CLI on the same raw samples (-itsoffset 1 for 1), in mp4. */
static void case_audio_start_vs_cli_mp4(void) {
  float *pcm = sine_planar(1, AUDIO_N, RATE, 440);
  const char *raw = tmp_path("in.f32");
  CHECK_EQ_INT(write_file(raw, pcm, sizeof *pcm * AUDIO_N), 0);
  for (int k = 0; k < 2; k++) {
    const char *cli = tmp_path(k ? "cli1.mp4" : "cli0.mp4"), *ours = tmp_path(k ? "ours1.mp4" : "ours0.mp4");
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "'%s' -nostdin -v error -y -f lavfi -i testsrc=size=%dx%d:rate=30:duration=1 %s -f f32le -ar %d -ac 1 "
             "-i '%s' -c:v libx264 -pix_fmt yuv420p -c:a aac '%s'",
             ffmpeg_path(), W, H, k ? "-itsoffset 1" : "", RATE, raw, cli);
    CHECK_EQ_INT(run_capture(cmd, NULL), 0);
    encode_av(ours, k);
    double s1, d1, f1, s2, d2, f2;
    audio_times(ours, &s1, &d1, &f1);
    audio_times(cli, &s2, &d2, &f2);
    fprintf(stderr, "start_time %d: polyenc start %.6f duration %.6f first %.6f; ffmpeg start %.6f duration %.6f first "
            "%.6f\n", k, s1, d1, f1, s2, d2, f2);
    /* -itsoffset moves every packet, priming included: the CLI's edit list starts 1024 samples early and
     * lasts 1024 samples more; polyenc's starts at start_time and lasts the samples given */
    double priming = k ? 1024.0 / RATE : 0;
    CHECK_NEAR(s1, s2 + priming, 0.001);
    CHECK_NEAR(d1, d2 - priming, 0.0001);
    CHECK_NEAR(f1, f2, 0.001);
  }
  free(pcm);
}

/* ---- forced key frames ---- */
static void key_frames(const char *ext, const char *codec, const char *const *options) {
  if (!polyenc_has_encoder(codec)) SKIP("encoder not in this FFmpeg");
  enum { N = 40 };
  char name[32];
  snprintf(name, sizeof name, "keys.%s", ext);
  const char *path = tmp_path(name);
  uint8_t *rgb = pattern_frames(W, H, N), keys[N] = {0};
  keys[7] = keys[13] = keys[30] = 1;
  polyenc_video_config vc = video_cfg(W, H, 30);
  vc.codec = codec;
  vc.gop_size = 1000;
  vc.options = options;
  encode_vfr(path, &vc, NULL, keys, rgb, N);
  char *p = ffprobe("-select_streams v:0 -show_entries frame=key_frame,pict_type -of default=noprint_wrappers=1", path);
  CHECK(p);
  double k[MAX_VALUES];
  CHECK_EQ_INT(values_of(p, "key_frame", k, MAX_VALUES), N);
  for (int i = 0; i < N; i++)
    CHECK_MSG((k[i] != 0) == (i == 0 || keys[i]), "frame %d: key_frame=%g, flagged %d", i, k[i], keys[i]);
  free(p);
  p = ffprobe("-select_streams v:0 -show_entries packet=pts,flags -of default=noprint_wrappers=1", path);
  CHECK(p);
  int key_packets = 0;
  char buf[64];
  for (int i = 0; kv_get(p, "flags", i, buf, sizeof buf); i++) key_packets += buf[0] == 'K';
  CHECK_EQ_INT(key_packets, 4);
  free(p);
  free(rgb);
}

static void case_key_frames_x264_mp4(void) {
  static const char *const opts[] = {"x264-params", "scenecut=0", NULL};
  key_frames("mp4", "libx264", opts);
}
static void case_key_frames_vp9_webm(void) { key_frames("webm", "libvpx-vp9", NULL); }

/* ---- bad input ---- */
static void case_bad_time_base(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  const int bad[][2] = {{1, 0}, {0, 1000}, {-1, 1000}, {1, -1000}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    polyenc_video_config vc = video_cfg(W, H, 30);
    vc.time_base_num = bad[i][0], vc.time_base_den = bad[i][1];
    polyenc_stream *s = NULL;
    CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_ARGUMENT);
    char expect[64];
    snprintf(expect, sizeof expect, "got %d/%d", bad[i][0], bad[i][1]);
    CHECK_CONTAINS(polyenc_last_error(enc), "time_base_num and time_base_den");
    CHECK_CONTAINS(polyenc_last_error(enc), expect);
  }
  polyenc_encoder_free(enc);
}

static void case_bad_start_time(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  const double bad[] = {NAN, -1.0, -0.001, INFINITY, 1e300};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    polyenc_audio_config ac = audio_cfg(RATE, 1);
    ac.start_time = bad[i];
    polyenc_stream *s = NULL;
    CHECK_STATUS(enc, polyenc_add_audio(enc, &ac, &s), POLYENC_ERR_ARGUMENT);
    CHECK_CONTAINS(polyenc_last_error(enc), "start_time must be between 0 and 86400 seconds");
  }
  polyenc_encoder_free(enc);
  /* a container that places audio by its samples would lose it: refused at open */
  enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(RATE, 1);
  ac.start_time = 0.5;
  add_audio_ok(enc, &ac);
  CHECK_STATUS(enc, polyenc_open_file(enc, tmp_path("a.wav"), NULL), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "start_time 0.5 (stream 0): container wav places audio by its samples");
  polyenc_encoder_free(enc);
}

/* Rejected pts leave the stream as it was: the next good call continues, and the file decodes. */
static void case_bad_pts_stream_usable(void) {
  const char *path = tmp_path("bad.mkv");
  uint8_t *rgb = pattern_frames(W, H, 8);
  polyenc_video_config vc = video_cfg(W, H, 30);
  vc.time_base_num = 1, vc.time_base_den = 1000;
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames f = frames_of(rgb, POLYENC_RGB24, 3, W, H);

  const int64_t same[] = {0, 10, 10};
  f.pts = same;
  CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pts[2] = 10 is not greater than pts[1] = 10");
  const int64_t down[] = {0, 10, 5};
  f.pts = down;
  CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pts[2] = 5 is not greater than pts[1] = 10");
  const int64_t negative[] = {-5, 10, 20};
  f.pts = negative;
  CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pts[0] = -5");
  const int64_t good[] = {0, 10, 20};
  f.pts = good;
  CHECK_OK(enc, polyenc_add_frames(s, &f)); /* nothing of the rejected calls was taken */

  polyenc_frames g = frames_of(rgb + (size_t)W * H * 3 * 3, POLYENC_RGB24, 2, W, H);
  const int64_t repeat[] = {20, 30};
  g.pts = repeat;
  CHECK_STATUS(enc, polyenc_add_frames(s, &g), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pts[0] = 20 is not greater than 20, the last pts of stream 0");
  const int64_t far[] = {21, INT64_C(1) << 60};
  g.pts = far;
  CHECK_STATUS(enc, polyenc_add_frames(s, &g), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pts[1] = 1152921504606846976");
  CHECK_CONTAINS(polyenc_last_error(enc), "too far for container matroska");
  const int64_t next[] = {21, 30};
  g.pts = next;
  CHECK_OK(enc, polyenc_add_frames(s, &g));

  polyenc_frames none = frames_of(NULL, POLYENC_RGB24, 0, W, H); /* key_frames with num_frames 0: fine */
  static const uint8_t keys[1] = {1};
  none.key_frames = keys;
  none.pts = same;
  CHECK_OK(enc, polyenc_add_frames(s, &none));
  polyenc_frames h = frames_of(rgb + (size_t)W * H * 3 * 5, POLYENC_RGB24, 1, W, H); /* running: 30 + 33 */
  CHECK_OK(enc, polyenc_add_frames(s, &h));
  const int64_t after_running[] = {63};
  h.pts = after_running;
  CHECK_STATUS(enc, polyenc_add_frames(s, &h), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pts[0] = 63 is not greater than 63");
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);

  enc = polyenc_encoder_new(); /* avi writes an empty chunk per tick of a gap: steps stay under 2^16 */
  s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, tmp_path("gap.avi"), NULL));
  const int64_t gap[] = {0, 10, 70000};
  f.pts = gap;
  CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pts[2] = 70000 (after 10, time base 1/1000) is too far for container avi");
  f.pts = good;
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);

  const double expect[] = {0, 0.010, 0.020, 0.021, 0.030, 0.063};
  expect_frame_times(path, expect, 6, 0.0005);
  expect_decoded(path, rgb, expect, 6, 0.0005);

  enc = polyenc_encoder_new(); /* a raw stream has no timestamps to keep */
  s = add_video_ok(enc, &vc);
  if (polyenc_open_file(enc, tmp_path("raw.h264"), NULL) != POLYENC_OK) { /* the bundled FFmpeg has no raw h264 */
    CHECK_CONTAINS(polyenc_last_error(enc), "cannot tell the container from path");
    printf("no raw h264 muxer in this FFmpeg: the raw stream part is not checked\n");
  } else {
    f.pts = good;
    CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT);
    CHECK_CONTAINS(polyenc_last_error(enc), "pts must be NULL for stream 0: container h264 stores no timestamps");
    f.pts = NULL;
    CHECK_OK(enc, polyenc_add_frames(s, &f));
    CHECK_OK(enc, polyenc_close(enc));
  }
  polyenc_encoder_free(enc);
  free(rgb);
}
