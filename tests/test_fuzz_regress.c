/* Inputs the fuzz targets (tests/fuzz/) found to crash polyenc, replayed through the public API: each
 * case checks the call now returns cleanly and what it wrote decodes to what was given. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <unistd.h>

#include "helpers.h"

#define CASES(X)                                 \
  X(yuv420p_row_stride_narrower_than_row, QUICK) \
  X(encoded_tick_overflows_mov_clock, QUICK)     \
  X(stats_of_a_packet_at_int64_max, QUICK)       \
  X(asf_pts_beyond_its_clock, QUICK)             \
  X(gif_muxer_leak_after_write_failure, QUICK)  \
  X(adpcm_odd_last_frame_abort, QUICK)          \
  X(x26x_print_on_stderr, SLOW)                \
  X(lame_huge_samples_abort, QUICK)              \
  X(tiny_frames_rpza_flashsv_abort, QUICK)       \
  X(chromaprint_muxer_abort, QUICK)              \
  X(tta_short_last_frame_abort, QUICK)           \
  X(caf_empty_stream_fpe, QUICK)
CHECK_MAIN(CASES)

/* Closes enc (a memory output) and decodes its first stream's audio with libavcodec. */
static audio_samples close_and_decode_audio(polyenc_encoder *enc) {
  CHECK_OK(enc, polyenc_close(enc));
  const uint8_t *data;
  size_t size;
  CHECK_OK(enc, polyenc_output(enc, &data, &size));
  audio_samples a;
  CHECK_EQ_INT(media_decode_audio(src_mem(data, size), 0, &a), 0);
  return a;
}

/* fuzz_api: YUV420P frames whose row strides are smaller than a row (rows overlap; the header allows
 * any strides) reached av_image_copy_plane, which asserts |stride| >= width and aborted the process. */
static void case_yuv420p_row_stride_narrower_than_row(void) {
  enum { W = 32, H = 24, CW = W / 2, CH = H / 2, Y_ROW = 8, UV_ROW = 4 };
  /* exactly the bytes the strides address: Y rows at r * 8, U after H rows, V after CH more rows */
  size_t u = (size_t)H * Y_ROW, v = u + (size_t)CH * UV_ROW, size = v + (size_t)(CH - 1) * UV_ROW + CW;
  uint8_t *yuv = malloc(size);
  CHECK(yuv != NULL);
  for (size_t i = 0; i < size; i++) yuv[i] = (uint8_t)(16 + (i * 7) % 200);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.crf = 0; /* lossless: the decoded planes equal the input */
  vc.preset = "ultrafast";
  polyenc_stream *s = add_video_ok(enc, &vc);
  const char *path = tmp_path("overlapping_rows.mkv");
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames f = {.data = yuv, .layout = POLYENC_YUV420P, .num_frames = 1, .width = W, .height = H,
                      .strides = {(int64_t)size, Y_ROW, UV_ROW, 0}};
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  video_frames out;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &out), 0);
  CHECK_EQ_INT(out.num_frames, 1);
  for (int r = 0; r < H; r++)
    for (int x = 0; x < W; x++) CHECK_EQ_INT(out.data[r * W + x], yuv[r * Y_ROW + x]);
  const uint8_t *du = out.data + W * H, *dv = du + CW * CH;
  for (int r = 0; r < CH; r++)
    for (int x = 0; x < CW; x++) {
      CHECK_EQ_INT(du[r * CW + x], yuv[u + r * UV_ROW + x]);
      CHECK_EQ_INT(dv[r * CW + x], yuv[v + r * UV_ROW + x]);
    }
  video_frames_free(&out);
  free(yuv);
}

/* fuzz_encoded: a mux-only stream with a time base of 379 s per tick in ismv (a 10 MHz clock): one tick
 * between dts is 3.79e9 ticks of the muxer's clock, which wrapped its 32-bit durations, and FFmpeg's mov
 * muxer aborted the process in av_write_trailer (movenc.c: next_dts >= 0). Such steps are refused. */
