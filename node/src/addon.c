/* polyenc Node-API addon: the native Encoder class.
 *
 * The JS front door (js/ in this repository, the npm package 'polyenc') wraps
 * this class and checks every argument; the methods here take the checked,
 * flat values and move them into the C API. What they still check is only
 * what keeps a binding called around the front door from crashing the
 * process (marshal.c: wrong JS types; here: a stream index of this encoder,
 * data long enough for what the C call will read), with one fixed TypeError. */
#include <stdlib.h>
#include <string.h>

#include "addon.h"

#define ARGS(n, method)                                                                              \
  napi_value argv[(n) + 1];                                                                          \
  pe_encoder *e = NULL;                                                                              \
  if (pe_get_args(env, info, (n), argv, &e, (method))) return NULL;

/* Fills argv[0..n) (undefined where missing) and unwraps `this`. */
int pe_get_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv, pe_encoder **e,
                const char *method) {
  size_t argc = n;
  napi_value this_arg;
  void *p = NULL;
  if (pe_check(env, napi_get_cb_info(env, info, &argc, argv, &this_arg, NULL))) return -1;
  for (size_t i = argc; i < n; i++) napi_get_undefined(env, &argv[i]);
  if (napi_unwrap(env, this_arg, &p) != napi_ok || !p) return pe_bad_arg(env, method, "this");
  *e = p;
  return 0;
}

napi_value pe_make_error(napi_env env, polyenc_status status, const char *message) {
  napi_value code, msg, err;
  napi_create_string_utf8(env, polyenc_status_name(status), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, message && *message ? message : polyenc_status_name(status), NAPI_AUTO_LENGTH,
                          &msg);
  napi_create_error(env, code, msg, &err); /* sets err.code */
  napi_value st;
  napi_create_int32(env, (int32_t)status, &st);
  napi_set_named_property(env, err, "status", st);
  return err;
}

static napi_value throw_c_error(napi_env env, pe_encoder *e, polyenc_status st) {
  napi_throw(env, pe_make_error(env, st, polyenc_last_error(e->enc)));
  return NULL;
}

static int check_idle(napi_env env, pe_encoder *e, const char *what) {
  if (pe_check_not_aborted(env, e)) return -1;
  if (!pe_worker_busy(e)) return 0;
  return pe_throw_status(env, POLYENC_ERR_STATE,
                         "%s cannot run while frames, samples or close() are still being processed; "
                         "streams are added and the output opened before feeding data",
                         what);
}

/* ---- lifecycle ---- */

static void cleanup_hook(void *arg) {
  pe_encoder *e = arg;
  e->cleanup_hook = 0;
  /* The environment is going away (process exit, worker_threads Worker end): no JS will run again, so a
   * worker waiting for the sink must give up. The finalizers that follow free the memory. */
  pe_worker_shutdown(e, 0, 1);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  pe_encoder *e = data;
  e->finalized = 1;
  if (e->cleanup_hook) {
    napi_remove_env_cleanup_hook(env, cleanup_hook, e);
    e->cleanup_hook = 0;
  }
  if (e->sink) napi_delete_reference(env, e->sink);
  if (e->result) napi_delete_reference(env, e->result);
  if (e->abort_promise) napi_delete_reference(env, e->abort_promise);
  if (e->self) napi_delete_reference(env, e->self);
  e->sink = e->result = e->abort_promise = e->self = NULL;
  /* Pending jobs hold a strong reference, so the worker is idle here (or gone): it frees the
   * polyenc_encoder on its way out, off the JS thread, and tsfn_finalize joins it. */
  pe_worker_shutdown(e, 1, 0);
  pe_release(e);
}

