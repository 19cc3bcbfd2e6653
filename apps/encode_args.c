/* polyenc encode: the command line, and the --timestamps file. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"

int encode_bad(const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  fprintf(stderr, "polyenc encode: ");
  vfprintf(stderr, format, ap);
  fputs(" (see polyenc --help)\n", stderr);
  va_end(ap);
  return 2;
}
#define bad encode_bad

static int parse_layout(const char *s, polyenc_layout *out) {
  static const char *const names[] = {"rgb-planar", "rgb24", "rgba", "bgra", "yuv420p",
                                      "rgb48", "rgba64", "rgb-planar16", "rgb-planar-f32"};
  for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
    if (!strcmp(s, names[i])) return *out = (polyenc_layout)i, 0;
  return -1;
}

size_t encode_frame_bytes(polyenc_layout layout, int w, int h) {
  size_t plane = (size_t)w * h;
  if (layout == POLYENC_YUV420P) return plane + 2 * (size_t)((w + 1) / 2) * ((h + 1) / 2);
  switch (layout) {
  case POLYENC_RGBA:
  case POLYENC_BGRA: return plane * 4;
  case POLYENC_RGB48:
  case POLYENC_RGB_PLANAR16: return plane * 6;
  case POLYENC_RGBA64: return plane * 8;
  case POLYENC_RGB_PLANAR_F32: return plane * 12;
  default: return plane * 3;
  }
}

static double parse_rate(const char *s) {
  double num = 0, den = 1;
  if (sscanf(s, "%lf/%lf", &num, &den) < 1 || den <= 0) return -1;
  return num / den;
}

/* A whole decimal integer; -1 otherwise. */
static int parse_int(const char *s, int *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (end == s || *end || errno || v < -1000000 || v > 1000000) return -1;
  *out = (int)v;
  return 0;
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
    char *key = strndup(value, (size_t)(eq - value)); /* freed by cli_encode */
    s->options[2 * s->num_options] = key;
    s->options[2 * s->num_options + 1] = eq + 1;
    s->num_options++;
  } else if (!s->is_video) return bad("%s applies to a video stream", flag);
  else if (!strcmp(flag, "--crf")) s->video.crf = atof(value);
  else if (!strcmp(flag, "--preset")) s->video.preset = value;
  else if (!strcmp(flag, "--pixel-format")) s->video.pixel_format = value;
  else if (!strcmp(flag, "--threads")) s->video.threads = atoi(value);
  else if (!strcmp(flag, "--rotation")) {
    if (parse_int(value, &s->video.rotation)) return bad("--rotation takes 0, 90, 180 or 270 (degrees clockwise), got '%s'", value);
  } else if (!strcmp(flag, "--layout")) {
    if (parse_layout(value, &s->layout))
      return bad("--layout must be rgb24, rgba, bgra, rgb-planar, yuv420p, rgb48, rgba64, rgb-planar16 or rgb-planar-f32, "
                 "got '%s'", value);
  } else return bad("unknown option %s", flag);
  return 0;
}

static int add_metadata(cli_args *a, const char *value) {
  const char *eq = strchr(value, '=');
  if (!eq || eq == value) return bad("--metadata takes key=value with a non-empty key, got '%s'", value);
  if (a->num_metadata == MAX_METADATA) return bad("at most 64 --metadata, got more at '%s'", value);
  a->metadata[2 * a->num_metadata] = strndup(value, (size_t)(eq - value)); /* freed by cli_encode */
  a->metadata[2 * a->num_metadata + 1] = eq + 1;
  a->num_metadata++;
  return 0;
}

/* One timestamp in seconds: blank (1), a number (0, *us set) or not (-1). */
static int parse_seconds(char *line, int64_t *us) {
  size_t n = strlen(line);
  while (n && strchr(" \t\r\n\v\f", line[n - 1])) line[--n] = 0;
  char *s = line + strspn(line, " \t\v\f");
  if (!*s) return 1;
  char *end;
  double v = strtod(s, &end);
  if (*end || !isfinite(v) || v < 0 || v > 1e9) return -1; /* 1e9 s: about 32 years, far inside int64 us */
  *us = llround(v * TIMESTAMP_TICKS);
  return 0;
}

/* Reads --timestamps into the first video stream and sets its time base to microseconds. */
static int load_timestamps(cli_args *a) {
  cli_stream *s = NULL;
  for (int i = 0; i < a->num_streams && !s; i++)
    if (a->streams[i].is_video) s = &a->streams[i];
  if (!s) return bad("--timestamps '%s' needs a --video stream", a->timestamps);
  FILE *f = fopen(a->timestamps, "r");
  if (!f) return bad("cannot read --timestamps '%s'", a->timestamps);
  char *line = NULL;
  size_t cap = 0, max = 0;
  int rc = 0;
  for (int number = 1; getline(&line, &cap, f) >= 0; number++) {
    int64_t us;
    int kind = parse_seconds(line, &us);
    if (kind > 0) continue;
    if (kind < 0) {
      rc = bad("--timestamps '%s' line %d: '%.40s' is not a number of seconds between 0 and 1e9 (e.g. 0.04)",
               a->timestamps, number, line);
      break;
    }
    if ((size_t)s->num_pts == max) {
      max = max ? 2 * max : 1024;
      int64_t *pts = realloc(s->pts, max * sizeof *pts);
      int *lines = pts ? realloc(s->lines, max * sizeof *lines) : NULL;
      if (pts) s->pts = pts;
      if (lines) s->lines = lines;
      if (!pts || !lines) {
        rc = bad("%s", "out of memory");
        break;
      }
    }
    s->lines[s->num_pts] = number;
    s->pts[s->num_pts++] = us;
  }
  if (!rc && ferror(f)) rc = bad("cannot read --timestamps '%s'", a->timestamps);
  free(line);
  fclose(f);
  s->video.time_base_num = 1;
  s->video.time_base_den = TIMESTAMP_TICKS;
  return rc;
}

int encode_parse_args(int argc, char **argv, cli_args *a) {
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
    } else if (!strcmp(flag, "--timestamps")) {
      if (a->timestamps) return bad("only one --timestamps is allowed, got '%s' too", value);
      a->timestamps = value;
    } else if (!strcmp(flag, "--metadata")) {
      if (add_metadata(a, value)) return 2;
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
  return a->timestamps ? load_timestamps(a) : 0;
}
