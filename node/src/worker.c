/* The per-encoder worker thread, its bounded queue, and the writer callback of
 * stream outputs.
 *
 * JS thread                                  worker thread
 *   pe_submit: job -> queue (<= 4) or backlog   waits for a job, runs the C call,
 *                                               posts the job to the tsfn
 *   call_js: settle the promise, release the    writer callback (stream output):
 *   buffer references, move backlog -> queue      post the chunk, wait until JS has
 *   call_js(write): sink(chunk, done)              written it (and 'drain' if needed)
 *
 * The threadsafe function is referenced (keeps the event loop alive) only while
 * jobs are pending, so an idle encoder never holds the process open.
 *
 * abort (pe_worker_abort): the queued jobs are dropped (rejected), the abort job
 * goes to the worker, which runs it after the job in progress; a writer callback
 * waiting for the sink gives up (the write fails), and a chunk posted but not yet
 * handed to the sink is not handed at all. The worker leaves after the abort job. */
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "addon.h"

/* A copy of s (NULL: ""), or NULL when memory runs out. */
char *pe_dup_str(const char *s) {
  size_t n = strlen(s ? s : "") + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s ? s : "", n);
  return d;
}

void pe_release(pe_encoder *e) {
  if (--e->refcount > 0) return;
  if (e->enc) polyenc_encoder_free(e->enc);
  pthread_mutex_destroy(&e->mu);
  pthread_cond_destroy(&e->work_cv);
  pthread_cond_destroy(&e->write_cv);
  free(e->streams);
  free(e->dead_message);
  free(e);
}

void pe_job_free(napi_env env, pe_job *job) {
  if (!job) return;
  if (env)
    for (int i = 0; i < job->num_refs; i++)
      if (job->refs[i]) napi_delete_reference(env, job->refs[i]);
  free(job->refs);
  free((void *)job->channels);
  free(job->pts_copy);
  free(job->keys_copy);
  free(job->message);
  free(job);
}

/* Runs the C call of a job. On the worker, or on the JS thread when no worker runs. */
void pe_run_job(pe_encoder *e, pe_job *job) {
  polyenc_status st = POLYENC_OK;
  if (!e->enc && job->kind != PE_JOB_ABORT) { /* freed by abort */
    pe_fail_aborted_job(e, job);
    return;
  }
  switch (job->kind) {
  case PE_JOB_FRAMES: st = polyenc_add_frames(job->stream, &job->frames); break;
  case PE_JOB_SAMPLES:
    if (job->channels) {
      /* One Float32Array per channel: the C API takes one C x N block, so gather them here, on the
       * worker, not on the event loop. */
      size_t n = job->num_samples > 0 ? (size_t)job->num_samples : 0; /* < 0: the C library says so */
      float *planar = malloc(n * (size_t)job->num_channels * sizeof(float) + 1);
      if (!planar) {
        st = POLYENC_ERR_NOMEM;
        job->message = pe_dup_str("out of memory gathering the channel arrays");
        break;
      }
      for (int c = 0; c < job->num_channels; c++)
        if (n) memcpy(planar + (size_t)c * n, job->channels[c], n * sizeof(float));
      st = polyenc_add_samples(job->stream, planar, POLYENC_SAMPLES_PLANAR, job->num_channels, job->num_samples);
      free(planar);
    } else {
      st = polyenc_add_samples(job->stream, job->samples, job->sample_layout, job->num_channels,
                               job->num_samples);
    }
    break;
  case PE_JOB_CLOSE:
    st = polyenc_close(e->enc);
    if (st == POLYENC_OK && e->output_kind == PE_OUT_MEMORY) {
      polyenc_status s2 = polyenc_output(e->enc, &job->output, &job->output_size);
      if (s2 != POLYENC_OK) st = s2;
    }
    if (st == POLYENC_OK) { /* from now on the output (a memory output's bytes) is finished and kept */
      pthread_mutex_lock(&e->mu);
      e->close_executed = 1;
      pthread_mutex_unlock(&e->mu);
    }
    break;
  case PE_JOB_ABORT: pe_run_abort(e); break; /* never fails */
  }
  job->status = st;
  if (st != POLYENC_OK && !job->message) job->message = pe_dup_str(polyenc_last_error(e->enc));
}

void pe_take_stats(pe_encoder *e) {
  polyenc_stats s = {0};
  if (!e->enc || polyenc_get_stats(e->enc, NULL, &s) != POLYENC_OK) return;
  pthread_mutex_lock(&e->mu);
  e->stats = s;
  pthread_mutex_unlock(&e->mu);
}

