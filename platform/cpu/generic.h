/* The generic path shared by the host (platform/cpu/convert.c) and the WebAssembly
 * (platform/wasm/convert.c) converters: gather any strides into a contiguous, padded frame, then
 * swscale for every matrix, range and pixel format the fast paths do not cover. */
#ifndef POLYENC_GENERIC_H
#define POLYENC_GENERIC_H

#include "platform.h"

enum { NUM_LAYOUTS = POLYENC_YUV420P + 1 };

typedef struct generic_path {
  struct SwsContext *sws[NUM_LAYOUTS]; /* made on first use of each source layout */
  uint8_t *scratch;                    /* the contiguous, padded copy of the source */
  size_t scratch_size;
} generic_path;

void pe_generic_path_free(generic_path *g);

int pe_layout_bytes_per_pixel(polyenc_layout layout);
int pe_layout_is_packed(polyenc_layout layout);

/* *buf grown to at least size bytes (contents not kept); NULL when out of memory. */
uint8_t *pe_grow_buffer(uint8_t **buf, size_t *buf_size, size_t size);

/* Copies src into g's scratch, contiguous and padded: what swscale gets, and what a fast path gets
 * when the caller's strides are not rows of packed pixels. */
int pe_generic_gather(generic_path *g, const source_frame *src, source_frame *dense);

/* src (contiguous, from pe_generic_gather) -> dst with swscale, as conv says. */
int pe_generic_swscale(generic_path *g, const conversion *conv, const source_frame *src, AVFrame *dst);

/* yuv420p with positive strides -> a yuv420p frame, plane by plane. */
int pe_copy_yuv420p(const source_frame *src, AVFrame *dst);

#endif
