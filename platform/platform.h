/* The platform adapters behind one interface. A video stream converts the caller's frames through one
 * converter, a table of function pointers (pe_converter_ops, in the spirit of FFmpeg's HWContextType) that
 * each adapter fills and the core picks once, from the config's device (src/device.c):
 *   pe_host_converter  platform/cpu/stream.c: host memory, converted on the CPU (platform/cpu/convert.c:
 *                      libyuv / swscale; platform/wasm/convert.c: SIMD128 in the WebAssembly build)
 *   pe_cuda_converter  platform/cuda/stream.c: CUDA device memory, NVENC or GPU conversion + CPU encoder;
 *                      platform/cuda/none.c in a build without CUDA, which refuses every device
 * The core never sees a CUDA type: the GPU's own interface is platform/cuda/gpu.h. */
#ifndef POLYENC_PLATFORM_H
#define POLYENC_PLATFORM_H

#include <stddef.h>

#include <libavcodec/avcodec.h>
#include <libavutil/buffer.h>
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>

#include "polyenc/polyenc.h"

/* One source frame. strides are the layout's per-frame strides in bytes (the frame dimension dropped):
 * RGB_PLANAR, RGB_PLANAR16, RGB_PLANAR_F32 {channel, row, pixel}; RGB24/RGBA/BGRA/RGB48/RGBA64 {row, pixel,
 * channel}; YUV420P {Y row, U/V row}. */
typedef struct source_frame {
  polyenc_layout layout;
  const uint8_t *data;
  int64_t strides[3];
  int width, height;
} source_frame;

typedef struct conversion {
  enum AVPixelFormat format;     /* the codec's pixel format */
  enum AVColorSpace color_space; /* AVCOL_SPC_SMPTE170M (bt601), AVCOL_SPC_BT709 or AVCOL_SPC_BT2020_NCL */
  int full_range;                /* 0: tv (limited), 1: pc (full) */
  int width, height;
} conversion;

/* ---- the converter interface ---- */

/* What the core offers a converter during one call: send(opaque, frame, i) gives frame i of the call the
 * stream's colour tags, pts and picture type and encodes it. The frame is the converter's again when send
 * returns, except in a converter with `async` set: its frame may still be encoding (a reference to it is held,
 * so it is not writable until the encoder is done with it: av_frame_is_writable). */
typedef struct pe_frame_sink {
  polyenc_status (*send)(void *opaque, AVFrame *frame, int i);
  void *opaque;
} pe_frame_sink;

/* `device` is the index the config named ("cuda:N"), -1 on the host. Every status other than POLYENC_OK
 * comes with the encoder's message set (error.c). */
typedef struct pe_converter_ops {
  const char *tag; /* the end of the stream's "opened" log line: "" on the host, " (cuda)" */
  int async;       /* its frames are refcounted buffers it leaves alone once sent: encoded on the worker thread */
  /* ---- what a stream on a device needs, checked at add_video (and again at open) ---- */
  /* NULL when `device` can take a stream; otherwise why not, written to buf. */
  const char *(*device_problem)(int device, char *buf, size_t size);
  /* The encoder, given the one chosen as for any stream (*codec) and the name the config gave (NULL: the
   * container's default): may put another in its place, or refuse the one named. */
  polyenc_status (*choose_encoder)(polyenc_encoder *enc, int device, const char *name, const AVCodec **codec);
  /* Optional (NULL: the name as given): the name of the pixel format to ask `codec` for when the config names
   * `name` (not NULL), where this converter writes it in another form the codec takes (NVENC: P010 for
   * yuv420p10le). */
  const char *(*codec_pixel_format)(const AVCodec *codec, const char *name);
  /* The pixel format (*pix_fmt: the codec's choice; name: the config's pixel_format or NULL): checked against
   * what this converter can produce, or replaced by its default for the codec when the config names none. */
  polyenc_status (*check_pixel_format)(polyenc_encoder *enc, const AVCodec *codec, const char *name,
                                       enum AVPixelFormat *pix_fmt);
  /* ---- a stream ---- */
  /* After s's codec context is configured, before it is opened (a hardware encoder gets its frames context
   * here): the converter's state into *state. */
  polyenc_status (*open)(polyenc_stream *s, int device, const conversion *conv, void **state);
  /* n frames, frame_stride bytes apart (their extent and pts checked): converted in order, each handed to
   * sink. The caller's input refused before anything is encoded: POLYENC_ERR_ARGUMENT (a bad value, e.g. a
   * NaN) or POLYENC_ERR_UNSUPPORTED (a layout this converter cannot turn into the stream's pixel format), the
   * stream still usable; any other failure ends the encoding (pe_encoder_fail). */
  polyenc_status (*convert)(void *state, polyenc_stream *s, const source_frame *first, int n, int64_t frame_stride,
                            const pe_frame_sink *sink);
  void (*free)(void *state); /* (state NULL: nothing to free) */
} pe_converter_ops;

extern const pe_converter_ops pe_host_converter;
extern const pe_converter_ops pe_cuda_converter;

/* ---- the CPU adapter (platform/cpu/convert.c, platform/wasm/convert.c): the host converter's work ---- */
typedef struct cpu_converter cpu_converter;

/* 0 or a negative AVERROR. */
int pe_cpu_converter_new(const conversion *conv, cpu_converter **out);
int pe_cpu_convert(cpu_converter *c, const source_frame *src, AVFrame *dst);
void pe_cpu_converter_free(cpu_converter *c);
/* Whether the CPU adapter can produce this pixel format at all. */
int pe_cpu_can_produce(enum AVPixelFormat format);
/* The host converter's one frame (platform/cpu/stream.c): src into dst (allocated: conv's format and size),
 * by platform/cpu/wide.c for the high-depth layouts it can produce, else by cpu (conv's converter).
 * 0, or a negative AVERROR with the reason in reason: AVERROR_INVALIDDATA for a NaN. */
int pe_host_convert_frame(cpu_converter *cpu, const conversion *conv, const source_frame *src, AVFrame *dst,
                          char *reason, size_t size);

#endif
