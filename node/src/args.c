/* JS values -> C values for the addon, with the errors a JS caller expects:
 * TypeError for a wrong type or a missing required field, RangeError for a
 * number outside what the C type can hold. Value checks (width > 0, known
 * codec, ...) are left to the C library, whose messages name what is valid. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addon.h"

static int throw_fmt(napi_env env, int kind, const char *code, const char *fmt, va_list ap) {
  char msg[1024];
  vsnprintf(msg, sizeof msg, fmt, ap);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return -1;
  if (kind == 0)
    napi_throw_type_error(env, code, msg);
  else if (kind == 1)
    napi_throw_range_error(env, code, msg);
  else
    napi_throw_error(env, code, msg);
  return -1;
}

int pe_throw_type(napi_env env, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  throw_fmt(env, 0, "ERR_INVALID_ARG_TYPE", fmt, ap);
  va_end(ap);
  return -1;
}

int pe_throw_range(napi_env env, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  throw_fmt(env, 1, "ERR_OUT_OF_RANGE", fmt, ap);
  va_end(ap);
  return -1;
}

int pe_throw_status(napi_env env, polyenc_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  throw_fmt(env, 2, polyenc_status_name(status), fmt, ap);
  va_end(ap);
  return -1;
}

int pe_check(napi_env env, napi_status s) {
  if (s == napi_ok) return 0;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    const napi_extended_error_info *info = NULL;
    napi_get_last_error_info(env, &info);
    napi_throw_error(env, "POLYENC_ERR_NOMEM",
                     info && info->error_message ? info->error_message : "Node-API call failed");
  }
  return -1;
}

const char *pe_typeof_name(napi_env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return "unknown";
  switch (t) {
  case napi_undefined: return "undefined";
  case napi_null: return "null";
  case napi_boolean: return "boolean";
  case napi_number: return "number";
  case napi_string: return "string";
  case napi_symbol: return "symbol";
  case napi_function: return "function";
  case napi_external: return "external";
  case napi_bigint: return "bigint";
  case napi_object: break;
  }
  bool is = false;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type tt;
    size_t len;
    napi_get_typedarray_info(env, v, &tt, &len, NULL, NULL, NULL);
    static const char *names[] = {"Int8Array",    "Uint8Array",   "Uint8ClampedArray", "Int16Array",
                                  "Uint16Array",  "Int32Array",   "Uint32Array",       "Float32Array",
                                  "Float64Array", "BigInt64Array", "BigUint64Array"};
    return (unsigned)tt < sizeof names / sizeof names[0] ? names[tt] : "TypedArray";
  }
  if (napi_is_array(env, v, &is) == napi_ok && is) return "Array";
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) return "ArrayBuffer";
  if (napi_is_dataview(env, v, &is) == napi_ok && is) return "DataView";
  return "object";
}

static int is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && (t == napi_undefined || t == napi_null);
}

static int keep_string(pe_strings *keep, char *s) {
  if (keep->count == keep->cap) {
    int cap = keep->cap ? keep->cap * 2 : 8;
    char **items = realloc(keep->items, sizeof *items * (size_t)cap);
    if (!items) return -1;
    keep->items = items;
    keep->cap = cap;
  }
  keep->items[keep->count++] = s;
  return 0;
}

void pe_strings_free(pe_strings *s) {
  for (int i = 0; i < s->count; i++) free(s->items[i]);
  free(s->items);
  s->items = NULL;
  s->count = s->cap = 0;
}

int pe_read_string(napi_env env, napi_value v, const char *what, int optional, char **out) {
  *out = NULL;
  if (optional && is_nullish(env, v)) return 0;
  napi_valuetype t;
  if (pe_check(env, napi_typeof(env, v, &t))) return -1;
  if (t != napi_string)
    return pe_throw_type(env, "%s must be a string, got %s", what, pe_typeof_name(env, v));
  size_t len = 0;
  if (pe_check(env, napi_get_value_string_utf8(env, v, NULL, 0, &len))) return -1;
  char *s = malloc(len + 1);
  if (!s) return pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
  if (pe_check(env, napi_get_value_string_utf8(env, v, s, len + 1, &len))) {
    free(s);
    return -1;
  }
  if (strlen(s) != len) {
    free(s);
    return pe_throw_type(env, "%s must not contain NUL characters", what);
  }
  *out = s;
  return 0;
}

/* Reads obj[name]; *present = 0 when undefined or null. */
static int get_prop(napi_env env, napi_value obj, const char *name, napi_value *v, int *present) {
  if (pe_check(env, napi_get_named_property(env, obj, name, v))) return -1;
  *present = !is_nullish(env, *v);
  return 0;
}

