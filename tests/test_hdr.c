/* HDR static metadata (API.md "Depth, alpha, HDR"): the options master-display and max-cll, written into
 * the bitstream (libx265: SEIs; libsvtav1: metadata OBUs), read back by ffprobe as the first frame's side data,
 * and into the container (Matroska MasteringMetadata / MaxCLL, mp4 mdcv / clli), read back as the stream's
 * side data. Bad values and encoders that cannot write them are errors. */
#include <math.h>

#include "helpers.h"

#define CASES(X)                 \
  X(hevc_mkv, QUICK)             \
  X(hevc_mp4, QUICK)             \
  X(av1_mkv, QUICK)              \
  X(av1_mp4_cll_only, QUICK)     \
  X(bad_values, QUICK)           \
  X(unsupported_encoders, QUICK)
CHECK_MAIN(CASES)

enum { W = 256, H = 64 };

#define MDCV "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)"

/* What ffprobe shows of MDCV: FFmpeg's order is R, G, B; chromaticities / 50000, luminance / 10000. */
static const struct {
  const char *key;
  double value;
} expected_mdcv[] = {
    {"red_x", 0.68},        {"red_y", 0.32},          {"green_x", 0.265}, {"green_y", 0.69},
    {"blue_x", 0.15},       {"blue_y", 0.06},         {"white_point_x", 0.3127},
    {"white_point_y", 0.329}, {"max_luminance", 1000}, {"min_luminance", 0.0001},
};

static double rational(const char *text) {
  long num = 0, den = 0;
  CHECK_MSG(text && sscanf(text, "%ld/%ld", &num, &den) == 2 && den > 0, "not a rational: %s", text ? text : "(none)");
  return (double)num / (double)den;
}

/* ffprobe output p (frame or stream side data) has MDCV: exact 2, as given ("x/50000", "y/10000": an HEVC SEI,
 * an mp4 mdcv); exact 1, the same values (Matroska's floats, reduced); 0, within AV1's fixed-point rounding. */
static void expect_mdcv(const char *p, const char *where, int exact) {
  char buf[64];
  for (size_t i = 0; i < sizeof expected_mdcv / sizeof *expected_mdcv; i++) {
    const char *got = kv_get(p, expected_mdcv[i].key, 0, buf, sizeof buf);
    CHECK_MSG(got, "%s: no %s in\n%s", where, expected_mdcv[i].key, p);
    double v = rational(got), want = expected_mdcv[i].value;
    double tol = exact ? 1e-9 : (i < 8 ? 1.0 / 65536 : i == 8 ? 1.0 / 256 : 1.0 / 16384);
    CHECK_MSG(fabs(v - want) <= tol, "%s: %s=%s, expected %g", where, expected_mdcv[i].key, got, want);
    if (exact == 2) CHECK_MSG(strstr(got, i < 8 ? "/50000" : "/10000"), "%s: %s=%s", where, expected_mdcv[i].key, got);
  }
  printf("%s: %s\n", where, kv_get(p, "red_x", 0, buf, sizeof buf));
}

static void expect_cll(const char *p, const char *where) {
  char buf[64];
  CHECK_MSG(kv_get(p, "max_content", 0, buf, sizeof buf), "%s: no content light level in\n%s", where, p);
  CHECK_STREQ(buf, "1000");
  CHECK_STREQ(kv_get(p, "max_average", 0, buf, sizeof buf), "400");
}

static void encode_hdr(const char *codec, const char *path, const char *const *options) {
  if (!polyenc_has_encoder(codec)) SKIP("encoder not in this FFmpeg");
  polyenc_video_config vc = pq_video_cfg(W, H, 25, codec);
  vc.options = options;
  uint8_t *rgb = pattern_frames(W, H, 3);
  encode_video_file(path, NULL, &vc, rgb, 3);
  free(rgb);
}

/* ffprobe output p has the content light level and, when has_mdcv, the mastering display (expect_mdcv's exact). */
static void expect_side_data(const char *p, const char *where, int has_mdcv, int exact) {
  CHECK_CONTAINS(p, "side_data_type=Content light level metadata");
  expect_cll(p, where);
  if (!has_mdcv) return;
  CHECK_CONTAINS(p, "side_data_type=Mastering display metadata");
  expect_mdcv(p, where, exact);
}

/* The first frame's side data (the decoder's: SEI / metadata OBU) and the stream's (the container's). */
static void check_file(const char *path, int exact_frame, int has_mdcv) {
  char *frame = ffprobe("-select_streams v:0 -show_frames -read_intervals %+#1", path);
  CHECK(frame);
  expect_side_data(frame, "frame", has_mdcv, exact_frame);
  free(frame);
  char *stream = ffprobe("-select_streams v:0 -show_streams", path);
  CHECK(stream);
  char buf[64];
  CHECK_STREQ(kv_get(stream, "color_transfer", 0, buf, sizeof buf), "smpte2084");
  expect_side_data(stream, "stream", has_mdcv, strstr(path, ".mkv") ? 1 : 2);
  free(stream);
}

