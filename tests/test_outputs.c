/* Containers (each opens with libavformat and has the expected codecs and counts) and the
 * three kinds of output: file, writer callbacks (seekable or not) and memory. */
#include "helpers.h"

#define CASES(X)                               \
  X(container_mp4, QUICK)                      \
  X(container_mov, QUICK)                      \
  X(container_mkv, QUICK)                      \
  X(container_webm, QUICK)                     \
  X(container_avi, QUICK)                      \
  X(container_wav, QUICK)                      \
  X(container_flac, QUICK)                     \
  X(container_mp3, QUICK)                      \
  X(container_m4a, QUICK)                      \
  X(container_ogg, QUICK)                      \
  X(format_explicit_overrides_extension, QUICK)\
  X(format_extension_as_format_name, QUICK)    \
  X(writer_seekable_identical_to_file, QUICK)  \
  X(writer_unseekable_fragmented_mp4, SLOW)    \
  X(writer_unseekable_mkv, QUICK)              \
  X(memory_identical_to_file, QUICK)           \
  X(memory_mov_identical_to_file, QUICK)       \
  X(faststart_needs_a_file, QUICK)
CHECK_MAIN(CASES)

enum { W = 64, H = 48, NF = 10 };

/* ---- one encode description, sent to any output ---- */
typedef struct job {
  int video, audio; /* which streams */
  int w, h, n;
  double fps;
  int rate, channels;
  int64_t ns;
  const char *preset;
  int gop;
  int repeatable; /* compared byte for byte with another encode: see repeatable_x264 */
} job;

static job default_job(int video, int audio) {
  job j = {video, audio, W, H, NF, 25, 48000, 2, 24000, NULL, 0, 0};
  return j;
}

typedef enum out_kind { OUT_FILE, OUT_WRITER, OUT_MEMORY } out_kind;

typedef struct mem_sink {
  mem_writer buf;
  size_t snapshot_at_close; /* size when polyenc_close was called */
} mem_sink;

/* Runs a job into a file (path), a writer (sink, seekable or not) or memory (bytes copied into sink). */
static void run_job(const job *j, out_kind kind, const char *path, const char *format, mem_sink *sink, int seekable,
                    size_t *bytes_before_close) {
  polyenc_encoder *enc = polyenc_encoder_new();
  CHECK(enc);
  polyenc_stream *v = NULL, *a = NULL;
  if (j->video) {
    polyenc_video_config vc = video_cfg(j->w, j->h, j->fps);
    vc.preset = j->preset;
    if (j->repeatable) vc.options = repeatable_x264;
    vc.gop_size = j->gop;
    v = add_video_ok(enc, &vc);
  }
  if (j->audio) {
    polyenc_audio_config ac = audio_cfg(j->rate, j->channels);
    a = add_audio_ok(enc, &ac);
  }
  if (kind == OUT_FILE) CHECK_OK(enc, polyenc_open_file(enc, path, format));
  if (kind == OUT_WRITER) {
    polyenc_writer w = mem_writer_api(&sink->buf, seekable);
    CHECK_OK(enc, polyenc_open_writer(enc, &w, format));
  }
  if (kind == OUT_MEMORY) CHECK_OK(enc, polyenc_open_memory(enc, format));
  if (v) {
    uint8_t *rgb = j->preset ? malloc((size_t)j->w * j->h * 3 * j->n) : pattern_frames(j->w, j->h, j->n);
    if (j->preset) random_bytes(rgb, (size_t)j->w * j->h * 3 * j->n, 99); /* big packets */
    /* half at once, then one by one */
    add_rgb24_ok(enc, v, rgb, j->n / 2, j->w, j->h);
    for (int i = j->n / 2; i < j->n; i++) add_rgb24_ok(enc, v, rgb + (size_t)j->w * j->h * 3 * i, 1, j->w, j->h);
    free(rgb);
  }
  if (a) {
    float *tone = sine_planar(j->channels, j->ns, j->rate, 440);
    add_samples_ok(enc, a, tone, j->channels, j->ns);
    free(tone);
  }
  if (bytes_before_close) *bytes_before_close = sink ? sink->buf.size : 0;
  CHECK_OK(enc, polyenc_close(enc));
  if (kind == OUT_MEMORY) {
    const uint8_t *data = NULL;
    size_t size = 0;
    CHECK_OK(enc, polyenc_output(enc, &data, &size));
    CHECK(data != NULL && size > 0);
    CHECK(mem_writer_write(&sink->buf, data, size) == 0);
  }
  polyenc_encoder_free(enc);
}

