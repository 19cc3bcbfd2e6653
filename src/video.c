/* A video stream: its config checked against the codec, the codec opened, and frames in any layout
 * converted by the stream's converter (platform.h: picked once from the config's device, device.c) into
 * AVFrames that get the stream's colour tags and its clock's pts (timestamps.c). */
#include <math.h>
#include <string.h>

#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

#include "internal.h"
#include "platform.h"

struct video_stream {
  polyenc_video_config cfg; /* strings owned; options point to `options` */
  char **options;
  pe_hdr hdr; /* master-display / max-cll, taken out of options */
  AVRational frame_rate;
  enum AVColorSpace color_space;
  int full_range;
  enum AVColorTransferCharacteristic transfer;  /* AVCOL_TRC_UNSPECIFIED: implied by color_space */
  enum AVColorPrimaries primaries;              /* AVCOL_PRI_UNSPECIFIED: likewise */
  const pe_converter_ops *ops; /* the converter of the config's device */
  int device;                  /* its device index (-1: the host) */
  /* from open */
  enum AVPixelFormat pix_fmt;
  void *converter; /* ops' state */
  pe_video_clock clock;
};

/* 29.97 -> 30000/1001 (and 23.976, 59.94, ...): the NTSC rates are what such values mean. */
static AVRational rate_to_rational(double rate) {
  double ntsc = rate * 1.001;
  if (fabs(ntsc - round(ntsc)) < 1e-3 && fabs(rate - round(rate)) > 1e-3 && ntsc < 1e6)
    return (AVRational){(int)round(ntsc) * 1000, 1001};
  return av_d2q(rate, 1001000);
}

static const char *const color_spaces[] = {"bt601", "bt709", "bt2020", NULL};

static polyenc_status parse_color(polyenc_encoder *enc, const polyenc_video_config *cfg, enum AVColorSpace *space,
                                  int *full_range) {
  const char *cs = cfg->color_space ? cfg->color_space : "bt601";
  if (!strcmp(cs, "bt601")) *space = AVCOL_SPC_SMPTE170M;
  else if (!strcmp(cs, "bt709")) *space = AVCOL_SPC_BT709;
  else if (!strcmp(cs, "bt2020")) *space = AVCOL_SPC_BT2020_NCL;
  else {
    char list[64];
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "color_space must be one of %s, got '%s'",
                        pe_format_list(list, sizeof list, color_spaces), cs);
  }
  const char *range = cfg->color_range ? cfg->color_range : "tv";
  if (!strcmp(range, "tv") || !strcmp(range, "limited")) *full_range = 0;
  else if (!strcmp(range, "pc") || !strcmp(range, "full")) *full_range = 1;
  else
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "color_range must be \"tv\" (limited) or \"pc\" (full), got '%s'",
                        range);
  return POLYENC_OK;
}

typedef struct color_name {
  const char *name;
  int value;
} color_name;

static const color_name transfers[] = {
    {"bt709", AVCOL_TRC_BT709},           {"smpte170m", AVCOL_TRC_SMPTE170M},
    {"bt601", AVCOL_TRC_SMPTE170M},       {"smpte2084", AVCOL_TRC_SMPTE2084},
    {"pq", AVCOL_TRC_SMPTE2084},          {"arib-std-b67", AVCOL_TRC_ARIB_STD_B67},
    {"hlg", AVCOL_TRC_ARIB_STD_B67},      {"linear", AVCOL_TRC_LINEAR},
    {"srgb", AVCOL_TRC_IEC61966_2_1},     {"iec61966-2-1", AVCOL_TRC_IEC61966_2_1},
    {"bt2020-10", AVCOL_TRC_BT2020_10},   {"bt2020-12", AVCOL_TRC_BT2020_12},
    {NULL, 0},
};
static const color_name primaries[] = {
    {"bt709", AVCOL_PRI_BT709},         {"bt2020", AVCOL_PRI_BT2020},   {"smpte170m", AVCOL_PRI_SMPTE170M},
    {"bt601", AVCOL_PRI_SMPTE170M},     {"bt470bg", AVCOL_PRI_BT470BG}, {"smpte432", AVCOL_PRI_SMPTE432},
    {NULL, 0},
};

