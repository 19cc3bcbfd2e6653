/* Tags: the container's (title, artist, comment, ...) and each stream's (language, title, handler_name),
 * kept from polyenc_set_metadata until open, then copied into the muxer. mp4 and mov keep only the keys
 * they have a box for and drop the others without a word: such a key fails at open, naming it. */
#include <ctype.h>
#include <string.h>

#include <libavutil/parseutils.h>

#include "internal.h"

/* The keys FFmpeg 5.1's mov muxer writes (and reads back under the same name), per mode. */
static const char *const mp4_keys[] = {
    "title",    "artist",   "album_artist", "composer",   "album",      "date",        "encoding_tool",
    "comment",  "genre",    "copyright",    "grouping",   "lyrics",     "description", "synopsis",
    "show",     "episode_id", "network",    "keywords",   "media_type", "compilation", "track",
    "disc",     "hd_video", "gapless_playback", "episode_sort", "season_number", "creation_time", NULL};
static const char *const mov_keys[] = {"title",     "artist", "album", "date",  "encoder",  "comment",       "genre",
                                       "copyright", "make",   "model", "location", "creation_time", NULL};
static const char *const mov_stream_keys[] = {"language", "handler_name", NULL};
/* mov (not mp4) stores a language as a QuickTime (Macintosh) language code: one without such a code is dropped. */
static const char mac_languages[] =
    "eng fra ger ita dut sve spa dan por nor heb jpn ara fin gre ice mlt tur chi urd hin tha kor lit pol hun est "
    "lav rus iri alb ron ces slk slv yid mac bul ukr bel uzb kaz aze arm geo mol kir tgk tuk mon pus kur kas snd "
    "tib nep san mar ben asm guj ori mal kan tam tel bur khm lao vie ind tgl may amh tir orm som swa run mlg epo "
    "wel baq cat lat que grn aym tat uig dzo jav";

static int listed(const char *const *keys, const char *key) {
  for (; *keys; keys++)
    if (!strcmp(*keys, key)) return 1;
  return 0;
}

static polyenc_status check_value(polyenc_encoder *enc, const polyenc_stream *stream, const char *key,
                                  const char *value) {
  if (!value) return POLYENC_OK;
  if (stream && !strcmp(key, "language")) {
    int ok = strlen(value) == 3;
    for (int i = 0; ok && i < 3; i++) ok = value[i] >= 'a' && value[i] <= 'z';
    if (!ok)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                          "metadata language of stream %d must be a 3-letter ISO 639-2 code in lower case (\"eng\", "
                          "\"fra\", \"und\"), got '%s'", stream->index, value);
  }
  int64_t when;
  if (!strcmp(key, "creation_time") && av_parse_time(&when, value, 0) < 0)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "metadata creation_time must be a date such as \"2024-05-01T12:00:00Z\" or \"now\", got '%s'",
                        value);
  return POLYENC_OK;
}

polyenc_status polyenc_set_metadata(polyenc_encoder *enc, polyenc_stream *stream, const char *key,
                                    const char *value) {
  if (!enc) return POLYENC_ERR_ARGUMENT;
  if (enc->state == STATE_FAILED) return pe_encoder_check_open(enc, "polyenc_set_metadata"); /* its failure */
  if (enc->state != STATE_CONFIGURING)
    return pe_set_error(enc, POLYENC_ERR_STATE,
                        "Cannot call polyenc_set_metadata after open() was called: set metadata before open()");
  if (stream && stream->enc != enc)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "stream %d belongs to another encoder: pass one of this encoder's streams, or NULL for the "
                        "container", stream->index);
  if (!key || !*key)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "metadata key must be a non-empty string, got %s",
                        key ? "\"\"" : "NULL");
  polyenc_status st = check_value(enc, stream, key, value);
  if (st) return st;
  if (av_dict_set(stream ? &stream->metadata : &enc->metadata, key, value, 0) < 0)
    return pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory setting metadata '%s'", key);
  return POLYENC_OK;
}

static polyenc_status check_keys(polyenc_encoder *enc, const char *muxer, const polyenc_stream *stream,
                                 const AVDictionary *tags, const char *const *keys, const char *hint) {
  const AVDictionaryEntry *t = NULL;
  while ((t = av_dict_get(tags, "", t, AV_DICT_IGNORE_SUFFIX))) {
    if (listed(keys, t->key)) continue;
    char list[512], where[32] = "";
    if (stream) snprintf(where, sizeof where, " of stream %d", stream->index);
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "metadata key '%s'%s cannot be stored in container %s, which would drop it: it keeps %s%s",
                        t->key, where, muxer, pe_format_list(list, sizeof list, keys), hint);
  }
  return POLYENC_OK;
}

/* mp4 and mov drop keys they have no box for; every other muxer here writes what it is given. */
static polyenc_status check_mov_keys(polyenc_encoder *enc, const AVDictionary *muxer_opts) {
  const char *name = enc->format_ctx->oformat->name;
  int mov = !strcmp(name, "mov");
  if (!mov && strcmp(name, "mp4") && strcmp(name, "ipod") && strcmp(name, "ismv")) return POLYENC_OK;
  const AVDictionaryEntry *flags = av_dict_get(muxer_opts, "movflags", NULL, 0);
  polyenc_status st = POLYENC_OK;
  if (!(flags && strstr(flags->value, "use_metadata_tags"))) /* then every container key is written */
    st = check_keys(enc, name, NULL, enc->metadata, mov ? mov_keys : mp4_keys,
                    " (or any key with the muxer option movflags=use_metadata_tags)");
  for (int i = 0; i < enc->num_streams && !st; i++)
    st = check_keys(enc, name, enc->streams[i], enc->streams[i]->metadata, mov_stream_keys, "");
  for (int i = 0; i < enc->num_streams && !st && mov; i++) {
    const AVDictionaryEntry *lang = av_dict_get(enc->streams[i]->metadata, "language", NULL, 0);
    if (lang && strcmp(lang->value, "und") && !strstr(mac_languages, lang->value)) /* 3 letters: checked at set */
      st = pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "metadata language '%s' of stream %d cannot be stored in container mov, which keeps only the "
                        "QuickTime language codes (%s) and would drop it; mp4 and matroska keep any ISO 639-2 code",
                        lang->value, i, mac_languages);
  }
  return st;
}

polyenc_status pe_metadata_apply(polyenc_encoder *enc, const AVDictionary *muxer_opts) {
  polyenc_status st = check_mov_keys(enc, muxer_opts);
  if (st) return st;
  if (av_dict_copy(&enc->format_ctx->metadata, enc->metadata, 0) < 0)
    return pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory copying the metadata");
  for (int i = 0; i < enc->num_streams; i++) {
    polyenc_stream *s = enc->streams[i];
    if (av_dict_copy(&s->av_stream->metadata, s->metadata, 0) < 0)
      return pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory copying the metadata of stream %d", i);
  }
  return POLYENC_OK;
}

void pe_metadata_free(polyenc_encoder *enc) {
  av_dict_free(&enc->metadata);
  for (int i = 0; i < enc->num_streams; i++) av_dict_free(&enc->streams[i]->metadata);
}
