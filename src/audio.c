/* An audio stream: float input (planar or interleaved) -> swresample to the codec's format, rate and
 * channels -> a FIFO that cuts exactly frame_size samples per frame (the last may be short) -> pts =
 * start_time + output samples so far. */
#include <math.h>
#include <string.h>

#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>

#include "internal.h"

enum { MAX_CHANNELS = POLYENC_MAX_CHANNELS, VARIABLE_FRAME_SIZE = 1024 };

struct audio_stream {
  polyenc_audio_config cfg; /* codec string owned; options point to `options` */
  char **options;
  int out_rate, out_channels;
  /* from open */
  SwrContext *swr;
  AVAudioFifo *fifo;
  AVFrame *frame;
  int frame_size;
  int64_t next_pts;
  int first_packet; /* no packet has gone to the muxer yet (pe_audio_adjust_packet) */
  float *scratch; /* the clipped, planar chunk handed to swresample */
  size_t scratch_size;
};

void pe_audio_free(audio_stream *a) {
  if (!a) return;
  av_free((char *)a->cfg.codec);
  pe_free_options(a->options);
  swr_free(&a->swr);
  av_audio_fifo_free(a->fifo);
  av_frame_free(&a->frame);
  av_free(a->scratch);
  av_free(a);
}

static polyenc_status check_config(polyenc_encoder *enc, const polyenc_audio_config *cfg) {
  if (cfg->sample_rate <= 0)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "sample_rate must be > 0, got %d", cfg->sample_rate);
  if (cfg->sample_rate > POLYENC_MAX_SAMPLE_RATE || cfg->out_sample_rate > POLYENC_MAX_SAMPLE_RATE)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "%s must be at most POLYENC_MAX_SAMPLE_RATE (%d Hz), got %d",
                        cfg->sample_rate > POLYENC_MAX_SAMPLE_RATE ? "sample_rate" : "out_sample_rate",
                        POLYENC_MAX_SAMPLE_RATE,
                        cfg->sample_rate > POLYENC_MAX_SAMPLE_RATE ? cfg->sample_rate : cfg->out_sample_rate);
  if (cfg->num_channels <= 0)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "num_channels must be between 1 and %d, got %d", MAX_CHANNELS,
                        cfg->num_channels);
  if (cfg->num_channels > MAX_CHANNELS)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "Trying to encode %d channels (num_channels = %d), but at most %d are supported",
                        cfg->num_channels, cfg->num_channels, MAX_CHANNELS);
  if (cfg->out_sample_rate < 0)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "out_sample_rate must be >= 0 (0: same as input), got %d",
                        cfg->out_sample_rate);
  if (cfg->out_sample_rate > 0 && ((int64_t)cfg->out_sample_rate > (int64_t)cfg->sample_rate * POLYENC_MAX_RESAMPLE_RATIO ||
                                   (int64_t)cfg->sample_rate > (int64_t)cfg->out_sample_rate * POLYENC_MAX_RESAMPLE_RATIO))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "out_sample_rate %d is more than POLYENC_MAX_RESAMPLE_RATIO (%d) times %s sample_rate %d",
                        cfg->out_sample_rate, POLYENC_MAX_RESAMPLE_RATIO,
                        cfg->out_sample_rate > cfg->sample_rate ? "above" : "below", cfg->sample_rate);
  if (cfg->out_num_channels < 0 || cfg->out_num_channels > MAX_CHANNELS)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "out_num_channels must be between 0 (same as input) and %d, got %d",
                        MAX_CHANNELS, cfg->out_num_channels);
  if (cfg->bit_rate < 0)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "bit_rate must be >= 0, got %lld", (long long)cfg->bit_rate);
  return pe_check_start_time(enc, cfg->start_time);
}

