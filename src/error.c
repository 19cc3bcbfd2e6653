/* Status names, per-encoder messages, and FFmpeg's log: silent unless asked for,
 * with the last error line kept so that our messages can quote the codec's reason. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>
#include <libavutil/mem.h>

#include "internal.h"

static int log_level = AV_LOG_QUIET;

/* The last error line FFmpeg logged on this thread: thread-specific data (pthread keys, in libc) rather
 * than _Thread_local, whose dynamic TLS model would make libpolyenc.so need glibc's loader. The line is
 * allocated when a thread logs an error and freed when it is read or cleared (pe_clear_ffmpeg_log, also
 * called by polyenc_encoder_free) or the thread ends; without memory it is not kept (the message then
 * lacks FFmpeg's reason). */
enum { ERROR_LINE = 512 };
static pthread_key_t error_key;
static pthread_once_t error_key_once = PTHREAD_ONCE_INIT;
static int error_key_made;

static void make_error_key(void) { error_key_made = pthread_key_create(&error_key, free) == 0; }

static char *last_ffmpeg_error(int create) {
  pthread_once(&error_key_once, make_error_key);
  if (!error_key_made) return NULL;
  char *line = pthread_getspecific(error_key);
  if (!line && create && (line = calloc(1, ERROR_LINE)) && pthread_setspecific(error_key, line)) {
    free(line);
    line = NULL;
  }
  return line;
}

const char *polyenc_status_name(polyenc_status s) {
  switch (s) {
  case POLYENC_OK: return "POLYENC_OK";
  case POLYENC_ERR_ARGUMENT: return "POLYENC_ERR_ARGUMENT";
  case POLYENC_ERR_STATE: return "POLYENC_ERR_STATE";
  case POLYENC_ERR_UNSUPPORTED: return "POLYENC_ERR_UNSUPPORTED";
  case POLYENC_ERR_IO: return "POLYENC_ERR_IO";
  case POLYENC_ERR_NOMEM: return "POLYENC_ERR_NOMEM";
  case POLYENC_ERR_CODEC: return "POLYENC_ERR_CODEC";
  }
  return "POLYENC_ERR_UNKNOWN";
}

const char *polyenc_last_error(const polyenc_encoder *enc) { return enc ? enc->error : ""; }

polyenc_status pe_set_error(polyenc_encoder *enc, polyenc_status status, const char *format, ...) {
  if (enc) {
    va_list args;
    va_start(args, format);
    vsnprintf(enc->error, sizeof enc->error, format, args);
    va_end(args);
    if (log_level >= AV_LOG_WARNING) fprintf(stderr, "[polyenc] %s: %s\n", polyenc_status_name(status), enc->error);
  }
  return status;
}

polyenc_status pe_codec_status(int averror) {
  return averror == AVERROR(ENOMEM) ? POLYENC_ERR_NOMEM : POLYENC_ERR_CODEC;
}

void pe_clear_ffmpeg_log(void) {
  char *line = last_ffmpeg_error(0);
  if (line) {
    pthread_setspecific(error_key, NULL);
    free(line);
  }
}

const char *pe_error_text(int code, char *buf, size_t size) {
  char reason[AV_ERROR_MAX_STRING_SIZE];
  av_strerror(code, reason, sizeof reason);
  const char *line = last_ffmpeg_error(0);
  if (line && line[0])
    snprintf(buf, size, "%s (%s)", reason, line);
  else
    snprintf(buf, size, "%s", reason);
  pe_clear_ffmpeg_log();
  return buf;
}

static void log_callback(void *avcl, int level, const char *format, va_list args) {
  if (level <= AV_LOG_ERROR) {
    char line[ERROR_LINE];
    va_list copy;
    va_copy(copy, args);
    const AVClass *cls = avcl ? *(const AVClass **)avcl : NULL;
    int n = cls ? snprintf(line, sizeof line, "%s: ", cls->item_name(avcl)) : 0;
    if (n < 0 || (size_t)n >= sizeof line) n = 0;
    vsnprintf(line + n, sizeof line - (size_t)n, format, copy);
    va_end(copy);
    line[strcspn(line, "\n")] = '\0';
    char *kept = line[n] ? last_ffmpeg_error(1) : NULL;
    if (kept) memcpy(kept, line, sizeof line);
  }
  if (level <= log_level) av_log_default_callback(avcl, level, format, args);
}

static void install_log_callback(void) {
  const char *env = getenv("POLYENC_LOG");
  if (env && !strcmp(env, "debug")) log_level = AV_LOG_DEBUG;
  else if (env && !strcmp(env, "info")) log_level = AV_LOG_INFO;
  else if (env && (!strcmp(env, "warning") || !strcmp(env, "warn"))) log_level = AV_LOG_WARNING;
  av_log_set_level(log_level > AV_LOG_ERROR ? log_level : AV_LOG_ERROR);
  av_log_set_callback(log_callback);
}

void pe_setup_logging(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, install_log_callback);
}

int pe_log_enabled(int av_level) { return log_level >= av_level; }

void pe_log_info(const char *format, ...) {
  if (log_level < AV_LOG_INFO) return;
  va_list args;
  va_start(args, format);
  fputs("[polyenc] ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
}

char *pe_copy_string(const char *s) { return s ? av_strdup(s) : NULL; }
