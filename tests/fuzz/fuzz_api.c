/* libFuzzer target: the whole public API driven by the input. Each input is a sequence of up to
 * MAX_CALLS operations (add_video / add_audio / add_encoded_video with every config field fuzzed,
 * open_file / open_writer / open_memory, add_frames in every layout with fuzzed shapes and strides,
 * add_samples, add_packet, close, output, calls with NULL arguments, free), in any order.
 *
 * The frames and samples handed to polyenc are allocated with exactly the bytes their shape and
 * strides address, so any read outside them is polyenc's bug (AddressSanitizer). After every call the
 * status must be a known one and a failure must leave a message (fuzz_util.c: expect_clean). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

enum { MAX_CALLS = 16, MAX_STREAMS = 8, MAX_FRAMES = 4, MAX_SAMPLES = 4096, MAX_BYTES = 16 << 20, MAX_PAIRS = 3 };

typedef enum op {
  OP_ADD_VIDEO, OP_ADD_AUDIO, OP_ADD_ENCODED, OP_OPEN_FILE, OP_OPEN_WRITER, OP_OPEN_MEMORY, OP_ADD_FRAMES,
  OP_ADD_SAMPLES, OP_ADD_PACKET, OP_CLOSE, OP_OUTPUT, OP_NULL_CALLS, OP_RENEW, OP_METADATA, OP_STATS, OP_ABORT, NUM_OPS
} op;

typedef struct run {
  fuzz_in in;
  const fuzz_names *names;
  polyenc_encoder *enc;
  polyenc_stream *streams[MAX_STREAMS];
  int widths[MAX_STREAMS], heights[MAX_STREAMS], channels[MAX_STREAMS];
  int num_streams;
  fault_writer writer;
  const char *option_storage[2 * MAX_PAIRS + 2];
} run;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_names_init();
  return 0;
}

static const char *pick(fuzz_in *in, const char *const *choices, int n) { return choices[in_range(in, 0, n - 1)]; }
#define PICK(in, ...) pick(in, (const char *const[]){__VA_ARGS__}, sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

static void remember(run *r, polyenc_stream *s, int w, int h, int ch) {
  if (r->num_streams >= MAX_STREAMS) return;
  r->widths[r->num_streams] = w, r->heights[r->num_streams] = h, r->channels[r->num_streams] = ch;
  r->streams[r->num_streams++] = s;
}

/* A known stream (often), or NULL; *i its index or -1. */
static polyenc_stream *pick_stream(run *r, int *i) {
  *i = -1;
  if (!r->num_streams || in_u8(&r->in) < 16) return NULL;
  *i = in_range(&r->in, 0, r->num_streams - 1);
  return r->streams[*i];
}

static int pick_threads(fuzz_in *in) {
  static const int threads[] = {1, 2, 1, -1, INT_MIN};
  return threads[in_range(in, 0, 4)];
}

static void op_add_video(run *r) {
  fuzz_in *in = &r->in;
  polyenc_video_config vc;
  polyenc_video_config_init(&vc);
  vc.width = in_int(in, 1, 64);
  vc.height = in_int(in, 1, 64);
  vc.frame_rate = in_double(in, 0.5, 120);
  vc.device = in_u8(in) < 240 ? NULL : PICK(in, "cpu", "cuda", "cuda:1", "gpu", "", "cuda:-1", "cuda:99999999999");
  vc.codec = in_name(in, &r->names->video_codecs, 1);
  vc.pixel_format = in_u8(in) < 128 ? NULL : in_name(in, &r->names->pixel_formats, 1);
  vc.crf = in_u8(in) < 160 ? NAN : in_double(in, 0, 63);
  vc.preset = in_u8(in) < 192 ? NULL : in_name(in, &r->names->option_values, 1);
  vc.bit_rate = in_u8(in) < 160 ? 0 : in_i64(in, 1000, 10000000);
  vc.gop_size = in_int(in, 0, 30);
  vc.color_space = PICK(in, NULL, "bt601", "bt709", "bt2020", "bt470bg", "");
  vc.color_range = PICK(in, NULL, "tv", "pc", "limited", "full", "jpeg");
  vc.threads = pick_threads(in);
  vc.options = in_options(in, r->names, r->option_storage, MAX_PAIRS);
  if (in_u8(in) >= 224) vc.time_base_num = in_int(in, -2, 1001), vc.time_base_den = in_int(in, -2, 90000);
  polyenc_stream *s = NULL;
  uint8_t mode = in_u8(in);
  polyenc_status st = polyenc_add_video(r->enc, mode == 1 ? NULL : &vc, mode == 2 ? NULL : &s);
  expect_clean(r->enc, st, "polyenc_add_video");
  if (!st) remember(r, s, vc.width, vc.height, 0);
}

