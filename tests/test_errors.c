/* Every bad input: the exact status, a message (polyenc_last_error) that names the parameter as
 * spelled in the header and the offending value, and the encoder still usable where the header
 * says so. Only the parameter name and the value are checked in a message, never other wording. */
#define _XOPEN_SOURCE 700
#include <strings.h>

#include "helpers.h"

#define CASES(X)                                   \
  X(width_zero, QUICK)                             \
  X(width_negative, QUICK)                         \
  X(height_zero, QUICK)                            \
  X(height_negative, QUICK)                        \
  X(width_above_codec_limit, QUICK)                \
  X(height_above_codec_limit, QUICK)               \
  X(frame_rate_zero, QUICK)                        \
  X(frame_rate_negative, QUICK)                    \
  X(frame_rate_nan, QUICK)                         \
  X(frame_rate_inf, QUICK)                         \
  X(odd_width_420, QUICK)                          \
  X(odd_height_420, QUICK)                         \
  X(unknown_codec, QUICK)                          \
  X(unknown_pixel_format, QUICK)                   \
  X(pixel_format_not_for_codec, QUICK)             \
  X(unknown_preset, QUICK)                         \
  X(unknown_container, QUICK)                      \
  X(unknown_format_name, QUICK)                    \
  X(unknown_option_key, QUICK)                     \
  X(unknown_audio_option_key, QUICK)               \
  X(codec_options_routed, QUICK)                   \
  X(muxer_option_faststart, QUICK)                 \
  X(crf_negative, QUICK)                           \
  X(crf_too_high, QUICK)                           \
  X(frames_wrong_height, QUICK)                    \
  X(frames_wrong_width, QUICK)                     \
  X(frames_layout_out_of_range, QUICK)             \
  X(frames_num_frames_negative, QUICK)             \
  X(frames_null_data, QUICK)                       \
  X(frames_null_data_zero_frames_ok, QUICK)        \
  X(samples_wrong_channel_count, QUICK)            \
  X(samples_nan_rejected_whole_chunk, QUICK)       \
  X(samples_inf_rejected_whole_chunk, QUICK)       \
  X(samples_null_data, QUICK)                      \
  X(samples_negative_count, QUICK)                 \
  X(samples_layout_out_of_range, QUICK)            \
  X(num_channels_zero, QUICK)                      \
  X(num_channels_ten, QUICK)                       \
  X(sample_rate_zero, QUICK)                       \
  X(sample_rate_negative, QUICK)                   \
  X(sample_rate_unsupported_opus, QUICK)           \
  X(sample_rate_unsupported_mp3, QUICK)            \
  X(out_sample_rate_unsupported_opus, QUICK)       \
  X(open_twice, QUICK)                             \
  X(open_no_stream, QUICK)                         \
  X(add_stream_after_open, QUICK)                  \
  X(data_before_open, QUICK)                       \
  X(data_after_close, QUICK)                       \
  X(open_after_close, QUICK)                       \
  X(path_in_missing_directory, QUICK)              \
  X(writer_fails_during_frames, QUICK)             \
  X(writer_fails_at_close, QUICK)                  \
  X(writer_seek_fails, QUICK)                      \
  X(close_twice_ok, QUICK)                         \
  X(free_null_ok, QUICK)                           \
  X(free_without_close, QUICK)                     \
  X(free_before_open, QUICK)                       \
  X(null_pointers, QUICK)                          \
  X(version_and_status_names, QUICK)               \
  X(has_encoder, QUICK)                            \
  X(output_state_errors, QUICK)                    \
  X(last_error_lifecycle, QUICK)
CHECK_MAIN(CASES)

enum { W = 64, H = 48 };

static int contains_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (const char *p = hay; *p; p++)
    if (strncasecmp(p, needle, n) == 0) return 1;
  return 0;
}

/* The last message names `param` (exact spelling) and `value` (case-insensitive, NULL: none). */
static void expect_message(polyenc_encoder *enc, const char *param, const char *value) {
  const char *msg = polyenc_last_error(enc);
  CHECK(msg != NULL);
  CHECK_MSG(msg[0] != 0, "empty message after a failed call");
  if (param) CHECK_CONTAINS(msg, param);
  if (value) CHECK_MSG(contains_ci(msg, value), "message \"%s\" should contain \"%s\"", msg, value);
}

