/* The encoder tutorial's scenarios (../shared/reference/encoder-tutorial.txt) in C, plus
 * frame-rate and empty-stream behaviour. */
#include "helpers.h"

#define CASES(X)                          \
  X(video_audio_mp4, QUICK)               \
  X(chunked_equals_oneshot, QUICK)        \
  X(multi_stream_mkv, QUICK)              \
  X(multi_stream_mp4, QUICK)              \
  X(multi_stream_mixed_order, QUICK)      \
  X(frame_rate_2997, QUICK)               \
  X(frame_rate_24_mkv, QUICK)             \
  X(zero_frames_stream_mp4, QUICK)        \
  X(zero_frames_stream_mkv, QUICK)        \
  X(interleaved_feeding, QUICK)
CHECK_MAIN(CASES)

/* ffprobe's `index`, `codec_name` and `codec_type` of stream i equal the expected values. */
static void expect_ffprobe_stream(const char *probe, int i, const char *codec, const char *type) {
  char buf[64], want[16];
  snprintf(want, sizeof want, "%d", i);
  CHECK_STREQ(kv_get(probe, "index", i, buf, sizeof buf), want);
  CHECK_STREQ(kv_get(probe, "codec_name", i, buf, sizeof buf), codec);
  CHECK_STREQ(kv_get(probe, "codec_type", i, buf, sizeof buf), type);
}

/* (a) video + audio into one MP4 (the tutorial: 60 frames, 16 kHz mono tone as long as the video). */
static void case_video_audio_mp4(void) {
  const int w = 96, h = 64, n = 60, rate = 16000;
  const double fps = 24;
  const int64_t ns = (int64_t)(rate * (n / fps)); /* 40000 */
  uint8_t *rgb = pattern_frames(w, h, n);
  float *tone = sine_planar(1, ns, rate, 440);
  const char *path = tmp_path("video_audio.mp4");

  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(w, h, fps);
  polyenc_audio_config ac = audio_cfg(rate, 1);
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_stream *a = add_audio_ok(enc, &ac);
  CHECK_EQ_INT(polyenc_stream_index(v), 0);
  CHECK_EQ_INT(polyenc_stream_index(a), 1);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames f = frames_of(rgb, POLYENC_RGB_PLANAR, 0, w, h);
  /* the tutorial feeds NCHW; feed the RGB24 frames as a planar view (strides) */
  f.num_frames = n;
  f.strides[0] = (int64_t)w * h * 3, f.strides[1] = 1, f.strides[2] = w * 3, f.strides[3] = 3;
  CHECK_OK(enc, polyenc_add_frames(v, &f));
  add_samples_ok(enc, a, tone, 1, ns);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);

  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  CHECK_EQ_INT(info.num_streams, 2);
  expect_stream(&info, 0, AVMEDIA_TYPE_VIDEO, "h264");
  expect_stream(&info, 1, AVMEDIA_TYPE_AUDIO, "aac");
  CHECK_EQ_INT(info.streams[0].width, w);
  CHECK_EQ_INT(info.streams[0].height, h);
  CHECK_EQ_INT(info.streams[1].sample_rate, rate);
  CHECK_EQ_INT(info.streams[1].channels, 1);

  char *probe = ffprobe("-show_entries stream=index,codec_type,codec_name -of default=noprint_wrappers=1", path);
  CHECK(probe);
  expect_ffprobe_stream(probe, 0, "h264", "video");
  expect_ffprobe_stream(probe, 1, "aac", "audio");
  char buf[64];
  CHECK(kv_get(probe, "index", 2, buf, sizeof buf) == NULL);
  free(probe);

  video_frames vf;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 0, "bt601", 0, &vf), 0);
  CHECK_EQ_INT(vf.num_frames, n);
  video_frames_free(&vf);
  audio_samples as;
  CHECK_EQ_INT(media_decode_audio(src_file(path), 1, &as), 0);
  /* AAC: the mov demuxer removes the priming (edit list); the end is padded to a
   * whole frame of 1024 samples at most */
  CHECK_GE(as.num_samples, ns);
  CHECK(as.num_samples <= ns + 1024);
  audio_samples_free(&as);
  free(rgb);
  free(tone);
}

/* (b) The same content fed in chunks of 10 frames with the matching audio gives the same
 * decoded frames and samples as feeding it at once. 25 fps and 16 kHz: 640 samples a frame. */
