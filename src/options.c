/* Container defaults, codec lookup, and key=value options routed like the ffmpeg CLI:
 * a key the codec knows goes to the codec, else one the muxer knows goes to the muxer. */
#include <string.h>

#include <libavutil/opt.h>

#include "internal.h"

const AVOutputFormat *pe_find_muxer(const char *format, const char *path) {
  if (format) {
    const AVOutputFormat *muxer = av_guess_format(format, NULL, NULL);
    if (muxer) return muxer;
    char name[64];
    snprintf(name, sizeof name, "x.%s", format); /* an extension: "mkv", "m4a" */
    return av_guess_format(NULL, name, NULL);
  }
  return path ? av_guess_format(NULL, path, NULL) : NULL;
}

static int muxer_is(const AVOutputFormat *muxer, const char *names) {
  /* names: space-separated; a muxer's name may itself be a comma list ("mov,mp4,..."). */
  char list[128];
  snprintf(list, sizeof list, " %s ", names);
  char name[64];
  snprintf(name, sizeof name, " %s ", muxer->name);
  return strstr(list, name) != NULL;
}

enum AVCodecID pe_default_codec_id(const AVOutputFormat *muxer, enum AVMediaType type) {
  if (type == AVMEDIA_TYPE_VIDEO) {
    if (muxer_is(muxer, "mp4 mov matroska ipod")) return AV_CODEC_ID_H264;
    if (muxer_is(muxer, "webm")) return AV_CODEC_ID_VP9;
    if (muxer_is(muxer, "avi")) return AV_CODEC_ID_MPEG4;
    return muxer->video_codec;
  }
  if (muxer_is(muxer, "mp4 mov matroska ipod")) return AV_CODEC_ID_AAC;
  if (muxer_is(muxer, "webm ogg opus")) return AV_CODEC_ID_OPUS;
  if (muxer_is(muxer, "flac")) return AV_CODEC_ID_FLAC;
  if (muxer_is(muxer, "wav")) return AV_CODEC_ID_PCM_S16LE;
  if (muxer_is(muxer, "mp3")) return AV_CODEC_ID_MP3;
  return muxer->audio_codec;
}

static int is_experimental(const AVCodec *codec) { return (codec->capabilities & AV_CODEC_CAP_EXPERIMENTAL) != 0; }

/* The first encoder for id that runs on the CPU and is not experimental; NULL when there is none. */
const AVCodec *pe_software_encoder_for(enum AVCodecID id) {
  const AVCodec *codec;
  void *it = NULL;
  while ((codec = av_codec_iterate(&it)))
    if (codec->id == id && av_codec_is_encoder(codec) && !(codec->capabilities & AV_CODEC_CAP_HARDWARE) &&
        !is_experimental(codec))
      return codec;
  return NULL;
}

/* NVIDIA's hardware encoders, by FFmpeg's names (their constant-quality option is "cq", not "crf"). */
int pe_codec_is_nvenc(const AVCodec *codec) {
  size_t n = strlen(codec->name);
  return n > 6 && !strcmp(codec->name + n - 6, "_nvenc");
}

/* options {"strict", "experimental"} (or "-2"), as with the ffmpeg CLI. */
static int allows_experimental(const char *const *options) {
  for (const char *const *o = options; o && o[0] && o[1]; o += 2)
    if (!strcmp(o[0], "strict") && (!strcmp(o[1], "experimental") || !strcmp(o[1], "-2"))) return 1;
  return 0;
}

/* A codec name ("opus", "h264") means its first stable CPU encoder (libopus, libx264). An implementation
 * name ("libx264", "h264_nvenc", "truehd") means that encoder. An experimental encoder is used only when
 * named exactly: by a name no stable encoder's codec shares ("truehd", "dca"), or, for FFmpeg's own "opus"
 * and "vorbis", with options strict=experimental. */
polyenc_status pe_find_encoder(polyenc_encoder *enc, const char *name, enum AVMediaType type,
                               const char *const *options, const AVCodec **out) {
  const AVCodecDescriptor *desc = avcodec_descriptor_get_by_name(name);
  const AVCodec *codec = allows_experimental(options) ? avcodec_find_encoder_by_name(name) : NULL;
  if (!codec && desc) codec = pe_software_encoder_for(desc->id);
  if (!codec) codec = avcodec_find_encoder_by_name(name);
  const char *kind = type == AVMEDIA_TYPE_VIDEO ? "Video" : "Audio";
  const AVCodec *experimental = desc && !codec ? avcodec_find_encoder(desc->id) : NULL;
  if (experimental && is_experimental(experimental))
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                        "%s codec '%s' has only the experimental encoder '%s' in this build: name it exactly "
                        "(codec = \"%s\") to use it", kind, name, experimental->name, experimental->name);
  if (!codec)
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                        "%s codec '%s' not found (codec = \"%s\"). To see available codecs, run: polyenc info", kind,
                        name, name);
  if (codec->type != type)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "codec '%s' is a %s codec, but this is a %s stream", name,
                        av_get_media_type_string(codec->type), av_get_media_type_string(type));
  *out = codec;
  return POLYENC_OK;
}