/* name (NULL: *out = none) looked up in table; else POLYENC_ERR_ARGUMENT listing the valid names. */
static polyenc_status parse_color_name(polyenc_encoder *enc, const char *field, const char *name,
                                       const color_name *table, int none, int *out) {
  *out = none;
  if (!name) return POLYENC_OK;
  for (const color_name *c = table; c->name; c++)
    if (!strcmp(c->name, name)) {
      *out = c->value;
      return POLYENC_OK;
    }
  char list[256];
  size_t used = 0;
  list[0] = '\0';
  for (const color_name *c = table; c->name && used < sizeof list; c++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"", used ? ", " : "", c->name);
  return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "%s must be NULL (implied by color_space) or one of %s, got '%s'",
                      field, list, name);
}

/* The largest width and height each codec family takes. */
static int max_dimension(enum AVCodecID id) {
  switch (id) {
  case AV_CODEC_ID_MPEG4: return 8191;
  case AV_CODEC_ID_VP8: return 16383;
  case AV_CODEC_ID_VP9:
  case AV_CODEC_ID_AV1: return 65536;
  default: return 16384;
  }
}

/* The smallest: FFmpeg 5.1's rpza (4x4 blocks) overruns its bitstream below 4 pixels a side, and flashsv
 * on a single pixel; an assertion then aborts the process. */
static int min_dimension(enum AVCodecID id) {
  switch (id) {
  case AV_CODEC_ID_RPZA: return 4;
  case AV_CODEC_ID_FLASHSV: return 2;
  default: return 1;
  }
}

static void list_pixel_formats(const AVCodec *codec, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (const enum AVPixelFormat *f = codec->pix_fmts; f && *f != AV_PIX_FMT_NONE && used < size; f++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", av_get_pix_fmt_name(*f));
}

static polyenc_status choose_pixel_format(polyenc_encoder *enc, const AVCodec *codec, const char *name,
                                          enum AVPixelFormat *out) {
  char list[1024];
  list_pixel_formats(codec, list, sizeof list);
  if (!name) {
    *out = codec->pix_fmts ? codec->pix_fmts[0] : AV_PIX_FMT_YUV420P;
    for (const enum AVPixelFormat *f = codec->pix_fmts; f && *f != AV_PIX_FMT_NONE; f++)
      if (*f == AV_PIX_FMT_YUV420P) *out = AV_PIX_FMT_YUV420P;
  } else {
    *out = av_get_pix_fmt(name);
    int supported = !codec->pix_fmts && *out != AV_PIX_FMT_NONE;
    for (const enum AVPixelFormat *f = codec->pix_fmts; f && *f != AV_PIX_FMT_NONE; f++) supported |= *f == *out;
    if (!supported)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                          "Specified pixel format %s is not supported by the %s encoder (pixel_format = \"%s\"). "
                          "Supported: %s", name, codec->name, name, list);
  }
  return POLYENC_OK;
}

static polyenc_status check_dimensions(polyenc_encoder *enc, const polyenc_video_config *cfg, const AVCodec *codec,
                                       enum AVPixelFormat pix_fmt) {
  int limit = max_dimension(codec->id);
  if (cfg->width > limit || cfg->height > limit)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "%s %d is above the limit of %d for codec %s",
                        cfg->width > limit ? "width" : "height", cfg->width > limit ? cfg->width : cfg->height, limit,
                        codec->name);
  int least = min_dimension(codec->id);
  if (cfg->width < least || cfg->height < least)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "%s %d is below the minimum of %d for codec %s",
                        cfg->width < least ? "width" : "height", cfg->width < least ? cfg->width : cfg->height, least,
                        codec->name);
  const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(pix_fmt);
  if (desc->log2_chroma_w && cfg->width % 2)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "width must be even for pixel_format %s (chroma is subsampled), got %d", desc->name,
                        cfg->width);
  if (desc->log2_chroma_h && cfg->height % 2)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "height must be even for pixel_format %s (chroma is subsampled), got %d", desc->name,
                        cfg->height);
  return POLYENC_OK;
}

/* NVENC's constant-quality level is its "cq" option. */
static const char *crf_option(const AVCodec *codec) { return pe_codec_is_nvenc(codec) ? "cq" : "crf"; }