static polyenc_status check_rate(polyenc_encoder *enc, const AVCodec *codec, const audio_stream *a) {
  /* FFmpeg 5.1's tta encoder overruns its packet at very low rates (its frames shrink with the rate) and
   * an assertion aborts the process */
  if (codec->id == AV_CODEC_ID_TTA && a->out_rate < 8000)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "%s %d is below 8000, the lowest rate codec %s takes here",
                        a->cfg.out_sample_rate ? "out_sample_rate" : "sample_rate", a->out_rate, codec->name);
  if (!codec->supported_samplerates) return POLYENC_OK;
  char list[512];
  size_t used = 0;
  for (const int *r = codec->supported_samplerates; *r; r++) {
    if (*r == a->out_rate) return POLYENC_OK;
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%d", used ? ", " : "", *r);
  }
  const char *which = a->cfg.out_sample_rate ? "out_sample_rate" : "sample_rate";
  return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                      "%s %d is not supported by codec %s. Valid rates: %s (set out_sample_rate to resample)", which,
                      a->out_rate, codec->name, list);
}

static polyenc_status check_channels(polyenc_encoder *enc, const AVCodec *codec, const audio_stream *a) {
  if (!codec->ch_layouts) return POLYENC_OK;
  for (const AVChannelLayout *l = codec->ch_layouts; l->nb_channels; l++)
    if (l->nb_channels == a->out_channels) return POLYENC_OK;
  const char *which = a->cfg.out_num_channels ? "out_num_channels" : "num_channels";
  return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                      "Expected a channel count codec %s supports: %s %d is not one (e.g. 1 or 2)", codec->name, which,
                      a->out_channels);
}

polyenc_status pe_audio_create(polyenc_encoder *enc, const polyenc_audio_config *cfg, audio_stream **out) {
  polyenc_status st = check_config(enc, cfg);
  const AVCodec *codec = NULL;
  if (!st && cfg->codec) st = pe_find_encoder(enc, cfg->codec, AVMEDIA_TYPE_AUDIO, cfg->options, &codec);
  if (st) return st;
  audio_stream *a = av_mallocz(sizeof *a);
  if (!a) return pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory adding an audio stream");
  a->cfg = *cfg;
  a->cfg.codec = pe_copy_string(cfg->codec);
  a->options = pe_copy_options(cfg->options, enc, &st);
  a->cfg.options = (const char *const *)a->options;
  a->out_rate = cfg->out_sample_rate ? cfg->out_sample_rate : cfg->sample_rate;
  a->out_channels = cfg->out_num_channels ? cfg->out_num_channels : cfg->num_channels;
  if (!st && cfg->codec && !a->cfg.codec)
    st = pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory adding an audio stream");
  if (!st && codec) st = check_rate(enc, codec, a);
  if (!st && codec) st = check_channels(enc, codec, a);
  if (!st) st = pe_check_options_known(enc, codec, a->options);
  if (st) {
    pe_audio_free(a);
    return st;
  }
  *out = a;
  return POLYENC_OK;
}

/* torchcodec's preference: float first, then wider, planar before packed. */
static enum AVSampleFormat choose_sample_format(const AVCodec *codec) {
  static const enum AVSampleFormat preferred[] = {AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_DBLP,
                                                  AV_SAMPLE_FMT_DBL,  AV_SAMPLE_FMT_S32P, AV_SAMPLE_FMT_S32,
                                                  AV_SAMPLE_FMT_S16P, AV_SAMPLE_FMT_S16,  AV_SAMPLE_FMT_U8};
  if (!codec->sample_fmts) return AV_SAMPLE_FMT_FLTP;
  for (size_t i = 0; i < sizeof preferred / sizeof *preferred; i++)
    for (const enum AVSampleFormat *f = codec->sample_fmts; *f != AV_SAMPLE_FMT_NONE; f++)
      if (*f == preferred[i]) return *f;
  return codec->sample_fmts[0];
}