static void op_add_audio(run *r) {
  fuzz_in *in = &r->in;
  polyenc_audio_config ac;
  polyenc_audio_config_init(&ac);
  static const int rates[] = {48000, 44100, 8000, 16000, 22050, 24000, 32000, 96000, 11025, 1, 0, -1, 7, 384000, INT_MAX};
  ac.sample_rate = in_u8(in) < 200 ? rates[in_range(in, 0, 14)] : in_int(in, 1, 200000);
  ac.num_channels = in_int(in, 1, 8);
  ac.codec = in_name(in, &r->names->audio_codecs, 1);
  ac.bit_rate = in_u8(in) < 160 ? 0 : in_i64(in, 1000, 1000000);
  ac.out_sample_rate = in_u8(in) < 160 ? 0 : in_u8(in) < 200 ? rates[in_range(in, 0, 14)] : in_int(in, 0, 200000);
  ac.out_num_channels = in_u8(in) < 160 ? 0 : in_int(in, 0, 8);
  ac.options = in_options(in, r->names, r->option_storage, MAX_PAIRS);
  if (in_u8(in) >= 224) {
    static const double odd[] = {NAN, INFINITY, -INFINITY, -0.0, 1e300, 86400, 86400.001, -1e-9};
    uint8_t m = in_u8(in);
    ac.start_time = m < 160 ? in_double(in, 0, 3) : odd[m % 8];
  }
  polyenc_stream *s = NULL;
  uint8_t mode = in_u8(in);
  polyenc_status st = polyenc_add_audio(r->enc, mode == 1 ? NULL : &ac, mode == 2 ? NULL : &s);
  if (getenv("POLYENC_FUZZ_TRACE")) {
    fprintf(stderr, "audio %d Hz %d ch codec %s bit_rate %lld out %d Hz %d ch, options:", ac.sample_rate, ac.num_channels,
            ac.codec ? ac.codec : "NULL", (long long)ac.bit_rate, ac.out_sample_rate, ac.out_num_channels);
    for (const char *const *o = ac.options; o && o[0] && o[1]; o += 2) fprintf(stderr, " %s=%s", o[0], o[1]);
    fputc('\n', stderr);
  }
  expect_clean(r->enc, st, "polyenc_add_audio");
  if (!st) remember(r, s, 0, 0, ac.num_channels);
}

static void op_add_encoded(run *r) {
  fuzz_in *in = &r->in;
  polyenc_encoded_video_config ec = {0};
  ec.codec = in_name(in, &r->names->video_specs, 1);
  ec.width = in_int(in, 1, 64);
  ec.height = in_int(in, 1, 64);
  ec.frame_rate = in_u8(in) < 64 ? 0 : in_double(in, 0.5, 120);
  if (in_bool(in)) ec.time_base_num = in_int(in, 1, 1001), ec.time_base_den = in_int(in, 1, 90000);
  size_t n;
  ec.extradata = in_bytes(in, in_range(in, 0, 64), &n);
  ec.extradata_size = n;
  if (!n) ec.extradata = NULL;
  if (in_u8(in) > 250) ec.extradata = NULL, ec.extradata_size = in_range(in, 1, 100); /* size without data */
  polyenc_stream *s = NULL;
  uint8_t mode = in_u8(in);
  polyenc_status st = polyenc_add_encoded_video(r->enc, mode == 1 ? NULL : &ec, mode == 2 ? NULL : &s);
  expect_clean(r->enc, st, "polyenc_add_encoded_video");
  if (!st) remember(r, s, 0, 0, 0);
}

