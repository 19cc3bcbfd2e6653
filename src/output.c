/* The three outputs as one AVIOContext: a file, the caller's writer callbacks, or a growing
 * memory buffer. All three go through the same 64 KiB buffer and callbacks, so the same input
 * gives the same bytes. A failed write or seek is remembered: it ends the encoding. */
#define _POSIX_C_SOURCE 200809L /* fseeko, ftello */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libavutil/mem.h>

#include "internal.h"

enum { AVIO_BUFFER_SIZE = 64 * 1024 };

typedef enum sink_kind { SINK_FILE, SINK_WRITER, SINK_MEMORY } sink_kind;

struct output_sink {
  sink_kind kind;
  AVIOContext *avio;
  int failed;
  int refusing; /* pe_sink_refuse: every write and seek fails without reaching the output */
  char failure[256];
  int64_t at, extent; /* SINK_FILE, SINK_WRITER: where the next write goes, the end of the furthest one */
  /* SINK_FILE */
  FILE *file;
  char *path;
  int regular; /* a regular file: removed when the encoding fails (never a device, a pipe, ...) */
  /* SINK_WRITER */
  polyenc_writer writer;
  /* SINK_MEMORY */
  uint8_t *bytes;
  size_t size, capacity, pos;
};

static int fail(output_sink *sink, const char *format, const char *detail) {
  if (!sink->failed) {
    sink->failed = 1;
    snprintf(sink->failure, sizeof sink->failure, format, detail);
  }
  return AVERROR(EIO);
}

/* Once a write or seek failed, the caller's file or callbacks are not touched again: FFmpeg's
 * I/O layer would otherwise still seek after a failed write, and write after a failed seek. */
static int closed(const output_sink *sink) { return sink->failed || sink->refusing; }

/* Counts size bytes written at pos: the output's size is the end of the furthest write (polyenc_get_stats). */
static int advance(output_sink *sink, int size) {
  sink->at += size;
  if (sink->at > sink->extent) sink->extent = sink->at;
  return size;
}

static int file_write(void *opaque, uint8_t *data, int size) {
  output_sink *sink = opaque;
  if (closed(sink)) return AVERROR(EIO);
  if (fwrite(data, 1, (size_t)size, sink->file) != (size_t)size) return fail(sink, "writing the file failed: %s", strerror(errno));
  return advance(sink, size);
}

static int64_t file_seek(void *opaque, int64_t offset, int whence) {
  output_sink *sink = opaque;
  if (whence & AVSEEK_SIZE) return AVERROR(ENOSYS);
  if (closed(sink)) return AVERROR(EIO);
  if (fseeko(sink->file, (off_t)offset, whence & ~AVSEEK_FORCE) < 0) return fail(sink, "seeking in the file failed: %s", strerror(errno));
  return sink->at = ftello(sink->file);
}

static int writer_write(void *opaque, uint8_t *data, int size) {
  output_sink *sink = opaque;
  if (closed(sink)) return AVERROR(EIO);
  if (sink->writer.write(sink->writer.opaque, data, (size_t)size) < 0) return fail(sink, "%s", "the writer's write callback failed");
  return advance(sink, size);
}

static int64_t writer_seek(void *opaque, int64_t offset, int whence) {
  output_sink *sink = opaque;
  if (whence & AVSEEK_SIZE) return AVERROR(ENOSYS);
  if (closed(sink)) return AVERROR(EIO);
  int64_t pos = sink->writer.seek(sink->writer.opaque, offset, whence & ~AVSEEK_FORCE);
  if (pos < 0) return fail(sink, "%s", "the writer's seek callback failed");
  return sink->at = pos;
}

static int memory_write(void *opaque, uint8_t *data, int size) {
  output_sink *sink = opaque;
  if (closed(sink)) return AVERROR(EIO);
  size_t end = sink->pos + (size_t)size; /* pos <= size: memory_seek stays inside the bytes written */
  if (end > sink->capacity) {
    size_t capacity = sink->capacity ? sink->capacity : AVIO_BUFFER_SIZE;
    while (capacity < end && capacity <= SIZE_MAX / 2) capacity *= 2;
    if (capacity < end) return fail(sink, "%s", "the memory output would outgrow the address space");
    uint8_t *bytes = av_realloc(sink->bytes, capacity);
    if (!bytes) return fail(sink, "%s", "out of memory growing the memory output");
    sink->bytes = bytes;
    sink->capacity = capacity;
  }
  memcpy(sink->bytes + sink->pos, data, (size_t)size);
  sink->pos = end;
  if (end > sink->size) sink->size = end;
  return size;
}

static int64_t memory_seek(void *opaque, int64_t offset, int whence) {
  output_sink *sink = opaque;
  if (whence & AVSEEK_SIZE) return (int64_t)sink->size;
  int64_t base = 0;
  switch (whence & ~AVSEEK_FORCE) {
  case SEEK_SET: base = 0; break;
  case SEEK_CUR: base = (int64_t)sink->pos; break;
  case SEEK_END: base = (int64_t)sink->size; break;
  default: return AVERROR(EINVAL);
  }
  if (closed(sink)) return AVERROR(EIO);
  if (offset < -base || offset > (int64_t)sink->size - base)
    return fail(sink, "%s", "a seek outside the bytes written so far in the memory output");
  sink->pos = (size_t)(base + offset);
  return base + offset;
}

