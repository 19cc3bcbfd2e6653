/* polyenc: turn frames and samples into a playable media file.
 *
 * One Encoder model: create an encoder, add any number of video and audio
 * streams (stream index = order added), open ONE output (a file, a writer
 * callback or memory), feed frames and samples to any stream in any order and
 * chunk size, close.
 *
 *   polyenc_encoder *enc = polyenc_encoder_new();
 *   polyenc_video_config vc; polyenc_video_config_init(&vc);
 *   vc.width = 1280; vc.height = 720; vc.frame_rate = 30;
 *   polyenc_stream *video; polyenc_add_video(enc, &vc, &video);
 *   polyenc_open_file(enc, "out.mp4", NULL);
 *   polyenc_add_frames(video, &frames);   // as often as needed
 *   polyenc_close(enc);
 *   polyenc_encoder_free(enc);
 *
 * Every failing call returns a non-OK status and sets a message, read with
 * polyenc_last_error(), that names the parameter, the value and what is valid.
 * Nothing aborts and nothing is printed unless POLYENC_LOG=debug|info|warning.
 * A failed call leaves the encoder usable where that makes sense: a rejected
 * add_video leaves the other streams intact, a rejected add_frames can be
 * retried. A write or seek failure of the output ends the encoding with
 * POLYENC_ERR_IO, and every later call returns that error.
 *
 * Timestamps: video pts = running frame index in a time base of 1/frame_rate,
 * or the caller's (polyenc_frames.pts, in time_base_num/time_base_den);
 * audio pts = running count of output samples in a time base of
 * 1/out_sample_rate, from start_time on.
 *
 * Threads: one encoder is used by one thread at a time; different encoders may
 * run in parallel. Natively, an encoder encodes the frames of its host video
 * streams on a worker thread of its own while the caller's thread converts the
 * next: everything else (audio, muxing, the writer's callbacks, statistics)
 * stays on the caller's thread.
 */
#ifndef POLYENC_POLYENC_H
#define POLYENC_POLYENC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(POLYENC_SHARED_BUILD)
#define POLYENC_API __declspec(dllexport)
#elif defined(__GNUC__)
#define POLYENC_API __attribute__((visibility("default")))
#else
#define POLYENC_API
#endif

typedef struct polyenc_encoder polyenc_encoder; /* opaque */
typedef struct polyenc_stream polyenc_stream;   /* opaque, owned by its encoder */

typedef enum polyenc_status {
  POLYENC_OK = 0,
  POLYENC_ERR_ARGUMENT = -1,    /* bad parameter, shape, layout or value */
  POLYENC_ERR_STATE = -2,       /* call out of order: frames before open, after close, add_video after open ... */
  POLYENC_ERR_UNSUPPORTED = -3, /* codec, format, pixel format or device not available in this build / machine */
  POLYENC_ERR_IO = -4,          /* output could not be opened, written or seeked */
  POLYENC_ERR_NOMEM = -5,
  POLYENC_ERR_CODEC = -6, /* the encoder or muxer failed */
} polyenc_status;

/* The version of this header; polyenc_version() gives the library's ("MAJOR.MINOR.PATCH"). */
#define POLYENC_VERSION_MAJOR 0
#define POLYENC_VERSION_MINOR 1
#define POLYENC_VERSION_PATCH 0
POLYENC_API const char *polyenc_version(void);
/* "POLYENC_OK", "POLYENC_ERR_ARGUMENT", ...; "POLYENC_ERR_UNKNOWN" for other values. */
POLYENC_API const char *polyenc_status_name(polyenc_status s);
/* NULL only when memory runs out. */
POLYENC_API polyenc_encoder *polyenc_encoder_new(void);
/* NULL ok; closes an open output first (errors of that close are dropped: call
 * polyenc_close yourself to see them). */
POLYENC_API void polyenc_encoder_free(polyenc_encoder *enc);
/* Message of the last failed call on enc or one of its streams, "" if none.
 * Valid until the next call on enc. enc NULL: "". */
POLYENC_API const char *polyenc_last_error(const polyenc_encoder *enc);

/* ---- limits ----
 * Every allocation polyenc makes is proportional to what the caller passed. These limits are checked when a
 * stream is added, before anything is allocated; a value past one fails with POLYENC_ERR_ARGUMENT and a
 * message naming the limit. Codecs add their own (x264 takes at most 16384 x 16384, mpeg1video only the MPEG
 * frame rates, ...), reported at add_video or open. */