static void encode_av(const char *path, const uint8_t *rgb, int n, const float *tone, int64_t ns, int chunk) {
  const int w = 64, h = 48, rate = 16000;
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(w, h, 25);
  vc.options = repeatable_x264; /* one-shot and chunked are compared frame for frame */
  polyenc_audio_config ac = audio_cfg(rate, 1);
  polyenc_stream *v = add_video_ok(enc, &vc);
  polyenc_stream *a = add_audio_ok(enc, &ac);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  if (!chunk) {
    add_rgb24_ok(enc, v, rgb, n, w, h);
    add_samples_ok(enc, a, tone, 1, ns);
  } else {
    const int64_t per = (int64_t)rate / 25 * chunk;
    for (int i = 0; i < n; i += chunk) {
      int k = n - i < chunk ? n - i : chunk;
      add_rgb24_ok(enc, v, rgb + (size_t)w * h * 3 * i, k, w, h);
      int64_t start = (int64_t)i / chunk * per, len = ns - start < per ? ns - start : per;
      add_samples_ok(enc, a, tone + start, 1, len);
    }
  }
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
}

static void case_chunked_equals_oneshot(void) {
  const int n = 60;
  const int64_t ns = 60 * 640;
  uint8_t *rgb = pattern_frames(64, 48, n);
  float *tone = sine_planar(1, ns, 16000, 440);
  const char *one = tmp_path("oneshot.mp4"), *chunked = tmp_path("chunked.mp4");
  encode_av(one, rgb, n, tone, ns, 0);
  encode_av(chunked, rgb, n, tone, ns, 10);

  video_frames a, b;
  CHECK_EQ_INT(media_decode_yuv(src_file(one), 0, &a), 0);
  CHECK_EQ_INT(media_decode_yuv(src_file(chunked), 0, &b), 0);
  CHECK_EQ_INT(a.num_frames, n);
  CHECK_EQ_INT(b.num_frames, n);
  for (int i = 0; i < n; i++) {
    CHECK_MSG(memcmp(a.data + a.frame_size * i, b.data + b.frame_size * i, a.frame_size) == 0,
              "decoded frame %d differs between one-shot and chunked feeding", i);
    CHECK_EQ_INT(a.pts[i], b.pts[i]);
  }
  video_frames_free(&a);
  video_frames_free(&b);

  audio_samples x, y;
  CHECK_EQ_INT(media_decode_audio(src_file(one), 1, &x), 0);
  CHECK_EQ_INT(media_decode_audio(src_file(chunked), 1, &y), 0);
  CHECK_EQ_INT(x.num_samples, y.num_samples);
  CHECK_GE(x.num_samples, ns);
  for (int64_t i = 0; i < x.num_samples; i++)
    CHECK_MSG(fabsf(x.data[i] - y.data[i]) <= 1e-6f, "sample %lld: %g vs %g", (long long)i, x.data[i], y.data[i]);
  audio_samples_free(&x);
  audio_samples_free(&y);
  free(rgb);
  free(tone);
}

/* (c) 2 video + 2 audio streams: 256x256 @ 10 fps 5 frames, 128x128 @ 25 fps 8 frames,
 * 44.1 kHz stereo, 16 kHz mono. */
typedef struct stream_spec {
  int video; /* 1 video, 0 audio */
  int w, h, n;
  double fps;
  int rate, channels;
  int64_t ns;
} stream_spec;

static void multi_stream(const char *path, const stream_spec *specs, int count) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_stream *streams[4];
  for (int i = 0; i < count; i++) {
    if (specs[i].video) {
      polyenc_video_config vc = video_cfg(specs[i].w, specs[i].h, specs[i].fps);
      streams[i] = add_video_ok(enc, &vc);
    } else {
      polyenc_audio_config ac = audio_cfg(specs[i].rate, specs[i].channels);
      streams[i] = add_audio_ok(enc, &ac);
    }
    CHECK_EQ_INT(polyenc_stream_index(streams[i]), i);
  }
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  for (int i = 0; i < count; i++) {
    if (specs[i].video) {
      uint8_t *rgb = pattern_frames(specs[i].w, specs[i].h, specs[i].n);
      add_rgb24_ok(enc, streams[i], rgb, specs[i].n, specs[i].w, specs[i].h);
      free(rgb);
    } else {
      float *tone = sine_planar(specs[i].channels, specs[i].ns, specs[i].rate, 330);
      add_samples_ok(enc, streams[i], tone, specs[i].channels, specs[i].ns);
      free(tone);
    }
  }
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);

  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  CHECK_EQ_INT(info.num_streams, count);
  for (int i = 0; i < count; i++) {
    const stream_info *s = &info.streams[i];
    if (specs[i].video) {
      expect_stream(&info, i, AVMEDIA_TYPE_VIDEO, "h264");
      CHECK_EQ_INT(s->width, specs[i].w);
      CHECK_EQ_INT(s->height, specs[i].h);
      video_frames v;
      CHECK_EQ_INT(media_decode_yuv(src_file(path), i, &v), 0);
      CHECK_MSG(v.num_frames == specs[i].n, "stream %d: %d decoded frames, expected %d", i, v.num_frames,
                specs[i].n);
      video_frames_free(&v);
    } else {
      expect_stream(&info, i, AVMEDIA_TYPE_AUDIO, "aac");
      CHECK_EQ_INT(s->sample_rate, specs[i].rate);
      CHECK_EQ_INT(s->channels, specs[i].channels);
      audio_samples a;
      CHECK_EQ_INT(media_decode_audio(src_file(path), i, &a), 0);
      CHECK_EQ_INT(a.channels, specs[i].channels);
      /* the input length, plus at most the padding of the last 1024-sample AAC frame; matroska
       * keeps the encoder's priming (1024) unless the muxer writes CodecDelay, so allow it too */
      CHECK_GE(a.num_samples, specs[i].ns);
      CHECK_MSG(a.num_samples <= specs[i].ns + 2048, "stream %d: %lld samples for %lld", i,
                (long long)a.num_samples, (long long)specs[i].ns);
      audio_samples_free(&a);
    }
  }
}

