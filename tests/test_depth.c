/* High depth, alpha and HDR tags (API.md "Depth, alpha, HDR"): the layouts RGB48, RGBA64, RGB_PLANAR16 and
 * RGB_PLANAR_F32 encoded at full precision, alpha kept in the pixel formats that have it, color_transfer /
 * color_primaries tagged, and the errors of each. Every output is read back with the ffmpeg / ffprobe CLI.
 *
 * The precision check: a 1024-level ramp (grey, then R up, G down, B stepping by 7) encoded losslessly in
 * yuv444p10le must decode to more than 700 distinct luma levels, each sample within 1 of the BT.601 tv
 * range 10-bit value computed here in double (the converter computes in float32: at most 1 off where
 * the exact value nearly ties). An 8-bit step anywhere would leave at most 220 levels.
 */
#include <math.h>

#include "helpers.h"

#define CASES(X)                    \
  X(ramp_rgb48_x264, QUICK)         \
  X(ramp_planar16_x264, QUICK)      \
  X(ramp_planar_f32_x264, QUICK)    \
  X(ramp_rgb48_x265, QUICK)         \
  X(rgb48_swscale_yuv422p10, QUICK) \
  X(alpha_vp9_webm, QUICK)          \
  X(alpha_prores_mov, QUICK)        \
  X(alpha_qtrle_mov, QUICK)         \
  X(hdr_tags_hevc, QUICK)           \
  X(hdr_tags_av1, QUICK)            \
  X(nan_rejected_stream_usable, QUICK) \
  X(float_into_unsupported_format, QUICK) \
  X(bad_color_names, QUICK)         \
  X(ten_bit_into_mpeg4, QUICK)       \
  X(alpha_where_it_cannot_go, QUICK)
CHECK_MAIN(CASES)

enum { W = 256, H = 64, LEVELS = 1024 };

/* The ramp's level of pixel (x, y) for channel c, 0..1023: grey in the top half (every level, for the
 * luma count), colours in the bottom half (for the matrix). */
static int level_of(int x, int y, int c) {
  int i = (y * W + x) % LEVELS;
  if (y < H / 2) return i;
  return c == 0 ? i : c == 1 ? LEVELS - 1 - i : (i * 7) % LEVELS;
}

/* A frame of the ramp in a layout: uint16 (level * 65535 / 1023, rounded) or float (level / 1023). */
static void *ramp_frame(polyenc_layout layout) {
  size_t px = (size_t)W * H;
  if (layout == POLYENC_RGB_PLANAR_F32) {
    float *f = malloc(px * 3 * sizeof *f);
    CHECK(f);
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) f[c * px + (size_t)y * W + x] = (float)level_of(x, y, c) / (LEVELS - 1);
    return f;
  }
  uint16_t *u = malloc(px * 4 * sizeof *u);
  CHECK(u);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < 3; c++) {
        uint16_t v = (uint16_t)lround(level_of(x, y, c) * 65535.0 / (LEVELS - 1));
        size_t p = (size_t)y * W + x;
        if (layout == POLYENC_RGB_PLANAR16) u[c * px + p] = v;
        else if (layout == POLYENC_RGBA64) u[p * 4 + c] = v, u[p * 4 + 3] = 65535;
        else u[p * 3 + c] = v;
      }
  return u;
}

/* The exact BT.601 tv-range 10-bit Y, U, V of the ramp at (x, y) from the values the layout carries. */
static void reference_yuv(polyenc_layout layout, int x, int y, int out[3]) {
  double rgb[3];
  for (int c = 0; c < 3; c++) {
    int l = level_of(x, y, c);
    rgb[c] = layout == POLYENC_RGB_PLANAR_F32 ? (double)((float)l / (LEVELS - 1))
                                              : lround(l * 65535.0 / (LEVELS - 1)) / 65535.0;
  }
  const double kr = 0.299, kb = 0.114, kg = 1 - kr - kb;
  double yy = kr * rgb[0] + kg * rgb[1] + kb * rgb[2];
  double pb = (rgb[2] - yy) / (2 * (1 - kb)), pr = (rgb[0] - yy) / (2 * (1 - kr));
  out[0] = (int)floor(4 * (16 + 219 * yy) + 0.5);
  out[1] = (int)floor(4 * (128 + 224 * pb) + 0.5);
  out[2] = (int)floor(4 * (128 + 224 * pr) + 0.5);
}