static void op_open_file(run *r) {
  fuzz_in *in = &r->in;
  const char *ext = in_name(in, &r->names->muxers, 1);
  const char *format = in_u8(in) < 128 ? NULL : in_name(in, &r->names->muxers, 1);
  char path[512];
  snprintf(path, sizeof path, "%s/out%s%s", fuzz_tmp_dir(), ext ? "." : "", ext ? ext : "");
  uint8_t mode = in_u8(in);
  const char *p = mode == 1 ? NULL : mode == 2 ? "" : mode == 3 ? fuzz_tmp_dir() : mode == 4 ? "/nonexistent/dir/x.mp4" : path;
  expect_clean(r->enc, polyenc_open_file(r->enc, p, format), "polyenc_open_file");
}

static void op_open_writer(run *r) {
  fuzz_in *in = &r->in;
  int seekable = in_bool(in);
  int64_t fail_at = in_u8(in) < 200 ? -1 : in_range(in, 0, 1 << 16);
  int fail_seek = in_u8(in) < 220 ? -1 : in_range(in, 0, 8);
  const char *format = in_name(in, &r->names->muxers, 1);
  uint8_t mode = in_u8(in);
  /* the encoder keeps a pointer to the writer struct, never to its bytes: a fresh one is safe */
  if (mode != 3) {
    fault_writer_free(&r->writer);
    fault_writer_init(&r->writer, fail_at, fail_seek);
  }
  polyenc_writer w = fault_writer_api(&r->writer, seekable);
  if (mode == 2) w.write = NULL;
  expect_clean(r->enc, polyenc_open_writer(r->enc, mode == 1 ? NULL : &w, format), "polyenc_open_writer");
}

static void op_open_memory(run *r) {
  const char *format = in_name(&r->in, &r->names->muxers, 1);
  expect_clean(r->enc, polyenc_open_memory(r->enc, format), "polyenc_open_memory");
}

/* [lo, hi] of k * s for k in [0, count). */
static void span(int64_t count, int64_t s, int64_t *lo, int64_t *hi) {
  int64_t far = count > 0 ? (count - 1) * s : 0;
  *lo = far < 0 ? far : 0;
  *hi = far > 0 ? far : 0;
}

/* The lowest and highest byte offsets the frames address, as the header defines each layout. */
static int frames_extent(const polyenc_frames *f, const int64_t st[4], int64_t *lo_out, int64_t *hi_out) {
  int64_t w = f->width, h = f->height, lo = 0, hi = 0, a, b;
  if (f->layout == POLYENC_YUV420P) {
    int64_t cw = (w + 1) / 2, ch = (h + 1) / 2, ylo, yhi, clo, chi;
    span(h, st[1], &ylo, &yhi);
    yhi += w - 1;
    span(ch, st[2], &clo, &chi);
    chi += cw - 1;
    int64_t u = h * st[1], v = u + ch * st[2];
    lo = ylo < u + clo ? ylo : u + clo;
    lo = lo < v + clo ? lo : v + clo;
    hi = yhi > u + chi ? yhi : u + chi;
    hi = hi > v + chi ? hi : v + chi;
  } else {
    int64_t counts[3] = {f->layout == POLYENC_RGB_PLANAR ? 3 : h, f->layout == POLYENC_RGB_PLANAR ? h : w,
                         f->layout == POLYENC_RGB_PLANAR ? w : f->layout == POLYENC_RGB24 ? 3 : 4};
    for (int d = 0; d < 3; d++) {
      span(counts[d], st[d + 1], &a, &b);
      lo += a, hi += b;
    }
  }
  span(f->num_frames, st[0], &a, &b);
  *lo_out = lo + a;
  *hi_out = hi + b;
  return *hi_out - *lo_out < MAX_BYTES;
}

/* The strides the header gives contiguous frames of this layout. */
static void contiguous_strides(const polyenc_frames *f, int64_t pad, int64_t st[4]) {
  int64_t w = f->width, h = f->height;
  switch (f->layout) {
  case POLYENC_RGB_PLANAR: st[3] = 1, st[2] = w + pad, st[1] = h * st[2], st[0] = 3 * st[1]; break;
  case POLYENC_RGB24: st[3] = 1, st[2] = 3, st[1] = 3 * w + pad, st[0] = h * st[1]; break;
  case POLYENC_RGBA:
  case POLYENC_BGRA: st[3] = 1, st[2] = 4, st[1] = 4 * w + pad, st[0] = h * st[1]; break;
  default: st[1] = w + pad, st[2] = (w + 1) / 2 + pad, st[3] = 0, st[0] = h * st[1] + 2 * ((h + 1) / 2) * st[2];
  }
}

