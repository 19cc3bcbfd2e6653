/* Mux-only streams (polyenc_add_encoded_video + polyenc_add_packet): packets produced by a libx264
 * encode, demuxed with libavformat and muxed again by polyenc, decode to exactly the frames of the
 * direct encode; bad packets get clear errors. */
#include <string.h>

#include <libavformat/avformat.h>

#include "helpers.h"

#define CASES(X)                        \
  X(remux_mp4_equals_direct, QUICK)     \
  X(remux_into_mkv_equals_direct, QUICK) \
  X(dts_backwards, QUICK)               \
  X(first_packet_not_keyframe, QUICK)   \
  X(pts_before_dts, QUICK)              \
  X(mp4_needs_extradata, QUICK)         \
  X(unknown_codec, QUICK)               \
  X(packet_on_wrong_stream, QUICK)      \
  X(packet_before_open, QUICK)
CHECK_MAIN(CASES)

enum { W = 96, H = 64, N = 30 };

typedef struct packets {
  AVPacket *items[N * 2];
  int count;
  AVRational time_base;
  uint8_t *extradata;
  int extradata_size;
} packets;

/* A direct polyenc encode of N frames to mp4, then its packets as libavformat reads them back. */
static void direct_encode(const char *path, packets *out) {
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.options = repeatable_x264; /* decoded frames are compared with a second encode's */
  uint8_t *rgb = pattern_frames(W, H, N);
  encode_video_file(path, NULL, &vc, rgb, N);
  free(rgb);
  AVFormatContext *fmt = NULL;
  CHECK(avformat_open_input(&fmt, path, NULL, NULL) == 0);
  CHECK(avformat_find_stream_info(fmt, NULL) >= 0);
  AVStream *st = fmt->streams[0];
  out->time_base = st->time_base;
  out->extradata_size = st->codecpar->extradata_size;
  out->extradata = malloc((size_t)out->extradata_size);
  memcpy(out->extradata, st->codecpar->extradata, (size_t)out->extradata_size);
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

static void packets_free(packets *p) {
  for (int i = 0; i < p->count; i++) av_packet_free(&p->items[i]);
  free(p->extradata);
}

static polyenc_encoded_video_config encoded_cfg(const packets *p) {
  polyenc_encoded_video_config cfg = {"h264", W, H, 0, p->time_base.num, p->time_base.den, p->extradata,
                                      (size_t)p->extradata_size};
  return cfg;
}

static void remux(const packets *p, const char *path) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config cfg = encoded_cfg(p);
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
  polyenc_encoded_video_config cfg = {"nope264", W, H, 25, 0, 0, NULL, 0};
  polyenc_stream *s;
  CHECK_STATUS(enc, polyenc_add_encoded_video(enc, &cfg, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "codec");
  CHECK_CONTAINS(polyenc_last_error(enc), "nope264");
  polyenc_encoded_video_config no_rate = {"h264", W, H, 0, 0, 0, NULL, 0};
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
  polyenc_encoded_video_config cfg = {"h264", W, H, 25, 0, 0, NULL, 0};
  polyenc_stream *s;
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &cfg, &s));
  const uint8_t annex_b[] = {0, 0, 0, 1, 0x65, 0x88};
  CHECK_STATUS(enc, polyenc_add_packet(s, annex_b, sizeof annex_b, 0, 0, 1, 1), POLYENC_ERR_STATE);
  CHECK_CONTAINS(polyenc_last_error(enc), "open");
  polyenc_encoder_free(enc);
}
