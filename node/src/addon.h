/* polyenc Node-API addon: shared declarations.
 *
 * The addon is a thin layer over the public C API (polyenc.h). The JS front
 * door (js/ in this repository, the npm package 'polyenc') checks every
 * argument; the addon only moves the checked, flat values into C (marshal.c
 * guards the moves themselves, so no JS value can crash the process) and
 * reports the C library's errors as they are.
 *
 * One native Encoder object owns one polyenc_encoder and, once an output is
 * open, one worker thread with a bounded job queue. Feeding calls (addFrames,
 * addSamples, close) become jobs; the worker runs the C call and posts the
 * result back to the JS thread through a napi_threadsafe_function, where the
 * promise is settled and the references that kept the caller's buffers alive
 * are released.
 *
 * Who touches the polyenc_encoder: the JS thread before the worker starts
 * (addVideo, addAudio, open*), the worker while it runs, and the JS thread
 * again when the worker is idle (a late addVideo, which the C library then
 * rejects with its own message) or gone (after close). Never both at once.
 * abort() (control.c) runs polyenc_abort as a job at the head of the worker's
 * queue (the queued jobs are dropped, the running one finishes first), or on
 * the JS thread when no worker runs; then the polyenc_encoder is freed and
 * every later call fails with POLYENC_ERR_STATE ("aborted"). stats() reads
 * the snapshot the encoder's current user took after its last call.
 */
#ifndef POLYENC_NODE_ADDON_H
#define POLYENC_NODE_ADDON_H

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "polyenc/polyenc.h"

enum { PE_QUEUE_CAPACITY = 4 }; /* jobs handed to the worker at once; more wait on the JS thread */

typedef enum { PE_JOB_FRAMES, PE_JOB_SAMPLES, PE_JOB_CLOSE, PE_JOB_ABORT } pe_job_kind;
typedef enum { PE_OUT_NONE, PE_OUT_FILE, PE_OUT_MEMORY, PE_OUT_STREAM } pe_output_kind;
typedef enum { PE_WRITE_IDLE, PE_WRITE_PENDING, PE_WRITE_OK, PE_WRITE_FAILED } pe_write_state;

typedef struct pe_job {
  struct pe_job *next;
  pe_job_kind kind;
  polyenc_stream *stream;
  /* frames; pts and key_frames point at the job's own copies (pts_copy, keys_copy) or are NULL */
  polyenc_frames frames;
  int64_t *pts_copy;
  uint8_t *keys_copy;
  /* samples: one array (planar or interleaved) or one array per channel */
  const float *samples;
  const float **channels; /* num_channels pointers, or NULL */
  polyenc_sample_layout sample_layout;
  int num_channels;
  int64_t num_samples;
  /* references that keep the caller's typed arrays alive until the worker is done */
  napi_ref *refs;
  int num_refs;
  napi_deferred deferred;
  /* result, written by whoever ran the job */
  polyenc_status status;
  char *message;         /* malloc'd copy of polyenc_last_error when status != OK */
  const uint8_t *output; /* close of a memory output: the bytes (owned by the polyenc_encoder) */
  size_t output_size;
} pe_job;

typedef struct pe_stream_info {
  polyenc_stream *stream; /* dangling once abort has freed the polyenc_encoder: use index */
  int index;
  int is_video;
  int width, height;
  int num_channels;
} pe_stream_info;

typedef struct pe_encoder {
  polyenc_encoder *enc;
  napi_env env;
  pthread_t js_thread;
  napi_ref self;         /* weak; made strong while jobs are pending */
  int refcount;          /* the JS object, the threadsafe function, each output Buffer */
  int finalized;         /* the JS object is gone */
  int cleanup_hook;      /* an env cleanup hook is registered */

  pe_stream_info *streams;
  int num_streams, cap_streams;
  pe_output_kind output_kind;
  napi_ref result; /* what close() resolved to (the memory Buffer), returned again by a second close */

  /* worker */
  pthread_mutex_t mu;
  pthread_cond_t work_cv;  /* the worker waits for jobs */
  pthread_cond_t write_cv; /* the worker waits for the JS thread to take a chunk */
  pthread_t thread;
  int thread_started, thread_joined;
  int worker_exited;  /* under mu */
  int executing;      /* under mu: the worker is inside a C call */
  int close_executed; /* under mu */
  int stop;           /* under mu: leave as soon as possible */
  int free_on_exit;   /* under mu: the worker frees the polyenc_encoder on its way out */
  pe_job *queue_head, *queue_tail; /* under mu, at most PE_QUEUE_CAPACITY */
  int queue_len;
  pe_job *backlog_head, *backlog_tail; /* JS thread only */
  int pending;                         /* JS thread only: queued + backlog */
  napi_threadsafe_function tsfn;

  /* stream output: the worker's writer callback hands each chunk to the JS sink */
  napi_ref sink;          /* JS function (chunk, done) -> boolean */
  napi_env sync_env;      /* set while the JS thread runs a C call (a write may happen inside) */
  const uint8_t *write_data;
  size_t write_size;
  pe_write_state write_state; /* under mu */
  int stream_failed;          /* under mu */
  char write_token;           /* its address tells a write request from a finished job */

  /* stats and abort (control.c) */
  polyenc_stats stats;        /* under mu: the snapshot taken after each job, open and abort */
  int abort_requested;        /* under mu: the worker runs the abort job next; a pending write gives up */
  int abort_state;            /* JS thread only: 0, 1 (abort() called, not finished), 2 (done) */
  napi_ref abort_promise;     /* what abort() returned, returned again by later calls */
  pe_job *deferred_abort;     /* abort() called by the sink inside a C call on the JS thread: run after it */
  int closed;                 /* JS thread only: a close() has resolved (then abort() changes nothing) */
  polyenc_status dead_status; /* once aborted: what every later call fails with */
  char *dead_message;         /* malloc'd; set by whoever ran polyenc_abort */
} pe_encoder;