#define POLYENC_MAX_PIXELS (1 << 26)      /* width x height of a video stream (8192 x 8192) */
#define POLYENC_MIN_FRAME_RATE 0.001      /* frames per second, video and mux-only streams */
#define POLYENC_MAX_FRAME_RATE 1000.0
#define POLYENC_MAX_SAMPLE_RATE 768000    /* sample_rate and out_sample_rate, in Hz */
#define POLYENC_MAX_RESAMPLE_RATIO 64     /* out_sample_rate / sample_rate, and sample_rate / out_sample_rate */
#define POLYENC_MAX_CHANNELS 8            /* num_channels and out_num_channels */
/* polyenc_add_frames: num_frames times the strides must address fewer than PTRDIFF_MAX bytes (checked
 * without overflow). Audio is resampled in chunks, so add_samples allocates a bounded scratch whatever
 * num_samples is. Every loop over an encoder is bounded: an encoder that keeps giving packets (more than
 * 64 for one frame, or far more than it holds back when flushed) is stopped with POLYENC_ERR_CODEC naming it. */

/* ---- streams ---- */
typedef struct polyenc_video_config {
  int width, height;        /* required, > 0, width x height <= POLYENC_MAX_PIXELS, within the codec's limits;
                               even for 4:2:0 pixel formats */
  double frame_rate;        /* required, POLYENC_MIN_FRAME_RATE..POLYENC_MAX_FRAME_RATE; 29.97 is stored as
                               30000/1001 */
  const char *device;       /* NULL or "cpu" | "cuda" | "cuda:N" (see "CUDA streams" below) */
  const char *codec;        /* NULL: the container's default (h264 for mp4/mov/mkv, vp9 for webm, mpeg4 for avi);
                               a spec name ("h264", "hevc", "av1", "vp9": its first stable CPU encoder) or an
                               implementation name ("libx264"). FFmpeg's experimental encoders are used only when
                               named exactly ("truehd", "dca"), and "opus" / "vorbis" mean libopus / libvorbis
                               unless options has {"strict", "experimental"};
                               on a cuda stream, NULL or a spec name picks NVENC where it works */
  const char *pixel_format; /* NULL: the codec's default (yuv420p for h264); checked against the codec's list */
  double crf;               /* NAN (the init value): codec default; otherwise checked against the codec's range
                               (0-51 for libx264/libx265, 0-63 for libvpx-vp9 / libaom-av1 / libsvtav1) */
  const char *preset;       /* NULL: codec default; checked against the codec's preset names */
  int64_t bit_rate;         /* 0: codec default; bits per second */
  int gop_size;             /* 0: codec default */
  const char *color_space;  /* NULL = "bt601"; "bt709", "bt2020": used for the conversion AND tagged */
  const char *color_range;  /* NULL = "tv" (limited); "pc" (full): used for the conversion AND tagged */
  int threads;              /* 0: automatic */
  int rotation;             /* 0 (none), 90, 180 or 270 (else POLYENC_ERR_ARGUMENT): degrees a player turns the
                               picture CLOCKWISE to show it (a phone's portrait video: 90); the frames are stored as
                               given. Written as the stream's display matrix (the tkhd matrix) in mp4 / mov (and
                               3gp, ismv, ...); other containers cannot store it with FFmpeg 5.1 (matroska, webm:
                               open fails with POLYENC_ERR_UNSUPPORTED naming it, rather than drop it). FFmpeg 5.1's
                               ffprobe prints the counter-clockwise angle: rotation=-90 for 90, -180 for 180, 90 for
                               270. 0 writes no display matrix. */
  const char *const *options; /* NULL or {key, value, ..., NULL}: codec private options (e.g. "tune",
                                 "x264-params") and muxer options (e.g. "movflags"), routed like the ffmpeg CLI:
                                 a key the codec knows goes to the codec, else one the muxer knows goes to the
                                 muxer, else the call fails naming the key */
  int time_base_num, time_base_den; /* the unit of polyenc_frames.pts: 0/0 (the init value) is 1/frame_rate;
                                       otherwise both > 0 (e.g. 1/1000 for milliseconds, 1/90000). frame_rate
                                       stays the nominal rate (r_frame_rate) */
  const char *color_transfer;  /* NULL: implied by color_space (bt601: smpte170m, bt709: bt709, bt2020: bt2020-10);
                                  else tagged as given (the conversion does not change): "bt709", "smpte170m",
                                  "smpte2084" (PQ, HDR10), "arib-std-b67" (HLG), "linear", "srgb" (iec61966-2-1),
                                  "bt2020-10", "bt2020-12"; another name fails add_video with POLYENC_ERR_ARGUMENT
                                  listing these. Written in the codec context and every frame (the bitstream's
                                  VUI where the codec has one, and the container's colour box: mp4/mov colr,
                                  Matroska Colour).
                                  HDR10 static metadata: two keys of `options`, taken by polyenc itself (never
                                  routed to the codec or muxer): "master-display", x265's syntax
                                  "G(x,y)B(x,y)R(x,y)WP(x,y)L(max,min)" (chromaticities 0-50000 in 0.00002 units,
                                  luminance in 0.0001 cd/m2, max 1-100000000, min below max), e.g.
                                  "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)", and
                                  "max-cll", "MaxCLL,MaxFALL" (0-65535 cd/m2 each), e.g. "1000,400". A bad value
                                  fails add_video with POLYENC_ERR_ARGUMENT naming the option and this syntax.
                                  Written into the bitstream by libx265 (mastering display / content light SEIs,
                                  added to the caller's x265-params) and libsvtav1 (metadata OBUs, by
                                  svtav1-params); any other encoder fails with POLYENC_ERR_UNSUPPORTED (at
                                  add_video when codec names it, else at open) rather than drop it. Also stored
                                  as the stream's side data, which FFmpeg 5.1 writes in Matroska / WebM
                                  (MasteringMetadata, MaxCLL, MaxFALL) and mp4 / mov (mdcv, clli boxes) */
  const char *color_primaries; /* NULL: implied by color_space (bt601: smpte170m, bt709: bt709, bt2020: bt2020);
                                  else "bt709", "bt2020", "smpte170m" (= "bt601"), "bt470bg", "smpte432" (Display
                                  P3); tagged like color_transfer, checked likewise */
} polyenc_video_config;