static polyenc_status check_crf(polyenc_encoder *enc, const AVCodec *codec, double crf) {
  static const struct { const char *codec; double lo, hi; } ranges[] = {
      {"libx264", 0, 51}, {"libx264rgb", 0, 51}, {"libx265", 0, 51}, {"libvpx-vp9", 0, 63},
      {"libvpx", 4, 63},  {"libaom-av1", 0, 63}, {"libsvtav1", 0, 63},
  };
  if (isnan(crf)) return POLYENC_OK;
  double lo = NAN, hi = NAN;
  for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
    if (!strcmp(codec->name, ranges[i].codec)) lo = ranges[i].lo, hi = ranges[i].hi;
  const AVOption *opt = pe_class_option(codec->priv_class, crf_option(codec), NULL);
  if (!opt)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "crf is not an option of codec %s (crf = %g): use bit_rate",
                        codec->name, crf);
  if (isnan(lo)) lo = opt->min, hi = opt->max;
  if (!(crf >= lo && crf <= hi))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "crf=%g is out of valid range [%g, %g] for this codec (%s)", crf, lo,
                        hi, codec->name);
  return POLYENC_OK;
}

static polyenc_status check_preset(polyenc_encoder *enc, const AVCodec *codec, const char *preset) {
  static const char *const x26x_presets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                             "medium",    "slow",      "slower",   "veryslow", "placebo", NULL};
  if (!preset) return POLYENC_OK;
  const AVOption *opt = pe_class_option(codec->priv_class, "preset", NULL);
  if (!opt) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "preset '%s': codec %s has no presets", preset, codec->name);
  char list[256];
  if (!strcmp(codec->name, "libx264") || !strcmp(codec->name, "libx264rgb") || !strcmp(codec->name, "libx265")) {
    for (const char *const *p = x26x_presets; *p; p++)
      if (!strcmp(*p, preset)) return POLYENC_OK;
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "preset '%s' is not a preset of codec %s. Valid: %s", preset,
                        codec->name, pe_format_list(list, sizeof list, x26x_presets));
  }
  if (opt->unit && !pe_class_option(codec->priv_class, preset, opt->unit))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "preset '%s' is not a preset of codec %s", preset, codec->name);
  return POLYENC_OK;
}

/* libx264 reports a bad tune or profile on stderr itself, before FFmpeg's log callback is in place: the
 * names are checked here (x264 0.164's lists; a tune may join one of the first six with fastdecode and
 * zerolatency by commas). */
static polyenc_status check_x264_options(polyenc_encoder *enc, const AVCodec *codec, const char *const *options) {
  static const char *const tunes[] = {"film", "animation", "grain", "stillimage", "psnr", "ssim", "fastdecode",
                                      "zerolatency", NULL};
  static const char *const profiles[] = {"baseline", "main", "high", "high10", "high422", "high444", NULL};
  if (strcmp(codec->name, "libx264")) return POLYENC_OK;
  for (const char *const *o = options; o && o[0] && o[1]; o += 2) {
    int is_tune = !strcmp(o[0], "tune");
    if (!is_tune && strcmp(o[0], "profile")) continue;
    const char *const *names = is_tune ? tunes : profiles;
    int ok = o[1][0] != '\0';
    for (const char *part = o[1]; ok && *part;) {
      size_t len = strcspn(part, is_tune ? ",+" : "");
      int known = 0;
      for (const char *const *n = names; *n; n++) known |= strlen(*n) == len && !strncmp(*n, part, len);
      ok = known;
      part += len + (part[len] != '\0');
    }
    char list[160];
    if (!ok)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "options: %s '%s' is not a %s of libx264. Valid: %s", o[0], o[1],
                          o[0], pe_format_list(list, sizeof list, names));
  }
  return POLYENC_OK;
}

