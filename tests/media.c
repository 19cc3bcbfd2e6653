/* Test helpers: FFmpeg's demuxers/decoders to read results back, generated media, tools. */
#define _XOPEN_SOURCE 700
#include "media.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "check.h"

media_src src_file(const char *path) {
  media_src s = {path, NULL, 0};
  return s;
}
media_src src_mem(const uint8_t *data, size_t size) {
  media_src s = {NULL, data, size};
  return s;
}

/* ---- input ---- */
typedef struct mem_reader {
  const uint8_t *data;
  size_t size, pos;
} mem_reader;

static int mem_read(void *opaque, uint8_t *buf, int n) {
  mem_reader *r = opaque;
  size_t left = r->size - r->pos;
  if (left == 0) return AVERROR_EOF;
  if ((size_t)n > left) n = (int)left;
  memcpy(buf, r->data + r->pos, (size_t)n);
  r->pos += (size_t)n;
  return n;
}

static int64_t mem_seek(void *opaque, int64_t offset, int whence) {
  mem_reader *r = opaque;
  if (whence & AVSEEK_SIZE) return (int64_t)r->size;
  whence &= ~AVSEEK_FORCE;
  int64_t pos = whence == SEEK_SET ? offset : whence == SEEK_CUR ? (int64_t)r->pos + offset
                                             : whence == SEEK_END ? (int64_t)r->size + offset : -1;
  if (pos < 0 || pos > (int64_t)r->size) return AVERROR(EINVAL);
  r->pos = (size_t)pos;
  return pos;
}

typedef struct input {
  AVFormatContext *fmt;
  AVIOContext *avio;
  mem_reader reader;
} input;

static void input_close(input *in) {
  avformat_close_input(&in->fmt);
  if (in->avio) {
    av_freep(&in->avio->buffer);
    avio_context_free(&in->avio);
  }
}

int media_ignore_index = 0;

static int input_open(media_src src, input *in) {
  memset(in, 0, sizeof *in);
  int ret;
  char err[256];
  AVDictionary *opts = NULL;
  if (media_ignore_index) av_dict_set(&opts, "fflags", "+ignidx", 0);
  if (src.path) {
    ret = avformat_open_input(&in->fmt, src.path, NULL, &opts);
  } else {
    in->reader.data = src.data;
    in->reader.size = src.size;
    uint8_t *buf = av_malloc(65536);
    in->avio = avio_alloc_context(buf, 65536, 0, &in->reader, mem_read, NULL, mem_seek);
    in->fmt = avformat_alloc_context();
    in->fmt->pb = in->avio;
    ret = avformat_open_input(&in->fmt, NULL, NULL, &opts);
  }
  av_dict_free(&opts);
  if (ret < 0) {
    av_strerror(ret, err, sizeof err);
    fprintf(stderr, "media: cannot open %s: %s\n", src.path ? src.path : "(memory)", err);
    input_close(in);
    return ret;
  }
  ret = avformat_find_stream_info(in->fmt, NULL);
  if (ret < 0) {
    av_strerror(ret, err, sizeof err);
    fprintf(stderr, "media: no stream info in %s: %s\n", src.path ? src.path : "(memory)", err);
    input_close(in);
    return ret;
  }
  return 0;
}

int media_probe(media_src src, media_info *out) {
  input in;
  memset(out, 0, sizeof *out);
  int ret = input_open(src, &in);
  if (ret < 0) return ret;
  snprintf(out->format_name, sizeof out->format_name, "%s", in.fmt->iformat->name);
  out->num_streams = (int)in.fmt->nb_streams;
  out->duration_s = in.fmt->duration == AV_NOPTS_VALUE ? -1 : in.fmt->duration / (double)AV_TIME_BASE;
  for (unsigned i = 0; i < in.fmt->nb_streams && i < 16; i++) {
    AVStream *st = in.fmt->streams[i];
    AVCodecParameters *p = st->codecpar;
    stream_info *s = &out->streams[i];
    s->type = p->codec_type;
    snprintf(s->codec, sizeof s->codec, "%s", avcodec_get_name(p->codec_id));
    s->width = p->width;
    s->height = p->height;
    s->format = p->format;
    s->sample_rate = p->sample_rate;
    s->channels = p->ch_layout.nb_channels;
    s->time_base = st->time_base;
    s->r_frame_rate = st->r_frame_rate;
    s->duration = st->duration;
    s->nb_frames = st->nb_frames;
    s->color_space = p->color_space;
    s->color_range = p->color_range;
  }
  input_close(&in);
  return 0;
}

