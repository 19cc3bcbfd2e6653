/* HDR static metadata: the options master-display (x265's syntax) and max-cll, taken out of a video stream's
 * options before they are routed, checked, then written into the encoder's bitstream (libx265: its SEIs by
 * x265-params; libsvtav1: its metadata OBUs by svtav1-params) and into the stream's side data, which
 * FFmpeg 5.1's matroska (MasteringMetadata, MaxCLL / MaxFALL) and mov / mp4 (mdcv, clli) muxers write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/mastering_display_metadata.h>
#include <libavutil/opt.h>

#include "internal.h"

#define MDCV_SYNTAX                                                                                                 \
  "\"G(x,y)B(x,y)R(x,y)WP(x,y)L(max,min)\": chromaticities 0-50000 in 0.00002 units, luminance in 0.0001 cd/m2 "    \
  "(max 1-100000000, min below max), e.g. \"G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)\""
#define CLL_SYNTAX "\"MaxCLL,MaxFALL\": two integers 0-65535 in cd/m2, e.g. \"1000,400\""

/* The literal lit at *p; advances *p past it. */
static int expect(const char **p, const char *lit) {
  size_t n = strlen(lit);
  if (strncmp(*p, lit, n)) return 0;
  *p += n;
  return 1;
}

/* An unsigned decimal number up to max at *p (digits only); advances *p past it. */
static int number(const char **p, unsigned long long max, unsigned *out) {
  const char *s = *p;
  unsigned long long v = 0;
  int digits = 0;
  for (; *s >= '0' && *s <= '9' && digits < 12; s++, digits++) v = v * 10 + (unsigned)(*s - '0');
  if (!digits || (*s >= '0' && *s <= '9') || v > max) return 0;
  *out = (unsigned)v;
  *p = s;
  return 1;
}

static const char *const mdcv_names[4] = {"G", "B", "R", "WP"};

static int parse_mdcv(const char *text, pe_hdr *hdr) {
  const char *p = text;
  for (int i = 0; i < 4; i++) {
    if (!expect(&p, mdcv_names[i]) || !expect(&p, "(") || !number(&p, 50000, &hdr->primaries[i][0]) ||
        !expect(&p, ",") || !number(&p, 50000, &hdr->primaries[i][1]) || !expect(&p, ")"))
      return 0;
  }
  if (!expect(&p, "L(") || !number(&p, 100000000, &hdr->luminance[0]) || !expect(&p, ",") ||
      !number(&p, 100000000, &hdr->luminance[1]) || !expect(&p, ")") || *p)
    return 0;
  return hdr->luminance[0] >= 1 && hdr->luminance[1] < hdr->luminance[0];
}

static int parse_cll(const char *text, pe_hdr *hdr) {
  const char *p = text;
  return number(&p, 65535, &hdr->max_cll) && expect(&p, ",") && number(&p, 65535, &hdr->max_fall) && !*p;
}

polyenc_status pe_hdr_take(polyenc_encoder *enc, char **options, pe_hdr *hdr) {
  memset(hdr, 0, sizeof *hdr);
  char **out = options;
  for (char **o = options; o && *o; o += 2) {
    int is_mdcv = !strcmp(o[0], "master-display"), is_cll = !strcmp(o[0], "max-cll");
    if (!is_mdcv && !is_cll) {
      out[0] = o[0], out[1] = o[1], out += 2;
      continue;
    }
    if (is_mdcv ? !parse_mdcv(o[1], hdr) : !parse_cll(o[1], hdr)) {
      polyenc_status st = pe_set_error(enc, POLYENC_ERR_ARGUMENT, "options: invalid %s '%s': expected %s", o[0], o[1],
                                       is_mdcv ? MDCV_SYNTAX : CLL_SYNTAX);
      for (char **rest = o; *rest; rest++) *out++ = *rest; /* keep the list whole for pe_free_options */
      *out = NULL;
      return st;
    }
    if (is_mdcv) hdr->has_mdcv = 1;
    else hdr->has_cll = 1;
    av_free(o[0]);
    av_free(o[1]);
  }
  if (options) *out = NULL;
  return POLYENC_OK;
}

/* The encoder option that carries the metadata into the bitstream; NULL: none does. */
static const char *params_option(const AVCodec *codec) {
  if (!strcmp(codec->name, "libx265")) return "x265-params";
  if (!strcmp(codec->name, "libsvtav1")) return "svtav1-params";
  return NULL;
}

