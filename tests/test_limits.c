/* The limits of the header's "limits" section, the bounds on every encoder loop, and the choice of
 * experimental encoders, each through the public API. The first three cases are the regression tests
 * of a crash, a hang and a huge allocation seen from outside. */
#define _POSIX_C_SOURCE 200809L
#include <sys/resource.h>
#include <time.h>

#include <libavformat/avformat.h>

#include "helpers.h"

#define CASES(X)                                   \
  X(open_failure_mpeg_crash, QUICK)                \
  X(vorbis_close_no_samples_hang, QUICK)           \
  X(resample_ratio_allocation, QUICK)              \
  X(encoder_loop_bounded, QUICK)                   \
  X(upsampling_memory_bounded, SLOW)               \
  X(pixels_above_limit, QUICK)                     \
  X(frame_rate_out_of_range, QUICK)                \
  X(encoded_frame_rate_out_of_range, QUICK)        \
  X(sample_rate_above_limit, QUICK)                \
  X(resample_ratio_limits, QUICK)                  \
  X(stride_overflow, QUICK)                        \
  X(frame_count_overflow, QUICK)                   \
  X(experimental_only_by_exact_name, QUICK)        \
  X(experimental_by_implementation_name, QUICK)

CHECK_MAIN(CASES)

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* The first stream's codec header (extradata) as the demuxer reads it: it tells the encoder apart
 * (libvorbis names itself in the Vorbis comment header; libopus pre-skips 312 samples at 48 kHz, FFmpeg's
 * own opus encoder 120). */
static uint8_t *stream_extradata(const char *path, int *size) {
  AVFormatContext *fmt = NULL;
  CHECK_EQ_INT(avformat_open_input(&fmt, path, NULL, NULL), 0);
  CHECK_GE(fmt->nb_streams, 1);
  const AVCodecParameters *par = fmt->streams[0]->codecpar;
  CHECK_GT(par->extradata_size, 0);
  uint8_t *copy = malloc((size_t)par->extradata_size);
  memcpy(copy, par->extradata, (size_t)par->extradata_size);
  *size = par->extradata_size;
  avformat_close_input(&fmt);
  return copy;
}

static int contains_bytes(const uint8_t *data, int size, const char *needle) {
  size_t n = strlen(needle);
  for (int i = 0; i + (int)n <= size; i++)
    if (!memcmp(data + i, needle, n)) return 1;
  return 0;
}

/* A 16x16 video at 10 fps in the "mpeg" container: mpeg1video refuses the rate at open. The error path
 * read the codec's name after avcodec_open2 had cleared it (SIGSEGV). Now: a status, a message naming the
 * encoder and the rate, and the encoder can be opened again with another container. */
