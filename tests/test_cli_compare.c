/* Timestamps against the ffmpeg CLI: the same raw rgb24 frames encoded by polyenc and by
 *   ffmpeg -f rawvideo -pix_fmt rgb24 -s WxH -r RATE -i in.rgb -c:v libx264 -preset P -crf C -pix_fmt yuv420p out.mp4
 * show the same ffprobe stream values (r_frame_rate, avg_frame_rate, time_base, start_pts, duration,
 * duration_ts, nb_frames), the same per-frame pts, and decode to pictures within 30 dB PSNR. */
#include "helpers.h"

#define CASES(X)            \
  X(rate_30, SLOW)          \
  X(rate_2997, SLOW)        \
  X(rate_24, SLOW)          \
  X(rate_25_mkv, SLOW)
CHECK_MAIN(CASES)

enum { W = 320, H = 240, N = 30 };

static void compare(double rate, const char *rate_text, const char *ext, const char *expect_r_frame_rate) {
  uint8_t *rgb = pattern_frames(W, H, N);
  const char *raw = tmp_path("in.rgb");
  char ours_name[32], cli_name[32];
  snprintf(ours_name, sizeof ours_name, "polyenc.%s", ext);
  snprintf(cli_name, sizeof cli_name, "ffmpeg.%s", ext);
  const char *ours = tmp_path(ours_name), *cli = tmp_path(cli_name);
  CHECK_EQ_INT(write_file(raw, rgb, (size_t)W * H * 3 * N), 0);

  char cmd[8192];
  snprintf(cmd, sizeof cmd,
           "'%s' -nostdin -v error -y -f rawvideo -pix_fmt rgb24 -s %dx%d -r %s -i '%s' -c:v libx264 -preset fast "
           "-crf 23 -pix_fmt yuv420p '%s'",
           ffmpeg_path(), W, H, rate_text, raw, cli);
  CHECK_EQ_INT(run_capture(cmd, NULL), 0);

  polyenc_video_config vc = video_cfg(W, H, rate);
  vc.codec = "libx264";
  vc.preset = "fast";
  vc.crf = 23;
  vc.pixel_format = "yuv420p";
  encode_video_file(ours, NULL, &vc, rgb, N);

  const char *stream_args =
      "-select_streams v:0 -show_entries "
      "stream=codec_name,width,height,pix_fmt,r_frame_rate,avg_frame_rate,time_base,start_pts,duration,duration_ts,"
      "nb_frames -of default=noprint_wrappers=1";
  char *a = ffprobe(stream_args, ours), *b = ffprobe(stream_args, cli);
  CHECK(a && b);
  const char *keys[] = {"codec_name",  "width",    "height",      "pix_fmt",  "r_frame_rate", "avg_frame_rate",
                        "time_base",   "start_pts", "duration",   "duration_ts", "nb_frames"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    char va[128], vb[128];
    const char *x = kv_get(a, keys[i], 0, va, sizeof va), *y = kv_get(b, keys[i], 0, vb, sizeof vb);
    CHECK_MSG(y != NULL, "ffmpeg's output has no %s", keys[i]);
    CHECK_MSG(x && !strcmp(x, y), "%s: polyenc %s, ffmpeg %s", keys[i], x ? x : "(none)", y);
  }
  char buf[64];
  CHECK_STREQ(kv_get(a, "r_frame_rate", 0, buf, sizeof buf), expect_r_frame_rate);
  free(a);
  free(b);

  const char *frame_args = "-select_streams v:0 -show_entries frame=pts,pkt_duration -of compact=p=0";
  a = ffprobe(frame_args, ours);
  b = ffprobe(frame_args, cli);
  CHECK(a && b);
  int lines = 0; /* frames: lines starting with pts= (the first frame has an extra empty side-data line) */
  for (const char *p = b; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) lines += !strncmp(p, "pts=", 4);
  CHECK_MSG(lines == N, "ffmpeg's file has %d frames", lines);
  CHECK_MSG(!strcmp(a, b), "per-frame pts differ:\npolyenc:\n%s\nffmpeg:\n%s", a, b);
  free(a);
  free(b);

  const char *format_args = "-show_entries format=duration,start_time -of default=noprint_wrappers=1";
  a = ffprobe(format_args, ours);
  b = ffprobe(format_args, cli);
  CHECK(a && b);
  CHECK_MSG(!strcmp(a, b), "format values differ:\npolyenc:\n%s\nffmpeg:\n%s", a, b);
  free(a);
  free(b);

  video_frames x, y;
  CHECK_EQ_INT(media_decode_rgb(src_file(ours), 0, "bt601", 0, &x), 0);
  CHECK_EQ_INT(media_decode_rgb(src_file(cli), 0, "bt601", 0, &y), 0);
  CHECK_EQ_INT(x.num_frames, N);
  CHECK_EQ_INT(y.num_frames, N);
  for (int i = 0; i < N; i++) {
    CHECK_EQ_INT(x.pts[i], y.pts[i]);
    double p = psnr_u8(x.data + x.frame_size * i, y.data + y.frame_size * i, x.frame_size);
    CHECK_MSG(p > 30.0, "frame %d: PSNR between polyenc and ffmpeg %.2f dB", i, p);
  }
  video_frames_free(&x);
  video_frames_free(&y);
  free(rgb);
}

static void case_rate_30(void) { compare(30, "30", "mp4", "30/1"); }
static void case_rate_2997(void) { compare(29.97, "30000/1001", "mp4", "30000/1001"); }
static void case_rate_24(void) { compare(24, "24", "mp4", "24/1"); }
static void case_rate_25_mkv(void) { compare(25, "25", "mkv", "25/1"); }
