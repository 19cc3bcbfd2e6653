/* The arithmetic of the CUDA colour-conversion kernel, written once for nvcc and for any C compiler.
 *
 * kernels.cu runs pe_convert_block() on the GPU, one thread per 2x2 block of pixels; a plain C loop over
 * the same function (pe_convert_frame_host below) is the CPU emulation the tests compare with the CPU
 * path (platform/cpu/convert.c). Integer fixed point only, so both give the same bytes.
 *
 *   Y = round(ky . rgb) + 16 (limited) or + 0 (full)                        per pixel
 *   U, V = round(ku . avg, kv . avg) + 128, avg = the mean RGB of the 2x2 block (4:2:0, NV12), or of the
 *          pixel itself (4:4:4); at an odd right or bottom edge, the mean of the pixels that exist.
 * The coefficients are BT.601 / BT.709 / BT.2020 (non-constant luminance), scaled for limited
 * (219 / 224 of 255) or full range, in units of 2^-16 (pe_make_coefficients).
 *
 * Only fixed-width types: pe_kernel_args is passed by value to the kernel, so its layout must be the
 * same for the host compiler and nvcc (8-byte members first, no pointers). */
#ifndef POLYENC_CUDA_YUV_MATH_H
#define POLYENC_CUDA_YUV_MATH_H

#include <stdint.h>

#ifdef __CUDACC__
#define PE_HD __host__ __device__ __forceinline__
#else
#define PE_HD static inline
#endif

/* Source layouts: the values of polyenc_layout (RGB_PLANAR 0, RGB24 1, RGBA 2, BGRA 3). */
enum { PE_RGB_PLANAR = 0, PE_RGB24 = 1, PE_RGBA = 2, PE_BGRA = 3 };
/* Destination formats. */
enum { PE_NV12 = 0, PE_YUV420P = 1, PE_YUV444P = 2 };
/* Matrices. */
enum { PE_BT601 = 0, PE_BT709 = 1, PE_BT2020 = 2 };

enum { PE_SHIFT = 16 };

typedef struct pe_kernel_args {
  uint64_t src;        /* address of the frame's first byte (device address on the GPU) */
  int64_t stride[3];   /* bytes; RGB_PLANAR {channel, row, pixel}; packed {row, pixel, channel} */
  uint64_t dst[3];     /* planes: Y, U (NV12: UV interleaved), V (unused for NV12) */
  int64_t pitch[3];    /* bytes per row of each plane */
  int32_t coef[9];     /* ky r g b, ku r g b, kv r g b, in units of 2^-16 */
  int32_t y_offset;    /* 16 limited, 0 full */
  int32_t layout, format, width, height;
  int32_t pad_;        /* keeps sizeof a multiple of 8 on every compiler */
} pe_kernel_args;

/* Fills coef and y_offset for a matrix and range. */
PE_HD void pe_make_coefficients(int matrix, int full_range, pe_kernel_args *a) {
  double kr = 0.299, kb = 0.114;                 /* BT.601 */
  if (matrix == PE_BT709) kr = 0.2126, kb = 0.0722;
  if (matrix == PE_BT2020) kr = 0.2627, kb = 0.0593;
  double kg = 1.0 - kr - kb;
  double ys = full_range ? 1.0 : 219.0 / 255.0, cs = full_range ? 1.0 : 224.0 / 255.0;
  double one = (double)(1 << PE_SHIFT);
  double k[9] = {kr * ys,
                 kg * ys,
                 kb * ys,
                 -kr / (2.0 * (1.0 - kb)) * cs,
                 -kg / (2.0 * (1.0 - kb)) * cs,
                 0.5 * cs,
                 0.5 * cs,
                 -kg / (2.0 * (1.0 - kr)) * cs,
                 -kb / (2.0 * (1.0 - kr)) * cs};
  for (int i = 0; i < 9; i++) {
    double v = k[i] * one;
    a->coef[i] = (int32_t)(v < 0 ? v - 0.5 : v + 0.5);
  }
  a->y_offset = full_range ? 0 : 16;
}

