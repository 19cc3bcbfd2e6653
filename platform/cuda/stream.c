/* The CUDA adapter's converter (pe_cuda_converter, platform.h): a video stream on a CUDA device.
 *
 * A cuda stream takes one of two paths, chosen at open:
 *   NVENC:     the GPU converts into AV_PIX_FMT_CUDA frames of a hw frames context on the device's
 *              primary context, which h264_nvenc / hevc_nvenc / av1_nvenc encode: no host copy.
 *   CPU codec: the GPU converts and copies the YUV planes into pinned host frames, which the container's
 *              CPU encoder encodes; frame i + 1 is converted while frame i is encoded.
 * NVENC is used when the codec is left to polyenc (NULL or a spec name) and a real session opens on the
 * device: probed once per device and codec, and cached (also for polyenc_cuda_has_nvenc, below with the
 * other public CUDA queries). The GPU itself is behind gpu.h (cuda.c). */
#include <pthread.h>
#include <string.h>

#include <libavutil/hwcontext.h>
#include <libavutil/pixdesc.h>

#include "gpu.h"
#include "internal.h"

typedef struct cuda_stream {
  int device;
  int nvenc;
  gpu_converter *gpu;
  AVBufferRef *hw_frames; /* NVENC */
  AVFrame *frames[2];     /* NVENC: [0]; CPU codec: the two slots of the pipeline */
} cuda_stream;

/* ---- FFmpeg's CUDA frames, on the device's primary context (pe_gpu_hw_device_new: the caller's context) ---- */
static int hw_frames_new(AVBufferRef *device, enum AVPixelFormat sw_format, int w, int h, AVBufferRef **out) {
  AVBufferRef *ref = av_hwframe_ctx_alloc(device);
  if (!ref) return AVERROR(ENOMEM);
  AVHWFramesContext *frames = (AVHWFramesContext *)ref->data;
  frames->format = AV_PIX_FMT_CUDA;
  frames->sw_format = sw_format;
  frames->width = w;
  frames->height = h;
  int ret = av_hwframe_ctx_init(ref);
  if (ret < 0) av_buffer_unref(&ref);
  *out = ref;
  return ret;
}

/* ---- the NVENC probe: a real session, once per device and codec ---- */
enum { PROBED_DEVICES = 16, PROBED_CODECS = 3 };
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static struct probe {
  int state; /* 0 not probed, 1 works, -1 does not */
  char reason[400];
} probes[PROBED_DEVICES][PROBED_CODECS];

static int probe_nvenc(int device, const AVCodec *codec, char *reason, size_t size) {
  AVBufferRef *dev = NULL, *frames = NULL;
  AVCodecContext *ctx = NULL;
  char text[300];
  pe_clear_ffmpeg_log();
  int ret = pe_gpu_hw_device_new(device, &dev, reason, size);
  if (ret < 0) { /* the reason is written */
    pe_clear_ffmpeg_log();
    return 0;
  }
  if ((ret = hw_frames_new(dev, AV_PIX_FMT_NV12, 256, 256, &frames)) < 0) {
    snprintf(reason, size, "FFmpeg cannot allocate CUDA frames: %s", pe_error_text(ret, text, sizeof text));
  } else if (!(ctx = avcodec_alloc_context3(codec)) || !(ctx->hw_frames_ctx = av_buffer_ref(frames))) {
    ret = AVERROR(ENOMEM);
    snprintf(reason, size, "out of memory");
  } else {
    ctx->width = ctx->height = 256;
    ctx->time_base = (AVRational){1, 30};
    ctx->framerate = (AVRational){30, 1};
    ctx->pix_fmt = AV_PIX_FMT_CUDA;
    ctx->sw_pix_fmt = AV_PIX_FMT_NV12;
    if ((ret = avcodec_open2(ctx, codec, NULL)) < 0)
      snprintf(reason, size, "%s does not open: %s", codec->name, pe_error_text(ret, text, sizeof text));
  }
  avcodec_free_context(&ctx);
  av_buffer_unref(&frames);
  av_buffer_unref(&dev);
  pe_clear_ffmpeg_log();
  return ret >= 0;
}

/* Whether NVENC encoder `codec` opens on the device (a real session, once per device and codec); the
 * reason when not. */
