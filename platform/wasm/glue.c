/* Emscripten glue: the few entry points the JavaScript wrapper (js/src/wasm-backend.mjs) calls besides the
 * C API itself. Configs come in as flat arguments (no struct layout to mirror in JS), int64 values as
 * doubles, and a writer output calls back into JS (Module.polyencWrite) with each chunk of bytes. */
#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emscripten.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>

#include "internal.h"
#include "platform.h"
#include "polyenc/polyenc.h"

EMSCRIPTEN_KEEPALIVE
int pew_add_video(polyenc_encoder *enc, int width, int height, double frame_rate, const char *device,
                  const char *codec, const char *pixel_format, double crf, int has_crf, const char *preset,
                  double bit_rate, int gop_size, const char *color_space, const char *color_range,
                  const char *color_transfer, const char *color_primaries, int threads,
                  const char *const *options, int time_base_num, int time_base_den, int rotation,
                  polyenc_stream **out) {
  polyenc_video_config c;
  polyenc_video_config_init(&c);
  c.width = width, c.height = height, c.frame_rate = frame_rate;
  c.device = device, c.codec = codec, c.pixel_format = pixel_format, c.preset = preset;
  if (has_crf) c.crf = crf;
  c.bit_rate = (int64_t)bit_rate;
  c.gop_size = gop_size;
  c.color_space = color_space, c.color_range = color_range;
  c.color_transfer = color_transfer, c.color_primaries = color_primaries;
  c.threads = threads;
  c.options = options;
  c.time_base_num = time_base_num, c.time_base_den = time_base_den;
  c.rotation = rotation;
  return polyenc_add_video(enc, &c, out);
}

EMSCRIPTEN_KEEPALIVE
int pew_add_audio(polyenc_encoder *enc, int sample_rate, int num_channels, const char *codec, double bit_rate,
                  int out_sample_rate, int out_num_channels, const char *const *options, double start_time,
                  polyenc_stream **out) {
  polyenc_audio_config c;
  polyenc_audio_config_init(&c);
  c.sample_rate = sample_rate, c.num_channels = num_channels;
  c.codec = codec;
  c.bit_rate = (int64_t)bit_rate;
  c.out_sample_rate = out_sample_rate, c.out_num_channels = out_num_channels;
  c.options = options;
  c.start_time = start_time;
  return polyenc_add_audio(enc, &c, out);
}

/* Contiguous frames (the wrapper copies into the wasm memory, so they always are); pts (int64, written by JS
 * through a BigInt64Array) and key_frames: NULL (0) or num_frames values. */
EMSCRIPTEN_KEEPALIVE
int pew_add_frames(polyenc_stream *s, const uint8_t *data, int layout, int num_frames, int height, int width,
                   const int64_t *pts, const uint8_t *key_frames) {
  polyenc_frames f = {.data = data, .layout = (polyenc_layout)layout, .num_frames = num_frames,
                      .height = height, .width = width, .pts = pts, .key_frames = key_frames};
  return polyenc_add_frames(s, &f);
}

/* The checks polyenc_add_frames makes of a call's pts, without encoding: the wrapper feeds one call in batches,
 * and checks the whole call's pts first (the indices of an error are then the call's, nothing is encoded). */
EMSCRIPTEN_KEEPALIVE
int pew_check_pts(polyenc_stream *s, const int64_t *pts, int num_frames) {
  return pe_video_check_pts(s, pts, num_frames);
}

/* polyenc_get_stats(enc, NULL, ...) as 5 doubles: frames, samples, packets, bytes, seconds. */
EMSCRIPTEN_KEEPALIVE
int pew_get_stats(polyenc_encoder *enc, double *out) {
  polyenc_stats st;
  polyenc_status status = polyenc_get_stats(enc, NULL, &st);
  if (status) return status;
  out[0] = (double)st.frames, out[1] = (double)st.samples, out[2] = (double)st.packets;
  out[3] = (double)st.bytes, out[4] = st.seconds;
  return POLYENC_OK;
}

EMSCRIPTEN_KEEPALIVE
int pew_add_samples(polyenc_stream *s, const float *data, int layout, int num_channels, double num_samples) {
  return polyenc_add_samples(s, data, (polyenc_sample_layout)layout, num_channels, (int64_t)num_samples);
}

/* ---- writer output: each chunk goes to Module.polyencWrite(id, pointer, size), which copies it; a
 * file (Node) also seeks, through Module.polyencSeek(id, offset, whence) -> position or -1 ---- */
EM_JS(int, pew_js_write, (int id, const uint8_t *data, size_t size), {
  return Module['polyencWrite'](id, data, size);
});
EM_JS(double, pew_js_seek, (int id, double offset, int whence), {
  return Module['polyencSeek'](id, offset, whence);
});

static int write_to_js(void *opaque, const uint8_t *data, size_t size) {
  return pew_js_write((int)(intptr_t)opaque, data, size);
}

static int64_t seek_in_js(void *opaque, int64_t offset, int whence) {
  return (int64_t)pew_js_seek((int)(intptr_t)opaque, (double)offset, whence);
}

/* path NULL: a stream (no seek); else the file at path, written by JS (the container from format, else
 * from path's extension). */
EMSCRIPTEN_KEEPALIVE
int pew_open_writer(polyenc_encoder *enc, int id, const char *format, const char *path) {
  polyenc_writer w = {.opaque = (void *)(intptr_t)id, .write = write_to_js, .seek = path ? seek_in_js : NULL};
  return path ? pe_encoder_open_named_writer(enc, &w, format, path) : polyenc_open_writer(enc, &w, format);
}

/* ---- memory output ---- */
static const uint8_t *output_data;
static size_t output_size;