/* ffmpeg decodes path (decoder: NULL or a decoder name put before -i) into raw frames of pix_fmt; malloc'ed. */
static uint8_t *decode_raw(const char *path, const char *decoder, const char *pix_fmt, size_t *size) {
  const char *raw = tmp_path("decoded.raw");
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "'%s' -v error -y %s%s -i '%s' -f rawvideo -pix_fmt %s '%s'", ffmpeg_path(),
           decoder ? "-c:v " : "", decoder ? decoder : "", path, pix_fmt, raw);
  CHECK_EQ_INT(run_capture(cmd, NULL), 0);
  uint8_t *data = read_file(raw, size);
  CHECK_MSG(data && *size > 0, "nothing decoded from %s", path);
  return data;
}

static polyenc_stream *open_stream(polyenc_encoder *enc, const polyenc_video_config *vc, const char *path) {
  polyenc_stream *s = add_video_ok(enc, vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  return s;
}

/* n copies of frame (one call) into path; the stream as vc says. */
static void encode_frames(const char *path, const polyenc_video_config *vc, const void *frame, polyenc_layout layout,
                          int n) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = open_stream(enc, vc, path);
  polyenc_frames f = frames_of(frame, layout, 1, vc->width, vc->height);
  for (int i = 0; i < n; i++) CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
}

/* The ramp in `layout`, lossless yuv444p10le with `codec` (options make it lossless), decoded and compared. */
static void ramp_lossless(polyenc_layout layout, const char *codec, const char *const *options, const char *file) {
  if (!polyenc_has_encoder(codec)) SKIP("encoder not in this FFmpeg");
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.codec = codec;
  vc.pixel_format = "yuv444p10le";
  vc.options = options;
  void *frame = ramp_frame(layout);
  const char *path = tmp_path(file);
  encode_frames(path, &vc, frame, layout, 2);
  free(frame);

  size_t size;
  uint16_t *yuv = (uint16_t *)decode_raw(path, NULL, "yuv444p10le", &size);
  size_t px = (size_t)W * H;
  CHECK_EQ_INT((long long)size, (long long)(2 * px * 3 * 2));
  static uint8_t seen[1024];
  memset(seen, 0, sizeof seen);
  int distinct = 0, worst = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      int ref[3];
      reference_yuv(layout, x, y, ref);
      for (int p = 0; p < 3; p++) {
        int got = yuv[p * px + (size_t)y * W + x], d = abs(got - ref[p]);
        CHECK_MSG(d <= 1, "%s plane %d at (%d, %d): decoded %d, reference %d", file, p, x, y, got, ref[p]);
        if (d > worst) worst = d;
        if (p == 0 && got < 1024 && !seen[got]) seen[got] = 1, distinct++;
      }
    }
  printf("%s: %d distinct luma levels, largest difference %d\n", file, distinct, worst);
  CHECK_GT(distinct, 700);
  free(yuv);
}

static const char *const x264_lossless[] = {"qp", "0", NULL};

static void case_ramp_rgb48_x264(void) { ramp_lossless(POLYENC_RGB48, "libx264", x264_lossless, "ramp48.mp4"); }
static void case_ramp_planar16_x264(void) {
  ramp_lossless(POLYENC_RGB_PLANAR16, "libx264", x264_lossless, "ramp_p16.mp4");
}
static void case_ramp_planar_f32_x264(void) {
  ramp_lossless(POLYENC_RGB_PLANAR_F32, "libx264", x264_lossless, "ramp_f32.mkv");
}
static void case_ramp_rgb48_x265(void) {
  static const char *const x265_lossless[] = {"x265-params", "lossless=1", NULL};
  ramp_lossless(POLYENC_RGB48, "libx265", x265_lossless, "ramp48_x265.mp4");
}