static napi_value encoder_new(napi_env env, napi_callback_info info) {
  napi_value this_arg, target;
  if (pe_check(env, napi_get_new_target(env, info, &target))) return NULL;
  if (!target) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          "Class constructor NativeEncoder cannot be invoked without 'new'");
    return NULL;
  }
  if (pe_check(env, napi_get_cb_info(env, info, NULL, NULL, &this_arg, NULL))) return NULL;
  pe_encoder *e = calloc(1, sizeof *e);
  if (!e) {
    pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
    return NULL;
  }
  e->enc = polyenc_encoder_new();
  if (!e->enc) {
    free(e);
    pe_throw_status(env, POLYENC_ERR_NOMEM, "polyenc_encoder_new: out of memory");
    return NULL;
  }
  e->env = env;
  e->js_thread = pthread_self();
  e->refcount = 1;
  pthread_mutex_init(&e->mu, NULL);
  pthread_cond_init(&e->work_cv, NULL);
  pthread_cond_init(&e->write_cv, NULL);
  if (napi_wrap(env, this_arg, e, finalize, NULL, &e->self) != napi_ok) {
    polyenc_encoder_free(e->enc);
    e->enc = NULL;
    pe_release(e);
    pe_check(env, napi_generic_failure);
    return NULL;
  }
  if (napi_add_env_cleanup_hook(env, cleanup_hook, e) == napi_ok) e->cleanup_hook = 1;
  return this_arg;
}

/* ---- streams ---- */

static int remember_stream(napi_env env, pe_encoder *e, pe_stream_info info) {
  if (e->num_streams == e->cap_streams) {
    int cap = e->cap_streams ? e->cap_streams * 2 : 4;
    pe_stream_info *s = realloc(e->streams, sizeof *s * (size_t)cap);
    if (!s) return pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
    e->streams = s;
    e->cap_streams = cap;
  }
  e->streams[e->num_streams++] = info;
  return 0;
}

/* The strings of one config: malloc'd copies, freed once the C call has returned. */
enum { PE_CFG_STRINGS = 8 };
typedef struct cfg_strings {
  char *s[PE_CFG_STRINGS];
  char **options;
} cfg_strings;

static void cfg_strings_free(cfg_strings *k) {
  for (int i = 0; i < PE_CFG_STRINGS; i++) free(k->s[i]);
  pe_free_strings(k->options);
}

/* addVideo({width, height, frameRate, device, codec, pixelFormat, crf, preset, bitRate, gopSize, colorSpace,
 * colorRange, colorTransfer, colorPrimaries, threads, options, rotation, timeBase}): strings may be null (the C default), crf null (not set),
 * options null or [key, value, ...], rotation null (0), timeBase null (0/0: 1/frameRate) or [num, den]. */
static int read_video(napi_env env, napi_value o, polyenc_video_config *c, cfg_strings *k) {
  const char *m = "addVideo";
  polyenc_video_config_init(c);
  if (pe_get_object(env, o, m, "cfg") || pe_field_int(env, o, m, "width", &c->width) ||
      pe_field_int(env, o, m, "height", &c->height) || pe_field_double(env, o, m, "frameRate", &c->frame_rate) ||
      pe_field_string(env, o, m, "device", &k->s[0]) || pe_field_string(env, o, m, "codec", &k->s[1]) ||
      pe_field_string(env, o, m, "pixelFormat", &k->s[2]) || pe_field_nullable_double(env, o, m, "crf", &c->crf) ||
      pe_field_string(env, o, m, "preset", &k->s[3]) || pe_field_int64(env, o, m, "bitRate", &c->bit_rate) ||
      pe_field_int(env, o, m, "gopSize", &c->gop_size) || pe_field_string(env, o, m, "colorSpace", &k->s[4]) ||
      pe_field_string(env, o, m, "colorRange", &k->s[5]) || pe_field_string(env, o, m, "colorTransfer", &k->s[6]) ||
      pe_field_string(env, o, m, "colorPrimaries", &k->s[7]) || pe_field_int(env, o, m, "threads", &c->threads) ||
      pe_field_strings(env, o, m, "options", &k->options) || pe_field_nullable_int(env, o, m, "rotation", &c->rotation) ||
      pe_field_int_pair(env, o, m, "timeBase", &c->time_base_num, &c->time_base_den))
    return -1;
  c->device = k->s[0];
  c->codec = k->s[1];
  c->pixel_format = k->s[2];
  c->preset = k->s[3];
  c->color_space = k->s[4];
  c->color_range = k->s[5];
  c->color_transfer = k->s[6];
  c->color_primaries = k->s[7];
  c->options = (const char *const *)k->options;
  return 0;
}

/* addAudio({sampleRate, numChannels, codec, bitRate, outSampleRate, outNumChannels, options, startTime}):
 * startTime null (0) or a number (NaN and negative values go to C, which says what is wrong) */