/* libx265 prints its banner and settings on stderr unless told its log level (x265-params log-level). */
static polyenc_status quiet_x265(polyenc_stream *s) {
  AVCodecContext *ctx = s->codec_ctx;
  AVDictionary *params = NULL;
  if (strcmp(ctx->codec->name, "libx265") || pe_log_enabled(AV_LOG_INFO)) return POLYENC_OK;
  int ret = av_opt_get_dict_val(ctx->priv_data, "x265-params", 0, &params);
  if (ret >= 0 && !av_dict_get(params, "log-level", NULL, 0)) {
    ret = av_dict_set(&params, "log-level", pe_log_enabled(AV_LOG_WARNING) ? "warning" : "error", 0);
    if (ret >= 0) ret = av_opt_set_dict_val(ctx->priv_data, "x265-params", params, 0);
  }
  av_dict_free(&params);
  return ret < 0 ? pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening stream %d", s->index) : POLYENC_OK;
}

/* Everything that can be checked once the codec is known: at add_video when the config names it,
 * at open otherwise. The pixel format is the codec's, then one the converter can produce. */
static polyenc_status check_codec_settings(polyenc_encoder *enc, const polyenc_video_config *cfg,
                                           const pe_converter_ops *ops, const AVCodec *codec,
                                           enum AVPixelFormat *pix_fmt) {
  const char *name = cfg->pixel_format && ops->codec_pixel_format ? ops->codec_pixel_format(codec, cfg->pixel_format)
                                                                  : cfg->pixel_format;
  polyenc_status st = choose_pixel_format(enc, codec, name, pix_fmt);
  if (!st) st = ops->check_pixel_format(enc, codec, name, pix_fmt);
  if (!st) st = check_dimensions(enc, cfg, codec, *pix_fmt);
  if (!st) st = check_crf(enc, codec, cfg->crf);
  if (!st) st = check_preset(enc, codec, cfg->preset);
  if (!st) st = check_x264_options(enc, codec, cfg->options);
  return st;
}

polyenc_status pe_check_frame_rate(polyenc_encoder *enc, double rate) {
  if (!(rate >= POLYENC_MIN_FRAME_RATE && rate <= POLYENC_MAX_FRAME_RATE))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "frame_rate must be between POLYENC_MIN_FRAME_RATE (%g) and POLYENC_MAX_FRAME_RATE (%g), "
                        "got %g", POLYENC_MIN_FRAME_RATE, POLYENC_MAX_FRAME_RATE, rate);
  return POLYENC_OK;
}

static polyenc_status check_config(polyenc_encoder *enc, const polyenc_video_config *cfg, const pe_converter_ops **ops,
                                   int *device) {
  if (cfg->width <= 0) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "width must be > 0, got %d", cfg->width);
  if (cfg->height <= 0) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "height must be > 0, got %d", cfg->height);
  if ((int64_t)cfg->width * cfg->height > POLYENC_MAX_PIXELS)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "width x height must be at most POLYENC_MAX_PIXELS (%d), got %d x %d", POLYENC_MAX_PIXELS,
                        cfg->width, cfg->height);
  polyenc_status st = pe_check_frame_rate(enc, cfg->frame_rate);
  if (st) return st;
  if ((st = pe_check_time_base(enc, cfg->time_base_num, cfg->time_base_den))) return st;
  if ((st = pe_parse_device(enc, cfg->device, ops, device))) return st;
  if (cfg->bit_rate < 0)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "bit_rate must be >= 0, got %lld", (long long)cfg->bit_rate);
  if (cfg->gop_size < 0) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "gop_size must be >= 0, got %d", cfg->gop_size);
  if (cfg->threads < 0) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "threads must be >= 0, got %d", cfg->threads);
  if ((st = pe_rotation_check(enc, cfg->rotation))) return st;
  if (cfg->pixel_format && av_get_pix_fmt(cfg->pixel_format) == AV_PIX_FMT_NONE)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "pixel_format '%s' is not a pixel format (e.g. yuv420p, yuv444p, nv12)", cfg->pixel_format);
  if (!isnan(cfg->crf) && !isfinite(cfg->crf))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "crf must be a finite number or NAN (codec default), got %g",
                        cfg->crf);
  return POLYENC_OK;
}

