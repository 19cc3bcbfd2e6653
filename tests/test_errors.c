/* Every bad config and value: the exact status, a message (polyenc_last_error) that names the parameter as
 * spelled in the header and the offending value, and the encoder still usable where the header says so.
 * Only the parameter name and the value are checked in a message, never other wording. (The calls out of
 * order, failing writers and NULL pointers: test_lifecycle.c.) */
#include "helpers.h"

#define CASES(X)                                  \
  X(width_zero, QUICK)                            \
  X(width_negative, QUICK)                        \
  X(height_zero, QUICK)                           \
  X(height_negative, QUICK)                       \
  X(width_above_codec_limit, QUICK)               \
  X(height_above_codec_limit, QUICK)              \
  X(frame_rate_zero, QUICK)                       \
  X(frame_rate_negative, QUICK)                   \
  X(frame_rate_nan, QUICK)                        \
  X(frame_rate_inf, QUICK)                        \
  X(odd_width_420, QUICK)                         \
  X(odd_height_420, QUICK)                        \
  X(unknown_codec, QUICK)                         \
  X(unknown_pixel_format, QUICK)                  \
  X(pixel_format_not_for_codec, QUICK)            \
  X(unknown_preset, QUICK)                        \
  X(unknown_container, QUICK)                     \
  X(unknown_format_name, QUICK)                   \
  X(unknown_option_key, QUICK)                    \
  X(unknown_audio_option_key, QUICK)              \
  X(codec_options_routed, QUICK)                  \
  X(muxer_option_faststart, QUICK)                \
  X(crf_negative, QUICK)                          \
  X(crf_too_high, QUICK)                          \
  X(frames_wrong_height, QUICK)                   \
  X(frames_wrong_width, QUICK)                    \
  X(frames_layout_out_of_range, QUICK)            \
  X(frames_num_frames_negative, QUICK)            \
  X(frames_null_data, QUICK)                      \
  X(frames_null_data_zero_frames_ok, QUICK)       \
  X(samples_wrong_channel_count, QUICK)           \
  X(samples_nan_rejected_whole_chunk, QUICK)      \
  X(samples_inf_rejected_whole_chunk, QUICK)      \
  X(samples_null_data, QUICK)                     \
  X(samples_negative_count, QUICK)                \
  X(samples_layout_out_of_range, QUICK)           \
  X(num_channels_zero, QUICK)                     \
  X(num_channels_ten, QUICK)                      \
  X(sample_rate_zero, QUICK)                      \
  X(sample_rate_negative, QUICK)                  \
  X(sample_rate_unsupported_opus, QUICK)          \
  X(sample_rate_unsupported_mp3, QUICK)           \
  X(out_sample_rate_unsupported_opus, QUICK)
CHECK_MAIN(CASES)

enum { W = 64, H = 48 };

static int status_in(polyenc_status s, polyenc_status a, polyenc_status b) { return s == a || s == b; }

/* A bad video config: rejected at add_video (then the encoder is still usable) or, where the
 * header allows it (values that need the codec), at open, leaving no file behind. */
static void reject_video(const polyenc_video_config *cfg, int allow_at_open, polyenc_status want1,
                         polyenc_status want2, const char *param, const char *value) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = NULL;
  polyenc_status st = polyenc_add_video(enc, cfg, &s);
  if (st != POLYENC_OK) {
    CHECK_MSG(status_in(st, want1, want2), "add_video returned %s, expected %s (message: \"%s\")",
              polyenc_status_name(st), polyenc_status_name(want1), polyenc_last_error(enc));
    expect_message(enc, param, value);
    expect_usable(enc, "after_reject.mp4");
  } else {
    CHECK_MSG(allow_at_open, "add_video accepted %s=%s", param, value);
    const char *path = tmp_path("rejected.mp4");
    st = polyenc_open_file(enc, path, NULL);
    CHECK_MSG(status_in(st, want1, want2), "open returned %s, expected %s (message: \"%s\")", polyenc_status_name(st),
              polyenc_status_name(want1), polyenc_last_error(enc));
    expect_message(enc, param, value);
    CHECK_MSG(!file_exists(path), "a failed open left %s behind", path);
  }
  polyenc_encoder_free(enc);
}

