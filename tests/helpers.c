#include "helpers.h"

const char *const repeatable_x264[] = {"x264-params", "mbtree=0", NULL};

polyenc_video_config video_cfg(int w, int h, double rate) {
  polyenc_video_config c;
  polyenc_video_config_init(&c);
  c.width = w;
  c.height = h;
  c.frame_rate = rate;
  return c;
}

polyenc_audio_config audio_cfg(int rate, int channels) {
  polyenc_audio_config c;
  polyenc_audio_config_init(&c);
  c.sample_rate = rate;
  c.num_channels = channels;
  return c;
}

polyenc_stream *add_video_ok(polyenc_encoder *enc, const polyenc_video_config *cfg) {
  polyenc_stream *s = NULL;
  CHECK_OK(enc, polyenc_add_video(enc, cfg, &s));
  CHECK(s != NULL);
  return s;
}

polyenc_stream *add_audio_ok(polyenc_encoder *enc, const polyenc_audio_config *cfg) {
  polyenc_stream *s = NULL;
  CHECK_OK(enc, polyenc_add_audio(enc, cfg, &s));
  CHECK(s != NULL);
  return s;
}

polyenc_frames frames_of(const void *data, polyenc_layout layout, int n, int w, int h) {
  polyenc_frames f;
  memset(&f, 0, sizeof f);
  f.data = data;
  f.layout = layout;
  f.num_frames = n;
  f.width = w;
  f.height = h;
  return f;
}

void add_rgb24_ok(polyenc_encoder *enc, polyenc_stream *s, const uint8_t *rgb, int n, int w, int h) {
  polyenc_frames f = frames_of(rgb, POLYENC_RGB24, n, w, h);
  CHECK_OK(enc, polyenc_add_frames(s, &f));
}

void add_samples_ok(polyenc_encoder *enc, polyenc_stream *s, const float *planar, int channels, int64_t n) {
  CHECK_OK(enc, polyenc_add_samples(s, planar, POLYENC_SAMPLES_PLANAR, channels, n));
}

void encode_video_file(const char *path, const char *format, const polyenc_video_config *cfg,
                       const uint8_t *rgb, int n) {
  polyenc_encoder *enc = polyenc_encoder_new();
  CHECK(enc != NULL);
  polyenc_stream *s = add_video_ok(enc, cfg);
  CHECK_OK(enc, polyenc_open_file(enc, path, format));
  add_rgb24_ok(enc, s, rgb, n, cfg->width, cfg->height);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
}

void expect_stream(const media_info *info, int index, enum AVMediaType type, const char *codec) {
  CHECK_MSG(index < info->num_streams, "stream %d missing (%d streams)", index, info->num_streams);
  const stream_info *s = &info->streams[index];
  CHECK_MSG(s->type == type, "stream %d is %s, expected %s", index, av_get_media_type_string(s->type),
            av_get_media_type_string(type));
  CHECK_STREQ(s->codec, codec);
}