static int nvenc_works(int device, const AVCodec *codec, char *reason, size_t size) {
  int slot = codec->id == AV_CODEC_ID_H264 ? 0 : codec->id == AV_CODEC_ID_HEVC ? 1 : codec->id == AV_CODEC_ID_AV1 ? 2 : -1;
  if (slot < 0 || device >= PROBED_DEVICES) return probe_nvenc(device, codec, reason, size);
  pthread_mutex_lock(&probe_lock);
  struct probe *p = &probes[device][slot];
  if (!p->state) p->state = probe_nvenc(device, codec, p->reason, sizeof p->reason) ? 1 : -1;
  int works = p->state > 0;
  snprintf(reason, size, "%s", p->reason);
  pthread_mutex_unlock(&probe_lock);
  return works;
}

static const AVCodec *nvenc_for(enum AVCodecID id) {
  const AVCodec *codec;
  void *it = NULL;
  while ((codec = av_codec_iterate(&it)))
    if (codec->id == id && av_codec_is_encoder(codec) && pe_codec_is_nvenc(codec)) return codec;
  return NULL;
}

/* ---- at add_video and open: the encoder and the pixel format ---- */
/* NVENC when `name` is NULL or a spec name and NVENC works on the device; an explicit NVENC encoder must
 * work (POLYENC_ERR_UNSUPPORTED otherwise). */
static polyenc_status choose_encoder(polyenc_encoder *enc, int device, const char *name, const AVCodec **codec) {
  char reason[400], gpu[256];
  pe_gpu_device_name(device, gpu, sizeof gpu);
  if (pe_codec_is_nvenc(*codec)) {
    if (!nvenc_works(device, *codec, reason, sizeof reason))
      return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                          "codec '%s' needs NVENC, which does not work on cuda:%d (%s): %s. Leave codec NULL (or a "
                          "name like \"h264\") to encode on the CPU from the GPU's conversion",
                          name ? name : (*codec)->name, device, gpu[0] ? gpu : "unknown GPU", reason);
    return POLYENC_OK;
  }
  int spec_name = !name || !avcodec_find_encoder_by_name(name); /* "h264", not "libx264" */
  const AVCodec *nvenc = spec_name ? nvenc_for((*codec)->id) : NULL;
  if (nvenc && nvenc_works(device, nvenc, reason, sizeof reason)) *codec = nvenc;
  else if (nvenc)
    pe_log_info("cuda:%d (%s): %s does not work (%s): encoding with %s", device, gpu, nvenc->name, reason,
                (*codec)->name);
  return POLYENC_OK;
}

/* NVENC's frames for a pixel format: 8-bit as they are, 10-bit in the high bits of 16 (P010, YUV444P16). */
static enum AVPixelFormat nvenc_format(enum AVPixelFormat f) {
  return f == AV_PIX_FMT_YUV420P10LE ? AV_PIX_FMT_P010LE : f == AV_PIX_FMT_YUV444P10LE ? AV_PIX_FMT_YUV444P16LE : f;
}

/* yuv420p10le / yuv444p10le asked of NVENC: the P010 / YUV444P16 it takes (the same 10 bits, in the high
 * bits of 16), so that a config asks for 10 bits the same way whichever encoder the stream gets. */
static const char *codec_pixel_format(const AVCodec *codec, const char *name) {
  if (!pe_codec_is_nvenc(codec)) return name;
  enum AVPixelFormat f = nvenc_format(av_get_pix_fmt(name));
  return f == AV_PIX_FMT_NONE ? name : av_get_pix_fmt_name(f);
}

/* First what any stream takes (the host converter's formats, with its message), then NV12 by default for
 * NVENC (P010 / YUV444P16 for 10 bits), and one of the formats the kernels write. */
static polyenc_status check_pixel_format(polyenc_encoder *enc, const AVCodec *codec, const char *name,
                                         enum AVPixelFormat *pix_fmt) {
  polyenc_status st = pe_host_converter.check_pixel_format(enc, codec, name, pix_fmt);
  if (st) return st;
  if (pe_codec_is_nvenc(codec)) {
    *pix_fmt = name ? nvenc_format(*pix_fmt) : AV_PIX_FMT_NV12;
    int deep = av_pix_fmt_desc_get(*pix_fmt)->comp[0].depth > 8;
    if (deep && codec->id == AV_CODEC_ID_H264)
      return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                          "pixel_format %s: h264_nvenc does not encode 10-bit video; use codec \"hevc\" or \"av1\" "
                          "(hevc_nvenc, av1_nvenc take p010le) or an 8-bit pixel format (nv12, yuv420p, yuv444p)",
                          av_get_pix_fmt_name(*pix_fmt));
    if (codec->id == AV_CODEC_ID_AV1 && !av_pix_fmt_desc_get(*pix_fmt)->log2_chroma_w)
      return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                          "pixel_format %s: av1_nvenc encodes 4:2:0 only (nv12, yuv420p, p010le)",
                          av_get_pix_fmt_name(*pix_fmt));
  }
  if (!pe_gpu_can_produce(*pix_fmt))
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                        "pixel_format %s (codec %s) cannot be produced on a cuda stream: use nv12, yuv420p, yuv444p, "
                        "yuv420p10le or yuv444p10le (p010le or yuv444p16le for NVENC)",
                        av_get_pix_fmt_name(*pix_fmt), codec->name);
  return POLYENC_OK;
}