/* ---- containers ---- */
static void container_case(const char *ext, job j, const char *vcodec, const char *acodec) {
  char name[32];
  snprintf(name, sizeof name, "out.%s", ext);
  const char *path = tmp_path(name);
  run_job(&j, OUT_FILE, path, NULL, NULL, 0, NULL);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  CHECK_EQ_INT(info.num_streams, j.video + j.audio);
  int idx = 0;
  if (j.video) {
    expect_stream(&info, idx, AVMEDIA_TYPE_VIDEO, vcodec);
    CHECK_EQ_INT(info.streams[idx].width, j.w);
    CHECK_EQ_INT(info.streams[idx].height, j.h);
    video_frames v;
    CHECK_EQ_INT(media_decode_yuv(src_file(path), idx, &v), 0);
    CHECK_EQ_INT(v.num_frames, j.n);
    video_frames_free(&v);
    idx++;
  }
  if (j.audio) {
    expect_stream(&info, idx, AVMEDIA_TYPE_AUDIO, acodec);
    CHECK_EQ_INT(info.streams[idx].sample_rate, j.rate);
    CHECK_EQ_INT(info.streams[idx].channels, j.channels);
    audio_samples a;
    CHECK_EQ_INT(media_decode_audio(src_file(path), idx, &a), 0);
    /* exact for pcm / flac / opus / mp3 (see test_audio.c), + the AAC priming and padding */
    int64_t slack = !strcmp(acodec, "aac") ? 2048 : !strcmp(acodec, "mp3") ? 1152 : !strcmp(acodec, "opus") ? 960 : 0;
    CHECK_MSG(a.num_samples >= j.ns && a.num_samples <= j.ns + slack, "%lld decoded samples for %lld",
              (long long)a.num_samples, (long long)j.ns);
    audio_samples_free(&a);
  }
}

static void case_container_mp4(void) { container_case("mp4", default_job(1, 1), "h264", "aac"); }
static void case_container_mov(void) { container_case("mov", default_job(1, 1), "h264", "aac"); }
static void case_container_mkv(void) { container_case("mkv", default_job(1, 1), "h264", "aac"); }
static void case_container_webm(void) { container_case("webm", default_job(1, 1), "vp9", "opus"); }
static void case_container_avi(void) { container_case("avi", default_job(1, 0), "mpeg4", NULL); }
static void case_container_wav(void) { container_case("wav", default_job(0, 1), NULL, "pcm_s16le"); }
static void case_container_flac(void) { container_case("flac", default_job(0, 1), NULL, "flac"); }
static void case_container_mp3(void) {
  if (!polyenc_has_encoder("mp3")) SKIP("no mp3 encoder in this FFmpeg (a bundled build has none)");
  job j = default_job(0, 1);
  j.rate = 44100, j.ns = 22050;
  container_case("mp3", j, NULL, "mp3");
}
static void case_container_m4a(void) { container_case("m4a", default_job(0, 1), NULL, "aac"); }
static void case_container_ogg(void) { container_case("ogg", default_job(0, 1), NULL, "opus"); }

/* ---- formats ---- */
static void case_format_explicit_overrides_extension(void) {
  job j = default_job(1, 0);
  const char *p1 = tmp_path("video.bin");
  run_job(&j, OUT_FILE, p1, "mp4", NULL, 0, NULL);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(p1), &info), 0);
  CHECK_CONTAINS(info.format_name, "mp4");
  expect_stream(&info, 0, AVMEDIA_TYPE_VIDEO, "h264");

  const char *p2 = tmp_path("video.mp4"); /* the format wins over the extension */
  run_job(&j, OUT_FILE, p2, "matroska", NULL, 0, NULL);
  CHECK_EQ_INT(media_probe(src_file(p2), &info), 0);
  CHECK_CONTAINS(info.format_name, "matroska");

  const char *p3 = tmp_path("video.out");
  run_job(&j, OUT_FILE, p3, "webm", NULL, 0, NULL);
  CHECK_EQ_INT(media_probe(src_file(p3), &info), 0);
  CHECK_CONTAINS(info.format_name, "webm");
  expect_stream(&info, 0, AVMEDIA_TYPE_VIDEO, "vp9");
}