static void case_open_failure_mpeg_crash(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(16, 16, 10);
  polyenc_stream *video = add_video_ok(enc, &vc);
  CHECK_STATUS(enc, polyenc_open_memory(enc, "mpeg"), POLYENC_ERR_CODEC);
  CHECK_CONTAINS(polyenc_last_error(enc), "mpeg1video");
  CHECK_CONTAINS(polyenc_last_error(enc), "10/1 fps");
  CHECK_OK(enc, polyenc_open_memory(enc, "matroska"));
  uint8_t *rgb = pattern_frames(16, 16, 3);
  add_rgb24_ok(enc, video, rgb, 3, 16, 16);
  CHECK_OK(enc, polyenc_close(enc));
  const uint8_t *data;
  size_t size;
  CHECK_OK(enc, polyenc_output(enc, &data, &size));
  video_frames v;
  CHECK_EQ_INT(media_decode_rgb(src_mem(data, size), 0, "bt601", 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, 3);
  video_frames_free(&v);
  free(rgb);
  polyenc_encoder_free(enc);
}

/* close() of a "vorbis" stream that got no samples never returned: FFmpeg's experimental vorbis encoder
 * gives packets forever when flushed empty. "vorbis" now means libvorbis (experimental_only_by_exact_name
 * checks which encoder wrote the stream), and close returns at once. */
static void case_vorbis_close_no_samples_hang(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(48000, 2);
  ac.codec = "vorbis";
  polyenc_stream *s = add_audio_ok(enc, &ac);
  CHECK_OK(enc, polyenc_open_memory(enc, "ogg"));
  CHECK_OK(enc, polyenc_add_samples(s, NULL, POLYENC_SAMPLES_PLANAR, 2, 0));
  double t0 = now_s();
  CHECK_OK(enc, polyenc_close(enc));
  CHECK_MSG(now_s() - t0 < 10, "close took %.1f s", now_s() - t0);
  polyenc_encoder_free(enc);
}

/* sample_rate 7 resampled to 1,000,000: swresample was asked for 9 * 10^9 samples per chunk. */
static void case_resample_ratio_allocation(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(7, 1);
  ac.out_sample_rate = 1000000;
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_audio(enc, &ac, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "out_sample_rate");
  CHECK_CONTAINS(polyenc_last_error(enc), "POLYENC_MAX_SAMPLE_RATE");
  ac.out_sample_rate = 7 * 1000;
  CHECK_STATUS(enc, polyenc_add_audio(enc, &ac, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "POLYENC_MAX_RESAMPLE_RATIO");
  polyenc_encoder_free(enc);
}

/* The experimental vorbis encoder, asked for with strict=experimental, still spins when flushed empty:
 * the flush loop's bound stops it with POLYENC_ERR_CODEC naming it, quickly, and no file is left. */
static void case_encoder_loop_bounded(void) {
  static const char *const strict[] = {"strict", "experimental", NULL};
  const char *path = tmp_path("spinning.ogg");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(48000, 2);
  ac.codec = "vorbis";
  ac.options = strict;
  add_audio_ok(enc, &ac);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  double t0 = now_s();
  CHECK_STATUS(enc, polyenc_close(enc), POLYENC_ERR_CODEC);
  CHECK_MSG(now_s() - t0 < 10, "close took %.1f s", now_s() - t0);
  CHECK_CONTAINS(polyenc_last_error(enc), "encoder vorbis of stream 0");
  CHECK_CONTAINS(polyenc_last_error(enc), "while flushing");
  CHECK(!file_exists(path));
  CHECK_STATUS(enc, polyenc_close(enc), POLYENC_ERR_CODEC);
  polyenc_encoder_free(enc);
}

static int discard(void *opaque, const uint8_t *data, size_t size) {
  (void)data;
  *(uint64_t *)opaque += size;
  return 0;
}

static long peak_rss_kib(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

/* The largest ratio up (64x) with 400,000 samples in one call: the scratch stays near one chunk of output
 * instead of the whole call's 25.6 million samples (about 100 MiB as float). */
static void case_upsampling_memory_bounded(void) {
  const int64_t n = 400000;
  float *tone = sine_planar(1, n, 8000, 440);
  uint64_t bytes = 0;
  polyenc_writer w = {&bytes, discard, NULL};
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(8000, 1);
  ac.out_sample_rate = 8000 * POLYENC_MAX_RESAMPLE_RATIO;
  ac.codec = "pcm_s16le";
  polyenc_stream *s = add_audio_ok(enc, &ac);
  CHECK_OK(enc, polyenc_open_writer(enc, &w, "nut"));
  long before = peak_rss_kib();
  add_samples_ok(enc, s, tone, 1, n);
  long grown = peak_rss_kib() - before;
  CHECK_OK(enc, polyenc_close(enc));
  CHECK_GE((double)bytes, (double)n * POLYENC_MAX_RESAMPLE_RATIO * 2);
#if !defined(__SANITIZE_ADDRESS__)
  CHECK_MSG(grown < 32 * 1024, "peak RSS grew by %ld KiB", grown);
#endif
  (void)grown;
  polyenc_encoder_free(enc);
  free(tone);
}

static void case_pixels_above_limit(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(16384, 8192, 30);
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "POLYENC_MAX_PIXELS");
  CHECK_CONTAINS(polyenc_last_error(enc), "16384 x 8192");
  vc = video_cfg(8192, 8192, 30);
  CHECK_OK(enc, polyenc_add_video(enc, &vc, &s));
  polyenc_encoder_free(enc);
}

static void case_frame_rate_out_of_range(void) {
  const double bad[] = {1e-300, 0.0009, 1000.5, 1e12};
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = NULL;
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    polyenc_video_config vc = video_cfg(16, 16, bad[i]);
    CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_ARGUMENT);
    CHECK_CONTAINS(polyenc_last_error(enc), "frame_rate");
    CHECK_CONTAINS(polyenc_last_error(enc), "POLYENC_MAX_FRAME_RATE");
  }
  polyenc_video_config vc = video_cfg(16, 16, POLYENC_MAX_FRAME_RATE);
  CHECK_OK(enc, polyenc_add_video(enc, &vc, &s));
  vc = video_cfg(16, 16, POLYENC_MIN_FRAME_RATE);
  CHECK_OK(enc, polyenc_add_video(enc, &vc, &s));
  polyenc_encoder_free(enc);
}