static int read_audio(napi_env env, napi_value o, polyenc_audio_config *c, cfg_strings *k) {
  const char *m = "addAudio";
  polyenc_audio_config_init(c);
  if (pe_get_object(env, o, m, "cfg") || pe_field_int(env, o, m, "sampleRate", &c->sample_rate) ||
      pe_field_int(env, o, m, "numChannels", &c->num_channels) || pe_field_string(env, o, m, "codec", &k->s[0]) ||
      pe_field_int64(env, o, m, "bitRate", &c->bit_rate) ||
      pe_field_int(env, o, m, "outSampleRate", &c->out_sample_rate) ||
      pe_field_int(env, o, m, "outNumChannels", &c->out_num_channels) ||
      pe_field_strings(env, o, m, "options", &k->options) ||
      pe_field_nullable_double(env, o, m, "startTime", &c->start_time))
    return -1;
  c->codec = k->s[0];
  c->options = (const char *const *)k->options;
  return 0;
}

/* -> the stream index */
static napi_value add_stream(napi_env env, napi_callback_info info, int video) {
  ARGS(1, video ? "addVideo" : "addAudio");
  cfg_strings keep = {{0}, NULL};
  polyenc_video_config vc;
  polyenc_audio_config ac;
  int bad = video ? read_video(env, argv[0], &vc, &keep) : read_audio(env, argv[0], &ac, &keep);
  if (bad || check_idle(env, e, video ? "addVideo()" : "addAudio()")) {
    cfg_strings_free(&keep);
    return NULL;
  }
  polyenc_stream *s = NULL;
  polyenc_status st = video ? polyenc_add_video(e->enc, &vc, &s) : polyenc_add_audio(e->enc, &ac, &s);
  cfg_strings_free(&keep);
  if (st != POLYENC_OK) return throw_c_error(env, e, st);
  pe_stream_info si = {s, polyenc_stream_index(s), video, video ? vc.width : 0, video ? vc.height : 0,
                       video ? 0 : ac.num_channels};
  if (remember_stream(env, e, si)) return NULL;
  napi_value idx;
  napi_create_int32(env, si.index, &idx);
  return idx;
}

static napi_value add_video(napi_env env, napi_callback_info info) { return add_stream(env, info, 1); }
static napi_value add_audio(napi_env env, napi_callback_info info) { return add_stream(env, info, 0); }

/* ---- outputs ---- */

static napi_value opened(napi_env env, pe_encoder *e, polyenc_status st, pe_output_kind kind) {
  if (st != POLYENC_OK) return throw_c_error(env, e, st);
  e->output_kind = kind;
  pe_take_stats(e); /* the worker is not started yet, or idle (check_idle) */
  if (!e->thread_started && pe_worker_start(env, e)) {
    pe_throw_status(env, POLYENC_ERR_NOMEM, "could not start the encoder's worker thread");
    return NULL;
  }
  return NULL;
}

/* openFile(path: string, format: string | null) */
static napi_value open_file(napi_env env, napi_callback_info info) {
  ARGS(2, "openFile");
  char *path = NULL, *format = NULL;
  if (pe_get_string(env, argv[0], "openFile", "path", 0, &path) ||
      pe_get_string(env, argv[1], "openFile", "format", 1, &format) || check_idle(env, e, "openFile()")) {
    free(path);
    free(format);
    return NULL;
  }
  polyenc_status st = polyenc_open_file(e->enc, path, format);
  free(path);
  free(format);
  return opened(env, e, st, PE_OUT_FILE);
}

/* openMemory(format: string) */
static napi_value open_memory(napi_env env, napi_callback_info info) {
  ARGS(1, "openMemory");
  char *format = NULL;
  if (pe_get_string(env, argv[0], "openMemory", "format", 0, &format) || check_idle(env, e, "openMemory()")) {
    free(format);
    return NULL;
  }
  polyenc_status st = polyenc_open_memory(e->enc, format);
  free(format);
  return opened(env, e, st, PE_OUT_MEMORY);
}

/* openStream(sink, format): sink(chunk: Buffer, done: (err?) => void) returns true when it took the chunk,
 * false when it will call done later ('drain'). No seek: fragmented MP4/MOV. */
