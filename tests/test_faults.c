/* Output failures, swept: a writer whose k-th write (or k-th seek) fails, for every k from 1 to
 * the number of writes (seeks) of the same encode without failure, in each container; and file
 * outputs whose writes fail (a device that is always full, a file size limit). Each time the
 * first failing call returns POLYENC_ERR_IO naming the failure, every later call fails with a
 * status, close never reports success, and polyenc_encoder_free releases everything (the suite
 * runs these under AddressSanitizer / LeakSanitizer and valgrind). */
#define _POSIX_C_SOURCE 200809L /* symlink, lstat, fork */
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define CASES(X)                           \
  X(write_sweep_mp4_seekable, SLOW)        \
  X(write_sweep_mp4_fragmented, SLOW)      \
  X(write_sweep_mkv, SLOW)                 \
  X(write_sweep_webm, SLOW)                \
  X(write_sweep_wav, SLOW)                 \
  X(seek_sweep_mp4, QUICK)                 \
  X(write_sample_every_container, QUICK)   \
  X(file_on_full_device_kept_intact, QUICK) \
  X(file_size_limit_removes_file, QUICK)
CHECK_MAIN(CASES)

/* ---- a writer into memory that fails from its k-th write or k-th seek on ---- */
typedef struct fault_writer {
  mem_writer out;                    /* the bytes written */
  int writes, seeks;                 /* calls so far */
  int fail_write_at, fail_seek_at;   /* 1-based; 0: never */
  int failed;                        /* a call was answered with a failure */
  int calls_after_failure;
} fault_writer;

static int fw_write(void *opaque, const uint8_t *data, size_t size) {
  fault_writer *f = opaque;
  if (f->failed) f->calls_after_failure++, fprintf(stderr, "write after failure %zu\n", size);
  f->writes++;
  if (f->failed || f->writes == f->fail_write_at) {
    f->failed = 1;
    return -1;
  }
  CHECK(mem_writer_write(&f->out, data, size) == 0);
  return 0;
}

static int64_t fw_seek(void *opaque, int64_t offset, int whence) {
  fault_writer *f = opaque;
  if (f->failed) f->calls_after_failure++, fprintf(stderr, "seek after failure %lld %d\n", (long long)offset, whence);
  f->seeks++;
  if (f->failed || f->seeks == f->fail_seek_at) {
    f->failed = 1;
    return -1;
  }
  int64_t pos = mem_writer_seek(&f->out, offset, whence);
  CHECK_MSG(pos >= 0, "seek by %lld (whence %d) refused", (long long)offset, whence);
  return pos;
}

/* ---- one small encode: video and/or audio, fed in chunks, in one container ---- */
typedef struct job {
  const char *format;
  int seekable;
  int video, audio;
  int w, h, n; /* noise frames */
  const char *const *video_options;
  int rate, channels;
  int64_t ns;
} job;

/* vp9 is slow: few frames, in small clusters (one write each) */
static const char *const vp9_fast[] = {"deadline", "realtime", "cpu-used", "8", "lossless", "1",
                                       "cluster_size_limit", "16384", NULL};

/* Lossless noise: every frame is big, so the 64 KiB I/O buffer is written out tens of times. */
static job job_for(const char *format, int seekable) {
  job j = {format, seekable, 1, 1, 128, 96, 48, NULL, 48000, 2, 48000};
  if (!strcmp(format, "webm")) j.n = 20, j.video_options = vp9_fast;
  /* a seekable mp4 is written one packet at a time (a flush point per packet) */
  if (!strcmp(format, "mp4") && seekable) j.n = 24, j.ns = 24000;
  if (!strcmp(format, "wav")) j.video = 0, j.ns = 48000 * 10; /* pcm_s16le: 192 KB/s */
  return j;
}

typedef struct media_in {
  uint8_t *rgb;
  float *pcm; /* planar */
} media_in;

static media_in media_for(const job *j) {
  media_in m = {NULL, NULL};
  if (j->video) {
    size_t bytes = (size_t)j->w * j->h * 3 * j->n;
    m.rgb = malloc(bytes);
    CHECK(m.rgb);
    random_bytes(m.rgb, bytes, 1234);
  }
  if (j->audio) m.pcm = sine_planar(j->channels, j->ns, j->rate, 440);
  return m;
}

