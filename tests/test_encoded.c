/* Mux-only streams (polyenc_add_encoded_video + polyenc_add_packet): packets produced by a libx264
 * encode, demuxed with libavformat and muxed again by polyenc, decode to exactly the frames of the
 * direct encode; bad packets get clear errors; a rotation is written as a video stream's is; the clock
 * (pe_encoded_next_pts, internal: the wasm glue's) gives the pts a video stream's frames get. */
#include <string.h>

#include <libavformat/avformat.h>

#include "helpers.h"
#ifdef POLYENC_TEST_INTERNAL
#include "internal.h"
#endif

#define CASES(X)                        \
  X(remux_mp4_equals_direct, QUICK)     \
  X(remux_into_mkv_equals_direct, QUICK) \
  X(dts_backwards, QUICK)               \
  X(first_packet_not_keyframe, QUICK)   \
  X(pts_before_dts, QUICK)              \
  X(mp4_needs_extradata, QUICK)         \
  X(unknown_codec, QUICK)               \
  X(packet_on_wrong_stream, QUICK)      \
  X(packet_before_open, QUICK)          \
  X(rotation_mp4, QUICK)                \
  X(rotation_mkv_unsupported, QUICK)    \
  X(bad_rotation, QUICK)                \
  X(clock_like_video_stream, QUICK)     \
  X(clock_errors_advance_nothing, QUICK)  \
  X(pixel_format_in_vpcc, QUICK)        \
  X(bad_pixel_format, QUICK)
CHECK_MAIN(CASES)

enum { W = 96, H = 64, N = 30 };

typedef struct packets {
  AVPacket *items[N * 2];
  int count;
  AVRational time_base;
  uint8_t *extradata;
  int extradata_size;
} packets;

/* A direct polyenc encode of N frames (vc), then its packets as libavformat reads them back. */
static void encode_read_back(const char *path, const polyenc_video_config *vc, packets *out) {
  uint8_t *rgb = pattern_frames(W, H, N);
  encode_video_file(path, NULL, vc, rgb, N);
  free(rgb);
  AVFormatContext *fmt = NULL;
  CHECK(avformat_open_input(&fmt, path, NULL, NULL) == 0);
  CHECK(avformat_find_stream_info(fmt, NULL) >= 0);
  AVStream *st = fmt->streams[0];
  out->time_base = st->time_base;
  out->extradata_size = st->codecpar->extradata_size;
  out->extradata = malloc((size_t)out->extradata_size + 1);
  if (out->extradata_size) memcpy(out->extradata, st->codecpar->extradata, (size_t)out->extradata_size);
  out->count = 0;
  AVPacket *pkt = av_packet_alloc();
  while (av_read_frame(fmt, pkt) >= 0) {
    CHECK(out->count < N * 2);
    out->items[out->count++] = av_packet_clone(pkt);
    av_packet_unref(pkt);
  }
  av_packet_free(&pkt);
  avformat_close_input(&fmt);
  CHECK_EQ_INT(out->count, N);
}

/* ... with libx264 into mp4. */
static void direct_encode(const char *path, packets *out) {
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.options = repeatable_x264; /* decoded frames are compared with a second encode's */
  encode_read_back(path, &vc, out);
}

static void packets_free(packets *p) {
  for (int i = 0; i < p->count; i++) av_packet_free(&p->items[i]);
  free(p->extradata);
}

static polyenc_encoded_video_config encoded_cfg(const packets *p) {
  polyenc_encoded_video_config cfg = {"h264", W, H, 0, p->time_base.num, p->time_base.den, p->extradata,
                                      (size_t)p->extradata_size, 0, NULL};
  return cfg;
}

static void remux_rotated(const packets *p, const char *path, int rotation) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config cfg = encoded_cfg(p);
  cfg.rotation = rotation;
  polyenc_stream *s;
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &cfg, &s));
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  for (int i = 0; i < p->count; i++) {
    const AVPacket *k = p->items[i];
    CHECK_OK(enc, polyenc_add_packet(s, k->data, (size_t)k->size, k->pts, k->dts, k->duration, k->flags & AV_PKT_FLAG_KEY));
  }
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
}