static void case_encoded_tick_overflows_mov_clock(void) {
  static const uint8_t packet[52] = {0xff, 0xd8};
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config ec = {.codec = "mjpeg", .width = 2, .height = 6, .time_base_num = 379, .time_base_den = 1};
  polyenc_stream *s = NULL;
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &ec, &s));
  CHECK_OK(enc, polyenc_open_memory(enc, "ismv"));
  CHECK_STATUS(enc, polyenc_add_packet(s, packet, sizeof packet, 1, -1, 0, 1), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "pts - dts");
  CHECK_OK(enc, polyenc_add_packet(s, packet, sizeof packet, 0, 0, 0, 1));
  CHECK_STATUS(enc, polyenc_add_packet(s, packet, sizeof packet, 1, 1, 0, 1), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "the step from the previous dts");
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
}

/* fuzz_encoded: a mux-only packet at pts = dts = INT64_MAX (nut takes it) made the stats' end time
 * (pts + duration) overflow int64 (UBSan). The stats now add in double. */
static void case_stats_of_a_packet_at_int64_max(void) {
  static const uint8_t packet[52] = {0xff, 0xd8};
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config ec = {.codec = "mjpeg", .width = 32, .height = 32, .time_base_num = 1, .time_base_den = 25};
  polyenc_stream *s = NULL;
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &ec, &s));
  if (polyenc_open_memory(enc, "nut") != POLYENC_OK) {
    polyenc_encoder_free(enc);
    SKIP("no nut muxer in this FFmpeg");
  }
  polyenc_status st = polyenc_add_packet(s, packet, sizeof packet, INT64_MAX, INT64_MAX, 1, 1);
  polyenc_stats stats;
  CHECK_OK(enc, polyenc_get_stats(enc, NULL, &stats));
  CHECK(st == POLYENC_OK ? stats.seconds > 1e17 : stats.seconds == 0);
  polyenc_encoder_free(enc);
}

/* fuzz_encoded: one mux-only packet at 76 ticks of 863409807/801 s (8.2e7 s) into asf, whose muxer keeps an
 * index entry for every second up to the latest pts: 2.8 GB. ASF stores times in 32 bits of milliseconds, so a
 * later pts is refused, for mux-only packets and for video pts alike. */
