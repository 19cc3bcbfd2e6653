/* Threads: separate encoders on separate threads at once (the API's promise, "different encoders
 * may run in parallel"): eight encoders, each a different mix of streams, container and output,
 * start together on eight threads and give the very bytes the same encodes give one at a time in
 * the same process, and every output decodes to its own frames; the library's first calls made by
 * eight threads at once; an encoder with its own worker threads; the encoder's worker thread (src/worker.c)
 * handing every packet and count back to the caller's thread, and started only for frames large enough.
 * scripts/tsan.sh runs these cases under ThreadSanitizer, the worker on for every encoder. */
#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t */
#include <dirent.h>
#include <pthread.h>

#include "helpers.h"

#define CASES(X)                 \
  X(eight_encoders, QUICK)       \
  X(first_calls_at_once, QUICK)  \
  X(frame_threaded_encoder, QUICK) \
  X(worker_hands_back, QUICK)     \
  X(worker_for_large_frames, QUICK)
CHECK_MAIN(CASES)

enum { NUM_JOBS = 8 };

typedef enum out_kind { OUT_FILE, OUT_MEMORY, OUT_WRITER_SEEK, OUT_WRITER_STREAM } out_kind;

/* Deterministic settings: one codec thread (x264 frame threads and lookahead threads reorder work
 * by timing), no MB-tree (see repeatable_x264), and bit-exact muxing where a muxer otherwise writes
 * random ids (Matroska / WebM segment and track UIDs). */
static const char *const x264_default[] = {"x264-params", "mbtree=0", NULL};
static const char *const x264_fast[] = {"preset", "ultrafast", "x264-params", "mbtree=0", NULL};
static const char *const x264_mkv[] = {"x264-params", "mbtree=0", "fflags", "+bitexact", NULL};
static const char *const vp9_fast[] = {"deadline", "realtime", "cpu-used", "8", "fflags", "+bitexact", NULL};

typedef struct job_spec {
  const char *format; /* muxer name or extension */
  out_kind out;
  int w, h, frames;
  double fps;
  polyenc_layout layout;
  const char *const *video_options;
  int second_video; /* a second, smaller video stream (w/2 x h/2) */
  int rate, channels; /* 0: no audio */
  const char *audio_codec;
} job_spec;

static const job_spec k_jobs[NUM_JOBS] = {
    {"mp4", OUT_FILE, 64, 48, 24, 25, POLYENC_RGB24, x264_default, 0, 0, 0, NULL},
    {"mp4", OUT_MEMORY, 96, 64, 20, 30, POLYENC_RGB_PLANAR, x264_fast, 0, 48000, 2, NULL},
    {"mkv", OUT_FILE, 80, 48, 20, 24, POLYENC_RGBA, x264_mkv, 0, 44100, 1, NULL},
    {"webm", OUT_MEMORY, 64, 64, 16, 25, POLYENC_RGB24, vp9_fast, 0, 0, 0, NULL},
    {"webm", OUT_WRITER_SEEK, 48, 32, 16, 20, POLYENC_BGRA, vp9_fast, 0, 48000, 2, NULL},
    {"mp4", OUT_WRITER_STREAM, 112, 64, 30, 30, POLYENC_RGB24, x264_fast, 0, 16000, 1, NULL},
    {"mkv", OUT_MEMORY, 128, 96, 12, 15, POLYENC_YUV420P, x264_mkv, 1, 22050, 2, NULL},
    {"mkv", OUT_WRITER_STREAM, 64, 32, 20, 25, POLYENC_RGB24, x264_mkv, 0, 48000, 1, "flac"},
};

/* The input of a job: frames in the job's layout (built from the RGB pattern), a tone. */
typedef struct job_input {
  uint8_t *rgb;    /* RGB24, for the PSNR check */
  uint8_t *frames; /* in the job's layout */
  size_t frame_size;
  uint8_t *small; /* the second stream's RGB24 frames */
  float *tone;
  int64_t num_samples;
} job_input;

