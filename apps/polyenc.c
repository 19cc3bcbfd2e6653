/* polyenc: demo, encode, info. */
#include <stdio.h>
#include <string.h>

#include <libavformat/avformat.h>

#include "cli.h"

static const char usage[] =
    "usage:\n"
    "  polyenc demo [OUT]        moving test pattern + 440 Hz tone (1280x720 @ 30 fps, 48 kHz stereo, 3 s),\n"
    "                            default demo.mp4; prints the streams it wrote\n"
    "  polyenc encode [options] OUT\n"
    "      --video WxH@FPS        a raw video stream (repeatable)\n"
    "      --video-input FILE|-   its raw frames (default -: standard input)\n"
    "      --layout L             rgb24 (default), rgba, bgra, rgb-planar, yuv420p; 16-bit native endian:\n"
    "                             rgb48, rgba64, rgb-planar16; float32 in [0, 1]: rgb-planar-f32\n"
    "      --audio RATE:CHANNELS  a raw audio stream of f32 interleaved PCM (repeatable)\n"
    "      --audio-input FILE|-   its samples\n"
    "      --codec C --crf N --preset P --pixel-format F --bit-rate B --threads N --option key=value\n"
    "      --rotation DEG         0, 90, 180 or 270: degrees a player turns the picture clockwise (mp4/mov)\n"
    "                             apply to the stream named last before them\n"
    "      --timestamps FILE      pts of the first video stream, one per line in seconds (0, 0.04, ...),\n"
    "                             strictly increasing, exactly one per frame; blank lines ignored\n"
    "      --metadata key=value   a container tag: title, artist, comment, ... (repeatable)\n"
    "      --format F             container (default: from OUT's extension); OUT - is standard output\n"
    "                             (needs --format; mp4 / mov are written fragmented)\n"
    "      On a terminal a progress line is shown. Ctrl-C stops, removes OUT and exits 130.\n"
    "  polyenc info              version, FFmpeg libraries, encoders and muxers, CUDA / NVENC status\n";

int cli_fail(polyenc_encoder *enc, const char *what, polyenc_status st) {
  fprintf(stderr, "polyenc: %s: %s: %s\n", what, polyenc_status_name(st), polyenc_last_error(enc));
  return 1;
}

int cli_print_streams(const char *path) {
  AVFormatContext *fmt = NULL;
  if (avformat_open_input(&fmt, path, NULL, NULL) < 0 || avformat_find_stream_info(fmt, NULL) < 0) {
    fprintf(stderr, "polyenc: cannot read back %s\n", path);
    avformat_close_input(&fmt);
    return 1;
  }
  printf("%s: %s, %.3f s, %lld bytes\n", path, fmt->iformat->name, fmt->duration / (double)AV_TIME_BASE,
         (long long)avio_size(fmt->pb));
  for (unsigned i = 0; i < fmt->nb_streams; i++) {
    const AVStream *st = fmt->streams[i];
    const AVCodecParameters *par = st->codecpar;
    double seconds = st->duration != AV_NOPTS_VALUE ? st->duration * av_q2d(st->time_base) : 0;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO)
      printf("  stream %u: video %s %dx%d @ %d/%d fps, %lld frames, %.3f s\n", i, avcodec_get_name(par->codec_id),
             par->width, par->height, st->avg_frame_rate.num, st->avg_frame_rate.den, (long long)st->nb_frames, seconds);
    else
      printf("  stream %u: audio %s %d Hz, %d channels, %.3f s\n", i, avcodec_get_name(par->codec_id), par->sample_rate,
             par->ch_layout.nb_channels, seconds);
  }
  avformat_close_input(&fmt);
  return 0;
}

int main(int argc, char **argv) {
  /* polyenc --help, and polyenc SUBCOMMAND --help */
  for (int i = 1; i < argc && i <= 2; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") || (i == 1 && !strcmp(argv[i], "help"))) {
      fputs(usage, stdout);
      return 0;
    }
  }
  if (argc >= 2 && !strcmp(argv[1], "demo")) return cli_demo(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "encode")) return cli_encode(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "info")) return cli_info(argc - 2, argv + 2);
  fputs(argc >= 2 ? "polyenc: unknown command\n" : "polyenc: a command is needed\n", stderr);
  fputs(usage, stderr);
  return 2;
}
