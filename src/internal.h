/* Internal types shared by the core's files. Never included by users. */
#ifndef POLYENC_INTERNAL_H
#define POLYENC_INTERNAL_H

#include <stdarg.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>

#include "polyenc/polyenc.h"

typedef enum stream_kind { STREAM_VIDEO, STREAM_AUDIO, STREAM_ENCODED } stream_kind;

typedef enum encoder_state {
  STATE_CONFIGURING, /* streams may be added */
  STATE_OPEN,        /* data may be fed */
  STATE_CLOSED,      /* trailer written */
  STATE_FAILED,      /* the output broke: every call returns enc->failure */
} encoder_state;

typedef struct video_stream video_stream;
typedef struct audio_stream audio_stream;
typedef struct encoded_stream encoded_stream;
typedef struct output_sink output_sink;
typedef struct pe_worker pe_worker;

/* One frame (or a flush) sent to a stream's codec, and what came back (worker.c). */
typedef struct pe_encode_job {
  AVPacket **packets; /* the packets received, in order: [0, num_packets); kept allocated for the next job */
  int num_packets, capacity;
  int flushing;     /* the job sent no frame */
  int ret;          /* 0, or the AVERROR of the codec call that failed */
  int64_t limit;    /* not 0: the codec gave more packets than this bound for the job */
  char reason[600]; /* ret's text, with FFmpeg's error line of the thread that ran the codec */
} pe_encode_job;

struct polyenc_stream {
  polyenc_encoder *enc;
  int index;
  stream_kind kind;
  AVCodecContext *codec_ctx; /* from open to free; NULL for encoded streams */
  AVStream *av_stream;       /* from open; owned by the format context */
  int64_t frames_sent;       /* frames handed to the encoder since open (counted by the caller's thread) */
  int64_t packets_received;  /* packets the encoder gave back since open (on the worker's thread too) */
  int64_t samples_accepted;  /* audio: input samples polyenc_add_samples took since open (stats.c) */
  int64_t packets_written;   /* packets handed to the muxer since open (stats.c) */
  int64_t bytes_written;     /* their bytes */
  double end_seconds;        /* the latest end time (pts + duration) of those packets */
  AVDictionary *metadata;    /* polyenc_set_metadata; copied into av_stream at open (metadata.c) */
  union {
    video_stream *video;
    audio_stream *audio;
    encoded_stream *encoded;
  } impl;
};

struct polyenc_encoder {
  encoder_state state;
  polyenc_stream **streams;
  int num_streams;
  AVFormatContext *format_ctx; /* from open to close */
  output_sink *sink;           /* from open to free */
  AVPacket *packet;            /* scratch for a mux-only stream's packets (encoded.c) */
  int header_written;          /* the muxer holds state that only av_write_trailer frees */
  polyenc_status failure;      /* the status of STATE_FAILED */
  char error[2048];
  char failure_message[1024]; /* the message that ended the encoding */
  int aborted;                /* polyenc_abort was called (control.c): STATE_FAILED with POLYENC_ERR_STATE */
  int64_t output_bytes;       /* the output's size when its sink was released (stats.c) */
  AVDictionary *metadata;     /* container tags of polyenc_set_metadata (metadata.c) */
  pe_encode_job job;          /* the one encode job, run on the caller's thread or the worker's (worker.c) */
  pe_worker *worker;          /* from the first host video frame sent to the end of the output (worker.c) */
};