static void make_input(const job_spec *s, job_input *in) {
  const int w = s->w, h = s->h, n = s->frames;
  const size_t px = (size_t)w * h;
  in->rgb = pattern_frames(w, h, n);
  switch (s->layout) {
  case POLYENC_RGB24: in->frame_size = px * 3; break;
  case POLYENC_RGB_PLANAR: in->frame_size = px * 3; break;
  case POLYENC_RGBA:
  case POLYENC_BGRA: in->frame_size = px * 4; break;
  case POLYENC_YUV420P: in->frame_size = px * 3 / 2; break;
  default: CHECK(!"layout not used here");
  }
  in->frames = malloc(in->frame_size * (size_t)n);
  CHECK(in->frames);
  for (int k = 0; k < n; k++) {
    const uint8_t *src = in->rgb + px * 3 * k;
    uint8_t *dst = in->frames + in->frame_size * k;
    for (size_t p = 0; p < px; p++) {
      const uint8_t *c = src + p * 3;
      switch (s->layout) {
      case POLYENC_RGB24: memcpy(dst + p * 3, c, 3); break;
      case POLYENC_RGB_PLANAR: dst[p] = c[0], dst[px + p] = c[1], dst[2 * px + p] = c[2]; break;
      case POLYENC_RGBA: dst[p * 4] = c[0], dst[p * 4 + 1] = c[1], dst[p * 4 + 2] = c[2], dst[p * 4 + 3] = 255; break;
      case POLYENC_BGRA: dst[p * 4] = c[2], dst[p * 4 + 1] = c[1], dst[p * 4 + 2] = c[0], dst[p * 4 + 3] = 0; break;
      default: break;
      }
    }
    if (s->layout == POLYENC_YUV420P) rgb24_to_yuv420p(src, w, h, dst);
  }
  in->small = s->second_video ? pattern_frames(w / 2, h / 2, n) : NULL;
  in->num_samples = s->rate ? (int64_t)(s->rate * (n / s->fps)) : 0;
  in->tone = s->rate ? sine_planar(s->channels, in->num_samples, s->rate, 330) : NULL;
}

static void free_input(job_input *in) {
  free(in->rgb);
  free(in->frames);
  free(in->small);
  free(in->tone);
}

typedef struct job {
  const job_spec *spec;
  const job_input *in;
  char *path; /* OUT_FILE */
  pthread_barrier_t *start; /* NULL: run at once */
  /* results */
  polyenc_status status;
  char error[2048];
  mem_writer out; /* writer and memory outputs; a file output read back */
} job;

/* Feeds frames one at a time with the audio of each frame in between: the muxer interleaves. */
static polyenc_status feed(const job *j, polyenc_stream *v, polyenc_stream *v2, polyenc_stream *a) {
  const job_spec *s = j->spec;
  const job_input *in = j->in;
  polyenc_status st = POLYENC_OK;
  int64_t done = 0;
  for (int k = 0; k < s->frames && !st; k++) {
    polyenc_frames f = frames_of(in->frames + in->frame_size * k, s->layout, 1, s->w, s->h);
    st = polyenc_add_frames(v, &f);
    if (!st && v2) {
      polyenc_frames g = frames_of(in->small + (size_t)(s->w / 2) * (s->h / 2) * 3 * k, POLYENC_RGB24, 1, s->w / 2,
                                   s->h / 2);
      st = polyenc_add_frames(v2, &g);
    }
    if (!st && a) {
      int64_t end = k == s->frames - 1 ? in->num_samples : (int64_t)(s->rate * ((k + 1) / s->fps));
      float *chunk = malloc(sizeof(float) * (size_t)s->channels * (size_t)(end - done) + 1);
      if (!chunk) return POLYENC_ERR_NOMEM;
      for (int c = 0; c < s->channels; c++)
        memcpy(chunk + c * (end - done), in->tone + c * in->num_samples + done, sizeof(float) * (size_t)(end - done));
      st = polyenc_add_samples(a, chunk, POLYENC_SAMPLES_PLANAR, s->channels, end - done);
      free(chunk);
      done = end;
    }
  }
  return st;
}

