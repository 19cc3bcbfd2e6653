/* CUDA video streams and DLPack input.
 *
 * A cuda stream takes one of two paths, chosen at open:
 *   NVENC:     the GPU adapter converts into AV_PIX_FMT_CUDA frames of a hw frames context on the
 *              device's primary context, which h264_nvenc / hevc_nvenc / av1_nvenc encode: no host copy.
 *   CPU codec: the GPU adapter converts and copies the YUV planes into pinned host frames, which the
 *              container's CPU encoder encodes; frame i + 1 is converted while frame i is encoded.
 * NVENC is used when the codec is left to polyenc (NULL or a spec name) and a real session opens on the
 * device: probed once per device and codec, and cached. The core sees no CUDA type: the GPU is behind
 * platform.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/hwcontext.h>
#include <libavutil/pixdesc.h>

#include "video_cuda.h"

struct cuda_video {
  int device;
  int nvenc;
  gpu_converter *gpu;
  AVBufferRef *hw_frames; /* NVENC */
  AVFrame *frames[2];     /* NVENC: [0]; CPU codec: the two slots of the pipeline */
};

polyenc_status pe_cuda_parse_device(polyenc_encoder *enc, const char *device, int *index) {
  *index = -1;
  if (!device || !strcmp(device, "cpu")) return POLYENC_OK;
  if (strncmp(device, "cuda", 4) || (device[4] && device[4] != ':'))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "device must be NULL, \"cpu\", \"cuda\" or \"cuda:N\", got '%s'",
                        device);
  long n = 0;
  if (device[4] == ':') {
    char *end;
    n = strtol(device + 5, &end, 10);
    if (end == device + 5 || *end || n < 0 || n > 1023)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "device '%s': N in \"cuda:N\" must be a device index >= 0",
                          device);
  }
  char why[300];
  if (pe_gpu_device_problem((int)n, why, sizeof why))
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED, "device '%s' cannot be used: %s", device, why);
  *index = (int)n;
  return POLYENC_OK;
}

int pe_cuda_is_nvenc(const AVCodec *codec) {
  size_t n = strlen(codec->name);
  return n > 6 && !strcmp(codec->name + n - 6, "_nvenc");
}

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

int pe_cuda_nvenc_works(int device, const AVCodec *codec, char *reason, size_t size) {
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
    if (codec->id == id && av_codec_is_encoder(codec) && pe_cuda_is_nvenc(codec)) return codec;
  return NULL;
}

polyenc_status pe_cuda_choose_encoder(polyenc_encoder *enc, int device, const char *name, const AVCodec **codec) {
  char reason[400], gpu[256];
  pe_gpu_device_name(device, gpu, sizeof gpu);
  if (pe_cuda_is_nvenc(*codec)) {
    if (!pe_cuda_nvenc_works(device, *codec, reason, sizeof reason))
      return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                          "codec '%s' needs NVENC, which does not work on cuda:%d (%s): %s. Leave codec NULL (or a "
                          "name like \"h264\") to encode on the CPU from the GPU's conversion",
                          name ? name : (*codec)->name, device, gpu[0] ? gpu : "unknown GPU", reason);
    return POLYENC_OK;
  }
  int spec_name = !name || !avcodec_find_encoder_by_name(name); /* "h264", not "libx264" */
  const AVCodec *nvenc = spec_name ? nvenc_for((*codec)->id) : NULL;
  if (nvenc && pe_cuda_nvenc_works(device, nvenc, reason, sizeof reason)) *codec = nvenc;
  else if (nvenc)
    pe_log_info("cuda:%d (%s): %s does not work (%s): encoding with %s", device, gpu, nvenc->name, reason,
                (*codec)->name);
  return POLYENC_OK;
}

polyenc_status pe_cuda_check_pixel_format(polyenc_encoder *enc, const AVCodec *codec, const char *name,
                                          enum AVPixelFormat *pix_fmt) {
  if (!name && pe_cuda_is_nvenc(codec)) *pix_fmt = AV_PIX_FMT_NV12;
  if (!pe_gpu_can_produce(*pix_fmt))
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED,
                        "pixel_format %s (codec %s) cannot be produced on a cuda stream: use nv12, yuv420p or yuv444p",
                        av_get_pix_fmt_name(*pix_fmt), codec->name);
  return POLYENC_OK;
}