static void media_free(media_in *m) {
  free(m->rgb);
  free(m->pcm);
}

enum { CHUNKS = 8 };

/* The status of the call that failed first, and where; after a failure, every later call is made
 * once more and must fail with a status and a message. */
typedef struct outcome {
  polyenc_status status;
  char call[32];
  char message[1024];
} outcome;

static int add_chunk(polyenc_stream *v, polyenc_stream *a, const job *j, const media_in *m, int c, float *scratch) {
  polyenc_status st = POLYENC_OK;
  if (v) {
    int f0 = j->n * c / CHUNKS, f1 = j->n * (c + 1) / CHUNKS;
    polyenc_frames f = frames_of(m->rgb + (size_t)j->w * j->h * 3 * f0, POLYENC_RGB24, f1 - f0, j->w, j->h);
    st = polyenc_add_frames(v, &f);
    if (st) return st;
  }
  if (a) {
    int64_t s0 = j->ns * c / CHUNKS, s1 = j->ns * (c + 1) / CHUNKS;
    for (int ch = 0; ch < j->channels; ch++)
      memcpy(scratch + (s1 - s0) * ch, m->pcm + j->ns * ch + s0, (size_t)(s1 - s0) * sizeof(float));
    st = polyenc_add_samples(a, scratch, POLYENC_SAMPLES_PLANAR, j->channels, s1 - s0);
  }
  return st;
}

/* Every call after the first failure: a status (the same one once the encoding had started, as the
 * header promises) and a message; never POLYENC_OK from close. */
static void expect_later_calls_fail(polyenc_encoder *enc, polyenc_stream *v, polyenc_stream *a, const job *j,
                                    const media_in *m, polyenc_status expected) {
  polyenc_status st;
  if (v) {
    polyenc_frames f = frames_of(m->rgb, POLYENC_RGB24, 1, j->w, j->h);
    st = polyenc_add_frames(v, &f);
    CHECK_MSG(st == expected, "add_frames after the failure: %s (\"%s\")", polyenc_status_name(st), polyenc_last_error(enc));
    CHECK_MSG(polyenc_last_error(enc)[0], "no message from add_frames after the failure");
  }
  if (a) {
    st = polyenc_add_samples(a, m->pcm, POLYENC_SAMPLES_PLANAR, j->channels, 64);
    CHECK_MSG(st == expected, "add_samples after the failure: %s (\"%s\")", polyenc_status_name(st), polyenc_last_error(enc));
    CHECK_MSG(polyenc_last_error(enc)[0], "no message from add_samples after the failure");
  }
  for (int i = 0; i < 2; i++) {
    st = polyenc_close(enc);
    CHECK_MSG(st == expected, "close #%d after the failure: %s (\"%s\")", i + 1, polyenc_status_name(st),
              polyenc_last_error(enc));
    CHECK_MSG(polyenc_last_error(enc)[0], "no message from close after the failure");
  }
  const uint8_t *d;
  size_t n;
  CHECK(polyenc_output(enc, &d, &n) != POLYENC_OK);
}

/* Runs the job into w; returns the first failure (status OK when every call succeeded). */
static outcome run_job(const job *j, const media_in *m, fault_writer *w) {
  outcome o = {POLYENC_OK, "", ""};
  polyenc_encoder *enc = polyenc_encoder_new();
  CHECK(enc);
  polyenc_stream *v = NULL, *a = NULL;
  if (j->video) {
    polyenc_video_config vc = video_cfg(j->w, j->h, 25);
    vc.threads = 1;
    if (j->video_options) vc.options = j->video_options;
    else vc.preset = "ultrafast", vc.crf = 0;
    v = add_video_ok(enc, &vc);
  }
  if (j->audio) {
    polyenc_audio_config ac = audio_cfg(j->rate, j->channels);
    a = add_audio_ok(enc, &ac);
  }
  float *scratch = j->audio ? malloc(sizeof(float) * (size_t)(j->ns / CHUNKS + 1) * j->channels) : NULL;
  polyenc_writer wr = {w, fw_write, j->seekable ? fw_seek : NULL};
  polyenc_status st = polyenc_open_writer(enc, &wr, j->format);
  const char *call = "open_writer";
  for (int c = 0; c < CHUNKS && !st; c++) st = add_chunk(v, a, j, m, c, scratch), call = "add_frames/add_samples";
  if (!st) st = polyenc_close(enc), call = "close";
  if (st) {
    o.status = st;
    snprintf(o.call, sizeof o.call, "%s", call);
    snprintf(o.message, sizeof o.message, "%s", polyenc_last_error(enc));
    CHECK_MSG(o.message[0], "%s failed with %s and no message", call, polyenc_status_name(st));
    /* a failed open rolls back to configuring: data and close are then out of order */
    expect_later_calls_fail(enc, v, a, j, m, strcmp(call, "open_writer") ? st : POLYENC_ERR_STATE);
  }
  free(scratch);
  polyenc_encoder_free(enc);
  return o;
}