static int status_in(polyenc_status s, polyenc_status a, polyenc_status b) { return s == a || s == b; }

/* A valid video stream can still be added, opened, fed, closed and decoded. */
static void expect_usable(polyenc_encoder *enc, const char *name) {
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_stream *s = add_video_ok(enc, &vc);
  const char *path = tmp_path(name);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  uint8_t *rgb = pattern_frames(W, H, 3);
  add_rgb24_ok(enc, s, rgb, 3, W, H);
  CHECK_OK(enc, polyenc_close(enc));
  free(rgb);
  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), polyenc_stream_index(s), &v), 0);
  CHECK_EQ_INT(v.num_frames, 3);
  video_frames_free(&v);
}

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

/* ---- order of calls ---- */
static void case_open_twice(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, tmp_path("a.mp4"), NULL));
  CHECK_STATUS(enc, polyenc_open_file(enc, tmp_path("b.mp4"), NULL), POLYENC_ERR_STATE);
  expect_message(enc, NULL, NULL);
  CHECK_STATUS(enc, polyenc_open_memory(enc, "mp4"), POLYENC_ERR_STATE);
  CHECK(!file_exists(tmp_path("b.mp4")));
  /* the first output is intact */
  uint8_t *rgb = pattern_frames(W, H, 2);
  add_rgb24_ok(enc, s, rgb, 2, W, H);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_file(tmp_path("a.mp4")), 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, 2);
  video_frames_free(&v);
  free(rgb);
}

static void case_open_no_stream(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  const char *path = tmp_path("none.mp4");
  CHECK_STATUS(enc, polyenc_open_file(enc, path, NULL), POLYENC_ERR_STATE);
  expect_message(enc, NULL, NULL);
  CHECK(!file_exists(path));
  CHECK_STATUS(enc, polyenc_open_memory(enc, "mp4"), POLYENC_ERR_STATE);
  /* still usable */
  expect_usable(enc, "later.mp4");
  polyenc_encoder_free(enc);
}

static void case_add_stream_after_open(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_stream *s = add_video_ok(enc, &vc);
  const char *path = tmp_path("a.mp4");
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_stream *x = NULL;
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &x), POLYENC_ERR_STATE);
  expect_message(enc, NULL, NULL);
  polyenc_audio_config ac = audio_cfg(48000, 2);
  CHECK_STATUS(enc, polyenc_add_audio(enc, &ac, &x), POLYENC_ERR_STATE);
  expect_message(enc, NULL, NULL);
  uint8_t *rgb = pattern_frames(W, H, 2);
  add_rgb24_ok(enc, s, rgb, 2, W, H);
  CHECK_OK(enc, polyenc_close(enc));
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &x), POLYENC_ERR_STATE);
  polyenc_encoder_free(enc);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  CHECK_EQ_INT(info.num_streams, 1);
  free(rgb);
}

static void case_data_before_open(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_audio_config ac = audio_cfg(16000, 1);
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_stream *a = add_audio_ok(enc, &ac);
  uint8_t *rgb = pattern_frames(W, H, 2);
  float s[16] = {0};
  polyenc_frames f = frames_of(rgb, POLYENC_RGB24, 2, W, H);
  CHECK_STATUS(enc, polyenc_add_frames(v, &f), POLYENC_ERR_STATE);
  expect_message(enc, NULL, NULL);
  CHECK_STATUS(enc, polyenc_add_samples(a, s, POLYENC_SAMPLES_PLANAR, 1, 16), POLYENC_ERR_STATE);
  expect_message(enc, NULL, NULL);
  /* then open and feed: fine */
  const char *path = tmp_path("late.mkv");
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  CHECK_OK(enc, polyenc_add_frames(v, &f));
  CHECK_OK(enc, polyenc_add_samples(a, s, POLYENC_SAMPLES_PLANAR, 1, 16));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  video_frames vf;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &vf), 0);
  CHECK_EQ_INT(vf.num_frames, 2);
  video_frames_free(&vf);
  free(rgb);
}

