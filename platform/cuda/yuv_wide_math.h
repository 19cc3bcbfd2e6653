/* The arithmetic of the CUDA kernels for the deep layouts (RGB48, RGBA64, RGB_PLANAR16, RGB_PLANAR_F32) and
 * for any layout into a 10-bit format, written once for nvcc and for any C compiler.
 *
 * kernels.cu runs pe_wide_convert_block() on the GPU, one thread per 2x2 block of pixels, and
 * pe_find_nan_at() one thread per column, row and channel (through every frame); the plain C loops below
 * (pe_wide_convert_frame_host, pe_find_nan_host) are the CPU emulation the tests compare with the CPU path
 * (platform/cpu/wide.c).
 *
 * The arithmetic is platform/cpu/wide.h's, in float32 with the same coefficients (computed in double,
 * then rounded to float, by the same expressions) and the same order of operations as its AVX2 + FMA
 * kernel, so the two give the same codes:
 *   E = the sample in [0, 1]: uint8 / 255, uint16 / 65535 (the unit folded into the coefficients), or the
 *       float clamped to [0, 1] (NaN: 0; the caller's NaNs are found first, by pe_find_nan_at)
 *   code = trunc(min(fma(k0, R, fma(k1, G, fma(k2, B, offset + 0.5))), 2^n - 1))
 *   tv: Y = 2^(n-8) (16 + 219 Y'), Cb/Cr = 2^(n-8) (128 + 224 P); pc: Y = (2^n - 1) Y', Cb/Cr = 2^(n-1) +
 *   (2^n - 1) P; 4:2:0 chroma from the sum of the 2x2 block, (row 0 + row 1) of column 0 plus that of
 *   column 1 (at an odd right or bottom edge the last column or row counts twice: the mean of the pixels
 *   that exist), its coefficients a quarter of the 4:4:4 ones. Each value rounded once, no 8-bit step.
 * Outputs: 8-bit planes (NV12, YUV420P, YUV444P) or 16-bit little-endian ones holding n = 10 bits,
 * in the low bits (yuv420p10le, yuv444p10le) or the high ones (p010le, yuv444p16le: code << 6).
 *
 * Fixed-width members only, 8-byte ones first: the argument structs are passed by value to the kernels. */
#ifndef POLYENC_CUDA_YUV_WIDE_MATH_H
#define POLYENC_CUDA_YUV_WIDE_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "yuv_math.h"

/* Source layouts beyond yuv_math.h's: the values of polyenc_layout. */
enum { PE_DEEP_RGB48 = 5, PE_DEEP_RGBA64 = 6, PE_DEEP_PLANAR16 = 7, PE_DEEP_PLANAR_F32 = 8 };
/* Destination formats beyond yuv_math.h's PE_NV12, PE_YUV420P, PE_YUV444P. */
enum { PE_P010 = 3, PE_YUV420P10 = 4, PE_YUV444P10 = 5, PE_YUV444P16 = 6 };

typedef struct pe_wide_args {
  uint64_t src;        /* address of the frame's first byte */
  int64_t stride[3];   /* bytes; planar {channel, row, pixel}; packed {row, pixel, channel} */
  uint64_t dst[3];     /* planes: Y, U (NV12 / P010: UV interleaved), V */
  int64_t pitch[3];    /* bytes per row of each plane */
  float ky[3], ku[3], kv[3]; /* per unit of a source sample; 4:2:0 chroma: per unit of the 2x2 sum */
  float y_off, c_off;  /* the offsets + 0.5: rounding is truncation */
  float max;           /* 2^n - 1 */
  int32_t layout, format, width, height;
  int32_t depth;       /* n: 8 or 10 */
  int32_t sub;         /* 1: 4:2:0, 0: 4:4:4 */
  int32_t nv;          /* chroma as one interleaved U, V plane (NV12, P010) */
  int32_t shift;       /* 6: the code in the high bits of 16 (P010, YUV444P16), else 0 */
  int32_t sample;      /* bytes per source sample: 1 (uint8), 2 (uint16) or 4 (float) */
  int32_t pad_;        /* keeps sizeof a multiple of 8 on every compiler */
} pe_wide_args;

PE_HD int pe_is_planar_layout(int layout) {
  return layout == PE_RGB_PLANAR || layout == PE_DEEP_PLANAR16 || layout == PE_DEEP_PLANAR_F32;
}

/* Bytes per sample of a layout. */
PE_HD int pe_layout_sample_size(int layout) {
  return layout == PE_DEEP_PLANAR_F32 ? 4 : layout >= PE_DEEP_RGB48 ? 2 : 1;
}