void pe_video_free(video_stream *v) {
  if (!v) return;
  av_free((char *)v->cfg.device);
  av_free((char *)v->cfg.codec);
  av_free((char *)v->cfg.pixel_format);
  av_free((char *)v->cfg.preset);
  av_free((char *)v->cfg.color_space);
  av_free((char *)v->cfg.color_range);
  av_free((char *)v->cfg.color_transfer);
  av_free((char *)v->cfg.color_primaries);
  pe_free_options(v->options);
  v->ops->free(v->converter);
  av_free(v);
}

polyenc_status pe_video_create(polyenc_encoder *enc, const polyenc_video_config *cfg, video_stream **out) {
  enum AVColorSpace space = AVCOL_SPC_SMPTE170M;
  int full_range = 0, device = -1;
  const pe_converter_ops *ops = NULL;
  polyenc_status st = check_config(enc, cfg, &ops, &device);
  if (!st) st = parse_color(enc, cfg, &space, &full_range);
  int transfer = AVCOL_TRC_UNSPECIFIED, prim = AVCOL_PRI_UNSPECIFIED;
  if (!st) st = parse_color_name(enc, "color_transfer", cfg->color_transfer, transfers, AVCOL_TRC_UNSPECIFIED, &transfer);
  if (!st) st = parse_color_name(enc, "color_primaries", cfg->color_primaries, primaries, AVCOL_PRI_UNSPECIFIED, &prim);
  const AVCodec *codec = NULL;
  if (!st && cfg->codec) st = pe_find_encoder(enc, cfg->codec, AVMEDIA_TYPE_VIDEO, cfg->options, &codec);
  if (!st && codec) st = ops->choose_encoder(enc, device, cfg->codec, &codec);
  enum AVPixelFormat pix_fmt;
  if (!st && codec) st = check_codec_settings(enc, cfg, ops, codec, &pix_fmt);
  if (st) return st;

  video_stream *v = av_mallocz(sizeof *v);
  if (!v) return pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory adding a video stream");
  v->ops = ops;
  v->device = device;
  v->cfg = *cfg;
  v->cfg.device = pe_copy_string(cfg->device);
  v->cfg.codec = pe_copy_string(cfg->codec);
  v->cfg.pixel_format = pe_copy_string(cfg->pixel_format);
  v->cfg.preset = pe_copy_string(cfg->preset);
  v->cfg.color_space = pe_copy_string(cfg->color_space);
  v->cfg.color_range = pe_copy_string(cfg->color_range);
  v->cfg.color_transfer = pe_copy_string(cfg->color_transfer);
  v->cfg.color_primaries = pe_copy_string(cfg->color_primaries);
  v->options = pe_copy_options(cfg->options, enc, &st);
  v->cfg.options = (const char *const *)v->options;
  if (!st && ((cfg->device && !v->cfg.device) || (cfg->codec && !v->cfg.codec) ||
              (cfg->pixel_format && !v->cfg.pixel_format) || (cfg->preset && !v->cfg.preset) ||
              (cfg->color_space && !v->cfg.color_space) || (cfg->color_range && !v->cfg.color_range) ||
              (cfg->color_transfer && !v->cfg.color_transfer) || (cfg->color_primaries && !v->cfg.color_primaries)))
    st = pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory adding a video stream");
  if (!st) st = pe_hdr_take(enc, v->options, &v->hdr);
  if (!st && codec) st = pe_hdr_check_codec(enc, codec, &v->hdr);
  if (!st) st = pe_check_options_known(enc, codec, v->options);
  if (st) {
    pe_video_free(v);
    return st;
  }
  v->frame_rate = rate_to_rational(cfg->frame_rate);
  v->color_space = space;
  v->full_range = full_range;
  v->transfer = (enum AVColorTransferCharacteristic)transfer;
  v->primaries = (enum AVColorPrimaries)prim;
  *out = v;
  return POLYENC_OK;
}

/* The config's color_transfer / color_primaries, where given, over what color_space implies. */
static void tag_given(AVCodecContext *ctx, const video_stream *v) {
  if (v->transfer != AVCOL_TRC_UNSPECIFIED) ctx->color_trc = v->transfer;
  if (v->primaries != AVCOL_PRI_UNSPECIFIED) ctx->color_primaries = v->primaries;
}