static void case_format_extension_as_format_name(void) {
  /* "mkv" and "m4a" are extensions, not muxer names: accepted as formats (the header) */
  job j = default_job(1, 1);
  mem_sink m = {0};
  run_job(&j, OUT_MEMORY, NULL, "mkv", &m, 0, NULL);
  media_info info;
  CHECK_EQ_INT(media_probe(src_mem(m.buf.data, m.buf.size), &info), 0);
  CHECK_CONTAINS(info.format_name, "matroska");
  expect_stream(&info, 0, AVMEDIA_TYPE_VIDEO, "h264");
  expect_stream(&info, 1, AVMEDIA_TYPE_AUDIO, "aac");
  mem_writer_free(&m.buf);

  job ja = default_job(0, 1);
  mem_sink m2 = {0};
  run_job(&ja, OUT_MEMORY, NULL, "m4a", &m2, 0, NULL);
  CHECK_EQ_INT(media_probe(src_mem(m2.buf.data, m2.buf.size), &info), 0);
  CHECK_CONTAINS(info.format_name, "m4a");
  expect_stream(&info, 0, AVMEDIA_TYPE_AUDIO, "aac");
  mem_writer_free(&m2.buf);
}

/* ---- outputs ---- */
static void expect_same_bytes(const uint8_t *a, size_t na, const uint8_t *b, size_t nb) {
  CHECK_EQ_INT(na, nb);
  for (size_t i = 0; i < na; i++)
    if (a[i] != b[i]) CHECK_MSG(0, "first difference at byte %zu of %zu (0x%02x vs 0x%02x)", i, na, a[i], b[i]);
}

static void case_writer_seekable_identical_to_file(void) {
  job j = default_job(1, 1);
  j.repeatable = 1;
  const char *path = tmp_path("file.mp4");
  run_job(&j, OUT_FILE, path, NULL, NULL, 0, NULL);
  mem_sink m = {0};
  run_job(&j, OUT_WRITER, NULL, "mp4", &m, 1, NULL);
  size_t fsize;
  uint8_t *file = read_file(path, &fsize);
  CHECK(file);
  expect_same_bytes(file, fsize, m.buf.data, m.buf.size);
  /* and it is a normal (not fragmented) mp4 that decodes */
  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_mem(m.buf.data, m.buf.size), 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, j.n);
  video_frames_free(&v);
  free(file);
  mem_writer_free(&m.buf);
}

static int has_box(const uint8_t *d, size_t n, const char *type) {
  for (size_t i = 4; i + 4 <= n; i++)
    if (!memcmp(d + i, type, 4)) return 1;
  return 0;
}

/* Top-level boxes walk: a fragmented MP4 is ftyp, moov, then (moof, mdat)*. */
static int count_top_level(const uint8_t *d, size_t n, const char *type) {
  size_t pos = 0;
  int count = 0;
  while (pos + 8 <= n) {
    uint64_t size = ((uint64_t)d[pos] << 24) | ((uint64_t)d[pos + 1] << 16) | ((uint64_t)d[pos + 2] << 8) | d[pos + 3];
    if (size == 1 && pos + 16 <= n) {
      size = 0;
      for (int k = 0; k < 8; k++) size = (size << 8) | d[pos + 8 + k];
    }
    if (!memcmp(d + pos + 4, type, 4)) count++;
    if (size < 8) break;
    pos += size;
  }
  return count;
}