static polyenc_status find_codec(polyenc_stream *s, const AVOutputFormat *muxer, const AVCodec **codec) {
  audio_stream *a = s->impl.audio;
  if (a->cfg.codec) return pe_find_encoder(s->enc, a->cfg.codec, AVMEDIA_TYPE_AUDIO, a->cfg.options, codec);
  enum AVCodecID id = pe_default_codec_id(muxer, AVMEDIA_TYPE_AUDIO);
  if (id == AV_CODEC_ID_NONE)
    return pe_set_error(s->enc, POLYENC_ERR_UNSUPPORTED, "container %s takes no audio stream (stream %d)", muxer->name,
                        s->index);
  if (!(*codec = pe_software_encoder_for(id)))
    return pe_set_error(s->enc, POLYENC_ERR_UNSUPPORTED,
                        "no encoder for %s, the default audio codec of %s, in this build", avcodec_get_name(id),
                        muxer->name);
  return POLYENC_OK;
}

static polyenc_status open_codec(polyenc_stream *s, const AVCodec *codec, const AVOutputFormat *muxer,
                                 AVDictionary **muxer_opts) {
  audio_stream *a = s->impl.audio;
  AVCodecContext *ctx = s->codec_ctx = avcodec_alloc_context3(codec);
  if (!ctx) return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening codec %s", codec->name);
  ctx->sample_rate = a->out_rate;
  ctx->sample_fmt = choose_sample_format(codec);
  ctx->time_base = (AVRational){1, a->out_rate};
  av_channel_layout_default(&ctx->ch_layout, a->out_channels);
  if (a->cfg.bit_rate > 0) ctx->bit_rate = a->cfg.bit_rate;
  if (codec->capabilities & AV_CODEC_CAP_EXPERIMENTAL) ctx->strict_std_compliance = FF_COMPLIANCE_EXPERIMENTAL;
  if (muxer->flags & AVFMT_GLOBALHEADER) ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  polyenc_status st = pe_route_options(s, a->options, muxer_opts);
  if (st) return st;
  pe_clear_ffmpeg_log();
  int ret = avcodec_open2(ctx, codec, NULL);
  if (ret < 0) {
    char reason[600];
    return pe_set_error(s->enc, pe_codec_status(ret),
                        "could not open audio encoder %s for stream %d (%d Hz, %d channels): %s", codec->name, s->index,
                        a->out_rate, a->out_channels, pe_error_text(ret, reason, sizeof reason));
  }
  return POLYENC_OK;
}

static polyenc_status create_pipeline(polyenc_stream *s) {
  audio_stream *a = s->impl.audio;
  AVCodecContext *ctx = s->codec_ctx;
  AVChannelLayout in_layout;
  av_channel_layout_default(&in_layout, a->cfg.num_channels);
  int ret = swr_alloc_set_opts2(&a->swr, &ctx->ch_layout, ctx->sample_fmt, ctx->sample_rate, &in_layout,
                                AV_SAMPLE_FMT_FLTP, a->cfg.sample_rate, 0, NULL);
  if (ret >= 0) ret = swr_init(a->swr);
  int variable = (ctx->codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE) || ctx->frame_size == 0;
  a->frame_size = variable ? VARIABLE_FRAME_SIZE : ctx->frame_size;
  a->fifo = ret >= 0 ? av_audio_fifo_alloc(ctx->sample_fmt, ctx->ch_layout.nb_channels, 2 * a->frame_size) : NULL;
  a->frame = a->fifo ? av_frame_alloc() : NULL;
  if (!a->frame) return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening audio stream %d", s->index);
  a->frame->format = ctx->sample_fmt;
  a->frame->sample_rate = ctx->sample_rate;
  if (av_channel_layout_copy(&a->frame->ch_layout, &ctx->ch_layout) < 0)
    return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening audio stream %d", s->index);
  return POLYENC_OK;
}