static void case_width_zero(void) {
  polyenc_video_config c = video_cfg(0, H, 25);
  reject_video(&c, 0, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "width", "0");
}
static void case_width_negative(void) {
  polyenc_video_config c = video_cfg(-5, H, 25);
  reject_video(&c, 0, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "width", "-5");
}
static void case_height_zero(void) {
  polyenc_video_config c = video_cfg(W, 0, 25);
  reject_video(&c, 0, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "height", "0");
}
static void case_height_negative(void) {
  polyenc_video_config c = video_cfg(W, -5, 25);
  reject_video(&c, 0, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "height", "-5");
}
static void case_width_above_codec_limit(void) {
  polyenc_video_config c = video_cfg(100000, H, 25);
  c.codec = "libx264";
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "width", "100000");
}
static void case_height_above_codec_limit(void) {
  polyenc_video_config c = video_cfg(W, 100000, 25);
  c.codec = "libx264";
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "height", "100000");
}
static void case_frame_rate_zero(void) {
  polyenc_video_config c = video_cfg(W, H, 0);
  reject_video(&c, 0, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "frame_rate", "0");
}
static void case_frame_rate_negative(void) {
  polyenc_video_config c = video_cfg(W, H, -1);
  reject_video(&c, 0, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "frame_rate", "-1");
}
static void case_frame_rate_nan(void) {
  polyenc_video_config c = video_cfg(W, H, NAN);
  reject_video(&c, 0, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "frame_rate", "nan");
}
static void case_frame_rate_inf(void) {
  polyenc_video_config c = video_cfg(W, H, INFINITY);
  reject_video(&c, 0, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "frame_rate", "inf");
}
static void case_odd_width_420(void) {
  polyenc_video_config c = video_cfg(63, H, 25);
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "width", "63");
  c.pixel_format = "yuv420p";
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "width", "63");
}
static void case_odd_height_420(void) {
  polyenc_video_config c = video_cfg(W, 47, 25);
  c.pixel_format = "yuv420p";
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "height", "47");
}
static void case_unknown_codec(void) {
  polyenc_video_config c = video_cfg(W, H, 25);
  c.codec = "nope";
  reject_video(&c, 1, POLYENC_ERR_UNSUPPORTED, POLYENC_ERR_UNSUPPORTED, "codec", "nope");
}
static void case_unknown_pixel_format(void) {
  polyenc_video_config c = video_cfg(W, H, 25);
  c.codec = "libx264";
  c.pixel_format = "yuv999p";
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_UNSUPPORTED, "pixel_format", "yuv999p");
  /* the message lists the valid formats */
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s;
  if (polyenc_add_video(enc, &c, &s) == POLYENC_OK) polyenc_open_file(enc, tmp_path("x.mp4"), NULL);
  CHECK_CONTAINS(polyenc_last_error(enc), "yuv420p");
  polyenc_encoder_free(enc);
}
static void case_pixel_format_not_for_codec(void) {
  polyenc_video_config c = video_cfg(W, H, 25);
  c.codec = "libx264";
  c.pixel_format = "rgb24"; /* a real format that libx264 (unlike libx264rgb) does not take */
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_UNSUPPORTED, "pixel_format", "rgb24");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s;
  if (polyenc_add_video(enc, &c, &s) == POLYENC_OK) polyenc_open_file(enc, tmp_path("x.mp4"), NULL);
  CHECK_CONTAINS(polyenc_last_error(enc), "yuv420p");
  polyenc_encoder_free(enc);
}
static void case_unknown_preset(void) {
  polyenc_video_config c = video_cfg(W, H, 25);
  c.codec = "libx264";
  c.preset = "nope";
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "preset", "nope");
  c.codec = NULL; /* codec chosen by the container: checked at open at the latest */
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "preset", "nope");
}
static void case_crf_negative(void) {
  polyenc_video_config c = video_cfg(W, H, 25);
  c.codec = "libx264";
  c.crf = -10;
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "crf", "-10");
}
static void case_crf_too_high(void) {
  polyenc_video_config c = video_cfg(W, H, 25);
  c.codec = "libx264";
  c.crf = 60;
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "crf", "60");
  c.codec = NULL; /* mp4's default: h264 -> libx264 */
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "crf", "60");
}

