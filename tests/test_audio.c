/* Audio: chunked feeding (chunks of 1, 50, 1000, 0, 25 and the rest), planar and interleaved
 * input, every audio codec/container default, resampling and remixing.
 *
 * Tolerances (measured with the ffmpeg 5.1 CLI on the same input, see each case):
 * - pcm_s16le / flac: lossless at 16 bits: |decoded - input| <= 1/32768 (+ float rounding).
 * - aac: the demuxer removes the encoder's 1024-sample priming in MP4/M4A (edit list) but not
 *   the padding of the last frame: decoded count in [N, N + 1024); Matroska keeps the priming
 *   too: [N, N + 2048]. The MP4 stream duration is exact for the CLI; we allow one frame.
 * - opus (ogg/webm): pre-skip and end trimming (granule position / DiscardPadding) are applied
 *   by libavformat/libavcodec: the CLI decodes exactly N; we allow [N, N + 960] (one 20 ms
 *   frame) should a container not signal the end. ffprobe's duration includes the 312-sample
 *   pre-skip (ogg) or millisecond rounding (webm): within 30 ms.
 * - mp3: the LAME tag gives delay and padding, the CLI decodes exactly N; we allow one frame
 *   (1152). ffprobe's duration counts whole frames: within 2 frames (~52 ms at 44.1 kHz).
 */
#include "helpers.h"

#define CASES(X)                          \
  X(wav_chunks_planar, QUICK)             \
  X(wav_chunks_interleaved, QUICK)        \
  X(wav_mono_8k, QUICK)                   \
  X(wav_clips_out_of_range, QUICK)        \
  X(flac_chunks_lossless, QUICK)          \
  X(aac_m4a_chunks, QUICK)                \
  X(aac_mp4_chunks_interleaved, QUICK)    \
  X(aac_mkv_chunks, QUICK)                \
  X(opus_ogg_chunks, QUICK)               \
  X(opus_webm_chunks, QUICK)              \
  X(mp3_chunks, QUICK)                    \
  X(resample_wav_44100_to_48000, QUICK)   \
  X(remix_wav_stereo_to_mono, QUICK)      \
  X(resample_remix_m4a, QUICK)            \
  X(resample_opus_from_44100, QUICK)
CHECK_MAIN(CASES)

/* Encodes `n` samples (planar C x N tone) in the chunks 1, 50, 1000, 0, 25, rest. */
static void encode_chunks(const char *path, const polyenc_audio_config *cfg, const float *planar, int64_t n,
                          polyenc_sample_layout layout) {
  const int c = cfg->num_channels;
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *s = add_audio_ok(enc, cfg);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  const int64_t sizes[6] = {1, 50, 1000, 0, 25, -1};
  int64_t pos = 0;
  float *chunk = malloc((size_t)n * c * sizeof *chunk + sizeof *chunk);
  for (int k = 0; k < 6; k++) {
    int64_t len = sizes[k] < 0 ? n - pos : sizes[k];
    /* copy the chunk into its own buffer, in the requested layout */
    for (int ch = 0; ch < c; ch++)
      for (int64_t i = 0; i < len; i++) {
        float v = planar[ch * n + pos + i];
        if (layout == POLYENC_SAMPLES_PLANAR)
          chunk[ch * len + i] = v;
        else
          chunk[i * c + ch] = v;
      }
    CHECK_OK(enc, polyenc_add_samples(s, chunk, layout, c, len));
    pos += len;
  }
  CHECK(pos == n);
  free(chunk);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
}

static double ffprobe_format_duration(const char *path) {
  char *p = ffprobe("-show_entries format=duration -of default=noprint_wrappers=1", path);
  CHECK(p);
  char buf[64];
  const char *v = kv_get(p, "duration", 0, buf, sizeof buf);
  CHECK_MSG(v, "no duration in ffprobe output: %s", p);
  double d = atof(v);
  free(p);
  return d;
}

static void expect_one_audio_stream(const char *path, const char *codec, int rate, int channels) {
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  CHECK_EQ_INT(info.num_streams, 1);
  expect_stream(&info, 0, AVMEDIA_TYPE_AUDIO, codec);
  CHECK_EQ_INT(info.streams[0].sample_rate, rate);
  CHECK_EQ_INT(info.streams[0].channels, channels);
}