/* The encode without failure: it decodes, and it counts the writes and seeks to sweep. */
static fault_writer baseline(const job *j, const media_in *m) {
  fault_writer w = {0};
  outcome o = run_job(j, m, &w);
  CHECK_MSG(o.status == POLYENC_OK, "%s: %s", polyenc_status_name(o.status), o.message);
  CHECK(!w.failed);
  if (j->video) {
    video_frames vf;
    CHECK_EQ_INT(media_decode_rgb(src_mem(w.out.data, w.out.size), 0, "bt601", 0, &vf), 0);
    CHECK_EQ_INT(vf.num_frames, j->n);
    video_frames_free(&vf);
  } else {
    audio_samples as;
    CHECK_EQ_INT(media_decode_audio(src_mem(w.out.data, w.out.size), 0, &as), 0);
    CHECK_EQ_INT(as.num_samples, j->ns);
    audio_samples_free(&as);
  }
  return w;
}

/* Fails the k-th write (seek when `seek`) and checks the outcome. */
static void fail_at(const job *j, const media_in *m, int k, int seek) {
  fault_writer w = {0};
  if (seek) w.fail_seek_at = k;
  else w.fail_write_at = k;
  outcome o = run_job(j, m, &w);
  CHECK_MSG(w.failed, "%s: the %s #%d never came (%d writes, %d seeks)", j->format, seek ? "seek" : "write", k, w.writes,
            w.seeks);
  CHECK_MSG(o.status == POLYENC_ERR_IO, "%s, %s #%d failed: %s returned %s (\"%s\")", j->format, seek ? "seek" : "write",
            k, o.call, polyenc_status_name(o.status), o.message);
  CHECK_CONTAINS(o.message, seek ? "seek callback failed" : "write callback failed");
  CHECK_MSG(w.calls_after_failure == 0, "%s: the writer was called %d times after its %s #%d failed", j->format,
            w.calls_after_failure, seek ? "seek" : "write", k);
  mem_writer_free(&w.out);
}

/* Every k from 1 to the baseline's count (stride > 1: a sample of them, first and last included). */
static void sweep(const char *format, int seekable, int seek, int stride) {
  job j = job_for(format, seekable);
  media_in m = media_for(&j);
  fault_writer base = baseline(&j, &m);
  int count = seek ? base.seeks : base.writes;
  mem_writer_free(&base.out);
  CHECK_MSG(count >= (seek ? 1 : 20), "%s: only %d %s in the encode to sweep", format, count, seek ? "seeks" : "writes");
  int done = 0;
  for (int k = 1; k <= count; k += stride, done++) fail_at(&j, &m, k, seek);
  if ((count - 1) % stride) fail_at(&j, &m, count, seek), done++;
  printf("%s%s: %d %s in the encode, %d failure points checked\n", format,
         seekable ? " (seekable writer)" : " (writer without seek)", count, seek ? "seeks" : "writes", done);
  media_free(&m);
}

static void case_write_sweep_mp4_seekable(void) { sweep("mp4", 1, 0, 1); }
static void case_write_sweep_mp4_fragmented(void) { sweep("mp4", 0, 0, 1); }
static void case_write_sweep_mkv(void) { sweep("matroska", 1, 0, 1); }
static void case_write_sweep_webm(void) { sweep("webm", 1, 0, 1); }
static void case_write_sweep_wav(void) { sweep("wav", 1, 0, 1); }
static void case_seek_sweep_mp4(void) { sweep("mp4", 1, 1, 1); }

/* The quick set (valgrind): a few failure points in each container. */
static void case_write_sample_every_container(void) {
  const char *formats[] = {"mp4", "mp4", "matroska", "webm", "wav"};
  for (int i = 0; i < 5; i++) sweep(formats[i], i != 1, 0, 1000);
}

