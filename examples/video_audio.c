/* The tutorial's first example in C: one video stream and one audio stream into one MP4.
 * Build: cc video_audio.c $(pkg-config --cflags --libs polyenc) -lm */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <polyenc/polyenc.h>

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "video_audio.mp4";
  enum { W = 640, H = 360, N = 60, RATE = 16000 };
  const double fps = 24;

  /* 60 frames N x 3 x H x W (planar RGB, like a torch tensor) and a 440 Hz tone as long as the video */
  uint8_t *frames = malloc((size_t)N * 3 * H * W);
  for (int n = 0; n < N; n++)
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) frames[(((size_t)n * 3 + c) * H + y) * W + x] = (uint8_t)(x + y * c + 4 * n);
  int64_t num_samples = (int64_t)(RATE * N / fps);
  float *samples = malloc(sizeof(float) * num_samples); /* shape (1, num_samples) */
  for (int64_t i = 0; i < num_samples; i++) samples[i] = sinf(2 * 3.14159265f * 440 * (float)i / RATE);

  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc;
  polyenc_video_config_init(&vc);
  vc.width = W, vc.height = H, vc.frame_rate = fps;
  polyenc_audio_config ac;
  polyenc_audio_config_init(&ac);
  ac.sample_rate = RATE, ac.num_channels = 1;
  polyenc_stream *video, *audio;
  polyenc_frames f = {.data = frames, .layout = POLYENC_RGB_PLANAR, .num_frames = N, .height = H, .width = W};

  polyenc_status st = polyenc_add_video(enc, &vc, &video);
  if (!st) st = polyenc_add_audio(enc, &ac, &audio);
  if (!st) st = polyenc_open_file(enc, path, NULL);
  if (!st) st = polyenc_add_frames(video, &f);
  if (!st) st = polyenc_add_samples(audio, samples, POLYENC_SAMPLES_PLANAR, 1, num_samples);
  if (!st) st = polyenc_close(enc);
  if (st) fprintf(stderr, "%s: %s\n", polyenc_status_name(st), polyenc_last_error(enc));
  else printf("Encoded video + audio to %s\n", path);
  polyenc_encoder_free(enc);
  free(frames);
  free(samples);
  return st ? 1 : 0;
}