/* pts for n frames (allocated exactly): mostly increasing from a fuzzed start, sometimes repeating,
 * decreasing or extreme; NULL (the running pts) half the time. */
static int64_t *fuzz_pts(fuzz_in *in, int n) {
  static const int64_t extreme[] = {INT64_MIN, -1, 0, INT32_MAX, INT64_C(1) << 53, INT64_MAX};
  if (n < 1 || n > MAX_FRAMES || in_u8(in) < 128) return NULL;
  int64_t *pts = malloc(sizeof *pts * (size_t)n);
  if (!pts) abort();
  int64_t t = in_u8(in) < 224 ? in_int(in, -10, 100000) : extreme[in_u8(in) % 6];
  for (int k = 0; k < n; k++) {
    pts[k] = t;
    uint8_t mode = in_u8(in);
    int64_t step = mode < 208 ? in_int(in, 1, 5000) : mode < 240 ? in_int(in, -5, 0) : extreme[mode % 6];
    if (__builtin_add_overflow(t, step, &t)) t = step > 0 ? INT64_MAX : INT64_MIN;
  }
  return pts;
}

/* num_frames key frame flags, or NULL. */
static uint8_t *fuzz_key_frames(fuzz_in *in, int n) {
  if (n < 1 || n > MAX_FRAMES || in_u8(in) < 160) return NULL;
  uint8_t *keys = malloc((size_t)n);
  if (!keys) abort();
  for (int k = 0; k < n; k++) keys[k] = in_u8(in) < 64;
  return keys;
}

static void op_add_frames(run *r) {
  fuzz_in *in = &r->in;
  int i;
  polyenc_stream *s = pick_stream(r, &i);
  polyenc_frames f = {0};
  static const int bad_layouts[] = {5, -1, 127, INT_MAX};
  uint8_t lmode = in_u8(in);
  f.layout = (polyenc_layout)(lmode < 250 ? lmode % 5 : bad_layouts[lmode % 4]);
  f.num_frames = in_u8(in) < 240 ? in_range(in, 0, MAX_FRAMES) : in_int(in, -4, 100);
  int own = i >= 0 && r->widths[i] > 0 && in_u8(in) < 230;
  f.width = own ? r->widths[i] : in_int(in, 1, 64);
  f.height = own ? r->heights[i] : in_int(in, 1, 64);
  uint8_t smode = in_u8(in) % 4;
  int64_t st[4] = {0};
  int sane = f.width > 0 && f.height > 0 && f.width <= 16384 && f.height <= 16384 && (unsigned)f.layout <= POLYENC_YUV420P;
  if (sane && smode == 1) contiguous_strides(&f, in_range(in, 0, 64), st);
  if (smode >= 2)
    for (int d = 0; d < 4; d++) st[d] = smode == 2 ? in_int(in, -300, 300) : in_range(in, -8, 8);
  if (sane && smode == 3 && in_bool(in)) { /* bottom-up rows: a negative row stride from the last row */
    contiguous_strides(&f, 0, st);
    st[f.layout == POLYENC_RGB_PLANAR ? 2 : 1] *= -1;
  }
  memcpy(f.strides, st, sizeof st);
  int64_t eff[4];
  memcpy(eff, st, sizeof eff);
  if (sane && !st[0] && !st[1] && !st[2] && !st[3]) contiguous_strides(&f, 0, eff);
  int64_t lo = 0, hi = -1;
  uint8_t *buf = NULL;
  int frames_ok = f.num_frames >= 1 && f.num_frames <= MAX_FRAMES;
  if (sane && frames_ok && frames_extent(&f, eff, &lo, &hi)) {
    size_t size = (size_t)(hi - lo + 1);
    if (!(buf = malloc(size))) abort();
    size_t n;
    const uint8_t *bytes = in_bytes(in, in_range(in, 0, 64), &n);
    for (size_t k = 0; k < size; k++) buf[k] = (uint8_t)(n ? bytes[k % n] + k / n : k * 7);
    f.data = buf - lo;
  } else if (f.num_frames < 0) {
    static const uint8_t tiny[16];
    f.data = tiny;
  }
  if (in_u8(in) == 1) f.data = NULL;
  int64_t *pts = fuzz_pts(in, f.num_frames);
  uint8_t *keys = fuzz_key_frames(in, f.num_frames);
  f.pts = pts, f.key_frames = keys;
  polyenc_status st2 = polyenc_add_frames(s, in_u8(in) == 1 ? NULL : &f);
  expect_clean(s ? r->enc : NULL, st2, "polyenc_add_frames");
  free(buf);
  free(pts);
  free(keys);
}

