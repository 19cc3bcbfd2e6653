/* The polyenc command line tool (path in argv[2]), as described in the CLI section of
 * shared/design/API.md. */
#include "helpers.h"

#define CASES(X)                      \
  X(demo_streams, SLOW)               \
  X(info, QUICK)                      \
  X(encode_from_file, QUICK)          \
  X(encode_from_stdin, QUICK)         \
  X(encode_rgba_layout, QUICK)        \
  X(encode_with_audio, QUICK)         \
  X(encode_codec_options, QUICK)      \
  X(bad_arguments, QUICK)
CHECK_MAIN(CASES)

static const char *cli(void) {
  const char *p = case_arg();
  CHECK_MSG(p && file_exists(p), "the polyenc binary (argv[2]) is missing: %s", p ? p : "(none)");
  return p;
}

/* Runs `polyenc <args>`; stdout into *out, stderr into the file tmp_path("stderr.txt"). */
static int run_cli(const char *args, char **out) {
  char cmd[20000];
  snprintf(cmd, sizeof cmd, "'%s' %s 2>'%s'", cli(), args, tmp_path("stderr.txt"));
  int rc = run_capture(cmd, out);
  return rc;
}

static char *cli_stderr(void) {
  size_t n;
  uint8_t *d = read_file(tmp_path("stderr.txt"), &n);
  if (!d) return calloc(1, 1);
  char *s = realloc(d, n + 1);
  s[n] = 0;
  return s;
}

static int count_frames(const char *path, int stream) {
  char args[256];
  snprintf(args, sizeof args, "-count_frames -select_streams %d -show_entries stream=nb_read_frames -of default=noprint_wrappers=1", stream);
  char *p = ffprobe(args, path);
  CHECK(p);
  char buf[32];
  const char *v = kv_get(p, "nb_read_frames", 0, buf, sizeof buf);
  CHECK_MSG(v, "no nb_read_frames in %s", p);
  int n = atoi(v);
  free(p);
  return n;
}

static void case_demo_streams(void) {
  const char *out = tmp_path("demo.mp4");
  char args[4200], *stdout_text = NULL;
  snprintf(args, sizeof args, "demo '%s'", out);
  int rc = run_cli(args, &stdout_text);
  char *err = cli_stderr();
  CHECK_MSG(rc == 0, "polyenc demo exited %d: %s", rc, err);
  CHECK_MSG(stdout_text && strlen(stdout_text) > 0, "polyenc demo printed nothing (it prints the streams it wrote)");
  free(stdout_text);
  free(err);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(out), &info), 0);
  CHECK_EQ_INT(info.num_streams, 2);
  expect_stream(&info, 0, AVMEDIA_TYPE_VIDEO, "h264");
  expect_stream(&info, 1, AVMEDIA_TYPE_AUDIO, "aac");
  CHECK_EQ_INT(info.streams[0].width, 1280);
  CHECK_EQ_INT(info.streams[0].height, 720);
  CHECK_EQ_INT(info.streams[0].r_frame_rate.num, 30);
  CHECK_EQ_INT(info.streams[0].r_frame_rate.den, 1);
  CHECK_EQ_INT(info.streams[1].sample_rate, 48000);
  CHECK_EQ_INT(info.streams[1].channels, 2);
  char *p = ffprobe("-show_entries format=duration -of default=noprint_wrappers=1", out);
  CHECK(p);
  char buf[64];
  CHECK(kv_get(p, "duration", 0, buf, sizeof buf));
  CHECK_NEAR(atof(buf), 3.0, 0.1);
  free(p);
  CHECK_EQ_INT(count_frames(out, 0), 90);
}

static void case_info(void) {
  char *out = NULL;
  int rc = run_cli("info", &out);
  CHECK_EQ_INT(rc, 0);
  CHECK_CONTAINS(out, "libx264");
  CHECK_CONTAINS(out, polyenc_version());
  free(out);
}

enum { W = 64, H = 48, N = 12 };

static const char *write_raw(int bytes_per_pixel) {
  uint8_t *rgb = pattern_frames(W, H, N);
  const char *path = tmp_path(bytes_per_pixel == 3 ? "in.rgb" : "in.rgba");
  if (bytes_per_pixel == 3) {
    CHECK_EQ_INT(write_file(path, rgb, (size_t)W * H * 3 * N), 0);
  } else {
    uint8_t *rgba = malloc((size_t)W * H * 4 * N);
    for (size_t i = 0; i < (size_t)W * H * N; i++) {
      memcpy(rgba + 4 * i, rgb + 3 * i, 3);
      rgba[4 * i + 3] = 255;
    }
    CHECK_EQ_INT(write_file(path, rgba, (size_t)W * H * 4 * N), 0);
    free(rgba);
  }
  free(rgb);
  return path;
}

static void expect_encoded(const char *out, double min_psnr) {
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(out), &info), 0);
  expect_stream(&info, 0, AVMEDIA_TYPE_VIDEO, "h264");
  CHECK_EQ_INT(info.streams[0].width, W);
  CHECK_EQ_INT(info.streams[0].height, H);
  CHECK_EQ_INT(info.streams[0].r_frame_rate.num, 25);
  CHECK_EQ_INT(info.streams[0].r_frame_rate.den, 1);
  video_frames v;
  CHECK_EQ_INT(media_decode_rgb(src_file(out), 0, "bt601", 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, N);
  uint8_t *rgb = pattern_frames(W, H, N);
  for (int i = 0; i < N; i++) {
    double p = psnr_u8(v.data + v.frame_size * i, rgb + v.frame_size * i, v.frame_size);
    CHECK_MSG(p > min_psnr, "frame %d: PSNR %.2f", i, p);
  }
  free(rgb);
  video_frames_free(&v);
}