/* A failing open: the status, the message, and no file left behind. */
static void reject_open(const char *file, const char *format, polyenc_status want1, polyenc_status want2,
                        const char *param, const char *value) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  add_video_ok(enc, &vc);
  const char *path = tmp_path(file);
  polyenc_status st = polyenc_open_file(enc, path, format);
  CHECK_MSG(status_in(st, want1, want2), "open returned %s (message: \"%s\")", polyenc_status_name(st),
            polyenc_last_error(enc));
  expect_message(enc, param, value);
  CHECK_MSG(!file_exists(path), "a failed open left %s behind", path);
  polyenc_encoder_free(enc);
}

static void case_unknown_container(void) {
  reject_open("out.xyz", NULL, POLYENC_ERR_UNSUPPORTED, POLYENC_ERR_ARGUMENT, NULL, "xyz");
}
static void case_unknown_format_name(void) {
  reject_open("out.mp4", "nope", POLYENC_ERR_UNSUPPORTED, POLYENC_ERR_ARGUMENT, NULL, "nope");
}

static void case_unknown_option_key(void) {
  const char *opts[] = {"no_such_option", "1", NULL};
  polyenc_video_config c = video_cfg(W, H, 25);
  c.options = opts;
  reject_video(&c, 1, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, NULL, "no_such_option");
}

static void case_unknown_audio_option_key(void) {
  const char *opts[] = {"bogus_key", "2", NULL};
  polyenc_audio_config ac = audio_cfg(48000, 2);
  ac.options = opts;
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = NULL;
  polyenc_status st = polyenc_add_audio(enc, &ac, &s);
  if (st == POLYENC_OK) {
    const char *path = tmp_path("a.m4a");
    st = polyenc_open_file(enc, path, NULL);
    CHECK(!file_exists(path));
  }
  CHECK_MSG(st == POLYENC_ERR_ARGUMENT, "got %s (\"%s\")", polyenc_status_name(st), polyenc_last_error(enc));
  expect_message(enc, NULL, "bogus_key");
  polyenc_encoder_free(enc);
}

/* Codec private options ("tune", "x264-params") reach the codec. */
static void case_codec_options_routed(void) {
  const char *opts[] = {"tune", "zerolatency", "x264-params", "keyint=5", NULL};
  polyenc_video_config c = video_cfg(W, H, 25);
  c.options = opts;
  const char *path = tmp_path("opts.mp4");
  uint8_t *rgb = pattern_frames(W, H, 12);
  encode_video_file(path, NULL, &c, rgb, 12);
  free(rgb);
  /* keyint=5 reached libx264: keyframes at 0, 5, 10 */
  char *p = ffprobe("-select_streams v:0 -show_entries packet=flags -of csv=p=0", path);
  CHECK(p);
  int keys = 0;
  for (const char *q = p; (q = strchr(q, 'K')); q++) keys++;
  CHECK_MSG(keys == 3, "%d keyframes in 12 frames with keyint=5: %s", keys, p);
  free(p);
}

/* A muxer option ("movflags") reaches the muxer: +faststart puts moov before mdat. */
static void case_muxer_option_faststart(void) {
  const char *opts[] = {"movflags", "+faststart", NULL};
  polyenc_video_config c = video_cfg(W, H, 25);
  c.options = opts;
  const char *path = tmp_path("faststart.mp4");
  uint8_t *rgb = pattern_frames(W, H, 12);
  encode_video_file(path, NULL, &c, rgb, 12);
  free(rgb);
  size_t n;
  uint8_t *d = read_file(path, &n);
  CHECK(d && n > 16);
  const uint8_t *moov = NULL, *mdat = NULL;
  for (size_t i = 4; i + 4 <= n; i++) {
    if (!moov && !memcmp(d + i, "moov", 4)) moov = d + i;
    if (!mdat && !memcmp(d + i, "mdat", 4)) mdat = d + i;
  }
  CHECK(moov && mdat);
  CHECK_MSG(moov < mdat, "movflags=+faststart did not reach the muxer (moov after mdat)");
  free(d);
  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, 12);
  video_frames_free(&v);
}