polyenc_status pe_audio_open(polyenc_stream *s, const AVOutputFormat *muxer, AVDictionary **muxer_opts) {
  audio_stream *a = s->impl.audio;
  swr_free(&a->swr); /* a second open after a failed one starts clean */
  av_audio_fifo_free(a->fifo);
  a->fifo = NULL;
  av_frame_free(&a->frame);
  a->next_pts = pe_start_time_ticks(a->cfg.start_time, a->out_rate); /* start_time, in the codec's 1/out_rate */
  a->first_packet = 1;
  const AVCodec *codec;
  polyenc_status st = find_codec(s, muxer, &codec);
  if (st) return st;
  if (avformat_query_codec(muxer, codec->id, FF_COMPLIANCE_NORMAL) == 0)
    return pe_set_error(s->enc, POLYENC_ERR_UNSUPPORTED, "codec %s (stream %d) cannot be stored in container %s",
                        codec->name, s->index, muxer->name);
  if ((st = check_rate(s->enc, codec, a)) || (st = check_channels(s->enc, codec, a)) ||
      (st = pe_check_start_time_container(s, a->cfg.start_time, muxer)))
    return st;
  if ((st = open_codec(s, codec, muxer, muxer_opts)) || (st = create_pipeline(s))) return st;
  s->av_stream = avformat_new_stream(s->enc->format_ctx, NULL);
  if (!s->av_stream || avcodec_parameters_from_context(s->av_stream->codecpar, s->codec_ctx) < 0)
    return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory creating stream %d", s->index);
  s->av_stream->time_base = s->codec_ctx->time_base;
  pe_log_info("stream %d: audio %d Hz %d ch -> %s %d Hz %d ch, frame_size %d", s->index, a->cfg.sample_rate,
              a->cfg.num_channels, codec->name, a->out_rate, a->out_channels, a->frame_size);
  return POLYENC_OK;
}

/* The samples of a short last frame of n: n itself when the codec takes short frames, else a whole frame.
 * FFmpeg 5.1's ADPCM encoders pack two samples a byte and overrun their packet on an odd count (an
 * assertion aborts the process): they get one sample of silence more. */
static int last_frame_samples(const AVCodecContext *ctx, int n, int frame_size) {
  if (!(ctx->codec->capabilities & (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE))) return frame_size;
  int adpcm = ctx->codec_id >= AV_CODEC_ID_ADPCM_IMA_QT && ctx->codec_id < AV_CODEC_ID_AMR_NB;
  return adpcm && n % 2 ? FFMIN(n + 1, frame_size) : n;
}

/* Encodes frame_size samples from the FIFO while it has them; all of it when flushing. */
static polyenc_status encode_fifo(polyenc_stream *s, int flushing) {
  audio_stream *a = s->impl.audio;
  while (av_audio_fifo_size(a->fifo) >= a->frame_size || (flushing && av_audio_fifo_size(a->fifo) > 0)) {
    int n = FFMIN(av_audio_fifo_size(a->fifo), a->frame_size);
    AVFrame *f = a->frame;
    av_frame_unref(f);
    f->format = s->codec_ctx->sample_fmt;
    f->sample_rate = s->codec_ctx->sample_rate;
    f->nb_samples = n < a->frame_size ? last_frame_samples(s->codec_ctx, n, a->frame_size) : n; /* silence after the end */
    if (av_channel_layout_copy(&f->ch_layout, &s->codec_ctx->ch_layout) < 0 || av_frame_get_buffer(f, 0) < 0)
      return pe_encoder_fail(s->enc, pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory encoding audio stream %d",
                                                  s->index));
    if (f->nb_samples > n)
      av_samples_set_silence(f->data, n, f->nb_samples - n, f->ch_layout.nb_channels, f->format);
    if (av_audio_fifo_read(a->fifo, (void **)f->data, n) != n)
      return pe_encoder_fail(s->enc, pe_set_error(s->enc, POLYENC_ERR_CODEC,
                                                  "reading the audio FIFO of stream %d failed", s->index));
    f->pts = a->next_pts;
    a->next_pts += n;
    polyenc_status st = pe_encoder_send(s, f);
    if (st) return st;
  }
  return POLYENC_OK;
}