char **pe_copy_options(const char *const *options, polyenc_encoder *enc, polyenc_status *status) {
  *status = POLYENC_OK;
  if (!options) return NULL;
  size_t n = 0;
  while (options[n]) n++;
  if (n % 2) {
    *status = pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                           "options must be {key, value, ..., NULL}: option '%s' has no value", options[n - 1]);
    return NULL;
  }
  char **copy = av_calloc(n + 1, sizeof *copy);
  if (!copy) {
    *status = pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory copying options");
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    if (!(copy[i] = av_strdup(options[i]))) {
      pe_free_options(copy);
      *status = pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory copying options");
      return NULL;
    }
  }
  return copy;
}

void pe_free_options(char **options) {
  if (!options) return;
  for (char **o = options; *o; o++) av_free(*o);
  av_free(options);
}

const AVOption *pe_class_option(const AVClass *cls, const char *name, const char *unit) {
  return cls ? av_opt_find(&cls, name, unit, 0, AV_OPT_SEARCH_FAKE_OBJ) : NULL;
}

static int codec_knows(const AVCodec *codec, const char *key) {
  return pe_class_option(avcodec_get_class(), key, NULL) || pe_class_option(codec->priv_class, key, NULL);
}

static int muxer_knows(const AVOutputFormat *muxer, const char *key) {
  return pe_class_option(avformat_get_class(), key, NULL) || (muxer && pe_class_option(muxer->priv_class, key, NULL));
}

/* Before open the muxer is unknown: a key must at least be known to the codec or to some muxer we write. */
polyenc_status pe_check_options_known(polyenc_encoder *enc, const AVCodec *codec, char **options) {
  static const char *const muxers[] = {"mp4", "matroska", "webm", "mov", "ogg", "wav", "avi", "mp3", NULL};
  for (char **o = options; o && *o; o += 2) {
    if (codec && codec_knows(codec, o[0])) continue;
    int known = !codec && muxer_knows(NULL, o[0]);
    for (const char *const *m = muxers; !known && *m; m++) known = muxer_knows(av_guess_format(*m, NULL, NULL), o[0]);
    if (!known && !codec) {
      /* codec chosen at open: accept keys any encoder of this build knows */
      const AVCodec *c;
      void *it = NULL;
      while (!known && (c = av_codec_iterate(&it)))
        known = av_codec_is_encoder(c) && codec_knows(c, o[0]);
    }
    if (!known)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "options: unknown option '%s' (value '%s') for codec %s", o[0],
                          o[1], codec ? codec->name : "(container default)");
  }
  return POLYENC_OK;
}

polyenc_status pe_route_options(polyenc_stream *s, char **options, AVDictionary **muxer_opts) {
  polyenc_encoder *enc = s->enc;
  const AVCodec *codec = s->codec_ctx->codec;
  const AVOutputFormat *muxer = enc->format_ctx->oformat;
  for (char **o = options; o && *o; o += 2) {
    if (codec_knows(codec, o[0])) {
      int ret = av_opt_set(s->codec_ctx, o[0], o[1], AV_OPT_SEARCH_CHILDREN);
      if (ret < 0) {
        char reason[600];
        return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "options: invalid value '%s' for option '%s' of codec %s: %s",
                            o[1], o[0], codec->name, pe_error_text(ret, reason, sizeof reason));
      }
    } else if (muxer_knows(muxer, o[0])) {
      if (av_dict_set(muxer_opts, o[0], o[1], 0) < 0) return pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory");
    } else {
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                          "options: unknown option '%s' (value '%s') for codec %s and muxer %s", o[0], o[1],
                          codec->name, muxer->name);
    }
  }
  return POLYENC_OK;
}

const char *pe_format_list(char *buf, size_t size, const char *const *items) {
  size_t used = 0;
  buf[0] = '\0';
  for (; *items && used < size; items++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", *items);
  return buf;
}
