/* The encoder's lifecycle: new -> add streams -> open one output -> feed -> close -> free,
 * the stream table, and the muxer that interleaves every stream's packets. */
#include <string.h>

#include <libavutil/opt.h>

#include "internal.h"

polyenc_encoder *polyenc_encoder_new(void) {
  pe_setup_logging();
  polyenc_encoder *enc = av_mallocz(sizeof *enc);
  if (!enc) return NULL;
  if (!(enc->packet = av_packet_alloc())) {
    av_free(enc);
    return NULL;
  }
  return enc;
}

static polyenc_status failed_earlier(polyenc_encoder *enc) {
  if (enc->aborted)
    return pe_set_error(enc, POLYENC_ERR_STATE, "the encoder was aborted (polyenc_abort) and takes no more calls");
  return pe_set_error(enc, enc->failure, "the encoder failed earlier and takes no more calls: %s",
                      enc->failure_message);
}

polyenc_status pe_encoder_check_state(polyenc_encoder *enc, const char *what) {
  switch (enc->state) {
  case STATE_OPEN: return POLYENC_OK;
  case STATE_CONFIGURING:
    return pe_set_error(enc, POLYENC_ERR_STATE,
                        "Cannot call %s before open(): call polyenc_open_file, polyenc_open_writer or "
                        "polyenc_open_memory first", what);
  case STATE_CLOSED: return pe_set_error(enc, POLYENC_ERR_STATE, "Cannot call %s after close() was called.", what);
  case STATE_FAILED: return failed_earlier(enc);
  }
  return POLYENC_ERR_STATE;
}

polyenc_status pe_encoder_check_open(polyenc_encoder *enc, const char *what) {
  polyenc_status st = enc->state == STATE_OPEN ? pe_worker_sync(enc) : POLYENC_OK;
  return st ? st : pe_encoder_check_state(enc, what);
}

polyenc_status pe_encoder_fail(polyenc_encoder *enc, polyenc_status status) {
  enc->state = STATE_FAILED;
  enc->failure = status;
  snprintf(enc->failure_message, sizeof enc->failure_message, "%.1000s", enc->error);
  return status;
}

static polyenc_status check_configuring(polyenc_encoder *enc, const void *cfg, void *out) {
  if (!cfg || !out) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "cfg and out must not be NULL");
  if (enc->state == STATE_FAILED) return failed_earlier(enc);
  if (enc->state != STATE_CONFIGURING)
    return pe_set_error(enc, POLYENC_ERR_STATE,
                        "Cannot add a stream after open() was called: add every stream before open().");
  return POLYENC_OK;
}

static polyenc_status append_stream(polyenc_encoder *enc, stream_kind kind, void *impl, polyenc_stream **out) {
  polyenc_stream *s = av_mallocz(sizeof *s);
  polyenc_stream **streams = s ? av_realloc_array(enc->streams, (size_t)enc->num_streams + 1, sizeof *streams) : NULL;
  if (!streams) {
    av_free(s);
    return pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory adding a stream");
  }
  enc->streams = streams;
  s->enc = enc;
  s->index = enc->num_streams;
  s->kind = kind;
  s->impl.video = impl; /* the union's members are all pointers */
  enc->streams[enc->num_streams++] = s;
  *out = s;
  return POLYENC_OK;
}

polyenc_status polyenc_add_video(polyenc_encoder *enc, const polyenc_video_config *cfg, polyenc_stream **out) {
  if (!enc) return POLYENC_ERR_ARGUMENT;
  polyenc_status st = check_configuring(enc, cfg, out);
  video_stream *v;
  if (st || (st = pe_video_create(enc, cfg, &v))) return st;
  if ((st = append_stream(enc, STREAM_VIDEO, v, out))) pe_video_free(v);
  return st;
}

polyenc_status polyenc_add_audio(polyenc_encoder *enc, const polyenc_audio_config *cfg, polyenc_stream **out) {
  if (!enc) return POLYENC_ERR_ARGUMENT;
  polyenc_status st = check_configuring(enc, cfg, out);
  audio_stream *a;
  if (st || (st = pe_audio_create(enc, cfg, &a))) return st;
  if ((st = append_stream(enc, STREAM_AUDIO, a, out))) pe_audio_free(a);
  return st;
}