typedef struct polyenc_audio_config {
  int sample_rate, num_channels; /* input, required; sample_rate 1..POLYENC_MAX_SAMPLE_RATE, num_channels
                                    1..POLYENC_MAX_CHANNELS */
  const char *codec;             /* NULL: the container's default (aac for mp4/mov/mkv/m4a, opus for webm/ogg,
                                    flac for .flac, pcm_s16le for .wav, mp3 for .mp3) */
  int64_t bit_rate;              /* 0: codec default */
  int out_sample_rate, out_num_channels; /* 0: same as input; resampled / remixed otherwise (at most
                                            POLYENC_MAX_RESAMPLE_RATIO times up or down). A rate the codec cannot
                                            take is an error that lists the valid rates. */
  const char *const *options;    /* as in polyenc_video_config */
  double start_time;             /* seconds, 0 (the init value) to 86400: where the first sample lies on the
                                    file's timeline (the stream starts later than the video); NaN, infinity
                                    and negative values are rejected, and so is a start_time > 0 at open in a
                                    container that places audio by its samples (avi, wav, raw streams).
                                    In mp4/mov the edit list starts at start_time and still skips AAC's
                                    priming; Matroska has no field for it: its 1024 samples play just before */
} polyenc_audio_config;

POLYENC_API void polyenc_video_config_init(polyenc_video_config *cfg); /* zero + defaults (crf = NAN) */
POLYENC_API void polyenc_audio_config_init(polyenc_audio_config *cfg);
/* Only before open. The configuration is copied. Values that need the
 * container (codec default, options routing) are checked again at open. */
POLYENC_API polyenc_status polyenc_add_video(polyenc_encoder *enc, const polyenc_video_config *cfg,
                                             polyenc_stream **out);
POLYENC_API polyenc_status polyenc_add_audio(polyenc_encoder *enc, const polyenc_audio_config *cfg,
                                             polyenc_stream **out);
POLYENC_API int polyenc_stream_index(const polyenc_stream *s); /* -1 for NULL */

/* ---- output (exactly one per encoder) ----
 * format: an FFmpeg muxer name ("mp4", "matroska", "webm", "mov", "wav", ...) or a
 * file extension ("mkv", "m4a", ...). Opening creates every stream's encoder, so
 * codec, pixel format, crf, preset and option errors are reported here too. */