/* ---- decoding ---- */
int media_allow_truncated = 0;

typedef int (*frame_fn)(AVFrame *frame, void *ctx);

static int decode_stream(media_src src, int stream, frame_fn fn, void *ctx) {
  input in;
  int ret = input_open(src, &in);
  if (ret < 0) return ret;
  if (stream < 0 || stream >= (int)in.fmt->nb_streams) {
    fprintf(stderr, "media: no stream %d (%u streams)\n", stream, in.fmt->nb_streams);
    input_close(&in);
    return AVERROR(EINVAL);
  }
  AVStream *st = in.fmt->streams[stream];
  const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
  AVCodecContext *dec = codec ? avcodec_alloc_context3(codec) : NULL;
  AVPacket *pkt = av_packet_alloc();
  AVFrame *frame = av_frame_alloc();
  if (!dec || !pkt || !frame) {
    fprintf(stderr, "media: no decoder for %s\n", avcodec_get_name(st->codecpar->codec_id));
    ret = AVERROR_DECODER_NOT_FOUND;
    goto done;
  }
  avcodec_parameters_to_context(dec, st->codecpar);
  dec->pkt_timebase = st->time_base;
  if ((ret = avcodec_open2(dec, codec, NULL)) < 0) goto done;
  int eof = 0;
  while (!eof) {
    ret = av_read_frame(in.fmt, pkt);
    if (ret == AVERROR_EOF || (ret < 0 && media_allow_truncated)) {
      eof = 1;
      ret = avcodec_send_packet(dec, NULL);
    } else if (ret < 0) {
      goto done;
    } else if (pkt->stream_index != stream) {
      av_packet_unref(pkt);
      continue;
    } else {
      ret = avcodec_send_packet(dec, pkt);
      av_packet_unref(pkt);
    }
    if (ret < 0 && ret != AVERROR(EAGAIN) && !media_allow_truncated) goto done;
    for (;;) {
      ret = avcodec_receive_frame(dec, frame);
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) break;
      if (ret < 0 && media_allow_truncated) break; /* a damaged last packet */
      if (ret < 0) goto done;
      ret = fn(frame, ctx);
      av_frame_unref(frame);
      if (ret < 0) goto done;
    }
  }
  ret = 0;
done:
  if (ret < 0) {
    char err[256];
    av_strerror(ret, err, sizeof err);
    fprintf(stderr, "media: decoding stream %d failed: %s\n", stream, err);
  }
  av_frame_free(&frame);
  av_packet_free(&pkt);
  avcodec_free_context(&dec);
  input_close(&in);
  return ret;
}

static int append_frame(video_frames *v, const uint8_t *src, int64_t pts) {
  uint8_t *d = realloc(v->data, (size_t)(v->num_frames + 1) * v->frame_size);
  int64_t *p = realloc(v->pts, (size_t)(v->num_frames + 1) * sizeof *p);
  if (!d || !p) {
    free(d ? d : v->data);
    free(p ? p : v->pts);
    v->data = NULL;
    v->pts = NULL;
    return AVERROR(ENOMEM);
  }
  v->data = d;
  v->pts = p;
  if (src) memcpy(d + (size_t)v->num_frames * v->frame_size, src, v->frame_size);
  p[v->num_frames++] = pts;
  return 0;
}

static enum AVPixelFormat unjpeg(enum AVPixelFormat f) {
  switch (f) {
    case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
    default: return f;
  }
}

typedef struct rgb_ctx {
  video_frames *v;
  int colorspace, full_range;
  struct SwsContext *sws;
  uint8_t *buf;
} rgb_ctx;