static void case_data_after_close(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_audio_config ac = audio_cfg(16000, 1);
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_stream *a = add_audio_ok(enc, &ac);
  CHECK_OK(enc, polyenc_open_file(enc, tmp_path("a.mkv"), NULL));
  uint8_t *rgb = pattern_frames(W, H, 2);
  float s[16] = {0};
  polyenc_frames f = frames_of(rgb, POLYENC_RGB24, 2, W, H);
  CHECK_OK(enc, polyenc_add_frames(v, &f));
  CHECK_OK(enc, polyenc_close(enc));
  CHECK_STATUS(enc, polyenc_add_frames(v, &f), POLYENC_ERR_STATE);
  expect_message(enc, NULL, NULL);
  CHECK_STATUS(enc, polyenc_add_samples(a, s, POLYENC_SAMPLES_PLANAR, 1, 16), POLYENC_ERR_STATE);
  expect_message(enc, NULL, NULL);
  polyenc_encoder_free(enc);
  free(rgb);
}

static void case_open_after_close(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mp4"));
  CHECK_OK(enc, polyenc_close(enc));
  const char *path = tmp_path("again.mp4");
  CHECK_STATUS(enc, polyenc_open_file(enc, path, NULL), POLYENC_ERR_STATE);
  expect_message(enc, NULL, NULL);
  CHECK(!file_exists(path));
  polyenc_encoder_free(enc);
}

static void case_path_in_missing_directory(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  add_video_ok(enc, &vc);
  const char *path = tmp_path("no_such_dir/out.mp4");
  CHECK_STATUS(enc, polyenc_open_file(enc, path, NULL), POLYENC_ERR_IO);
  expect_message(enc, NULL, "no_such_dir");
  polyenc_encoder_free(enc);
}

/* ---- output failures ---- */
typedef struct failing_sink {
  size_t written, limit;
  int writes_after_failure;
  int failed;
  int seek_fails;
} failing_sink;

static int failing_write(void *opaque, const uint8_t *data, size_t size) {
  (void)data;
  failing_sink *f = opaque;
  if (f->failed) f->writes_after_failure++;
  if (f->written + size > f->limit) {
    f->failed = 1;
    return -1;
  }
  f->written += size;
  return 0;
}

static int64_t failing_seek(void *opaque, int64_t offset, int whence) {
  failing_sink *f = opaque;
  if (f->seek_fails) return -1;
  (void)whence;
  return offset; /* not used: only for seek_fails */
}

/* After the first POLYENC_ERR_IO every call returns POLYENC_ERR_IO. */
static void expect_failed_for_good(polyenc_encoder *enc, polyenc_stream *v, const uint8_t *rgb, int w, int h) {
  polyenc_frames f = frames_of(rgb, POLYENC_RGB24, 1, w, h);
  CHECK_STATUS(enc, polyenc_add_frames(v, &f), POLYENC_ERR_IO);
  expect_message(enc, NULL, NULL);
  CHECK_STATUS(enc, polyenc_close(enc), POLYENC_ERR_IO);
  CHECK_STATUS(enc, polyenc_close(enc), POLYENC_ERR_IO);
  CHECK_STATUS(enc, polyenc_add_frames(v, &f), POLYENC_ERR_IO);
  const uint8_t *d;
  size_t n;
  CHECK(polyenc_output(enc, &d, &n) != POLYENC_OK);
}

static void case_writer_fails_during_frames(void) {
  const int w = 160, h = 120, n = 40;
  uint8_t *rgb = malloc((size_t)w * h * 3 * n);
  random_bytes(rgb, (size_t)w * h * 3 * n, 7); /* noise: big packets, the I/O buffer fills early */
  failing_sink sink = {0, 100000, 0, 0, 0};
  polyenc_writer wr = {&sink, failing_write, NULL};
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(w, h, 25);
  vc.preset = "ultrafast";
  polyenc_stream *v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_writer(enc, &wr, "mp4"));
  polyenc_status st = POLYENC_OK;
  int i;
  for (i = 0; i < n && st == POLYENC_OK; i++) {
    polyenc_frames f = frames_of(rgb + (size_t)w * h * 3 * i, POLYENC_RGB24, 1, w, h);
    st = polyenc_add_frames(v, &f);
  }
  if (st == POLYENC_OK) st = polyenc_close(enc);
  CHECK_MSG(st == POLYENC_ERR_IO, "first failure was %s after %d frames (\"%s\")", polyenc_status_name(st), i,
            polyenc_last_error(enc));
  CHECK(sink.failed);
  expect_message(enc, NULL, NULL);
  expect_failed_for_good(enc, v, rgb, w, h);
  polyenc_encoder_free(enc);
  free(rgb);
}