static void *worker_main(void *arg) {
  pe_encoder *e = arg;
  int aborted = 0;
  pthread_mutex_lock(&e->mu);
  for (;;) {
    while (!e->queue_head && !e->stop && !e->close_executed && !aborted) pthread_cond_wait(&e->work_cv, &e->mu);
    if (e->stop || !e->queue_head) break; /* stopped, or closed / aborted and drained */
    pe_job *job = e->queue_head;
    e->queue_head = job->next;
    if (!e->queue_head) e->queue_tail = NULL;
    e->queue_len--;
    e->executing = 1;
    pthread_mutex_unlock(&e->mu);

    pe_run_job(e, job);
    if (job->kind == PE_JOB_ABORT) aborted = 1; /* it took its own snapshot before freeing the encoder */
    else pe_take_stats(e);

    pthread_mutex_lock(&e->mu);
    e->executing = 0;
    pthread_mutex_unlock(&e->mu);
    if (napi_call_threadsafe_function(e->tsfn, job, napi_tsfn_blocking) != napi_ok)
      pe_job_free(NULL, job); /* the environment is going away: nobody waits for it */
    pthread_mutex_lock(&e->mu);
  }
  int do_free = e->free_on_exit;
  e->worker_exited = 1;
  pthread_mutex_unlock(&e->mu);
  if (do_free) {
    polyenc_encoder_free(e->enc); /* dropped without close: free (and finish the output) here, not on the GC */
    e->enc = NULL;
#ifdef __GLIBC__
    /* The codecs' buffers were allocated by this thread and the codec threads, in arenas glibc does not
     * give back on its own: without this, the RSS of a process that drops encoders keeps its peak. */
    malloc_trim(0);
#endif
  }
  napi_release_threadsafe_function(e->tsfn, napi_tsfn_release);
  return NULL;
}

static void finish_write(pe_encoder *e, int ok) {
  pthread_mutex_lock(&e->mu);
  if (e->write_state == PE_WRITE_PENDING) {
    e->write_state = ok ? PE_WRITE_OK : PE_WRITE_FAILED;
    pthread_cond_broadcast(&e->write_cv);
  }
  pthread_mutex_unlock(&e->mu);
}

/* done(err?) handed to the sink with each chunk it could not take at once. */
napi_value pe_write_done(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, &data);
  pe_encoder *e = data;
  if (!e) return NULL; /* the no-op done of writes made on the JS thread */
  napi_valuetype t = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &t);
  finish_write(e, t == napi_undefined || t == napi_null);
  return NULL;
}

static void done_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  pe_release(data);
}

/* Calls sink(chunk, done) on the JS thread. Returns 1 if the chunk was taken (write() returned true),
 * 0 if done will be called later, -1 if the sink threw. chunk is a copy: the Writable may keep it queued
 * after write() returns, and the C library reuses its buffer as soon as the writer callback returns. */
static int call_sink(napi_env env, pe_encoder *e, napi_value chunk, void *done_data) {
  napi_value sink, done, global, ret;
  if (!e->sink || napi_get_reference_value(env, e->sink, &sink) != napi_ok || !sink) return -1;
  if (napi_create_function(env, "done", NAPI_AUTO_LENGTH, pe_write_done, done_data, &done) != napi_ok) return -1;
  /* The sink may call done after the worker gave up waiting (abort) and after the JS object is gone: the
   * function keeps the pe_encoder alive. */
  if (done_data && napi_add_finalizer(env, done, e, done_finalize, NULL, NULL) == napi_ok) e->refcount++;
  napi_get_global(env, &global);
  napi_value argv[2] = {chunk, done};
  napi_status s = napi_call_function(env, global, sink, 2, argv, &ret);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (s != napi_ok || pending) {
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc); /* the JS side keeps the stream's error for close() */
    return -1;
  }
  bool taken = false;
  napi_get_value_bool(env, ret, &taken);
  return taken ? 1 : 0;
}