polyenc_status polyenc_add_encoded_video(polyenc_encoder *enc, const polyenc_encoded_video_config *cfg,
                                         polyenc_stream **out) {
  if (!enc) return POLYENC_ERR_ARGUMENT;
  polyenc_status st = check_configuring(enc, cfg, out);
  encoded_stream *e;
  if (st || (st = pe_encoded_create(enc, cfg, &e))) return st;
  if ((st = append_stream(enc, STREAM_ENCODED, e, out))) pe_encoded_free(e);
  return st;
}

int polyenc_stream_index(const polyenc_stream *s) { return s ? s->index : -1; }

/* Releases what open made (codec contexts, muxer, and the sink unless it holds memory output). A muxer
 * frees what it holds (queued packets, indexes) only in av_write_trailer: after a failure it runs with
 * the sink refusing every byte, so nothing more reaches the output. */
static void release_output(polyenc_encoder *enc, int keep_memory) {
  pe_worker_stop(enc);
  if (enc->sink) enc->output_bytes = pe_sink_bytes(enc->sink); /* polyenc_get_stats after close */
  if (enc->header_written) {
    pe_sink_refuse(enc->sink);
    av_write_trailer(enc->format_ctx); /* fails: the encoding has failed already */
    enc->header_written = 0;
  }
  for (int i = 0; i < enc->num_streams; i++) avcodec_free_context(&enc->streams[i]->codec_ctx);
  avformat_free_context(enc->format_ctx);
  enc->format_ctx = NULL;
  if (!keep_memory || !pe_sink_is_memory(enc->sink)) {
    pe_sink_free(enc->sink);
    enc->sink = NULL;
  }
}

static polyenc_status open_streams(polyenc_encoder *enc, AVDictionary **muxer_opts) {
  const AVOutputFormat *muxer = enc->format_ctx->oformat;
  for (int i = 0; i < enc->num_streams; i++) {
    polyenc_stream *s = enc->streams[i];
    s->frames_sent = s->packets_received = s->samples_accepted = s->packets_written = s->bytes_written = 0;
    s->end_seconds = 0;
    polyenc_status st = s->kind == STREAM_VIDEO   ? pe_video_open(s, muxer, muxer_opts)
                        : s->kind == STREAM_AUDIO ? pe_audio_open(s, muxer, muxer_opts)
                                                  : pe_encoded_open(s, muxer);
    if (st) return st;
  }
  return POLYENC_OK;
}

static int is_mp4_family(const AVOutputFormat *muxer) {
  return !strcmp(muxer->name, "mp4") || !strcmp(muxer->name, "mov") || !strcmp(muxer->name, "ipod") ||
         !strcmp(muxer->name, "ismv");
}

/* mp4's faststart moves the index to the front by re-reading the finished output through its file name:
 * a writer or a memory output has none, and would fail only at close. */
static polyenc_status check_faststart(polyenc_encoder *enc, AVDictionary *muxer_opts) {
  const AVDictionaryEntry *flags = av_dict_get(muxer_opts, "movflags", NULL, 0);
  if (!flags || !strstr(flags->value, "faststart") || !is_mp4_family(enc->format_ctx->oformat) ||
      pe_sink_path(enc->sink))
    return POLYENC_OK;
  return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                      "movflags '%s': faststart moves the index to the front by re-reading the finished file, which "
                      "only a file output opened by path can do (polyenc_open_file; in JS, openFile on the native "
                      "backend), not a writer or memory output", flags->value);
}

/* An output that cannot seek gets fragmented MP4/MOV: the moov can't be written back at the start. */
static polyenc_status add_fragment_flags(polyenc_encoder *enc, AVDictionary **muxer_opts) {
  if (pe_sink_seekable(enc->sink) || !is_mp4_family(enc->format_ctx->oformat)) return POLYENC_OK;
  const AVDictionaryEntry *given = av_dict_get(*muxer_opts, "movflags", NULL, 0);
  if (given && strstr(given->value, "frag_")) return POLYENC_OK;
  char flags[256];
  snprintf(flags, sizeof flags, "%s+frag_keyframe+empty_moov+default_base_moof", given ? given->value : "");
  return av_dict_set(muxer_opts, "movflags", flags, 0) < 0 ? pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory")
                                                           : POLYENC_OK;
}

/* mp4 / mov write their edit lists (a first pts above 0, an audio start_time, AAC's priming) in the movie's
 * time scale, 1/1000 s unless set: every frame would move by up to 1 ms. The finest track's time scale (as
 * the muxer picks it: the stream's, doubled up to 10000 at least) keeps them exact. */
