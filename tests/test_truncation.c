/* A fragmented MP4 (a writer without seek: moov up front, then one moof + mdat per keyframe; video
 * and audio) cut short, as a crash or a lost connection leaves it: cut at every fragment
 * boundary, one byte either side, and a stride of offsets in between, it still opens and decodes
 * with libavformat / libavcodec up to its last complete fragment, and decoding never crashes.
 *
 * Read front to back (fflags +ignidx, as a stream reader does) every cut decodes. Read as a
 * seekable file, FFmpeg 5.1's mov demuxer parses every top-level box while opening and fails
 * ("error reading header: End of file") when the cut falls inside a moof box: such cuts are only
 * required not to crash; every other cut must decode the same way. */
#include "helpers.h"

#define CASES(X)                        \
  X(cut_at_boundaries, QUICK)           \
  X(cut_sweep, SLOW)
CHECK_MAIN(CASES)

enum { W = 64, H = 48, NF = 60, GOP = 5, RATE = 48000, CH = 2, MAX_FRAGMENTS = 256 };

/* NF frames at 25 fps with a keyframe every GOP frames, and a tone as long, into a writer without
 * seek: fragmented MP4. */
static mem_writer encode_fragmented(void) {
  mem_writer out = {0};
  polyenc_encoder *enc = polyenc_encoder_new();
  CHECK(enc);
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.gop_size = GOP;
  vc.threads = 1;
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_audio_config ac = audio_cfg(RATE, CH);
  polyenc_stream *a = add_audio_ok(enc, &ac);
  polyenc_writer w = mem_writer_api(&out, 0);
  CHECK_OK(enc, polyenc_open_writer(enc, &w, "mp4"));
  uint8_t *rgb = pattern_frames(W, H, NF);
  int64_t ns = (int64_t)RATE * NF / 25;
  float *tone = sine_planar(CH, ns, RATE, 440);
  add_rgb24_ok(enc, v, rgb, NF, W, H);
  add_samples_ok(enc, a, tone, CH, ns);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  free(rgb);
  free(tone);
  return out;
}

/* ---- the boxes: ISO/IEC 14496-12 ---- */
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* The box at data[pos] (inside [pos, end)): its type and total size, 0 when malformed. */
static size_t box_at(const uint8_t *data, size_t pos, size_t end, char type[5]) {
  if (end - pos < 8) return 0;
  uint64_t size = be32(data + pos);
  memcpy(type, data + pos + 4, 4);
  type[4] = 0;
  if (size == 1) {
    if (end - pos < 16) return 0;
    size = (uint64_t)be32(data + pos + 8) << 32 | be32(data + pos + 12);
  } else if (size == 0) {
    size = end - pos;
  }
  return size >= 8 && size <= end - pos ? (size_t)size : 0;
}

/* Samples of track 1 (the video stream) in a moof: the sum of its truns' sample_count. */
static int video_samples_in_moof(const uint8_t *data, size_t pos, size_t size) {
  int samples = 0;
  char type[5];
  for (size_t p = pos + 8, sz; p < pos + size; p += sz) {
    CHECK((sz = box_at(data, p, pos + size, type)) != 0);
    if (strcmp(type, "traf")) continue;
    int is_video = 0;
    char t2[5];
    for (size_t q = p + 8, sz2; q < p + sz; q += sz2) {
      CHECK((sz2 = box_at(data, q, p + sz, t2)) != 0);
      if (!strcmp(t2, "tfhd") && sz2 >= 16) is_video = be32(data + q + 12) == 1;
      if (!strcmp(t2, "trun") && sz2 >= 16 && is_video) samples += (int)be32(data + q + 12);
    }
  }
  return samples;
}

typedef struct fragments {
  int count;
  size_t end[MAX_FRAGMENTS]; /* byte after each fragment's mdat */
  size_t moof_start[MAX_FRAGMENTS], moof_end[MAX_FRAGMENTS];
  int frames[MAX_FRAGMENTS]; /* video frames in it */
} fragments;