static const char *const hdr10[] = {"master-display", MDCV, "max-cll", "1000,400", NULL};

static void case_hevc_mkv(void) {
  /* the caller's own x265-params stay, the metadata is added to them */
  static const char *const options[] = {"x265-params", "keyint=25:aud=1", "master-display", MDCV,
                                        "max-cll",     "1000,400",        NULL};
  const char *path = tmp_path("hdr.mkv");
  encode_hdr("libx265", path, options);
  check_file(path, 2, 1);
  char *pkt = ffprobe("-select_streams v:0 -show_packets -show_data -read_intervals %+#1", path);
  CHECK(pkt);
  /* aud=1 reached x265: the first NAL (3 bytes, length-prefixed) is an access unit delimiter (type 35) */
  CHECK_CONTAINS(pkt, "00000000: 0000 0003 4601");
  free(pkt);
}
static void case_hevc_mp4(void) {
  const char *path = tmp_path("hdr.mp4");
  encode_hdr("libx265", path, hdr10);
  check_file(path, 2, 1);
}
static void case_av1_mkv(void) {
  const char *path = tmp_path("hdr_av1.mkv");
  encode_hdr("libsvtav1", path, hdr10);
  check_file(path, 0, 1);
}
static void case_av1_mp4_cll_only(void) {
  static const char *const cll[] = {"max-cll", "1000,400", NULL};
  const char *path = tmp_path("cll_av1.mp4");
  encode_hdr("libsvtav1", path, cll);
  check_file(path, 0, 0);
  char *frame = ffprobe("-select_streams v:0 -show_frames -show_streams -read_intervals %+#1", path);
  CHECK(frame);
  CHECK_MSG(!strstr(frame, "Mastering display"), "mastering display metadata without master-display:\n%s", frame);
  free(frame);
}

/* add_video fails with POLYENC_ERR_ARGUMENT naming the option, the value and the syntax. */
static void expect_bad(const char *key, const char *value, const char *syntax) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  const char *options[] = {"preset", "fast", key, value, NULL};
  vc.codec = polyenc_has_encoder("libx265") ? "libx265" : NULL;
  vc.options = options;
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_ARGUMENT);
  const char *msg = polyenc_last_error(enc);
  CHECK_CONTAINS(msg, key);
  CHECK_CONTAINS(msg, value);
  CHECK_CONTAINS(msg, syntax);
  polyenc_encoder_free(enc);
}

static void case_bad_values(void) {
  static const char *const bad_mdcv[] = {
      "",
      "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)",          /* no L */
      "G(13250,34500)B(7500,3000)R(34000,16000)L(10000000,1)",            /* no WP */
      "G(13250)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)",   /* one number */
      "G(50001,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)", /* above 50000 */
      "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(100000001,1)", /* above 10000 cd/m2 */
      "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10,10)",  /* min not below max */
      "G(-1,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)",
      "G(0.265,0.69)B(0.15,0.06)R(0.68,0.32)WP(0.3127,0.329)L(1000,0.0001)", /* SVT-AV1's decimals */
      "R(34000,16000)G(13250,34500)B(7500,3000)WP(15635,16450)L(10000000,1)", /* another order */
      MDCV " ",
  };
  for (size_t i = 0; i < sizeof bad_mdcv / sizeof *bad_mdcv; i++)
    expect_bad("master-display", bad_mdcv[i], "G(x,y)B(x,y)R(x,y)WP(x,y)L(max,min)");
  static const char *const bad_cll[] = {"", "1000", "1000,", "65536,400", "1000,400,1", "-1,400", "1000;400"};
  for (size_t i = 0; i < sizeof bad_cll / sizeof *bad_cll; i++) expect_bad("max-cll", bad_cll[i], "MaxCLL,MaxFALL");
}

static void case_unsupported_encoders(void) {
  if (!polyenc_has_encoder("libx264")) SKIP("no libx264");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.codec = "libx264";
  vc.options = hdr10;
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "master-display");
  CHECK_CONTAINS(polyenc_last_error(enc), "libx264");
  CHECK_CONTAINS(polyenc_last_error(enc), "libx265 and libsvtav1");
  /* the codec chosen at open (mp4's default, h264): open fails likewise */
  static const char *const cll[] = {"max-cll", "1000,400", NULL};
  vc.codec = NULL;
  vc.options = cll;
  s = add_video_ok(enc, &vc);
  CHECK(s);
  CHECK_STATUS(enc, polyenc_open_file(enc, tmp_path("cll.mp4"), NULL), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "max-cll");
  polyenc_encoder_free(enc);
}