/* ---- frames ---- */
typedef struct open_video {
  polyenc_encoder *enc;
  polyenc_stream *s;
  const char *path;
  uint8_t *rgb;
} open_video;

static open_video open_video_file(void) {
  open_video o;
  o.enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  o.s = add_video_ok(o.enc, &vc);
  o.path = tmp_path("frames.mp4");
  CHECK_OK(o.enc, polyenc_open_file(o.enc, o.path, NULL));
  o.rgb = pattern_frames(W, H + 2, 4); /* big enough for the wrong-size views */
  return o;
}

/* The rejected call is retried with valid frames: the file has exactly those. */
static void finish_video_file(open_video *o) {
  add_rgb24_ok(o->enc, o->s, o->rgb, 2, W, H);
  CHECK_OK(o->enc, polyenc_close(o->enc));
  polyenc_encoder_free(o->enc);
  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_file(o->path), 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, 2);
  video_frames_free(&v);
  free(o->rgb);
}

static void case_frames_wrong_height(void) {
  open_video o = open_video_file();
  polyenc_frames f = frames_of(o.rgb, POLYENC_RGB24, 1, W, H + 2);
  CHECK_STATUS(o.enc, polyenc_add_frames(o.s, &f), POLYENC_ERR_ARGUMENT);
  expect_message(o.enc, "height", "50");
  finish_video_file(&o);
}

static void case_frames_wrong_width(void) {
  open_video o = open_video_file();
  polyenc_frames f = frames_of(o.rgb, POLYENC_RGB24, 1, W - 2, H);
  CHECK_STATUS(o.enc, polyenc_add_frames(o.s, &f), POLYENC_ERR_ARGUMENT);
  expect_message(o.enc, "width", "62");
  finish_video_file(&o);
}

static void case_frames_layout_out_of_range(void) {
  open_video o = open_video_file();
  polyenc_frames f = frames_of(o.rgb, (polyenc_layout)99, 1, W, H);
  CHECK_STATUS(o.enc, polyenc_add_frames(o.s, &f), POLYENC_ERR_ARGUMENT);
  expect_message(o.enc, "layout", "99");
  finish_video_file(&o);
}

static void case_frames_num_frames_negative(void) {
  open_video o = open_video_file();
  polyenc_frames f = frames_of(o.rgb, POLYENC_RGB24, -1, W, H);
  CHECK_STATUS(o.enc, polyenc_add_frames(o.s, &f), POLYENC_ERR_ARGUMENT);
  expect_message(o.enc, "num_frames", "-1");
  finish_video_file(&o);
}

static void case_frames_null_data(void) {
  open_video o = open_video_file();
  polyenc_frames f = frames_of(NULL, POLYENC_RGB24, 2, W, H);
  CHECK_STATUS(o.enc, polyenc_add_frames(o.s, &f), POLYENC_ERR_ARGUMENT);
  expect_message(o.enc, "data", NULL);
  finish_video_file(&o);
}

static void case_frames_null_data_zero_frames_ok(void) {
  /* num_frames 0 is a no-op (the header), even without data */
  open_video o = open_video_file();
  polyenc_frames f = frames_of(NULL, POLYENC_RGB24, 0, W, H);
  CHECK_OK(o.enc, polyenc_add_frames(o.s, &f));
  finish_video_file(&o);
}

/* ---- samples ---- */
typedef struct open_audio {
  polyenc_encoder *enc;
  polyenc_stream *s;
  const char *path;
} open_audio;

static open_audio open_wav(int channels) {
  open_audio o;
  o.enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(16000, channels);
  o.s = add_audio_ok(o.enc, &ac);
  o.path = tmp_path("samples.wav");
  CHECK_OK(o.enc, polyenc_open_file(o.enc, o.path, NULL));
  return o;
}