static int on_rgb_frame(AVFrame *f, void *opaque) {
  rgb_ctx *c = opaque;
  video_frames *v = c->v;
  if (!c->sws) {
    v->width = f->width;
    v->height = f->height;
    v->format = f->format;
    v->frame_size = (size_t)f->width * f->height * 3;
    c->sws = sws_getContext(f->width, f->height, unjpeg(f->format), f->width, f->height, AV_PIX_FMT_RGB24,
                            SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP, NULL,
                            NULL, NULL);
    if (!c->sws) return AVERROR(EINVAL);
    sws_setColorspaceDetails(c->sws, sws_getCoefficients(c->colorspace), c->full_range,
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    c->buf = malloc(v->frame_size);
    if (!c->buf) return AVERROR(ENOMEM);
  }
  if (f->width != v->width || f->height != v->height) {
    fprintf(stderr, "media: frame size changed from %dx%d to %dx%d\n", v->width, v->height, f->width, f->height);
    return AVERROR(EINVAL);
  }
  uint8_t *dst[4] = {c->buf};
  int dst_stride[4] = {v->width * 3};
  sws_scale(c->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, dst_stride);
  return append_frame(v, c->buf, f->best_effort_timestamp);
}

static int matrix_of(const char *name) {
  if (!name || !strcmp(name, "bt601")) return SWS_CS_ITU601;
  if (!strcmp(name, "bt709")) return SWS_CS_ITU709;
  if (!strcmp(name, "bt2020")) return SWS_CS_BT2020;
  return -1;
}

int media_decode_rgb(media_src src, int stream, const char *matrix, int full_range, video_frames *out) {
  memset(out, 0, sizeof *out);
  rgb_ctx c = {out, matrix_of(matrix), full_range, NULL, NULL};
  if (c.colorspace < 0) return AVERROR(EINVAL);
  int ret = decode_stream(src, stream, on_rgb_frame, &c);
  sws_freeContext(c.sws);
  free(c.buf);
  if (ret < 0) video_frames_free(out);
  return ret;
}

static int on_yuv_frame(AVFrame *f, void *opaque) {
  video_frames *v = opaque;
  const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
  if (!d || d->nb_components != 3 || !(d->flags & AV_PIX_FMT_FLAG_PLANAR) || d->comp[0].depth != 8) {
    fprintf(stderr, "media: cannot copy pixel format %s\n", av_get_pix_fmt_name(f->format));
    return AVERROR(EINVAL);
  }
  int cw = AV_CEIL_RSHIFT(f->width, d->log2_chroma_w), ch = AV_CEIL_RSHIFT(f->height, d->log2_chroma_h);
  if (v->num_frames == 0) {
    v->width = f->width;
    v->height = f->height;
    v->format = f->format;
    v->frame_size = (size_t)f->width * f->height + 2 * (size_t)cw * ch;
  }
  if (f->width != v->width || f->height != v->height || f->format != v->format) return AVERROR(EINVAL);
  int ret = append_frame(v, NULL, f->best_effort_timestamp);
  if (ret < 0) return ret;
  uint8_t *dst = v->data + (size_t)(v->num_frames - 1) * v->frame_size;
  for (int y = 0; y < f->height; y++) memcpy(dst + (size_t)y * f->width, f->data[0] + (size_t)y * f->linesize[0], (size_t)f->width);
  dst += (size_t)f->width * f->height;
  for (int p = 1; p <= 2; p++) {
    for (int y = 0; y < ch; y++) memcpy(dst + (size_t)y * cw, f->data[p] + (size_t)y * f->linesize[p], (size_t)cw);
    dst += (size_t)cw * ch;
  }
  return 0;
}

int media_decode_yuv(media_src src, int stream, video_frames *out) {
  memset(out, 0, sizeof *out);
  int ret = decode_stream(src, stream, on_yuv_frame, out);
  if (ret < 0) video_frames_free(out);
  return ret;
}

void video_frames_free(video_frames *v) {
  free(v->data);
  free(v->pts);
  memset(v, 0, sizeof *v);
}

typedef struct audio_ctx {
  audio_samples *a;
  float **chan; /* per channel growing buffers */
  int64_t cap;
} audio_ctx;

static double sample_at(const AVFrame *f, int c, int i) {
  enum AVSampleFormat fmt = f->format;
  int planar = av_sample_fmt_is_planar(fmt);
  int nch = f->ch_layout.nb_channels;
  const uint8_t *base = planar ? f->extended_data[c] : f->extended_data[0];
  int idx = planar ? i : i * nch + c;
  switch (av_get_packed_sample_fmt(fmt)) {
    case AV_SAMPLE_FMT_U8: return (((const uint8_t *)base)[idx] - 128) / 128.0;
    case AV_SAMPLE_FMT_S16: return ((const int16_t *)base)[idx] / 32768.0;
    case AV_SAMPLE_FMT_S32: return ((const int32_t *)base)[idx] / 2147483648.0;
    case AV_SAMPLE_FMT_FLT: return ((const float *)base)[idx];
    case AV_SAMPLE_FMT_DBL: return ((const double *)base)[idx];
    default: return NAN;
  }
}

static int on_audio_frame(AVFrame *f, void *opaque) {
  audio_ctx *c = opaque;
  audio_samples *a = c->a;
  if (!c->chan) {
    a->sample_rate = f->sample_rate;
    a->channels = f->ch_layout.nb_channels;
    c->chan = calloc((size_t)a->channels, sizeof *c->chan);
    if (!c->chan) return AVERROR(ENOMEM);
  }
  if (f->ch_layout.nb_channels != a->channels) return AVERROR(EINVAL);
  if (a->num_samples + f->nb_samples > c->cap) {
    int64_t cap = (a->num_samples + f->nb_samples) * 2;
    for (int ch = 0; ch < a->channels; ch++) {
      float *p = realloc(c->chan[ch], (size_t)cap * sizeof *p);
      if (!p) return AVERROR(ENOMEM);
      c->chan[ch] = p;
    }
    c->cap = cap;
  }
  for (int ch = 0; ch < a->channels; ch++)
    for (int i = 0; i < f->nb_samples; i++) c->chan[ch][a->num_samples + i] = (float)sample_at(f, ch, i);
  a->num_samples += f->nb_samples;
  return 0;
}

int media_decode_audio(media_src src, int stream, audio_samples *out) {
  memset(out, 0, sizeof *out);
  audio_ctx c = {out, NULL, 0};
  int ret = decode_stream(src, stream, on_audio_frame, &c);
  if (ret >= 0) {
    out->data = malloc((size_t)(out->num_samples ? out->num_samples : 1) * (out->channels ? out->channels : 1) * sizeof(float));
    if (!out->data) ret = AVERROR(ENOMEM);
    for (int ch = 0; ret >= 0 && ch < out->channels; ch++)
      if (out->num_samples) memcpy(out->data + ch * out->num_samples, c.chan[ch], (size_t)out->num_samples * sizeof(float));
  }
  for (int ch = 0; c.chan && ch < out->channels; ch++) free(c.chan[ch]);
  free(c.chan);
  if (ret < 0) audio_samples_free(out);
  return ret;
}

void audio_samples_free(audio_samples *a) {
  free(a->data);
  memset(a, 0, sizeof *a);
}

int64_t media_count_packets(media_src src, int stream) {
  input in;
  if (input_open(src, &in) < 0) return -1;
  AVPacket *pkt = av_packet_alloc();
  int64_t n = 0;
  while (av_read_frame(in.fmt, pkt) >= 0) {
    if (pkt->stream_index == stream) n++;
    av_packet_unref(pkt);
  }
  av_packet_free(&pkt);
  input_close(&in);
  return n;
}

/* ---- numbers ---- */
double psnr_u8(const uint8_t *a, const uint8_t *b, size_t n) {
  double se = 0;
  for (size_t i = 0; i < n; i++) {
    double d = (double)a[i] - b[i];
    se += d * d;
  }
  if (se == 0) return 100.0;
  return 10.0 * log10(255.0 * 255.0 / (se / (double)n));
}

double fraction_within(const uint8_t *a, const uint8_t *b, size_t n, int tol) {
  size_t ok = 0;
  for (size_t i = 0; i < n; i++) ok += abs((int)a[i] - (int)b[i]) <= tol;
  return n ? (double)ok / (double)n : 1.0;
}

double mean_abs_diff(const uint8_t *a, const uint8_t *b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += abs((int)a[i] - (int)b[i]);
  return n ? s / (double)n : 0;
}

/* ---- generated media ---- */
static uint8_t clamp_u8(double v) { return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)(v + 0.5); }