static void case_encoded_frame_rate_out_of_range(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config ec = {.codec = "h264", .width = 16, .height = 16, .frame_rate = 1e-300};
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_encoded_video(enc, &ec, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "frame_rate");
  ec.frame_rate = -5;
  CHECK_STATUS(enc, polyenc_add_encoded_video(enc, &ec, &s), POLYENC_ERR_ARGUMENT);
  ec.frame_rate = 30, ec.width = 1 << 14, ec.height = 1 << 14;
  CHECK_STATUS(enc, polyenc_add_encoded_video(enc, &ec, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "POLYENC_MAX_PIXELS");
  polyenc_encoder_free(enc);
}

static void case_sample_rate_above_limit(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(POLYENC_MAX_SAMPLE_RATE + 1, 1);
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_audio(enc, &ac, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "sample_rate");
  CHECK_CONTAINS(polyenc_last_error(enc), "768000");
  ac = audio_cfg(48000, 1);
  ac.out_sample_rate = 2000000000;
  CHECK_STATUS(enc, polyenc_add_audio(enc, &ac, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "out_sample_rate");
  polyenc_encoder_free(enc);
}

static void case_resample_ratio_limits(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = NULL;
  polyenc_audio_config ac = audio_cfg(768000, 1);
  ac.out_sample_rate = 768000 / POLYENC_MAX_RESAMPLE_RATIO - 1;
  CHECK_STATUS(enc, polyenc_add_audio(enc, &ac, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "below");
  ac.out_sample_rate = 768000 / POLYENC_MAX_RESAMPLE_RATIO;
  CHECK_OK(enc, polyenc_add_audio(enc, &ac, &s));
  ac = audio_cfg(100, 1);
  ac.out_sample_rate = 100 * POLYENC_MAX_RESAMPLE_RATIO + 1;
  CHECK_STATUS(enc, polyenc_add_audio(enc, &ac, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "above");
  polyenc_encoder_free(enc);
}

static polyenc_encoder *open_16x16(polyenc_stream **video) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(16, 16, 30);
  *video = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "matroska"));
  return enc;
}

/* Strides whose byte count overflows int64: refused before any byte is read; the stream goes on. */
static void case_stride_overflow(void) {
  polyenc_stream *video;
  polyenc_encoder *enc = open_16x16(&video);
  uint8_t frame[16 * 16 * 3] = {0};
  polyenc_frames f = frames_of(frame, POLYENC_RGB24, 1, 16, 16);
  f.strides[0] = 768, f.strides[1] = INT64_MAX / 8, f.strides[2] = 3, f.strides[3] = 1;
  CHECK_STATUS(enc, polyenc_add_frames(video, &f), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "strides");
  f.strides[1] = INT64_MIN, f.layout = POLYENC_RGB_PLANAR;
  CHECK_STATUS(enc, polyenc_add_frames(video, &f), POLYENC_ERR_ARGUMENT);
  f = frames_of(frame, POLYENC_RGB24, 1, 16, 16);
  CHECK_OK(enc, polyenc_add_frames(video, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
}

/* num_frames x the frame stride overflowing int64. */
static void case_frame_count_overflow(void) {
  polyenc_stream *video;
  polyenc_encoder *enc = open_16x16(&video);
  uint8_t frame[16 * 16 * 4] = {0};
  polyenc_frames f = frames_of(frame, POLYENC_RGBA, 0x7fffffff, 16, 16);
  f.strides[0] = INT64_MAX / 1000, f.strides[1] = 64, f.strides[2] = 4, f.strides[3] = 1;
  CHECK_STATUS(enc, polyenc_add_frames(video, &f), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "num_frames 2147483647");
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
}

/* Encodes a little stereo tone with this codec name into path. */
static void encode_tone(const char *path, const char *codec) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(48000, 2);
  ac.codec = codec;
  polyenc_stream *s = add_audio_ok(enc, &ac);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  float *tone = sine_planar(2, 9600, 48000, 440);
  add_samples_ok(enc, s, tone, 2, 9600);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  free(tone);
}

/* "dts" has only FFmpeg's experimental encoder (dca): the codec name does not pick it, the message says
 * how to; "opus" and "vorbis" pick libopus and libvorbis, not FFmpeg's experimental encoders. */
static void case_experimental_only_by_exact_name(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(48000, 2);
  ac.codec = "dts";
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_audio(enc, &ac, &s), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "experimental encoder 'dca'");
  polyenc_encoder_free(enc);

  const char *path = tmp_path("opus.mkv");
  encode_tone(path, "opus");
  int size;
  uint8_t *head = stream_extradata(path, &size);
  CHECK_GE(size, 12);
  CHECK_EQ_INT(head[10] | head[11] << 8, 312); /* OpusHead pre-skip */
  free(head);
  path = tmp_path("vorbis.mkv");
  encode_tone(path, "vorbis");
  head = stream_extradata(path, &size);
  CHECK(contains_bytes(head, size, "libVorbis"));
  free(head);
}

/* Named exactly, an experimental encoder is used (and marked so FFmpeg opens it). */
static void case_experimental_by_implementation_name(void) {
  const char *path = tmp_path("dca.mkv");
  encode_tone(path, "dca");
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  expect_stream(&info, 0, AVMEDIA_TYPE_AUDIO, "dts");
}
