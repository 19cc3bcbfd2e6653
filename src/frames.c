/* The caller's frames in memory: the per-frame strides of each layout (filled in for contiguous input)
 * and the bytes one call reads, computed with overflow checks before anything is read. */
#include <string.h>

#include "internal.h"
#include "platform.h"
#include "cpu/generic.h"

void pe_frames_strides(const polyenc_frames *f, int64_t *frame_stride, int64_t strides[3]) {
  const int64_t *given = f->strides;
  int w = f->width, h = f->height;
  if (given[0] || given[1] || given[2] || given[3]) {
    *frame_stride = given[0];
    memcpy(strides, given + 1, 3 * sizeof *strides);
    return;
  }
  int64_t plane = (int64_t)w * h, sample = pe_layout_sample_size(f->layout), bpp = pe_layout_bytes_per_pixel(f->layout);
  if (f->layout == POLYENC_YUV420P) {
    int64_t cw = (w + 1) / 2, ch = (h + 1) / 2;
    *frame_stride = plane + 2 * cw * ch, strides[0] = w, strides[1] = cw, strides[2] = 0;
  } else if (pe_layout_is_packed(f->layout)) { /* {row, pixel, channel} */
    *frame_stride = bpp * plane, strides[0] = bpp * w, strides[1] = bpp, strides[2] = sample;
  } else { /* planar RGB: {channel, row, pixel} */
    *frame_stride = 3 * sample * plane, strides[0] = sample * plane, strides[1] = sample * w, strides[2] = sample;
  }
}

/* *span += |stride| * steps; 0 on overflow. */
static int add_steps(int64_t *span, int64_t stride, int64_t steps) {
  int64_t term;
  if (stride == INT64_MIN || __builtin_mul_overflow(stride < 0 ? -stride : stride, steps, &term)) return 0;
  return !__builtin_add_overflow(*span, term, span);
}

/* The distance in bytes from the lowest to the highest byte one frame reads, plus one. */
static int frame_span(const source_frame *f, int64_t *span) {
  const int64_t *st = f->strides;
  int64_t w = f->width, h = f->height;
  *span = 1;
  int64_t sample = pe_layout_sample_size(f->layout);
  if (f->layout == POLYENC_YUV420P) /* Y rows, then U and V rows of ceil(w/2) bytes */
    return add_steps(span, st[0], h) && add_steps(span, st[1], 2 * ((h + 1) / 2)) && add_steps(span, 1, w);
  if (pe_layout_is_planar_rgb(f->layout)) /* the last value's own bytes too */
    return add_steps(span, st[0], 2) && add_steps(span, st[1], h - 1) && add_steps(span, st[2], w - 1) &&
           add_steps(span, 1, sample - 1);
  return add_steps(span, st[0], h - 1) && add_steps(span, st[1], w - 1) &&
         add_steps(span, st[2], pe_layout_bytes_per_pixel(f->layout) / sample - 1) && add_steps(span, 1, sample - 1);
}

polyenc_status pe_frames_check_extent(polyenc_stream *s, const source_frame *first, int n, int64_t frame_stride) {
  int64_t span;
  if (!frame_span(first, &span) || !add_steps(&span, frame_stride, (int64_t)n - 1) || span > PTRDIFF_MAX)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                        "strides {%lld, %lld, %lld, %lld} with num_frames %d address more bytes than memory holds "
                        "(the byte count overflows)",
                        (long long)frame_stride, (long long)first->strides[0], (long long)first->strides[1],
                        (long long)first->strides[2], n);
  return POLYENC_OK;
}
