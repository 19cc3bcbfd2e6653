/* The polyenc command line tool (path in argv[2]), as described in the CLI section of
 * shared/design/API.md. */
#define _POSIX_C_SOURCE 200809L /* fork, kill, mkfifo, clock_gettime */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define CASES(X)                      \
  X(demo_streams, SLOW)               \
  X(info, QUICK)                      \
  X(encode_from_file, QUICK)          \
  X(encode_from_stdin, QUICK)         \
  X(encode_rgba_layout, QUICK)        \
  X(encode_rgb48_layout, QUICK)       \
  X(encode_with_audio, QUICK)         \
  X(encode_codec_options, QUICK)      \
  X(bad_arguments, QUICK)             \
  X(timestamps_mp4, QUICK)            \
  X(timestamps_mkv, QUICK)            \
  X(timestamps_errors, QUICK)         \
  X(metadata, QUICK)                  \
  X(rotation, QUICK)                  \
  X(sigint_aborts, QUICK)             \
  X(encode_to_stdout, QUICK)
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
  const char *path = tmp_path(bytes_per_pixel == 3 ? "in.rgb" : bytes_per_pixel == 6 ? "in.rgb48" : "in.rgba");
  if (bytes_per_pixel == 6) { /* 16-bit: each value v as v * 257 (0xvvvv), native endian */
    uint16_t *rgb48 = malloc((size_t)W * H * 3 * N * sizeof *rgb48);
    for (size_t i = 0; i < (size_t)W * H * 3 * N; i++) rgb48[i] = (uint16_t)(rgb[i] * 257);
    CHECK_EQ_INT(write_file(path, rgb48, (size_t)W * H * 6 * N), 0);
    free(rgb48);
  } else if (bytes_per_pixel == 3) {
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

static void case_encode_rgb48_layout(void) {
  char arg[4200];
  snprintf(arg, sizeof arg, "'%s'", write_raw(6));
  encode_case(arg, "", "rgb48", "", 33);
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

/* ---- --timestamps, --metadata, --rotation, Ctrl-C ---- */
enum { NT = 8 };
static const double irregular[NT] = {0, 0.040, 0.100, 0.105, 0.5, 0.52, 1.0, 1.234};

static const char *write_frames(int n) {
  uint8_t *rgb = pattern_frames(W, H, n);
  const char *path = tmp_path("frames.rgb");
  CHECK_EQ_INT(write_file(path, rgb, (size_t)W * H * 3 * n), 0);
  free(rgb);
  return path;
}

static const char *write_text(const char *name, const char *text) {
  const char *path = tmp_path(name);
  CHECK_EQ_INT(write_file(path, text, strlen(text)), 0);
  return path;
}

/* Runs `polyenc encode --video WxH@25 --video-input <8 frames> <extra> OUT`; its exit status, stderr in *err. */
static int encode_with(const char *extra, const char *out, char **err) {
  char raw[4200], args[16384];
  snprintf(raw, sizeof raw, "%s", write_frames(NT));
  snprintf(args, sizeof args, "encode --video %dx%d@25 --video-input '%s' %s '%s'", W, H, raw, extra, out);
  int rc = run_cli(args, NULL);
  *err = cli_stderr();
  return rc;
}

static void timestamps_case(const char *ext) {
  /* blank lines and spaces are ignored */
  const char *ts = write_text("ts.txt", "0\n0.040\n\n0.100\n  0.105\n0.5\n0.52\r\n1.0\n1.234\n\n");
  char name[32], extra[4200], *err;
  snprintf(name, sizeof name, "ts.%s", ext);
  const char *out = tmp_path(name);
  snprintf(extra, sizeof extra, "--timestamps '%s'", ts);
  int rc = encode_with(extra, out, &err);
  CHECK_MSG(rc == 0, "polyenc encode %s exited %d: %s", extra, rc, err);
  free(err);
  char *p = ffprobe("-select_streams v:0 -show_entries frame=pts_time -of default=noprint_wrappers=1", out);
  CHECK(p);
  char buf[64];
  for (int i = 0; i < NT; i++) {
    CHECK_MSG(kv_get(p, "pts_time", i, buf, sizeof buf), "frame %d missing in %s:\n%s", i, ext, p);
    CHECK_NEAR(atof(buf), irregular[i], 0.001);
  }
  CHECK_MSG(!kv_get(p, "pts_time", NT, buf, sizeof buf), "more than %d frames in %s:\n%s", NT, ext, p);
  free(p);
  CHECK_EQ_INT(count_frames(out, 0), NT);
}

static void case_timestamps_mp4(void) { timestamps_case("mp4"); }
static void case_timestamps_mkv(void) { timestamps_case("mkv"); }

static void expect_failure(const char *extra, int status, const char *needle1, const char *needle2) {
  const char *out = tmp_path("fail.mp4");
  char *err;
  int rc = encode_with(extra, out, &err);
  CHECK_MSG(rc == status, "polyenc encode %s exited %d, expected %d: %s", extra, rc, status, err);
  CHECK_CONTAINS(err, needle1);
  if (needle2) CHECK_CONTAINS(err, needle2);
  CHECK_MSG(!file_exists(out), "polyenc encode %s failed but left %s", extra, out);
  free(err);
}

static void case_timestamps_errors(void) {
  char extra[4200];
  /* the CLI's own checks exit 2 (like a bad option); the library's messages exit 1 (like a bad --crf) */
  snprintf(extra, sizeof extra, "--timestamps '%s'", write_text("bad.txt", "0\n0.04\n\nsoon\n0.2\n"));
  expect_failure(extra, 2, "line 4", "'soon'");
  snprintf(extra, sizeof extra, "--timestamps '%s'", write_text("neg.txt", "0\n-0.04\n"));
  expect_failure(extra, 2, "line 2", "'-0.04'");
  snprintf(extra, sizeof extra, "--timestamps '%s'", write_text("inf.txt", "0\ninf\n"));
  expect_failure(extra, 2, "line 2", NULL);
  snprintf(extra, sizeof extra, "--timestamps '%s'", write_text("few.txt", "0\n0.04\n0.08\n"));
  expect_failure(extra, 2, "none for frame 4", NULL);
  snprintf(extra, sizeof extra, "--timestamps '%s'", write_text("many.txt", "0\n0.1\n0.2\n0.3\n0.4\n0.5\n0.6\n0.7\n0.8\n"));
  expect_failure(extra, 2, "9 timestamps for 8 frames", NULL);
  snprintf(extra, sizeof extra, "--timestamps '%s'", write_text("same.txt", "0\n0.1\n0.2\n0.2\n0.3\n0.4\n0.5\n0.6\n"));
  expect_failure(extra, 1, "pts must increase strictly", "frame 4 (--timestamps line 4)");
  expect_failure("--timestamps /nonexistent/ts.txt", 2, "/nonexistent/ts.txt", NULL);
}

static char *format_tags(const char *path) {
  char *p = ffprobe("-show_entries format_tags -of default=noprint_wrappers=1", path);
  CHECK(p);
  for (char *c = p; *c; c++) *c = (char)tolower((unsigned char)*c); /* Matroska: upper-case keys */
  return p;
}

static void case_metadata(void) {
  const char *exts[] = {"mkv", "mp4"};
  for (int i = 0; i < 2; i++) {
    char name[32], *err;
    snprintf(name, sizeof name, "tags.%s", exts[i]);
    const char *out = tmp_path(name);
    int rc = encode_with("--metadata 'title=x marks' --metadata artist=y", out, &err);
    CHECK_MSG(rc == 0, "polyenc encode --metadata into %s exited %d: %s", exts[i], rc, err);
    free(err);
    char *tags = format_tags(out);
    CHECK_CONTAINS(tags, "tag:title=x marks\n");
    CHECK_CONTAINS(tags, "tag:artist=y\n");
    free(tags);
  }
  expect_failure("--metadata foo=bar", 1, "POLYENC_ERR_ARGUMENT", "'foo'");
  expect_failure("--metadata nokey", 2, "--metadata takes key=value", NULL);
  expect_failure("--metadata =x", 2, "--metadata takes key=value", NULL);
}

static void case_rotation(void) {
  const char *out = tmp_path("rot.mp4");
  char *err;
  int rc = encode_with("--rotation 90", out, &err);
  CHECK_MSG(rc == 0, "polyenc encode --rotation 90 exited %d: %s", rc, err);
  free(err);
  char *p = ffprobe("-select_streams v:0 -show_streams", out);
  CHECK(p);
  char buf[64];
  const char *rot = kv_get(p, "rotation", 0, buf, sizeof buf);
  CHECK_MSG(rot && !strcmp(rot, "-90"), "ffprobe shows rotation %s, expected -90 (FFmpeg 5.1: counter-clockwise)",
            rot ? rot : "(none)");
  free(p);
  expect_failure("--rotation 45", 1, "rotation must be 0, 90, 180 or 270", NULL);
  expect_failure("--rotation ninety", 2, "--rotation takes", NULL);
}

static void pause_ms(int ms) {
  struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
  nanosleep(&t, NULL);
}

static double seconds_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Ctrl-C while `polyenc encode` waits for more frames on a FIFO: exit status 130, no output left. */
static void case_sigint_aborts(void) {
  const char *cli_path = cli(), *fifo = tmp_path("frames.fifo"), *out = tmp_path("sigint.mp4");
  const char *err_path = tmp_path("stderr.txt");
  if (mkfifo(fifo, 0600)) SKIP("cannot make a FIFO here");
  pid_t pid = fork();
  if (pid < 0) SKIP("cannot fork");
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) dup2(fd, 2);
    char size[32];
    snprintf(size, sizeof size, "%dx%d@25", W, H);
    execl(cli_path, "polyenc", "encode", "--video", size, "--video-input", fifo, out, (char *)NULL);
    _exit(127);
  }
  /* the writing end opens once the CLI reads the FIFO, i.e. with its Ctrl-C handler in place */
  int fd = -1, status = 0;
  for (double t0 = seconds_now(); fd < 0 && seconds_now() - t0 < 20;) {
    fd = open(fifo, O_WRONLY | O_NONBLOCK);
    if (fd < 0) {
      if (waitpid(pid, &status, WNOHANG) == pid) {
        char *err = cli_stderr();
        CHECK_MSG(0, "polyenc encode ended (status %d) before reading its input: %s", status, err);
      }
      pause_ms(20);
    }
  }
  if (fd < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    CHECK_MSG(0, "polyenc encode did not open its FIFO input within 20 s");
  }
  fcntl(fd, F_SETFL, 0);
  uint8_t *rgb = pattern_frames(W, H, 3);
  size_t size = (size_t)W * H * 3 * 3;
  for (size_t done = 0; done < size;) {
    ssize_t n = write(fd, rgb + done, size - done);
    CHECK_MSG(n > 0 || errno == EINTR, "write to the FIFO: %s", strerror(errno));
    if (n > 0) done += (size_t)n;
  }
  free(rgb);
  pause_ms(300); /* it encodes those and waits for a 4th frame, the FIFO still open */
  CHECK_MSG(file_exists(out), "the output %s should exist while encoding", out);
  if (kill(pid, SIGINT)) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    SKIP("cannot send SIGINT here");
  }
  pid_t got = 0;
  for (double t0 = seconds_now(); got == 0 && seconds_now() - t0 < 20; pause_ms(20)) got = waitpid(pid, &status, WNOHANG);
  if (got != pid) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  close(fd);
  char *err = cli_stderr();
  CHECK_MSG(got == pid, "polyenc encode still ran 20 s after SIGINT: %s", err);
  CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 130, "polyenc encode after SIGINT: %s %d, expected exit 130: %s",
            WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), err);
  CHECK_CONTAINS(err, "aborted");
  CHECK_MSG(!file_exists(out), "SIGINT left %s behind", out);
  free(err);
}

