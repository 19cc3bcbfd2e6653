/* What this build and machine can do. */
#include "internal.h"

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