static void case_asf_pts_beyond_its_clock(void) {
  static const uint8_t packet[52] = {0, 0, 0, 1, 0x65};
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_encoded_video_config ec = {.codec = "h264", .width = 16, .height = 32, .time_base_num = 863409807,
                                     .time_base_den = 801};
  polyenc_stream *s = NULL;
  CHECK_OK(enc, polyenc_add_encoded_video(enc, &ec, &s));
  if (polyenc_open_memory(enc, "asf") != POLYENC_OK) {
    polyenc_encoder_free(enc);
    SKIP("no asf muxer in this FFmpeg");
  }
  CHECK_STATUS(enc, polyenc_add_packet(s, packet, sizeof packet, 76, 76, 0, 1), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "too late for container asf");
  CHECK_OK(enc, polyenc_add_packet(s, packet, sizeof packet, 1, 1, 0, 1)); /* 1077915 s: under 2^31 ms */
  polyenc_encoder_free(enc);

  enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(16, 16, 25);
  vc.time_base_num = 1, vc.time_base_den = 1;
  polyenc_stream *v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "asf"));
  uint8_t *rgb = pattern_frames(16, 16, 2);
  polyenc_frames f = frames_of(rgb, POLYENC_RGB24, 2, 16, 16);
  const int64_t late[] = {0, 3000000}, fine[] = {0, 2000000}; /* seconds */
  f.pts = late;
  CHECK_STATUS(enc, polyenc_add_frames(v, &f), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "in asf: 2^31 ms");
  f.pts = fine;
  CHECK_OK(enc, polyenc_add_frames(v, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  free(rgb);
}

typedef struct failing_writer { int armed, writes; } failing_writer;

/* Succeeds until armed, then fails: the output breaks after its header. */
static int fail_when_armed(void *opaque, const uint8_t *data, size_t size) {
  failing_writer *fw = opaque;
  (void)data, (void)size;
  fw->writes++;
  return fw->armed ? -1 : 0;
}

/* fuzz_output: the gif muxer holds the last packet until av_write_trailer; after a failed write polyenc
 * never called it, and the packet leaked (found by LeakSanitizer, which runs this case in the ASan build,
 * as valgrind does). Every failed output now has its muxer finish with the output refusing every byte. */
static void case_gif_muxer_leak_after_write_failure(void) {
  static const char *const containers[] = {"gif", "mp4", "matroska", "mpegts", "avi", "nut", "flv", "ogg", NULL};
  for (const char *const *c = containers; *c; c++) {
    failing_writer fw = {0, 0};
    polyenc_writer w = {&fw, fail_when_armed, NULL};
    polyenc_encoder *enc = polyenc_encoder_new();
    polyenc_video_config vc = video_cfg(32, 32, 10);
    if (!strcmp(*c, "ogg")) vc.codec = "libtheora";
    polyenc_stream *s = add_video_ok(enc, &vc);
    CHECK_OK(enc, polyenc_open_writer(enc, &w, *c));
    fw.armed = 1;
    uint8_t frame[32 * 32 * 3];
    polyenc_status st = POLYENC_OK;
    for (int i = 0; i < 40 && !st; i++) {
      random_bytes(frame, sizeof frame, (uint32_t)i + 1);
      polyenc_frames f = frames_of(frame, POLYENC_RGB24, 1, 32, 32);
      st = polyenc_add_frames(s, &f);
    }
    if (!st) st = polyenc_close(enc);
    CHECK_MSG(st == POLYENC_ERR_IO, "%s: %s %s", *c, polyenc_status_name(st), polyenc_last_error(enc));
    int calls = fw.writes;
    CHECK_STATUS(enc, polyenc_close(enc), POLYENC_ERR_IO);
    polyenc_encoder_free(enc);
    CHECK_EQ_INT(fw.writes, calls); /* nothing reached the writer after it failed */
  }
}

/* fuzz_output: kvag's default codec, adpcm_ima_ssi, packs two samples a byte; a last frame of an odd
 * number of samples overran its packet and an assertion in FFmpeg aborted the process. */
static void case_adpcm_odd_last_frame_abort(void) {
  static const char *const codecs[] = {"adpcm_ima_ssi", "adpcm_ima_wav", "adpcm_ms", "adpcm_yamaha", NULL};
  static const char *const containers[] = {"kvag", "wav", "wav", "wav"};
  for (int i = 0; codecs[i]; i++) {
    const int64_t n = 2049 + 2 * i;
    float *tone = sine_planar(1, n, 16000, 440);
    polyenc_encoder *enc = polyenc_encoder_new();
    polyenc_audio_config ac = audio_cfg(16000, 1);
    ac.codec = codecs[i];
    polyenc_stream *s = add_audio_ok(enc, &ac);
    CHECK_OK(enc, polyenc_open_memory(enc, containers[i]));
    add_samples_ok(enc, s, tone, 1, n);
    audio_samples a = close_and_decode_audio(enc);
    CHECK_MSG(a.num_samples >= n - 1, "%s: %lld of %lld samples", codecs[i], (long long)a.num_samples, (long long)n);
    audio_samples_free(&a);
    polyenc_encoder_free(enc);
    free(tone);
  }
}

/* Runs one 64x64 encode of codec with the option key=value (NULL: none) with stderr sent to a file;
 * returns the status and how many bytes reached stderr. */
static polyenc_status encode_catching_stderr(const char *codec, const char *key, const char *value, long *printed) {
  const char *path = tmp_path("stderr.txt");
  fflush(stderr);
  int saved = dup(2), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(saved >= 0 && fd >= 0);
  dup2(fd, 2);
  const char *options[] = {key, value, NULL};
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(64, 64, 30);
  vc.codec = codec;
  vc.options = key ? options : NULL;
  polyenc_stream *s = NULL;
  polyenc_status st = polyenc_add_video(enc, &vc, &s);
  if (!st) st = polyenc_open_memory(enc, "matroska");
  uint8_t frame[64 * 64 * 3] = {0};
  polyenc_frames f = frames_of(frame, POLYENC_RGB24, 1, 64, 64);
  if (!st) st = polyenc_add_frames(s, &f);
  if (!st) st = polyenc_close(enc);
  polyenc_encoder_free(enc);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  *printed = lseek(fd, 0, SEEK_END);
  close(fd);
  return st;
}

/* Nothing prints unless POLYENC_LOG asks: libx265 printed its banner and settings (24 lines) on every
 * encode, and libx264 printed "invalid tune" / "invalid profile" itself before failing. (Labelled slow,
 * so not run under valgrind: libx265's assembly reads memory it never wrote, and its timestamps carry that.) */
static void case_x26x_print_on_stderr(void) {
  if (getenv("POLYENC_LOG")) SKIP("POLYENC_LOG is set");
  long printed = -1;
  if (polyenc_has_encoder("libx265")) {
    CHECK_EQ_INT(encode_catching_stderr("libx265", NULL, NULL, &printed), POLYENC_OK);
    CHECK_EQ_INT(printed, 0);
    CHECK_EQ_INT(encode_catching_stderr("libx265", "x265-params", "keyint=5", &printed), POLYENC_OK);
    CHECK_EQ_INT(printed, 0);
  }
  CHECK_EQ_INT(encode_catching_stderr("libx264", "tune", "bogus", &printed), POLYENC_ERR_ARGUMENT);
  CHECK_EQ_INT(printed, 0);
  CHECK_EQ_INT(encode_catching_stderr("libx264", "profile", "bogus", &printed), POLYENC_ERR_ARGUMENT);
  CHECK_EQ_INT(printed, 0);
  CHECK_EQ_INT(encode_catching_stderr("libx264", "tune", "film,fastdecode", &printed), POLYENC_OK);
  CHECK_EQ_INT(encode_catching_stderr("libx264", "profile", "high", &printed), POLYENC_OK);
  CHECK_EQ_INT(printed, 0);
}

/* fuzz_api: samples of 10^8 (finite, so accepted) made LAME's float path fail an assertion
 * (quantize.c, CBR_iteration_loop) and abort the process. Samples are clipped to [-1, 1]: the mp3 decodes
 * like the same tone at full scale. */
static void case_lame_huge_samples_abort(void) {
  const int64_t n = 44100;
  float *loud = malloc(sizeof(float) * n), *full = malloc(sizeof(float) * n);
  for (int64_t i = 0; i < n; i++) full[i] = (i / 50) % 2 ? 1.f : -1.f, loud[i] = full[i] * 1e8f;
  float *decoded[2];
  for (int k = 0; k < 2; k++) {
    polyenc_encoder *enc = polyenc_encoder_new();
    polyenc_audio_config ac = audio_cfg(44100, 1);
    polyenc_stream *s = add_audio_ok(enc, &ac);
    CHECK_OK(enc, polyenc_open_memory(enc, "mp3"));
    add_samples_ok(enc, s, k ? full : loud, 1, n);
    audio_samples a = close_and_decode_audio(enc);
    CHECK_EQ_INT(a.num_samples, n);
    decoded[k] = a.data;
    polyenc_encoder_free(enc);
  }
  for (int64_t i = 0; i < n; i++) CHECK_NEAR(decoded[0][i], decoded[1][i], 1e-6);
  free(decoded[0]), free(decoded[1]), free(loud), free(full);
}

/* fuzz_api: rpza at 1x48 (and 2x2) and flashsv at 1x1 overran their bitstream buffers and an assertion in
 * FFmpeg aborted the process. Sizes below the codec's minimum are refused; the minimum itself encodes. */
static void case_tiny_frames_rpza_flashsv_abort(void) {
  static const struct { const char *codec; int bad_w, bad_h, least; } cases[] = {
      {"rpza", 1, 48, 4}, {"rpza", 2, 2, 4}, {"flashsv", 1, 1, 2}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    polyenc_encoder *enc = polyenc_encoder_new();
    polyenc_video_config vc = video_cfg(cases[i].bad_w, cases[i].bad_h, 30);
    vc.codec = cases[i].codec;
    polyenc_stream *s = NULL;
    CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_ARGUMENT);
    CHECK_CONTAINS(polyenc_last_error(enc), "below the minimum");
    int n = cases[i].least;
    vc = video_cfg(n, n, 30);
    vc.codec = cases[i].codec;
    s = add_video_ok(enc, &vc);
    CHECK_OK(enc, polyenc_open_memory(enc, "nut"));
    uint8_t rgb[3 * 4 * 4 * 3];
    random_bytes(rgb, sizeof rgb, 7);
    add_rgb24_ok(enc, s, rgb, 3, n, n);
    CHECK_OK(enc, polyenc_close(enc));
    const uint8_t *data;
    size_t size;
    CHECK_OK(enc, polyenc_output(enc, &data, &size));
    video_frames v;
    CHECK_EQ_INT(media_decode_rgb(src_mem(data, size), 0, "bt601", 0, &v), 0);
    CHECK_EQ_INT(v.num_frames, 3);
    video_frames_free(&v);
    polyenc_encoder_free(enc);
  }
}

