/* Encoding one frame (or a flush), and the encoder's worker thread that does it for host video frames.
 *
 * An encode job sends a frame to a stream's codec and takes back the packets it gives (pe_job_run); its
 * packets are then muxed and its failure, if any, reported (pe_job_finish). pe_encoder_send runs both on
 * the caller's thread. pe_worker_send runs the first on the worker thread: the caller's thread goes on
 * converting the next frame while the codec takes this one (natively, for frames from WORKER_MIN_PIXELS
 * up; the WebAssembly builds encode on the calling thread, which is often a browser's main thread). The
 * worker touches only the stream's codec context, the stream's packets_received and its job. The caller's
 * thread takes the job back at its next send (and muxes its packets while the worker encodes that next
 * frame, into a second job) or at the next call that feeds or closes the encoder (pe_worker_sync): the
 * muxer, the output and a writer's callbacks, the statistics and the encoder's state and message are only
 * ever touched by the thread that called polyenc. An encoder or muxer failure of a frame on the worker is
 * reported by that next call. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* An encoder gives back at most one packet per frame, plus what it held back (its delay) when flushed.
 * These bounds are far above what any working encoder needs; an encoder past them is spinning (FFmpeg
 * 5.1's experimental vorbis encoder does when flushed with no input) and is stopped with an error. */
enum { PACKETS_PER_FRAME_LIMIT = 64, FLUSH_PACKETS_SLACK = 1024 };

struct pe_worker {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  pe_encode_job jobs[2]; /* the worker's (jobs[current]) and the one taken back, muxed meanwhile */
  int current;
  polyenc_stream *stream; /* the worker's job's stream and frame (a reference), set by pe_worker_send */
  AVFrame *frame;
  int busy;    /* under lock: the worker has a job to run or is running it */
  int quit;    /* under lock: end the thread once idle */
  int pending; /* the caller's thread only: a job was sent and not taken back */
};

static void job_failed(pe_encode_job *job, int ret) {
  job->ret = ret;
  pe_error_text(ret, job->reason, sizeof job->reason); /* FFmpeg's error line of the thread that ran the codec */
}

/* The next packet to receive into, or NULL without memory. */
static AVPacket *next_packet(pe_encode_job *job) {
  if (job->num_packets == job->capacity) {
    int capacity = job->capacity ? 2 * job->capacity : 4;
    AVPacket **packets = av_realloc_array(job->packets, (size_t)capacity, sizeof *packets);
    if (!packets) return NULL;
    for (int i = job->capacity; i < capacity; i++) packets[i] = NULL;
    job->packets = packets, job->capacity = capacity;
  }
  AVPacket **p = &job->packets[job->num_packets];
  if (!*p) *p = av_packet_alloc();
  return *p;
}

void pe_job_run(pe_encode_job *job, polyenc_stream *s, const AVFrame *frame) {
  job->num_packets = 0, job->ret = 0, job->limit = 0, job->flushing = !frame;
  pe_clear_ffmpeg_log();
  int ret = avcodec_send_frame(s->codec_ctx, frame);
  if (ret < 0 && !(ret == AVERROR_EOF && !frame)) {
    job_failed(job, ret);
    return;
  }
  /* (frames_sent is the caller's thread's: read only when flushing, which runs there) */
  int64_t limit =
      frame ? PACKETS_PER_FRAME_LIMIT : 4 * FFMAX(s->frames_sent - s->packets_received, 0) + FLUSH_PACKETS_SLACK;
  for (int64_t n = 0;; n++) {
    AVPacket *pkt = next_packet(job);
    if (!pkt) {
      job_failed(job, AVERROR(ENOMEM));
      return;
    }
    ret = avcodec_receive_packet(s->codec_ctx, pkt);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
    if (ret < 0) {
      job_failed(job, ret);
      return;
    }
    if (n >= limit) {
      av_packet_unref(pkt);
      job->limit = limit;
      return;
    }
    job->num_packets++;
    s->packets_received++;
    if (pkt->duration == 0 && s->kind == STREAM_VIDEO) pkt->duration = pe_video_frame_ticks(s);
    if (s->kind == STREAM_AUDIO) pe_audio_adjust_packet(s, pkt);
  }
}

polyenc_status pe_job_finish(polyenc_stream *s, pe_encode_job *job) {
  if (!job->num_packets && !job->ret && !job->limit) return POLYENC_OK; /* nothing, or taken back already */
  polyenc_encoder *enc = s->enc;
  int64_t limit = job->limit;
  int ret = job->ret;
  job->limit = job->ret = 0; /* reported once */
  polyenc_status st = POLYENC_OK;
  for (int i = 0; i < job->num_packets; i++) {
    if (!st) st = pe_encoder_write_packet(s, job->packets[i], s->codec_ctx->time_base);
    av_packet_unref(job->packets[i]);
  }
  job->num_packets = 0;
  if (st) return st;
  const char *name = s->codec_ctx->codec->name;
  if (limit)
    return pe_encoder_fail(enc, pe_set_error(enc, POLYENC_ERR_CODEC,
                                             "encoder %s of stream %d gave more than %lld packets %s: it does not "
                                             "terminate, stopping it (choose another encoder for this codec)",
                                             name, s->index, (long long)limit,
                                             job->flushing ? "while flushing" : "for one frame"));
  if (ret)
    return pe_encoder_fail(enc, pe_set_error(enc, pe_codec_status(ret), "encoder %s of stream %d failed: %s", name,
                                             s->index, job->reason));
  return POLYENC_OK;
}