static int read_number(napi_env env, napi_value v, const char *what, double *out) {
  napi_valuetype t;
  if (pe_check(env, napi_typeof(env, v, &t))) return -1;
  if (t != napi_number) return pe_throw_type(env, "%s must be a number, got %s", what, pe_typeof_name(env, v));
  return pe_check(env, napi_get_value_double(env, v, out));
}

static int read_integer(napi_env env, napi_value v, const char *what, double lo, double hi, int64_t *out) {
  double d = 0;
  if (read_number(env, v, what, &d)) return -1;
  if (!isfinite(d) || floor(d) != d) return pe_throw_type(env, "%s must be an integer, got %g", what, d);
  if (d < lo || d > hi) return pe_throw_range(env, "%s must be in [%.0f, %.0f], got %.0f", what, lo, hi, d);
  *out = (int64_t)d;
  return 0;
}

static int field_int(napi_env env, napi_value obj, const char *ctx, const char *name, int required, int *out) {
  napi_value v;
  int present;
  char what[96];
  snprintf(what, sizeof what, "%s.%s", ctx, name);
  if (get_prop(env, obj, name, &v, &present)) return -1;
  if (!present) return required ? pe_throw_type(env, "%s is required (an integer)", what) : 0;
  int64_t i;
  if (read_integer(env, v, what, -2147483648.0, 2147483647.0, &i)) return -1;
  *out = (int)i;
  return 0;
}

static int field_int64(napi_env env, napi_value obj, const char *ctx, const char *name, int64_t *out) {
  napi_value v;
  int present;
  char what[96];
  snprintf(what, sizeof what, "%s.%s", ctx, name);
  if (get_prop(env, obj, name, &v, &present)) return -1;
  if (!present) return 0;
  return read_integer(env, v, what, -9007199254740991.0, 9007199254740991.0, out);
}

static int field_double(napi_env env, napi_value obj, const char *ctx, const char *name, int required,
                        double *out) {
  napi_value v;
  int present;
  char what[96];
  snprintf(what, sizeof what, "%s.%s", ctx, name);
  if (get_prop(env, obj, name, &v, &present)) return -1;
  if (!present) return required ? pe_throw_type(env, "%s is required (a number)", what) : 0;
  return read_number(env, v, what, out);
}

static int field_string(napi_env env, napi_value obj, const char *ctx, const char *name, const char **out,
                        pe_strings *keep) {
  napi_value v;
  int present;
  char what[96];
  snprintf(what, sizeof what, "%s.%s", ctx, name);
  if (get_prop(env, obj, name, &v, &present)) return -1;
  if (!present) return 0;
  char *s;
  if (pe_read_string(env, v, what, 0, &s)) return -1;
  if (keep_string(keep, s)) {
    free(s);
    return pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
  }
  *out = s;
  return 0;
}

/* A value of options: string, number or boolean, turned into its string. */
static int option_value(napi_env env, napi_value v, const char *what, pe_strings *keep, char **out) {
  napi_valuetype t;
  if (pe_check(env, napi_typeof(env, v, &t))) return -1;
  if (t != napi_string && t != napi_number && t != napi_boolean)
    return pe_throw_type(env, "%s must be a string, number or boolean, got %s", what, pe_typeof_name(env, v));
  napi_value s;
  if (pe_check(env, napi_coerce_to_string(env, v, &s))) return -1;
  if (pe_read_string(env, s, what, 0, out)) return -1;
  if (keep_string(keep, *out)) {
    free(*out);
    return pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
  }
  return 0;
}