static void remux(const packets *p, const char *path) { remux_rotated(p, path, 0); }

static AVRational video_time_base(const char *path) {
  AVFormatContext *fmt = NULL;
  CHECK(avformat_open_input(&fmt, path, NULL, NULL) == 0);
  AVRational tb = fmt->streams[0]->time_base;
  avformat_close_input(&fmt);
  return tb;
}

/* The same decoded pictures at the same times (the containers' time bases may differ). */
static void expect_same_frames(const char *a_path, const char *b_path) {
  AVRational a_tb = video_time_base(a_path), b_tb = video_time_base(b_path);
  video_frames a, b;
  CHECK_EQ_INT(media_decode_yuv(src_file(a_path), 0, &a), 0);
  CHECK_EQ_INT(media_decode_yuv(src_file(b_path), 0, &b), 0);
  CHECK_EQ_INT(a.num_frames, N);
  CHECK_EQ_INT(b.num_frames, N);
  for (int i = 0; i < N; i++) {
    CHECK_MSG(!memcmp(a.data + a.frame_size * i, b.data + b.frame_size * i, a.frame_size), "frame %d differs", i);
    CHECK_NEAR(a.pts[i] * av_q2d(a_tb), b.pts[i] * av_q2d(b_tb), 1e-3);
  }
  video_frames_free(&a);
  video_frames_free(&b);
}

static void remux_case(const char *out_name) {
  packets p;
  const char *direct = tmp_path("direct.mp4"), *out = tmp_path(out_name);
  direct_encode(direct, &p);
  remux(&p, out);
  expect_same_frames(direct, out);
  char *probe = ffprobe("-v error -select_streams v -show_entries stream=codec_name,width,height,nb_read_frames -count_frames", out);
  char buf[32];
  CHECK_STREQ(kv_get(probe, "codec_name", 0, buf, sizeof buf), "h264");
  CHECK_STREQ(kv_get(probe, "nb_read_frames", 0, buf, sizeof buf), "30");
  free(probe);
  packets_free(&p);
}

static void case_remux_mp4_equals_direct(void) { remux_case("remux.mp4"); }
static void case_remux_into_mkv_equals_direct(void) { remux_case("remux.mkv"); }

/* An open mp4 memory encoder with one mux-only stream of the direct encode's settings. */
static polyenc_encoder *open_remuxer(const packets *p, int with_extradata, polyenc_stream **s) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config cfg = encoded_cfg(p);
  if (!with_extradata) cfg.extradata = NULL, cfg.extradata_size = 0;
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &cfg, s));
  CHECK_OK(enc, polyenc_open_memory(enc, "mp4"));
  return enc;
}

static void case_dts_backwards(void) {
  packets p;
  direct_encode(tmp_path("direct.mp4"), &p);
  polyenc_stream *s;
  polyenc_encoder *enc = open_remuxer(&p, 1, &s);
  const AVPacket *k0 = p.items[0], *k1 = p.items[1];
  CHECK_OK(enc, polyenc_add_packet(s, k0->data, (size_t)k0->size, k0->pts, k0->dts, k0->duration, 1));
  CHECK_OK(enc, polyenc_add_packet(s, k1->data, (size_t)k1->size, k1->pts, k1->dts, k1->duration, 0));
  CHECK_STATUS(enc, polyenc_add_packet(s, k1->data, (size_t)k1->size, k1->pts, k0->dts, k1->duration, 0), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "dts");
  /* the rejected packet left the stream usable: the rest goes in and the file decodes */
  for (int i = 2; i < p.count; i++) {
    const AVPacket *k = p.items[i];
    CHECK_OK(enc, polyenc_add_packet(s, k->data, (size_t)k->size, k->pts, k->dts, k->duration, k->flags & AV_PKT_FLAG_KEY));
  }
  CHECK_OK(enc, polyenc_close(enc));
  const uint8_t *data;
  size_t size;
  CHECK_OK(enc, polyenc_output(enc, &data, &size));
  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_mem(data, size), 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, N);
  video_frames_free(&v);
  polyenc_encoder_free(enc);
  packets_free(&p);
}