static const stream_spec k_tutorial_streams[4] = {
    {1, 256, 256, 5, 10, 0, 0, 0},
    {1, 128, 128, 8, 25, 0, 0, 0},
    {0, 0, 0, 0, 0, 44100, 2, 22050},
    {0, 0, 0, 0, 0, 16000, 1, 8000},
};

static void case_multi_stream_mkv(void) { multi_stream(tmp_path("multi.mkv"), k_tutorial_streams, 4); }
static void case_multi_stream_mp4(void) { multi_stream(tmp_path("multi.mp4"), k_tutorial_streams, 4); }

static void case_multi_stream_mixed_order(void) {
  const stream_spec specs[4] = {k_tutorial_streams[3], k_tutorial_streams[1], k_tutorial_streams[2],
                                k_tutorial_streams[0]};
  multi_stream(tmp_path("mixed.mkv"), specs, 4);
}

/* 29.97 is stored as 30000/1001: ffprobe shows r_frame_rate=30000/1001 and the per-frame
 * pts are the frame index in 1001/30000 units (as the stream's time base reports them). */
static void case_frame_rate_2997(void) {
  const int w = 64, h = 48, n = 12;
  uint8_t *rgb = pattern_frames(w, h, n);
  polyenc_video_config vc = video_cfg(w, h, 29.97);
  const char *path = tmp_path("ntsc.mp4");
  encode_video_file(path, NULL, &vc, rgb, n);
  char *probe = ffprobe("-select_streams v:0 -show_entries stream=r_frame_rate,avg_frame_rate,nb_frames "
                        "-of default=noprint_wrappers=1",
                        path);
  CHECK(probe);
  char buf[64];
  CHECK_STREQ(kv_get(probe, "r_frame_rate", 0, buf, sizeof buf), "30000/1001");
  CHECK_STREQ(kv_get(probe, "avg_frame_rate", 0, buf, sizeof buf), "30000/1001");
  CHECK_STREQ(kv_get(probe, "nb_frames", 0, buf, sizeof buf), "12");
  free(probe);
  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, n);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  AVRational tb = info.streams[0].time_base;
  for (int i = 1; i < n; i++) {
    /* consecutive frames are exactly 1001/30000 s apart */
    int64_t d = v.pts[i] - v.pts[i - 1];
    CHECK_MSG(d * tb.num * 30000LL == 1001LL * tb.den, "frame %d: pts step %lld in %d/%d", i, (long long)d,
              tb.num, tb.den);
  }
  video_frames_free(&v);
  free(rgb);
}

static void case_frame_rate_24_mkv(void) {
  const int w = 64, h = 48, n = 10;
  uint8_t *rgb = pattern_frames(w, h, n);
  polyenc_video_config vc = video_cfg(w, h, 24);
  const char *path = tmp_path("film.mkv");
  encode_video_file(path, NULL, &vc, rgb, n);
  char *probe = ffprobe("-select_streams v:0 -show_entries stream=r_frame_rate -of default=noprint_wrappers=1", path);
  CHECK(probe);
  char buf[64];
  CHECK_STREQ(kv_get(probe, "r_frame_rate", 0, buf, sizeof buf), "24/1");
  free(probe);
  video_frames v;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &v), 0);
  CHECK_EQ_INT(v.num_frames, n);
  video_frames_free(&v);
  free(rgb);
}