POLYENC_API polyenc_status polyenc_open_file(polyenc_encoder *enc, const char *path,
                                             const char *format /* NULL: from extension */);

typedef struct polyenc_writer {
  void *opaque;
  int (*write)(void *opaque, const uint8_t *data, size_t size); /* all bytes; 0 ok, < 0 error */
  int64_t (*seek)(void *opaque, int64_t offset, int whence);    /* NULL: not seekable; SEEK_SET/CUR/END;
                                                                   returns new position or < 0 */
} polyenc_writer;
/* A writer without seek gets fragmented MP4/MOV (movflags=frag_keyframe+empty_moov). */
POLYENC_API polyenc_status polyenc_open_writer(polyenc_encoder *enc, const polyenc_writer *w,
                                               const char *format /* required */);
POLYENC_API polyenc_status polyenc_open_memory(polyenc_encoder *enc, const char *format /* required */);
/* After polyenc_close of a memory output: the bytes, owned by enc until polyenc_encoder_free. */
POLYENC_API polyenc_status polyenc_output(const polyenc_encoder *enc, const uint8_t **data, size_t *size);

/* ---- data ---- */
typedef enum polyenc_layout {
  POLYENC_RGB_PLANAR = 0, /* N x 3 x H x W uint8 (torch NCHW) */
  POLYENC_RGB24,          /* N x H x W x 3 packed */
  POLYENC_RGBA,           /* N x H x W x 4 packed (canvas ImageData); alpha kept when the stream's pixel format has
                             alpha (yuva420p: libvpx-vp9 in WebM; yuva444p10le: prores_ks; argb: qtrle; rgba:
                             png), else ignored */
  POLYENC_BGRA,           /* N x H x W x 4 packed */
  POLYENC_YUV420P,        /* N x (Y: H x W, U: H/2 x W/2, V: H/2 x W/2), used as is when the codec takes yuv420p */
  /* High depth (cpu and cuda streams): converted at full precision into 8, 10 and 12-bit pixel formats (no 8-bit step in
   * between) for yuv420p, yuv444p, yuv420p10le, yuv444p10le, yuv420p12le, yuv444p12le, p010le, yuva420p and
   * yuva444p10le; the 16-bit layouts into any other pixel format through swscale. */
  POLYENC_RGB48,          /* N x H x W x 3 uint16, native endian, 0..65535 */
  POLYENC_RGBA64,         /* N x H x W x 4 uint16; alpha kept when the pixel format has alpha (as POLYENC_RGBA) */
  POLYENC_RGB_PLANAR16,   /* N x 3 x H x W uint16 */
  POLYENC_RGB_PLANAR_F32, /* N x 3 x H x W float32 in [0, 1]: values beyond are clamped to it; a NaN is an error
                             (POLYENC_ERR_ARGUMENT naming the frame, the channel and the pixel; nothing of the call is
                             encoded). Only into the pixel formats listed above (else POLYENC_ERR_UNSUPPORTED) */
} polyenc_layout;

typedef struct polyenc_frames {
  const void *data;       /* host memory for a cpu stream; for a cuda stream a CUDA device pointer (device,
                             managed or pinned memory usable by the stream's GPU), see "CUDA streams" */
  polyenc_layout layout;
  int num_frames;         /* >= 0; 0 is a no-op */
  int height, width;      /* must equal the stream's */
  int64_t strides[4];     /* bytes per step of each dimension, in the layout's order; all 0 = contiguous.
                             RGB_PLANAR, RGB_PLANAR16, RGB_PLANAR_F32: {frame, channel, row, pixel}; RGB24, RGBA,
                             BGRA, RGB48, RGBA64: {frame, row, pixel, channel} (contiguous: 2 bytes a uint16
                             value, 4 a float); YUV420P: {frame, Y row, U/V row, 0} with the planes Y, U, V packed one
                             after the other inside a frame (U at H*Y_row, V at H*Y_row + ceil(H/2)*UV_row). */
  const int64_t *pts;     /* NULL: at the nominal rate from the last pts given (0 at first): the k-th frame
                             after it at that pts + k / frame_rate, rounded to the time base once (no drift in
                             a long run; the running frame index with the default time base). Else num_frames timestamps in the stream's time base (time_base_num/den),
                             >= 0 and strictly increasing, within the call and across calls (greater than the
                             last pts used, given or not); each step under 2^31 ticks of the container's clock
                             (2^16 in AVI, which writes an empty chunk per tick of a gap); a container without
                             timestamps (raw h264, ...) takes only NULL.
                             Otherwise POLYENC_ERR_ARGUMENT names the frame and the values, and nothing of
                             the call is encoded. Frames may be irregular (variable frame rate) */
  const uint8_t *key_frames; /* NULL or num_frames flags: nonzero makes that frame a key frame (an IDR frame for
                                H.264 / HEVC), in addition to the codec's own (gop_size) */
} polyenc_frames;
/* The frames are converted and handed to the encoder before the call returns:
 * the caller may reuse its buffer (and the pts and key_frames arrays) at once.
 * Natively, the last frame of a host stream may still be encoding on the
 * encoder's worker thread when the call returns: a failure of the encoder or
 * the muxer with that frame is returned by the next call that feeds or closes
 * the encoder, which then fails as any call would have. */