static void case_first_packet_not_keyframe(void) {
  packets p;
  direct_encode(tmp_path("direct.mp4"), &p);
  polyenc_stream *s;
  polyenc_encoder *enc = open_remuxer(&p, 1, &s);
  const AVPacket *k = p.items[1];
  CHECK_STATUS(enc, polyenc_add_packet(s, k->data, (size_t)k->size, k->pts, k->dts, k->duration, 0), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "keyframe");
  polyenc_encoder_free(enc);
  packets_free(&p);
}

static void case_pts_before_dts(void) {
  packets p;
  direct_encode(tmp_path("direct.mp4"), &p);
  polyenc_stream *s;
  polyenc_encoder *enc = open_remuxer(&p, 1, &s);
  const AVPacket *k = p.items[0];
  CHECK_STATUS(enc, polyenc_add_packet(s, k->data, (size_t)k->size, 5, 10, 1, 1), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pts");
  polyenc_encoder_free(enc);
  packets_free(&p);
}

/* mp4 packets are length-prefixed (AVCC): without the avcC record nothing can decode them. */
static void case_mp4_needs_extradata(void) {
  packets p;
  direct_encode(tmp_path("direct.mp4"), &p);
  polyenc_stream *s;
  polyenc_encoder *enc = open_remuxer(&p, 0, &s);
  const AVPacket *k = p.items[0];
  CHECK_STATUS(enc, polyenc_add_packet(s, k->data, (size_t)k->size, k->pts, k->dts, k->duration, 1), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "extradata");
  polyenc_encoder_free(enc);
  packets_free(&p);
}

static void case_unknown_codec(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config cfg = {"nope264", W, H, 25, 0, 0, NULL, 0, 0, NULL};
  polyenc_stream *s;
  CHECK_STATUS(enc, polyenc_add_encoded_video(enc, &cfg, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "codec");
  CHECK_CONTAINS(polyenc_last_error(enc), "nope264");
  polyenc_encoded_video_config no_rate = {"h264", W, H, 0, 0, 0, NULL, 0, 0, NULL};
  CHECK_STATUS(enc, polyenc_add_encoded_video(enc, &no_rate, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "frame_rate");
  polyenc_encoder_free(enc);
}

static void case_packet_on_wrong_stream(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_stream *v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mp4"));
  const uint8_t byte = 0;
  CHECK_STATUS(enc, polyenc_add_packet(v, &byte, 1, 0, 0, 1, 1), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "polyenc_add_encoded_video");
  polyenc_encoder_free(enc);
}

static void case_packet_before_open(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config cfg = {"h264", W, H, 25, 0, 0, NULL, 0, 0, NULL};
  polyenc_stream *s;
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &cfg, &s));
  const uint8_t annex_b[] = {0, 0, 0, 1, 0x65, 0x88};
  CHECK_STATUS(enc, polyenc_add_packet(s, annex_b, sizeof annex_b, 0, 0, 1, 1), POLYENC_ERR_STATE);
  CHECK_CONTAINS(polyenc_last_error(enc), "open");
  polyenc_encoder_free(enc);
}

/* ---- rotation: the display matrix of a video stream (rotation.c), the frames stored as given ---- */
static void case_rotation_mp4(void) {
  /* polyenc's clockwise degrees -> what FFmpeg 5.1's ffprobe prints (counter-clockwise), as in test_control */
  static const struct { int rotation; const char *ffprobe; } table[] = {{0, NULL}, {90, "-90"}, {180, "-180"}, {270, "90"}};
  packets p;
  const char *direct = tmp_path("direct.mp4");
  direct_encode(direct, &p);
  for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
    char name[32];
    snprintf(name, sizeof name, "rot%d.mp4", table[i].rotation);
    const char *path = tmp_path(name);
    remux_rotated(&p, path, table[i].rotation);
    expect_rotation(path, table[i].rotation, table[i].ffprobe);
    char *probe = ffprobe("-select_streams v:0 -show_streams", path);
    CHECK(probe);
    char buf[64];
    CHECK_STREQ(kv_get(probe, "width", 0, buf, sizeof buf), "96"); /* the packets are stored as given */
    CHECK_STREQ(kv_get(probe, "height", 0, buf, sizeof buf), "64");
    free(probe);
    expect_same_frames(direct, path);
  }
  packets_free(&p);
}