static napi_value open_stream(napi_env env, napi_callback_info info) {
  ARGS(2, "openStream");
  napi_valuetype t;
  if (napi_typeof(env, argv[0], &t) != napi_ok || t != napi_function) {
    pe_bad_arg(env, "openStream", "sink");
    return NULL;
  }
  char *format = NULL;
  if (pe_get_string(env, argv[1], "openStream", "format", 0, &format) || check_idle(env, e, "openStream()")) {
    free(format);
    return NULL;
  }
  napi_ref sink = NULL;
  if (pe_check(env, napi_create_reference(env, argv[0], 1, &sink))) {
    free(format);
    return NULL;
  }
  napi_ref old = e->sink;
  e->sink = sink;
  polyenc_writer w = {e, pe_writer_write, NULL};
  e->sync_env = env;
  polyenc_status st = polyenc_open_writer(e->enc, &w, format);
  e->sync_env = NULL;
  free(format);
  if (st != POLYENC_OK) {
    e->sink = old;
    napi_delete_reference(env, sink);
  } else if (old) {
    napi_delete_reference(env, old);
  }
  if (e->deferred_abort) { /* abort() from the sink while the header was written: run it now, here */
    napi_value err = st != POLYENC_OK ? pe_make_error(env, st, polyenc_last_error(e->enc)) : NULL;
    pe_job *job = e->deferred_abort;
    e->deferred_abort = NULL;
    if (st == POLYENC_OK) e->output_kind = PE_OUT_STREAM;
    pe_worker_abort(env, e, job);
    if (err) napi_throw(env, err);
    return NULL;
  }
  return opened(env, e, st, PE_OUT_STREAM);
}

/* ---- data ---- */

/* The stream `index` names among this encoder's video (or audio) streams. */
static pe_stream_info *find_stream(napi_env env, pe_encoder *e, napi_value v, int video, const char *method) {
  int idx = -1;
  if (pe_get_int(env, v, method, "index", &idx)) return NULL;
  for (int i = 0; i < e->num_streams; i++)
    if (e->streams[i].index == idx && e->streams[i].is_video == video) return &e->streams[i];
  pe_bad_arg(env, method, "index");
  return NULL;
}

pe_job *pe_new_job(napi_env env, pe_job_kind kind, int num_refs) {
  pe_job *job = calloc(1, sizeof *job);
  if (job && num_refs) job->refs = calloc((size_t)num_refs, sizeof *job->refs);
  if (!job || (num_refs && !job->refs)) {
    free(job);
    pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
    return NULL;
  }
  job->kind = kind;
  return job;
}

static napi_value submit(napi_env env, pe_encoder *e, pe_job *job) {
  napi_value promise;
  if (pe_check(env, napi_create_promise(env, &job->deferred, &promise))) {
    pe_job_free(env, job);
    return NULL;
  }
  if (e->abort_state) { /* the polyenc_encoder is gone (or going): no C call */
    pe_fail_aborted_job(e, job);
    pe_complete_job(env, e, job);
    return promise;
  }
  pe_submit(env, e, job);
  return promise;
}

static int typed_array(napi_env env, napi_value v, int want_float, void **data, size_t *len) {
  bool is_ta = false;
  napi_typedarray_type tt = napi_int8_array;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &tt, len, data, NULL, NULL) != napi_ok)
    return -1;
  int ok = want_float ? tt == napi_float32_array : tt == napi_uint8_array || tt == napi_uint8_clamped_array;
  return ok ? 0 : -1;
}

/* addFrames(index, data: Uint8Array | Uint8ClampedArray | Buffer, layout: polyenc_layout, numFrames,
 * (the bytes of any layout: a Uint16Array / Float32Array of the deep layouts comes as a Uint8Array over it)
 * pts: Float64Array | null, keys: Uint8Array | null) -> Promise<void>. The front door has checked that data
 * holds numFrames frames of the stream's size (only it knows the layouts' sizes). The typed array is
 * referenced, not copied, until the worker has converted it: the caller must not change it before the
 * promise settles. pts and keys (numFrames values each) are copied at once. */