/* Resamples `count` input samples (planes NULL: drains swresample) into the FIFO. */
static polyenc_status resample_into_fifo(polyenc_stream *s, const uint8_t **planes, int count) {
  audio_stream *a = s->impl.audio;
  int capacity = swr_get_out_samples(a->swr, count);
  if (capacity < 0) capacity = 0;
  if (av_audio_fifo_realloc(a->fifo, av_audio_fifo_size(a->fifo) + capacity + a->frame_size) < 0)
    return pe_encoder_fail(s->enc,
                           pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory in audio stream %d", s->index));
  uint8_t *out[MAX_CHANNELS];
  /* Resample into a temporary frame: AVAudioFifo has no write pointer to give swresample. */
  AVFrame *tmp = av_frame_alloc();
  int ret = tmp ? 0 : AVERROR(ENOMEM);
  if (tmp && capacity > 0) {
    tmp->format = s->codec_ctx->sample_fmt;
    tmp->nb_samples = capacity;
    ret = av_channel_layout_copy(&tmp->ch_layout, &s->codec_ctx->ch_layout);
    if (ret >= 0) ret = av_frame_get_buffer(tmp, 0);
    for (int c = 0; ret >= 0 && c < MAX_CHANNELS; c++) out[c] = tmp->extended_data[c < tmp->ch_layout.nb_channels && av_sample_fmt_is_planar(tmp->format) ? c : 0];
    if (ret >= 0) ret = swr_convert(a->swr, out, capacity, planes, count);
    if (ret > 0 && av_audio_fifo_write(a->fifo, (void **)out, ret) < ret) ret = AVERROR(ENOMEM);
  }
  av_frame_free(&tmp);
  if (ret < 0) {
    char reason[600];
    return pe_encoder_fail(s->enc, pe_set_error(s->enc, pe_codec_status(ret),
                                                "resampling audio stream %d failed: %s", s->index,
                                                pe_error_text(ret, reason, sizeof reason)));
  }
  return POLYENC_OK;
}

/* mp4 / mov store no composition offsets for audio, and the first packet's pts - dts becomes the media
 * time of the edit list. From 0, the encoder's priming (initial_padding, 1024 samples for aac) has
 * negative timestamps and that edit skips it. With start_time > 0 the muxer writes an empty edit up to
 * the first packet instead, and the priming would be played at start_time: the first packet gets pts =
 * dts + priming, so that the edit list is [empty until start_time][from the priming on, as long as the
 * samples given], as from 0. */
static int wants_priming_edit(const polyenc_stream *s) {
  static const char *const mov_family[] = {"mp4", "mov", "ipod", "ismv", "3gp", "3g2", NULL};
  const AVFormatContext *fmt = s->enc->format_ctx;
  int64_t use_editlist = 0;
  int mov = 0;
  for (const char *const *m = mov_family; *m; m++) mov |= !strcmp(fmt->oformat->name, *m);
  if (!mov || s->impl.audio->cfg.start_time <= 0 || s->codec_ctx->initial_padding <= 0) return 0;
  /* resolved when the header was written: 0 for fragmented output */
  return av_opt_get_int(fmt->priv_data, "use_editlist", 0, &use_editlist) >= 0 && use_editlist == 1;
}

void pe_audio_adjust_packet(polyenc_stream *s, AVPacket *pkt) {
  audio_stream *a = s->impl.audio;
  if (a->first_packet && pkt->dts != AV_NOPTS_VALUE && wants_priming_edit(s))
    pkt->pts = pkt->dts + s->codec_ctx->initial_padding;
  a->first_packet = 0;
}

polyenc_status pe_audio_flush(polyenc_stream *s) {
  polyenc_status st = resample_into_fifo(s, NULL, 0);
  if (!st) st = encode_fifo(s, 1);
  if (!st) st = pe_encoder_send(s, NULL);
  return st;
}

static polyenc_status check_samples(polyenc_stream *s, const float *data, polyenc_sample_layout layout, int channels,
                                    int64_t count) {
  polyenc_encoder *enc = s->enc;
  if ((unsigned)layout > POLYENC_SAMPLES_INTERLEAVED)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "layout must be POLYENC_SAMPLES_PLANAR (0) or POLYENC_SAMPLES_INTERLEAVED (1), got %d",
                        (int)layout);
  if (channels != s->impl.audio->cfg.num_channels)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "Expected %d channels (num_channels of stream %d), got %d",
                        s->impl.audio->cfg.num_channels, s->index, channels);
  if (count < 0)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "num_samples must be >= 0, got %lld", (long long)count);
  if (count > 0 && !data)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "data must not be NULL when num_samples is %lld", (long long)count);
  int64_t total = count * channels;
  for (int64_t i = 0; i < total; i++) {
    if (!isfinite(data[i])) {
      int64_t channel = layout == POLYENC_SAMPLES_PLANAR ? i / count : i % channels;
      int64_t sample = layout == POLYENC_SAMPLES_PLANAR ? i % count : i / channels;
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                          "samples must be finite: data has %g at channel %lld, sample %lld (nothing of this chunk "
                          "was encoded)", data[i], (long long)channel, (long long)sample);
    }
  }
  return POLYENC_OK;
}

