/* Test helpers: files, processes and the ffmpeg / ffprobe tools (declared in media.h). */
#define _XOPEN_SOURCE 700
#include "media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* ---- files and processes ---- */
int write_file(const char *path, const void *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t n = size ? fwrite(data, 1, size, f) : 0;
  int ok = fclose(f) == 0 && n == size;
  return ok ? 0 : -1;
}

uint8_t *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  *size = 0;
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  for (;;) {
    if (n == cap) {
      uint8_t *b = realloc(buf, cap *= 2);
      if (!b) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = b;
    }
    size_t r = fread(buf + n, 1, cap - n, f);
    if (r == 0) break;
    n += r;
  }
  fclose(f);
  *size = n;
  return buf;
}

int file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int run_capture(const char *cmd, char **out) {
  FILE *p = popen(cmd, "r");
  if (out) *out = NULL;
  if (!p) return -1;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (n + 1 >= cap) buf = realloc(buf, cap *= 2);
    size_t r = fread(buf + n, 1, cap - n - 1, p);
    if (r == 0) break;
    n += r;
  }
  buf[n] = 0;
  int st = pclose(p);
  if (out)
    *out = buf;
  else
    free(buf);
  if (st == -1) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static const char *tool_path(const char *env, const char *name) {
  const char *p = getenv(env);
  if (p && *p) return p;
  static char found[2][4096];
  char *slot = found[strcmp(name, "ffmpeg") == 0 ? 0 : 1];
  if (slot[0]) return slot;
  const char *dirs[] = {"/usr/bin", "/usr/local/bin", "/bin"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    snprintf(slot, 4096, "%s/%s", dirs[i], name);
    if (access(slot, X_OK) == 0) return slot;
  }
  slot[0] = 0;
  return NULL;
}

const char *ffmpeg_path(void) {
  const char *p = tool_path("POLYENC_TEST_FFMPEG", "ffmpeg");
  if (!p) SKIP("ffmpeg not found (set POLYENC_TEST_FFMPEG)");
  return p;
}

const char *ffprobe_path(void) {
  const char *p = tool_path("POLYENC_TEST_FFPROBE", "ffprobe");
  if (!p) SKIP("ffprobe not found (set POLYENC_TEST_FFPROBE)");
  return p;
}

char *ffprobe(const char *args, const char *path) {
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "'%s' -v error %s '%s'", ffprobe_path(), args, path);
  char *out = NULL;
  int rc = run_capture(cmd, &out);
  if (rc != 0) {
    fprintf(stderr, "ffprobe failed (%d): %s\n", rc, cmd);
    free(out);
    return NULL;
  }
  return out;
}

const char *kv_get(const char *text, const char *key, int n, char *buf, size_t size) {
  size_t klen = strlen(key);
  const char *p = text;
  while (p && *p) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
      if (n-- == 0) {
        size_t vlen = len - klen - 1;
        if (vlen && p[klen + 1 + vlen - 1] == '\r') vlen--;
        if (vlen >= size) vlen = size - 1;
        memcpy(buf, p + klen + 1, vlen);
        buf[vlen] = 0;
        return buf;
      }
    }
    p = eol ? eol + 1 : NULL;
  }
  return NULL;
}