/* After close of a memory output: 0 and the bytes via pew_output_data / pew_output_size. */
EMSCRIPTEN_KEEPALIVE
int pew_output(polyenc_encoder *enc) {
  output_data = NULL, output_size = 0;
  return polyenc_output(enc, &output_data, &output_size);
}
EMSCRIPTEN_KEEPALIVE const uint8_t *pew_output_data(void) { return output_data; }
EMSCRIPTEN_KEEPALIVE double pew_output_size(void) { return (double)output_size; }

/* Bytes of the heap in use (malloc'd and not freed), to check that an encoder gives its memory back. */
EMSCRIPTEN_KEEPALIVE double pew_heap_in_use(void) { return (double)mallinfo().uordblks; }

/* ---- mux-only video streams: WebCodecs' chunks (js/src/webcodecs.mjs) ---- */
EMSCRIPTEN_KEEPALIVE
int pew_add_encoded_video(polyenc_encoder *enc, const char *codec, int width, int height, double frame_rate,
                          const uint8_t *extradata, int extradata_size, int time_base_num, int time_base_den,
                          int rotation, const char *pixel_format, polyenc_stream **out) {
  polyenc_encoded_video_config c = {.codec = codec, .width = width, .height = height, .frame_rate = frame_rate,
                                    .time_base_num = time_base_num, .time_base_den = time_base_den,
                                    .extradata = extradata, .extradata_size = (size_t)extradata_size,
                                    .rotation = rotation, .pixel_format = pixel_format};
  return polyenc_add_encoded_video(enc, &c, out);
}

/* ---- one frame converted for WebCodecs (a 10-bit VideoFrame, I420P10), by the host converter ---- */
static struct {
  conversion conv;
  cpu_converter *cpu;
  AVFrame *frame;
  char error[600];
} converting;

EMSCRIPTEN_KEEPALIVE const char *pew_convert_error(void) { return converting.error; }

/* One contiguous frame of `layout` (width x height) into pix_fmt (a planar YUV format) with the colour
 * space (an AVColorSpace) and range of a stream: its planes packed one after the other into out (at least
 * av_image_get_buffer_size(pix_fmt, width, height, 1) bytes). Returns 0, else < 0 with the reason in
 * pew_convert_error. */
EMSCRIPTEN_KEEPALIVE
int pew_convert_frame(int layout, int width, int height, const uint8_t *src, const char *pix_fmt, int color_space,
                      int full_range, uint8_t *out) {
  conversion conv = {av_get_pix_fmt(pix_fmt), (enum AVColorSpace)color_space, full_range, width, height};
  const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(conv.format);
  if (!d || d->nb_components != 3 || (d->flags & AV_PIX_FMT_FLAG_RGB) || d->comp[1].plane != 1 || d->comp[2].plane != 2) {
    snprintf(converting.error, sizeof converting.error, "pixel format %s is not planar YUV", pix_fmt);
    return AVERROR(EINVAL);
  }
  int ret = 0;
  if (memcmp(&conv, &converting.conv, sizeof conv) || !converting.cpu) {
    pe_cpu_converter_free(converting.cpu);
    av_frame_free(&converting.frame);
    converting.cpu = NULL, converting.conv = conv;
    AVFrame *f = converting.frame = av_frame_alloc();
    if (!f) return AVERROR(ENOMEM);
    f->format = conv.format, f->width = width, f->height = height;
    if ((ret = av_frame_get_buffer(f, 0)) < 0 || (ret = pe_cpu_converter_new(&conv, &converting.cpu)) < 0) {
      pe_error_text(ret, converting.error, sizeof converting.error);
      return ret;
    }
  }
  polyenc_frames frames = {.data = src, .layout = (polyenc_layout)layout, .num_frames = 1, .width = width, .height = height};
  int64_t frame_stride;
  source_frame s = {frames.layout, src, {0}, width, height};
  pe_frames_strides(&frames, &frame_stride, s.strides);
  AVFrame *f = converting.frame;
  if ((ret = pe_host_convert_frame(converting.cpu, &conv, &s, f, converting.error, sizeof converting.error)) < 0)
    return ret;
  int size = av_image_get_buffer_size(conv.format, width, height, 1);
  ret = size < 0 ? size : av_image_copy_to_buffer(out, size, (const uint8_t *const *)f->data, f->linesize, conv.format,
                                                  width, height, 1);
  if (ret < 0) pe_error_text(ret, converting.error, sizeof converting.error);
  return ret < 0 ? ret : 0;
}

/* The pts of the next n frames of a mux-only stream on the clock of a video stream (pe_encoded_next_pts):
 * pts NULL (0) for the running clock, else n given values, checked; into out (n int64); nothing advances on
 * an error. */
EMSCRIPTEN_KEEPALIVE
int pew_next_pts(polyenc_stream *s, const int64_t *pts, int n, int64_t *out) {
  return pe_encoded_next_pts(s, pts, n, out);
}

EMSCRIPTEN_KEEPALIVE
int pew_add_packet(polyenc_stream *s, const uint8_t *data, int size, double pts, double dts, double duration,
                   int is_keyframe) {
  return polyenc_add_packet(s, data, (size_t)size, (int64_t)pts, (int64_t)dts, (int64_t)duration, is_keyframe);
}

/* The video codec a container gets when addVideo names none ("h264" for mp4, "vp9" for webm), or NULL. */
EMSCRIPTEN_KEEPALIVE
const char *pew_default_video_codec(const char *format) {
  const AVOutputFormat *muxer = pe_find_muxer(format, NULL);
  return muxer ? avcodec_get_name(pe_default_codec_id(muxer, AVMEDIA_TYPE_VIDEO)) : NULL;
}