/* A stream given 0 frames (and empty chunks) still gives a valid file: close succeeds, the
 * file opens with libavformat and has no packets. FFmpeg's MP4 muxer leaves a track without
 * samples out of the moov (the ffmpeg CLI does the same), so the MP4 may list 0 streams;
 * Matroska keeps the track: 1 h264 stream of the configured size, 0 packets. A second stream
 * with data is unaffected. */
static void zero_frames(const char *name, int expect_tracks) {
  const int w = 64, h = 48;
  uint8_t pixel[3] = {1, 2, 3};
  const char *path = tmp_path(name);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(w, h, 30);
  polyenc_stream *v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames f = frames_of(pixel, POLYENC_RGB24, 0, w, h);
  CHECK_OK(enc, polyenc_add_frames(v, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  CHECK(file_exists(path));
  media_info info;
  if (!expect_tracks) {
    CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
    CHECK(info.num_streams <= 1);
    if (info.num_streams) CHECK_EQ_INT(media_count_packets(src_file(path), 0), 0);
  }
  /* (a Matroska file without any packet is not checked: FFmpeg 5.1's matroska demuxer cannot
   * open the one its muxer writes, the ffmpeg CLI's `-frames:v 0 out.mkv` included) */

  /* with an audio stream that has data */
  const char *path2 = tmp_path(!strcmp(name, "empty.mp4") ? "empty_av.mp4" : "empty_av.mkv");
  enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(48000, 1);
  v = add_video_ok(enc, &vc);
  polyenc_stream *a = add_audio_ok(enc, &ac);
  CHECK_OK(enc, polyenc_open_file(enc, path2, NULL));
  float *tone = sine_planar(1, 4800, 48000, 440);
  add_samples_ok(enc, a, tone, 1, 4800);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  free(tone);
  CHECK_EQ_INT(media_probe(src_file(path2), &info), 0);
  int ai = info.num_streams - 1;
  CHECK_EQ_INT(info.num_streams, expect_tracks ? 2 : info.num_streams);
  expect_stream(&info, ai, AVMEDIA_TYPE_AUDIO, "aac");
  if (expect_tracks) {
    expect_stream(&info, 0, AVMEDIA_TYPE_VIDEO, "h264");
    CHECK_EQ_INT(info.streams[0].width, w);
    CHECK_EQ_INT(info.streams[0].height, h);
    CHECK_EQ_INT(media_count_packets(src_file(path2), 0), 0);
  }
  audio_samples as;
  CHECK_EQ_INT(media_decode_audio(src_file(path2), ai, &as), 0);
  CHECK_GE(as.num_samples, 4800);
  audio_samples_free(&as);
}

static void case_zero_frames_stream_mp4(void) { zero_frames("empty.mp4", 0); }
static void case_zero_frames_stream_mkv(void) { zero_frames("empty.mkv", 1); }

/* Frames and samples interleaved one at a time, in any order and chunk size. */
static void case_interleaved_feeding(void) {
  const int w = 64, h = 48, n = 20, rate = 48000;
  uint8_t *rgb = pattern_frames(w, h, n);
  const int64_t ns = rate * n / 20; /* 20 fps: 1 s */
  float *tone = sine_planar(2, ns, rate, 440);
  const char *path = tmp_path("interleaved.mkv");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(rate, 2);
  polyenc_video_config vc = video_cfg(w, h, 20);
  polyenc_stream *a = add_audio_ok(enc, &ac);
  polyenc_stream *v = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  float *inter = to_interleaved(tone, 2, ns);
  int64_t pos = 0;
  for (int i = 0; i < n; i++) {
    add_rgb24_ok(enc, v, rgb + (size_t)w * h * 3 * i, 1, w, h);
    int64_t len = i == n - 1 ? ns - pos : 1000 + 777 * (i % 3);
    CHECK_OK(enc, polyenc_add_samples(a, inter + pos * 2, POLYENC_SAMPLES_INTERLEAVED, 2, len));
    pos += len;
  }
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  expect_stream(&info, 0, AVMEDIA_TYPE_AUDIO, "aac");
  expect_stream(&info, 1, AVMEDIA_TYPE_VIDEO, "h264");
  video_frames vf;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 1, &vf), 0);
  CHECK_EQ_INT(vf.num_frames, n);
  video_frames_free(&vf);
  audio_samples as;
  CHECK_EQ_INT(media_decode_audio(src_file(path), 0, &as), 0);
  CHECK_GE(as.num_samples, ns);
  CHECK(as.num_samples <= ns + 2048);
  audio_samples_free(&as);
  free(inter);
  free(tone);
  free(rgb);
}