/* yuv422p10le is not one of wide.c's formats: RGB48 goes through swscale at 16 bits, still > 700 levels
 * (swscale's own fixed-point arithmetic: within 4 codes of the exact value, not 1). */
static void case_rgb48_swscale_yuv422p10(void) {
  if (!polyenc_has_encoder("libx264")) SKIP("no libx264");
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.codec = "libx264";
  vc.pixel_format = "yuv422p10le";
  vc.options = x264_lossless;
  void *frame = ramp_frame(POLYENC_RGB48);
  const char *path = tmp_path("ramp422.mkv");
  encode_frames(path, &vc, frame, POLYENC_RGB48, 1);
  free(frame);
  size_t size;
  uint16_t *yuv = (uint16_t *)decode_raw(path, NULL, "yuv422p10le", &size);
  static uint8_t seen[1024];
  memset(seen, 0, sizeof seen);
  int distinct = 0, worst = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      int ref[3], got = yuv[(size_t)y * W + x];
      reference_yuv(POLYENC_RGB48, x, y, ref);
      CHECK_MSG(abs(got - ref[0]) <= 4, "luma at (%d, %d): decoded %d, reference %d", x, y, got, ref[0]);
      if (abs(got - ref[0]) > worst) worst = abs(got - ref[0]);
      if (got < 1024 && !seen[got]) seen[got] = 1, distinct++;
    }
  printf("swscale path: %d distinct luma levels, largest difference %d\n", distinct, worst);
  CHECK_GT(distinct, 700);
  free(yuv);
}

/* ---- alpha ---- */
static int alpha_at(int x, int y) { return (x * 3 + y * 5) & 255; }

/* RGBA (8-bit) frames, or RGBA64 when wide, with a colour pattern and alpha_at. */
static void *alpha_frame(int wide) {
  size_t px = (size_t)W * H;
  uint8_t *rgb = pattern_frames(W, H, 1);
  void *out = malloc(px * 4 * (wide ? 2 : 1));
  CHECK(out);
  for (size_t p = 0; p < px; p++)
    for (int c = 0; c < 4; c++) {
      int v = c < 3 ? rgb[p * 3 + c] : alpha_at((int)(p % W), (int)(p / W));
      if (wide) ((uint16_t *)out)[p * 4 + c] = (uint16_t)(v * 257);
      else ((uint8_t *)out)[p * 4 + c] = (uint8_t)v;
    }
  free(rgb);
  return out;
}

static void check_alpha(const char *path, const char *decoder, int tol) {
  size_t size;
  uint8_t *rgba = decode_raw(path, decoder, "rgba", &size);
  CHECK_GE((long long)size, (long long)W * H * 4);
  int worst = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      int got = rgba[((size_t)y * W + x) * 4 + 3], d = abs(got - alpha_at(x, y));
      CHECK_MSG(d <= tol, "%s: alpha at (%d, %d) decoded %d, given %d", path, x, y, got, alpha_at(x, y));
      if (d > worst) worst = d;
    }
  printf("%s: alpha within %d\n", path, worst);
  free(rgba);
}

static void alpha_case(const char *codec, const char *pix_fmt, const char *file, int wide, const char *decoder,
                       const char *const *options) {
  if (!polyenc_has_encoder(codec)) SKIP("encoder not in this FFmpeg");
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.codec = codec;
  vc.pixel_format = pix_fmt;
  vc.options = options;
  void *frame = alpha_frame(wide);
  const char *path = tmp_path(file);
  encode_frames(path, &vc, frame, wide ? POLYENC_RGBA64 : POLYENC_RGBA, 2);
  free(frame);
  check_alpha(path, decoder, 2);
}

/* FFmpeg's native vp9 decoder drops the alpha (a separate VP9 stream in Matroska's BlockAdditional):
 * libvpx-vp9's decoder reads it. */
