/* polyenc Node-API addon: the native Encoder's control methods (setMetadata, stats, abort) and the pts /
 * key-frame arrays of addFrames.
 *
 * stats() never calls into the encoder: whoever uses the polyenc_encoder (the worker after each job, the JS
 * thread after open and the calls it runs itself) stores a snapshot under e->mu, and stats() returns it.
 *
 * abort() runs polyenc_abort where the encoder is used: as the next job of the worker (the queued jobs are
 * dropped and rejected, the running one finishes first; a writer callback waiting for the sink gives up),
 * or on the JS thread when no worker runs (before open, after close). Then the polyenc_encoder is freed
 * (except when a memory output was closed: the Buffer close() resolved to points into it and frees it) and
 * every later call fails with POLYENC_ERR_STATE (C's "aborted" message), without calling C. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "addon.h"

/* ---- abort ---- */

#define PE_DROPPED_MESSAGE "the encoder was aborted (abort()) before this call ran"

int pe_check_not_aborted(napi_env env, pe_encoder *e) {
  if (!e->abort_state) return 0;
  if (e->abort_state == 2 && e->dead_message)
    napi_throw(env, pe_make_error(env, e->dead_status, e->dead_message));
  else
    napi_throw(env, pe_make_error(env, POLYENC_ERR_STATE, PE_ABORTED_MESSAGE));
  return -1;
}

void pe_fail_aborted_job(pe_encoder *e, pe_job *job) {
  int done = e->abort_state == 2 && e->dead_message;
  job->status = done ? e->dead_status : POLYENC_ERR_STATE;
  free(job->message);
  job->message = pe_dup_str(done ? e->dead_message : PE_DROPPED_MESSAGE);
}

/* The abort job, on the thread that may use the polyenc_encoder now. */
void pe_run_abort(pe_encoder *e) {
  polyenc_encoder *enc = e->enc;
  if (!enc) return;
  polyenc_abort(enc);
  polyenc_stats s;
  if (polyenc_get_stats(enc, NULL, &s) != POLYENC_OK) memset(&s, 0, sizeof s);
  /* Every later call fails with POLYENC_ERR_STATE and C's "aborted" message (polyenc_close touches nothing
   * after polyenc_abort and answers with it). C keeps answering with an earlier failure instead (which may be
   * the write the abort interrupted) and OK after a successful close: then the addon's own message. */
  polyenc_status st = polyenc_close(enc);
  e->dead_status = POLYENC_ERR_STATE;
  e->dead_message = pe_dup_str(st == POLYENC_ERR_STATE ? polyenc_last_error(enc) : PE_ABORTED_MESSAGE);
  pthread_mutex_lock(&e->mu);
  e->stats = s;
  int keep = e->close_executed && e->output_kind == PE_OUT_MEMORY; /* close's Buffer points into it */
  pthread_mutex_unlock(&e->mu);
  if (keep) return;
  polyenc_encoder_free(enc);
  e->enc = NULL;
#ifdef __GLIBC__
  malloc_trim(0); /* as when the worker frees a dropped encoder: give the codecs' arenas back */
#endif
}

/* JS thread: the abort job has completed (its promise is resolved). */
void pe_abort_finished(napi_env env, pe_encoder *e) {
  e->abort_state = 2;
  if (e->sink) { /* a stream output gets no further write: let the sink go */
    napi_delete_reference(env, e->sink);
    e->sink = NULL;
  }
}

/* abort() -> Promise<void>, resolved (never rejected) once polyenc_abort has run and the encoder is freed.
 * A second call returns the first call's promise. After close() has resolved it changes nothing (as
 * polyenc_abort after a successful polyenc_close): the output is kept, close() resolves again, other calls
 * keep failing as after close. */
napi_value pe_abort_method(napi_env env, napi_callback_info info) {
  napi_value argv[1], promise;
  pe_encoder *e = NULL;
  if (pe_get_args(env, info, 0, argv, &e, "abort")) return NULL;
  if (e->abort_promise) {
    if (pe_check(env, napi_get_reference_value(env, e->abort_promise, &promise))) return NULL;
    return promise;
  }
  pe_job *job = pe_new_job(env, PE_JOB_ABORT, 0);
  if (!job) return NULL;
  if (pe_check(env, napi_create_promise(env, &job->deferred, &promise))) {
    pe_job_free(env, job);
    return NULL;
  }
  napi_create_reference(env, promise, 1, &e->abort_promise); /* (without it, a later call makes another) */
  if (e->closed) { /* nothing to do */
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    napi_resolve_deferred(env, job->deferred, undefined);
    job->deferred = NULL;
    pe_job_free(env, job);
    return promise;
  }
  e->abort_state = 1;
  pe_worker_abort(env, e, job);
  return promise;
}

