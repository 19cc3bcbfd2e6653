/* Timestamps: the clock of a video stream (the caller's pts, or the nominal rate from the last one given),
 * checked strictly increasing and within the container's clock before anything of a call is
 * converted; forced key frames; the audio start_time. */
#include <math.h>
#include <string.h>

#include "internal.h"

/* The largest pts, in the container's clock: sums of two timestamps (pts + duration in the muxers,
 * pts - delay in the encoders) stay far from overflowing. */
#define MAX_CONTAINER_TICKS (INT64_C(1) << 53)
/* FFmpeg's avi muxer writes an empty chunk for every tick of its clock between two packets. */
#define MAX_AVI_STEP 65535
#define MAX_START_TIME 86400.0 /* seconds: one day */

int pe_fits_container_clock(const polyenc_stream *s, AVRational time_base, int64_t step) {
  if (step < 0) return 1; /* checked elsewhere */
  int64_t ticks = av_rescale_q(step, time_base, s->av_stream->time_base);
  return ticks >= 0 && ticks <= INT32_MAX;
}

/* ASF stores send times in 32 bits of milliseconds, and FFmpeg's asf muxer keeps an index entry for every
 * second up to the latest pts: a later pts would wrap, and its index would take memory without bound. */
int pe_fits_timeline(const polyenc_stream *s, AVRational time_base, int64_t pts) {
  const char *muxer = s->enc->format_ctx->oformat->name;
  if (strcmp(muxer, "asf") && strcmp(muxer, "asf_stream")) return 1;
  return pts >= 0 && av_rescale_q(pts, time_base, (AVRational){1, 1000}) < INT32_MAX;
}

polyenc_status pe_check_time_base(polyenc_encoder *enc, int num, int den) {
  if ((num == 0 && den == 0) || (num > 0 && den > 0)) return POLYENC_OK;
  return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                      "time_base_num and time_base_den must both be 0 (1/frame_rate) or both be > 0, got %d/%d", num,
                      den);
}

polyenc_status pe_check_start_time(polyenc_encoder *enc, double start_time) {
  if (start_time >= 0 && start_time <= MAX_START_TIME) return POLYENC_OK;
  return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "start_time must be between 0 and %g seconds, got %g",
                      MAX_START_TIME, start_time);
}

/* Containers that place audio by its samples, not by timestamps: a start_time would be lost. */
polyenc_status pe_check_start_time_container(polyenc_stream *s, double start_time, const AVOutputFormat *muxer) {
  static const char *const sample_clocked[] = {"avi", "wav", "w64", "aiff", "caf", "au", "voc", NULL};
  int lost = (muxer->flags & AVFMT_NOTIMESTAMPS) != 0;
  for (const char *const *m = sample_clocked; *m; m++) lost |= !strcmp(muxer->name, *m);
  if (start_time > 0 && lost)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                        "start_time %g (stream %d): container %s places audio by its samples, not by timestamps; "
                        "use 0, or a container such as mp4 or mkv", start_time, s->index, muxer->name);
  return POLYENC_OK;
}

int64_t pe_start_time_ticks(double start_time, int rate) { return llrint(start_time * rate); }

void pe_clock_init(pe_video_clock *c, int time_base_num, int time_base_den, AVRational frame_rate) {
  c->time_base = av_inv_q(frame_rate);
  if (time_base_num > 0 && time_base_den > 0) av_reduce(&c->time_base.num, &c->time_base.den, time_base_num,
                                                        time_base_den, INT_MAX);
  c->frame_rate = frame_rate;
  c->frame_ticks = FFMAX(av_rescale_q(1, av_inv_q(frame_rate), c->time_base), 1);
  c->last_pts = -1;
  c->anchor_pts = c->since_anchor = 0;
}

/* The pts of the k-th next frame given without one (k = 0: the next): the anchor plus the frames since at the
 * nominal rate, and at least one tick after the frame before (a time base coarser than a frame). */
static int64_t running_pts(const pe_video_clock *c, int64_t k) {
  int64_t ticks = av_rescale_q(c->since_anchor + k, av_inv_q(c->frame_rate), c->time_base), pts;
  if (ticks < 0 || __builtin_add_overflow(c->anchor_pts, ticks, &pts)) pts = INT64_MAX - k; /* fails fits() */
  return FFMAX(pts, c->last_pts + 1 + k);
}

