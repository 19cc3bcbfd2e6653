/* Many small clips with polyenc's C API in one process: CLIPS clips of FRAMES rgb24 frames each (the same
 * frames, already in memory), every clip its own encoder into memory (mp4, libx264). Then SETUP clips of
 * one frame each, timed one by one: the cost of an encoder's set-up and tear-down (median).
 * The last clip of FRAMES frames is written to OUT.mp4. Prints
 * {"seconds": S (all CLIPS clips), "clips": CLIPS, "setup_seconds": median of the one-frame clips}.
 *   polyenc_bench_clips IN.rgb WxH FRAMES CLIPS SETUP PRESET THREADS OUT.mp4 */
#include "../native/bench_util.h"

#include <polyenc/polyenc.h>

typedef struct clip_args {
  const unsigned char *rgb;
  int w, h, frames, threads;
  const char *preset;
} clip_args;

/* One clip into memory; the bytes are written to out when out is not NULL. */
static void encode_clip(const clip_args *a, int frames, const char *out) {
  polyenc_encoder *enc = polyenc_encoder_new();
  if (!enc) bench_die("polyenc_encoder_new", "out of memory");
  polyenc_video_config vc;
  polyenc_video_config_init(&vc);
  vc.width = a->w, vc.height = a->h, vc.frame_rate = 30, vc.codec = "libx264", vc.preset = a->preset;
  vc.threads = a->threads;
  polyenc_stream *video;
  if (polyenc_add_video(enc, &vc, &video) || polyenc_open_memory(enc, "mp4"))
    bench_die("polyenc open", polyenc_last_error(enc));
  polyenc_frames f = {.data = a->rgb, .layout = POLYENC_RGB24, .num_frames = frames, .height = a->h, .width = a->w};
  if (polyenc_add_frames(video, &f) || polyenc_close(enc)) bench_die("polyenc encode", polyenc_last_error(enc));
  if (out) {
    const uint8_t *data;
    size_t size;
    FILE *fp = fopen(out, "wb");
    if (polyenc_output(enc, &data, &size) || !fp || fwrite(data, 1, size, fp) != size || fclose(fp))
      bench_die("cannot write", out);
  }
  polyenc_encoder_free(enc);
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

int main(int argc, char **argv) {
  if (argc != 9) {
    fprintf(stderr, "usage: %s IN.rgb WxH FRAMES CLIPS SETUP PRESET THREADS OUT.mp4\n", argv[0]);
    return 2;
  }
  clip_args a = {.frames = atoi(argv[3]), .preset = argv[6], .threads = atoi(argv[7])};
  bench_parse_size(argv[2], &a.w, &a.h);
  int clips = atoi(argv[4]), setup = atoi(argv[5]);
  size_t size;
  a.rgb = bench_read_file(argv[1], &size);
  if (size < (size_t)a.w * a.h * 3 * (size_t)a.frames) bench_die("input is shorter than a clip", argv[1]);
  if (clips < 1 || setup < 1) bench_die("CLIPS and SETUP must be >= 1", argv[4]);

  double t0 = bench_now();
  for (int i = 0; i < clips; i++) encode_clip(&a, a.frames, i == clips - 1 ? argv[8] : NULL);
  double seconds = bench_now() - t0;

  double *one = malloc(sizeof(double) * (size_t)setup);
  if (!one) bench_die("clips bench", "out of memory");
  for (int i = 0; i < setup; i++) {
    double s = bench_now();
    encode_clip(&a, 1, NULL);
    one[i] = bench_now() - s;
  }
  qsort(one, (size_t)setup, sizeof(double), cmp_double);
  printf("{\"seconds\": %.6f, \"clips\": %d, \"setup_seconds\": %.6f}\n", seconds, clips, one[setup / 2]);
  free(one);
  free((void *)a.rgb);
  return 0;
}
