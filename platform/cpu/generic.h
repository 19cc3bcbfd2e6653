/* The generic path shared by the host (platform/cpu/convert.c) and the WebAssembly
 * (platform/wasm/convert.c) converters: gather any strides into a contiguous, padded frame, then
 * swscale for every matrix, range and pixel format the fast paths do not cover. */
#ifndef POLYENC_GENERIC_H
#define POLYENC_GENERIC_H

#include "platform.h"

enum { NUM_LAYOUTS = POLYENC_RGB_PLANAR_F32 + 1 };

typedef struct generic_path {
  struct SwsContext *sws[NUM_LAYOUTS]; /* made on first use of each source layout */
  uint8_t *scratch;                    /* the contiguous, padded copy of the source */
  size_t scratch_size;
} generic_path;

void pe_generic_path_free(generic_path *g);

/* Bytes of one value (a channel of a pixel): 1, 2 (RGB48, RGBA64, RGB_PLANAR16) or 4 (RGB_PLANAR_F32). */
int pe_layout_sample_size(polyenc_layout layout);
/* Packed layouts: bytes of one contiguous pixel (channels x sample size); planar ones: the sample size. */
int pe_layout_bytes_per_pixel(polyenc_layout layout);
/* RGB24, RGBA, BGRA, RGB48, RGBA64: channels interleaved in a pixel. */
int pe_layout_is_packed(polyenc_layout layout);
/* RGB_PLANAR, RGB_PLANAR16, RGB_PLANAR_F32: a plane per channel, R, G, B. */
int pe_layout_is_planar_rgb(polyenc_layout layout);

/* *buf grown to at least size bytes (contents not kept); NULL when out of memory. */
uint8_t *pe_grow_buffer(uint8_t **buf, size_t *buf_size, size_t size);

/* Copies src into g's scratch, contiguous and padded: what swscale gets, and what a fast path gets
 * when the caller's strides are not rows of packed pixels. */
int pe_generic_gather(generic_path *g, const source_frame *src, source_frame *dense);

/* src (contiguous, from pe_generic_gather) -> dst with swscale, as conv says. RGBA / BGRA / RGBA64 keep their
 * alpha when conv's format has alpha (yuva420p, argb, rgba, ...); RGB_PLANAR_F32 is not taken here. */
int pe_generic_swscale(generic_path *g, const conversion *conv, const source_frame *src, AVFrame *dst);

/* yuv420p with positive strides -> a yuv420p frame, plane by plane. */
int pe_copy_yuv420p(const source_frame *src, AVFrame *dst);

#endif
