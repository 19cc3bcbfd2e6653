/* libFuzzer target: mux-only streams. polyenc_add_encoded_video with a fuzzed codec name, dimensions,
 * frame rate / time base and extradata bytes, then polyenc_add_packet with fuzzed bytes, pts / dts /
 * duration and key flags, into mp4 / mov / mkv / webm / mpegts / ... (or any muxer of this build) via
 * memory or a writer (seekable or not), close, output.
 *
 * Invariants (abort = finding): every failure has a known status and a non-empty message; after the
 * output failed (a non-argument error) every later call fails; free releases everything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

enum { MAX_PACKETS = 16, MAX_PACKET = 1024, MAX_EXTRADATA = 256 };

static const char *const codecs[] = {"h264", "hevc", "vp9", "av1", "vp8", "mpeg4", "mjpeg", "prores", "rawvideo",
                                     "theora", "mpeg2video", "png", "ffv1", "dnxhd", "h263", "flv1", "vvc"};
static const char *const containers[] = {"mp4", "mov", "matroska", "webm", "mpegts", "nut", "avi", "ivf", "h264", "hevc",
                                         "flv", "ogg", "ipod", "ismv", "mkv", "obu", "mxf", "3gp", "f4v", "asf"};
enum { NUM_CODECS = sizeof codecs / sizeof *codecs, NUM_CONTAINERS = sizeof containers / sizeof *containers };

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_names_init();
  return 0;
}

static void fail_if_ok_after_failure(polyenc_status st, int failed, const char *call) {
  if (st == POLYENC_OK && failed) {
    fprintf(stderr, "%s returned POLYENC_OK after the output failed\n", call);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const fuzz_names *names = fuzz_names_init();
  fuzz_literals_reset();
  fuzz_in in = {data, size};
  polyenc_encoded_video_config ec = {0};
  uint8_t mode = in_u8(&in);
  ec.codec = mode < 200 ? codecs[mode % NUM_CODECS] : in_name(&in, &names->video_specs, 1);
  mode = in_u8(&in);
  const char *format = mode < 200 ? containers[mode % NUM_CONTAINERS] : in_name(&in, &names->muxers, 1);
  ec.width = in_int(&in, 1, 64);
  ec.height = in_int(&in, 1, 64);
  ec.frame_rate = in_u8(&in) < 64 ? 0 : in_double(&in, 1, 120);
  if (in_bool(&in)) ec.time_base_num = in_int(&in, 1, 1001), ec.time_base_den = in_int(&in, 1, 90000);
  if (in_bool(&in)) ec.pixel_format = in_name(&in, &names->pixel_formats, 1); /* any name, invalid ones too */
  size_t n;
  const uint8_t *extra = in_bytes(&in, in_range(&in, 0, MAX_EXTRADATA), &n);
  uint8_t *extradata = n ? malloc(n) : NULL; /* exactly the bytes given: an over-read is a finding */
  if (n && !extradata) abort();
  if (n) memcpy(extradata, extra, n);
  ec.extradata = extradata;
  ec.extradata_size = n;
  int sink = in_range(&in, 0, 2); /* memory, seekable writer, writer without seek */
  int also_video = in_u8(&in) > 230; /* a second, encoded stream next to it */

  fault_writer fw;
  fault_writer_init(&fw, -1, -1);
  polyenc_encoder *enc = polyenc_encoder_new();
  if (!enc) abort();
  polyenc_stream *s = NULL, *s2 = NULL;
  polyenc_status st = polyenc_add_encoded_video(enc, &ec, &s);
  expect_clean(enc, st, "polyenc_add_encoded_video");
  if (!st && also_video) {
    polyenc_video_config vc;
    polyenc_video_config_init(&vc);
    vc.width = 16, vc.height = 16, vc.frame_rate = 25, vc.threads = 1;
    expect_clean(enc, polyenc_add_video(enc, &vc, &s2), "polyenc_add_video");
  }
  if (st) goto done;
  polyenc_writer writer = fault_writer_api(&fw, sink == 1);
  st = sink ? polyenc_open_writer(enc, &writer, format) : polyenc_open_memory(enc, format);
  expect_clean(enc, st, "open");
  if (st) goto done;

  int failed = 0; /* the output failed: every later call must fail */
  int64_t dts = in_i64(&in, -100, 100);
  int packets = in_range(&in, 0, MAX_PACKETS);
  for (int i = 0; i < packets && in.n; i++) {
    size_t size_given;
    int annex_b = in_u8(&in) < 64;
    const uint8_t *bytes = in_bytes(&in, in_range(&in, 0, MAX_PACKET), &size_given);
    size_t psize = size_given + (annex_b ? 4 : 0);
    uint8_t *pkt = psize ? malloc(psize) : NULL;
    if (psize && !pkt) abort();
    if (annex_b) memcpy(pkt, "\0\0\0\1", 4);
    if (size_given) memcpy(pkt + (annex_b ? 4 : 0), bytes, size_given);
    uint8_t tmode = in_u8(&in);
    dts = tmode < 200 ? sat_add(dts, in_range(&in, 0, 3)) : in_i64(&in, -1000, 1000);
    int64_t pts = in_u8(&in) < 200 ? sat_add(dts, in_range(&in, 0, 3)) : in_i64(&in, -1000, 1000);
    int64_t duration = in_u8(&in) < 200 ? in_range(&in, 0, 2) : in_i64(&in, -2, 1000);
    int key = i == 0 ? in_u8(&in) < 240 : in_bool(&in);
    if (getenv("POLYENC_FUZZ_TRACE"))
      fprintf(stderr, "packet %d: %zu bytes pts %lld dts %lld duration %lld key %d (codec %s, %s, %dx%d, rate %g, tb %d/%d)\n", i,
              psize, (long long)pts, (long long)dts, (long long)duration, key, ec.codec, format, ec.width, ec.height,
              ec.frame_rate, ec.time_base_num, ec.time_base_den);
    st = polyenc_add_packet(s, pkt, psize, pts, dts, duration, key);
    expect_clean(enc, st, "polyenc_add_packet");
    fail_if_ok_after_failure(st, failed, "polyenc_add_packet");
    if (st && st != POLYENC_ERR_ARGUMENT) failed = 1;
    free(pkt);
  }
  st = polyenc_close(enc);
  expect_clean(enc, st, "polyenc_close");
  fail_if_ok_after_failure(st, failed, "polyenc_close");
  if (st) failed = 1;
  fail_if_ok_after_failure(polyenc_add_packet(s, (const uint8_t *)"x", 1, 0, 0, 1, 1), 1, "polyenc_add_packet after close");
  st = polyenc_close(enc);
  expect_clean(enc, st, "polyenc_close (again)");
  fail_if_ok_after_failure(st, failed, "polyenc_close (again)");
  if (!sink && !failed) {
    const uint8_t *out;
    size_t out_size;
    st = polyenc_output(enc, &out, &out_size);
    expect_clean(enc, st, "polyenc_output");
    if (st) abort(); /* a closed memory output has its bytes */
    touch_bytes(out, out_size);
  }
done:
  polyenc_encoder_free(enc);
  fault_writer_free(&fw);
  free(extradata);
  fuzz_tmp_clean();
  return 0;
}