POLYENC_API polyenc_status polyenc_add_frames(polyenc_stream *video, const polyenc_frames *frames);

/* ---- CUDA streams ----
 * A video stream added with device "cuda" (= "cuda:0") or "cuda:N" converts RGB to YUV on that GPU.
 * - add_video fails with POLYENC_ERR_UNSUPPORTED, naming the reason, when this build has no CUDA support,
 *   the machine has no CUDA driver or no GPU, or N is not a device (polyenc_cuda_device_count()).
 * - Input: polyenc_add_frames with data a device pointer, in RGB_PLANAR, RGB24, RGBA, BGRA, RGB48, RGBA64,
 *   RGB_PLANAR16 or RGB_PLANAR_F32 (YUV420P is for cpu streams: POLYENC_ERR_ARGUMENT), any strides; or
 *   polyenc_add_frames_dlpack. The conversion (BT.601 / BT.709 / BT.2020, tv or pc range, chroma = mean of
 *   each 2x2 block) matches the CPU path's arithmetic; a NaN in a float call is found on the GPU before
 *   anything of the call is converted (POLYENC_ERR_ARGUMENT naming frame, channel and pixel).
 * - Encoder: codec NULL or a spec name ("h264", "hevc", "av1") gives NVENC (h264_nvenc, ...) when the
 *   GPU has a working NVENC (probed once per device by opening a real session): the kernel writes
 *   straight into the encoder's GPU frames (NV12, or the pixel_format asked: yuv420p, yuv444p), nothing is
 *   copied to the host. Otherwise (A100, H100, H200 have no NVENC) the container's CPU encoder is fed
 *   from the GPU: the YUV planes (half the bytes of RGB) are copied to pinned host memory while the
 *   previous frame is being encoded. An NVENC codec named explicitly on a GPU without a working NVENC
 *   fails with POLYENC_ERR_UNSUPPORTED naming the GPU and the reason. POLYENC_LOG=info and
 *   `polyenc info` tell which path a stream takes. crf on NVENC sets its constant-quality level (cq).
 * - pixel_format: nv12, yuv420p, yuv444p, yuv420p10le, yuv444p10le or p010le on a cuda stream (NULL: the
 *   encoder's default); NVENC takes 10-bit 4:2:0 as P010 and 10-bit 4:4:4 as yuv444p16le (hevc, av1;
 *   h264_nvenc has no 10-bit).
 * - Synchronisation: before reading, polyenc waits for all work queued in the device's primary context
 *   (cuCtxSynchronize): the context of the CUDA runtime, so of PyTorch, CuPy and JAX. The frames may
 *   thus still be being written on any of the caller's streams when polyenc_add_frames is called; when
 *   it returns, polyenc has finished reading them (the memory may be reused or freed). Memory written
 *   in another CUDA context must be complete before the call. */

typedef enum polyenc_sample_layout {
  POLYENC_SAMPLES_PLANAR = 0,  /* C x N float32 */
  POLYENC_SAMPLES_INTERLEAVED, /* N x C float32 (Web Audio / PCM files) */
} polyenc_sample_layout;
/* Values in [-1, 1]; values beyond are clipped to it (for every codec); NaN and
 * infinity are rejected with POLYENC_ERR_ARGUMENT naming the channel and the
 * sample, and nothing of that chunk is encoded. num_channels must equal the
 * stream's; any num_samples >= 0. */