/* FFmpeg 5.1 cannot write a display matrix in Matroska: open fails naming it, rather than drop it. */
static void case_rotation_mkv_unsupported(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config cfg = {"h264", W, H, 25, 0, 0, NULL, 0, 90, NULL};
  polyenc_stream *s;
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &cfg, &s));
  const char *path = tmp_path("rot90.mkv");
  CHECK_STATUS(enc, polyenc_open_file(enc, path, NULL), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "rotation");
  CHECK_CONTAINS(polyenc_last_error(enc), "matroska");
  CHECK(!file_exists(path));
  polyenc_encoder_free(enc);
}

static void case_bad_rotation(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  const int bad[] = {45, -90, 360, 1};
  polyenc_stream *s;
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    polyenc_encoded_video_config cfg = {"h264", W, H, 25, 0, 0, NULL, 0, bad[i], NULL};
    CHECK_STATUS(enc, polyenc_add_encoded_video(enc, &cfg, &s), POLYENC_ERR_ARGUMENT);
    CHECK_CONTAINS(polyenc_last_error(enc), "rotation must be 0, 90, 180 or 270"); /* rotation.c's message */
  }
  polyenc_encoded_video_config cfg = {"h264", W, H, 25, 0, 0, NULL, 0, 270, NULL}; /* the encoder is still usable */
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &cfg, &s));
  CHECK_EQ_INT(polyenc_stream_index(s), 0);
  polyenc_encoder_free(enc);
}

/* ---- the clock of a mux-only stream: internal (pe_encoded_next_pts), linked from the core's objects ---- */
#ifdef POLYENC_TEST_INTERNAL
/* Calls of a stream: n frames, with these pts (NULL: running). In 1/1000 at 25 fps: 40 ticks a frame. */
enum { CALLS = 5 };
static const int64_t given_a[] = {200, 230, 250}, given_b[] = {400};
static const struct { int n; const int64_t *pts; } calls[CALLS] = {{3, NULL}, {3, given_a}, {2, NULL}, {1, given_b}, {2, NULL}};
static const int64_t expected_ms[] = {0, 40, 80, 200, 230, 250, 290, 330, 400, 440, 480};
enum { CLOCK_N = 11 };