static polyenc_status sink_new(polyenc_encoder *enc, sink_kind kind, output_sink **out) {
  output_sink *sink = av_mallocz(sizeof *sink);
  if (!sink) return pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory creating the output");
  sink->kind = kind;
  *out = sink;
  return POLYENC_OK;
}

static polyenc_status sink_attach_avio(polyenc_encoder *enc, output_sink *sink, int (*write)(void *, uint8_t *, int),
                                       int64_t (*seek)(void *, int64_t, int)) {
  uint8_t *buffer = av_malloc(AVIO_BUFFER_SIZE);
  if (buffer) sink->avio = avio_alloc_context(buffer, AVIO_BUFFER_SIZE, 1, sink, NULL, write, seek);
  if (!sink->avio) {
    av_free(buffer);
    pe_sink_free(sink);
    return pe_set_error(enc, POLYENC_ERR_NOMEM, "out of memory creating the output");
  }
  if (!seek) sink->avio->seekable = 0;
  return POLYENC_OK;
}

polyenc_status pe_sink_open_file(polyenc_encoder *enc, const char *path, output_sink **out) {
  output_sink *sink = NULL;
  polyenc_status st = sink_new(enc, SINK_FILE, &sink);
  if (st) return st;
  sink->path = av_strdup(path);
  sink->file = sink->path ? fopen(path, "wb") : NULL;
  if (!sink->file) {
    int err = errno;
    pe_sink_free(sink);
    return pe_set_error(enc, POLYENC_ERR_IO, "cannot open path '%s' for writing: %s", path, strerror(err));
  }
  struct stat info;
  sink->regular = fstat(fileno(sink->file), &info) == 0 && S_ISREG(info.st_mode);
  setvbuf(sink->file, NULL, _IONBF, 0); /* AVIO buffers already; a re-open for reading (faststart) sees every byte */
  if ((st = sink_attach_avio(enc, sink, file_write, file_seek))) return st;
  *out = sink;
  return POLYENC_OK;
}

polyenc_status pe_sink_open_writer(polyenc_encoder *enc, const polyenc_writer *w, output_sink **out) {
  output_sink *sink = NULL;
  polyenc_status st = sink_new(enc, SINK_WRITER, &sink);
  if (st) return st;
  sink->writer = *w;
  if ((st = sink_attach_avio(enc, sink, writer_write, w->seek ? writer_seek : NULL))) return st;
  *out = sink;
  return POLYENC_OK;
}

polyenc_status pe_sink_open_memory(polyenc_encoder *enc, output_sink **out) {
  output_sink *sink = NULL;
  polyenc_status st = sink_new(enc, SINK_MEMORY, &sink);
  if (st) return st;
  if ((st = sink_attach_avio(enc, sink, memory_write, memory_seek))) return st;
  *out = sink;
  return POLYENC_OK;
}

AVIOContext *pe_sink_avio(output_sink *sink) { return sink->avio; }
const char *pe_sink_path(const output_sink *sink) { return sink->path; }
int pe_sink_seekable(const output_sink *sink) { return sink->avio->seekable != 0; }
int pe_sink_failed(const output_sink *sink) { return sink->failed; }
void pe_sink_refuse(output_sink *sink) { sink->refusing = 1; }
const char *pe_sink_failure(const output_sink *sink) { return sink->failure; }
int pe_sink_is_memory(const output_sink *sink) { return sink && sink->kind == SINK_MEMORY; }
int64_t pe_sink_bytes(const output_sink *sink) {
  return !sink ? 0 : sink->kind == SINK_MEMORY ? (int64_t)sink->size : sink->extent;
}

void pe_sink_memory(const output_sink *sink, const uint8_t **data, size_t *size) {
  *data = sink->bytes;
  *size = sink->size;
}

polyenc_status pe_sink_finish(polyenc_encoder *enc, output_sink *sink, int success) {
  polyenc_status st = POLYENC_OK;
  if (sink->avio) avio_flush(sink->avio);
  if (success && sink->failed) st = pe_set_error(enc, POLYENC_ERR_IO, "%s", sink->failure);
  if (sink->file) {
    if (fclose(sink->file) != 0 && success && !st)
      st = pe_set_error(enc, POLYENC_ERR_IO, "closing '%s' failed: %s", sink->path, strerror(errno));
    sink->file = NULL;
    if ((!success || st) && sink->regular) remove(sink->path); /* never leave a half-written file looking valid */
  }
  return st;
}

void pe_sink_free(output_sink *sink) {
  if (!sink) return;
  if (sink->file) {
    fclose(sink->file);
    if (sink->regular) remove(sink->path);
  }
  if (sink->avio) av_freep(&sink->avio->buffer);
  avio_context_free(&sink->avio);
  av_free(sink->path);
  av_free(sink->bytes);
  av_free(sink);
}
