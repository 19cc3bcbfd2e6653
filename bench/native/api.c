/* polyenc's C API in-process: raw rgb24 frames already in memory -> libx264 -> mp4 file.
 * Timed: from polyenc_encoder_new to polyenc_close (open, every frame, flush, trailer); reading the
 * input file is not. Prints {"seconds": S, "frames": N}.
 *   polyenc_bench_api IN.rgb WxH FRAMES PRESET THREADS OUT.mp4 */
#include "bench_util.h"

#include <polyenc/polyenc.h>

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s IN.rgb WxH FRAMES PRESET THREADS OUT.mp4\n", argv[0]);
    return 2;
  }
  int w, h;
  bench_parse_size(argv[2], &w, &h);
  int frames = atoi(argv[3]), threads = atoi(argv[5]);
  size_t size, frame_bytes = (size_t)w * h * 3;
  unsigned char *rgb = bench_read_file(argv[1], &size);
  if (size < frame_bytes * (size_t)frames) bench_die("input is shorter than the frames asked for", argv[1]);

  double t0 = bench_now(), c0 = bench_cpu_now();
  polyenc_encoder *enc = polyenc_encoder_new();
  if (!enc) bench_die("polyenc_encoder_new", "out of memory");
  polyenc_video_config vc;
  polyenc_video_config_init(&vc);
  vc.width = w, vc.height = h, vc.frame_rate = 30, vc.codec = "libx264", vc.preset = argv[4], vc.threads = threads;
  polyenc_stream *video;
  if (polyenc_add_video(enc, &vc, &video) || polyenc_open_file(enc, argv[6], NULL))
    bench_die("polyenc open", polyenc_last_error(enc));
  for (int i = 0; i < frames; i++) {
    polyenc_frames f = {.data = rgb + frame_bytes * (size_t)i, .layout = POLYENC_RGB24, .num_frames = 1,
                        .height = h, .width = w};
    if (polyenc_add_frames(video, &f)) bench_die("polyenc_add_frames", polyenc_last_error(enc));
  }
  if (polyenc_close(enc)) bench_die("polyenc_close", polyenc_last_error(enc));
  double seconds = bench_now() - t0, cpu = bench_cpu_now() - c0;
  polyenc_encoder_free(enc);
  free(rgb);
  printf("{\"seconds\": %.6f, \"cpu_seconds\": %.6f, \"frames\": %d}\n", seconds, cpu, frames);
  return 0;
}