static float clip(float x) { return x < -1.f ? -1.f : x > 1.f ? 1.f : x; }

/* count samples of each channel, planar (channel c at data + c * plane_stride) or interleaved, into a planar
 * scratch buffer, clipped to [-1, 1]: beyond that, LAME's float path fails an assertion (from about 10^6),
 * and every codec would clip anyway. */
static const float *clipped_planar(audio_stream *a, const float *data, polyenc_sample_layout layout, int channels,
                                   int64_t count, int64_t plane_stride) {
  size_t need = (size_t)count * channels * sizeof(float);
  if (need > a->scratch_size) {
    av_freep(&a->scratch);
    a->scratch_size = 0;
    if (!(a->scratch = av_malloc(need))) return NULL;
    a->scratch_size = need;
  }
  float *out = a->scratch;
  for (int c = 0; c < channels; c++)
    for (int64_t i = 0; i < count; i++)
      out[c * count + i] = clip(layout == POLYENC_SAMPLES_INTERLEAVED ? data[i * channels + c] : data[c * plane_stride + i]);
  return out;
}

enum { CHUNK = 1 << 16 }; /* samples handed to swresample at a time: bounded scratch for any input size */

polyenc_status polyenc_add_samples(polyenc_stream *s, const float *data, polyenc_sample_layout layout, int num_channels,
                                   int64_t num_samples) {
  if (!s) return POLYENC_ERR_ARGUMENT;
  polyenc_encoder *enc = s->enc;
  if (s->kind != STREAM_AUDIO)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "polyenc_add_samples needs an audio stream: stream %d is not one",
                        s->index);
  polyenc_status st = pe_encoder_check_open(enc, "polyenc_add_samples");
  if (st || (st = check_samples(s, data, layout, num_channels, num_samples))) return st;
  audio_stream *a = s->impl.audio;
  /* upsampling makes more samples than it takes: the chunk shrinks so that swresample's output stays near CHUNK */
  int chunk = FFMAX(CHUNK / (a->out_rate / a->cfg.sample_rate + 1), 1024);
  for (int64_t done = 0; done < num_samples; done += chunk) {
    int n = (int)FFMIN(chunk, num_samples - done);
    int interleaved = layout == POLYENC_SAMPLES_INTERLEAVED;
    const float *planar =
        clipped_planar(a, data + done * (interleaved ? num_channels : 1), layout, num_channels, n, num_samples);
    if (!planar)
      return pe_encoder_fail(enc, pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory in audio stream %d", s->index));
    const uint8_t *planes[MAX_CHANNELS];
    for (int c = 0; c < num_channels; c++) planes[c] = (const uint8_t *)(planar + c * n);
    if ((st = resample_into_fifo(s, planes, n)) || (st = encode_fifo(s, 0))) return st;
    s->samples_accepted += n;
  }
  return POLYENC_OK;
}

void polyenc_audio_config_init(polyenc_audio_config *cfg) {
  if (cfg) memset(cfg, 0, sizeof *cfg);
}