/* ---- open ---- */
static void copy_colors(AVFrame *f, const AVCodecContext *ctx) {
  f->color_range = ctx->color_range;
  f->colorspace = ctx->colorspace;
  f->color_primaries = ctx->color_primaries;
  f->color_trc = ctx->color_trc;
}

void pe_cuda_video_free(cuda_video *cv) {
  if (!cv) return;
  av_frame_free(&cv->frames[0]);
  av_frame_free(&cv->frames[1]);
  pe_gpu_converter_free(cv->gpu);
  av_buffer_unref(&cv->hw_frames);
  av_free(cv);
}

static polyenc_status open_nvenc(polyenc_stream *s, cuda_video *cv, const conversion *conv) {
  AVCodecContext *ctx = s->codec_ctx;
  char text[400];
  AVBufferRef *dev = NULL;
  int ret = pe_gpu_hw_device_new(cv->device, &dev, text, sizeof text);
  if (ret < 0)
    return pe_set_error(s->enc, POLYENC_ERR_CODEC, "stream %d: CUDA frames on cuda:%d for %s: %s", s->index, cv->device,
                        ctx->codec->name, text);
  if ((ret = hw_frames_new(dev, conv->format, conv->width, conv->height, &cv->hw_frames)) < 0) {
    av_buffer_unref(&dev);
    return pe_set_error(s->enc, POLYENC_ERR_CODEC, "stream %d: CUDA frames on cuda:%d for %s: %s", s->index, cv->device,
                        ctx->codec->name, pe_error_text(ret, text, sizeof text));
  }
  ctx->pix_fmt = AV_PIX_FMT_CUDA;
  ctx->sw_pix_fmt = conv->format;
  ret = (ctx->hw_frames_ctx = av_buffer_ref(cv->hw_frames)) ? 0 : AVERROR(ENOMEM);
  if (ret >= 0) ret = pe_gpu_converter_new(cv->device, conv, dev, &cv->gpu, text, sizeof text);
  av_buffer_unref(&dev); /* the frames context and the converter hold it */
  if (ret < 0)
    return pe_set_error(s->enc, pe_codec_status(ret), "stream %d on cuda:%d: %s",
                        s->index, cv->device, ret == AVERROR(ENOMEM) ? "out of memory" : text);
  return POLYENC_OK;
}

polyenc_status pe_cuda_video_open(polyenc_stream *s, int device, const conversion *conv, cuda_video **out) {
  cuda_video *cv = av_mallocz(sizeof *cv);
  if (!cv) return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening stream %d", s->index);
  cv->device = device;
  cv->nvenc = pe_cuda_is_nvenc(s->codec_ctx->codec);
  polyenc_status st = POLYENC_OK;
  char text[400];
  if (cv->nvenc) {
    st = open_nvenc(s, cv, conv);
  } else {
    int ret = pe_gpu_converter_new(device, conv, NULL, &cv->gpu, text, sizeof text);
    if (ret < 0)
      st = pe_set_error(s->enc, pe_codec_status(ret), "stream %d on cuda:%d: %s",
                        s->index, device, text);
  }
  for (int i = 0; i < 2 && !st; i++) {
    AVFrame *f = cv->frames[i] = av_frame_alloc();
    if (!f) {
      st = pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory opening stream %d", s->index);
      break;
    }
    f->format = conv->format;
    f->width = conv->width;
    f->height = conv->height;
    copy_colors(f, s->codec_ctx);
  }
  if (st) {
    pe_cuda_video_free(cv);
    return st;
  }
  char gpu[256];
  pe_gpu_device_name(device, gpu, sizeof gpu);
  pe_log_info("stream %d: cuda:%d (%s): %s", s->index, device, gpu,
              cv->nvenc ? "NVENC, frames converted on the GPU into the encoder's CUDA frames"
                        : "converted on the GPU, YUV copied to pinned host memory, CPU encoder");
  *out = cv;
  return POLYENC_OK;
}