static polyenc_status add_movie_timescale(polyenc_encoder *enc, AVDictionary **muxer_opts) {
  if (!is_mp4_family(enc->format_ctx->oformat) || av_dict_get(*muxer_opts, "movie_timescale", NULL, 0))
    return POLYENC_OK;
  int scale = 1000;
  for (unsigned i = 0; i < enc->format_ctx->nb_streams; i++) {
    int t = enc->format_ctx->streams[i]->time_base.den;
    while (t > 0 && t < 10000) t *= 2;
    scale = FFMAX(scale, t);
  }
  char value[16];
  snprintf(value, sizeof value, "%d", scale);
  return av_dict_set(muxer_opts, "movie_timescale", value, 0) < 0 ? pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory")
                                                                  : POLYENC_OK;
}

static polyenc_status write_header(polyenc_encoder *enc, AVDictionary **muxer_opts) {
  pe_clear_ffmpeg_log();
  int ret = avformat_write_header(enc->format_ctx, muxer_opts);
  enc->header_written = ret >= 0;
  if (ret >= 0) return POLYENC_OK;
  if (pe_sink_failed(enc->sink))
    return pe_set_error(enc, POLYENC_ERR_IO, "writing the header failed: %s", pe_sink_failure(enc->sink));
  char reason[600];
  return pe_set_error(enc, pe_codec_status(ret), "muxer %s could not write its header: %s",
                      enc->format_ctx->oformat->name, pe_error_text(ret, reason, sizeof reason));
}

typedef polyenc_status (*sink_opener)(polyenc_encoder *enc, const void *arg, output_sink **out);

static polyenc_status open_output(polyenc_encoder *enc, const char *format, const char *path, sink_opener open_sink,
                                  const void *arg) {
  if (enc->state == STATE_FAILED) return failed_earlier(enc);
  if (enc->state == STATE_OPEN) return pe_set_error(enc, POLYENC_ERR_STATE, "open() was already called.");
  if (enc->state == STATE_CLOSED) return pe_set_error(enc, POLYENC_ERR_STATE, "Cannot open after close() was called.");
  if (enc->num_streams == 0)
    return pe_set_error(enc, POLYENC_ERR_STATE, "Call polyenc_add_video() or polyenc_add_audio() before open()");
  const AVOutputFormat *muxer = pe_find_muxer(format, path);
  if (!muxer && format)
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                        "format '%s' is not a container this build can write (an FFmpeg muxer name such as mp4, "
                        "matroska, webm, mov, wav, or an extension such as mkv, m4a)", format);
  if (!muxer)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "cannot tell the container from path '%s': give a known extension (.mp4, .mkv, ...) or a "
                        "format", path);
  /* hls, dash, tee, segment, image2, rtsp, sap, null, ...: they open files or sockets of their own (in the
   * working directory, on the network) instead of writing this one output */
  if (muxer->flags & AVFMT_NOFILE)
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                        "format '%s' (muxer %s) writes files or network streams of its own, not one output; use a "
                        "container such as mp4, matroska, webm, mov, mpegts, wav", format ? format : path, muxer->name);
  /* chromaprint computes an audio fingerprint from raw 16-bit PCM and aborts on anything else */
  if (!strcmp(muxer->name, "chromaprint"))
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                        "format '%s' (muxer chromaprint) writes an audio fingerprint, not a media file",
                        format ? format : path);

  polyenc_status st = open_sink(enc, arg, &enc->sink);
  if (st) return st;
  AVDictionary *muxer_opts = NULL;
  if (avformat_alloc_output_context2(&enc->format_ctx, muxer, NULL, NULL) < 0) {
    st = pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory creating the muxer");
  } else {
    enc->format_ctx->pb = pe_sink_avio(enc->sink);
    enc->format_ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
    /* a file's name lets a muxer re-open it (mp4's faststart moves the index to the front) */
    if (pe_sink_path(enc->sink) && !(enc->format_ctx->url = av_strdup(pe_sink_path(enc->sink))))
      st = pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory creating the muxer");
    enc->state = STATE_OPEN; /* the streams' open steps may check it */
    if (!st && !(st = open_streams(enc, &muxer_opts)) && !(st = check_faststart(enc, muxer_opts)) &&
        !(st = add_fragment_flags(enc, &muxer_opts)) && !(st = add_movie_timescale(enc, &muxer_opts)) &&
        !(st = pe_metadata_apply(enc, muxer_opts)))
      st = write_header(enc, &muxer_opts);
  }
  av_dict_free(&muxer_opts);
  if (st) { /* roll back: no file left behind, the streams can be opened again */
    enc->state = STATE_CONFIGURING;
    pe_sink_finish(enc, enc->sink, 0);
    release_output(enc, 0);
  }
  return st;
}

