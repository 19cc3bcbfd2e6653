/* Shared pieces of the libFuzzer targets (fuzz_util.h). */
#define _GNU_SOURCE /* mkdtemp */
#include "fuzz_util.h"

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

/* ---- reader ---- */
uint8_t in_u8(fuzz_in *in) {
  if (!in->n) return 0;
  in->n--;
  return *in->p++;
}

uint32_t in_u32(fuzz_in *in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v = v << 8 | in_u8(in);
  return v;
}

uint64_t in_u64(fuzz_in *in) { return (uint64_t)in_u32(in) << 32 | in_u32(in); }

int in_bool(fuzz_in *in) { return in_u8(in) & 1; }

int in_range(fuzz_in *in, int lo, int hi) {
  uint32_t span = (uint32_t)((int64_t)hi - lo + 1);
  uint32_t raw = span <= 256 ? in_u8(in) : in_u32(in);
  return span ? (int)(lo + (int64_t)(raw % span)) : (int)raw;
}

int in_int(fuzz_in *in, int lo, int hi) {
  static const int edges[] = {0, -1, 1, 2, 3, -2, INT_MIN, INT_MAX, 1 << 20, 65537, 16385, 1 << 30, -65536, 7, 127, 255};
  uint8_t mode = in_u8(in);
  if (mode < 200) return in_range(in, lo, hi);
  if (mode < 240) return edges[in_u8(in) % (sizeof edges / sizeof *edges)];
  return (int)in_u32(in);
}

int64_t in_i64(fuzz_in *in, int64_t lo, int64_t hi) {
  static const int64_t edges[] = {0, -1, 1, INT64_MIN, INT64_MAX, INT32_MAX, INT32_MIN, (int64_t)1 << 40, -((int64_t)1 << 40)};
  uint8_t mode = in_u8(in);
  if (mode < 200) {
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return span ? lo + (int64_t)(in_u32(in) % span) : (int64_t)in_u32(in);
  }
  if (mode < 240) return edges[in_u8(in) % (sizeof edges / sizeof *edges)];
  return (int64_t)in_u64(in);
}