/* worker.c */
char *pe_dup_str(const char *s); /* a copy (NULL: ""); NULL when memory runs out */
int pe_worker_start(napi_env env, pe_encoder *e);
void pe_submit(napi_env env, pe_encoder *e, pe_job *job);
int pe_worker_busy(pe_encoder *e); /* the worker is running or has queued work */
void pe_worker_shutdown(pe_encoder *e, int free_on_exit, int join);
void pe_run_job(pe_encoder *e, pe_job *job);
void pe_job_free(napi_env env, pe_job *job);
int pe_writer_write(void *opaque, const uint8_t *data, size_t size);
napi_value pe_write_done(napi_env env, napi_callback_info info);
void pe_release(pe_encoder *e);
void pe_take_stats(pe_encoder *e); /* by the thread that may use the polyenc_encoder now */
void pe_worker_abort(napi_env env, pe_encoder *e, pe_job *abort_job);

/* addon.c */
void pe_complete_job(napi_env env, pe_encoder *e, pe_job *job);
napi_value pe_make_error(napi_env env, polyenc_status status, const char *message);
int pe_get_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv, pe_encoder **e,
                const char *method);
pe_job *pe_new_job(napi_env env, pe_job_kind kind, int num_refs);

/* control.c: setMetadata, stats, abort, and what addFrames' pts / keys need */
#define PE_ABORTED_MESSAGE "the encoder was aborted (abort()) and takes no more calls"
napi_value pe_set_metadata_method(napi_env env, napi_callback_info info);
napi_value pe_stats_method(napi_env env, napi_callback_info info);
napi_value pe_abort_method(napi_env env, napi_callback_info info);
int pe_check_not_aborted(napi_env env, pe_encoder *e);  /* throws the aborted error: -1 */
void pe_fail_aborted_job(pe_encoder *e, pe_job *job);   /* sets the job's status and message */
void pe_run_abort(pe_encoder *e);                       /* polyenc_abort + snapshot + free (the runner's thread) */
void pe_abort_finished(napi_env env, pe_encoder *e);    /* JS thread, when the abort job completes */
int pe_read_frame_timing(napi_env env, napi_value pts, napi_value keys, int n, pe_job *job);

/* marshal.c: checked JS values -> C. A value of the wrong JS type (the binding called around the front
 * door) throws a fixed TypeError, code ERR_INVALID_ARG_TYPE. All return 0 on success and -1 with a
 * pending exception; strings are malloc'd copies, string lists NULL-terminated (pe_free_strings). */
int pe_bad_arg(napi_env env, const char *method, const char *name); /* throws the fixed TypeError */
int pe_throw_status(napi_env env, polyenc_status status, const char *fmt, ...);
int pe_check(napi_env env, napi_status s); /* napi failure -> pending exception, -1 */
int pe_is_nullish(napi_env env, napi_value v);
int pe_get_object(napi_env env, napi_value v, const char *method, const char *name);
int pe_get_int(napi_env env, napi_value v, const char *method, const char *name, int *out);
int pe_get_double(napi_env env, napi_value v, const char *method, const char *name, double *out);
int pe_get_int64(napi_env env, napi_value v, const char *method, const char *name, int64_t *out);
int pe_get_string(napi_env env, napi_value v, const char *method, const char *name, int nullable, char **out);
int pe_get_strings(napi_env env, napi_value v, const char *method, const char *name, char ***out);
void pe_free_strings(char **list);
/* obj[name] (obj an object): int, number, number or null (left as is), int64 from a number,
 * string or null (NULL), array of strings or null (NULL) */
int pe_field_int(napi_env env, napi_value obj, const char *method, const char *name, int *out);
int pe_field_double(napi_env env, napi_value obj, const char *method, const char *name, double *out);
int pe_field_nullable_double(napi_env env, napi_value obj, const char *method, const char *name, double *out);
int pe_field_int64(napi_env env, napi_value obj, const char *method, const char *name, int64_t *out);
int pe_field_string(napi_env env, napi_value obj, const char *method, const char *name, char **out);
int pe_field_strings(napi_env env, napi_value obj, const char *method, const char *name, char ***out);
/* obj[name]: an int, or null / undefined (left as is); [int, int] or null / undefined (left as is) */
int pe_field_nullable_int(napi_env env, napi_value obj, const char *method, const char *name, int *out);
int pe_field_int_pair(napi_env env, napi_value obj, const char *method, const char *name, int *a, int *b);

#endif