static void op_add_samples(run *r) {
  fuzz_in *in = &r->in;
  int i;
  polyenc_stream *s = pick_stream(r, &i);
  int layout = in_u8(in) < 250 ? in_range(in, 0, 1) : in_int(in, 2, 3);
  int channels = i >= 0 && r->channels[i] > 0 && in_u8(in) < 230 ? r->channels[i] : in_int(in, 0, 9);
  int64_t count = in_u8(in) < 240 ? in_range(in, 0, MAX_SAMPLES) : in_i64(in, -4, 100);
  float *data = NULL;
  if (count >= 0 && count <= MAX_SAMPLES && channels >= 1 && channels <= 9 && count * channels) {
    size_t total = (size_t)count * (size_t)channels;
    if (!(data = malloc(total * sizeof *data))) abort();
    float freq = (float)in_range(in, 1, 200) / 1000.0f, amp = (float)in_range(in, 0, 300) / 100.0f;
    for (size_t k = 0; k < total; k++) data[k] = amp * sinf(freq * (float)k);
    uint8_t special = in_u8(in);
    if (special >= 200) {
      static const float values[] = {NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 1e-42f, -0.0f, 1.0f};
      data[in_range(in, 0, 0xffff) % total] = values[special % 8];
    }
  }
  if (in_u8(in) == 1) {
    free(data);
    data = NULL;
  }
  polyenc_status st = polyenc_add_samples(s, data, (polyenc_sample_layout)layout, channels, count);
  expect_clean(s ? r->enc : NULL, st, "polyenc_add_samples");
  free(data);
}

static void op_add_packet(run *r) {
  fuzz_in *in = &r->in;
  int i;
  polyenc_stream *s = pick_stream(r, &i);
  size_t size;
  const uint8_t *bytes = in_bytes(in, in_range(in, 0, 512), &size);
  uint8_t *data = size ? malloc(size) : NULL;
  if (size && !data) abort();
  if (size) memcpy(data, bytes, size);
  if (in_u8(in) == 1) size = in_range(in, 1, 100); /* a size with NULL data */
  int64_t dts = in_i64(in, -10, 1000), pts = in_u8(in) < 200 ? sat_add(dts, in_range(in, 0, 4)) : in_i64(in, -10, 1000);
  int64_t duration = in_i64(in, -1, 100);
  int key = in_u8(in) < 16 ? in_int(in, -1, 2) : in_bool(in);
  polyenc_status st = polyenc_add_packet(s, data, data ? size : size * in_bool(in), pts, dts, duration, key);
  expect_clean(s ? r->enc : NULL, st, "polyenc_add_packet");
  free(data);
}

static void op_output(run *r) {
  const uint8_t *data = NULL;
  size_t size = 0;
  uint8_t mode = in_u8(&r->in);
  polyenc_status st = polyenc_output(r->enc, mode == 1 ? NULL : &data, mode == 2 ? NULL : &size);
  expect_clean(r->enc, st, "polyenc_output");
  if (st) return;
  if (size && !data) abort();
  touch_bytes(data, size);
}