static void case_writer_fails_at_close(void) {
  /* a few small frames stay in the I/O buffer: the failure comes from close */
  uint8_t *rgb = pattern_frames(W, H, 4);
  failing_sink sink = {0, 200, 0, 0, 0};
  polyenc_writer wr = {&sink, failing_write, NULL};
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_status st = polyenc_open_writer(enc, &wr, "mp4");
  if (st == POLYENC_OK) st = polyenc_add_frames(v, &(polyenc_frames){.data = rgb, .layout = POLYENC_RGB24, .num_frames = 4, .height = H, .width = W});
  if (st == POLYENC_OK) st = polyenc_close(enc);
  CHECK_MSG(st == POLYENC_ERR_IO, "got %s (\"%s\")", polyenc_status_name(st), polyenc_last_error(enc));
  expect_message(enc, NULL, NULL);
  expect_failed_for_good(enc, v, rgb, W, H);
  polyenc_encoder_free(enc);
  free(rgb);
}

static void case_writer_seek_fails(void) {
  /* a seekable writer whose seek fails: a normal mp4 needs to seek back at close */
  uint8_t *rgb = pattern_frames(W, H, 4);
  failing_sink sink = {0, (size_t)1 << 30, 0, 0, 1};
  polyenc_writer wr = {&sink, failing_write, failing_seek};
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_status st = polyenc_open_writer(enc, &wr, "mp4");
  if (st == POLYENC_OK) st = polyenc_add_frames(v, &(polyenc_frames){.data = rgb, .layout = POLYENC_RGB24, .num_frames = 4, .height = H, .width = W});
  if (st == POLYENC_OK) st = polyenc_close(enc);
  CHECK_MSG(st == POLYENC_ERR_IO, "got %s (\"%s\")", polyenc_status_name(st), polyenc_last_error(enc));
  expect_message(enc, NULL, NULL);
  CHECK_STATUS(enc, polyenc_close(enc), POLYENC_ERR_IO);
  polyenc_encoder_free(enc);
  free(rgb);
}

/* ---- lifecycle ---- */
static void case_close_twice_ok(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_stream *v = add_video_ok(enc, &vc);
  const char *path = tmp_path("twice.mp4");
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  uint8_t *rgb = pattern_frames(W, H, 3);
  add_rgb24_ok(enc, v, rgb, 3, W, H);
  CHECK_OK(enc, polyenc_close(enc));
  size_t n1, n2;
  uint8_t *d1 = read_file(path, &n1);
  CHECK_OK(enc, polyenc_close(enc));
  uint8_t *d2 = read_file(path, &n2);
  CHECK_EQ_INT(n1, n2);
  CHECK(memcmp(d1, d2, n1) == 0);
  polyenc_encoder_free(enc);
  free(d1);
  free(d2);
  free(rgb);
}

static void case_free_null_ok(void) { polyenc_encoder_free(NULL); }

/* free closes an open output first (the header): the file is complete. */
static void case_free_without_close(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_audio_config ac = audio_cfg(48000, 2);
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_stream *a = add_audio_ok(enc, &ac);
  const char *path = tmp_path("unclosed.mp4");
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  uint8_t *rgb = pattern_frames(W, H, 5);
  float *tone = sine_planar(2, 4800, 48000, 440);
  add_rgb24_ok(enc, v, rgb, 5, W, H);
  add_samples_ok(enc, a, tone, 2, 4800);
  polyenc_encoder_free(enc);
  video_frames f;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &f), 0);
  CHECK_EQ_INT(f.num_frames, 5);
  video_frames_free(&f);
  /* and an open memory output */
  enc = polyenc_encoder_new();
  v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mp4"));
  add_rgb24_ok(enc, v, rgb, 5, W, H);
  polyenc_encoder_free(enc);
  free(rgb);
  free(tone);
}