static void case_clock_like_video_stream(void) {
  /* a video stream fed with these calls: the frame times ffprobe reads */
  const char *path = tmp_path("clock_video.mp4");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.time_base_num = 1, vc.time_base_den = 1000;
  polyenc_stream *v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  uint8_t *rgb = pattern_frames(W, H, 3);
  for (int c = 0; c < CALLS; c++) {
    polyenc_frames f = frames_of(rgb, POLYENC_RGB24, calls[c].n, W, H);
    f.pts = calls[c].pts;
    CHECK_OK(enc, polyenc_add_frames(v, &f));
  }
  free(rgb);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  char *probe = ffprobe("-select_streams v:0 -show_entries frame=pts_time -of default=noprint_wrappers=1", path);
  CHECK(probe);
  double seconds[CLOCK_N];
  char buf[64];
  for (int i = 0; i < CLOCK_N; i++) {
    CHECK_MSG(kv_get(probe, "pts_time", i, buf, sizeof buf), "ffprobe shows fewer than %d frames:\n%s", CLOCK_N, probe);
    seconds[i] = atof(buf);
  }
  CHECK_MSG(!kv_get(probe, "pts_time", CLOCK_N, buf, sizeof buf), "ffprobe shows more than %d frames", CLOCK_N);
  free(probe);

  /* a mux-only stream of the same rate and time base: the same pts, call by call */
  enc = polyenc_encoder_new();
  polyenc_encoded_video_config cfg = {"h264", W, H, 25, 1, 1000, NULL, 0, 0, NULL};
  polyenc_encoded_video_config plain = {"h264", W, H, 30, 0, 0, NULL, 0, 0, NULL}; /* 0/0: 1/frame_rate */
  polyenc_stream *s, *s2;
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &cfg, &s));
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &plain, &s2));
  int64_t out[CLOCK_N];
  CHECK_STATUS(enc, pe_encoded_next_pts(s, NULL, 1, out), POLYENC_ERR_STATE); /* before open */
  CHECK_CONTAINS(polyenc_last_error(enc), "open");
  CHECK_OK(enc, polyenc_open_memory(enc, "mp4"));
  int k = 0;
  for (int c = 0; c < CALLS; c++) {
    CHECK_OK(enc, pe_encoded_next_pts(s, calls[c].pts, calls[c].n, out + k));
    k += calls[c].n;
  }
  for (int i = 0; i < CLOCK_N; i++) {
    CHECK_MSG(out[i] == expected_ms[i], "frame %d: pts %lld, expected %lld", i, (long long)out[i],
              (long long)expected_ms[i]);
    CHECK_NEAR(seconds[i], out[i] / 1000.0, 0.5e-3);
  }
  CHECK_OK(enc, pe_encoded_next_pts(s2, NULL, 3, out)); /* the frame index at 1/frame_rate */
  CHECK(out[0] == 0 && out[1] == 1 && out[2] == 2);
  CHECK_OK(enc, pe_encoded_next_pts(s2, NULL, 0, NULL)); /* nothing */
  CHECK_OK(enc, pe_encoded_next_pts(s2, NULL, 1, out));
  CHECK(out[0] == 3);
  CHECK_OK(enc, polyenc_close(enc));
  CHECK_STATUS(enc, pe_encoded_next_pts(s, NULL, 1, out), POLYENC_ERR_STATE); /* after close */
  CHECK_CONTAINS(polyenc_last_error(enc), "close");
  polyenc_encoder_free(enc);
}

/* A rejected call advances nothing: the next one continues where the last accepted left off. */
static void case_clock_errors_advance_nothing(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config cfg = {"h264", W, H, 25, 1, 1000, NULL, 0, 0, NULL};
  polyenc_encoded_video_config no_rate = {"h264", W, H, 0, 1, 90000, NULL, 0, 0, NULL};
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_stream *s, *s2, *v;
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &cfg, &s));
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &no_rate, &s2));
  v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mp4"));
  int64_t out[4] = {-7, -7, -7, -7};
  const int64_t first[] = {100, 140};
  CHECK_OK(enc, pe_encoded_next_pts(s, first, 2, out));
  const int64_t *bad[] = {(const int64_t[]){150, 150}, (const int64_t[]){140, 200}, (const int64_t[]){200, -1},
                          (const int64_t[]){INT64_C(1) << 62, (INT64_C(1) << 62) + 1}};
  const char *what[] = {"increase strictly", "increase strictly", ">= 0", "too far"};
  for (int i = 0; i < 4; i++) {
    out[0] = out[1] = -7;
    CHECK_STATUS(enc, pe_encoded_next_pts(s, bad[i], 2, out), POLYENC_ERR_ARGUMENT);
    CHECK_CONTAINS(polyenc_last_error(enc), what[i]);
    CHECK(out[0] == -7 && out[1] == -7); /* nothing written either */
  }
  CHECK_STATUS(enc, pe_encoded_next_pts(s, NULL, -1, out), POLYENC_ERR_ARGUMENT);
  CHECK_STATUS(enc, pe_encoded_next_pts(s, NULL, 1, NULL), POLYENC_ERR_ARGUMENT);
  CHECK_OK(enc, pe_encoded_next_pts(s, NULL, 2, out));
  CHECK(out[0] == 180 && out[1] == 220);
  /* no frame_rate: every frame needs its pts */
  CHECK_STATUS(enc, pe_encoded_next_pts(s2, NULL, 1, out), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "frame_rate");
  CHECK_OK(enc, pe_encoded_next_pts(s2, (const int64_t[]){0, 3000, 3001}, 3, out));
  CHECK(out[0] == 0 && out[1] == 3000 && out[2] == 3001);
  /* a video stream is not a mux-only stream */
  CHECK_STATUS(enc, pe_encoded_next_pts(v, NULL, 1, out), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "mux-only");
  polyenc_encoder_free(enc);
}
#else
static void case_clock_like_video_stream(void) { SKIP("pe_encoded_next_pts is internal: not linked in this build"); }
static void case_clock_errors_advance_nothing(void) { SKIP("pe_encoded_next_pts is internal: not linked in this build"); }
#endif