static void case_samples_wrong_channel_count(void) {
  open_audio o = open_wav(2);
  float *tone = sine_planar(2, 100, 16000, 440);
  CHECK_STATUS(o.enc, polyenc_add_samples(o.s, tone, POLYENC_SAMPLES_PLANAR, 1, 100), POLYENC_ERR_ARGUMENT);
  expect_message(o.enc, "num_channels", "1");
  CHECK_STATUS(o.enc, polyenc_add_samples(o.s, tone, POLYENC_SAMPLES_PLANAR, 3, 50), POLYENC_ERR_ARGUMENT);
  expect_message(o.enc, "num_channels", "3");
  add_samples_ok(o.enc, o.s, tone, 2, 100); /* retry */
  CHECK_OK(o.enc, polyenc_close(o.enc));
  polyenc_encoder_free(o.enc);
  audio_samples a;
  CHECK_EQ_INT(media_decode_audio(src_file(o.path), 0, &a), 0);
  CHECK_EQ_INT(a.num_samples, 100);
  audio_samples_free(&a);
  free(tone);
}

/* A chunk with one bad value is rejected whole: the file has the chunks before and after only. */
static void bad_value_chunk(float bad, polyenc_sample_layout layout) {
  open_audio o = open_wav(2);
  float *good = sine_planar(2, 300, 16000, 440);
  float chunk[2 * 100];
  for (int i = 0; i < 200; i++) chunk[i] = 0.9f;
  chunk[layout == POLYENC_SAMPLES_PLANAR ? 100 + 50 : 50 * 2 + 1] = bad; /* channel 1, sample 50 */
  float c1[200], c3[200]; /* planar chunks of the 300-sample tone: samples [0,100) and [200,300) */
  for (int c = 0; c < 2; c++)
    for (int i = 0; i < 100; i++) c1[c * 100 + i] = good[c * 300 + i], c3[c * 100 + i] = good[c * 300 + 200 + i];
  add_samples_ok(o.enc, o.s, c1, 2, 100);
  CHECK_STATUS(o.enc, polyenc_add_samples(o.s, chunk, layout, 2, 100), POLYENC_ERR_ARGUMENT);
  expect_message(o.enc, NULL, NULL);
  add_samples_ok(o.enc, o.s, c3, 2, 100);
  CHECK_OK(o.enc, polyenc_close(o.enc));
  polyenc_encoder_free(o.enc);
  audio_samples a;
  CHECK_EQ_INT(media_decode_audio(src_file(o.path), 0, &a), 0);
  CHECK_EQ_INT(a.num_samples, 200);
  for (int c = 0; c < 2; c++)
    for (int i = 0; i < 100; i++) {
      CHECK_NEAR(a.data[c * 200 + i], c1[c * 100 + i], 1e-4);
      CHECK_NEAR(a.data[c * 200 + 100 + i], c3[c * 100 + i], 1e-4);
    }
  audio_samples_free(&a);
  free(good);
}

static void case_samples_nan_rejected_whole_chunk(void) {
  bad_value_chunk(NAN, POLYENC_SAMPLES_PLANAR);
  bad_value_chunk(NAN, POLYENC_SAMPLES_INTERLEAVED);
}

static void case_samples_inf_rejected_whole_chunk(void) {
  bad_value_chunk(INFINITY, POLYENC_SAMPLES_PLANAR);
  bad_value_chunk(-INFINITY, POLYENC_SAMPLES_INTERLEAVED);
}

static void case_samples_null_data(void) {
  open_audio o = open_wav(1);
  CHECK_STATUS(o.enc, polyenc_add_samples(o.s, NULL, POLYENC_SAMPLES_PLANAR, 1, 10), POLYENC_ERR_ARGUMENT);
  expect_message(o.enc, "data", NULL);
  CHECK_OK(o.enc, polyenc_add_samples(o.s, NULL, POLYENC_SAMPLES_PLANAR, 1, 0)); /* empty chunk: no-op */
  CHECK_OK(o.enc, polyenc_close(o.enc));
  polyenc_encoder_free(o.enc);
}

static void case_samples_negative_count(void) {
  open_audio o = open_wav(1);
  float s[4] = {0};
  CHECK_STATUS(o.enc, polyenc_add_samples(o.s, s, POLYENC_SAMPLES_PLANAR, 1, -3), POLYENC_ERR_ARGUMENT);
  expect_message(o.enc, "num_samples", "-3");
  add_samples_ok(o.enc, o.s, s, 1, 4);
  CHECK_OK(o.enc, polyenc_close(o.enc));
  polyenc_encoder_free(o.enc);
}

