/* What this build and machine can do. */
#include "internal.h"
#include "platform.h"
#include "video_cuda.h"

int polyenc_has_encoder(const char *codec_name) {
  if (!codec_name) return 0;
  pe_setup_logging();
  const AVCodec *codec = avcodec_find_encoder_by_name(codec_name);
  if (!codec) {
    const AVCodecDescriptor *desc = avcodec_descriptor_get_by_name(codec_name);
    codec = desc ? pe_software_encoder_for(desc->id) : NULL;
  }
  if (!codec) return 0;
  if (!(codec->capabilities & AV_CODEC_CAP_HARDWARE)) return 1;
  /* A hardware encoder is only there if a session really opens. */
  AVCodecContext *ctx = avcodec_alloc_context3(codec);
  if (!ctx) return 0;
  ctx->width = 256;
  ctx->height = 256;
  ctx->time_base = (AVRational){1, 30};
  ctx->pix_fmt = codec->pix_fmts ? codec->pix_fmts[0] : AV_PIX_FMT_YUV420P;
  int ok = avcodec_open2(ctx, codec, NULL) >= 0;
  avcodec_free_context(&ctx);
  pe_clear_ffmpeg_log();
  return ok;
}

/* Devices the CUDA driver reports (loaded at run time); 0 in a build without CUDA or without driver or GPU. */
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
  return codec && pe_cuda_is_nvenc(codec) && pe_cuda_nvenc_works(index, codec, why, sizeof why);
}