static double rms(const float *x, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += (double)x[i] * x[i];
  return n ? sqrt(s / (double)n) : 0;
}

/* Lossless codecs: same count, every sample within tol. */
static void expect_samples(const char *path, const float *planar, int channels, int64_t n, double tol) {
  audio_samples a;
  CHECK_EQ_INT(media_decode_audio(src_file(path), 0, &a), 0);
  CHECK_EQ_INT(a.channels, channels);
  CHECK_EQ_INT(a.num_samples, n);
  for (int c = 0; c < channels; c++)
    for (int64_t i = 0; i < n; i++) {
      double d = fabs((double)a.data[c * n + i] - planar[c * n + i]);
      CHECK_MSG(d <= tol, "channel %d sample %lld: decoded %.7f, input %.7f", c, (long long)i, a.data[c * n + i],
                planar[c * n + i]);
    }
  audio_samples_free(&a);
}

/* Lossy codecs: the decoded count within [n + lo, n + hi], the level close to the input's. */
static void expect_lossy(const char *path, const float *planar, int channels, int64_t n, int64_t lo, int64_t hi) {
  audio_samples a;
  CHECK_EQ_INT(media_decode_audio(src_file(path), 0, &a), 0);
  CHECK_EQ_INT(a.channels, channels);
  CHECK_MSG(a.num_samples >= n + lo && a.num_samples <= n + hi, "%lld decoded samples for %lld input (allowed +%lld..+%lld)",
            (long long)a.num_samples, (long long)n, (long long)lo, (long long)hi);
  for (int c = 0; c < channels; c++) {
    double in = rms(planar + c * n, n), out = rms(a.data + c * a.num_samples, a.num_samples);
    CHECK_MSG(fabs(out - in) < 0.2 * in, "channel %d: decoded RMS %.4f, input RMS %.4f", c, out, in);
  }
  audio_samples_free(&a);
}

static void case_wav_chunks_planar(void) {
  const int rate = 44100, c = 2;
  const int64_t n = 44100;
  float *tone = sine_planar(c, n, rate, 440);
  polyenc_audio_config cfg = audio_cfg(rate, c);
  const char *path = tmp_path("chunks.wav");
  encode_chunks(path, &cfg, tone, n, POLYENC_SAMPLES_PLANAR);
  expect_one_audio_stream(path, "pcm_s16le", rate, c);
  expect_samples(path, tone, c, n, 1e-4);
  free(tone);
}

static void case_wav_chunks_interleaved(void) {
  const int rate = 48000, c = 3;
  const int64_t n = 12345;
  float *tone = sine_planar(c, n, rate, 300);
  polyenc_audio_config cfg = audio_cfg(rate, c);
  const char *path = tmp_path("chunks.wav");
  encode_chunks(path, &cfg, tone, n, POLYENC_SAMPLES_INTERLEAVED);
  expect_one_audio_stream(path, "pcm_s16le", rate, c);
  expect_samples(path, tone, c, n, 1e-4);
  free(tone);
}

static void case_wav_mono_8k(void) {
  const int rate = 8000, c = 1;
  const int64_t n = 4000;
  float *tone = sine_planar(c, n, rate, 500);
  polyenc_audio_config cfg = audio_cfg(rate, c);
  const char *path = tmp_path("mono.wav");
  encode_chunks(path, &cfg, tone, n, POLYENC_SAMPLES_PLANAR);
  expect_one_audio_stream(path, "pcm_s16le", rate, c);
  expect_samples(path, tone, c, n, 1e-4);
  CHECK_NEAR(ffprobe_format_duration(path), 0.5, 1e-3);
  free(tone);
}

/* Integer codecs clip values beyond [-1, 1] (the header): 1.5 -> ~1, -3 -> -1. */
static void case_wav_clips_out_of_range(void) {
  float s[8] = {1.5f, -3.0f, 0.25f, 1.0f, -1.0f, 100.0f, -0.5f, 0.0f};
  polyenc_audio_config cfg = audio_cfg(16000, 1);
  const char *path = tmp_path("clip.wav");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *st = add_audio_ok(enc, &cfg);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  add_samples_ok(enc, st, s, 1, 8);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  const float want[8] = {32767 / 32768.f, -1.0f, 0.25f, 32767 / 32768.f, -1.0f, 32767 / 32768.f, -0.5f, 0.0f};
  expect_samples(path, want, 1, 8, 1.0 / 32768 + 1e-7);
}