static void case_alpha_vp9_webm(void) {
  static const char *const lossless[] = {"lossless", "1", NULL};
  char *list = NULL;
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "'%s' -hide_banner -decoders 2>/dev/null", ffmpeg_path());
  run_capture(cmd, &list);
  int has_decoder = list && strstr(list, "libvpx-vp9");
  free(list);
  if (!has_decoder) SKIP("ffmpeg has no libvpx-vp9 decoder to read the alpha back");
  alpha_case("libvpx-vp9", "yuva420p", "alpha.webm", 0, "libvpx-vp9", lossless);
}
static void case_alpha_prores_mov(void) { alpha_case("prores_ks", "yuva444p10le", "alpha_prores.mov", 1, NULL, NULL); }
static void case_alpha_qtrle_mov(void) { alpha_case("qtrle", "argb", "alpha_qtrle.mov", 0, NULL, NULL); }

/* ---- HDR tags ---- */
static void hdr_case(const char *codec, const char *file) {
  if (!polyenc_has_encoder(codec)) SKIP("encoder not in this FFmpeg");
  polyenc_video_config vc = pq_video_cfg(W, H, 25, codec);
  if (!strcmp(codec, "libaom-av1")) {
    static const char *const fast[] = {"cpu-used", "8", NULL};
    vc.options = fast;
  }
  void *frame = ramp_frame(POLYENC_RGB48);
  const char *path = tmp_path(file);
  encode_frames(path, &vc, frame, POLYENC_RGB48, 3);
  free(frame);
  char *p = ffprobe("-select_streams v:0 -show_streams", path);
  CHECK(p);
  char buf[64];
  CHECK_STREQ(kv_get(p, "color_transfer", 0, buf, sizeof buf), "smpte2084");
  CHECK_STREQ(kv_get(p, "color_primaries", 0, buf, sizeof buf), "bt2020");
  CHECK_STREQ(kv_get(p, "color_space", 0, buf, sizeof buf), "bt2020nc");
  CHECK_STREQ(kv_get(p, "pix_fmt", 0, buf, sizeof buf), "yuv420p10le");
  free(p);
}

static void case_hdr_tags_hevc(void) { hdr_case("libx265", "pq.mp4"); }
static void case_hdr_tags_av1(void) {
  hdr_case(polyenc_has_encoder("libsvtav1") ? "libsvtav1" : "libaom-av1", "pq_av1.mkv");
}

/* ---- errors ---- */
static void case_nan_rejected_stream_usable(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.pixel_format = "yuv420p";
  const char *path = tmp_path("nan.mkv");
  polyenc_stream *s = open_stream(enc, &vc, path);
  size_t px = (size_t)W * H;
  float *f = malloc(px * 3 * 2 * sizeof *f);
  CHECK(f);
  for (size_t i = 0; i < px * 6; i++) f[i] = (float)(i % 977) / 976.0f * 1.5f - 0.25f; /* clamped, not an error */
  f[px * 3 + px + 7 * W + 12] = NAN; /* frame 1, channel G, pixel (12, 7) */
  polyenc_frames fr = frames_of(f, POLYENC_RGB_PLANAR_F32, 2, W, H);
  CHECK_STATUS(enc, polyenc_add_frames(s, &fr), POLYENC_ERR_ARGUMENT);
  const char *msg = polyenc_last_error(enc);
  CHECK_CONTAINS(msg, "frame 1");
  CHECK_CONTAINS(msg, "channel G");
  CHECK_CONTAINS(msg, "pixel (12, 7)");
  polyenc_stats st;
  CHECK_OK(enc, polyenc_get_stats(enc, s, &st));
  CHECK_EQ_INT(st.frames, 0); /* nothing of the call: frame 0 was fine but not encoded either */
  f[px * 3 + px + 7 * W + 12] = 0.5f;
  /* in frame 0 (found by its conversion): the first in raster order, of a call of one frame and of two */
  f[2 * px + 9 * W + 3] = NAN;  /* channel B, pixel (3, 9) */
  f[0 * px + 9 * W + 40] = NAN; /* channel R, pixel (40, 9): later in the row */
  for (int n = 1; n <= 2; n++) {
    fr.num_frames = n;
    CHECK_STATUS(enc, polyenc_add_frames(s, &fr), POLYENC_ERR_ARGUMENT);
    msg = polyenc_last_error(enc);
    CHECK_CONTAINS(msg, "frame 0 of the call: NaN in channel B at pixel (3, 9)");
    CHECK_OK(enc, polyenc_get_stats(enc, s, &st));
    CHECK_EQ_INT(st.frames, 0);
  }
  f[2 * px + 9 * W + 3] = f[0 * px + 9 * W + 40] = 0.25f;
  CHECK_OK(enc, polyenc_add_frames(s, &fr));
  CHECK_OK(enc, polyenc_close(enc));
  CHECK_OK(enc, polyenc_get_stats(enc, s, &st));
  CHECK_EQ_INT(st.frames, 2);
  polyenc_encoder_free(enc);
  free(f);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  CHECK_EQ_INT(media_count_packets(src_file(path), 0), 2);
}