static polyenc_status too_far(polyenc_stream *s, const pe_video_clock *c, const char *what, int i, int64_t pts,
                              int64_t prev) {
  polyenc_encoder *enc = s->enc;
  return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                      "%s[%d] = %lld (after %lld, time base %d/%d) is too far for container %s: a step must be under "
                      "2^31 ticks of its clock (%d/%d; 2^16 in avi) and a pts under 2^53 (in asf: 2^31 ms) (stream %d; "
                      "nothing of this call was encoded)",
                      what, i, (long long)pts, (long long)prev, c->time_base.num, c->time_base.den,
                      enc->format_ctx->oformat->name, s->av_stream->time_base.num, s->av_stream->time_base.den,
                      s->index);
}

/* pts after prev (-1: the first frame) is a step the container can store. */
static int fits(const polyenc_stream *s, const pe_video_clock *c, int64_t pts, int64_t prev) {
  int64_t total = av_rescale_q(pts, c->time_base, s->av_stream->time_base);
  int64_t step = av_rescale_q(pts - FFMAX(prev, 0), c->time_base, s->av_stream->time_base);
  int64_t max_step = strcmp(s->enc->format_ctx->oformat->name, "avi") ? INT32_MAX : MAX_AVI_STEP;
  return step >= 0 && step <= max_step && total >= 0 && total <= MAX_CONTAINER_TICKS &&
         pe_fits_timeline(s, c->time_base, pts);
}

polyenc_status pe_clock_check(polyenc_stream *s, const pe_video_clock *c, const int64_t *pts, int n) {
  polyenc_encoder *enc = s->enc;
  if (n <= 0) return POLYENC_OK;
  if (!pts) { /* at the nominal rate: the first step, and the last pts with its step */
    int64_t first = running_pts(c, 0), last = running_pts(c, n - 1);
    if (!fits(s, c, first, c->last_pts)) return too_far(s, c, "running pts", 0, first, c->last_pts);
    if (n > 1 && !fits(s, c, last, running_pts(c, n - 2)))
      return too_far(s, c, "running pts", n - 1, last, running_pts(c, n - 2));
    return POLYENC_OK;
  }
  if (enc->format_ctx->oformat->flags & AVFMT_NOTIMESTAMPS)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "pts must be NULL for stream %d: container %s stores no timestamps (nothing of this call was "
                        "encoded)", s->index, enc->format_ctx->oformat->name);
  for (int i = 0; i < n; i++) {
    int64_t prev = i ? pts[i - 1] : c->last_pts;
    if (pts[i] < 0)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                          "pts[%d] = %lld: timestamps must be >= 0 (stream %d; nothing of this call was encoded)", i,
                          (long long)pts[i], s->index);
    if (pts[i] <= prev && i)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                          "pts must increase strictly: pts[%d] = %lld is not greater than pts[%d] = %lld (stream %d; "
                          "nothing of this call was encoded)",
                          i, (long long)pts[i], i - 1, (long long)prev, s->index);
    if (pts[i] <= prev)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                          "pts must increase strictly: pts[0] = %lld is not greater than %lld, the last pts of stream "
                          "%d so far (nothing of this call was encoded)",
                          (long long)pts[i], (long long)prev, s->index);
    if (!fits(s, c, pts[i], prev)) return too_far(s, c, "pts", i, pts[i], prev);
  }
  return POLYENC_OK;
}

int64_t pe_clock_next(pe_video_clock *c, const pe_frame_times *t, int i) {
  int64_t pts;
  if (t && t->pts) {
    pts = c->anchor_pts = t->pts[i];
    c->since_anchor = 1;
  } else {
    pts = running_pts(c, 0);
    c->since_anchor++;
  }
  c->last_pts = pts;
  return pts;
}

void pe_clock_stamp(pe_video_clock *c, AVFrame *frame, const pe_frame_times *t, int i) {
  frame->pts = pe_clock_next(c, t, i);
  frame->pict_type = t && t->key_frames && t->key_frames[i] ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
}
