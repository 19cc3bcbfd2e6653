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
  int gpus = polyenc_cuda_device_count();
  printf("cuda:\n  devices        %d\n", gpus);
  printf("  nvenc          %s\n", polyenc_has_encoder("h264_nvenc") ? "yes" : "no (cuda streams use a CPU encoder)");
  return 0;
}