/* options: { key: value, ... } or [[key, value], ...] -> {key, value, ..., NULL} */
static int field_options(napi_env env, napi_value obj, const char *ctx, const char *const **out,
                         pe_strings *keep) {
  napi_value v;
  int present;
  char what[96];
  snprintf(what, sizeof what, "%s.options", ctx);
  if (get_prop(env, obj, "options", &v, &present)) return -1;
  if (!present) return 0;
  napi_valuetype t;
  if (pe_check(env, napi_typeof(env, v, &t))) return -1;
  if (t != napi_object)
    return pe_throw_type(env, "%s must be an object of key: value pairs, got %s", what, pe_typeof_name(env, v));
  bool is_array = false;
  napi_value keys = v;
  if (pe_check(env, napi_is_array(env, v, &is_array))) return -1;
  if (!is_array && pe_check(env, napi_get_property_names(env, v, &keys))) return -1;
  uint32_t n = 0;
  if (pe_check(env, napi_get_array_length(env, keys, &n))) return -1;
  /* The array itself is kept with the strings: the first item of `keep` that is not a string is fine
   * because pe_strings_free just calls free(). */
  char **list = calloc((size_t)n * 2 + 1, sizeof *list);
  if (!list || keep_string(keep, (char *)list)) {
    free(list);
    return pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value key, val;
    if (is_array) {
      napi_value pair;
      bool pair_is_array = false;
      uint32_t pair_len = 0;
      if (pe_check(env, napi_get_element(env, v, i, &pair))) return -1;
      napi_is_array(env, pair, &pair_is_array);
      if (pair_is_array) napi_get_array_length(env, pair, &pair_len);
      if (!pair_is_array || pair_len != 2)
        return pe_throw_type(env, "%s[%u] must be a [key, value] pair, got %s", what, i,
                             pe_typeof_name(env, pair));
      if (pe_check(env, napi_get_element(env, pair, 0, &key)) || pe_check(env, napi_get_element(env, pair, 1, &val)))
        return -1;
    } else {
      if (pe_check(env, napi_get_element(env, keys, i, &key)) ||
          pe_check(env, napi_get_property(env, v, key, &val)))
        return -1;
    }
    char kwhat[128];
    snprintf(kwhat, sizeof kwhat, "%s key", what);
    if (pe_read_string(env, key, kwhat, 0, &list[2 * i])) return -1;
    if (keep_string(keep, list[2 * i])) {
      free(list[2 * i]);
      list[2 * i] = NULL;
      return pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
    }
    char vwhat[256];
    snprintf(vwhat, sizeof vwhat, "%s.%s", what, list[2 * i]);
    if (option_value(env, val, vwhat, keep, &list[2 * i + 1])) return -1;
  }
  *out = (const char *const *)list;
  return 0;
}

static int check_object(napi_env env, napi_value obj, const char *what) {
  napi_valuetype t;
  if (pe_check(env, napi_typeof(env, obj, &t))) return -1;
  if (t != napi_object)
    return pe_throw_type(env, "%s expects an options object, got %s", what, pe_typeof_name(env, obj));
  return 0;
}

