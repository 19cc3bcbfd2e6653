/* Shared pieces of the libFuzzer targets: a reader that turns the input into values, the lists of
 * names this FFmpeg build knows (encoders, muxers, pixel formats, option keys and values), a
 * per-process scratch directory, a writer that fails on demand, and the invariants every target
 * checks after each call (a failure has a status in range and a non-empty message). */
#ifndef POLYENC_FUZZ_UTIL_H
#define POLYENC_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "polyenc/polyenc.h"

/* ---- the input as a stream of values; past its end every value is 0 ---- */
typedef struct fuzz_in {
  const uint8_t *p;
  size_t n;
} fuzz_in;

uint8_t in_u8(fuzz_in *in);
uint32_t in_u32(fuzz_in *in);
uint64_t in_u64(fuzz_in *in);
int in_bool(fuzz_in *in);
/* A value in [lo, hi] (inclusive). */
int in_range(fuzz_in *in, int lo, int hi);
/* Mostly in [lo, hi]; sometimes an edge value: 0, -1, INT_MIN, INT_MAX, 1 << 20, 65537, ... */
int in_int(fuzz_in *in, int lo, int hi);
int64_t in_i64(fuzz_in *in, int64_t lo, int64_t hi);
/* NAN, infinities, 0, negative, tiny, huge, or a value in [lo, hi]. */
double in_double(fuzz_in *in, double lo, double hi);
/* a + b, saturated to the int64 range. */
int64_t sat_add(int64_t a, int64_t b);
/* Up to max bytes of the input (fewer at its end); *size set. */
const uint8_t *in_bytes(fuzz_in *in, size_t max, size_t *size);

/* ---- names of this build, built once by fuzz_names_init ---- */
typedef struct name_list {
  const char **names;
  int count;
} name_list;

typedef struct fuzz_names {
  name_list video_codecs;  /* video encoder names + spec names + a few invalid / wrong-type names */
  name_list audio_codecs;
  name_list video_specs;   /* codec descriptor names of video codecs (for mux-only streams) */
  name_list muxers;        /* every muxer name + extensions + invalid names */
  name_list pixel_formats; /* every pixel format name + invalid */
  name_list option_keys;   /* AVOption names of the codecs and muxers (not "threads") + invalid */
  name_list option_values; /* constants of those options, numbers, presets, invalid */
} fuzz_names;

/* Idempotent; also makes the scratch directory. (Muxers that open files of their own, like segment or
 * hls, write them into the current directory: scripts/fuzz.sh runs the targets in a scratch one.) */
const fuzz_names *fuzz_names_init(void);
enum { LITERAL_MAX = 48 };
/* NULL sometimes (when allow_null), a literal (the input's bytes up to a NUL, so that seeds and
 * dictionary entries name things directly), or a name of the list. */
const char *in_name(fuzz_in *in, const name_list *list, int allow_null);
/* Called at the start of each input. */
void fuzz_literals_reset(void);
/* A {key, value, ..., NULL} list of up to max_pairs pairs into storage (2 * max_pairs + 1 slots); NULL sometimes. */
const char *const *in_options(fuzz_in *in, const fuzz_names *names, const char **storage, int max_pairs);

/* ---- scratch directory ---- */
const char *fuzz_tmp_dir(void);
/* Removes every file the last run left in the scratch directory. */
void fuzz_tmp_clean(void);

/* ---- a writer into memory, failing on demand ---- */
typedef struct fault_writer {
  uint8_t *data;
  size_t size, capacity, pos;
  int64_t fail_write_at; /* byte offset at which a write fails (-1: never); the bytes before it are copied */
  int fail_seek_at;      /* the n-th seek call fails (-1: never) */
  int seeks, writes;
  int failed; /* a write or seek failed */
} fault_writer;

void fault_writer_init(fault_writer *w, int64_t fail_write_at, int fail_seek_at);
void fault_writer_free(fault_writer *w);
/* The polyenc_writer over w; seek NULL when !seekable. */
polyenc_writer fault_writer_api(fault_writer *w, int seekable);

/* ---- invariants: each aborts (a finding) when violated ---- */
/* st is a known status; when not OK, enc (non-NULL) has a non-empty message. POLYENC_FUZZ_TRACE=1 in
 * the environment prints every call with its status and message (to check what a seed reaches). */
void expect_clean(polyenc_encoder *enc, polyenc_status st, const char *call);
/* Reads every byte (ASan checks the range is valid). */
void touch_bytes(const uint8_t *data, size_t size);

#endif
