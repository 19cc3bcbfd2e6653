/* Test helpers: read media back with FFmpeg's own demuxers and decoders
 * (libavformat / libavcodec / libswscale), generate test media, run the
 * ffmpeg / ffprobe command line tools. */
#ifndef POLYENC_TESTS_MEDIA_H
#define POLYENC_TESTS_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include <libavformat/avformat.h>

/* ---- where the media comes from: a file or a memory buffer ---- */
typedef struct media_src {
  const char *path;    /* or NULL and data/size */
  const uint8_t *data;
  size_t size;
} media_src;
media_src src_file(const char *path);
media_src src_mem(const uint8_t *data, size_t size);

typedef struct stream_info {
  enum AVMediaType type;
  char codec[32];
  int width, height, format; /* format: AVPixelFormat / AVSampleFormat */
  int sample_rate, channels;
  AVRational time_base, r_frame_rate;
  int64_t duration, nb_frames; /* in time_base, as the demuxer reports (AV_NOPTS_VALUE / 0 if unknown) */
  enum AVColorSpace color_space;
  enum AVColorRange color_range;
} stream_info;

typedef struct media_info {
  char format_name[64]; /* the demuxer's name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" */
  int num_streams;
  stream_info streams[16];
  double duration_s;    /* the container's duration in seconds, -1 if unknown */
} media_info;
/* 0 on success; prints FFmpeg's error otherwise. */
int media_probe(media_src src, media_info *out);

/* When set, a read error of the demuxer ends the stream like EOF (for truncated files). */
extern int media_allow_truncated;
/* When set, inputs are opened with fflags +ignidx: the demuxer reads the file front to back as a
 * stream reader does (FFmpeg 5.1's mov demuxer otherwise reads every top-level box of a fragmented
 * MP4 while opening it, and fails on one cut short). */
extern int media_ignore_index;

/* ---- decoded video ---- */
typedef struct video_frames {
  int width, height, num_frames;
  int format;           /* the decoder's pixel format (for yuv) */
  size_t frame_size;    /* bytes per frame in data */
  uint8_t *data;        /* num_frames * frame_size: RGB24 packed, or the planes Y, U, V packed */
  int64_t *pts;         /* per frame, in the stream's time base (best effort pts) */
} video_frames;
/* Decodes every frame of stream index `stream` and converts it to RGB24 with
 * swscale using the given matrix ("bt601", "bt709", "bt2020") and range of the
 * YUV input (full_range 0: tv, 1: pc). */
int media_decode_rgb(media_src src, int stream, const char *matrix, int full_range, video_frames *out);
/* Decodes every frame and copies the decoded planes as they are (8-bit planar formats only). */
int media_decode_yuv(media_src src, int stream, video_frames *out);
void video_frames_free(video_frames *v);

/* ---- decoded audio ---- */
typedef struct audio_samples {
  int sample_rate, channels;
  int64_t num_samples; /* per channel, after the decoder applied the demuxer's skip / trim side data */
  float *data;         /* planar: channel c at data + c * num_samples */
} audio_samples;
int media_decode_audio(media_src src, int stream, audio_samples *out);
void audio_samples_free(audio_samples *a);

/* Number of packets of a stream. */
int64_t media_count_packets(media_src src, int stream);

/* ---- numbers ---- */
double psnr_u8(const uint8_t *a, const uint8_t *b, size_t n);
/* Fraction of values with |a - b| <= tol. */
double fraction_within(const uint8_t *a, const uint8_t *b, size_t n, int tol);
double mean_abs_diff(const uint8_t *a, const uint8_t *b, size_t n);

/* ---- generated media ---- */
/* A smooth moving pattern (gradients + soft bars), frame t, RGB24 packed, W*H*3. */
void pattern_rgb24(uint8_t *dst, int w, int h, int t);
/* Saturated colour bars (good to see a matrix change), RGB24 packed. */
void bars_rgb24(uint8_t *dst, int w, int h, int t);
/* Uniform random bytes from a fixed seed. */
void random_bytes(uint8_t *dst, size_t n, uint32_t seed);
/* n frames of pattern_rgb24 / bars_rgb24 (malloc'ed, N*H*W*3). */
uint8_t *pattern_frames(int w, int h, int n);
uint8_t *bars_frames(int w, int h, int n);
/* Sine tone, planar C x N, channel c at freq * (c + 1), amplitude 0.5. */
float *sine_planar(int channels, int64_t n, int rate, double freq);
/* Interleaves / de-interleaves float samples. */
float *to_interleaved(const float *planar, int channels, int64_t n);
/* RGB24 packed -> 4:2:0 planes (BT.601 tv range), contiguous Y,U,V per frame. */
void rgb24_to_yuv420p(const uint8_t *rgb, int w, int h, uint8_t *yuv);

/* ---- files and processes (files.c) ---- */
int write_file(const char *path, const void *data, size_t size);
uint8_t *read_file(const char *path, size_t *size);
int file_exists(const char *path);
/* Runs `cmd` through /bin/sh, captures stdout (NUL terminated, malloc'ed) and returns
 * the exit status (or -1). stderr goes to the test's stderr unless the command redirects it. */
int run_capture(const char *cmd, char **out);
/* The ffmpeg / ffprobe paths (env POLYENC_TEST_FFMPEG / POLYENC_TEST_FFPROBE, else PATH);
 * SKIP()s the case when the tool is missing. */
const char *ffmpeg_path(void);
const char *ffprobe_path(void);
/* ffprobe -v error <args> 'path' -> stdout (malloc'ed), or NULL and a message on failure. */
char *ffprobe(const char *args, const char *path);
/* The value of `key=` on the n-th line starting with it in ffprobe's default output; NULL if absent. */
const char *kv_get(const char *text, const char *key, int n, char *buf, size_t size);

#endif