void pe_job_free(pe_encode_job *job) {
  for (int i = 0; i < job->capacity; i++) av_packet_free(&job->packets[i]);
  av_freep(&job->packets);
  job->num_packets = job->capacity = 0;
}

polyenc_status pe_encoder_send(polyenc_stream *s, const AVFrame *frame) {
  if (frame) s->frames_sent++;
  pe_job_run(&s->enc->job, s, frame);
  return pe_job_finish(s, &s->enc->job);
}

static void *worker_main(void *arg) {
  polyenc_encoder *enc = arg;
  pe_worker *w = enc->worker;
  pthread_mutex_lock(&w->lock);
  for (;;) {
    while (!w->busy && !w->quit) pthread_cond_wait(&w->cond, &w->lock);
    if (!w->busy) break; /* quit, and no job left */
    pthread_mutex_unlock(&w->lock);
    pe_job_run(&w->jobs[w->current], w->stream, w->frame);
    av_frame_unref(w->frame);
    pthread_mutex_lock(&w->lock);
    w->busy = 0;
    pthread_cond_broadcast(&w->cond);
  }
  pthread_mutex_unlock(&w->lock);
  pe_clear_ffmpeg_log();
  return NULL;
}

/* Frames smaller than this are encoded on the caller's thread unless a worker runs already: their conversion
 * takes a few tens of microseconds, less than handing them over, and a thread of its own per encoder costs
 * more than that in set-up (its stack and malloc arena faulted in again) for the many-small-clips case
 * (bench/README.md: 256x256 clips took twice as long with it; from 960x540 up the overlap pays). */
enum { WORKER_MIN_PIXELS = 960 * 540 };

/* The worker that takes `frame`, started on the first frame that wants one; NULL where there is none
 * (POLYENC_ENCODE_THREAD=0, a small frame, or no thread or no memory: the frame is then encoded on the
 * caller's thread). POLYENC_ENCODE_THREAD=1 starts it whatever the frame's size. */
static pe_worker *worker_of(polyenc_encoder *enc, const AVFrame *frame) {
#ifdef __EMSCRIPTEN__
  (void)enc, (void)frame;
  return NULL;
#else
  if (enc->worker) return enc->worker;
  const char *env = getenv("POLYENC_ENCODE_THREAD");
  if (env && !strcmp(env, "0")) return NULL;
  int forced = env && !strcmp(env, "1");
  if (!forced && (int64_t)frame->width * frame->height < WORKER_MIN_PIXELS) return NULL;
  pe_worker *w = av_mallocz(sizeof *w);
  if (!w || !(w->frame = av_frame_alloc())) goto fail;
  if (pthread_mutex_init(&w->lock, NULL)) goto fail;
  if (pthread_cond_init(&w->cond, NULL)) {
    pthread_mutex_destroy(&w->lock);
    goto fail;
  }
  enc->worker = w;
  if (!pthread_create(&w->thread, NULL, worker_main, enc)) return w;
  enc->worker = NULL;
  pthread_cond_destroy(&w->cond);
  pthread_mutex_destroy(&w->lock);
fail:
  if (w) av_frame_free(&w->frame);
  av_free(w);
  return NULL;
#endif
}

/* Waits until the worker has no job. */
static void wait_idle(pe_worker *w) {
  pthread_mutex_lock(&w->lock);
  while (w->busy) pthread_cond_wait(&w->cond, &w->lock);
  pthread_mutex_unlock(&w->lock);
}

polyenc_status pe_worker_send(polyenc_stream *s, const AVFrame *frame) {
  pe_worker *w = s->enc->worker;
  if (w && w->pending) {
    wait_idle(w);
    w->pending = 0;
  }
  pe_encode_job *done = w ? &w->jobs[w->current] : NULL; /* the last job, its packets not muxed yet */
  polyenc_stream *done_stream = w ? w->stream : NULL;
  if (done && (done->ret || done->limit)) return pe_job_finish(done_stream, done); /* its failure, and no more */
  if ((w = worker_of(s->enc, frame)) && av_frame_ref(w->frame, frame) >= 0) {
    s->frames_sent++;
    pthread_mutex_lock(&w->lock);
    w->current ^= 1;
    w->stream = s;
    w->busy = w->pending = 1;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    return done ? pe_job_finish(done_stream, done) : POLYENC_OK; /* muxed while the worker encodes */
  }
  polyenc_status st = done ? pe_job_finish(done_stream, done) : POLYENC_OK;
  return st ? st : pe_encoder_send(s, frame); /* no worker: here */
}

polyenc_status pe_worker_sync(polyenc_encoder *enc) {
  pe_worker *w = enc->worker;
  if (!w) return POLYENC_OK;
  if (w->pending) {
    wait_idle(w);
    w->pending = 0;
  }
  return pe_job_finish(w->stream, &w->jobs[w->current]); /* (a job taken back already has no packets left) */
}

void pe_worker_stop(polyenc_encoder *enc) {
  pe_worker *w = enc->worker;
  if (!w) return;
  pthread_mutex_lock(&w->lock);
  w->quit = 1;
  pthread_cond_broadcast(&w->cond);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  pe_job_free(&w->jobs[0]); /* with the packets of a job not taken back */
  pe_job_free(&w->jobs[1]);
  pthread_cond_destroy(&w->cond);
  pthread_mutex_destroy(&w->lock);
  av_frame_free(&w->frame);
  av_free(w);
  enc->worker = NULL;
}