void pattern_rgb24(uint8_t *dst, int w, int h, int t) {
  const double pi = 3.14159265358979323846;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t *p = dst + ((size_t)y * w + x) * 3;
      p[0] = clamp_u8(128 + 100 * sin(2 * pi * ((double)x / w + t / 30.0)));
      p[1] = clamp_u8(128 + 100 * sin(2 * pi * (0.8 * y / h + t / 45.0)));
      p[2] = clamp_u8(128 + 90 * cos(2 * pi * ((double)(x + y) / (w + h) - t / 60.0)));
    }
}

void bars_rgb24(uint8_t *dst, int w, int h, int t) {
  static const uint8_t colors[8][3] = {{255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
                                       {255, 0, 255},   {255, 0, 0},   {0, 0, 255},   {20, 20, 20}};
  int bar = w / 8 > 0 ? w / 8 : 1;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const uint8_t *c = colors[((x + 2 * t) / bar) % 8];
      memcpy(dst + ((size_t)y * w + x) * 3, c, 3);
    }
}

void random_bytes(uint8_t *dst, size_t n, uint32_t seed) {
  uint32_t s = seed ? seed : 1;
  for (size_t i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    dst[i] = (uint8_t)(s >> 24);
  }
}

uint8_t *pattern_frames(int w, int h, int n) {
  size_t fs = (size_t)w * h * 3;
  uint8_t *f = malloc(fs * (size_t)(n ? n : 1));
  if (!f) abort();
  for (int i = 0; i < n; i++) pattern_rgb24(f + fs * i, w, h, i);
  return f;
}