static polyenc_status encode(job *j, polyenc_encoder *enc) {
  const job_spec *s = j->spec;
  polyenc_video_config vc = video_cfg(s->w, s->h, s->fps);
  vc.threads = 1;
  vc.options = s->video_options;
  polyenc_stream *v = NULL, *v2 = NULL, *a = NULL;
  polyenc_status st = polyenc_add_video(enc, &vc, &v);
  if (!st && s->second_video) {
    polyenc_video_config vc2 = video_cfg(s->w / 2, s->h / 2, s->fps);
    vc2.threads = 1;
    vc2.options = s->video_options;
    st = polyenc_add_video(enc, &vc2, &v2);
  }
  if (!st && s->rate) {
    polyenc_audio_config ac = audio_cfg(s->rate, s->channels);
    ac.codec = s->audio_codec;
    st = polyenc_add_audio(enc, &ac, &a);
  }
  polyenc_writer w = mem_writer_api(&j->out, s->out == OUT_WRITER_SEEK);
  if (!st) {
    switch (s->out) {
    case OUT_FILE: st = polyenc_open_file(enc, j->path, s->format); break;
    case OUT_MEMORY: st = polyenc_open_memory(enc, s->format); break;
    case OUT_WRITER_SEEK:
    case OUT_WRITER_STREAM: st = polyenc_open_writer(enc, &w, s->format); break;
    }
  }
  if (!st) st = feed(j, v, v2, a);
  if (!st) st = polyenc_close(enc);
  if (!st && s->out == OUT_MEMORY) {
    const uint8_t *data;
    size_t size;
    st = polyenc_output(enc, &data, &size);
    if (!st && mem_writer_write(&j->out, data, size) < 0) st = POLYENC_ERR_NOMEM;
  }
  return st;
}

static void *run_job(void *arg) {
  job *j = arg;
  if (j->start) pthread_barrier_wait(j->start);
  polyenc_encoder *enc = polyenc_encoder_new();
  j->status = enc ? encode(j, enc) : POLYENC_ERR_NOMEM;
  snprintf(j->error, sizeof j->error, "%s", polyenc_last_error(enc));
  polyenc_encoder_free(enc);
  if (!j->status && j->spec->out == OUT_FILE) {
    size_t size;
    uint8_t *data = read_file(j->path, &size);
    if (!data) j->status = POLYENC_ERR_IO;
    j->out.data = data, j->out.size = size;
  }
  return NULL;
}

static void expect_decodes(const job *j, int i) {
  const job_spec *s = j->spec;
  const job_input *in = j->in;
  media_src src = src_mem(j->out.data, j->out.size);
  media_info info;
  CHECK_EQ_INT(media_probe(src, &info), 0);
  CHECK_EQ_INT(info.num_streams, 1 + s->second_video + (s->rate > 0));
  video_frames v;
  CHECK_EQ_INT(media_decode_rgb(src, 0, "bt601", 0, &v), 0);
  CHECK_MSG(v.num_frames == s->frames, "job %d: %d frames decoded of %d", i, v.num_frames, s->frames);
  CHECK_EQ_INT(v.width, s->w);
  CHECK_EQ_INT(v.height, s->h);
  size_t fs = (size_t)s->w * s->h * 3;
  for (int k = 0; k < s->frames; k++) {
    double p = psnr_u8(v.data + fs * k, in->rgb + fs * k, fs);
    CHECK_MSG(p > 28, "job %d (%s), frame %d: PSNR %.1f dB", i, s->format, k, p);
  }
  video_frames_free(&v);
  if (s->second_video) {
    CHECK_EQ_INT(media_decode_yuv(src, 1, &v), 0);
    CHECK_EQ_INT(v.num_frames, s->frames);
    CHECK_EQ_INT(v.width, s->w / 2);
    video_frames_free(&v);
  }
  if (s->rate) {
    audio_samples a;
    CHECK_EQ_INT(media_decode_audio(src, info.num_streams - 1, &a), 0);
    CHECK_EQ_INT(a.channels, s->channels);
    CHECK_MSG(a.num_samples >= in->num_samples, "job %d: %lld samples decoded of %lld", i, (long long)a.num_samples,
              (long long)in->num_samples);
    audio_samples_free(&a);
  }
}

