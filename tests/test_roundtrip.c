/* Round trips through libx264 and FFmpeg's decoder: every input layout, non-contiguous
 * strides, colour matrices and ranges. The decoded YUV is converted back with swscale using
 * the matrix/range the stream should have been encoded with (the library's default is BT.601
 * limited range, "tv"). */
#include <libavutil/pixdesc.h>

#include "helpers.h"

#define CASES(X)                        \
  X(lossless444_rgb_planar, QUICK)      \
  X(lossless444_rgb24, QUICK)           \
  X(lossless444_rgba, QUICK)            \
  X(lossless444_bgra, QUICK)            \
  X(psnr420_rgb_planar, QUICK)          \
  X(psnr420_rgb24, QUICK)               \
  X(psnr420_rgba, QUICK)                \
  X(psnr420_bgra, QUICK)                \
  X(yuv420p_lossless_exact, QUICK)      \
  X(yuv420p_default_psnr, QUICK)        \
  X(stride_rgb24_padded_rows, QUICK)    \
  X(stride_rgb24_view_of_rgba, QUICK)   \
  X(stride_rgba_padded, QUICK)          \
  X(stride_bgra_padded, QUICK)          \
  X(stride_planar_channel_gap, QUICK)   \
  X(stride_planar_view_of_hwc, QUICK)   \
  X(stride_yuv420p_padded, QUICK)       \
  X(color_default_bt601_tv, QUICK)      \
  X(color_bt709, QUICK)                 \
  X(color_bt2020, QUICK)                \
  X(color_range_pc, QUICK)              \
  X(color_bt709_pc, QUICK)
CHECK_MAIN(CASES)

enum { W = 64, H = 48, N = 6 };

/* Reference frames: random noise for the first half (catches any misplaced byte), colour
 * bars for the rest (saturated colours, where matrices differ most). */
static uint8_t *reference_frames(int w, int h, int n) {
  size_t fs = (size_t)w * h * 3;
  uint8_t *f = malloc(fs * n);
  CHECK(f);
  for (int i = 0; i < n; i++) {
    if (i < n / 2)
      random_bytes(f + fs * i, fs, 1234u + i);
    else
      bars_rgb24(f + fs * i, w, h, i);
  }
  return f;
}

/* Places the RGB24 reference frames into a buffer of `layout` with explicit strides
 * (contiguous ones when strides is all 0). Bytes not covered by the view are 0xAB. */
static uint8_t *build_input(const uint8_t *ref, polyenc_layout layout, int w, int h, int n,
                            const int64_t in_strides[4]) {
  int64_t s[4];
  int cpp = layout == POLYENC_RGBA || layout == POLYENC_BGRA ? 4 : 3;
  if (!in_strides[0] && !in_strides[1] && !in_strides[2] && !in_strides[3]) {
    if (layout == POLYENC_RGB_PLANAR) {
      s[0] = 3LL * h * w, s[1] = (int64_t)h * w, s[2] = w, s[3] = 1;
    } else {
      s[0] = (int64_t)h * w * cpp, s[1] = (int64_t)w * cpp, s[2] = cpp, s[3] = 1;
    }
  } else {
    memcpy(s, in_strides, sizeof s);
  }
  size_t size = 1;
  if (layout == POLYENC_RGB_PLANAR)
    size += (size_t)(s[0] * (n - 1) + s[1] * 2 + s[2] * (h - 1) + s[3] * (w - 1));
  else
    size += (size_t)(s[0] * (n - 1) + s[1] * (h - 1) + s[2] * (w - 1) + s[3] * (cpp - 1));
  uint8_t *buf = malloc(size);
  CHECK(buf);
  memset(buf, 0xAB, size);
  for (int i = 0; i < n; i++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        const uint8_t *p = ref + (((size_t)i * h + y) * w + x) * 3;
        if (layout == POLYENC_RGB_PLANAR) {
          for (int c = 0; c < 3; c++) buf[s[0] * i + s[1] * c + s[2] * y + s[3] * x] = p[c];
        } else {
          uint8_t px[4] = {p[0], p[1], p[2], (uint8_t)(x * 7 + y)}; /* alpha: noise, must be ignored */
          if (layout == POLYENC_BGRA) px[0] = p[2], px[2] = p[0];
          for (int c = 0; c < cpp; c++) buf[s[0] * i + s[1] * y + s[2] * x + s[3] * c] = px[c];
        }
      }
  return buf;
}

