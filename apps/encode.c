/* polyenc encode: raw frames and f32 PCM from files or standard input into one output, read in time
 * order so that the muxer gets the streams interleaved. Ctrl-C aborts (no output is left); on a terminal a
 * progress line is shown. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "encode.h"

#define bad encode_bad

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig) {
  (void)sig;
  interrupted = 1;
}

static int open_inputs(cli_args *a) {
  for (int i = 0; i < a->num_streams; i++) {
    cli_stream *s = &a->streams[i];
    s->file = strcmp(s->input, "-") ? fopen(s->input, "rb") : stdin;
    if (!s->file) return interrupted ? 130 : bad("cannot read input '%s'", s->input);
    s->unit_bytes = s->is_video ? encode_frame_bytes(s->layout, s->video.width, s->video.height)
                                : sizeof(float) * AUDIO_CHUNK * (size_t)s->audio.num_channels;
    if (!(s->buffer = malloc(s->unit_bytes))) return bad("%s", "out of memory");
  }
  return 0;
}

static double stream_time(const cli_stream *s) {
  if (s->pts && s->units < s->num_pts) return (double)s->pts[s->units] / TIMESTAMP_TICKS;
  return s->is_video ? (double)s->units / s->video.frame_rate : (double)s->units / s->audio.sample_rate;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The progress line, on a terminal only: at most every 0.5 s, or now when final. */
typedef struct progress {
  int on, shown;
  double start, last;
} progress;

static void progress_show(progress *p, const polyenc_encoder *enc, int final) {
  if (!p->on) return;
  double t = now();
  if (!final && t - p->last < 0.5) return;
  p->last = t;
  polyenc_stats st;
  if (polyenc_get_stats(enc, NULL, &st)) return;
  double elapsed = t - p->start;
  fprintf(stderr, "\rframes %lld  time %.2f s  size %lld bytes  %.1f fps   ", (long long)st.frames, st.seconds,
          (long long)st.bytes, elapsed > 0 ? (double)st.frames / elapsed : 0.0);
  p->shown = 1;
  fflush(stderr);
}

/* Ends the progress line (a newline) before anything else is printed. */
static void progress_end(progress *p) {
  if (p->shown) fputc('\n', stderr);
  p->shown = 0;
}

static int add_video_frame(polyenc_encoder *enc, cli_stream *s, cli_args *a) {
  polyenc_frames f = {.data = s->buffer, .layout = s->layout, .num_frames = 1,
                      .height = s->video.height, .width = s->video.width};
  char what[4200];
  if (s->pts) {
    if (s->units >= s->num_pts)
      return bad("--timestamps '%s' has %lld timestamps: none for frame %lld (counting from 1) of input '%s'",
                 a->timestamps, (long long)s->num_pts, (long long)s->units + 1, s->input);
    f.pts = &s->pts[s->units];
    snprintf(what, sizeof what, "add_frames, frame %lld (--timestamps line %d)", (long long)s->units + 1,
             s->lines[s->units]);
  }
  polyenc_status st = polyenc_add_frames(s->stream, &f);
  s->units++;
  return st ? cli_fail(enc, s->pts ? what : "add_frames", st) : 0;
}

/* Feeds the stream that is furthest behind in time, one unit at a time, until every input ends or Ctrl-C. */
static int feed(polyenc_encoder *enc, cli_args *a, progress *p) {
  for (;;) {
    cli_stream *next = NULL;
    for (int i = 0; i < a->num_streams; i++)
      if (!a->streams[i].done && (!next || stream_time(&a->streams[i]) < stream_time(next))) next = &a->streams[i];
    if (interrupted) return 130;
    if (!next) break;
    size_t got = fread(next->buffer, 1, next->unit_bytes, next->file);
    if (interrupted) return 130;
    if (next->is_video) {
      if (got < next->unit_bytes) {
        next->done = 1;
        if (got) return bad("input '%s' ends in the middle of a frame", next->input);
        continue;
      }
      int rc = add_video_frame(enc, next, a);
      if (rc) return rc;
    } else {
      size_t frame = sizeof(float) * (size_t)next->audio.num_channels;
      if (got < next->unit_bytes) next->done = 1;
      if (got % frame) return bad("input '%s' ends in the middle of a sample", next->input);
      polyenc_status st = polyenc_add_samples(next->stream, (const float *)next->buffer, POLYENC_SAMPLES_INTERLEAVED,
                                              next->audio.num_channels, (int64_t)(got / frame));
      next->units += (int64_t)(got / frame);
      if (st) return cli_fail(enc, "add_samples", st);
    }
    progress_show(p, enc, 0);
  }
  for (int i = 0; i < a->num_streams; i++) {
    const cli_stream *s = &a->streams[i];
    if (s->pts && s->units < s->num_pts)
      return bad("--timestamps '%s' has %lld timestamps for %lld frames of input '%s' (one per frame: drop the last "
                 "%lld, from line %d)", a->timestamps, (long long)s->num_pts, (long long)s->units, s->input,
                 (long long)(s->num_pts - s->units), s->lines[s->units]);
  }
  return 0;
}

