/* A mux-only video stream: packets encoded elsewhere (WebCodecs, a hardware SDK, a remux) are checked
 * (keyframe first, dts strictly increasing, pts >= dts) and handed to the muxer as they are. */
#include <math.h>
#include <string.h>

#include <libavutil/pixdesc.h>

#include "internal.h"

struct encoded_stream {
  enum AVCodecID codec_id;
  int width, height;
  AVRational time_base, frame_rate;
  uint8_t *extradata;
  size_t extradata_size;
  int64_t last_dts;
  int64_t packets;
  int needs_extradata; /* mp4-family container, h264/hevc, none given: the first packet must be Annex B */
  int rotation;        /* clockwise degrees, written as the display matrix (rotation.c) */
  enum AVPixelFormat pix_fmt; /* AV_PIX_FMT_NONE: not stated */
  pe_video_clock clock; /* the pts of frames given to pe_encoded_next_pts (from open) */
};

void pe_encoded_free(encoded_stream *e) {
  if (!e) return;
  av_free(e->extradata);
  av_free(e);
}

polyenc_status pe_encoded_create(polyenc_encoder *enc, const polyenc_encoded_video_config *cfg, encoded_stream **out) {
  const AVCodecDescriptor *desc = cfg->codec ? avcodec_descriptor_get_by_name(cfg->codec) : NULL;
  if (!desc || desc->type != AVMEDIA_TYPE_VIDEO)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "codec must name a video codec (\"h264\", \"hevc\", \"vp9\", \"av1\", ...), got '%s'",
                        cfg->codec ? cfg->codec : "NULL");
  if (cfg->width <= 0) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "width must be > 0, got %d", cfg->width);
  if (cfg->height <= 0) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "height must be > 0, got %d", cfg->height);
  int has_tb = cfg->time_base_num > 0 && cfg->time_base_den > 0;
  polyenc_status tb_st = pe_check_time_base(enc, cfg->time_base_num, cfg->time_base_den);
  if (tb_st) return tb_st;
  int has_rate = cfg->frame_rate != 0;
  if (!has_rate && !has_tb)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "frame_rate must be > 0 (or 0 with a time_base), got %g",
                        cfg->frame_rate);
  polyenc_status st = has_rate ? pe_check_frame_rate(enc, cfg->frame_rate) : POLYENC_OK;
  if (st) return st;
  if ((int64_t)cfg->width * cfg->height > POLYENC_MAX_PIXELS)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "width x height must be at most POLYENC_MAX_PIXELS (%d), got %d x %d", POLYENC_MAX_PIXELS,
                        cfg->width, cfg->height);
  if ((st = pe_rotation_check(enc, cfg->rotation))) return st;
  enum AVPixelFormat pix_fmt = cfg->pixel_format ? av_get_pix_fmt(cfg->pixel_format) : AV_PIX_FMT_NONE;
  if (cfg->pixel_format && pix_fmt == AV_PIX_FMT_NONE)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "pixel_format '%s' is not a pixel format FFmpeg knows (\"yuv420p\", "
                        "\"yuv420p10le\", ...)", cfg->pixel_format);
  if (cfg->extradata_size && !cfg->extradata)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "extradata is NULL but extradata_size is %zu", cfg->extradata_size);
  encoded_stream *e = av_mallocz(sizeof *e);
  if (!e) return pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory adding a stream");
  e->codec_id = desc->id;
  e->width = cfg->width;
  e->height = cfg->height;
  e->frame_rate = has_rate ? av_d2q(cfg->frame_rate, 1001000) : (AVRational){0, 1};
  e->time_base = has_tb ? (AVRational){cfg->time_base_num, cfg->time_base_den} : av_inv_q(e->frame_rate);
  e->rotation = cfg->rotation;
  e->pix_fmt = pix_fmt;
  if (cfg->extradata_size) {
    if (!(e->extradata = av_mallocz(cfg->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE))) {
      av_free(e);
      return pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory copying extradata");
    }
    memcpy(e->extradata, cfg->extradata, cfg->extradata_size);
    e->extradata_size = cfg->extradata_size;
  }
  *out = e;
  return POLYENC_OK;
}

polyenc_status pe_encoded_open(polyenc_stream *s, const AVOutputFormat *muxer) {
  encoded_stream *e = s->impl.encoded;
  if (avformat_query_codec(muxer, e->codec_id, FF_COMPLIANCE_NORMAL) == 0)
    return pe_set_error(s->enc, POLYENC_ERR_UNSUPPORTED, "codec %s (stream %d) cannot be stored in container %s",
                        avcodec_get_name(e->codec_id), s->index, muxer->name);
  AVStream *st = s->av_stream = avformat_new_stream(s->enc->format_ctx, NULL);
  if (!st) return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory creating stream %d", s->index);
  st->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
  st->codecpar->codec_id = e->codec_id;
  st->codecpar->width = e->width;
  st->codecpar->height = e->height;
  st->codecpar->format = e->pix_fmt;
  st->time_base = e->time_base;
  if (e->frame_rate.num) st->avg_frame_rate = st->r_frame_rate = e->frame_rate;
  if (e->extradata_size) {
    if (!(st->codecpar->extradata = av_mallocz(e->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE)))
      return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory creating stream %d", s->index);
    memcpy(st->codecpar->extradata, e->extradata, e->extradata_size);
    st->codecpar->extradata_size = (int)e->extradata_size;
  }
  int mp4_family = strstr("mp4 mov ipod ismv", muxer->name) != NULL;
  e->needs_extradata = mp4_family && !e->extradata_size && (e->codec_id == AV_CODEC_ID_H264 || e->codec_id == AV_CODEC_ID_HEVC);
  e->last_dts = INT64_MIN;
  e->packets = 0;
  pe_clock_init(&e->clock, e->time_base.num, e->time_base.den, e->frame_rate);
  return pe_rotation_apply(s, e->rotation);
}