static void op_null_calls(run *r) {
  fuzz_in *in = &r->in;
  polyenc_video_config vc;
  polyenc_video_config_init(&vc);
  polyenc_audio_config ac;
  polyenc_audio_config_init(&ac);
  polyenc_stream *s = NULL;
  const uint8_t *data;
  size_t size;
  switch (in_range(in, 0, 11)) {
  case 0: expect_clean(NULL, polyenc_add_video(NULL, &vc, &s), "polyenc_add_video(NULL)"); break;
  case 1: expect_clean(NULL, polyenc_add_audio(NULL, &ac, &s), "polyenc_add_audio(NULL)"); break;
  case 2: expect_clean(NULL, polyenc_close(NULL), "polyenc_close(NULL)"); break;
  case 3: expect_clean(NULL, polyenc_output(NULL, &data, &size), "polyenc_output(NULL)"); break;
  case 4: expect_clean(NULL, polyenc_open_memory(NULL, "mp4"), "polyenc_open_memory(NULL)"); break;
  case 5: polyenc_encoder_free(NULL), polyenc_video_config_init(NULL), polyenc_audio_config_init(NULL); break;
  case 6:
    if (polyenc_last_error(NULL)[0] || polyenc_stream_index(NULL) != -1) abort();
    break;
  case 7: polyenc_has_encoder(in_name(in, &r->names->video_codecs, 1)); break;
  case 8:
    if (!polyenc_status_name((polyenc_status)in_int(in, -8, 1))) abort();
    break;
  case 9: expect_clean(NULL, polyenc_add_frames(NULL, NULL), "polyenc_add_frames(NULL)"); break;
  case 10: expect_clean(NULL, polyenc_add_packet(NULL, NULL, 0, 0, 0, 0, 1), "polyenc_add_packet(NULL)"); break;
  default: expect_clean(NULL, polyenc_add_samples(NULL, NULL, 0, 1, 0), "polyenc_add_samples(NULL)"); break;
  }
}

static void op_metadata(run *r) {
  fuzz_in *in = &r->in;
  int i;
  polyenc_stream *s = pick_stream(r, &i);
  const char *key = PICK(in, "title", "language", "handler_name", "creation_time", "comment", "my_key", "", NULL);
  const char *value = PICK(in, "x", "eng", "deu", "en", "ENG", "2024-05-01T12:00:00Z", "now", "bad date", "", NULL);
  expect_clean(r->enc, polyenc_set_metadata(r->enc, s, key, value), "polyenc_set_metadata");
}

static void op_stats(run *r) {
  int i;
  polyenc_stream *s = pick_stream(r, &i);
  polyenc_stats st;
  int null_out = in_u8(&r->in) == 1;
  polyenc_status status = polyenc_get_stats(r->enc, s, null_out ? NULL : &st);
  expect_clean(r->enc, status, "polyenc_get_stats");
  if (!status && (st.frames < 0 || st.samples < 0 || st.packets < 0 || st.bytes < 0 || !(st.seconds >= 0))) abort();
}

static void renew(run *r) {
  polyenc_encoder_free(r->enc);
  r->enc = polyenc_encoder_new();
  if (!r->enc) abort();
  r->num_streams = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static run r0;
  run *r = &r0;
  memset(r, 0, sizeof *r);
  r->in = (fuzz_in){data, size};
  r->names = fuzz_names_init();
  fuzz_literals_reset();
  fault_writer_init(&r->writer, -1, -1);
  renew(r);
  for (int call = 0; call < MAX_CALLS && r->in.n; call++) {
    switch ((op)(in_u8(&r->in) % NUM_OPS)) {
    case OP_ADD_VIDEO: op_add_video(r); break;
    case OP_ADD_AUDIO: op_add_audio(r); break;
    case OP_ADD_ENCODED: op_add_encoded(r); break;
    case OP_OPEN_FILE: op_open_file(r); break;
    case OP_OPEN_WRITER: op_open_writer(r); break;
    case OP_OPEN_MEMORY: op_open_memory(r); break;
    case OP_ADD_FRAMES: op_add_frames(r); break;
    case OP_ADD_SAMPLES: op_add_samples(r); break;
    case OP_ADD_PACKET: op_add_packet(r); break;
    case OP_CLOSE: expect_clean(r->enc, polyenc_close(r->enc), "polyenc_close"); break;
    case OP_OUTPUT: op_output(r); break;
    case OP_NULL_CALLS: op_null_calls(r); break;
    case OP_RENEW: renew(r); break;
    case OP_METADATA: op_metadata(r); break;
    case OP_STATS: op_stats(r); break;
    case OP_ABORT: expect_clean(r->enc, polyenc_abort(r->enc), "polyenc_abort"); break;
    case NUM_OPS: break;
    }
  }
  polyenc_encoder_free(r->enc);
  r->enc = NULL;
  fault_writer_free(&r->writer);
  fuzz_tmp_clean();
  return 0;
}