static void case_free_before_open(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_audio_config ac = audio_cfg(48000, 2);
  add_video_ok(enc, &vc);
  add_audio_ok(enc, &ac);
  polyenc_encoder_free(enc);
}

static int null_write(void *o, const uint8_t *d, size_t n) {
  (void)o, (void)d, (void)n;
  return 0;
}

static void case_null_pointers(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_audio_config ac = audio_cfg(48000, 2);
  polyenc_stream *s = NULL;
  CHECK_EQ_INT(polyenc_add_video(NULL, &vc, &s), POLYENC_ERR_ARGUMENT);
  CHECK_EQ_INT(polyenc_add_audio(NULL, &ac, &s), POLYENC_ERR_ARGUMENT);
  CHECK_STATUS(enc, polyenc_add_video(enc, NULL, &s), POLYENC_ERR_ARGUMENT);
  expect_message(enc, NULL, NULL);
  CHECK_STATUS(enc, polyenc_add_audio(enc, NULL, &s), POLYENC_ERR_ARGUMENT);
  expect_message(enc, NULL, NULL);
  polyenc_frames f = frames_of(NULL, POLYENC_RGB24, 0, W, H);
  CHECK_EQ_INT(polyenc_add_frames(NULL, &f), POLYENC_ERR_ARGUMENT);
  float x = 0;
  CHECK_EQ_INT(polyenc_add_samples(NULL, &x, POLYENC_SAMPLES_PLANAR, 1, 1), POLYENC_ERR_ARGUMENT);
  CHECK_EQ_INT(polyenc_open_file(NULL, tmp_path("x.mp4"), NULL), POLYENC_ERR_ARGUMENT);
  CHECK_EQ_INT(polyenc_open_memory(NULL, "mp4"), POLYENC_ERR_ARGUMENT);
  polyenc_writer w = {NULL, null_write, NULL};
  CHECK_EQ_INT(polyenc_open_writer(NULL, &w, "mp4"), POLYENC_ERR_ARGUMENT);
  CHECK_EQ_INT(polyenc_close(NULL), POLYENC_ERR_ARGUMENT);
  const uint8_t *d;
  size_t n;
  CHECK_EQ_INT(polyenc_output(NULL, &d, &n), POLYENC_ERR_ARGUMENT);
  CHECK_STREQ(polyenc_last_error(NULL), "");
  CHECK_EQ_INT(polyenc_stream_index(NULL), -1);

  polyenc_stream *v = add_video_ok(enc, &vc);
  CHECK_STATUS(enc, polyenc_open_file(enc, NULL, NULL), POLYENC_ERR_ARGUMENT);
  expect_message(enc, NULL, NULL);
  CHECK_STATUS(enc, polyenc_open_writer(enc, NULL, "mp4"), POLYENC_ERR_ARGUMENT);
  polyenc_writer no_write = {NULL, NULL, NULL};
  CHECK_STATUS(enc, polyenc_open_writer(enc, &no_write, "mp4"), POLYENC_ERR_ARGUMENT);
  CHECK_STATUS(enc, polyenc_open_writer(enc, &w, NULL), POLYENC_ERR_ARGUMENT);
  CHECK_STATUS(enc, polyenc_open_memory(enc, NULL), POLYENC_ERR_ARGUMENT);
  CHECK_OK(enc, polyenc_open_memory(enc, "mp4"));
  CHECK_STATUS(enc, polyenc_add_frames(v, NULL), POLYENC_ERR_ARGUMENT);
  expect_message(enc, NULL, NULL);
  uint8_t *rgb = pattern_frames(W, H, 1);
  add_rgb24_ok(enc, v, rgb, 1, W, H);
  CHECK_OK(enc, polyenc_close(enc));
  CHECK_STATUS(enc, polyenc_output(enc, NULL, &n), POLYENC_ERR_ARGUMENT);
  CHECK_STATUS(enc, polyenc_output(enc, &d, NULL), POLYENC_ERR_ARGUMENT);
  CHECK_OK(enc, polyenc_output(enc, &d, &n));
  CHECK(n > 0);
  polyenc_encoder_free(enc);
  free(rgb);
}