static void tag_colors(AVCodecContext *ctx, const video_stream *v) {
  const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(ctx->pix_fmt);
  if (desc->flags & AV_PIX_FMT_FLAG_RGB) {
    ctx->colorspace = AVCOL_SPC_RGB;
    ctx->color_range = AVCOL_RANGE_JPEG;
    tag_given(ctx, v);
    return;
  }
  ctx->colorspace = v->color_space;
  ctx->color_range = v->full_range ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
  switch (v->color_space) {
  case AVCOL_SPC_BT709: ctx->color_primaries = AVCOL_PRI_BT709, ctx->color_trc = AVCOL_TRC_BT709; break;
  case AVCOL_SPC_BT2020_NCL: ctx->color_primaries = AVCOL_PRI_BT2020, ctx->color_trc = AVCOL_TRC_BT2020_10; break;
  default: ctx->color_primaries = AVCOL_PRI_SMPTE170M, ctx->color_trc = AVCOL_TRC_SMPTE170M;
  }
  tag_given(ctx, v);
}

static polyenc_status configure_codec(polyenc_stream *s, const AVCodec *codec, const AVOutputFormat *muxer) {
  video_stream *v = s->impl.video;
  const polyenc_video_config *cfg = &v->cfg;
  AVCodecContext *ctx = s->codec_ctx = avcodec_alloc_context3(codec);
  if (!ctx) return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening codec %s", codec->name);
  ctx->width = cfg->width;
  ctx->height = cfg->height;
  ctx->pix_fmt = v->pix_fmt;
  ctx->time_base = v->clock.time_base;
  ctx->framerate = v->frame_rate;
  ctx->sample_aspect_ratio = (AVRational){1, 1};
  ctx->thread_count = cfg->threads;
  if (cfg->bit_rate > 0) ctx->bit_rate = cfg->bit_rate;
  if (cfg->gop_size > 0) ctx->gop_size = cfg->gop_size;
  if (codec->capabilities & AV_CODEC_CAP_EXPERIMENTAL) ctx->strict_std_compliance = FF_COMPLIANCE_EXPERIMENTAL;
  if (muxer->flags & AVFMT_GLOBALHEADER) ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  tag_colors(ctx, v);
  if (!isnan(cfg->crf)) av_opt_set_double(ctx->priv_data, crf_option(codec), cfg->crf, 0);
  if (cfg->preset) av_opt_set(ctx->priv_data, "preset", cfg->preset, 0);
  /* a forced key frame (pict_type I) becomes an IDR frame, not an open-GOP I frame (libx264, libx265) */
  if (pe_class_option(codec->priv_class, "forced-idr", NULL) &&
      av_opt_set_int(ctx->priv_data, "forced-idr", 1, 0) < 0)
    return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening codec %s", codec->name);
  return POLYENC_OK;
}

static polyenc_status open_codec(polyenc_stream *s) {
  AVCodecContext *ctx = s->codec_ctx;
  const AVCodec *codec = ctx->codec; /* avcodec_open2 clears ctx->codec when it fails */
  const video_stream *v = s->impl.video;
  pe_clear_ffmpeg_log();
  int ret = avcodec_open2(ctx, codec, NULL);
  if (ret < 0) {
    char reason[600];
    return pe_set_error(s->enc, pe_codec_status(ret),
                        "could not open video encoder %s for stream %d (%dx%d %s, %d/%d fps): %s",
                        codec->name, s->index, v->cfg.width, v->cfg.height, av_get_pix_fmt_name(v->pix_fmt),
                        v->frame_rate.num, v->frame_rate.den, pe_error_text(ret, reason, sizeof reason));
  }
  return POLYENC_OK;
}

static polyenc_status create_av_stream(polyenc_stream *s) {
  video_stream *v = s->impl.video;
  AVStream *st = s->av_stream = avformat_new_stream(s->enc->format_ctx, NULL);
  if (!st || avcodec_parameters_from_context(st->codecpar, s->codec_ctx) < 0)
    return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory creating stream %d", s->index);
  st->time_base = s->codec_ctx->time_base;
  if (!v->cfg.time_base_num) st->avg_frame_rate = v->frame_rate; /* else the timestamps tell it */
  st->r_frame_rate = v->frame_rate;
  polyenc_status status = pe_rotation_apply(s, v->cfg.rotation);
  return status ? status : pe_hdr_apply_stream(s, &v->hdr);
}