int pe_read_video_config(napi_env env, napi_value o, polyenc_video_config *c, pe_strings *keep) {
  const char *ctx = "addVideo";
  if (check_object(env, o, "addVideo()")) return -1;
  polyenc_video_config_init(c);
  const char *encoder = NULL;
  if (field_int(env, o, ctx, "width", 1, &c->width) || field_int(env, o, ctx, "height", 1, &c->height) ||
      field_double(env, o, ctx, "frameRate", 1, &c->frame_rate) ||
      field_string(env, o, ctx, "device", &c->device, keep) || field_string(env, o, ctx, "codec", &c->codec, keep) ||
      field_string(env, o, ctx, "pixelFormat", &c->pixel_format, keep) ||
      field_double(env, o, ctx, "crf", 0, &c->crf) || field_string(env, o, ctx, "preset", &c->preset, keep) ||
      field_int64(env, o, ctx, "bitRate", &c->bit_rate) || field_int(env, o, ctx, "gopSize", 0, &c->gop_size) ||
      field_string(env, o, ctx, "colorSpace", &c->color_space, keep) ||
      field_string(env, o, ctx, "colorRange", &c->color_range, keep) ||
      field_int(env, o, ctx, "threads", 0, &c->threads) || field_options(env, o, ctx, &c->options, keep) ||
      field_string(env, o, ctx, "encoder", &encoder, keep))
    return -1;
  /* `encoder` picks the browser's path; in Node there is one (native FFmpeg). */
  if (encoder && strcmp(encoder, "auto") && strcmp(encoder, "wasm") && strcmp(encoder, "native"))
    return pe_throw_status(env, POLYENC_ERR_UNSUPPORTED,
                           "addVideo.encoder '%s' is not available in Node (valid: 'auto'; 'webcodecs' is "
                           "browser only)",
                           encoder);
  return 0;
}

int pe_read_audio_config(napi_env env, napi_value o, polyenc_audio_config *c, pe_strings *keep) {
  const char *ctx = "addAudio";
  if (check_object(env, o, "addAudio()")) return -1;
  polyenc_audio_config_init(c);
  if (field_int(env, o, ctx, "sampleRate", 1, &c->sample_rate) ||
      field_int(env, o, ctx, "numChannels", 1, &c->num_channels) ||
      field_string(env, o, ctx, "codec", &c->codec, keep) || field_int64(env, o, ctx, "bitRate", &c->bit_rate) ||
      field_int(env, o, ctx, "outSampleRate", 0, &c->out_sample_rate) ||
      field_int(env, o, ctx, "outNumChannels", 0, &c->out_num_channels) ||
      field_options(env, o, ctx, &c->options, keep))
    return -1;
  return 0;
}

static const char *const frame_layouts[] = {"rgb-planar", "rgb24", "rgba", "bgra", "yuv420p"};

const char *pe_frame_layout_name(polyenc_layout l) {
  return (unsigned)l < 5 ? frame_layouts[l] : "?";
}

int pe_read_frame_layout(napi_env env, napi_value v, polyenc_layout *out) {
  *out = POLYENC_RGB_PLANAR;
  char *s;
  if (pe_read_string(env, v, "layout", 1, &s)) return -1;
  if (!s) return 0;
  for (int i = 0; i < 5; i++)
    if (!strcmp(s, frame_layouts[i])) {
      *out = (polyenc_layout)i;
      free(s);
      return 0;
    }
  pe_throw_type(env, "layout must be 'rgb-planar', 'rgb24', 'rgba', 'bgra' or 'yuv420p', got '%s'", s);
  free(s);
  return -1;
}

int pe_read_sample_layout(napi_env env, napi_value v, polyenc_sample_layout *out) {
  *out = POLYENC_SAMPLES_PLANAR;
  char *s;
  if (pe_read_string(env, v, "layout", 1, &s)) return -1;
  if (!s) return 0;
  int ok = 1;
  if (!strcmp(s, "planar"))
    *out = POLYENC_SAMPLES_PLANAR;
  else if (!strcmp(s, "interleaved"))
    *out = POLYENC_SAMPLES_INTERLEAVED;
  else
    ok = 0;
  if (!ok) pe_throw_type(env, "layout must be 'planar' or 'interleaved', got '%s'", s);
  free(s);
  return ok ? 0 : -1;
}

int pe_read_optional_count(napi_env env, napi_value v, const char *what, int64_t *out) {
  *out = -1;
  if (is_nullish(env, v)) return 0;
  int64_t n = 0;
  if (read_integer(env, v, what, 0, 2147483647.0, &n)) return -1;
  *out = n;
  return 0;
}