/* Float frames go only into wide.c's formats; the stream stays usable with another layout. */
static void case_float_into_unsupported_format(void) {
  if (!polyenc_has_encoder("qtrle")) SKIP("no qtrle encoder in this FFmpeg");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.codec = "qtrle";
  vc.pixel_format = "rgb24";
  polyenc_stream *s = open_stream(enc, &vc, tmp_path("float.mov"));
  void *f = ramp_frame(POLYENC_RGB_PLANAR_F32);
  polyenc_frames fr = frames_of(f, POLYENC_RGB_PLANAR_F32, 1, W, H);
  CHECK_STATUS(enc, polyenc_add_frames(s, &fr), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "pixel_format rgb24");
  CHECK_CONTAINS(polyenc_last_error(enc), "yuv444p10le");
  free(f);
  f = ramp_frame(POLYENC_RGB_PLANAR16); /* 16-bit: swscale */
  fr = frames_of(f, POLYENC_RGB_PLANAR16, 1, W, H);
  CHECK_OK(enc, polyenc_add_frames(s, &fr));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  free(f);
}

static void case_bad_color_names(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_stream *s = NULL;
  vc.color_transfer = "gamma22";
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_ARGUMENT);
  const char *msg = polyenc_last_error(enc);
  CHECK_CONTAINS(msg, "color_transfer");
  CHECK_CONTAINS(msg, "gamma22");
  CHECK_CONTAINS(msg, "\"smpte2084\"");
  CHECK_CONTAINS(msg, "\"arib-std-b67\"");
  CHECK_CONTAINS(msg, "\"linear\"");
  CHECK_CONTAINS(msg, "\"srgb\"");
  vc.color_transfer = "arib-std-b67";
  vc.color_primaries = "p3";
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "color_primaries");
  CHECK_CONTAINS(polyenc_last_error(enc), "\"bt2020\"");
  vc.color_primaries = "bt2020";
  s = add_video_ok(enc, &vc); /* usable after */
  CHECK(s);
  polyenc_encoder_free(enc);
}

/* Alpha asked of an encoder without it names the formats it has; VP9's alpha into mp4, which cannot store it,
 * is refused at open rather than dropped. */
static void case_alpha_where_it_cannot_go(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.codec = "libx264";
  vc.pixel_format = "yuva420p";
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pixel format yuva420p is not supported by the libx264 encoder");
  CHECK_CONTAINS(polyenc_last_error(enc), "Supported: yuv420p");
  polyenc_encoder_free(enc);
  if (!polyenc_has_encoder("libvpx-vp9")) return;
  enc = polyenc_encoder_new();
  vc.codec = "libvpx-vp9";
  s = add_video_ok(enc, &vc);
  CHECK_STATUS(enc, polyenc_open_file(enc, tmp_path("alpha.mp4"), NULL), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "stored only in webm / mkv (container mp4 would drop it)");
  CHECK_OK(enc, polyenc_open_file(enc, tmp_path("alpha.mkv"), NULL)); /* the encoder is usable: mkv keeps it */
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
}

static void case_ten_bit_into_mpeg4(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.codec = "mpeg4";
  vc.pixel_format = "yuv420p10le";
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pixel format yuv420p10le is not supported by the mpeg4 encoder");
  CHECK_CONTAINS(polyenc_last_error(enc), "Supported: yuv420p");
  polyenc_encoder_free(enc);
}