/* The bytes of mp4's vpcC box (VP9's codec record) after its header, version and flags: profile, level, then
 * bit depth (high 4 bits) | chroma subsampling | full range. */
static void vpcc_of(const char *path, uint8_t out[3]) {
  FILE *f = fopen(path, "rb");
  CHECK(f);
  static uint8_t buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  for (size_t i = 0; i + 11 < n; i++)
    if (!memcmp(buf + i, "vpcC", 4)) {
      memcpy(out, buf + i + 8, 3);
      return;
    }
  CHECK_MSG(0, "no vpcC box in the first %zu bytes of %s", n, path);
}

/* A 10-bit VP9 remuxed into mp4: the stated pixel_format is the bit depth and profile of its vpcC record. */
static void case_pixel_format_in_vpcc(void) {
  if (!polyenc_has_encoder("libvpx-vp9")) SKIP("no libvpx-vp9");
  polyenc_video_config vc = video_cfg(W, H, 25);
  static const char *const fast[] = {"deadline", "realtime", "cpu-used", "8", NULL};
  vc.codec = "libvpx-vp9", vc.pixel_format = "yuv420p10le", vc.options = fast;
  packets p;
  encode_read_back(tmp_path("vp9_10.webm"), &vc, &p);
  const char *out = tmp_path("vp9_10.mp4");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config cfg = {"vp9", W, H, 0, p.time_base.num, p.time_base.den, NULL, 0, 0, "yuv420p10le"};
  polyenc_stream *s;
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &cfg, &s));
  CHECK_OK(enc, polyenc_open_file(enc, out, NULL));
  for (int i = 0; i < p.count; i++) {
    const AVPacket *k = p.items[i];
    CHECK_OK(enc, polyenc_add_packet(s, k->data, (size_t)k->size, k->pts, k->dts, k->duration, k->flags & AV_PKT_FLAG_KEY));
  }
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  uint8_t vpcc[3] = {0};
  vpcc_of(out, vpcc);
  CHECK_EQ_INT(vpcc[0], 2);       /* profile 2: 10-bit 4:2:0 */
  CHECK_EQ_INT(vpcc[2] >> 4, 10); /* bit depth */
  char *probe = ffprobe("-v error -select_streams v -show_entries stream=codec_name,pix_fmt,nb_read_frames -count_frames", out);
  char buf[32];
  CHECK_STREQ(kv_get(probe, "pix_fmt", 0, buf, sizeof buf), "yuv420p10le");
  CHECK_STREQ(kv_get(probe, "nb_read_frames", 0, buf, sizeof buf), "30");
  free(probe);
  packets_free(&p);
}

static void case_bad_pixel_format(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config cfg = {"vp9", W, H, 25, 0, 0, NULL, 0, 0, "yuv420p11"};
  polyenc_stream *s;
  CHECK_STATUS(enc, polyenc_add_encoded_video(enc, &cfg, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pixel_format 'yuv420p11'");
  polyenc_encoder_free(enc);
}