typedef struct rt_opts {
  polyenc_layout layout;
  int64_t strides[4];
  const char *pixel_format; /* NULL: default */
  double crf;               /* NAN: default */
  const char *color_space, *color_range;
  int w, h, n;
  int smooth; /* pattern frames instead of reference_frames */
} rt_opts;

static rt_opts opts(polyenc_layout layout) {
  rt_opts o;
  memset(&o, 0, sizeof o);
  o.layout = layout;
  o.crf = NAN;
  o.w = W, o.h = H, o.n = N;
  return o;
}

/* Encodes the frames described by o into an mp4, returns the reference frames. */
static uint8_t *encode(const rt_opts *o, const char *path) {
  uint8_t *ref = o->smooth ? pattern_frames(o->w, o->h, o->n) : reference_frames(o->w, o->h, o->n);
  uint8_t *in = build_input(ref, o->layout, o->w, o->h, o->n, o->strides);
  polyenc_video_config cfg = video_cfg(o->w, o->h, 25);
  cfg.codec = "libx264";
  cfg.pixel_format = o->pixel_format;
  cfg.crf = o->crf;
  cfg.color_space = o->color_space;
  cfg.color_range = o->color_range;
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = add_video_ok(enc, &cfg);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames f = frames_of(in, o->layout, o->n, o->w, o->h);
  memcpy(f.strides, o->strides, sizeof f.strides);
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  free(in);
  return ref;
}

/* Decoded with (matrix, full_range): every frame has >= 99% of its values within 2. */
static void expect_lossless(const char *path, const uint8_t *ref, int w, int h, int n, const char *matrix,
                            int full_range) {
  video_frames v;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 0, matrix, full_range, &v), 0);
  CHECK_EQ_INT(v.num_frames, n);
  CHECK_EQ_INT(v.width, w);
  CHECK_EQ_INT(v.height, h);
  size_t fs = (size_t)w * h * 3;
  for (int i = 0; i < n; i++) {
    double frac = fraction_within(v.data + fs * i, ref + fs * i, fs, 2);
    CHECK_MSG(frac >= 0.99, "frame %d: only %.4f of the values within 2 (mean |diff| %.3f)", i, frac,
              mean_abs_diff(v.data + fs * i, ref + fs * i, fs));
  }
  video_frames_free(&v);
}

/* Decoded with the wrong (matrix, range): measurably off over all frames (noise and colour bars;
 * note that saturated bars alone hide a range error, 0 and 255 clip to themselves). */
static void expect_off(const char *path, const uint8_t *ref, int w, int h, int n, const char *matrix,
                       int full_range) {
  video_frames v;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 0, matrix, full_range, &v), 0);
  CHECK_EQ_INT(v.num_frames, n);
  size_t all = (size_t)w * h * 3 * n;
  double frac = fraction_within(v.data, ref, all, 2);
  double mad = mean_abs_diff(v.data, ref, all);
  CHECK_MSG(frac < 0.9 && mad > 2.0,
            "decoded with %s/%s it still matches (%.4f within 2, mean |diff| %.3f): "
            "the conversion did not use the configured matrix/range",
            matrix, full_range ? "pc" : "tv", frac, mad);
  video_frames_free(&v);
}

static void lossless444(polyenc_layout layout, const int64_t strides[4]) {
  rt_opts o = opts(layout);
  if (strides) memcpy(o.strides, strides, sizeof o.strides);
  o.pixel_format = "yuv444p";
  o.crf = 0;
  const char *path = tmp_path("out.mp4");
  uint8_t *ref = encode(&o, path);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  expect_stream(&info, 0, AVMEDIA_TYPE_VIDEO, "h264");
  CHECK_EQ_INT(info.streams[0].format, AV_PIX_FMT_YUV444P);
  expect_lossless(path, ref, o.w, o.h, o.n, "bt601", 0);
  free(ref);
}

static void case_lossless444_rgb_planar(void) { lossless444(POLYENC_RGB_PLANAR, NULL); }
static void case_lossless444_rgb24(void) { lossless444(POLYENC_RGB24, NULL); }
static void case_lossless444_rgba(void) { lossless444(POLYENC_RGBA, NULL); }
static void case_lossless444_bgra(void) { lossless444(POLYENC_BGRA, NULL); }