static void case_version_and_status_names(void) {
  CHECK(polyenc_version() && polyenc_version()[0]);
  const polyenc_status all[] = {POLYENC_OK,        POLYENC_ERR_ARGUMENT, POLYENC_ERR_STATE, POLYENC_ERR_UNSUPPORTED,
                                POLYENC_ERR_IO,    POLYENC_ERR_NOMEM,    POLYENC_ERR_CODEC};
  const char *names[] = {"POLYENC_OK",     "POLYENC_ERR_ARGUMENT", "POLYENC_ERR_STATE", "POLYENC_ERR_UNSUPPORTED",
                         "POLYENC_ERR_IO", "POLYENC_ERR_NOMEM",    "POLYENC_ERR_CODEC"};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) CHECK_STREQ(polyenc_status_name(all[i]), names[i]);
  CHECK_STREQ(polyenc_status_name((polyenc_status)42), "POLYENC_ERR_UNKNOWN");
  CHECK_STREQ(polyenc_status_name((polyenc_status)-100), "POLYENC_ERR_UNKNOWN");
}

static void case_has_encoder(void) {
  CHECK_EQ_INT(polyenc_has_encoder("libx264"), 1);
  CHECK_EQ_INT(polyenc_has_encoder("aac"), 1);
  CHECK_EQ_INT(polyenc_has_encoder("nope"), 0);
  CHECK_EQ_INT(polyenc_has_encoder(""), 0);
  CHECK_EQ_INT(polyenc_has_encoder(NULL), 0);
  CHECK(polyenc_cuda_device_count() >= 0);
}

static void case_output_state_errors(void) {
  const uint8_t *d = NULL;
  size_t n = 0;
  /* a fresh encoder: no memory output */
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_status st = polyenc_output(enc, &d, &n);
  CHECK_MSG(st == POLYENC_ERR_STATE || st == POLYENC_ERR_ARGUMENT, "got %s", polyenc_status_name(st));
  expect_message(enc, NULL, NULL);
  /* a memory output before close: STATE */
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_stream *v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mp4"));
  uint8_t *rgb = pattern_frames(W, H, 2);
  add_rgb24_ok(enc, v, rgb, 2, W, H);
  CHECK_STATUS(enc, polyenc_output(enc, &d, &n), POLYENC_ERR_STATE);
  expect_message(enc, NULL, NULL);
  CHECK_OK(enc, polyenc_close(enc));
  CHECK_OK(enc, polyenc_output(enc, &d, &n));
  CHECK(d && n > 0);
  /* the pointer stays valid until free: read it back */
  video_frames f;
  CHECK_EQ_INT(media_decode_yuv(src_mem(d, n), 0, &f), 0);
  CHECK_EQ_INT(f.num_frames, 2);
  video_frames_free(&f);
  polyenc_encoder_free(enc);
  /* a file encoder after close: STATE or ARGUMENT */
  enc = polyenc_encoder_new();
  v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, tmp_path("f.mp4"), NULL));
  add_rgb24_ok(enc, v, rgb, 2, W, H);
  CHECK_OK(enc, polyenc_close(enc));
  st = polyenc_output(enc, &d, &n);
  CHECK_MSG(st == POLYENC_ERR_STATE || st == POLYENC_ERR_ARGUMENT, "got %s", polyenc_status_name(st));
  expect_message(enc, NULL, NULL);
  polyenc_encoder_free(enc);
  free(rgb);
}

static void case_last_error_lifecycle(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  CHECK_STREQ(polyenc_last_error(enc), "");
  polyenc_video_config bad = video_cfg(-7, H, 25);
  polyenc_stream *s;
  CHECK_STATUS(enc, polyenc_add_video(enc, &bad, &s), POLYENC_ERR_ARGUMENT);
  expect_message(enc, "width", "-7");
  polyenc_encoder_free(enc);
}
