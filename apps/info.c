/* polyenc info: what this build and machine can do. */
#include <stdio.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#include "cli.h"

static void print_version(const char *name, unsigned v) {
  printf("  %-14s %u.%u.%u\n", name, v >> 16, (v >> 8) & 0xff, v & 0xff);
}

/* Why a cuda stream cannot be added here, in the library's own words. */
static void print_cuda_problem(void) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc;
  polyenc_video_config_init(&vc);
  vc.width = 64, vc.height = 64, vc.frame_rate = 30, vc.device = "cuda";
  polyenc_stream *s;
  if (enc && polyenc_add_video(enc, &vc, &s) != POLYENC_OK) printf("  (%s)\n", polyenc_last_error(enc));
  polyenc_encoder_free(enc);
}

/* Each device, its NVENC encoders, and the path a cuda stream with the default codec takes on it. */
static void print_cuda(void) {
  static const char *const nvencs[] = {"h264_nvenc", "hevc_nvenc", "av1_nvenc"};
  int gpus = polyenc_cuda_device_count();
  printf("cuda:\n  devices        %d\n", gpus);
  if (!gpus) print_cuda_problem();
  for (int i = 0; i < gpus; i++) {
    char name[256];
    if (polyenc_cuda_device_name(i, name, sizeof name) < 0) name[0] = '\0';
    printf("  cuda:%-9d %s\n", i, name[0] ? name : "(unnamed)");
    int h264 = 0;
    printf("    nvenc       ");
    for (int k = 0; k < 3; k++) {
      int ok = polyenc_cuda_has_nvenc(i, nvencs[k]);
      if (k == 0) h264 = ok;
      printf(" %s %s", nvencs[k], ok ? "yes" : "no");
    }
    printf("\n    cuda streams  %s\n", h264 ? "NVENC (h264_nvenc for mp4/mov/mkv), converted on the GPU into its CUDA frames"
                                           : "converted on the GPU, encoded on the CPU (libx264 for mp4/mov/mkv)");
  }
}

int cli_info(int argc, char **argv) {
  (void)argc, (void)argv;
  static const char *const encoders[] = {"libx264", "libx265", "libvpx-vp9", "libvpx", "libaom-av1", "libsvtav1",
                                         "mpeg4", "h264_nvenc", "hevc_nvenc", "av1_nvenc", "aac", "libopus",
                                         "flac", "libmp3lame", "pcm_s16le", NULL};
  static const char *const muxers[] = {"mp4", "mov", "matroska", "webm", "avi", "ipod", "wav", "flac", "mp3", "ogg", NULL};
  printf("polyenc %s\nFFmpeg %s\n", polyenc_version(), av_version_info());
  print_version("libavcodec", avcodec_version());
  print_version("libavformat", avformat_version());
  print_version("libavutil", avutil_version());
  print_version("libswscale", swscale_version());
  print_version("libswresample", swresample_version());
  printf("encoders:\n");
  for (const char *const *e = encoders; *e; e++) printf("  %-14s %s\n", *e, polyenc_has_encoder(*e) ? "yes" : "no");
  printf("muxers:\n");
  for (const char *const *m = muxers; *m; m++) printf("  %-14s %s\n", *m, av_guess_format(*m, NULL, NULL) ? "yes" : "no");
  print_cuda();
  return 0;
}