/* Runs every job, one after the other (start NULL) or on NUM_JOBS threads released together. */
static void run_all(job *jobs, int parallel) {
  pthread_t threads[NUM_JOBS];
  pthread_barrier_t start;
  if (parallel) CHECK(pthread_barrier_init(&start, NULL, NUM_JOBS) == 0);
  for (int i = 0; i < NUM_JOBS; i++) {
    jobs[i].start = parallel ? &start : NULL;
    if (parallel)
      CHECK(pthread_create(&threads[i], NULL, run_job, &jobs[i]) == 0);
    else
      run_job(&jobs[i]);
  }
  if (parallel) {
    for (int i = 0; i < NUM_JOBS; i++) CHECK(pthread_join(threads[i], NULL) == 0);
    pthread_barrier_destroy(&start);
  }
  for (int i = 0; i < NUM_JOBS; i++)
    CHECK_MSG(jobs[i].status == POLYENC_OK && jobs[i].out.size > 0, "job %d (%s, %s): %s: %s", i, k_jobs[i].format,
              parallel ? "parallel" : "alone", polyenc_status_name(jobs[i].status), jobs[i].error);
}

static void case_eight_encoders(void) {
  job_input inputs[NUM_JOBS];
  job alone[NUM_JOBS], together[NUM_JOBS];
  for (int i = 0; i < NUM_JOBS; i++) {
    make_input(&k_jobs[i], &inputs[i]);
    char name[64];
    alone[i] = (job){.spec = &k_jobs[i], .in = &inputs[i]};
    together[i] = alone[i];
    snprintf(name, sizeof name, "alone%d.%s", i, k_jobs[i].format);
    alone[i].path = strdup(tmp_path(name));
    snprintf(name, sizeof name, "together%d.%s", i, k_jobs[i].format);
    together[i].path = strdup(tmp_path(name));
  }
  run_all(alone, 0);
  run_all(together, 1);
  for (int i = 0; i < NUM_JOBS; i++) {
    const mem_writer *a = &alone[i].out, *b = &together[i].out;
    size_t first = 0;
    while (first < a->size && first < b->size && a->data[first] == b->data[first]) first++;
    CHECK_MSG(a->size == b->size && first == a->size,
              "job %d (%s): %zu bytes alone, %zu on a thread among %d; first difference at byte %zu", i,
              k_jobs[i].format, a->size, b->size, NUM_JOBS, first);
    expect_decodes(&together[i], i);
  }
  for (int i = 0; i < NUM_JOBS; i++) {
    mem_writer_free(&alone[i].out);
    mem_writer_free(&together[i].out);
    free(alone[i].path);
    free(together[i].path);
    free_input(&inputs[i]);
  }
}

/* The library's first calls, made by eight threads at once: the one-time setup (FFmpeg's log
 * callback), the capability queries and the per-thread FFmpeg error text. Each thread gets its own
 * failure messages: its own missing path, and the reason libx264 logged for its own bad level. */
typedef struct first_call {
  pthread_barrier_t *start;
  int index;
  char dir[4096];
  polyenc_status status;
  char error[2048];
  polyenc_status codec_status;
  char codec_error[2048];
  int has_x264, has_bogus, cuda_devices;
} first_call;

static void *first_calls(void *arg) {
  first_call *c = arg;
  pthread_barrier_wait(c->start);
  c->has_x264 = polyenc_has_encoder("libx264");
  c->has_bogus = polyenc_has_encoder("no-such-codec");
  c->cuda_devices = polyenc_cuda_device_count();
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(64, 48, 25);
  polyenc_stream *v;
  c->status = polyenc_add_video(enc, &vc, &v);
  if (!c->status) c->status = polyenc_open_file(enc, c->dir, "mp4"); /* a path in a missing directory */
  snprintf(c->error, sizeof c->error, "%s", polyenc_last_error(enc));
  polyenc_encoder_free(enc);
  /* a codec that refuses to open: the message quotes the line libx264 logged on this thread */
  char level[32];
  snprintf(level, sizeof level, "no-such-level-%d", c->index);
  const char *const bad[] = {"level", level, NULL};
  enc = polyenc_encoder_new();
  vc.options = bad;
  c->codec_status = polyenc_add_video(enc, &vc, &v);
  if (!c->codec_status) c->codec_status = polyenc_open_memory(enc, "mp4");
  snprintf(c->codec_error, sizeof c->codec_error, "%s", polyenc_last_error(enc));
  polyenc_encoder_free(enc);
  return NULL;
}