static void encode_case(const char *input_arg, const char *redirect, const char *layout, const char *extra,
                        double min_psnr) {
  const char *out = tmp_path("out.mp4");
  char args[8192], *stdout_text = NULL;
  snprintf(args, sizeof args, "encode --video %dx%d@25 --video-input %s --layout %s %s '%s' %s", W, H, input_arg,
           layout, extra, out, redirect);
  int rc = run_cli(args, &stdout_text);
  char *err = cli_stderr();
  CHECK_MSG(rc == 0, "polyenc %s exited %d: %s", args, rc, err);
  free(err);
  free(stdout_text);
  expect_encoded(out, min_psnr);
}

static void case_encode_from_file(void) {
  char arg[4200];
  snprintf(arg, sizeof arg, "'%s'", write_raw(3));
  encode_case(arg, "", "rgb24", "", 33);
}

static void case_encode_from_stdin(void) {
  char redirect[4200];
  snprintf(redirect, sizeof redirect, "< '%s'", write_raw(3));
  encode_case("-", redirect, "rgb24", "", 33);
}

static void case_encode_rgba_layout(void) {
  char arg[4200];
  snprintf(arg, sizeof arg, "'%s'", write_raw(4));
  encode_case(arg, "", "rgba", "", 33);
}

static void case_encode_codec_options(void) {
  char arg[4200];
  snprintf(arg, sizeof arg, "'%s'", write_raw(3));
  encode_case(arg, "", "rgb24", "--codec libx264 --crf 0 --preset ultrafast --pixel-format yuv444p --threads 1", 40);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(tmp_path("out.mp4")), &info), 0);
  CHECK_EQ_INT(info.streams[0].format, AV_PIX_FMT_YUV444P);
}

static void case_encode_with_audio(void) {
  const int64_t ns = 48000 * N / 25; /* as long as the video */
  float *tone = sine_planar(2, ns, 48000, 440);
  float *inter = to_interleaved(tone, 2, ns);
  const char *pcm = tmp_path("in.f32");
  CHECK_EQ_INT(write_file(pcm, inter, (size_t)ns * 2 * sizeof(float)), 0);
  const char *raw = write_raw(3);
  const char *out = tmp_path("av.mp4");
  char args[8192];
  snprintf(args, sizeof args,
           "encode --video %dx%d@25 --video-input '%s' --layout rgb24 --audio 48000:2 --audio-input '%s' '%s'", W, H,
           raw, pcm, out);
  int rc = run_cli(args, NULL);
  char *err = cli_stderr();
  CHECK_MSG(rc == 0, "polyenc %s exited %d: %s", args, rc, err);
  free(err);
  expect_encoded(out, 33);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(out), &info), 0);
  CHECK_EQ_INT(info.num_streams, 2);
  expect_stream(&info, 1, AVMEDIA_TYPE_AUDIO, "aac");
  CHECK_EQ_INT(info.streams[1].sample_rate, 48000);
  CHECK_EQ_INT(info.streams[1].channels, 2);
  audio_samples a;
  CHECK_EQ_INT(media_decode_audio(src_file(out), 1, &a), 0);
  CHECK_MSG(a.num_samples >= ns && a.num_samples < ns + 1024, "%lld samples for %lld", (long long)a.num_samples,
            (long long)ns);
  audio_samples_free(&a);
  free(tone);
  free(inter);
}

static void case_bad_arguments(void) {
  const char *raw = write_raw(3);
  const char *out = tmp_path("bad.mp4");
  char args[8192];
  const char *bad[] = {
      "nosuchcommand",
      "encode",                                                      /* no OUT, no stream */
      "encode --video 0x48@25 --video-input '%s' --layout rgb24 '%s'", /* width 0 */
      "encode --video 64x48@0 --video-input '%s' --layout rgb24 '%s'", /* rate 0 */
      "encode --video 64x48 --video-input '%s' --layout rgb24 '%s'",   /* no @FPS */
      "encode --video 64x48@25 --video-input '%s' --layout nope '%s'",
      "encode --video 64x48@25 --video-input '%s' --layout rgb24 --crf 99 '%s'",
      "encode --video 64x48@25 --video-input '%s' --layout rgb24 --codec nope '%s'",
      "encode --video 64x48@25 --video-input '%s' --layout rgb24 --no-such-flag '%s'",
      "encode --video 64x48@25 --video-input /nonexistent/in.rgb --layout rgb24 '%s%s'",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (strstr(bad[i], "/nonexistent"))
      snprintf(args, sizeof args, bad[i], out, "");
    else
      snprintf(args, sizeof args, bad[i], raw, out);
    int rc = run_cli(args, NULL);
    char *err = cli_stderr();
    CHECK_MSG(rc != 0, "polyenc %s exited 0", args);
    CHECK_MSG(strlen(err) > 0, "polyenc %s exited %d without a message on stderr", args, rc);
    free(err);
  }
}