static void case_flac_chunks_lossless(void) {
  const int rate = 44100, c = 2;
  const int64_t n = 30000;
  float *tone = sine_planar(c, n, rate, 440);
  polyenc_audio_config cfg = audio_cfg(rate, c);
  const char *path = tmp_path("chunks.flac");
  encode_chunks(path, &cfg, tone, n, POLYENC_SAMPLES_PLANAR);
  expect_one_audio_stream(path, "flac", rate, c);
  expect_samples(path, tone, c, n, 1.0 / 32768 + 1e-7);
  CHECK_NEAR(ffprobe_format_duration(path), (double)n / rate, 1e-3);
  free(tone);
}

static void aac_case(const char *name, polyenc_sample_layout layout, int64_t hi, int exact_mp4) {
  const int rate = 44100, c = 2;
  const int64_t n = 44100;
  float *tone = sine_planar(c, n, rate, 440);
  polyenc_audio_config cfg = audio_cfg(rate, c);
  const char *path = tmp_path(name);
  encode_chunks(path, &cfg, tone, n, layout);
  expect_one_audio_stream(path, "aac", rate, c);
  expect_lossy(path, tone, c, n, 0, hi);
  double d = ffprobe_format_duration(path);
  CHECK_NEAR(d, (double)n / rate, exact_mp4 ? 1024.0 / rate : 2048.0 / rate + 0.002);
  free(tone);
}

static void case_aac_m4a_chunks(void) { aac_case("chunks.m4a", POLYENC_SAMPLES_PLANAR, 1023, 1); }
static void case_aac_mp4_chunks_interleaved(void) { aac_case("chunks.mp4", POLYENC_SAMPLES_INTERLEAVED, 1023, 1); }
static void case_aac_mkv_chunks(void) { aac_case("chunks.mkv", POLYENC_SAMPLES_PLANAR, 2048, 0); }

static void opus_case(const char *name) {
  const int rate = 48000, c = 2;
  const int64_t n = 48000;
  float *tone = sine_planar(c, n, rate, 440);
  polyenc_audio_config cfg = audio_cfg(rate, c);
  const char *path = tmp_path(name);
  encode_chunks(path, &cfg, tone, n, POLYENC_SAMPLES_PLANAR);
  expect_one_audio_stream(path, "opus", rate, c);
  expect_lossy(path, tone, c, n, 0, 960);
  CHECK_NEAR(ffprobe_format_duration(path), 1.0, 0.03);
  free(tone);
}

static void case_opus_ogg_chunks(void) { opus_case("chunks.ogg"); }
static void case_opus_webm_chunks(void) { opus_case("chunks.webm"); }

static void case_mp3_chunks(void) {
  if (!polyenc_has_encoder("mp3")) SKIP("no mp3 encoder in this FFmpeg (a bundled build has none)");
  const int rate = 44100, c = 2;
  const int64_t n = 44100;
  float *tone = sine_planar(c, n, rate, 440);
  polyenc_audio_config cfg = audio_cfg(rate, c);
  const char *path = tmp_path("chunks.mp3");
  encode_chunks(path, &cfg, tone, n, POLYENC_SAMPLES_INTERLEAVED);
  expect_one_audio_stream(path, "mp3", rate, c);
  expect_lossy(path, tone, c, n, 0, 1152);
  CHECK_NEAR(ffprobe_format_duration(path), 1.0, 2 * 1152.0 / rate);
  free(tone);
}

/* Sign changes of a channel: a tone of f Hz over d seconds has about 2 f d. */
static int zero_crossings(const float *x, int64_t n) {
  int z = 0;
  for (int64_t i = 1; i < n; i++) z += (x[i - 1] < 0) != (x[i] < 0);
  return z;
}