static void case_first_calls_at_once(void) {
  first_call calls[NUM_JOBS];
  pthread_t threads[NUM_JOBS];
  pthread_barrier_t start;
  CHECK(pthread_barrier_init(&start, NULL, NUM_JOBS) == 0);
  for (int i = 0; i < NUM_JOBS; i++) {
    char name[64];
    snprintf(name, sizeof name, "missing%d/out.mp4", i);
    calls[i] = (first_call){.start = &start, .index = i};
    snprintf(calls[i].dir, sizeof calls[i].dir, "%s", tmp_path(name));
    CHECK(pthread_create(&threads[i], NULL, first_calls, &calls[i]) == 0);
  }
  for (int i = 0; i < NUM_JOBS; i++) CHECK(pthread_join(threads[i], NULL) == 0);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < NUM_JOBS; i++) {
    CHECK_EQ_INT(calls[i].has_x264, 1);
    CHECK_EQ_INT(calls[i].has_bogus, 0);
    CHECK_EQ_INT(calls[i].cuda_devices, calls[0].cuda_devices);
    CHECK_MSG(calls[i].status == POLYENC_ERR_IO, "thread %d: %s: %s", i, polyenc_status_name(calls[i].status),
              calls[i].error);
    char name[64];
    snprintf(name, sizeof name, "missing%d/out.mp4", i);
    CHECK_CONTAINS(calls[i].error, name);
    CHECK_MSG(calls[i].codec_status == POLYENC_ERR_CODEC, "thread %d: %s: %s", i,
              polyenc_status_name(calls[i].codec_status), calls[i].codec_error);
    snprintf(name, sizeof name, "no-such-level-%d", i);
    CHECK_CONTAINS(calls[i].codec_error, name);
  }
}

/* An encoder with its own frame threads (FFmpeg's ffvhuff, lossless, 4 threads) holds references to
 * the frames it was given while add_frames returns: polyenc must never write into a frame buffer a
 * worker still reads, and the caller may overwrite its own buffer at once. Every frame comes from one
 * scratch buffer the test rewrites; the lossless output must decode to each frame exactly. */
static void case_frame_threaded_encoder(void) {
  const int w = 64, h = 48, n = 24;
  const size_t fs = (size_t)w * h * 3 / 2;
  uint8_t *rgb = pattern_frames(w, h, n);
  uint8_t *yuv = malloc(fs * n), *scratch = malloc(fs);
  CHECK(yuv && scratch);
  for (int k = 0; k < n; k++) rgb24_to_yuv420p(rgb + (size_t)w * h * 3 * k, w, h, yuv + fs * k);
  const char *path = tmp_path("threads.avi");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(w, h, 25);
  vc.codec = "ffvhuff";
  vc.pixel_format = "yuv420p";
  vc.threads = 4;
  polyenc_stream *v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  for (int k = 0; k < n; k++) {
    memcpy(scratch, yuv + fs * k, fs);
    polyenc_frames f = frames_of(scratch, POLYENC_YUV420P, 1, w, h);
    CHECK_OK(enc, polyenc_add_frames(v, &f));
    memset(scratch, 0x55, fs); /* the caller reuses its buffer at once */
  }
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  video_frames d;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &d), 0);
  CHECK_EQ_INT(d.num_frames, n);
  CHECK_EQ_INT(d.frame_size, fs);
  for (int k = 0; k < n; k++)
    CHECK_MSG(memcmp(d.data + fs * k, yuv + fs * k, fs) == 0, "lossless frame %d decodes to other pixels", k);
  video_frames_free(&d);
  free(rgb);
  free(yuv);
  free(scratch);
}

/* A writer that records whether every call came from the thread that called polyenc. */
typedef struct thread_writer {
  mem_writer out;
  pthread_t caller;
  int calls, elsewhere;
} thread_writer;

static int thread_writer_write(void *opaque, const uint8_t *data, size_t size) {
  thread_writer *t = opaque;
  t->calls++;
  if (!pthread_equal(pthread_self(), t->caller)) t->elsewhere++;
  return mem_writer_write(&t->out, data, size);
}

/* Frames one at a time go to the codec on the encoder's worker thread, audio and the muxer stay on the caller's:
 * the writer hears only the caller's thread, the statistics after each call count every frame given (the one
 * still encoding too), and the output holds every frame and sample. */