#ifndef __CUDACC__
/* Fills everything but src, stride, dst and pitch: the coefficients of a matrix and range for a layout
 * into a format, as platform/cpu/wide.c's make_params computes them. */
static inline void pe_wide_make_args(int layout, int format, int matrix, int full, pe_wide_args *a) {
  double kr = 0.299, kb = 0.114; /* BT.601 */
  if (matrix == PE_BT709) kr = 0.2126, kb = 0.0722;
  if (matrix == PE_BT2020) kr = 0.2627, kb = 0.0593;
  int depth = format <= PE_YUV444P ? 8 : 10;
  int sub = format != PE_YUV444P && format != PE_YUV444P10 && format != PE_YUV444P16;
  int sample = pe_layout_sample_size(layout), is_float = sample == 4;
  double kg = 1.0 - kr - kb, top = (double)((1 << depth) - 1);
  double unit = is_float ? 1.0 : sample == 2 ? 1.0 / 65535.0 : 1.0 / 255.0, q = (double)(1 << (depth - 8));
  double ys = full ? top : 219 * q, cs = full ? top : 224 * q;
  double yo = full ? 0 : 16 * q, co = full ? (double)(1 << (depth - 1)) : 128 * q;
  double csum = cs * unit * (sub ? 0.25 : 1.0);
  const double ky[3] = {kr, kg, kb};
  const double ku[3] = {-kr / (2 * (1 - kb)), -kg / (2 * (1 - kb)), 0.5};
  const double kv[3] = {0.5, -kg / (2 * (1 - kr)), -kb / (2 * (1 - kr))};
  for (int c = 0; c < 3; c++) {
    a->ky[c] = (float)(ky[c] * ys * unit);
    a->ku[c] = (float)(ku[c] * csum);
    a->kv[c] = (float)(kv[c] * csum);
  }
  a->y_off = (float)(yo + 0.5), a->c_off = (float)(co + 0.5), a->max = (float)top;
  a->layout = layout, a->format = format, a->depth = depth, a->sub = sub, a->sample = sample;
  a->nv = format == PE_NV12 || format == PE_P010;
  a->shift = format == PE_P010 || format == PE_YUV444P16 ? 6 : 0;
}
#endif

/* A float32 at p, any alignment. */
PE_HD float pe_load_f32(const uint8_t *p) {
#ifdef __CUDA_ARCH__
  if (!((uintptr_t)p & 3)) return *(const float *)p;
  return __int_as_float((int)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24));
#else
  float v;
  memcpy(&v, p, sizeof v);
  return v;
#endif
}

/* One sample as float: uint8 and uint16 as they are, float clamped to [0, 1] (NaN: 0). Any alignment. */
PE_HD float pe_wide_load_sample(const uint8_t *p, int sample) {
  if (sample == 1) return (float)p[0];
  if (sample == 2) {
#ifdef __CUDA_ARCH__
    return (float)(((uintptr_t)p & 1) ? (uint16_t)(p[0] | p[1] << 8) : *(const uint16_t *)p);
#else
    uint16_t u;
    memcpy(&u, p, sizeof u);
    return (float)u;
#endif
  }
  float v = pe_load_f32(p);
  return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;
}

/* The R, G, B of pixel (x, y). */
PE_HD void pe_wide_load_rgb(const pe_wide_args *a, int x, int y, float rgb[3]) {
  const uint8_t *p = (const uint8_t *)(uintptr_t)a->src;
  if (pe_is_planar_layout(a->layout)) {
    const uint8_t *q = p + y * a->stride[1] + x * a->stride[2];
    for (int c = 0; c < 3; c++) rgb[c] = pe_wide_load_sample(q + c * a->stride[0], a->sample);
    return;
  }
  const uint8_t *q = p + y * a->stride[0] + x * a->stride[1];
  for (int c = 0; c < 3; c++) {
    int from = a->layout == PE_BGRA ? 2 - c : c;
    rgb[c] = pe_wide_load_sample(q + from * a->stride[2], a->sample);
  }
}

/* off + k . rgb, by FMA, innermost the blue term. */
PE_HD float pe_wide_dot(const float k[3], float off, const float rgb[3]) {
  return fmaf(k[0], rgb[0], fmaf(k[1], rgb[1], fmaf(k[2], rgb[2], off)));
}

/* Sample i of row `row` of a plane: the value clipped to max and truncated. */
PE_HD void pe_wide_store(const pe_wide_args *a, int plane, int row, int i, float v) {
  int code = (int)(v < a->max ? v : a->max);
  code = code < 0 ? 0 : code;
  uint8_t *line = (uint8_t *)(uintptr_t)a->dst[plane] + row * a->pitch[plane];
  if (a->depth == 8) line[i] = (uint8_t)code;
  else ((uint16_t *)line)[i] = (uint16_t)(code << a->shift); /* little endian, as the GPU and x86 */
}