static napi_value add_frames(napi_env env, napi_callback_info info) {
  ARGS(6, "addFrames");
  const char *m = "addFrames";
  pe_stream_info *s = find_stream(env, e, argv[0], 1, m);
  if (!s) return NULL;
  void *data = NULL;
  size_t len = 0;
  int layout = 0, n = 0;
  if (typed_array(env, argv[1], 0, &data, &len)) {
    pe_bad_arg(env, m, "data");
    return NULL;
  }
  if (pe_get_int(env, argv[2], m, "layout", &layout) || pe_get_int(env, argv[3], m, "numFrames", &n)) return NULL;
  pe_job *job = pe_new_job(env, PE_JOB_FRAMES, 1);
  if (!job) return NULL;
  job->stream = s->stream;
  job->frames.data = data;
  job->frames.layout = (polyenc_layout)layout;
  job->frames.num_frames = n;
  job->frames.height = s->height;
  job->frames.width = s->width;
  if (pe_read_frame_timing(env, argv[4], argv[5], n, job)) {
    pe_job_free(env, job);
    return NULL;
  }
  if (n > 0) {
    if (pe_check(env, napi_create_reference(env, argv[1], 1, &job->refs[0]))) {
      pe_job_free(env, job);
      return NULL;
    }
    job->num_refs = 1;
  }
  return submit(env, e, job);
}

/* addSamples(index, data: Float32Array | Float32Array[], layout: polyenc_sample_layout, numSamples) ->
 * Promise<void>. A single array (the stream's channels, planar or interleaved) is referenced without a
 * copy; an array per channel (planar) is gathered into one planar block on the worker. */
static napi_value add_samples(napi_env env, napi_callback_info info) {
  ARGS(4, "addSamples");
  const char *m = "addSamples";
  pe_stream_info *s = find_stream(env, e, argv[0], 0, m);
  if (!s) return NULL;
  int layout = 0;
  int64_t n = 0;
  if (pe_get_int(env, argv[2], m, "layout", &layout) || pe_get_int64(env, argv[3], m, "numSamples", &n))
    return NULL;
  void *data = NULL;
  size_t len = 0;
  bool is_array = false;
  napi_is_array(env, argv[1], &is_array);
  if (!is_array) {
    int c = s->num_channels;
    if (typed_array(env, argv[1], 1, &data, &len)) {
      pe_bad_arg(env, m, "data");
      return NULL;
    }
    pe_job *job = pe_new_job(env, PE_JOB_SAMPLES, 1);
    if (!job) return NULL;
    job->stream = s->stream;
    job->samples = data;
    job->sample_layout = (polyenc_sample_layout)layout;
    job->num_channels = c;
    job->num_samples = n;
    if (n > 0 && pe_check(env, napi_create_reference(env, argv[1], 1, &job->refs[0]))) {
      pe_job_free(env, job);
      return NULL;
    }
    job->num_refs = n > 0 ? 1 : 0;
    return submit(env, e, job);
  }
  uint32_t nch = 0;
  if (pe_check(env, napi_get_array_length(env, argv[1], &nch))) return NULL;
  if (nch > 65536) { /* far above any channel count the C library takes; keeps the counts below in int */
    pe_bad_arg(env, m, "data");
    return NULL;
  }
  pe_job *job = pe_new_job(env, PE_JOB_SAMPLES, (int)nch);
  if (!job) return NULL;
  job->channels = calloc(nch ? nch : 1, sizeof *job->channels);
  if (!job->channels) {
    pe_job_free(env, job);
    pe_throw_status(env, POLYENC_ERR_NOMEM, "out of memory");
    return NULL;
  }
  for (uint32_t c = 0; c < nch; c++) {
    napi_value ch;
    size_t clen = 0;
    if (pe_check(env, napi_get_element(env, argv[1], c, &ch))) goto fail;
    if (typed_array(env, ch, 1, &data, &clen)) {
      pe_bad_arg(env, m, "data");
      goto fail;
    }
    job->channels[c] = data;
    if (pe_check(env, napi_create_reference(env, ch, 1, &job->refs[c]))) goto fail;
    job->num_refs = (int)c + 1;
  }
  job->stream = s->stream;
  job->sample_layout = POLYENC_SAMPLES_PLANAR;
  job->num_channels = (int)nch;
  job->num_samples = n;
  return submit(env, e, job);
fail:
  pe_job_free(env, job);
  return NULL;
}

static napi_value close_encoder(napi_env env, napi_callback_info info) {
  ARGS(0, "close");
  pe_job *job = pe_new_job(env, PE_JOB_CLOSE, 0);
  if (!job) return NULL;
  return submit(env, e, job);
}

static void output_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  pe_release(hint);
}