static void case_worker_hands_back(void) {
  const int w = 96, h = 64, n = 40, rate = 48000;
  CHECK(setenv("POLYENC_ENCODE_THREAD", "1", 1) == 0); /* a worker for these small frames too */
  uint8_t *rgb = pattern_frames(w, h, n);
  float *tone = sine_planar(1, rate * n / 25, rate, 440);
  thread_writer t = {.caller = pthread_self()};
  polyenc_writer writer = {.write = thread_writer_write, .opaque = &t}; /* no seek: fragmented mp4, written as it goes */
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(w, h, 25);
  vc.preset = "ultrafast";
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_audio_config ac = audio_cfg(rate, 1);
  polyenc_stream *a = NULL;
  CHECK_OK(enc, polyenc_add_audio(enc, &ac, &a));
  CHECK_OK(enc, polyenc_open_writer(enc, &writer, "mp4"));
  for (int k = 0; k < n; k++) {
    polyenc_frames f = frames_of(rgb + (size_t)w * h * 3 * k, POLYENC_RGB24, 1, w, h);
    CHECK_OK(enc, polyenc_add_frames(v, &f));
    polyenc_stats st;
    CHECK_OK(enc, polyenc_get_stats(enc, v, &st));
    CHECK_MSG(st.frames == k + 1, "after frame %d the statistics count %lld frames", k, (long long)st.frames);
    CHECK_OK(enc, polyenc_add_samples(a, tone + rate / 25 * k, POLYENC_SAMPLES_PLANAR, 1, rate / 25));
  }
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  CHECK_GT(t.calls, 1);
  CHECK_MSG(t.elsewhere == 0, "%d of %d writer calls came from another thread than the caller's", t.elsewhere,
            t.calls);
  video_frames d;
  CHECK_EQ_INT(media_decode_rgb(src_mem(t.out.data, t.out.size), 0, "bt601", 0, &d), 0);
  CHECK_EQ_INT(d.num_frames, n);
  for (int k = 0; k < n; k++) {
    double p = psnr_u8(d.data + (size_t)w * h * 3 * k, rgb + (size_t)w * h * 3 * k, (size_t)w * h * 3);
    CHECK_MSG(p > 28, "frame %d: PSNR %.1f dB", k, p);
  }
  video_frames_free(&d);
  audio_samples as;
  CHECK_EQ_INT(media_decode_audio(src_mem(t.out.data, t.out.size), 1, &as), 0);
  CHECK_MSG(as.num_samples >= rate * n / 25, "%lld samples decoded of %d", (long long)as.num_samples, rate * n / 25);
  audio_samples_free(&as);
  mem_writer_free(&t.out);
  free(rgb);
  free(tone);
}

/* The threads of this process (Linux: the entries of /proc/self/task). */
static int thread_count(void) {
  DIR *d = opendir("/proc/self/task");
  CHECK(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

/* The threads an encoder of w x h frames (x264 on one thread: none of its own) has while it encodes, with
 * POLYENC_ENCODE_THREAD set to env (NULL: unset); its output decodes to its frames. */
static int encoder_threads(int w, int h, const char *env) {
  CHECK(env ? setenv("POLYENC_ENCODE_THREAD", env, 1) == 0 : unsetenv("POLYENC_ENCODE_THREAD") == 0);
  const int n = 3;
  uint8_t *rgb = pattern_frames(w, h, n);
  const char *path = tmp_path("worker.mp4");
  int before = thread_count(), during = 0;
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(w, h, 25);
  vc.preset = "ultrafast";
  vc.threads = 1;
  polyenc_stream *v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  for (int k = 0; k < n; k++) {
    add_rgb24_ok(enc, v, rgb + (size_t)w * h * 3 * k, 1, w, h);
    during = thread_count() - before;
  }
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  video_frames d;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &d), 0);
  CHECK_EQ_INT(d.num_frames, n);
  video_frames_free(&d);
  free(rgb);
  return during;
}

/* By default the worker starts for frames of 960x540 and up only (src/worker.c: smaller ones are converted
 * in less time than a hand-over takes); POLYENC_ENCODE_THREAD=1 starts it for any size, =0 for none. */
static void case_worker_for_large_frames(void) {
  CHECK_EQ_INT(encoder_threads(320, 240, NULL), 0); /* (under TSan its own thread comes with the first one) */
  CHECK_GT(encoder_threads(960, 540, NULL), 0);
  CHECK_GT(encoder_threads(320, 240, "1"), 0);
  CHECK_EQ_INT(encoder_threads(960, 540, "0"), 0);
}
