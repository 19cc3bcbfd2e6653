/* polyenc demo: a moving test pattern and a 440 Hz tone into one file, read back and printed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

enum { WIDTH = 1280, HEIGHT = 720, FPS = 30, SECONDS = 3, RATE = 48000, CHANNELS = 2 };

/* Colour bars scrolling left, a white square moving right: motion the encoder has to follow. */
static void draw_frame(uint8_t *rgb, int t) {
  static const uint8_t bars[8][3] = {{235, 235, 235}, {235, 235, 16}, {16, 235, 235}, {16, 235, 16},
                                     {235, 16, 235},  {235, 16, 16},  {16, 16, 235},  {16, 16, 16}};
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH; x++) {
      uint8_t *p = rgb + ((size_t)y * WIDTH + x) * 3;
      const uint8_t *bar = bars[((x + 8 * t) % WIDTH) * 8 / WIDTH];
      int ramp = y * 255 / HEIGHT;
      for (int c = 0; c < 3; c++) p[c] = (uint8_t)((bar[c] * 3 + ramp) / 4);
      int sx = 40 + t * 12, sy = HEIGHT / 2 - 60;
      if (x >= sx && x < sx + 120 && y >= sy && y < sy + 120) p[0] = p[1] = p[2] = 255;
    }
}

int cli_demo(int argc, char **argv) {
  const char *out = argc > 0 ? argv[0] : "demo.mp4";
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc;
  polyenc_video_config_init(&vc);
  vc.width = WIDTH, vc.height = HEIGHT, vc.frame_rate = FPS;
  polyenc_audio_config ac;
  polyenc_audio_config_init(&ac);
  ac.sample_rate = RATE, ac.num_channels = CHANNELS;
  polyenc_stream *video, *audio;
  uint8_t *rgb = malloc((size_t)WIDTH * HEIGHT * 3);
  float *pcm = malloc(sizeof(float) * CHANNELS * (RATE / FPS));
  polyenc_status st = !enc || !rgb || !pcm ? POLYENC_ERR_NOMEM : POLYENC_OK;
  const char *step = "setup";
  if (!st) step = "add_video", st = polyenc_add_video(enc, &vc, &video);
  if (!st) step = "add_audio", st = polyenc_add_audio(enc, &ac, &audio);
  if (!st) step = "open", st = polyenc_open_file(enc, out, NULL);
  /* One frame and one frame's worth of tone at a time, as a program generating media would. */
  for (int t = 0; !st && t < FPS * SECONDS; t++) {
    draw_frame(rgb, t);
    polyenc_frames frames = {.data = rgb, .layout = POLYENC_RGB24, .num_frames = 1, .height = HEIGHT, .width = WIDTH};
    step = "add_frames", st = polyenc_add_frames(video, &frames);
    int n = RATE / FPS;
    for (int i = 0; i < n; i++) {
      float v = 0.5f * sinf(2.0f * 3.14159265f * 440.0f * (float)(t * n + i) / RATE);
      for (int c = 0; c < CHANNELS; c++) pcm[i * CHANNELS + c] = v;
    }
    if (!st) step = "add_samples", st = polyenc_add_samples(audio, pcm, POLYENC_SAMPLES_INTERLEAVED, CHANNELS, n);
  }
  if (!st) step = "close", st = polyenc_close(enc);
  int rc = st ? cli_fail(enc, step, st) : cli_print_streams(out);
  polyenc_encoder_free(enc);
  free(rgb);
  free(pcm);
  return rc;
}