/* The block of pixels (2bx .. 2bx+1, 2by .. 2by+1): its luma, and its chroma (one sample for 4:2:0, four
 * for 4:4:4). The whole conversion kernel is this function. */
PE_HD void pe_wide_convert_block(const pe_wide_args *a, int bx, int by) {
  int x0 = 2 * bx, y0 = 2 * by;
  if (x0 >= a->width || y0 >= a->height) return;
  int nx = x0 + 1 < a->width ? 2 : 1, ny = y0 + 1 < a->height ? 2 : 1;
  float col[2][3];
  for (int dx = 0; dx < 2; dx++)
    for (int dy = 0; dy < 2; dy++) {
      int x = x0 + (dx < nx ? dx : 0), y = y0 + (dy < ny ? dy : 0); /* past an odd edge: the last one again */
      float rgb[3];
      pe_wide_load_rgb(a, x, y, rgb);
      for (int c = 0; c < 3; c++) col[dx][c] = dy ? col[dx][c] + rgb[c] : rgb[c];
      if (dx >= nx || dy >= ny) continue;
      pe_wide_store(a, 0, y, x, pe_wide_dot(a->ky, a->y_off, rgb));
      if (a->sub) continue;
      pe_wide_store(a, 1, y, x, pe_wide_dot(a->ku, a->c_off, rgb));
      pe_wide_store(a, 2, y, x, pe_wide_dot(a->kv, a->c_off, rgb));
    }
  if (!a->sub) return;
  float sum[3] = {col[0][0] + col[1][0], col[0][1] + col[1][1], col[0][2] + col[1][2]};
  float u = pe_wide_dot(a->ku, a->c_off, sum), v = pe_wide_dot(a->kv, a->c_off, sum);
  if (a->nv) {
    pe_wide_store(a, 1, by, 2 * bx, u);
    pe_wide_store(a, 1, by, 2 * bx + 1, v);
  } else {
    pe_wide_store(a, 1, by, bx, u);
    pe_wide_store(a, 2, by, bx, v);
  }
}

/* ---- NaN in float frames, found before anything is converted ---- */
typedef struct pe_nan_args {
  uint64_t src;         /* the first frame */
  int64_t stride[3];    /* {channel, row, pixel} bytes */
  int64_t frame_stride; /* bytes */
  uint64_t found;       /* address of a uint64: the least key of a NaN (UINT64_MAX before the search) */
  int32_t width, height, frames, pad_;
} pe_nan_args;

/* The order of the CPU path's search (platform/cpu/stream.c, wide.c): frame, row, column, channel. */
PE_HD uint64_t pe_nan_key(const pe_nan_args *a, int frame, int c, int x, int y) {
  return (((uint64_t)frame * (uint64_t)a->height + (uint64_t)y) * (uint64_t)a->width + (uint64_t)x) * 3 + (uint64_t)c;
}

PE_HD void pe_nan_position(const pe_nan_args *a, uint64_t key, int *frame, int *c, int *x, int *y) {
  *c = (int)(key % 3), key /= 3;
  *x = (int)(key % (uint64_t)a->width), key /= (uint64_t)a->width;
  *y = (int)(key % (uint64_t)a->height), *frame = (int)(key / (uint64_t)a->height);
}

/* The key of the first frame whose sample (x, y) of channel c is NaN, or UINT64_MAX. */
PE_HD uint64_t pe_find_nan_at(const pe_nan_args *a, int x, int y, int c) {
  const uint8_t *p = (const uint8_t *)(uintptr_t)a->src + c * a->stride[0] + y * a->stride[1] + x * a->stride[2];
  for (int f = 0; f < a->frames; f++, p += a->frame_stride) {
    float v = pe_load_f32(p);
    if (v != v) return pe_nan_key(a, f, c, x, y);
  }
  return UINT64_MAX;
}

#ifndef __CUDACC__
/* The CPU emulation of one launch of each kernel. */
static inline void pe_wide_convert_frame_host(const pe_wide_args *a) {
  for (int by = 0; by < (a->height + 1) / 2; by++)
    for (int bx = 0; bx < (a->width + 1) / 2; bx++) pe_wide_convert_block(a, bx, by);
}

static inline uint64_t pe_find_nan_host(const pe_nan_args *a) {
  uint64_t least = UINT64_MAX;
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < a->height; y++)
      for (int x = 0; x < a->width; x++) {
        uint64_t key = pe_find_nan_at(a, x, y, c);
        least = key < least ? key : least;
      }
  return least;
}
#endif

#endif