/* Default settings (h264, yuv420p, codec default crf): PSNR > 35 dB on a smooth pattern, every frame. */
static void psnr420(polyenc_layout layout) {
  rt_opts o = opts(layout);
  o.w = 128, o.h = 96, o.n = 10, o.smooth = 1;
  const char *path = tmp_path("out.mp4");
  uint8_t *ref = encode(&o, path);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  expect_stream(&info, 0, AVMEDIA_TYPE_VIDEO, "h264");
  CHECK_EQ_INT(info.streams[0].format, AV_PIX_FMT_YUV420P);
  video_frames v;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 0, "bt601", 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, o.n);
  size_t fs = (size_t)o.w * o.h * 3;
  for (int i = 0; i < o.n; i++) {
    double p = psnr_u8(v.data + fs * i, ref + fs * i, fs);
    CHECK_MSG(p > 35.0, "frame %d: PSNR %.2f dB", i, p);
  }
  video_frames_free(&v);
  free(ref);
}

static void case_psnr420_rgb_planar(void) { psnr420(POLYENC_RGB_PLANAR); }
static void case_psnr420_rgb24(void) { psnr420(POLYENC_RGB24); }
static void case_psnr420_rgba(void) { psnr420(POLYENC_RGBA); }
static void case_psnr420_bgra(void) { psnr420(POLYENC_BGRA); }

/* YUV420P input: planes Y, U, V packed inside each frame; y_row / uv_row 0 = contiguous. */
static void yuv420p_case(double crf, int y_row, int uv_row, int frame_pad, int expect_exact) {
  const int w = 64, h = 48, n = 6;
  size_t ysz = (size_t)w * h, csz = (size_t)(w / 2) * (h / 2), fs = ysz + 2 * csz;
  uint8_t *rgb = pattern_frames(w, h, n);
  uint8_t *ref = malloc(fs * n);
  for (int i = 0; i < n; i++) rgb24_to_yuv420p(rgb + (size_t)w * h * 3 * i, w, h, ref + fs * i);
  int64_t strides[4] = {0, 0, 0, 0};
  uint8_t *in = ref;
  if (y_row) {
    size_t in_fs = (size_t)y_row * h + 2 * (size_t)uv_row * (h / 2) + frame_pad;
    in = malloc(in_fs * n);
    memset(in, 0xAB, in_fs * n);
    for (int i = 0; i < n; i++) {
      uint8_t *dst = in + in_fs * i;
      const uint8_t *src = ref + fs * i;
      for (int y = 0; y < h; y++) memcpy(dst + (size_t)y * y_row, src + (size_t)y * w, w);
      for (int p = 0; p < 2; p++)
        for (int y = 0; y < h / 2; y++)
          memcpy(dst + (size_t)y_row * h + (size_t)p * uv_row * (h / 2) + (size_t)y * uv_row,
                 src + ysz + p * csz + (size_t)y * (w / 2), w / 2);
    }
    strides[0] = (int64_t)in_fs, strides[1] = y_row, strides[2] = uv_row;
  }
  polyenc_video_config cfg = video_cfg(w, h, 25);
  cfg.crf = crf;
  const char *path = tmp_path("out.mp4");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = add_video_ok(enc, &cfg);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames f = frames_of(in, POLYENC_YUV420P, n, w, h);
  memcpy(f.strides, strides, sizeof strides);
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);

  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, n);
  CHECK_EQ_INT(v.format, AV_PIX_FMT_YUV420P);
  CHECK_EQ_INT(v.frame_size, fs);
  for (int i = 0; i < n; i++) {
    if (expect_exact) {
      /* crf 0 with yuv420p input is lossless: the planes come back bit for bit */
      size_t bad = 0;
      for (size_t k = 0; k < fs; k++) bad += v.data[fs * i + k] != ref[fs * i + k];
      CHECK_MSG(bad == 0, "frame %d: %zu of %zu plane bytes differ", i, bad, fs);
    } else {
      double p = psnr_u8(v.data + fs * i, ref + fs * i, fs);
      CHECK_MSG(p > 35.0, "frame %d: PSNR %.2f dB", i, p);
    }
  }
  video_frames_free(&v);
  if (in != ref) free(in);
  free(ref);
  free(rgb);
}