/* libvpx's alpha is a second VP9 / VP8 bitstream in the packets' side data, which only Matroska / WebM store
 * (BlockAdditional): any other container would drop it and write an opaque file. */
static polyenc_status check_alpha_container(polyenc_stream *s, const AVCodec *codec, const AVOutputFormat *muxer) {
  const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(s->impl.video->pix_fmt);
  int side_alpha = (d->flags & AV_PIX_FMT_FLAG_ALPHA) && (codec->id == AV_CODEC_ID_VP9 || codec->id == AV_CODEC_ID_VP8);
  if (!side_alpha || strstr(muxer->name, "matroska") || strstr(muxer->name, "webm")) return POLYENC_OK;
  return pe_set_error(s->enc, POLYENC_ERR_UNSUPPORTED,
                      "pixel_format %s of %s (stream %d): its alpha is stored only in webm / mkv (container %s would "
                      "drop it); use webm or mkv, or a pixel format without alpha (yuv420p)",
                      d->name, codec->name, s->index, muxer->name);
}

polyenc_status pe_video_open(polyenc_stream *s, const AVOutputFormat *muxer, AVDictionary **muxer_opts) {
  polyenc_encoder *enc = s->enc;
  video_stream *v = s->impl.video;
  v->ops->free(v->converter); /* a second open after a failed one starts clean */
  v->converter = NULL;
  pe_clock_init(&v->clock, v->cfg.time_base_num, v->cfg.time_base_den, v->frame_rate);
  const AVCodec *codec;
  polyenc_status st;
  if (v->cfg.codec) {
    if ((st = pe_find_encoder(enc, v->cfg.codec, AVMEDIA_TYPE_VIDEO, v->cfg.options, &codec))) return st;
  } else {
    enum AVCodecID id = pe_default_codec_id(muxer, AVMEDIA_TYPE_VIDEO);
    if (id == AV_CODEC_ID_NONE)
      return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED, "container %s takes no video stream (stream %d)", muxer->name,
                          s->index);
    if (!(codec = pe_software_encoder_for(id)))
      return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                          "no encoder for %s, the default video codec of %s, in this build", avcodec_get_name(id),
                          muxer->name);
  }
  if ((st = v->ops->choose_encoder(enc, v->device, v->cfg.codec, &codec))) return st;
  if (avformat_query_codec(muxer, codec->id, FF_COMPLIANCE_NORMAL) == 0)
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED, "codec %s (stream %d) cannot be stored in container %s",
                        codec->name, s->index, muxer->name);
  if ((st = check_codec_settings(enc, &v->cfg, v->ops, codec, &v->pix_fmt))) return st;
  if ((st = check_alpha_container(s, codec, muxer))) return st;
  if ((st = pe_hdr_check_codec(enc, codec, &v->hdr))) return st;
  if ((st = configure_codec(s, codec, muxer))) return st;
  if ((st = pe_route_options(s, v->options, muxer_opts)) || (st = quiet_x265(s)) ||
      (st = pe_hdr_apply_codec(s, &v->hdr)))
    return st;
  conversion conv = {v->pix_fmt, v->color_space, v->full_range, v->cfg.width, v->cfg.height};
  if ((st = v->ops->open(s, v->device, &conv, &v->converter))) return st;
  if ((st = open_codec(s)) || (st = create_av_stream(s))) return st;
  pe_log_info("stream %d: video %dx%d @ %d/%d fps, %s %s%s", s->index, v->cfg.width, v->cfg.height, v->frame_rate.num,
              v->frame_rate.den, codec->name, av_get_pix_fmt_name(v->pix_fmt), v->ops->tag);
  return POLYENC_OK;
}

polyenc_status pe_video_flush(polyenc_stream *s) { return pe_encoder_send(s, NULL); }

