/* Moving already checked JS values into C.
 *
 * The JS front door (js/ in this repository, the npm package 'polyenc') checks
 * every argument and hands the binding flat values of the right types. These
 * helpers only guard the marshaling itself: when a napi_get_value_* call fails
 * (a caller went around the front door), they throw one fixed TypeError with
 * code ERR_INVALID_ARG_TYPE instead of reading garbage. No ranges, no messages
 * about options: value checks belong to the front door and to the C library.
 * All return 0 on success, -1 with a pending exception. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addon.h"

static int pending(napi_env env) {
  bool p = false;
  napi_is_exception_pending(env, &p);
  return p;
}

int pe_bad_arg(napi_env env, const char *method, const char *name) {
  if (pending(env)) return -1; /* e.g. a getter threw: keep its exception */
  char msg[256];
  snprintf(msg, sizeof msg,
           "polyenc native binding: %s: argument %s has the wrong type (call it through the 'polyenc' package)",
           method, name);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return -1;
}

int pe_throw_status(napi_env env, polyenc_status status, const char *fmt, ...) {
  if (pending(env)) return -1;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  napi_throw_error(env, polyenc_status_name(status), msg);
  return -1;
}

int pe_check(napi_env env, napi_status s) {
  if (s == napi_ok) return 0;
  if (!pending(env)) {
    const napi_extended_error_info *info = NULL;
    napi_get_last_error_info(env, &info);
    napi_throw_error(env, "POLYENC_ERR_NOMEM",
                     info && info->error_message ? info->error_message : "Node-API call failed");
  }
  return -1;
}

int pe_is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && (t == napi_undefined || t == napi_null);
}

int pe_get_object(napi_env env, napi_value v, const char *method, const char *name) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_object) return pe_bad_arg(env, method, name);
  return 0;
}

int pe_get_int(napi_env env, napi_value v, const char *method, const char *name, int *out) {
  int32_t i = 0;
  if (napi_get_value_int32(env, v, &i) != napi_ok) return pe_bad_arg(env, method, name);
  *out = i;
  return 0;
}

int pe_get_double(napi_env env, napi_value v, const char *method, const char *name, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok) return pe_bad_arg(env, method, name);
  return 0;
}

int pe_get_int64(napi_env env, napi_value v, const char *method, const char *name, int64_t *out) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok) return pe_bad_arg(env, method, name);
  /* Only what the cast itself needs: a non-finite or too large double has no int64 value (undefined
   * behaviour in C). */
  if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0)) return pe_bad_arg(env, method, name);
  *out = (int64_t)d;
  return 0;
}

int pe_get_string(napi_env env, napi_value v, const char *method, const char *name, int nullable, char **out) {
  *out = NULL;
  if (nullable && pe_is_nullish(env, v)) return 0;
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return pe_bad_arg(env, method, name);
  char *s = malloc(len + 1);
  if (!s) return pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
  if (pe_check(env, napi_get_value_string_utf8(env, v, s, len + 1, &len))) {
    free(s);
    return -1;
  }
  if (strlen(s) != len) { /* an embedded NUL: C would see a shorter, different string */
    free(s);
    return pe_bad_arg(env, method, name);
  }
  *out = s;
  return 0;
}

void pe_free_strings(char **list) {
  if (!list) return;
  for (char **p = list; *p; p++) free(*p);
  free(list);
}

int pe_get_strings(napi_env env, napi_value v, const char *method, const char *name, char ***out) {
  *out = NULL;
  if (pe_is_nullish(env, v)) return 0;
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, v, &is_array) != napi_ok || !is_array) return pe_bad_arg(env, method, name);
  if (pe_check(env, napi_get_array_length(env, v, &n))) return -1;
  char **list = calloc((size_t)n + 1, sizeof *list);
  if (!list) return pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    if (pe_check(env, napi_get_element(env, v, i, &item)) || pe_get_string(env, item, method, name, 0, &list[i])) {
      pe_free_strings(list); /* NULL-terminated up to the failed item */
      return -1;
    }
  }
  *out = list;
  return 0;
}

/* obj[name], read with the getter of the matching type. */
static int field(napi_env env, napi_value obj, const char *name, napi_value *v) {
  return pe_check(env, napi_get_named_property(env, obj, name, v));
}

int pe_field_int(napi_env env, napi_value obj, const char *method, const char *name, int *out) {
  napi_value v;
  return field(env, obj, name, &v) || pe_get_int(env, v, method, name, out) ? -1 : 0;
}

int pe_field_double(napi_env env, napi_value obj, const char *method, const char *name, double *out) {
  napi_value v;
  return field(env, obj, name, &v) || pe_get_double(env, v, method, name, out) ? -1 : 0;
}

int pe_field_nullable_double(napi_env env, napi_value obj, const char *method, const char *name, double *out) {
  napi_value v;
  if (field(env, obj, name, &v)) return -1;
  return pe_is_nullish(env, v) ? 0 : pe_get_double(env, v, method, name, out);
}

int pe_field_int64(napi_env env, napi_value obj, const char *method, const char *name, int64_t *out) {
  napi_value v;
  return field(env, obj, name, &v) || pe_get_int64(env, v, method, name, out) ? -1 : 0;
}

int pe_field_string(napi_env env, napi_value obj, const char *method, const char *name, char **out) {
  napi_value v;
  *out = NULL;
  return field(env, obj, name, &v) || pe_get_string(env, v, method, name, 1, out) ? -1 : 0;
}

int pe_field_strings(napi_env env, napi_value obj, const char *method, const char *name, char ***out) {
  napi_value v;
  *out = NULL;
  return field(env, obj, name, &v) || pe_get_strings(env, v, method, name, out) ? -1 : 0;
}

int pe_field_nullable_int(napi_env env, napi_value obj, const char *method, const char *name, int *out) {
  napi_value v;
  if (field(env, obj, name, &v)) return -1;
  return pe_is_nullish(env, v) ? 0 : pe_get_int(env, v, method, name, out);
}

int pe_field_int_pair(napi_env env, napi_value obj, const char *method, const char *name, int *a, int *b) {
  napi_value v, x, y;
  bool is_array = false;
  uint32_t n = 0;
  if (field(env, obj, name, &v)) return -1;
  if (pe_is_nullish(env, v)) return 0;
  if (napi_is_array(env, v, &is_array) != napi_ok || !is_array || napi_get_array_length(env, v, &n) != napi_ok ||
      n != 2)
    return pe_bad_arg(env, method, name);
  if (pe_check(env, napi_get_element(env, v, 0, &x)) || pe_check(env, napi_get_element(env, v, 1, &y))) return -1;
  return pe_get_int(env, x, method, name, a) || pe_get_int(env, y, method, name, b) ? -1 : 0;
}