polyenc_status pe_encoded_next_pts(polyenc_stream *s, const int64_t *pts, int n, int64_t *out) {
  if (!s) return POLYENC_ERR_ARGUMENT;
  polyenc_encoder *enc = s->enc;
  if (s->kind != STREAM_ENCODED)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "stream %d is not a mux-only stream (polyenc_add_encoded_video)",
                        s->index);
  polyenc_status st = pe_encoder_check_open(enc, "the pts of a mux-only stream");
  if (st) return st;
  if (n < 0) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "the number of frames must be >= 0, got %d", n);
  if (n && !out) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "out must not be NULL");
  encoded_stream *e = s->impl.encoded;
  if (n && !pts && !e->frame_rate.num)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "stream %d has no frame_rate (only a time base): every frame needs its pts", s->index);
  if ((st = pe_clock_check(s, &e->clock, pts, n))) return st;
  pe_frame_times times = {pts, NULL};
  for (int i = 0; i < n; i++) out[i] = pe_clock_next(&e->clock, &times, i);
  return POLYENC_OK;
}

/* A non-negative step in the stream's units that is below 2^31 in the container's time base. */
static int fits_container_clock(const polyenc_stream *s, int64_t step) {
  return pe_fits_container_clock(s, s->impl.encoded->time_base, step);
}

static int is_annex_b(const uint8_t *data, size_t size) {
  return (size >= 3 && !data[0] && !data[1] && data[2] == 1) || (size >= 4 && !data[0] && !data[1] && !data[2] && data[3] == 1);
}

static polyenc_status check_packet(polyenc_stream *s, const uint8_t *data, size_t size, int64_t pts, int64_t dts,
                                   int64_t duration, int is_keyframe) {
  encoded_stream *e = s->impl.encoded;
  polyenc_encoder *enc = s->enc;
  if (!data || !size)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "data must be a non-empty packet, got size %zu", size);
  if (size > INT32_MAX - AV_INPUT_BUFFER_PADDING_SIZE)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "packet size %zu is too large", size);
  if (e->packets == 0 && !is_keyframe)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "the first packet of stream %d must be a keyframe (is_keyframe = 0)", s->index);
  if (e->packets == 0 && e->needs_extradata && !is_annex_b(data, size))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "stream %d: %s in this container needs extradata (an avcC/hvcC record, e.g. WebCodecs' "
                        "decoderConfig.description) or Annex B packets; got neither",
                        s->index, avcodec_get_name(e->codec_id));
  if (dts <= e->last_dts)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "dts must increase: stream %d got dts %lld after %lld", s->index,
                        (long long)dts, (long long)e->last_dts);
  if (pts < dts)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "pts must be >= dts: stream %d got pts %lld, dts %lld", s->index,
                        (long long)pts, (long long)dts);
  if (duration < 0)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "duration must be >= 0, got %lld", (long long)duration);
  /* Containers store these steps in 32 bits of their own clock (mp4's ismv ticks at 10 MHz): a longer
   * one would wrap inside the muxer (FFmpeg 5.1's mov muxer then aborts the process). */
  const char *what = NULL;
  int64_t step = 0;
  if (e->packets && (__builtin_sub_overflow(dts, e->last_dts, &step) || !fits_container_clock(s, step)))
    what = "the step from the previous dts";
  else if (__builtin_sub_overflow(pts, dts, &step) || !fits_container_clock(s, step))
    what = "pts - dts";
  else if (!fits_container_clock(s, step = duration))
    what = "duration";
  if (!what && !pe_fits_timeline(s, e->time_base, pts))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "stream %d: pts %lld (in units of %d/%d s) is too late for container %s, which stores times "
                        "in 32 bits of milliseconds: it must stay under 2^31 ms", s->index, (long long)pts,
                        e->time_base.num, e->time_base.den, enc->format_ctx->oformat->name);
  if (what)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "stream %d: %s is too long for container %s (pts %lld, dts %lld, duration %lld in units of "
                        "%d/%d s): it must stay under 2^31 ticks of the container's clock (1/%d s)",
                        s->index, what, enc->format_ctx->oformat->name, (long long)pts, (long long)dts,
                        (long long)duration, e->time_base.num, e->time_base.den, s->av_stream->time_base.den);
  return POLYENC_OK;
}

polyenc_status polyenc_add_packet(polyenc_stream *s, const uint8_t *data, size_t size, int64_t pts, int64_t dts,
                                  int64_t duration, int is_keyframe) {
  if (!s) return POLYENC_ERR_ARGUMENT;
  polyenc_encoder *enc = s->enc;
  if (s->kind != STREAM_ENCODED)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "polyenc_add_packet needs a stream from polyenc_add_encoded_video: stream %d is not one",
                        s->index);
  polyenc_status st = pe_encoder_check_open(enc, "polyenc_add_packet");
  if (st || (st = check_packet(s, data, size, pts, dts, duration, is_keyframe))) return st;
  encoded_stream *e = s->impl.encoded;
  AVPacket *pkt = enc->packet;
  if (av_new_packet(pkt, (int)size) < 0)
    return pe_encoder_fail(enc, pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory copying a packet of stream %d",
                                             s->index));
  memcpy(pkt->data, data, size);
  pkt->pts = pts;
  pkt->dts = dts;
  pkt->duration = duration;
  if (is_keyframe) pkt->flags |= AV_PKT_FLAG_KEY;
  e->last_dts = dts;
  e->packets++;
  s->packets_received++;
  st = pe_encoder_write_packet(s, pkt, e->time_base);
  av_packet_unref(pkt);
  return st;
}