/* ---- stats ---- */

static int set_number(napi_env env, napi_value obj, const char *name, double v) {
  napi_value n;
  return pe_check(env, napi_create_double(env, v, &n)) || pe_check(env, napi_set_named_property(env, obj, name, n));
}

/* stats() -> { frames, samples, packets, bytes, seconds }: the latest snapshot (all 0 before open). */
napi_value pe_stats_method(napi_env env, napi_callback_info info) {
  napi_value argv[1], obj;
  pe_encoder *e = NULL;
  if (pe_get_args(env, info, 0, argv, &e, "stats")) return NULL;
  pthread_mutex_lock(&e->mu);
  polyenc_stats s = e->stats;
  pthread_mutex_unlock(&e->mu);
  if (pe_check(env, napi_create_object(env, &obj)) || set_number(env, obj, "frames", (double)s.frames) ||
      set_number(env, obj, "samples", (double)s.samples) || set_number(env, obj, "packets", (double)s.packets) ||
      set_number(env, obj, "bytes", (double)s.bytes) || set_number(env, obj, "seconds", s.seconds))
    return NULL;
  return obj;
}

/* ---- metadata ---- */

/* setMetadata(index: -1 (the container) or a stream's index, key: string, value: string | null) */
napi_value pe_set_metadata_method(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  pe_encoder *e = NULL;
  const char *m = "setMetadata";
  if (pe_get_args(env, info, 3, argv, &e, m)) return NULL;
  int idx = 0;
  char *key = NULL, *value = NULL;
  if (pe_get_int(env, argv[0], m, "index", &idx) || pe_get_string(env, argv[1], m, "key", 0, &key) ||
      pe_get_string(env, argv[2], m, "value", 1, &value) || pe_check_not_aborted(env, e))
    goto out;
  polyenc_stream *stream = NULL;
  if (idx != -1) {
    for (int i = 0; i < e->num_streams && !stream; i++)
      if (e->streams[i].index == idx) stream = e->streams[i].stream;
    if (!stream) {
      pe_bad_arg(env, m, "index");
      goto out;
    }
  }
  if (pe_worker_busy(e)) {
    pe_throw_status(env, POLYENC_ERR_STATE,
                    "setMetadata() cannot run while frames, samples or close() are still being processed; "
                    "metadata is set before open");
    goto out;
  }
  polyenc_status st = polyenc_set_metadata(e->enc, stream, key, value);
  if (st != POLYENC_OK) napi_throw(env, pe_make_error(env, st, polyenc_last_error(e->enc)));
out:
  free(key);
  free(value);
  return NULL;
}

/* ---- addFrames' pts and key frames ---- */

static int typed(napi_env env, napi_value v, napi_typedarray_type want, int n, void **data) {
  bool is_ta = false;
  napi_typedarray_type tt;
  size_t len = 0;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &tt, &len, data, NULL, NULL) != napi_ok || tt != want)
    return -1;
  return n > 0 && len < (size_t)n ? -1 : 0; /* C reads n values */
}

/* A tick count the front door rounded; what has no int64 value (NaN, beyond +-2^63) is clamped, so that C
 * rejects it as the out-of-range pts it is instead of the cast being undefined. */
static int64_t to_int64(double d) {
  if (isnan(d) || d < -9223372036854775808.0) return INT64_MIN;
  if (d >= 9223372036854775808.0) return INT64_MAX;
  return (int64_t)d;
}

/* pts: Float64Array of n tick counts or null; keys: Uint8Array of n flags or null. Copied into the job (the
 * caller may reuse them once the promise settles; the copies live until the job is freed). */
int pe_read_frame_timing(napi_env env, napi_value pts, napi_value keys, int n, pe_job *job) {
  size_t count = n > 0 ? (size_t)n : 0;
  void *data = NULL;
  if (!pe_is_nullish(env, pts)) {
    if (typed(env, pts, napi_float64_array, n, &data)) return pe_bad_arg(env, "addFrames", "pts");
    job->pts_copy = malloc((count ? count : 1) * sizeof *job->pts_copy);
    if (!job->pts_copy) return pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) job->pts_copy[i] = to_int64(((const double *)data)[i]);
    job->frames.pts = job->pts_copy;
  }
  if (!pe_is_nullish(env, keys)) {
    if (typed(env, keys, napi_uint8_array, n, &data)) return pe_bad_arg(env, "addFrames", "keys");
    job->keys_copy = malloc(count ? count : 1);
    if (!job->keys_copy) return pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
    if (count) memcpy(job->keys_copy, data, count);
    job->frames.key_frames = job->keys_copy;
  }
  return 0;
}