/* ---- files ---- */
/* A path to a device whose writes always fail (ENOSPC): the failure is reported, and the device
 * (reached here through a link in the test's directory) is not removed. */
static void case_file_on_full_device_kept_intact(void) {
  struct stat st;
  if (stat("/dev/full", &st) != 0 || !S_ISCHR(st.st_mode)) SKIP("no /dev/full");
  const char *link = tmp_path("full.mp4");
  CHECK_EQ_INT(symlink("/dev/full", link), 0);
  job j = job_for("mp4", 1);
  media_in m = media_for(&j);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(j.w, j.h, 25);
  vc.preset = "ultrafast", vc.crf = 0;
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_status s = polyenc_open_file(enc, link, NULL);
  for (int c = 0; c < CHUNKS && !s; c++) s = add_chunk(v, NULL, &j, &m, c, NULL);
  if (!s) s = polyenc_close(enc);
  CHECK_MSG(s == POLYENC_ERR_IO, "got %s (\"%s\")", polyenc_status_name(s), polyenc_last_error(enc));
  CHECK_CONTAINS(polyenc_last_error(enc), "No space left on device");
  polyenc_encoder_free(enc);
  CHECK_MSG(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the link to /dev/full was removed");
  CHECK_MSG(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode), "/dev/full is gone");
  media_free(&m);
}

/* A file that grows past RLIMIT_FSIZE (in a child process, SIGXFSZ ignored): the write fails with
 * EFBIG, the encode fails with POLYENC_ERR_IO, and the half-written file is removed. The limit is
 * placed before the header, inside the data and inside the trailer of a seekable mp4 and an mkv. */
static int encode_under_limit(const char *path, rlim_t limit) {
  job j = job_for("mp4", 1);
  media_in m = media_for(&j);
  signal(SIGXFSZ, SIG_IGN);
  struct rlimit rl = {limit, limit};
  if (setrlimit(RLIMIT_FSIZE, &rl) != 0) return 3;
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(j.w, j.h, 25);
  vc.preset = "ultrafast", vc.crf = 0;
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_status s = polyenc_open_file(enc, path, NULL);
  for (int c = 0; c < CHUNKS && !s; c++) s = add_chunk(v, NULL, &j, &m, c, NULL);
  if (!s) s = polyenc_close(enc);
  int rc = 0;
  if (s != POLYENC_ERR_IO) {
    fprintf(stderr, "limit %lu: got %s (\"%s\")\n", (unsigned long)limit, polyenc_status_name(s), polyenc_last_error(enc));
    rc = 4;
  } else if (!strstr(polyenc_last_error(enc), "File too large")) {
    fprintf(stderr, "limit %lu: message \"%s\" does not name the failure\n", (unsigned long)limit, polyenc_last_error(enc));
    rc = 5;
  }
  polyenc_encoder_free(enc);
  media_free(&m);
  return rc;
}

static void case_file_size_limit_removes_file(void) {
  const char *formats[] = {"mp4", "mkv"};
  for (int f = 0; f < 2; f++) {
    char name[32];
    snprintf(name, sizeof name, "whole.%s", formats[f]);
    const char *whole = tmp_path(name);
    job j = job_for("mp4", 1);
    media_in m = media_for(&j);
    polyenc_video_config vc = video_cfg(j.w, j.h, 25);
    vc.preset = "ultrafast", vc.crf = 0;
    encode_video_file(whole, NULL, &vc, m.rgb, j.n);
    media_free(&m);
    size_t size = 0;
    free(read_file(whole, &size));
    CHECK_GT(size, 200000);
    rlim_t limits[] = {100, 70000, size / 2, size - 100};
    for (int i = 0; i < 4; i++) {
      snprintf(name, sizeof name, "limited%d.%s", i, formats[f]);
      const char *path = tmp_path(name);
      fflush(NULL);
      pid_t pid = fork();
      CHECK(pid >= 0);
      if (pid == 0) _exit(encode_under_limit(path, limits[i]));
      int status = 0;
      CHECK_EQ_INT(waitpid(pid, &status, 0), pid);
      CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s under a %lu byte limit: child status %d", formats[f],
                (unsigned long)limits[i], status);
      CHECK_MSG(!file_exists(path), "a failed encode left %s behind", path);
    }
  }
}