static polyenc_status open_file_sink(polyenc_encoder *enc, const void *path, output_sink **out) {
  return pe_sink_open_file(enc, path, out);
}
static polyenc_status open_writer_sink(polyenc_encoder *enc, const void *w, output_sink **out) {
  return pe_sink_open_writer(enc, w, out);
}
static polyenc_status open_memory_sink(polyenc_encoder *enc, const void *unused, output_sink **out) {
  (void)unused;
  return pe_sink_open_memory(enc, out);
}

polyenc_status polyenc_open_file(polyenc_encoder *enc, const char *path, const char *format) {
  if (!enc) return POLYENC_ERR_ARGUMENT;
  if (!path || !*path)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "path must be a non-empty string, got %s", path ? "\"\"" : "NULL");
  return open_output(enc, format, path, open_file_sink, path);
}

polyenc_status polyenc_open_writer(polyenc_encoder *enc, const polyenc_writer *w, const char *format) {
  if (!enc) return POLYENC_ERR_ARGUMENT;
  if (!w || !w->write)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "writer must not be NULL and must have a write callback");
  if (!format)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "format is required for a writer output (e.g. \"mp4\"), got NULL");
  return open_output(enc, format, NULL, open_writer_sink, w);
}

/* A writer standing for the file `path` (the wasm build in Node writes files through JS): the container
 * comes from format, else from path's extension, as for polyenc_open_file. */
polyenc_status pe_encoder_open_named_writer(polyenc_encoder *enc, const polyenc_writer *w, const char *format,
                                            const char *path) {
  if (!enc) return POLYENC_ERR_ARGUMENT;
  if (!w || !w->write || !path || !*path) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "a file writer needs a path");
  return open_output(enc, format, path, open_writer_sink, w);
}

polyenc_status polyenc_open_memory(polyenc_encoder *enc, const char *format) {
  if (!enc) return POLYENC_ERR_ARGUMENT;
  if (!format)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "format is required for a memory output (e.g. \"mp4\"), got NULL");
  return open_output(enc, format, NULL, open_memory_sink, NULL);
}

polyenc_status pe_encoder_write_packet(polyenc_stream *s, AVPacket *pkt, AVRational time_base) {
  polyenc_encoder *enc = s->enc;
  pkt->stream_index = s->index;
  pe_stats_packet(s, pkt, time_base);
  av_packet_rescale_ts(pkt, time_base, s->av_stream->time_base);
  pe_clear_ffmpeg_log();
  int ret = av_interleaved_write_frame(enc->format_ctx, pkt);
  if (ret >= 0) return POLYENC_OK;
  if (pe_sink_failed(enc->sink))
    return pe_encoder_fail(enc, pe_set_error(enc, POLYENC_ERR_IO, "writing the output failed: %s",
                                             pe_sink_failure(enc->sink)));
  char reason[600];
  return pe_encoder_fail(enc, pe_set_error(enc, pe_codec_status(ret),
                                           "muxer %s failed writing a packet of stream %d: %s",
                                           enc->format_ctx->oformat->name, s->index,
                                           pe_error_text(ret, reason, sizeof reason)));
}

/* FFmpeg 5.1's caf muxer divides by a stream's frame count in its trailer (SIGFPE when it is 0): such a
 * file is not finished, and its trailer never runs. */
static polyenc_status check_trailer_safe(polyenc_encoder *enc) {
  if (strcmp(enc->format_ctx->oformat->name, "caf")) return POLYENC_OK;
  for (int i = 0; i < enc->num_streams; i++) {
    const polyenc_stream *s = enc->streams[i];
    if (s->kind == STREAM_ENCODED ? s->packets_received : s->frames_sent) continue;
    enc->header_written = 0;
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                        "container caf cannot be finished with stream %d empty: give it samples before close()", i);
  }
  return POLYENC_OK;
}

static polyenc_status flush_and_finish(polyenc_encoder *enc) {
  polyenc_status st = POLYENC_OK;
  for (int i = 0; i < enc->num_streams && !st; i++) {
    polyenc_stream *s = enc->streams[i];
    if (s->kind == STREAM_VIDEO) st = pe_video_flush(s);
    else if (s->kind == STREAM_AUDIO) st = pe_audio_flush(s);
  }
  if (!st) st = check_trailer_safe(enc);
  if (!st) {
    pe_clear_ffmpeg_log();
    int ret = av_write_trailer(enc->format_ctx);
    enc->header_written = 0;
    if (ret < 0) {
      char reason[600];
      st = pe_sink_failed(enc->sink)
               ? pe_set_error(enc, POLYENC_ERR_IO, "writing the output failed: %s", pe_sink_failure(enc->sink))
               : pe_set_error(enc, pe_codec_status(ret), "muxer %s could not finish the file: %s",
                              enc->format_ctx->oformat->name, pe_error_text(ret, reason, sizeof reason));
    }
  }
  if (!st) st = pe_sink_finish(enc, enc->sink, 1);
  return st;
}