/* ---- open ---- */
static void cuda_free(void *state) {
  cuda_stream *cs = state;
  if (!cs) return;
  av_frame_free(&cs->frames[0]);
  av_frame_free(&cs->frames[1]);
  pe_gpu_converter_free(cs->gpu);
  av_buffer_unref(&cs->hw_frames);
  av_free(cs);
}

/* NVENC gets its hw frames context (pix_fmt AV_PIX_FMT_CUDA), the converter FFmpeg's CUDA device. */
static polyenc_status open_nvenc(polyenc_stream *s, cuda_stream *cs, const conversion *conv) {
  AVCodecContext *ctx = s->codec_ctx;
  char text[400];
  AVBufferRef *dev = NULL;
  int ret = pe_gpu_hw_device_new(cs->device, &dev, text, sizeof text);
  if (ret < 0)
    return pe_set_error(s->enc, POLYENC_ERR_CODEC, "stream %d: CUDA frames on cuda:%d for %s: %s", s->index, cs->device,
                        ctx->codec->name, text);
  if ((ret = hw_frames_new(dev, conv->format, conv->width, conv->height, &cs->hw_frames)) < 0) {
    av_buffer_unref(&dev);
    return pe_set_error(s->enc, POLYENC_ERR_CODEC, "stream %d: CUDA frames on cuda:%d for %s: %s", s->index, cs->device,
                        ctx->codec->name, pe_error_text(ret, text, sizeof text));
  }
  ctx->pix_fmt = AV_PIX_FMT_CUDA;
  ctx->sw_pix_fmt = conv->format;
  ret = (ctx->hw_frames_ctx = av_buffer_ref(cs->hw_frames)) ? 0 : AVERROR(ENOMEM);
  if (ret >= 0) ret = pe_gpu_converter_new(cs->device, conv, dev, &cs->gpu, text, sizeof text);
  av_buffer_unref(&dev); /* the frames context and the converter hold it */
  if (ret < 0)
    return pe_set_error(s->enc, pe_codec_status(ret), "stream %d on cuda:%d: %s",
                        s->index, cs->device, ret == AVERROR(ENOMEM) ? "out of memory" : text);
  return POLYENC_OK;
}

static polyenc_status cuda_open(polyenc_stream *s, int device, const conversion *conv, void **state) {
  cuda_stream *cs = av_mallocz(sizeof *cs);
  if (!cs) return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening stream %d", s->index);
  cs->device = device;
  cs->nvenc = pe_codec_is_nvenc(s->codec_ctx->codec);
  polyenc_status st = POLYENC_OK;
  char text[400];
  if (cs->nvenc) {
    st = open_nvenc(s, cs, conv);
  } else {
    int ret = pe_gpu_converter_new(device, conv, NULL, &cs->gpu, text, sizeof text);
    if (ret < 0)
      st = pe_set_error(s->enc, pe_codec_status(ret), "stream %d on cuda:%d: %s",
                        s->index, device, text);
  }
  for (int i = 0; i < 2 && !st; i++) {
    AVFrame *f = cs->frames[i] = av_frame_alloc();
    if (!f) {
      st = pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening stream %d", s->index);
      break;
    }
    f->format = conv->format;
    f->width = conv->width;
    f->height = conv->height;
  }
  if (st) {
    cuda_free(cs);
    return st;
  }
  char gpu[256];
  pe_gpu_device_name(device, gpu, sizeof gpu);
  pe_log_info("stream %d: cuda:%d (%s): %s", s->index, device, gpu,
              cs->nvenc ? "NVENC, frames converted on the GPU into the encoder's CUDA frames"
                        : "converted on the GPU, YUV copied to pinned host memory, CPU encoder");
  *state = cs;
  return POLYENC_OK;
}