static void case_samples_layout_out_of_range(void) {
  open_audio o = open_wav(1);
  float s[4] = {0};
  CHECK_STATUS(o.enc, polyenc_add_samples(o.s, s, (polyenc_sample_layout)7, 1, 4), POLYENC_ERR_ARGUMENT);
  expect_message(o.enc, "layout", "7");
  add_samples_ok(o.enc, o.s, s, 1, 4);
  CHECK_OK(o.enc, polyenc_close(o.enc));
  polyenc_encoder_free(o.enc);
}

/* ---- audio config ---- */
static void reject_audio(const polyenc_audio_config *cfg, const char *file, polyenc_status want1,
                         polyenc_status want2, const char *param, const char *value, const char *listed) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = NULL;
  polyenc_status st = polyenc_add_audio(enc, cfg, &s);
  if (st == POLYENC_OK) {
    CHECK_MSG(file != NULL, "add_audio accepted %s=%s", param, value);
    const char *path = tmp_path(file);
    st = polyenc_open_file(enc, path, NULL);
    CHECK_MSG(status_in(st, want1, want2), "open returned %s (message: \"%s\")", polyenc_status_name(st),
              polyenc_last_error(enc));
    expect_message(enc, param, value);
    if (listed) CHECK_CONTAINS(polyenc_last_error(enc), listed);
    CHECK_MSG(!file_exists(path), "a failed open left %s behind", path);
  } else {
    CHECK_MSG(status_in(st, want1, want2), "add_audio returned %s (message: \"%s\")", polyenc_status_name(st),
              polyenc_last_error(enc));
    expect_message(enc, param, value);
    if (listed) CHECK_CONTAINS(polyenc_last_error(enc), listed);
    /* the rejected stream is not there: a valid one gets index 0 */
    polyenc_audio_config ok = audio_cfg(48000, 1);
    polyenc_stream *a = add_audio_ok(enc, &ok);
    CHECK_EQ_INT(polyenc_stream_index(a), 0);
  }
  polyenc_encoder_free(enc);
}

static void case_num_channels_zero(void) {
  polyenc_audio_config c = audio_cfg(48000, 0);
  reject_audio(&c, NULL, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "num_channels", "0", NULL);
}
static void case_num_channels_ten(void) {
  polyenc_audio_config c = audio_cfg(48000, 10);
  reject_audio(&c, NULL, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "num_channels", "10", NULL);
}
static void case_sample_rate_zero(void) {
  polyenc_audio_config c = audio_cfg(0, 2);
  reject_audio(&c, NULL, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "sample_rate", "0", NULL);
}
static void case_sample_rate_negative(void) {
  polyenc_audio_config c = audio_cfg(-44100, 2);
  reject_audio(&c, NULL, POLYENC_ERR_ARGUMENT, POLYENC_ERR_ARGUMENT, "sample_rate", "-44100", NULL);
}
static void case_sample_rate_unsupported_opus(void) {
  polyenc_audio_config c = audio_cfg(12345, 2);
  reject_audio(&c, "tone.ogg", POLYENC_ERR_ARGUMENT, POLYENC_ERR_UNSUPPORTED, "sample_rate", "12345", "48000");
  c.codec = "libopus";
  reject_audio(&c, "tone.ogg", POLYENC_ERR_ARGUMENT, POLYENC_ERR_UNSUPPORTED, "sample_rate", "12345", "48000");
}
static void case_sample_rate_unsupported_mp3(void) {
  polyenc_audio_config c = audio_cfg(12345, 2);
  reject_audio(&c, "tone.mp3", POLYENC_ERR_ARGUMENT, POLYENC_ERR_UNSUPPORTED, "sample_rate", "12345", "44100");
}
static void case_out_sample_rate_unsupported_opus(void) {
  polyenc_audio_config c = audio_cfg(48000, 2);
  c.out_sample_rate = 12345;
  reject_audio(&c, "tone.ogg", POLYENC_ERR_ARGUMENT, POLYENC_ERR_UNSUPPORTED, "sample_rate", "12345", "48000");
}