POLYENC_API polyenc_status polyenc_add_samples(polyenc_stream *audio, const float *data,
                                               polyenc_sample_layout layout, int num_channels,
                                               int64_t num_samples);

/* ---- mux-only streams: packets encoded elsewhere (WebCodecs, a hardware SDK, a remux) ---- */
typedef struct polyenc_encoded_video_config {
  const char *codec; /* "h264", "hevc", "vp9", "av1", ... */
  int width, height;
  double frame_rate;                 /* or 0 and time_base_num/den below */
  int time_base_num, time_base_den;  /* units of pts/dts/duration; 0/0: 1/frame_rate */
  const uint8_t *extradata;          /* e.g. an avcC record; may be NULL for Annex B */
  size_t extradata_size;
  int rotation;                      /* as polyenc_video_config.rotation: 0 (none), 90, 180 or 270 (else
                                        POLYENC_ERR_ARGUMENT), clockwise degrees a player turns the picture,
                                        written as the stream's display matrix in mp4 / mov (other containers:
                                        open fails with POLYENC_ERR_UNSUPPORTED naming it) */
  const char *pixel_format;          /* NULL: not stated; else the packets' pixel format as FFmpeg names it
                                        ("yuv420p", "yuv420p10le", ...), for the container's codec record
                                        (e.g. the bit depth of mp4's vpcC for VP9); an unknown name is
                                        POLYENC_ERR_ARGUMENT */
} polyenc_encoded_video_config;
POLYENC_API polyenc_status polyenc_add_encoded_video(polyenc_encoder *enc, const polyenc_encoded_video_config *cfg,
                                                     polyenc_stream **out);
POLYENC_API polyenc_status polyenc_add_packet(polyenc_stream *s, const uint8_t *data, size_t size, int64_t pts,
                                              int64_t dts, int64_t duration, int is_keyframe);

/* ---- DLPack input (PyTorch, JAX, CuPy, NumPy tensors without a copy) ----
 * polyenc_add_frames_dlpack takes a DLTensor (lanes 1), H and W equal to the stream's, of
 *   dtype uint8:   (N, 3, H, W) RGB_PLANAR, (N, H, W, 3) RGB24, (N, H, W, 4) RGBA (alpha as for POLYENC_RGBA);
 *   dtype uint16:  (N, 3, H, W) RGB_PLANAR16, (N, H, W, 3) RGB48, (N, H, W, 4) RGBA64;
 *   dtype float32: (N, 3, H, W) RGB_PLANAR_F32 (values in [0, 1], clamped; a NaN is an error naming frame,
 *                  channel and pixel); channels-last float32 is not a layout (tensor.permute(0, 3, 1, 2)
 *                  gives the (N, 3, H, W) view without a copy);
 * any non-negative strides (in elements; NULL = compact row-major), data + byte_offset the first element.
 * The tensor's memory is read in place, never copied first. Device: kDLCPU (and kDLCUDAHost, kDLCUDAManaged) on a cpu stream;
 * kDLCUDA (and kDLCUDAHost, kDLCUDAManaged) on a cuda stream of the same device_id. Another dtype,
 * shape or device fails with POLYENC_ERR_ARGUMENT naming it; nothing of that tensor is encoded.
 * Synchronisation as for CUDA streams above. The tensor is only read during the call: the caller keeps
 * ownership (e.g. of the DLManagedTensor, whose deleter it calls when done).
 *
 * The DLTensor type comes from <dlpack/dlpack.h> (Debian: libdlpack-dev; any version, v0.6 to v1.x:
 * the DLTensor layout has not changed). This header includes it when the compiler finds it; include it
 * yourself before this header otherwise, or define POLYENC_NO_DLPACK to leave the function out. */
#if !defined(POLYENC_NO_DLPACK) && !defined(DLPACK_VERSION) && !defined(DLPACK_MAJOR_VERSION) && \
    defined(__has_include)
#if __has_include(<dlpack/dlpack.h>)
#include <dlpack/dlpack.h>
#endif
#endif
#if !defined(POLYENC_NO_DLPACK) && (defined(DLPACK_VERSION) || defined(DLPACK_MAJOR_VERSION))
#define POLYENC_HAS_DLPACK 1
POLYENC_API polyenc_status polyenc_add_frames_dlpack(polyenc_stream *video, const DLTensor *tensor);
#endif

