/* polyenc encode: raw frames and f32 PCM from files or standard input into one output, read in time
 * order so that the muxer gets the streams interleaved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { MAX_STREAMS = 16, MAX_OPTIONS = 32, AUDIO_CHUNK = 1024 };

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
} cli_stream;

typedef struct cli_args {
  cli_stream streams[MAX_STREAMS];
  int num_streams;
  const char *out, *format;
} cli_args;

static int bad(const char *format, const char *value) {
  fprintf(stderr, "polyenc encode: ");
  fprintf(stderr, format, value);
  fputs(" (see polyenc --help)\n", stderr);
  return 2;
}

static int parse_layout(const char *s, polyenc_layout *out) {
  static const char *const names[] = {"rgb-planar", "rgb24", "rgba", "bgra", "yuv420p"};
  for (int i = 0; i < 5; i++)
    if (!strcmp(s, names[i])) return *out = (polyenc_layout)i, 0;
  return -1;
}

static size_t frame_bytes(polyenc_layout layout, int w, int h) {
  size_t plane = (size_t)w * h;
  if (layout == POLYENC_YUV420P) return plane + 2 * (size_t)((w + 1) / 2) * ((h + 1) / 2);
  return plane * (layout == POLYENC_RGBA || layout == POLYENC_BGRA ? 4 : 3);
}

static double parse_rate(const char *s) {
  double num = 0, den = 1;
  if (sscanf(s, "%lf/%lf", &num, &den) < 1 || den <= 0) return -1;
  return num / den;
}

/* Applies one per-stream option to the stream named last. */
static int stream_option(cli_stream *s, const char *flag, const char *value) {
  if (!s) return bad("%s needs a --video or --audio before it", flag);
  if (!strcmp(flag, "--codec")) (s->is_video ? (void)(s->video.codec = value) : (void)(s->audio.codec = value));
  else if (!strcmp(flag, "--bit-rate")) {
    long long b = atoll(value);
    if (s->is_video) s->video.bit_rate = b;
    else s->audio.bit_rate = b;
  } else if (!strcmp(flag, "--option")) {
    const char *eq = strchr(value, '=');
    if (!eq || s->num_options >= MAX_OPTIONS) return bad("--option takes key=value, got '%s'", value);
    char *key = strndup(value, (size_t)(eq - value)); /* lives until exit */
    s->options[2 * s->num_options] = key;
    s->options[2 * s->num_options + 1] = eq + 1;
    s->num_options++;
  } else if (!s->is_video) return bad("%s applies to a video stream", flag);
  else if (!strcmp(flag, "--crf")) s->video.crf = atof(value);
  else if (!strcmp(flag, "--preset")) s->video.preset = value;
  else if (!strcmp(flag, "--pixel-format")) s->video.pixel_format = value;
  else if (!strcmp(flag, "--threads")) s->video.threads = atoi(value);
  else if (!strcmp(flag, "--layout")) {
    if (parse_layout(value, &s->layout)) return bad("--layout must be rgb24, rgba, bgra, rgb-planar or yuv420p, got '%s'", value);
  } else return bad("unknown option %s", flag);
  return 0;
}

static int parse_args(int argc, char **argv, cli_args *a) {
  cli_stream *last = NULL;
  for (int i = 0; i < argc; i++) {
    const char *flag = argv[i];
    if (flag[0] != '-' || !strcmp(flag, "-")) {
      if (a->out) return bad("only one output is allowed, got '%s' too", flag);
      a->out = flag;
      continue;
    }
    if (i + 1 >= argc) return bad("%s needs a value", flag);
    const char *value = argv[++i];
    if (!strcmp(flag, "--video") || !strcmp(flag, "--audio")) {
      if (a->num_streams == MAX_STREAMS) return bad("at most 16 streams, got more at '%s'", value);
      last = &a->streams[a->num_streams++];
      last->is_video = flag[2] == 'v';
      last->layout = POLYENC_RGB24;
      polyenc_video_config_init(&last->video);
      polyenc_audio_config_init(&last->audio);
      if (last->is_video) {
        char rate[64];
        if (sscanf(value, "%dx%d@%63s", &last->video.width, &last->video.height, rate) != 3)
          return bad("--video takes WxH@FPS (e.g. 1920x1080@30), got '%s'", value);
        last->video.frame_rate = parse_rate(rate);
      } else if (sscanf(value, "%d:%d", &last->audio.sample_rate, &last->audio.num_channels) != 2) {
        return bad("--audio takes RATE:CHANNELS (e.g. 48000:2), got '%s'", value);
      }
    } else if (!strcmp(flag, "--video-input") || !strcmp(flag, "--audio-input")) {
      int want_video = flag[2] == 'v';
      if (!last || last->is_video != want_video) return bad("%s must follow the stream it feeds", flag);
      last->input = value;
    } else if (!strcmp(flag, "--format")) {
      a->format = value;
    } else if (stream_option(last, flag, value)) {
      return 2;
    }
  }
  if (!a->out) return bad("%s", "an output path is needed");
  if (!a->num_streams) return bad("%s", "at least one --video or --audio stream is needed");
  int stdin_users = 0;
  for (int i = 0; i < a->num_streams; i++) {
    cli_stream *s = &a->streams[i];
    if (!s->input) s->input = "-";
    stdin_users += !strcmp(s->input, "-");
    if (stdin_users > 1) return bad("%s", "only one stream can read standard input: give the others --video-input/--audio-input FILE");
  }
  return 0;
}