static void case_writer_unseekable_fragmented_mp4(void) {
  /* 320x240 noise, ultrafast (no lookahead), a keyframe every 10 frames: several fragments,
   * more bytes than any I/O buffer, so some reach the writer before close */
  job j = default_job(1, 0);
  j.w = 320, j.h = 240, j.n = 60, j.preset = "ultrafast", j.gop = 10;
  mem_sink m = {0};
  size_t before_close = 0;
  run_job(&j, OUT_WRITER, NULL, "mp4", &m, 0, &before_close);
  CHECK(m.buf.size > 0);
  CHECK_MSG(has_box(m.buf.data, m.buf.size, "moof"), "no 'moof' box in %zu bytes: not fragmented", m.buf.size);
  CHECK_GE(count_top_level(m.buf.data, m.buf.size, "moof"), 2);
  CHECK_EQ_INT(count_top_level(m.buf.data, m.buf.size, "moov"), 1);
  media_info info;
  CHECK_EQ_INT(media_probe(src_mem(m.buf.data, m.buf.size), &info), 0);
  expect_stream(&info, 0, AVMEDIA_TYPE_VIDEO, "h264");
  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_mem(m.buf.data, m.buf.size), 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, j.n);
  video_frames_free(&v);
  /* what the writer had before close decodes on its own (streaming); it may end inside a
   * fragment, so a read error at its end counts as the end */
  media_allow_truncated = 1;
  CHECK_MSG(before_close > 0, "nothing was written before close");
  CHECK_EQ_INT(media_decode_yuv(src_mem(m.buf.data, before_close), 0, &v), 0);
  CHECK_MSG(v.num_frames >= 10, "only %d frames decodable from the %zu bytes written before close", v.num_frames,
            before_close);
  video_frames_free(&v);
  /* and so does a truncated copy */
  CHECK_EQ_INT(media_decode_yuv(src_mem(m.buf.data, m.buf.size / 2), 0, &v), 0);
  CHECK_GE(v.num_frames, 10);
  video_frames_free(&v);
  /* ffprobe reads it too */
  const char *path = tmp_path("fragmented.mp4");
  CHECK_EQ_INT(write_file(path, m.buf.data, m.buf.size), 0);
  char *p = ffprobe("-count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of default=noprint_wrappers=1", path);
  CHECK(p);
  char buf[32];
  CHECK_STREQ(kv_get(p, "nb_read_frames", 0, buf, sizeof buf), "60");
  free(p);
  mem_writer_free(&m.buf);
}

static void case_writer_unseekable_mkv(void) {
  job j = default_job(1, 1);
  mem_sink m = {0};
  run_job(&j, OUT_WRITER, NULL, "matroska", &m, 0, NULL);
  media_info info;
  CHECK_EQ_INT(media_probe(src_mem(m.buf.data, m.buf.size), &info), 0);
  expect_stream(&info, 0, AVMEDIA_TYPE_VIDEO, "h264");
  expect_stream(&info, 1, AVMEDIA_TYPE_AUDIO, "aac");
  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_mem(m.buf.data, m.buf.size), 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, j.n);
  video_frames_free(&v);
  mem_writer_free(&m.buf);
}

static void memory_vs_file(const char *ext, const char *format) {
  job j = default_job(1, 1);
  j.repeatable = 1;
  char name[32];
  snprintf(name, sizeof name, "file.%s", ext);
  const char *path = tmp_path(name);
  run_job(&j, OUT_FILE, path, NULL, NULL, 0, NULL);
  mem_sink m = {0};
  run_job(&j, OUT_MEMORY, NULL, format, &m, 0, NULL);
  size_t fsize;
  uint8_t *file = read_file(path, &fsize);
  CHECK(file);
  expect_same_bytes(file, fsize, m.buf.data, m.buf.size);
  free(file);
  mem_writer_free(&m.buf);
}

static void case_memory_identical_to_file(void) { memory_vs_file("mp4", "mp4"); }
/* (not Matroska: its muxer writes a random SegmentUID, so two encodes differ by design) */
static void case_memory_mov_identical_to_file(void) { memory_vs_file("mov", "mov"); }

/* movflags faststart re-reads the finished file through its name: a memory or writer output is refused at
 * open, naming why, instead of failing at close; the encoder can then open a file and use it. */
static void case_faststart_needs_a_file(void) {
  const char *opts[] = {"movflags", "+faststart", NULL};
  polyenc_video_config c = video_cfg(64, 48, 25);
  c.options = opts;
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *v = NULL;
  CHECK_OK(enc, polyenc_add_video(enc, &c, &v));
  CHECK_STATUS(enc, polyenc_open_memory(enc, "mp4"), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "faststart");
  mem_sink m = {0};
  polyenc_writer w = {&m.buf, mem_writer_write, mem_writer_seek};
  CHECK_STATUS(enc, polyenc_open_writer(enc, &w, "mp4"), POLYENC_ERR_UNSUPPORTED);
  const char *path = tmp_path("faststart.mp4");
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  uint8_t *rgb = pattern_frames(64, 48, 5);
  polyenc_frames f = {.data = rgb, .layout = POLYENC_RGB24, .num_frames = 5, .height = 48, .width = 64};
  CHECK_OK(enc, polyenc_add_frames(v, &f));
  CHECK_OK(enc, polyenc_close(enc));
  free(rgb);
  polyenc_encoder_free(enc);
  mem_writer_free(&m.buf);
  video_frames out;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &out), 0);
  CHECK_EQ_INT(out.num_frames, 5);
  video_frames_free(&out);
}