double in_double(fuzz_in *in, double lo, double hi) {
  static const double edges[] = {0, -1, 1e-300, 1e300, 29.97, 23.976, 59.94, 1000000, 0.001, 1e9, -0.0, 2147483648.0};
  uint8_t mode = in_u8(in);
  if (mode < 180) return lo + (hi - lo) * (in_u32(in) / 4294967295.0);
  if (mode < 190) return NAN;
  if (mode < 195) return INFINITY;
  if (mode < 200) return -INFINITY;
  if (mode < 240) return edges[in_u8(in) % (sizeof edges / sizeof *edges)];
  uint64_t bits = in_u64(in);
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

int64_t sat_add(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

const uint8_t *in_bytes(fuzz_in *in, size_t max, size_t *size) {
  size_t n = max < in->n ? max : in->n;
  const uint8_t *p = in->p;
  in->p += n;
  in->n -= n;
  *size = n;
  return p;
}

/* ---- names ---- */
enum { MAX_NAMES = 1024 };

static void add_name(name_list *l, const char *name) {
  if (!name || l->count >= MAX_NAMES) return;
  for (int i = 0; i < l->count; i++)
    if (!strcmp(l->names[i], name)) return;
  if (!l->names && !(l->names = calloc(MAX_NAMES, sizeof *l->names))) abort();
  l->names[l->count++] = name;
}

/* Every non-constant option of cls into keys, every constant into values. */
static void add_class_options(fuzz_names *n, const AVClass *cls) {
  for (const AVOption *o = cls ? cls->option : NULL; o && o->name; o++) {
    if (o->type == AV_OPT_TYPE_CONST) add_name(&n->option_values, o->name);
    else if (strcmp(o->name, "threads")) add_name(&n->option_keys, o->name); /* threads stay at 1-2 */
  }
}

/* FFmpeg 5.1's Intel QSV encoders leak their packet queue when no QSV device opens (qsvenc.c, inside
 * avcodec_open2): they are left out, so that one known library leak does not stop every run. */
static int is_qsv(const char *name) {
  size_t len = strlen(name);
  return len > 4 && !strcmp(name + len - 4, "_qsv");
}

static char scratch[256];
static fuzz_names names;

const fuzz_names *fuzz_names_init(void) {
  static int done;
  if (done) return &names;
  done = 1;
  snprintf(scratch, sizeof scratch, "%s/polyenc-fuzz-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(scratch)) {
    perror("fuzz scratch directory");
    abort();
  }
  const AVCodec *c;
  void *it = NULL;
  add_class_options(&names, avcodec_get_class());
  add_class_options(&names, avformat_get_class());
  while ((c = av_codec_iterate(&it))) {
    if (!av_codec_is_encoder(c)) continue;
    if (is_qsv(c->name)) continue;
    if (c->type == AVMEDIA_TYPE_VIDEO) add_name(&names.video_codecs, c->name);
    if (c->type == AVMEDIA_TYPE_AUDIO) add_name(&names.audio_codecs, c->name);
    add_class_options(&names, c->priv_class);
  }
  for (const AVCodecDescriptor *d = avcodec_descriptor_next(NULL); d; d = avcodec_descriptor_next(d)) {
    if (d->type == AVMEDIA_TYPE_VIDEO) add_name(&names.video_specs, d->name);
    if (d->type == AVMEDIA_TYPE_VIDEO && avcodec_find_encoder(d->id)) add_name(&names.video_codecs, d->name);
    if (d->type == AVMEDIA_TYPE_AUDIO && avcodec_find_encoder(d->id)) add_name(&names.audio_codecs, d->name);
  }
  static const char *const bad_codecs[] = {"", "nope", "h264 ", "H264", "aac", "libx264", "opus", "subrip", "rawvideo"};
  for (size_t i = 0; i < sizeof bad_codecs / sizeof *bad_codecs; i++) {
    add_name(&names.video_codecs, bad_codecs[i]);
    add_name(&names.audio_codecs, bad_codecs[i]);
  }
  add_name(&names.video_specs, "aac");
  add_name(&names.video_specs, "nope");
  add_name(&names.video_specs, "");
  const AVOutputFormat *m;
  it = NULL;
  static const char *const main_muxers[] = {"mp4", "mov", "matroska", "webm", "wav", "ogg", "flac", "mp3", "avi",
                                            "mpegts", "mkv", "m4a", "ipod", "ismv", "nut", "opus", "adts", ""};
  for (size_t i = 0; i < sizeof main_muxers / sizeof *main_muxers; i++) add_name(&names.muxers, main_muxers[i]);
  while ((m = av_muxer_iterate(&it))) {
    add_name(&names.muxers, m->name);
    add_class_options(&names, m->priv_class);
  }
  add_name(&names.muxers, "nope");
  add_name(&names.muxers, "mp4,mov");
  for (const AVPixFmtDescriptor *d = av_pix_fmt_desc_next(NULL); d; d = av_pix_fmt_desc_next(d))
    add_name(&names.pixel_formats, d->name);
  add_name(&names.pixel_formats, "nope");
  add_name(&names.pixel_formats, "");
  static const char *const values[] = {"0",  "1",  "-1", "2",   "100000000", "nan", "abc", "", "1:1", "ultrafast",
                                       "medium", "veryslow", "placebo", "film", "zerolatency", "frag_keyframe+empty_moov",
                                       "faststart", "1e300", "-2147483648", "9223372036854775807"};
  for (size_t i = 0; i < sizeof values / sizeof *values; i++) add_name(&names.option_values, values[i]);
  add_name(&names.option_keys, "nope");
  add_name(&names.option_keys, "");
  return &names;
}

/* Literal names read from the input live until the next input. */
static char literals[64][LITERAL_MAX + 1];
static int num_literals;

void fuzz_literals_reset(void) { num_literals = 0; }

const char *in_name(fuzz_in *in, const name_list *list, int allow_null) {
  uint8_t mode = in_u8(in);
  if (allow_null && mode < 24) return NULL;
  if ((mode < 128 || !list->count) && num_literals < 64) { /* a literal: bytes up to a NUL */
    char *s = literals[num_literals++];
    int n = 0;
    for (uint8_t c; n < LITERAL_MAX && in->n && (c = in_u8(in)) != 0;) s[n++] = (char)c;
    s[n] = '\0';
    if (is_qsv(s)) s[n - 4] = '\0'; /* see is_qsv: the fuzzer learns names from FFmpeg's string compares */
    return s;
  }
  if (!list->count) return NULL;
  return list->names[in_range(in, 0, 0xffff) % list->count];
}

const char *const *in_options(fuzz_in *in, const fuzz_names *n, const char **storage, int max_pairs) {
  int pairs = in_range(in, -1, max_pairs);
  if (pairs < 0) return NULL;
  int k = 0;
  for (int i = 0; i < pairs; i++) {
    storage[k++] = in_name(in, &n->option_keys, 0);
    storage[k++] = in_name(in, &n->option_values, 0);
  }
  if (pairs && in_u8(in) > 250) k--; /* a key without value */
  storage[k] = NULL;
  return storage;
}

/* ---- scratch directory ---- */
const char *fuzz_tmp_dir(void) { return scratch; }

void fuzz_tmp_clean(void) {
  DIR *d = opendir(scratch);
  if (!d) return;
  struct dirent *e;
  char path[512];
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(path, sizeof path, "%s/%s", scratch, e->d_name);
    if (unlink(path) != 0) rmdir(path);
  }
  closedir(d);
}

/* ---- fault writer ---- */
void fault_writer_init(fault_writer *w, int64_t fail_write_at, int fail_seek_at) {
  memset(w, 0, sizeof *w);
  w->fail_write_at = fail_write_at;
  w->fail_seek_at = fail_seek_at;
}

void fault_writer_free(fault_writer *w) {
  free(w->data);
  w->data = NULL;
}

static int fw_write(void *opaque, const uint8_t *data, size_t size) {
  fault_writer *w = opaque;
  w->writes++;
  size_t n = size;
  int fail = w->fail_write_at >= 0 && (int64_t)(w->pos + size) > w->fail_write_at;
  if (fail) n = w->fail_write_at > (int64_t)w->pos ? (size_t)w->fail_write_at - w->pos : 0; /* a short write */
  if (w->pos + n > w->capacity) {
    size_t cap = w->capacity ? w->capacity : 4096;
    while (cap < w->pos + n) cap *= 2;
    uint8_t *p = realloc(w->data, cap);
    if (!p) abort();
    w->data = p;
    w->capacity = cap;
  }
  if (w->pos > w->size) memset(w->data + w->size, 0, w->pos - w->size);
  if (n) memcpy(w->data + w->pos, data, n);
  touch_bytes(data, size); /* the whole range handed over must be readable */
  w->pos += n;
  if (w->pos > w->size) w->size = w->pos;
  if (fail) {
    w->failed = 1;
    return -1;
  }
  return 0;
}

static int64_t fw_seek(void *opaque, int64_t offset, int whence) {
  fault_writer *w = opaque;
  if (w->fail_seek_at >= 0 && w->seeks++ == w->fail_seek_at) {
    w->failed = 1;
    return -1;
  }
  int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)w->pos : whence == SEEK_END ? (int64_t)w->size : -1;
  if (base < 0 || offset < -base || offset > ((int64_t)1 << 40)) return -1;
  w->pos = (size_t)(base + offset);
  return base + offset;
}

polyenc_writer fault_writer_api(fault_writer *w, int seekable) {
  return (polyenc_writer){.opaque = w, .write = fw_write, .seek = seekable ? fw_seek : NULL};
}

/* ---- invariants ---- */
void expect_clean(polyenc_encoder *enc, polyenc_status st, const char *call) {
  static int trace = -1;
  if (trace < 0) trace = getenv("POLYENC_FUZZ_TRACE") != NULL;
  if (trace) fprintf(stderr, "%s: %s %s\n", call, polyenc_status_name(st), st && enc ? polyenc_last_error(enc) : "");
  if (st > POLYENC_OK || st < POLYENC_ERR_CODEC) {
    fprintf(stderr, "%s returned an unknown status %d\n", call, (int)st);
    abort();
  }
  if (st == POLYENC_OK || !enc) return;
  const char *msg = polyenc_last_error(enc);
  if (!msg || !msg[0]) {
    fprintf(stderr, "%s returned %s with an empty polyenc_last_error\n", call, polyenc_status_name(st));
    abort();
  }
}

void touch_bytes(const uint8_t *data, size_t size) {
  volatile uint8_t sum = 0;
  for (size_t i = 0; i < size; i++) sum ^= data[i];
  (void)sum;
}