PE_HD int pe_clip_u8(int32_t v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

/* The RGB of pixel (x, y). */
PE_HD void pe_load_rgb(const pe_kernel_args *a, int x, int y, int32_t rgb[3]) {
  const uint8_t *p = (const uint8_t *)(uintptr_t)a->src;
  if (a->layout == PE_RGB_PLANAR) {
    const uint8_t *q = p + y * a->stride[1] + x * a->stride[2];
    rgb[0] = q[0];
    rgb[1] = q[a->stride[0]];
    rgb[2] = q[2 * a->stride[0]];
    return;
  }
  const uint8_t *q = p + y * a->stride[0] + x * a->stride[1];
  int64_t c = a->stride[2];
  if (a->layout == PE_BGRA) {
    rgb[0] = q[2 * c];
    rgb[1] = q[c];
    rgb[2] = q[0];
  } else {
    rgb[0] = q[0];
    rgb[1] = q[c];
    rgb[2] = q[2 * c];
  }
}

PE_HD int pe_luma(const pe_kernel_args *a, const int32_t rgb[3]) {
  int32_t v = a->coef[0] * rgb[0] + a->coef[1] * rgb[1] + a->coef[2] * rgb[2] + (1 << (PE_SHIFT - 1));
  return pe_clip_u8((v >> PE_SHIFT) + a->y_offset);
}

/* U and V from the sum of n (1, 2 or 4) pixels' RGB: sum * 4 / n is the 4-pixel sum, exactly. */
PE_HD void pe_chroma(const pe_kernel_args *a, const int32_t sum[3], int n, int *u, int *v) {
  int32_t scale = 4 / n, r = sum[0] * scale, g = sum[1] * scale, b = sum[2] * scale;
  const int32_t round = 1 << (PE_SHIFT + 1), shift = PE_SHIFT + 2; /* the 4-pixel sum is 4x the mean */
  int32_t cu = a->coef[3] * r + a->coef[4] * g + a->coef[5] * b + round;
  int32_t cv = a->coef[6] * r + a->coef[7] * g + a->coef[8] * b + round;
  *u = pe_clip_u8((cu >> shift) + 128); /* >> of a negative int is arithmetic with gcc, clang and nvcc */
  *v = pe_clip_u8((cv >> shift) + 128);
}

/* The block of pixels (2bx .. 2bx+1, 2by .. 2by+1): its luma, and its chroma (one sample for 4:2:0 and
 * NV12, four for 4:4:4). The whole kernel is this function. */
PE_HD void pe_convert_block(const pe_kernel_args *a, int bx, int by) {
  int x0 = 2 * bx, y0 = 2 * by;
  if (x0 >= a->width || y0 >= a->height) return;
  int nx = x0 + 1 < a->width ? 2 : 1, ny = y0 + 1 < a->height ? 2 : 1;
  uint8_t *yp = (uint8_t *)(uintptr_t)a->dst[0];
  uint8_t *up = (uint8_t *)(uintptr_t)a->dst[1];
  uint8_t *vp = (uint8_t *)(uintptr_t)a->dst[2];
  int32_t sum[3] = {0, 0, 0};
  for (int dy = 0; dy < ny; dy++)
    for (int dx = 0; dx < nx; dx++) {
      int x = x0 + dx, y = y0 + dy;
      int32_t rgb[3];
      pe_load_rgb(a, x, y, rgb);
      yp[y * a->pitch[0] + x] = (uint8_t)pe_luma(a, rgb);
      if (a->format == PE_YUV444P) {
        int u, v;
        pe_chroma(a, rgb, 1, &u, &v);
        up[y * a->pitch[1] + x] = (uint8_t)u;
        vp[y * a->pitch[2] + x] = (uint8_t)v;
      }
      sum[0] += rgb[0], sum[1] += rgb[1], sum[2] += rgb[2];
    }
  if (a->format == PE_YUV444P) return;
  int u, v;
  pe_chroma(a, sum, nx * ny, &u, &v);
  if (a->format == PE_NV12) {
    up[by * a->pitch[1] + 2 * bx] = (uint8_t)u;
    up[by * a->pitch[1] + 2 * bx + 1] = (uint8_t)v;
  } else {
    up[by * a->pitch[1] + bx] = (uint8_t)u;
    vp[by * a->pitch[2] + bx] = (uint8_t)v;
  }
}

#ifndef __CUDACC__
/* The CPU emulation of one kernel launch: every block, in any order (each writes only its own bytes). */
static inline void pe_convert_frame_host(const pe_kernel_args *a) {
  for (int by = 0; by < (a->height + 1) / 2; by++)
    for (int bx = 0; bx < (a->width + 1) / 2; bx++) pe_convert_block(a, bx, by);
}
#endif

#endif