/* ---- frames ---- */
static polyenc_status gpu_failed(polyenc_stream *s, cuda_video *cv, int ret) {
  polyenc_encoder *enc = s->enc;
  /* EINVAL: the caller's input (not CUDA memory, wrong device, past its allocation): nothing was encoded */
  if (ret == AVERROR(EINVAL))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "stream %d (cuda:%d): %s", s->index, cv->device,
                        pe_gpu_converter_error(cv->gpu));
  return pe_encoder_fail(enc, pe_set_error(enc, pe_codec_status(ret), "stream %d (cuda:%d): %s", s->index, cv->device,
                                           pe_gpu_converter_error(cv->gpu)));
}

polyenc_status pe_cuda_video_add(polyenc_stream *s, cuda_video *cv, const source_frame *first, int n,
                                 int64_t frame_stride, const pe_frame_times *times) {
  int ret = pe_gpu_begin(cv->gpu, first, n, frame_stride);
  if (ret < 0) return gpu_failed(s, cv, ret);
  source_frame src = *first;
  polyenc_status st = POLYENC_OK;
  if (cv->nvenc) {
    AVFrame *f = cv->frames[0];
    for (int i = 0; i < n && !st; i++) {
      src.data = first->data + i * frame_stride;
      av_frame_unref(f); /* the encoder keeps its own reference to the last frame */
      if ((ret = av_hwframe_get_buffer(cv->hw_frames, f, 0)) < 0) {
        char text[300];
        return pe_encoder_fail(s->enc, pe_set_error(s->enc, POLYENC_ERR_CODEC,
                                                    "stream %d: no CUDA frame from the pool: %s", s->index,
                                                    pe_error_text(ret, text, sizeof text)));
      }
      copy_colors(f, s->codec_ctx);
      if ((ret = pe_gpu_convert_to_hw_frame(cv->gpu, &src, f)) < 0) return gpu_failed(s, cv, ret);
      st = pe_video_send(s, f, times, i);
    }
    return st;
  }
  /* frame i + 1 is converted and copied (asynchronously) before frame i goes to the CPU encoder */
  for (int i = 0; i <= n && !st; i++) {
    if (i < n) {
      src.data = first->data + i * frame_stride;
      if ((ret = pe_gpu_convert_to_host(cv->gpu, &src, cv->frames[i % 2], i % 2)) < 0) {
        if (i > 0) pe_gpu_wait(cv->gpu, (i - 1) % 2);
        return gpu_failed(s, cv, ret);
      }
    }
    if (i == 0) continue;
    if ((ret = pe_gpu_wait(cv->gpu, (i - 1) % 2)) < 0) {
      if (i < n) pe_gpu_wait(cv->gpu, i % 2);
      return gpu_failed(s, cv, ret);
    }
    st = pe_video_send(s, cv->frames[(i - 1) % 2], times, i - 1);
    if (st && i < n) pe_gpu_wait(cv->gpu, i % 2);
  }
  return st;
}

/* ---- DLPack ---- */
#ifdef POLYENC_HAS_DLPACK
typedef DLTensor dl_tensor;
#else
/* Without <dlpack/dlpack.h> (e.g. a cross build): the same ABI, declared here. */
typedef struct {
  void *data;
  struct { int device_type, device_id; } device;
  int ndim;
  struct { uint8_t code, bits; uint16_t lanes; } dtype;
  int64_t *shape, *strides;
  uint64_t byte_offset;
} dl_tensor;
#endif
enum { DL_CPU = 1, DL_CUDA = 2, DL_CUDA_HOST = 3, DL_CUDA_MANAGED = 13, DL_UINT = 1 };

static const char *dtype_name(char *buf, size_t size, int code, int bits, int lanes) {
  static const char *const codes[] = {"int", "uint", "float", "opaque", "bfloat", "complex", "bool"};
  snprintf(buf, size, "%s%d%s", code >= 0 && code < 7 ? codes[code] : "code?", bits, lanes == 1 ? "" : " x lanes");
  return buf;
}