static polyenc_status check_frames(polyenc_stream *s, const polyenc_frames *f) {
  polyenc_encoder *enc = s->enc;
  const polyenc_video_config *cfg = &s->impl.video->cfg;
  if ((unsigned)f->layout > POLYENC_RGB_PLANAR_F32)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "layout must be POLYENC_RGB_PLANAR (0), RGB24 (1), RGBA (2), BGRA (3), YUV420P (4), RGB48 (5), "
                        "RGBA64 (6), RGB_PLANAR16 (7) or RGB_PLANAR_F32 (8), got %d",
                        (int)f->layout);
  if (f->num_frames < 0)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "num_frames must be >= 0, got %d", f->num_frames);
  if (f->num_frames == 0) return POLYENC_OK;
  if (!f->data)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "data must not be NULL when num_frames is %d", f->num_frames);
  if (f->height != cfg->height || f->width != cfg->width)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "All frames must have the same dimensions as stream %d. Expected height=%d width=%d, got "
                        "height=%d width=%d", s->index, cfg->height, cfg->width, f->height, f->width);
  return POLYENC_OK;
}

/* s is a video stream of an open encoder: what polyenc_add_frames needs before it reads anything. */
static polyenc_status check_video_open(polyenc_stream *s) {
  if (s->kind != STREAM_VIDEO)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT, "polyenc_add_frames needs a video stream: stream %d is not one",
                        s->index);
  return pe_encoder_check_state(s->enc, "polyenc_add_frames");
}

polyenc_status polyenc_add_frames(polyenc_stream *s, const polyenc_frames *frames) {
  if (!s) return POLYENC_ERR_ARGUMENT;
  if (!frames) return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT, "frames must not be NULL");
  polyenc_status st = check_video_open(s);
  if (st || (st = check_frames(s, frames)) || frames->num_frames == 0) return st;

  int64_t frame_stride = 0;
  source_frame first = {frames->layout, frames->data, {0}, frames->width, frames->height};
  pe_frames_strides(frames, &frame_stride, first.strides);
  pe_frame_times times = {frames->pts, frames->key_frames};
  return pe_video_add_source(s, &first, frames->num_frames, frame_stride, &times);
}

int pe_video_device(const polyenc_stream *s) { return s->impl.video->device; }

int64_t pe_video_frame_ticks(const polyenc_stream *s) { return s->impl.video->clock.frame_ticks; }

polyenc_status pe_video_check_pts(polyenc_stream *s, const int64_t *pts, int n) {
  if (!s) return POLYENC_ERR_ARGUMENT;
  polyenc_status st = check_video_open(s);
  return st ? st : pe_clock_check(s, &s->impl.video->clock, pts, n);
}

/* The core's side of a conversion (pe_frame_sink): frame i of the call gets the stream's colour tags, its pts
 * and picture type, then goes to the encoder: on the worker thread when the converter lets it (worker.c), the
 * caller's thread converting the next frame meanwhile. */
typedef struct frame_call {
  polyenc_stream *s;
  const pe_frame_times *times;
} frame_call;

static polyenc_status send_frame(void *opaque, AVFrame *frame, int i) {
  const frame_call *call = opaque;
  const AVCodecContext *ctx = call->s->codec_ctx; /* (its colours: set at open, read while the worker encodes) */
  frame->color_range = ctx->color_range;
  frame->colorspace = ctx->colorspace;
  frame->color_primaries = ctx->color_primaries;
  frame->color_trc = ctx->color_trc;
  pe_clock_stamp(&call->s->impl.video->clock, frame, call->times, i);
  return call->s->impl.video->ops->async ? pe_worker_send(call->s, frame) : pe_encoder_send(call->s, frame);
}

polyenc_status pe_video_add_source(polyenc_stream *s, const source_frame *first, int n, int64_t frame_stride,
                                   const pe_frame_times *times) {
  video_stream *v = s->impl.video;
  polyenc_status st = pe_frames_check_extent(s, first, n, frame_stride);
  if (st || (st = pe_clock_check(s, &v->clock, times ? times->pts : NULL, n))) return st;
  frame_call call = {s, times};
  pe_frame_sink sink = {send_frame, &call};
  return v->ops->convert(v->converter, s, first, n, frame_stride, &sink);
}

void polyenc_video_config_init(polyenc_video_config *cfg) {
  if (!cfg) return;
  memset(cfg, 0, sizeof *cfg);
  cfg->crf = NAN;
}
