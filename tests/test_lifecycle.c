/* Calls out of order (before open, after close, twice), writers that fail, NULL pointers, names and the
 * last error's life: the exact status, a message naming the parameter (expect_message), and the encoder
 * still usable or failed for good as the header says. (Bad configs and values: test_errors.c.) */
#include "helpers.h"

#define CASES(X)                                  \
  X(open_twice, QUICK)                            \
  X(open_no_stream, QUICK)                        \
  X(add_stream_after_open, QUICK)                 \
  X(data_before_open, QUICK)                      \
  X(data_after_close, QUICK)                      \
  X(open_after_close, QUICK)                      \
  X(path_in_missing_directory, QUICK)             \
  X(writer_fails_during_frames, QUICK)            \
  X(writer_fails_at_close, QUICK)                 \
  X(writer_seek_fails, QUICK)                     \
  X(close_twice_ok, QUICK)                        \
  X(free_null_ok, QUICK)                          \
  X(free_without_close, QUICK)                    \
  X(free_before_open, QUICK)                      \
  X(null_pointers, QUICK)                         \
  X(version_and_status_names, QUICK)              \
  X(has_encoder, QUICK)                           \
  X(output_state_errors, QUICK)                   \
  X(last_error_lifecycle, QUICK)
CHECK_MAIN(CASES)

enum { W = 64, H = 48 };

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
