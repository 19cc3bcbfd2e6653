#include <ctype.h>
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

polyenc_video_config pq_video_cfg(int w, int h, double rate, const char *codec) {
  polyenc_video_config c = video_cfg(w, h, rate);
  c.codec = codec;
  c.pixel_format = "yuv420p10le";
  c.color_space = "bt2020";
  c.color_transfer = "smpte2084";
  c.color_primaries = "bt2020";
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

int mem_writer_write(void *opaque, const uint8_t *data, size_t size) {
  mem_writer *m = opaque;
  if (size > SIZE_MAX / 2 - m->pos) return -1;
  size_t end = m->pos + size;
  if (end > m->cap) {
    size_t cap = end * 2;
    uint8_t *d = realloc(m->data, cap);
    if (!d) return -1;
    m->data = d;
    m->cap = cap;
  }
  if (m->pos > m->size) memset(m->data + m->size, 0, m->pos - m->size);
  if (size) memcpy(m->data + m->pos, data, size);
  m->pos = end;
  if (end > m->size) m->size = end;
  return 0;
}

int64_t mem_writer_seek(void *opaque, int64_t offset, int whence) {
  mem_writer *m = opaque;
  int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)m->pos : whence == SEEK_END ? (int64_t)m->size : -1;
  if (base < 0 || offset < -base || offset > INT64_MAX - base) return -1;
  m->pos = (size_t)(base + offset);
  return base + offset;
}

polyenc_writer mem_writer_api(mem_writer *m, int seekable) {
  polyenc_writer w = {m, mem_writer_write, seekable ? mem_writer_seek : NULL};
  return w;
}

void mem_writer_free(mem_writer *m) {
  free(m->data);
  memset(m, 0, sizeof *m);
}

void expect_rotation(const char *path, int rotation, const char *shown) {
  char *p = ffprobe("-select_streams v:0 -show_streams", path);
  CHECK(p);
  char buf[64];
  const char *rot = kv_get(p, "rotation", 0, buf, sizeof buf);
  if (!shown) {
    CHECK_MSG(!rot && !strstr(p, "Display Matrix"), "%s: rotation %d wrote a display matrix:\n%s", path, rotation, p);
  } else {
    CHECK_MSG(strstr(p, "Display Matrix"), "%s: rotation %d: no display matrix:\n%s", path, rotation, p);
    CHECK_MSG(rot && !strcmp(rot, shown), "%s: rotation %d: ffprobe shows %s, expected %s", path, rotation,
              rot ? rot : "(none)", shown);
  }
  free(p);
}

static int contains_nocase(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (const char *p = hay; *p; p++) {
    size_t i = 0;
    while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i])) i++;
    if (i == n) return 1;
  }
  return 0;
}

void expect_message(polyenc_encoder *enc, const char *param, const char *value) {
  const char *msg = polyenc_last_error(enc);
  CHECK(msg != NULL);
  CHECK_MSG(msg[0] != 0, "empty message after a failed call");
  if (param) CHECK_CONTAINS(msg, param);
  if (value) CHECK_MSG(contains_nocase(msg, value), "message \"%s\" should contain \"%s\"", msg, value);
}

void expect_usable(polyenc_encoder *enc, const char *name) {
  enum { W = 64, H = 48 };
  polyenc_video_config vc = video_cfg(W, H, 25);
  polyenc_stream *s = add_video_ok(enc, &vc);
  const char *path = tmp_path(name);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  uint8_t *rgb = pattern_frames(W, H, 3);
  add_rgb24_ok(enc, s, rgb, 3, W, H);
  CHECK_OK(enc, polyenc_close(enc));
  free(rgb);
  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), polyenc_stream_index(s), &v), 0);
  CHECK_EQ_INT(v.num_frames, 3);
  video_frames_free(&v);
}