static void case_resample_wav_44100_to_48000(void) {
  const int64_t n = 44100;
  float *tone = sine_planar(1, n, 44100, 440);
  polyenc_audio_config cfg = audio_cfg(44100, 1);
  cfg.out_sample_rate = 48000;
  const char *path = tmp_path("resampled.wav");
  encode_chunks(path, &cfg, tone, n, POLYENC_SAMPLES_PLANAR);
  expect_one_audio_stream(path, "pcm_s16le", 48000, 1);
  audio_samples a;
  CHECK_EQ_INT(media_decode_audio(src_file(path), 0, &a), 0);
  CHECK_EQ_INT(a.sample_rate, 48000);
  /* 1 s in, 1 s out: 48000 samples, give or take the resampler's flush rounding */
  CHECK_NEAR(a.num_samples, 48000, 32);
  /* still a 440 Hz tone (not 44100 samples relabelled as 48000: that would be 479 Hz) */
  CHECK_NEAR(zero_crossings(a.data, a.num_samples), 880, 6);
  CHECK_NEAR(rms(a.data, a.num_samples), rms(tone, n), 0.02);
  audio_samples_free(&a);
  CHECK_NEAR(ffprobe_format_duration(path), 1.0, 0.002);
  free(tone);
}

static void case_remix_wav_stereo_to_mono(void) {
  const int rate = 32000;
  const int64_t n = 16000;
  float *tone = sine_planar(2, n, rate, 400); /* left 400 Hz, right 800 Hz */
  polyenc_audio_config cfg = audio_cfg(rate, 2);
  cfg.out_num_channels = 1;
  const char *path = tmp_path("mono.wav");
  encode_chunks(path, &cfg, tone, n, POLYENC_SAMPLES_INTERLEAVED);
  expect_one_audio_stream(path, "pcm_s16le", rate, 1);
  audio_samples a;
  CHECK_EQ_INT(media_decode_audio(src_file(path), 0, &a), 0);
  CHECK_EQ_INT(a.channels, 1);
  CHECK_EQ_INT(a.num_samples, n);
  /* the mono channel is a mix of both inputs: correlated with L + R, whatever the gain */
  double sxy = 0, sxx = 0, syy = 0;
  for (int64_t i = 0; i < n; i++) {
    double x = (double)tone[i] + tone[n + i], y = a.data[i];
    sxy += x * y, sxx += x * x, syy += y * y;
  }
  double corr = sxy / sqrt(sxx * syy + 1e-30);
  CHECK_MSG(corr > 0.99, "correlation of the mono output with L+R: %.4f", corr);
  audio_samples_free(&a);
  free(tone);
}

static void case_resample_remix_m4a(void) {
  const int64_t n = 44100;
  float *tone = sine_planar(2, n, 44100, 440);
  polyenc_audio_config cfg = audio_cfg(44100, 2);
  cfg.out_sample_rate = 48000;
  cfg.out_num_channels = 1;
  const char *path = tmp_path("resampled.m4a");
  encode_chunks(path, &cfg, tone, n, POLYENC_SAMPLES_PLANAR);
  expect_one_audio_stream(path, "aac", 48000, 1);
  audio_samples a;
  CHECK_EQ_INT(media_decode_audio(src_file(path), 0, &a), 0);
  CHECK_EQ_INT(a.channels, 1);
  CHECK_MSG(a.num_samples >= 48000 - 32 && a.num_samples <= 48000 + 1024 + 32, "%lld samples", (long long)a.num_samples);
  audio_samples_free(&a);
  CHECK_NEAR(ffprobe_format_duration(path), 1.0, 1024.0 / 48000 + 0.002);
  free(tone);
}

/* Opus only takes 48/24/16/12/8 kHz: 44.1 kHz input with out_sample_rate 48000 works. */
static void case_resample_opus_from_44100(void) {
  const int64_t n = 22050;
  float *tone = sine_planar(1, n, 44100, 440);
  polyenc_audio_config cfg = audio_cfg(44100, 1);
  cfg.out_sample_rate = 48000;
  const char *path = tmp_path("resampled.ogg");
  encode_chunks(path, &cfg, tone, n, POLYENC_SAMPLES_PLANAR);
  expect_one_audio_stream(path, "opus", 48000, 1);
  audio_samples a;
  CHECK_EQ_INT(media_decode_audio(src_file(path), 0, &a), 0);
  CHECK_MSG(a.num_samples >= 24000 - 32 && a.num_samples <= 24000 + 960 + 32, "%lld samples", (long long)a.num_samples);
  audio_samples_free(&a);
  CHECK_NEAR(ffprobe_format_duration(path), 0.5, 0.03);
  free(tone);
}