/* OUT "-": standard output, a writer without seek (mp4 / mov are then written fragmented). */
static int write_stdout(void *opaque, const uint8_t *data, size_t size) {
  (void)opaque;
  return fwrite(data, 1, size, stdout) == size ? 0 : -1;
}

static polyenc_status open_output(polyenc_encoder *enc, const cli_args *a) {
  if (strcmp(a->out, "-")) return polyenc_open_file(enc, a->out, a->format);
  signal(SIGPIPE, SIG_IGN); /* a reader that goes away fails the write, with the library's message */
  polyenc_writer w = {NULL, write_stdout, NULL};
  return polyenc_open_writer(enc, &w, a->format);
}

/* Streams, metadata, open: 0, or 1 after the library's message. */
static int setup(polyenc_encoder *enc, cli_args *a) {
  for (int i = 0; i < a->num_streams; i++) {
    cli_stream *s = &a->streams[i];
    polyenc_status st;
    if (s->is_video) {
      s->video.options = s->num_options ? s->options : NULL;
      st = polyenc_add_video(enc, &s->video, &s->stream);
    } else {
      s->audio.options = s->num_options ? s->options : NULL;
      st = polyenc_add_audio(enc, &s->audio, &s->stream);
    }
    if (st) return cli_fail(enc, s->is_video ? "--video" : "--audio", st);
  }
  for (int i = 0; i < a->num_metadata; i++) {
    polyenc_status st = polyenc_set_metadata(enc, NULL, a->metadata[2 * i], a->metadata[2 * i + 1]);
    if (st) return cli_fail(enc, "--metadata", st);
  }
  if (!strcmp(a->out, "-") && !a->format)
    return bad("%s", "OUT '-' (standard output) needs --format (mkv, webm, mp4: written fragmented, ...)");
  polyenc_status st = open_output(enc, a);
  return st ? cli_fail(enc, "open", st) : 0;
}

int cli_encode(int argc, char **argv) {
  cli_args *a = calloc(1, sizeof *a);
  if (!a) return 1;
  int rc = encode_parse_args(argc, argv, a);
  polyenc_encoder *enc = rc ? NULL : polyenc_encoder_new();
  if (!rc && !enc) rc = bad("%s", "out of memory");
  if (!rc) rc = setup(enc, a);
  if (!rc) {
    /* Ctrl-C from here on (a FIFO input may wait in its open) stops at the next frame and removes the output */
    progress p = {.on = isatty(2), .start = now()};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint; /* no SA_RESTART: a read waiting for input returns at once */
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    int handled = sigaction(SIGINT, &sa, &old) == 0;
    rc = open_inputs(a);
    if (!rc) rc = feed(enc, a, &p);
    if (handled) sigaction(SIGINT, &old, NULL);
    if (interrupted) rc = 130;
    if (!rc) {
      polyenc_status st = polyenc_close(enc);
      progress_show(&p, enc, 1);
      progress_end(&p);
      if (st) rc = cli_fail(enc, "close", st);
      else if (!strcmp(a->out, "-") && fflush(stdout)) rc = bad("%s", "writing to standard output failed");
    } else {
      progress_end(&p);
    }
    if (rc == 130) fputs("polyenc encode: aborted\n", stderr);
  }
  if (rc && enc) polyenc_abort(enc); /* an output that failed or was interrupted is removed, not left half written */
  polyenc_encoder_free(enc);
  for (int i = 0; i < a->num_streams; i++) {
    if (a->streams[i].file && a->streams[i].file != stdin) fclose(a->streams[i].file);
    free(a->streams[i].buffer);
    free(a->streams[i].pts);
    free(a->streams[i].lines);
    for (int k = 0; k < a->streams[i].num_options; k++) free((char *)a->streams[i].options[2 * k]); /* the keys */
  }
  for (int i = 0; i < a->num_metadata; i++) free((char *)a->metadata[2 * i]); /* the keys */
  free(a);
  return rc;
}