/* OUT "-": the output on standard output (mkv; mp4 fragmented), --format required; a reader that goes away
 * early fails the encode with a message, not a signal. */
static void case_encode_to_stdout(void) {
  const char *raw = write_raw(3);
  for (int i = 0; i < 2; i++) {
    const char *format = i ? "mp4" : "mkv", *out = tmp_path(i ? "stdout.mp4" : "stdout.mkv");
    char args[8192];
    snprintf(args, sizeof args, "encode --video %dx%d@25 --video-input '%s' --format %s - > '%s'", W, H, raw, format, out);
    int rc = run_cli(args, NULL);
    char *err = cli_stderr();
    CHECK_MSG(rc == 0, "polyenc %s exited %d: %s", args, rc, err);
    free(err);
    expect_encoded(out, 33);
  }
  char args[8192];
  snprintf(args, sizeof args, "encode --video %dx%d@25 --video-input '%s' -", W, H, raw);
  CHECK_EQ_INT(run_cli(args, NULL), 2);
  char *err = cli_stderr();
  CHECK_CONTAINS(err, "OUT '-' (standard output) needs --format");
  free(err);
  /* 200 frames into a reader that takes 100 bytes: polyenc's own exit status, kept in a file */
  uint8_t *many = pattern_frames(W, H, 200);
  const char *big = tmp_path("many.rgb"), *rc_file = tmp_path("rc.txt"), *err_file = tmp_path("stderr.txt");
  CHECK_EQ_INT(write_file(big, many, (size_t)W * H * 3 * 200), 0);
  free(many);
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "{ '%s' encode --video %dx%d@25 --video-input '%s' --format mkv -; echo $? > '%s'; } 2>'%s' | head -c 100 >/dev/null",
           cli(), W, H, big, rc_file, err_file);
  CHECK_EQ_INT(run_capture(cmd, NULL), 0);
  size_t n;
  char *rc_text = (char *)read_file(rc_file, &n);
  CHECK(rc_text);
  CHECK_EQ_INT(atoi(rc_text), 1);
  free(rc_text);
  err = cli_stderr();
  CHECK_CONTAINS(err, "POLYENC_ERR_IO: writing the output failed");
  free(err);
}