static void case_yuv420p_lossless_exact(void) { yuv420p_case(0, 0, 0, 0, 1); }
static void case_yuv420p_default_psnr(void) { yuv420p_case(NAN, 0, 0, 0, 0); }
static void case_stride_yuv420p_padded(void) { yuv420p_case(0, 64 + 24, 32 + 8, 100, 1); }

/* ---- non-contiguous strides, lossless 4:4:4 so any misplaced byte shows ---- */
static void case_stride_rgb24_padded_rows(void) {
  int64_t row = W * 3 + 13, frame = row * H + 7;
  int64_t s[4] = {frame, row, 3, 1};
  lossless444(POLYENC_RGB24, s);
}

static void case_stride_rgb24_view_of_rgba(void) {
  /* an RGB24 view of RGBA memory: pixel stride 4 */
  int64_t s[4] = {(int64_t)W * H * 4, W * 4, 4, 1};
  lossless444(POLYENC_RGB24, s);
}

static void case_stride_rgba_padded(void) {
  int64_t row = W * 4 + 64, frame = row * H + 32;
  int64_t s[4] = {frame, row, 4, 1};
  lossless444(POLYENC_RGBA, s);
}

static void case_stride_bgra_padded(void) {
  int64_t row = W * 4 + 4, frame = row * (H + 3);
  int64_t s[4] = {frame, row, 4, 1};
  lossless444(POLYENC_BGRA, s);
}

static void case_stride_planar_channel_gap(void) {
  /* planes with gaps between them, padded rows, a frame stride bigger than needed */
  int64_t row = W + 5, chan = row * H + 11, frame = chan * 3 + 17;
  int64_t s[4] = {frame, chan, row, 1};
  lossless444(POLYENC_RGB_PLANAR, s);
}

static void case_stride_planar_view_of_hwc(void) {
  /* an NCHW view of NHWC memory (torch's permute): channel stride 1, pixel stride 3 */
  int64_t s[4] = {(int64_t)W * H * 3, 1, W * 3, 3};
  lossless444(POLYENC_RGB_PLANAR, s);
}

/* ---- colour matrices and ranges ---- */
static void color_case(const char *space, const char *range, enum AVColorSpace want_space,
                       enum AVColorRange want_range, const char *wrong_matrix, int wrong_full_range) {
  rt_opts o = opts(POLYENC_RGB24);
  o.pixel_format = "yuv444p";
  o.crf = 0;
  o.color_space = space;
  o.color_range = range;
  const char *path = tmp_path("out.mp4");
  uint8_t *ref = encode(&o, path);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  const stream_info *s = &info.streams[0];
  if (want_space == AVCOL_SPC_SMPTE170M)
    CHECK_MSG(s->color_space == AVCOL_SPC_SMPTE170M || s->color_space == AVCOL_SPC_BT470BG,
              "color_space tag %s, expected smpte170m or bt470bg", av_color_space_name(s->color_space));
  else
    CHECK_MSG(s->color_space == want_space, "color_space tag %s, expected %s", av_color_space_name(s->color_space),
              av_color_space_name(want_space));
  CHECK_MSG(s->color_range == want_range, "color_range tag %s, expected %s", av_color_range_name(s->color_range),
            av_color_range_name(want_range));
  const char *matrix = !space ? "bt601" : space;
  int full = range && !strcmp(range, "pc");
  expect_lossless(path, ref, o.w, o.h, o.n, matrix, full);
  expect_off(path, ref, o.w, o.h, o.n, wrong_matrix, wrong_full_range);
  free(ref);
}

static void case_color_default_bt601_tv(void) {
  color_case(NULL, NULL, AVCOL_SPC_SMPTE170M, AVCOL_RANGE_MPEG, "bt709", 0);
}
static void case_color_bt709(void) { color_case("bt709", NULL, AVCOL_SPC_BT709, AVCOL_RANGE_MPEG, "bt601", 0); }
static void case_color_bt2020(void) {
  color_case("bt2020", "tv", AVCOL_SPC_BT2020_NCL, AVCOL_RANGE_MPEG, "bt601", 0);
}
static void case_color_range_pc(void) { color_case(NULL, "pc", AVCOL_SPC_SMPTE170M, AVCOL_RANGE_JPEG, "bt601", 0); }
static void case_color_bt709_pc(void) { color_case("bt709", "pc", AVCOL_SPC_BT709, AVCOL_RANGE_JPEG, "bt601", 1); }