/* fuzz_api: the chromaprint "muxer" feeds packets to libchromaprint as 16-bit PCM, and adpcm_argo packets
 * of an odd length failed its assertion and aborted the process. It writes a fingerprint, not a media
 * file: refused. */
static void case_chromaprint_muxer_abort(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(44100, 2);
  ac.codec = "adpcm_argo";
  add_audio_ok(enc, &ac);
  CHECK_STATUS(enc, polyenc_open_memory(enc, "chromaprint"), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "fingerprint");
  CHECK_OK(enc, polyenc_open_memory(enc, "argo_asf"));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
}

/* fuzz_api: tta at 186 Hz overran its packet (short frames at that rate) and an assertion aborted the
 * process. tta takes 8000 Hz and up; there the shortest last frames encode and decode. */
static void case_tta_short_last_frame_abort(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(186, 2);
  ac.codec = "tta";
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_audio(enc, &ac, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "below 8000");
  ac = audio_cfg(3, 2);
  ac.codec = "tta";
  ac.out_sample_rate = 186;
  CHECK_STATUS(enc, polyenc_add_audio(enc, &ac, &s), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "out_sample_rate 186");
  polyenc_encoder_free(enc);
  for (int64_t n = 8360; n <= 8362; n++) { /* one whole frame (8359 samples at 8 kHz) and 1 to 3 more */
    float *tone = sine_planar(2, n, 8000, 440);
    enc = polyenc_encoder_new();
    ac = audio_cfg(8000, 2);
    ac.codec = "tta";
    s = add_audio_ok(enc, &ac);
    CHECK_OK(enc, polyenc_open_memory(enc, "tta"));
    add_samples_ok(enc, s, tone, 2, n);
    audio_samples a = close_and_decode_audio(enc);
    CHECK_EQ_INT(a.num_samples, n);
    audio_samples_free(&a);
    polyenc_encoder_free(enc);
    free(tone);
  }
}

/* fuzz_api: closing a caf file whose flac stream got no samples divided by zero in FFmpeg's caf trailer
 * (SIGFPE). The close fails instead, naming the stream, and no file is left. */
static void case_caf_empty_stream_fpe(void) {
  const char *path = tmp_path("empty.caf");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(44100, 2);
  ac.codec = "flac";
  add_audio_ok(enc, &ac);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  CHECK_STATUS(enc, polyenc_close(enc), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "stream 0 empty");
  polyenc_encoder_free(enc);
  CHECK(!file_exists(path));
}