static int open_inputs(cli_args *a) {
  for (int i = 0; i < a->num_streams; i++) {
    cli_stream *s = &a->streams[i];
    s->file = strcmp(s->input, "-") ? fopen(s->input, "rb") : stdin;
    if (!s->file) return bad("cannot read input '%s'", s->input);
    s->unit_bytes = s->is_video ? frame_bytes(s->layout, s->video.width, s->video.height)
                                : sizeof(float) * AUDIO_CHUNK * (size_t)s->audio.num_channels;
    if (!(s->buffer = malloc(s->unit_bytes))) return bad("%s", "out of memory");
  }
  return 0;
}

static double stream_time(const cli_stream *s) {
  return s->is_video ? (double)s->units / s->video.frame_rate : (double)s->units / s->audio.sample_rate;
}

/* Feeds the stream that is furthest behind in time, one unit at a time, until every input ends. */
static int feed(polyenc_encoder *enc, cli_args *a) {
  for (;;) {
    cli_stream *next = NULL;
    for (int i = 0; i < a->num_streams; i++)
      if (!a->streams[i].done && (!next || stream_time(&a->streams[i]) < stream_time(next))) next = &a->streams[i];
    if (!next) return 0;
    size_t got = fread(next->buffer, 1, next->unit_bytes, next->file);
    polyenc_status st;
    if (next->is_video) {
      if (got < next->unit_bytes) {
        next->done = 1;
        if (got) return bad("input '%s' ends in the middle of a frame", next->input);
        continue;
      }
      polyenc_frames f = {.data = next->buffer, .layout = next->layout, .num_frames = 1,
                          .height = next->video.height, .width = next->video.width};
      st = polyenc_add_frames(next->stream, &f);
      next->units++;
    } else {
      size_t frame = sizeof(float) * (size_t)next->audio.num_channels;
      if (got < next->unit_bytes) next->done = 1;
      if (got % frame) return bad("input '%s' ends in the middle of a sample", next->input);
      st = polyenc_add_samples(next->stream, (const float *)next->buffer, POLYENC_SAMPLES_INTERLEAVED,
                               next->audio.num_channels, (int64_t)(got / frame));
      next->units += (int64_t)(got / frame);
    }
    if (st) return cli_fail(enc, next->is_video ? "add_frames" : "add_samples", st);
  }
}

int cli_encode(int argc, char **argv) {
  cli_args *a = calloc(1, sizeof *a);
  if (!a) return 1;
  int rc = parse_args(argc, argv, a);
  polyenc_encoder *enc = rc ? NULL : polyenc_encoder_new();
  for (int i = 0; !rc && i < a->num_streams; i++) {
    cli_stream *s = &a->streams[i];
    polyenc_status st;
    if (s->is_video) {
      s->video.options = s->num_options ? s->options : NULL;
      st = polyenc_add_video(enc, &s->video, &s->stream);
    } else {
      s->audio.options = s->num_options ? s->options : NULL;
      st = polyenc_add_audio(enc, &s->audio, &s->stream);
    }
    if (st) rc = cli_fail(enc, s->is_video ? "--video" : "--audio", st);
  }
  if (!rc) {
    polyenc_status st = polyenc_open_file(enc, a->out, a->format);
    if (st) rc = cli_fail(enc, "open", st);
  }
  if (!rc) rc = open_inputs(a);
  if (!rc) rc = feed(enc, a);
  if (!rc) {
    polyenc_status st = polyenc_close(enc);
    if (st) rc = cli_fail(enc, "close", st);
  }
  polyenc_encoder_free(enc);
  for (int i = 0; i < a->num_streams; i++) {
    if (a->streams[i].file && a->streams[i].file != stdin) fclose(a->streams[i].file);
    free(a->streams[i].buffer);
  }
  free(a);
  return rc;
}