/* ---- frames ---- */
static polyenc_status gpu_failed(polyenc_stream *s, cuda_stream *cs, int ret) {
  polyenc_encoder *enc = s->enc;
  /* EINVAL: the caller's input (not CUDA memory, wrong device, past its allocation): nothing was encoded */
  if (ret == AVERROR(EINVAL))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "stream %d (cuda:%d): %s", s->index, cs->device,
                        pe_gpu_converter_error(cs->gpu));
  return pe_encoder_fail(enc, pe_set_error(enc, pe_codec_status(ret), "stream %d (cuda:%d): %s", s->index, cs->device,
                                           pe_gpu_converter_error(cs->gpu)));
}

static polyenc_status cuda_convert(void *state, polyenc_stream *s, const source_frame *first, int n,
                                   int64_t frame_stride, const pe_frame_sink *sink) {
  cuda_stream *cs = state;
  int ret = pe_gpu_begin(cs->gpu, first, n, frame_stride);
  if (ret < 0) return gpu_failed(s, cs, ret);
  source_frame src = *first;
  polyenc_status st = POLYENC_OK;
  if (cs->nvenc) {
    AVFrame *f = cs->frames[0];
    for (int i = 0; i < n && !st; i++) {
      src.data = first->data + i * frame_stride;
      av_frame_unref(f); /* the encoder keeps its own reference to the last frame */
      if ((ret = av_hwframe_get_buffer(cs->hw_frames, f, 0)) < 0) {
        char text[300];
        return pe_encoder_fail(s->enc, pe_set_error(s->enc, POLYENC_ERR_CODEC,
                                                    "stream %d: no CUDA frame from the pool: %s", s->index,
                                                    pe_error_text(ret, text, sizeof text)));
      }
      if ((ret = pe_gpu_convert_to_hw_frame(cs->gpu, &src, f)) < 0) return gpu_failed(s, cs, ret);
      st = sink->send(sink->opaque, f, i);
    }
    return st;
  }
  /* frame i + 1 is converted and copied (asynchronously) before frame i goes to the CPU encoder */
  for (int i = 0; i <= n && !st; i++) {
    if (i < n) {
      src.data = first->data + i * frame_stride;
      if ((ret = pe_gpu_convert_to_host(cs->gpu, &src, cs->frames[i % 2], i % 2)) < 0) {
        if (i > 0) pe_gpu_wait(cs->gpu, (i - 1) % 2);
        return gpu_failed(s, cs, ret);
      }
    }
    if (i == 0) continue;
    if ((ret = pe_gpu_wait(cs->gpu, (i - 1) % 2)) < 0) {
      if (i < n) pe_gpu_wait(cs->gpu, i % 2);
      return gpu_failed(s, cs, ret);
    }
    st = sink->send(sink->opaque, cs->frames[(i - 1) % 2], i - 1);
    if (st && i < n) pe_gpu_wait(cs->gpu, i % 2);
  }
  return st;
}

const pe_converter_ops pe_cuda_converter = {
    .tag = " (cuda)",
    .device_problem = pe_gpu_device_problem,
    .choose_encoder = choose_encoder,
    .codec_pixel_format = codec_pixel_format,
    .check_pixel_format = check_pixel_format,
    .open = cuda_open,
    .convert = cuda_convert,
    .free = cuda_free,
};

/* ---- the public CUDA queries (polyenc.h) ---- */
/* Devices the CUDA driver reports (loaded at run time); 0 without driver or GPU. */
int polyenc_cuda_device_count(void) { return pe_gpu_device_count(); }

int polyenc_cuda_device_name(int index, char *buf, size_t size) {
  char why[300];
  if (!buf || !size) return -1;
  buf[0] = '\0';
  if (pe_gpu_device_problem(index, why, sizeof why)) return -1;
  pe_gpu_device_name(index, buf, size);
  return 0;
}

int polyenc_cuda_has_nvenc(int index, const char *codec_name) {
  char why[400];
  if (!codec_name || pe_gpu_device_problem(index, why, sizeof why)) return 0;
  pe_setup_logging();
  const AVCodec *codec = avcodec_find_encoder_by_name(codec_name);
  return codec && pe_codec_is_nvenc(codec) && nvenc_works(index, codec, why, sizeof why);
}