/* Flush every encoder, write the trailer, flush the output; idempotent. */
POLYENC_API polyenc_status polyenc_close(polyenc_encoder *enc);

/* ---- metadata, statistics, abort ---- */
/* Tags, only before open (after: POLYENC_ERR_STATE). stream NULL: the container's ("title", "artist", "comment",
 * "date", "creation_time", ...); a stream of enc: that stream's ("language", "title", "handler_name"). key must
 * be non-empty; value NULL removes the key; setting a key again replaces it. Checked here: "language" (of a
 * stream) is a 3-letter ISO 639-2 code in lower case ("eng", "und"), "creation_time" a date FFmpeg parses
 * ("2024-05-01T12:00:00Z", "now"). Checked at open, naming the key: mp4 and mov keep only the keys they have a box
 * for (mp4: title, artist, album_artist, composer, album, date, encoding_tool, comment, genre, copyright,
 * grouping, lyrics, description, synopsis, show, episode_id, network, keywords, media_type, compilation, track,
 * disc, hd_video, gapless_playback, episode_sort, season_number, creation_time; mov: title, artist, album, date,
 * encoder, comment, genre, copyright, make, model, location, creation_time; any container key with the option
 * {"movflags", "use_metadata_tags"}; a stream: language, handler_name), and would drop any other without a word:
 * such a key fails open with POLYENC_ERR_ARGUMENT. Matroska and WebM keep every key. */
POLYENC_API polyenc_status polyenc_set_metadata(polyenc_encoder *enc, polyenc_stream *stream, const char *key,
                                                const char *value);

typedef struct polyenc_stats {
  int64_t frames;  /* video frames accepted by polyenc_add_frames (packets, for a mux-only stream) */
  int64_t samples; /* audio samples (per channel, input rate) accepted by polyenc_add_samples */
  int64_t packets; /* packets handed to the muxer */
  int64_t bytes;   /* stream NULL: bytes in the output so far (the muxer buffers up to 64 KiB), after close the
                      output's size (file size, polyenc_output's size, the end of the furthest write a writer got);
                      a stream: the bytes of its packets (no container overhead) */
  double seconds;  /* the end (pts + duration) of the latest packet written, in seconds: of the stream, or the
                      largest over all streams. Encoders hold frames back: it lags until close */
} polyenc_stats;
/* What enc has done since open, for one stream of enc or all (stream NULL: frames, samples, packets summed).
 * Works in every state: before open (or after an open that failed) everything is 0; after close or abort, what
 * was done until then. */
POLYENC_API polyenc_status polyenc_get_stats(const polyenc_encoder *enc, const polyenc_stream *stream,
                                             polyenc_stats *out);

/* Stops without finishing, at any time: nothing more is written or seeked (a writer gets no further call, not
 * even for bytes still buffered), a file output is closed and removed, a memory output released. From then on
 * every call on enc (add_*, open, set_metadata, polyenc_output, and polyenc_close) returns POLYENC_ERR_STATE
 * with a message saying the encoder was aborted; polyenc_close touches nothing. polyenc_get_stats and
 * polyenc_encoder_free work. Idempotent; before open it just ends the encoder. After a successful close it
 * changes nothing (the output is finished and kept). After a failure, it releases the output and later calls
 * keep returning that failure. Returns POLYENC_OK (POLYENC_ERR_ARGUMENT for enc NULL). */
POLYENC_API polyenc_status polyenc_abort(polyenc_encoder *enc);

/* ---- what this build and machine can do ---- */
POLYENC_API int polyenc_has_encoder(const char *codec_name); /* 1 if it can be opened here */
POLYENC_API int polyenc_cuda_device_count(void);             /* 0 without CUDA support, driver or GPU */
/* The name of CUDA device `index` (e.g. "NVIDIA H100 80GB HBM3") into buf; 0, or -1 when not a device. */
POLYENC_API int polyenc_cuda_device_name(int index, char *buf, size_t size);
/* 1 when the NVENC encoder codec_name ("h264_nvenc", "hevc_nvenc", "av1_nvenc") opens a session on CUDA
 * device `index` fed with CUDA frames, as a cuda stream uses it (probed once per device, cached). */
POLYENC_API int polyenc_cuda_has_nvenc(int index, const char *codec_name);

#ifdef __cplusplus
}
#endif
#endif