polyenc_status polyenc_close(polyenc_encoder *enc) {
  if (!enc) return POLYENC_ERR_ARGUMENT;
  switch (enc->state) {
  case STATE_CLOSED: return POLYENC_OK;
  case STATE_CONFIGURING: return pe_set_error(enc, POLYENC_ERR_STATE, "Cannot close before open() was called.");
  case STATE_FAILED:
    if (enc->sink) {
      pe_sink_finish(enc, enc->sink, 0);
      release_output(enc, 0);
    }
    return failed_earlier(enc);
  case STATE_OPEN: break;
  }
  polyenc_status st = pe_worker_sync(enc);
  if (!st) st = flush_and_finish(enc);
  if (st) {
    pe_encoder_fail(enc, st);
    pe_sink_finish(enc, enc->sink, 0);
    release_output(enc, 0);
    return st;
  }
  enc->state = STATE_CLOSED;
  release_output(enc, 1);
  return POLYENC_OK;
}

/* Stops without finishing: the sink refuses every byte first, so a writer hears nothing more and the
 * muxer's trailer (which frees what it holds) reaches nothing; a file is removed, memory released. */
polyenc_status polyenc_abort(polyenc_encoder *enc) {
  if (!enc) return POLYENC_ERR_ARGUMENT;
  if (enc->state == STATE_CLOSED) return POLYENC_OK; /* finished already: the output stays */
  if (enc->sink) {
    pe_sink_refuse(enc->sink);
    pe_sink_finish(enc, enc->sink, 0);
    release_output(enc, 0);
  }
  if (enc->state != STATE_FAILED) { /* an encoder that failed keeps reporting its failure */
    enc->state = STATE_FAILED;
    enc->failure = POLYENC_ERR_STATE;
    enc->aborted = 1;
    snprintf(enc->failure_message, sizeof enc->failure_message, "polyenc_abort() was called");
  }
  return POLYENC_OK;
}

polyenc_status polyenc_output(const polyenc_encoder *enc, const uint8_t **data, size_t *size) {
  polyenc_encoder *mutable_enc = (polyenc_encoder *)enc; /* only the message changes */
  if (!enc) return POLYENC_ERR_ARGUMENT;
  if (!data || !size) return pe_set_error(mutable_enc, POLYENC_ERR_ARGUMENT, "data and size must not be NULL");
  if (enc->state == STATE_FAILED) return failed_earlier(mutable_enc);
  if (enc->state != STATE_CLOSED)
    return pe_set_error(mutable_enc, POLYENC_ERR_STATE,
                        "polyenc_output needs the output closed: call polyenc_close() first");
  if (!pe_sink_is_memory(enc->sink))
    return pe_set_error(mutable_enc, POLYENC_ERR_STATE, "polyenc_output needs a memory output (polyenc_open_memory)");
  pe_sink_memory(enc->sink, data, size);
  return POLYENC_OK;
}

void polyenc_encoder_free(polyenc_encoder *enc) {
  if (!enc) return;
  if (enc->state == STATE_OPEN) polyenc_close(enc);
  if (enc->sink) pe_sink_finish(enc, enc->sink, enc->state == STATE_CLOSED);
  release_output(enc, 0);
  pe_metadata_free(enc);
  for (int i = 0; i < enc->num_streams; i++) {
    polyenc_stream *s = enc->streams[i];
    if (s->kind == STREAM_VIDEO) pe_video_free(s->impl.video);
    else if (s->kind == STREAM_AUDIO) pe_audio_free(s->impl.audio);
    else pe_encoded_free(s->impl.encoded);
    av_free(s);
  }
  av_free(enc->streams);
  pe_job_free(&enc->job);
  av_packet_free(&enc->packet);
  av_free(enc);
  pe_clear_ffmpeg_log(); /* this thread's last FFmpeg error line, if one is kept: nothing outlives the encoder */
}

const char *polyenc_version(void) { return POLYENC_VERSION_STRING; }