/* On the JS thread: settle the job's promise, drop the references to the caller's arrays. */
void pe_complete_job(napi_env env, pe_encoder *e, pe_job *job) {
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  for (int i = 0; i < job->num_refs; i++)
    if (job->refs[i]) {
      napi_delete_reference(env, job->refs[i]);
      job->refs[i] = NULL;
    }
  if (job->status != POLYENC_OK) {
    napi_reject_deferred(env, job->deferred, pe_make_error(env, job->status, job->message));
  } else {
    napi_value result = NULL;
    if (job->kind == PE_JOB_CLOSE) {
      e->closed = 1;
      if (e->result) napi_get_reference_value(env, e->result, &result);
      if (!result && e->output_kind == PE_OUT_MEMORY) {
        /* The bytes stay owned by the polyenc_encoder: the Buffer points at them and holds the encoder. */
        if (job->output_size > 0 && napi_create_external_buffer(env, job->output_size, (void *)job->output,
                                                                output_finalize, e, &result) == napi_ok) {
          e->refcount++;
        } else {
          void *copy;
          napi_create_buffer_copy(env, job->output_size, job->output_size ? job->output : (const uint8_t *)"",
                                  &copy, &result);
        }
        if (result) napi_create_reference(env, result, 1, &e->result);
      }
      if (e->output_kind == PE_OUT_STREAM && e->sink) {
        napi_delete_reference(env, e->sink);
        e->sink = NULL;
      }
    }
    if (!result) napi_get_undefined(env, &result);
    napi_resolve_deferred(env, job->deferred, result);
  }
  job->deferred = NULL;
  if (job->kind == PE_JOB_ABORT) pe_abort_finished(env, e);
  pe_job_free(env, job);
  napi_close_handle_scope(env, scope);
}

/* ---- module ---- */

static napi_value version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_string_utf8(env, polyenc_version(), NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value has_encoder(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], v;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *name = NULL;
  if (argc < 1) napi_get_undefined(env, &argv[0]);
  if (pe_get_string(env, argv[0], "hasEncoder", "name", 0, &name)) return NULL;
  napi_get_boolean(env, polyenc_has_encoder(name) == 1, &v);
  free(name);
  return v;
}

static napi_value cuda_device_count(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_int32(env, polyenc_cuda_device_count(), &v);
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"addVideo", NULL, add_video, NULL, NULL, NULL, napi_default_method, NULL},
      {"addAudio", NULL, add_audio, NULL, NULL, NULL, napi_default_method, NULL},
      {"openFile", NULL, open_file, NULL, NULL, NULL, napi_default_method, NULL},
      {"openMemory", NULL, open_memory, NULL, NULL, NULL, napi_default_method, NULL},
      {"openStream", NULL, open_stream, NULL, NULL, NULL, napi_default_method, NULL},
      {"addFrames", NULL, add_frames, NULL, NULL, NULL, napi_default_method, NULL},
      {"addSamples", NULL, add_samples, NULL, NULL, NULL, napi_default_method, NULL},
      {"close", NULL, close_encoder, NULL, NULL, NULL, napi_default_method, NULL},
      {"setMetadata", NULL, pe_set_metadata_method, NULL, NULL, NULL, napi_default_method, NULL},
      {"stats", NULL, pe_stats_method, NULL, NULL, NULL, napi_default_method, NULL},
      {"abort", NULL, pe_abort_method, NULL, NULL, NULL, napi_default_method, NULL},
  };
  napi_value cls, fn;
  if (pe_check(env, napi_define_class(env, "NativeEncoder", NAPI_AUTO_LENGTH, encoder_new, NULL,
                                      sizeof methods / sizeof methods[0], methods, &cls)))
    return NULL;
  napi_set_named_property(env, exports, "NativeEncoder", cls);
  napi_create_function(env, "version", NAPI_AUTO_LENGTH, version, NULL, &fn);
  napi_set_named_property(env, exports, "version", fn);
  napi_create_function(env, "hasEncoder", NAPI_AUTO_LENGTH, has_encoder, NULL, &fn);
  napi_set_named_property(env, exports, "hasEncoder", fn);
  napi_create_function(env, "cudaDeviceCount", NAPI_AUTO_LENGTH, cuda_device_count, NULL, &fn);
  napi_set_named_property(env, exports, "cudaDeviceCount", fn);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
