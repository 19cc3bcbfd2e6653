/* The row kernels behind pe_wide_convert (wide.h): private to wide.c, wide_avx2.c and wide_simd128.c.
 *
 * The driver (wide.c) hands the kernels one pair of rows at a time as planes of contiguous samples
 * (uint16 or float: the caller's memory when its strides allow, else a gathered copy); the kernels
 * write Y, U and V of those rows. Alpha is the driver's. */
#ifndef POLYENC_WIDE_KERNELS_H
#define POLYENC_WIDE_KERNELS_H

#include <stdint.h>

enum { PE_OUT_8, PE_OUT_16, PE_OUT_P010 };

typedef struct wide_params {
  /* per unit of a source sample (uint16: 1/65535 of full scale, float: 1.0); 4:2:0 chroma coefficients
   * are for the sum of the 2x2 block (the mean's divided by 4) */
  float ky[3], ku[3], kv[3];
  float y_off, c_off; /* the offsets (16 << (n - 8) ...) + 0.5: rounding is truncation */
  float max;          /* 2^n - 1 */
  int depth;          /* n: 8, 10 or 12 */
  int out;            /* PE_OUT_8: 8-bit planes, PE_OUT_16: 16-bit planes, PE_OUT_P010: p010le (code << 6,
                         chroma as one interleaved U, V plane) */
  int sub;            /* 1: 4:2:0, 0: 4:4:4 */
  int alpha;          /* the pixel format has an alpha plane */
  int is_float;       /* the source samples are float (else uint16) */
} wide_params;

typedef struct wide_rows {
  const void *src[2][3];   /* rows 0 and 1, planes R, G, B (row 1 = row 0 for the last row of an odd height) */
  const uint8_t *next[2][3]; /* planar rows read directly: the same rows of the next pair, to prefetch; or NULL */
  uint8_t *y[2];           /* output rows (row 1 may be a scratch row) */
  uint8_t *u[2], *v[2];    /* 4:4:4: one per row; 4:2:0: [0] only (p010le: u[0] is the UV row) */
} wide_rows;

/* Converts the columns [x0, x1) of the row pair (x0 even; x1 the width or a multiple of 2). Returns
 * nonzero when a float sample of those columns was NaN (what was written for it is unspecified). */
int pe_wide_rows_c(const wide_params *k, const wide_rows *r, int x0, int x1);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PE_WIDE_HAVE_AVX2 1
/* Whether this CPU (and OS) runs AVX2 + FMA code. */
int pe_wide_cpu_has_avx2(void);
/* The AVX2 + FMA kernel: the same contract and results within float rounding of pe_wide_rows_c. */
int pe_wide_rows_avx2(const wide_params *k, const wide_rows *r, int x0, int x1);
#endif

#if defined(__wasm_simd128__)
#define PE_WIDE_HAVE_SIMD128 1
/* The WebAssembly SIMD128 kernel: the same contract and the same codes as pe_wide_rows_c. */
int pe_wide_rows_simd128(const wide_params *k, const wide_rows *r, int x0, int x1);
/* w packed RGB48 (nc 3) or RGBA64 (nc 4) pixels at p -> the rows r, g, b (and a for nc 4), in SIMD128. */
void pe_wide_split_simd128(const uint16_t *p, int w, int nc, uint16_t *r, uint16_t *g, uint16_t *b, uint16_t *a);
#endif

#endif