static polyenc_status check_tensor_device(polyenc_stream *s, const dl_tensor *t) {
  int device = pe_video_device(s), type = (int)t->device.device_type, id = t->device.device_id;
  if (type == DL_CUDA_HOST || type == DL_CUDA_MANAGED) return POLYENC_OK; /* reachable from host and GPU */
  if (type == DL_CPU && device >= 0)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                        "tensor is on the CPU, but stream %d is on cuda:%d: move the tensor to the GPU "
                        "(tensor.cuda()) or add the stream with device \"cpu\"", s->index, device);
  if (type == DL_CUDA && device < 0)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                        "tensor is on cuda:%d, but stream %d is a cpu stream: add the stream with device \"cuda:%d\" "
                        "or move the tensor to the CPU", id, s->index, id);
  if (type == DL_CUDA && id != device)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT, "tensor is on cuda:%d, but stream %d is on cuda:%d", id,
                        s->index, device);
  if (type != DL_CPU && type != DL_CUDA)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                        "tensor device_type %d is not supported: kDLCPU (1), kDLCUDA (2), kDLCUDAHost (3) or "
                        "kDLCUDAManaged (13)", type);
  return POLYENC_OK;
}

POLYENC_API polyenc_status polyenc_add_frames_dlpack(polyenc_stream *s, const dl_tensor *t) {
  if (!s) return POLYENC_ERR_ARGUMENT;
  polyenc_encoder *enc = s->enc;
  if (!t) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "tensor must not be NULL");
  if (s->kind != STREAM_VIDEO)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "polyenc_add_frames_dlpack needs a video stream: stream %d is not one", s->index);
  polyenc_status st = pe_encoder_check_open(enc, "polyenc_add_frames_dlpack");
  if (st) return st;
  char name[32];
  if (t->dtype.code != DL_UINT || t->dtype.bits != 8 || t->dtype.lanes != 1)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "tensor dtype must be uint8 (torch.uint8), got %s",
                        dtype_name(name, sizeof name, t->dtype.code, t->dtype.bits, t->dtype.lanes));
  if (t->ndim != 4 || !t->shape)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "tensor must have 4 dimensions, (N, 3, H, W) or (N, H, W, 3|4), got %d", t->ndim);
  if ((st = check_tensor_device(s, t))) return st;
  const int64_t *shape = t->shape;
  int h = s->codec_ctx->height, w = s->codec_ctx->width;
  polyenc_layout layout;
  if (shape[1] == 3 && shape[2] == h && shape[3] == w) layout = POLYENC_RGB_PLANAR;
  else if (shape[1] == h && shape[2] == w && shape[3] == 3) layout = POLYENC_RGB24;
  else if (shape[1] == h && shape[2] == w && shape[3] == 4) layout = POLYENC_RGBA;
  else
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "tensor shape (%lld, %lld, %lld, %lld) is neither (N, 3, %d, %d) nor (N, %d, %d, 3|4) for "
                        "stream %d (height %d, width %d)",
                        (long long)shape[0], (long long)shape[1], (long long)shape[2], (long long)shape[3], h, w, h, w,
                        s->index, h, w);
  if (shape[0] < 0 || shape[0] > 0x7fffffff)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "tensor shape[0] (the number of frames) must be >= 0, got %lld",
                        (long long)shape[0]);
  int64_t strides[4] = {shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1}; /* compact */
  for (int i = 0; t->strides && i < 4; i++) {
    if (t->strides[i] < 0)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "tensor strides[%d] must be >= 0, got %lld", i,
                          (long long)t->strides[i]);
    strides[i] = t->strides[i];
  }
  if (shape[0] == 0) return POLYENC_OK;
  if (!t->data) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "tensor data must not be NULL");
  source_frame first = {layout, (const uint8_t *)t->data + t->byte_offset, {strides[1], strides[2], strides[3]}, w, h};
  return pe_video_add_source(s, &first, (int)shape[0], strides[0], NULL); /* pts: the running index */
}
