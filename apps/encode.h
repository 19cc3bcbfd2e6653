/* polyenc encode: what the command line asks for (encode_args.c) and the encoding itself (encode.c). */
#ifndef POLYENC_APPS_ENCODE_H
#define POLYENC_APPS_ENCODE_H

#include <stdio.h>

#include "cli.h"

enum { MAX_STREAMS = 16, MAX_OPTIONS = 32, MAX_METADATA = 64, AUDIO_CHUNK = 1024 };

/* --timestamps: the video stream's time base is 1/TIMESTAMP_TICKS (microseconds). */
#define TIMESTAMP_TICKS 1000000

typedef struct cli_stream {
  int is_video;
  polyenc_video_config video;
  polyenc_audio_config audio;
  const char *options[2 * MAX_OPTIONS + 1];
  int num_options;
  const char *input;
  polyenc_layout layout;
  polyenc_stream *stream;
  FILE *file;
  uint8_t *buffer;
  size_t unit_bytes; /* one frame, or AUDIO_CHUNK samples */
  int64_t units;     /* frames or samples read so far */
  int done;
  /* --timestamps (the first video stream only): pts[i] in microseconds, from line lines[i] of the file */
  int64_t *pts;
  int *lines;
  int64_t num_pts;
} cli_stream;

typedef struct cli_args {
  cli_stream streams[MAX_STREAMS];
  int num_streams;
  const char *out, *format;
  const char *timestamps; /* --timestamps FILE */
  const char *metadata[2 * MAX_METADATA]; /* --metadata: key, value, ... (keys malloc'ed) */
  int num_metadata;
} cli_args;

/* Prints "polyenc encode: <message> (see polyenc --help)" and returns 2. */
int encode_bad(const char *format, ...);
/* Fills a from the arguments after "encode" and reads the --timestamps file; 0, or 2 after a message. */
int encode_parse_args(int argc, char **argv, cli_args *a);
size_t encode_frame_bytes(polyenc_layout layout, int w, int h);

#endif