static fragments parse_fragments(const mem_writer *b) {
  fragments f;
  memset(&f, 0, sizeof f);
  char type[5];
  int pending = -1; /* video samples of the moof waiting for its mdat */
  size_t moof_start = 0, moof_end = 0;
  int moov = 0;
  for (size_t p = 0, sz; p < b->size; p += sz) {
    CHECK_MSG((sz = box_at(b->data, p, b->size, type)) != 0, "malformed box at %zu", p);
    if (!strcmp(type, "moov")) moov = 1;
    if (!strcmp(type, "moof")) pending = video_samples_in_moof(b->data, p, sz), moof_start = p, moof_end = p + sz;
    if (!strcmp(type, "mdat") && pending >= 0) {
      CHECK(f.count < MAX_FRAGMENTS);
      f.end[f.count] = p + sz;
      f.moof_start[f.count] = moof_start;
      f.moof_end[f.count] = moof_end;
      f.frames[f.count++] = pending;
      pending = -1;
    }
  }
  CHECK(moov);
  int total = 0;
  for (int i = 0; i < f.count; i++) total += f.frames[i];
  CHECK_EQ_INT(total, NF);
  CHECK_GE(f.count, NF / GOP);
  return f;
}

/* ---- cutting ---- */
static int frames_complete_before(const fragments *f, size_t cut) {
  int n = 0;
  for (int i = 0; i < f->count && f->end[i] <= cut; i++) n += f->frames[i];
  return n;
}

static int inside_moof(const fragments *f, size_t cut) {
  for (int i = 0; i < f->count; i++)
    if (cut > f->moof_start[i] && cut < f->moof_end[i]) return 1;
  return 0;
}

/* Decodes the first `cut` bytes, front to back (streaming) or as a seekable file. */
static void check_cut_read(const mem_writer *b, const fragments *f, const uint8_t *copy, size_t cut, int streaming) {
  const char *how = streaming ? "read front to back" : "read as a seekable file";
  media_ignore_index = streaming;
  video_frames vf;
  int ret = media_decode_rgb(src_mem(copy, cut), 0, "bt601", 0, &vf);
  if (ret < 0 && !streaming && inside_moof(f, cut)) { /* FFmpeg's own limit, see the top */
    media_ignore_index = 0;
    return;
  }
  CHECK_MSG(ret == 0, "cut at %zu of %zu, %s: no video", cut, b->size, how);
  int expected = frames_complete_before(f, cut);
  CHECK_MSG(vf.num_frames >= expected && vf.num_frames <= NF, "cut at %zu of %zu, %s: %d frames decoded, %d complete before it",
            cut, b->size, how, vf.num_frames, expected);
  video_frames_free(&vf);
  audio_samples as;
  CHECK_MSG(media_decode_audio(src_mem(copy, cut), 1, &as) == 0, "cut at %zu of %zu, %s: no audio", cut, b->size, how);
  CHECK_MSG(as.num_samples > 0, "cut at %zu of %zu, %s: no audio samples", cut, b->size, how);
  audio_samples_free(&as);
  media_ignore_index = 0;
}

static void check_cut(const mem_writer *b, const fragments *f, size_t cut) {
  uint8_t *copy = malloc(cut); /* only the bytes before the cut are readable (ASan / valgrind) */
  CHECK(copy);
  memcpy(copy, b->data, cut);
  write_file(tmp_path("cut.mp4"), copy, cut); /* kept for inspection when the case fails */
  media_allow_truncated = 1;
  check_cut_read(b, f, copy, cut, 1);
  check_cut_read(b, f, copy, cut, 0);
  media_allow_truncated = 0;
  free(copy);
}

/* Every boundary after the first fragment, one byte either side; and `between` evenly spaced cuts
 * from the end of the first fragment to the end. Returns the number of cuts. */
static int sweep(int between) {
  mem_writer b = encode_fragmented();
  fragments f = parse_fragments(&b);
  int cuts = 0;
  for (int i = 0; i < f.count; i++)
    for (int d = -1; d <= 1; d++) {
      size_t cut = f.end[i] + (size_t)d;
      if (cut < f.end[0] || cut >= b.size) continue;
      check_cut(&b, &f, cut);
      cuts++;
    }
  for (int i = 0; i < between; i++) {
    size_t cut = f.end[0] + (b.size - f.end[0]) * (size_t)i / (size_t)between;
    check_cut(&b, &f, cut);
    cuts++;
  }
  printf("%zu bytes, %d fragments, %d cut points checked\n", b.size, f.count, cuts);
  mem_writer_free(&b);
  return cuts;
}

static void case_cut_at_boundaries(void) { CHECK_GE(sweep(0), 20); }
static void case_cut_sweep(void) { CHECK_GE(sweep(300), 300); }