int pe_writer_write(void *opaque, const uint8_t *data, size_t size) {
  pe_encoder *e = opaque;
  if (size == 0) return 0;
  if (pthread_equal(pthread_self(), e->js_thread)) {
    /* A C call made on the JS thread (open writes the header): hand the chunk over without waiting;
     * the Writable buffers it. */
    napi_value chunk;
    void *copy = NULL;
    if (!e->sync_env || e->finalized || e->abort_state ||
        napi_create_buffer_copy(e->sync_env, size, data, &copy, &chunk) != napi_ok)
      return -1;
    return call_sink(e->sync_env, e, chunk, NULL) < 0 ? -1 : 0;
  }
  pthread_mutex_lock(&e->mu);
  if (e->stop || e->stream_failed || e->abort_requested) {
    pthread_mutex_unlock(&e->mu);
    return -1;
  }
  e->write_data = data;
  e->write_size = size;
  e->write_state = PE_WRITE_PENDING;
  pthread_mutex_unlock(&e->mu);
  if (napi_call_threadsafe_function(e->tsfn, &e->write_token, napi_tsfn_blocking) != napi_ok) {
    pthread_mutex_lock(&e->mu);
    e->write_state = PE_WRITE_FAILED;
  } else {
    pthread_mutex_lock(&e->mu);
    /* This wait is the backpressure: the encoder stops until the consumer took the chunk. */
    while (e->write_state == PE_WRITE_PENDING && !e->stop && !e->abort_requested)
      pthread_cond_wait(&e->write_cv, &e->mu);
  }
  int ok = e->write_state == PE_WRITE_OK;
  if (!ok) e->stream_failed = 1;
  e->write_state = PE_WRITE_IDLE;
  pthread_mutex_unlock(&e->mu);
  return ok ? 0 : -1;
}

static void pending_add(napi_env env, pe_encoder *e, int delta) {
  int before = e->pending;
  e->pending += delta;
  if (before == 0 && e->pending > 0) {
    uint32_t rc;
    napi_reference_ref(env, e->self, &rc); /* the encoder outlives its pending promises */
    napi_ref_threadsafe_function(env, e->tsfn);
  } else if (before > 0 && e->pending == 0) {
    uint32_t rc;
    napi_reference_unref(env, e->self, &rc);
    napi_unref_threadsafe_function(env, e->tsfn);
  }
}

static void run_on_js_thread(napi_env env, pe_encoder *e, pe_job *job) {
  e->sync_env = env;
  pe_run_job(e, job);
  e->sync_env = NULL;
  if (job->kind != PE_JOB_ABORT) pe_take_stats(e);
  pe_complete_job(env, e, job);
  if (e->deferred_abort) { /* (a write of a C call made here called abort(): none does after open) */
    pe_job *abort_job = e->deferred_abort;
    e->deferred_abort = NULL;
    pe_worker_abort(env, e, abort_job);
  }
}

/* Moves backlog jobs into the worker's queue while there is room. */
static void pump(napi_env env, pe_encoder *e) {
  while (e->backlog_head) {
    pe_job *job = e->backlog_head;
    pthread_mutex_lock(&e->mu);
    int exited = e->worker_exited, room = e->queue_len < PE_QUEUE_CAPACITY;
    if (!exited && room) {
      e->backlog_head = job->next;
      if (!e->backlog_head) e->backlog_tail = NULL;
      job->next = NULL;
      if (e->queue_tail)
        e->queue_tail->next = job;
      else
        e->queue_head = job;
      e->queue_tail = job;
      e->queue_len++;
      pthread_cond_signal(&e->work_cv);
    }
    pthread_mutex_unlock(&e->mu);
    if (!exited && !room) return;
    if (exited) { /* the worker left after close: later jobs run here (the C library answers them) */
      e->backlog_head = job->next;
      if (!e->backlog_head) e->backlog_tail = NULL;
      run_on_js_thread(env, e, job);
      pending_add(env, e, -1);
    }
  }
}

void pe_submit(napi_env env, pe_encoder *e, pe_job *job) {
  job->next = NULL;
  int alive = 0;
  if (e->thread_started) {
    pthread_mutex_lock(&e->mu);
    alive = !e->worker_exited;
    pthread_mutex_unlock(&e->mu);
  }
  if (!alive && !e->backlog_head) {
    run_on_js_thread(env, e, job); /* before open or after close: nothing to wait for */
    return;
  }
  if (e->backlog_tail)
    e->backlog_tail->next = job;
  else
    e->backlog_head = job;
  e->backlog_tail = job;
  pending_add(env, e, 1);
  pump(env, e);
}