uint8_t *bars_frames(int w, int h, int n) {
  size_t fs = (size_t)w * h * 3;
  uint8_t *f = malloc(fs * (size_t)(n ? n : 1));
  if (!f) abort();
  for (int i = 0; i < n; i++) bars_rgb24(f + fs * i, w, h, i);
  return f;
}

float *sine_planar(int channels, int64_t n, int rate, double freq) {
  const double pi = 3.14159265358979323846;
  float *s = malloc((size_t)(n ? n : 1) * channels * sizeof *s);
  if (!s) abort();
  for (int c = 0; c < channels; c++)
    for (int64_t i = 0; i < n; i++) s[c * n + i] = (float)(0.5 * sin(2 * pi * freq * (c + 1) * (double)i / rate));
  return s;
}

float *to_interleaved(const float *planar, int channels, int64_t n) {
  float *s = malloc((size_t)(n ? n : 1) * channels * sizeof *s);
  if (!s) abort();
  for (int c = 0; c < channels; c++)
    for (int64_t i = 0; i < n; i++) s[i * channels + c] = planar[c * n + i];
  return s;
}

void rgb24_to_yuv420p(const uint8_t *rgb, int w, int h, uint8_t *yuv) {
  uint8_t *Y = yuv, *U = yuv + (size_t)w * h, *V = U + (size_t)(w / 2) * (h / 2);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const uint8_t *p = rgb + ((size_t)y * w + x) * 3;
      Y[(size_t)y * w + x] = clamp_u8(16 + (65.481 * p[0] + 128.553 * p[1] + 24.966 * p[2]) / 255.0);
    }
  for (int y = 0; y < h / 2; y++)
    for (int x = 0; x < w / 2; x++) {
      double r = 0, g = 0, b = 0;
      for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
          const uint8_t *p = rgb + ((size_t)(2 * y + dy) * w + 2 * x + dx) * 3;
          r += p[0] / 4.0, g += p[1] / 4.0, b += p[2] / 4.0;
        }
      U[(size_t)y * (w / 2) + x] = clamp_u8(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255.0);
      V[(size_t)y * (w / 2) + x] = clamp_u8(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255.0);
    }
}