/* ---- error.c ---- */
/* Sets enc's message and returns status; format is printf-like. */
polyenc_status pe_set_error(polyenc_encoder *enc, polyenc_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* POLYENC_ERR_NOMEM for AVERROR(ENOMEM), else POLYENC_ERR_CODEC: the status of a failed FFmpeg call. */
polyenc_status pe_codec_status(int averror);
/* FFmpeg's error text for code plus the last message FFmpeg logged at error level, if any. */
const char *pe_error_text(int code, char *buf, size_t size);
void pe_clear_ffmpeg_log(void);
/* Installs the log callback once: FFmpeg is silent unless POLYENC_LOG=debug|info|warning. */
void pe_setup_logging(void);
int pe_log_enabled(int av_level); /* POLYENC_LOG asks for messages of this FFmpeg level */
void pe_log_info(const char *format, ...) __attribute__((format(printf, 1, 2)));
char *pe_copy_string(const char *s); /* NULL -> NULL; strdup with av_malloc */

/* ---- options.c ---- */
const AVOutputFormat *pe_find_muxer(const char *format, const char *path);
polyenc_status pe_encoder_open_named_writer(polyenc_encoder *enc, const polyenc_writer *w, const char *format,
                                            const char *path);
/* The codec a stream of this kind gets in this container when the config names none. */
enum AVCodecID pe_default_codec_id(const AVOutputFormat *muxer, enum AVMediaType type);
/* A spec name ("h264") or an implementation name ("libx264"); software encoders first. */
polyenc_status pe_find_encoder(polyenc_encoder *enc, const char *name, enum AVMediaType type,
                               const char *const *options, const AVCodec **out);
const AVCodec *pe_software_encoder_for(enum AVCodecID id);
int pe_codec_is_nvenc(const AVCodec *codec); /* h264_nvenc, hevc_nvenc, av1_nvenc ... */
char **pe_copy_options(const char *const *options, polyenc_encoder *enc, polyenc_status *status);
void pe_free_options(char **options);
/* Applies each key=value to the codec context when the codec knows the key, else adds it to muxer_opts
 * when the muxer knows it, else fails naming the key. */
polyenc_status pe_route_options(polyenc_stream *s, char **options, AVDictionary **muxer_opts);
polyenc_status pe_check_options_known(polyenc_encoder *enc, const AVCodec *codec, char **options);
/* av_opt_find on a class (NULL: none), without an object. */
const AVOption *pe_class_option(const AVClass *cls, const char *name, const char *unit);
const char *pe_format_list(char *buf, size_t size, const char *const *items);

/* ---- hdr.c: the options master-display and max-cll (HDR static metadata) ---- */
typedef struct pe_hdr {
  int has_mdcv, has_cll;
  unsigned primaries[4][2]; /* G, B, R, white point (x, y), in 0.00002 units, as the option gives them */
  unsigned luminance[2];    /* max, min, in 0.0001 cd/m2 */
  unsigned max_cll, max_fall;
} pe_hdr;
/* Takes master-display and max-cll out of options (a pe_copy_options list), checked: POLYENC_ERR_ARGUMENT
 * naming the option and its syntax. */
polyenc_status pe_hdr_take(polyenc_encoder *enc, char **options, pe_hdr *hdr);
/* POLYENC_ERR_UNSUPPORTED when hdr has metadata and codec cannot write it (only libx265, libsvtav1 can). */
polyenc_status pe_hdr_check_codec(polyenc_encoder *enc, const AVCodec *codec, const pe_hdr *hdr);
/* Into the encoder's x265-params / svtav1-params, after the options are routed; before avcodec_open2. */
polyenc_status pe_hdr_apply_codec(polyenc_stream *s, const pe_hdr *hdr);
/* As the AVStream's side data (mastering display, content light level), for the muxers that write them. */
polyenc_status pe_hdr_apply_stream(polyenc_stream *s, const pe_hdr *hdr);

/* ---- output.c ---- */
polyenc_status pe_sink_open_file(polyenc_encoder *enc, const char *path, output_sink **out);
polyenc_status pe_sink_open_writer(polyenc_encoder *enc, const polyenc_writer *w, output_sink **out);
polyenc_status pe_sink_open_memory(polyenc_encoder *enc, output_sink **out);
AVIOContext *pe_sink_avio(output_sink *sink);
const char *pe_sink_path(const output_sink *sink); /* NULL unless a file */
int pe_sink_seekable(const output_sink *sink);
int pe_sink_failed(const output_sink *sink); /* a write or seek of the caller's sink failed */
/* From now on every write and seek fails without reaching the caller's file, callbacks or memory. */
void pe_sink_refuse(output_sink *sink);
const char *pe_sink_failure(const output_sink *sink);
/* Flushes, and on success keeps the file; on failure removes a file the sink created. */
polyenc_status pe_sink_finish(polyenc_encoder *enc, output_sink *sink, int success);
void pe_sink_memory(const output_sink *sink, const uint8_t **data, size_t *size);
int pe_sink_is_memory(const output_sink *sink);
void pe_sink_free(output_sink *sink);

/* ---- encoder.c ---- */
/* Takes back the worker's job (pe_worker_sync), then checks the encoder accepts data now (STATE_OPEN); sets
 * the message otherwise. */
polyenc_status pe_encoder_check_open(polyenc_encoder *enc, const char *what);
/* The check alone, for a call that takes the job back later (polyenc_add_frames: at its first send). */
polyenc_status pe_encoder_check_state(polyenc_encoder *enc, const char *what);
/* Writes one packet in s's codec time base to the muxer (takes its data). */
polyenc_status pe_encoder_write_packet(polyenc_stream *s, AVPacket *pkt, AVRational time_base);
polyenc_status pe_encoder_fail(polyenc_encoder *enc, polyenc_status status);

/* ---- worker.c ---- */
/* Sends frame (NULL flushes) to s's codec and writes every packet it gives, on this thread, in the encoder's own
 * job (the worker may meanwhile be encoding a frame of another stream, whose packets it muxes later). */
polyenc_status pe_encoder_send(polyenc_stream *s, const AVFrame *frame);
/* The job's two halves: the codec's (any thread), then the muxer's and the failure's (the caller's). */
void pe_job_run(pe_encode_job *job, polyenc_stream *s, const AVFrame *frame);
polyenc_status pe_job_finish(polyenc_stream *s, pe_encode_job *job);
void pe_job_free(pe_encode_job *job);
/* Takes back the worker's last job, then sends frame (a host video frame, refcounted: a reference is kept until
 * the codec has it) to s's codec on the worker thread, or on this one where there is no worker. Returns the
 * status of the job taken back (its failure ends the encoding, as on this thread), else POLYENC_OK. */
polyenc_status pe_worker_send(polyenc_stream *s, const AVFrame *frame);
/* Waits for the worker's job, muxes its packets and reports its failure; POLYENC_OK when there was none. Every
 * call that touches the codecs or the muxer calls this first. */
polyenc_status pe_worker_sync(polyenc_encoder *enc);
/* Ends the worker thread; a job not taken back is dropped. Before the codecs are freed. */
void pe_worker_stop(polyenc_encoder *enc);

/* ---- metadata.c ---- */
/* Copies the tags into the format context and its streams; fails naming a key the muxer would drop. */
polyenc_status pe_metadata_apply(polyenc_encoder *enc, const AVDictionary *muxer_opts);
void pe_metadata_free(polyenc_encoder *enc);

/* ---- rotation.c ---- */
polyenc_status pe_rotation_check(polyenc_encoder *enc, int rotation);
/* Stores rotation (clockwise degrees) as st's display matrix; nothing for 0. */
polyenc_status pe_rotation_apply(polyenc_stream *s, int rotation);

/* ---- stats.c ---- */
/* Counts a packet about to be handed to the muxer (pts, duration in time_base). */
void pe_stats_packet(polyenc_stream *s, const AVPacket *pkt, AVRational time_base);
int64_t pe_sink_bytes(const output_sink *sink); /* output.c: the output's size so far (bytes past the end written) */

/* ---- frames.c ---- */
struct source_frame;
/* The per-frame strides of frames in the caller's layout, filled in when all are 0 (contiguous). */
void pe_frames_strides(const polyenc_frames *f, int64_t *frame_stride, int64_t strides[3]);
/* Fails with POLYENC_ERR_ARGUMENT when n frames at these strides span more bytes than an address holds. */
polyenc_status pe_frames_check_extent(polyenc_stream *s, const struct source_frame *first, int n, int64_t frame_stride);

/* ---- timestamps.c ---- */
/* The clock of a video stream: pts in time_base, the caller's, or for a frame given without one the last
 * given pts (0 at first) plus the frames since at the nominal rate, rounded once: no drift however long. */
typedef struct pe_video_clock {
  AVRational time_base, frame_rate;
  int64_t frame_ticks;  /* 1 / frame_rate in time_base (rounded, at least 1): a packet's duration */
  int64_t last_pts;     /* -1 before the first frame */
  int64_t anchor_pts;   /* the last pts given (0 before any) */
  int64_t since_anchor; /* frames stamped since anchor_pts's frame (0 before any) */
} pe_video_clock;
/* The per-frame timing of one add_frames call; pts / key_frames NULL when not given. */
typedef struct pe_frame_times {
  const int64_t *pts;
  const uint8_t *key_frames;
} pe_frame_times;
/* A non-negative step in time_base that is below 2^31 in the container's time base (s is open). */
int pe_fits_container_clock(const polyenc_stream *s, AVRational time_base, int64_t step);
/* pts (in time_base) is a time the container can place: in asf under 2^31 ms; elsewhere any. */
int pe_fits_timeline(const polyenc_stream *s, AVRational time_base, int64_t pts);
polyenc_status pe_check_time_base(polyenc_encoder *enc, int num, int den); /* 0/0 or both > 0 */
polyenc_status pe_check_start_time(polyenc_encoder *enc, double start_time); /* 0..86400 s, not NaN */
/* start_time > 0 needs a container that places audio by timestamps (not avi, wav, raw streams ...). */
polyenc_status pe_check_start_time_container(polyenc_stream *s, double start_time, const AVOutputFormat *muxer);
int64_t pe_start_time_ticks(double start_time, int rate);                    /* in 1/rate */
/* time_base_num/den 0/0: 1/frame_rate. */
void pe_clock_init(pe_video_clock *c, int time_base_num, int time_base_den, AVRational frame_rate);
/* The pts of the n frames of a call (NULL: running) increase strictly and fit the container, else
 * POLYENC_ERR_ARGUMENT naming the frame and the values. Before anything of the call is converted. */
polyenc_status pe_clock_check(polyenc_stream *s, const pe_video_clock *c, const int64_t *pts, int n);
/* The pts of frame i of a call that pe_clock_check accepted (t NULL or t->pts NULL: the running pts), and
 * advances the clock past it. */
int64_t pe_clock_next(pe_video_clock *c, const pe_frame_times *t, int i);
/* Sets frame i's pts (pe_clock_next) and picture type (I when forced). */
void pe_clock_stamp(pe_video_clock *c, AVFrame *frame, const pe_frame_times *t, int i);

/* ---- device.c ---- */
struct pe_converter_ops;
/* The converter (platform.h) and device index of the device a config names: NULL or "cpu", the host converter and
 * -1; a device name, its adapter's converter and index once the adapter says the device can be used
 * (POLYENC_ERR_UNSUPPORTED naming the reason otherwise); anything else: POLYENC_ERR_ARGUMENT. */
polyenc_status pe_parse_device(polyenc_encoder *enc, const char *device, const struct pe_converter_ops **ops,
                               int *index);

/* ---- video.c / audio.c / encoded.c: one struct each, the same five steps ---- */
/* frame_rate within POLYENC_MIN_FRAME_RATE..POLYENC_MAX_FRAME_RATE (NaN fails too). */
polyenc_status pe_check_frame_rate(polyenc_encoder *enc, double rate);
polyenc_status pe_video_create(polyenc_encoder *enc, const polyenc_video_config *cfg, video_stream **out);
polyenc_status pe_video_open(polyenc_stream *s, const AVOutputFormat *muxer, AVDictionary **muxer_opts);
polyenc_status pe_video_flush(polyenc_stream *s);
void pe_video_free(video_stream *v);
int64_t pe_video_frame_ticks(const polyenc_stream *s); /* one nominal frame in the stream's codec time base */

polyenc_status pe_audio_create(polyenc_encoder *enc, const polyenc_audio_config *cfg, audio_stream **out);
polyenc_status pe_audio_open(polyenc_stream *s, const AVOutputFormat *muxer, AVDictionary **muxer_opts);
polyenc_status pe_audio_flush(polyenc_stream *s);
/* A packet of the audio encoder before it goes to the muxer (see start_time in audio.c). */
void pe_audio_adjust_packet(polyenc_stream *s, AVPacket *pkt);
void pe_audio_free(audio_stream *a);

polyenc_status pe_encoded_create(polyenc_encoder *enc, const polyenc_encoded_video_config *cfg, encoded_stream **out);
polyenc_status pe_encoded_open(polyenc_stream *s, const AVOutputFormat *muxer);
void pe_encoded_free(encoded_stream *e);
/* The pts the next n frames of mux-only stream s get on its video clock (the clock of a video stream with the
 * same frame_rate and time base): pts NULL, the running pts; else pts itself, checked (pe_clock_check). Into out,
 * and the clock advances past them; nothing advances when the check fails. Only while open, else
 * POLYENC_ERR_STATE; s not a mux-only stream, n < 0, out NULL, or pts NULL on a stream without a frame_rate:
 * POLYENC_ERR_ARGUMENT. (The wasm glue: WebCodecs' frames get their timestamps here.) */
polyenc_status pe_encoded_next_pts(polyenc_stream *s, const int64_t *pts, int n, int64_t *out);
/* The checks polyenc_add_frames makes of the pts of a call of n frames on video stream s (state, clock), without
 * encoding: a caller that splits one call into several (the wasm glue's batches) checks them all first. */
polyenc_status pe_video_check_pts(polyenc_stream *s, const int64_t *pts, int n);
/* ---- video.c, for the DLPack entry point (with the GPU adapter, platform/) ---- */
int pe_video_device(const polyenc_stream *s); /* the device index of the stream's converter; -1: the host */
/* n frames of one layout after the state and shape checks: their extent and pts checked (times NULL or its pts
 * NULL: the running pts), then converted, stamped and encoded by the stream's converter. */
polyenc_status pe_video_add_source(polyenc_stream *s, const struct source_frame *first, int n, int64_t frame_stride,
                                   const pe_frame_times *times);

#endif
