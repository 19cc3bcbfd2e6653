/* The encode-only limit: libx264 called directly on yuv420p frames already in memory, no colour
 * conversion, no muxing (the NAL units are appended to a buffer in memory and written as an Annex B
 * .h264 file after the timing). Timed: x264_encoder_open to the last delayed frame flushed, with the
 * same preset, thread count and rate control (crf 23) as libavcodec's libx264 gives by default.
 * Prints {"seconds": S, "frames": N}.
 *   polyenc_bench_x264 IN.yuv WxH FRAMES PRESET THREADS OUT.h264 */
#include "bench_util.h"

#include <stdint.h>
#include <string.h>
#include <x264.h>

typedef struct sink {
  unsigned char *data;
  size_t size, cap;
} sink;

static void sink_add(sink *s, const x264_nal_t *nals, int n) {
  for (int i = 0; i < n; i++) {
    size_t len = (size_t)nals[i].i_payload;
    if (s->size + len > s->cap) {
      s->cap = (s->size + len) * 2;
      if (!(s->data = realloc(s->data, s->cap))) bench_die("x264 bench", "out of memory");
    }
    memcpy(s->data + s->size, nals[i].p_payload, len);
    s->size += len;
  }
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s IN.yuv WxH FRAMES PRESET THREADS OUT.h264\n", argv[0]);
    return 2;
  }
  int w, h;
  bench_parse_size(argv[2], &w, &h);
  int frames = atoi(argv[3]), threads = atoi(argv[5]);
  size_t size, luma = (size_t)w * h, chroma = (size_t)(w / 2) * (h / 2), frame_bytes = luma + 2 * chroma;
  unsigned char *yuv = bench_read_file(argv[1], &size);
  if (size < frame_bytes * (size_t)frames) bench_die("input is shorter than the frames asked for", argv[1]);

  x264_param_t p;
  if (x264_param_default_preset(&p, argv[4], NULL) < 0) bench_die("unknown x264 preset", argv[4]);
  p.i_width = w, p.i_height = h, p.i_csp = X264_CSP_I420;
  p.i_fps_num = 30, p.i_fps_den = 1, p.i_timebase_num = 1, p.i_timebase_den = 30;
  p.i_threads = threads > 0 ? threads : X264_THREADS_AUTO;
  p.i_log_level = X264_LOG_ERROR;
  p.b_annexb = 1, p.b_repeat_headers = 1;

  sink out = {0};
  x264_picture_t pic, pic_out;
  x264_picture_init(&pic);
  pic.img.i_csp = X264_CSP_I420, pic.img.i_plane = 3;
  pic.img.i_stride[0] = w, pic.img.i_stride[1] = pic.img.i_stride[2] = w / 2;
  x264_nal_t *nals;
  int num_nals;

  double t0 = bench_now(), c0 = bench_cpu_now();
  x264_t *enc = x264_encoder_open(&p);
  if (!enc) bench_die("x264_encoder_open", argv[4]);
  for (int i = 0; i < frames; i++) {
    unsigned char *f = yuv + frame_bytes * (size_t)i;
    pic.img.plane[0] = f, pic.img.plane[1] = f + luma, pic.img.plane[2] = f + luma + chroma;
    pic.i_pts = i;
    if (x264_encoder_encode(enc, &nals, &num_nals, &pic, &pic_out) < 0) bench_die("x264_encoder_encode", "failed");
    sink_add(&out, nals, num_nals);
  }
  while (x264_encoder_delayed_frames(enc)) {
    if (x264_encoder_encode(enc, &nals, &num_nals, NULL, &pic_out) < 0) bench_die("x264_encoder_encode", "flush");
    sink_add(&out, nals, num_nals);
  }
  x264_encoder_close(enc);
  double seconds = bench_now() - t0, cpu = bench_cpu_now() - c0;

  FILE *f = fopen(argv[6], "wb");
  if (!f || fwrite(out.data, 1, out.size, f) != out.size || fclose(f)) bench_die("cannot write", argv[6]);
  free(out.data);
  free(yuv);
  printf("{\"seconds\": %.6f, \"cpu_seconds\": %.6f, \"frames\": %d}\n", seconds, cpu, frames);
  return 0;
}
