/* Shortcuts to encode with polyenc inside tests; every failure ends the test with the
 * status and polyenc_last_error(). */
#ifndef POLYENC_TESTS_HELPERS_H
#define POLYENC_TESTS_HELPERS_H

#include "check.h"
#include "media.h"

/* A video config with width, height and rate set, everything else at its init value. */
polyenc_video_config video_cfg(int w, int h, double rate);
/* video_cfg with codec, yuv420p10le and HDR10's tags: bt2020 colour space and primaries, smpte2084 (PQ). */
polyenc_video_config pq_video_cfg(int w, int h, double rate, const char *codec);
/* For tests that compare two encodes made in one process: libx264 0.164's MB-tree reads memory it
 * never wrote, so a second encode in the same process can differ by a few bytes from the first
 * (PyAV shows the same). Without MB-tree libx264 is bit-exact run to run. */
extern const char *const repeatable_x264[];
polyenc_audio_config audio_cfg(int rate, int channels);
polyenc_stream *add_video_ok(polyenc_encoder *enc, const polyenc_video_config *cfg);
polyenc_stream *add_audio_ok(polyenc_encoder *enc, const polyenc_audio_config *cfg);
/* n contiguous frames of a layout. */
polyenc_frames frames_of(const void *data, polyenc_layout layout, int n, int w, int h);
void add_rgb24_ok(polyenc_encoder *enc, polyenc_stream *s, const uint8_t *rgb, int n, int w, int h);
void add_samples_ok(polyenc_encoder *enc, polyenc_stream *s, const float *planar, int channels, int64_t n);
/* One video stream, n RGB24 frames, into path (format may be NULL). */
void encode_video_file(const char *path, const char *format, const polyenc_video_config *cfg,
                       const uint8_t *rgb, int n);
/* Stream `index` of info has this type and codec name (e.g. "h264"), or the test fails. */
void expect_stream(const media_info *info, int index, enum AVMediaType type, const char *codec);

/* The first video stream of path has the display matrix of `rotation` degrees clockwise, which FFmpeg 5.1's
 * ffprobe shows as `shown` ("-90" for 90), or none at all when shown is NULL; else the test fails. */
void expect_rotation(const char *path, int rotation, const char *shown);

/* The last message names `param` (exact spelling) and `value` (case-insensitive; NULL: none), or the test fails. */
void expect_message(polyenc_encoder *enc, const char *param, const char *value);
/* A valid 64x48 video stream can still be added to enc, opened (tmp_path(name)), fed, closed and decoded. */
void expect_usable(polyenc_encoder *enc, const char *name);

/* A growing buffer in memory behind polyenc_writer callbacks. Start it zeroed ({0}); data holds
 * size bytes, pos is where the next write goes. */
typedef struct mem_writer {
  uint8_t *data;
  size_t size, cap, pos;
} mem_writer;
/* Writes at pos and moves it on; a gap left by a seek past the end reads as zeros. 0, or -1 when
 * out of memory. */
int mem_writer_write(void *opaque, const uint8_t *data, size_t size);
/* SEEK_SET / SEEK_CUR / SEEK_END: the new position, or -1 before the start or for another whence. */
int64_t mem_writer_seek(void *opaque, int64_t offset, int whence);
/* Callbacks into m; without seek when !seekable (a writer without seek: fragmented MP4 / MOV). */
polyenc_writer mem_writer_api(mem_writer *m, int seekable);
/* Releases the bytes and zeroes m. */
void mem_writer_free(mem_writer *m);

#endif