static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)js_cb;
  pe_encoder *e = context;
  if (data == &e->write_token) {
    /* The worker may have given up on this write (abort): then the chunk is gone and the sink gets nothing.
     * The check and the copy are under the lock, so the worker cannot leave (and C reuse the chunk) between
     * them; the Buffer is allocated outside it. */
    pthread_mutex_lock(&e->mu);
    int live = e->write_state == PE_WRITE_PENDING && !e->abort_requested && !e->stop;
    size_t size = e->write_size;
    pthread_mutex_unlock(&e->mu);
    if (!live) return;
    napi_value chunk = NULL;
    void *buf = NULL;
    int r = -1;
    if (env && !e->finalized && napi_create_buffer(env, size, &buf, &chunk) == napi_ok) {
      pthread_mutex_lock(&e->mu);
      live = e->write_state == PE_WRITE_PENDING && !e->abort_requested && !e->stop;
      if (live) memcpy(buf, e->write_data, size);
      pthread_mutex_unlock(&e->mu);
      if (!live) return;
      r = call_sink(env, e, chunk, e);
    }
    if (r != 0) finish_write(e, r > 0);
    return;
  }
  pe_job *job = data;
  if (!env) { /* environment teardown */
    pe_job_free(NULL, job);
    return;
  }
  pe_complete_job(env, e, job);
  pump(env, e);
  pending_add(env, e, -1);
}

static void tsfn_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  pe_encoder *e = data;
  if (e->thread_started && !e->thread_joined) {
    pthread_join(e->thread, NULL); /* it has released the tsfn: it is about to return */
    e->thread_joined = 1;
  }
  pe_release(e);
}

int pe_worker_start(napi_env env, pe_encoder *e) {
  napi_value name;
  napi_create_string_utf8(env, "polyenc.Encoder", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, e, tsfn_finalize, e, call_js, &e->tsfn) !=
      napi_ok)
    return -1;
  e->refcount++; /* released by tsfn_finalize */
  napi_unref_threadsafe_function(env, e->tsfn);
  if (pthread_create(&e->thread, NULL, worker_main, e) != 0) {
    napi_release_threadsafe_function(e->tsfn, napi_tsfn_abort);
    return -1;
  }
  e->thread_started = 1;
  return 0;
}

int pe_worker_busy(pe_encoder *e) {
  if (!e->thread_started) return 0;
  pthread_mutex_lock(&e->mu);
  int busy = !e->worker_exited && (e->executing || e->queue_len > 0);
  pthread_mutex_unlock(&e->mu);
  return busy || e->backlog_head != NULL;
}

void pe_worker_shutdown(pe_encoder *e, int free_on_exit, int join) {
  if (!e->thread_started) return;
  pthread_mutex_lock(&e->mu);
  if (!e->worker_exited) {
    e->stop = 1;
    if (free_on_exit) e->free_on_exit = 1;
  }
  pthread_cond_broadcast(&e->work_cv);
  pthread_cond_broadcast(&e->write_cv);
  pthread_mutex_unlock(&e->mu);
  if (join && !e->thread_joined) {
    pthread_join(e->thread, NULL);
    e->thread_joined = 1;
  }
}

/* abort(): drops the jobs not started (their promises reject), then runs abort_job on the worker after the
 * job in progress (it unblocks a writer waiting for the sink), or here when no worker runs. */
void pe_worker_abort(napi_env env, pe_encoder *e, pe_job *abort_job) {
  abort_job->next = NULL;
  if (e->sync_env) { /* the sink called abort() inside openStream's C call: never re-enter the encoder */
    e->deferred_abort = abort_job;
    return;
  }
  pe_job *dropped = e->backlog_head;
  e->backlog_head = e->backlog_tail = NULL;
  int on_worker = 0;
  if (e->thread_started) {
    pthread_mutex_lock(&e->mu);
    if (!e->worker_exited) {
      on_worker = 1;
      if (e->queue_tail) { /* the queue's jobs go before the backlog's, in order */
        e->queue_tail->next = dropped;
        dropped = e->queue_head;
      }
      e->queue_head = e->queue_tail = abort_job;
      e->queue_len = 1;
      e->abort_requested = 1;
      pthread_cond_signal(&e->work_cv);
      pthread_cond_broadcast(&e->write_cv);
    }
    pthread_mutex_unlock(&e->mu);
  }
  if (on_worker) pending_add(env, e, 1); /* before the dropped jobs' -1: the count never passes 0 */
  while (dropped) {
    pe_job *job = dropped;
    dropped = job->next;
    pe_fail_aborted_job(e, job);
    pe_complete_job(env, e, job);
    pending_add(env, e, -1);
  }
  if (!on_worker) run_on_js_thread(env, e, abort_job);
}