polyenc_status pe_hdr_check_codec(polyenc_encoder *enc, const AVCodec *codec, const pe_hdr *hdr) {
  if (!hdr->has_mdcv && !hdr->has_cll) return POLYENC_OK;
  const char *option = params_option(codec);
  if (option && pe_class_option(codec->priv_class, option, NULL)) return POLYENC_OK;
  return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                      "options: %s cannot be written by codec %s (it would be dropped): HDR static metadata is "
                      "supported with libx265 and libsvtav1", hdr->has_mdcv ? "master-display" : "max-cll",
                      codec->name);
}

polyenc_status pe_hdr_apply_codec(polyenc_stream *s, const pe_hdr *hdr) {
  if (!hdr->has_mdcv && !hdr->has_cll) return POLYENC_OK;
  AVCodecContext *ctx = s->codec_ctx;
  int x265 = !strcmp(ctx->codec->name, "libx265");
  const char *option = params_option(ctx->codec);
  char mdcv[160], cll[32];
  const unsigned(*c)[2] = hdr->primaries;
  if (x265)
    snprintf(mdcv, sizeof mdcv, "G(%u,%u)B(%u,%u)R(%u,%u)WP(%u,%u)L(%u,%u)", c[0][0], c[0][1], c[1][0], c[1][1],
             c[2][0], c[2][1], c[3][0], c[3][1], hdr->luminance[0], hdr->luminance[1]);
  else /* SVT-AV1 1.4 (svt_aom_parse_mastering_display): chromaticities and cd/m2 as decimals */
    snprintf(mdcv, sizeof mdcv, "G(%.5f,%.5f)B(%.5f,%.5f)R(%.5f,%.5f)WP(%.5f,%.5f)L(%.4f,%.4f)", c[0][0] / 50000.0,
             c[0][1] / 50000.0, c[1][0] / 50000.0, c[1][1] / 50000.0, c[2][0] / 50000.0, c[2][1] / 50000.0,
             c[3][0] / 50000.0, c[3][1] / 50000.0, hdr->luminance[0] / 10000.0, hdr->luminance[1] / 10000.0);
  snprintf(cll, sizeof cll, "%u,%u", hdr->max_cll, hdr->max_fall);
  AVDictionary *params = NULL;
  int ret = av_opt_get_dict_val(ctx->priv_data, option, 0, &params);
  if (ret >= 0 && hdr->has_mdcv) ret = av_dict_set(&params, x265 ? "master-display" : "mastering-display", mdcv, 0);
  if (ret >= 0 && hdr->has_cll) ret = av_dict_set(&params, x265 ? "max-cll" : "content-light", cll, 0);
  if (ret >= 0) ret = av_opt_set_dict_val(ctx->priv_data, option, params, 0);
  av_dict_free(&params);
  return ret < 0 ? pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening stream %d", s->index) : POLYENC_OK;
}

polyenc_status pe_hdr_apply_stream(polyenc_stream *s, const pe_hdr *hdr) {
  if (hdr->has_mdcv) {
    AVMasteringDisplayMetadata *m = av_mastering_display_metadata_alloc();
    if (!m) goto nomem;
    static const int order[3] = {2, 0, 1}; /* FFmpeg's display_primaries are R, G, B; the option's G, B, R */
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 2; j++) m->display_primaries[i][j] = av_make_q((int)hdr->primaries[order[i]][j], 50000);
    m->white_point[0] = av_make_q((int)hdr->primaries[3][0], 50000);
    m->white_point[1] = av_make_q((int)hdr->primaries[3][1], 50000);
    m->max_luminance = av_make_q((int)hdr->luminance[0], 10000);
    m->min_luminance = av_make_q((int)hdr->luminance[1], 10000);
    m->has_primaries = m->has_luminance = 1;
    if (av_stream_add_side_data(s->av_stream, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, (uint8_t *)m, sizeof *m) < 0) {
      av_free(m);
      goto nomem;
    }
  }
  if (hdr->has_cll) {
    size_t size;
    AVContentLightMetadata *l = av_content_light_metadata_alloc(&size);
    if (!l) goto nomem;
    l->MaxCLL = hdr->max_cll;
    l->MaxFALL = hdr->max_fall;
    if (av_stream_add_side_data(s->av_stream, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, (uint8_t *)l, size) < 0) {
      av_free(l);
      goto nomem;
    }
  }
  return POLYENC_OK;
nomem:
  return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory storing the HDR metadata of stream %d", s->index);
}
