/* The WebAssembly SIMD128 row kernel of pe_wide_convert (wide_kernels.h), compiled where the compiler
 * targets SIMD128 (emcc -msimd128: the wasm build, which picks it as PE_WIDE_AUTO), and the splitter of
 * packed RGB48 / RGBA64 pixels into rows that goes with it.
 *
 * Organised as the AVX2 kernel (wide_avx2.c), four float lanes at a time: samples to float (uint16 as is,
 * float clamped to [0, 1]), Y = y_off + ky . rgb, truncated; 4:2:0 chroma from the 2x2 sums (rows added,
 * then neighbouring columns by an even/odd shuffle). A row pair is done 16 columns at a time, one function
 * per sample type x output kind; the columns past the last multiple of 16 (an odd edge included) go to the
 * C kernel. SIMD128 has no fused multiply-add: the products and sums are rounded in the C kernel's order
 * ((off + k0 r) + k1 g) + k2 b, and the 2x2 sums as (row 0 + row 1) of each column, then the two columns,
 * so the two kernels give the same codes. */
#include "wide_kernels.h"

#ifdef PE_WIDE_HAVE_SIMD128
#include <wasm_simd128.h>

#define INLINE static inline __attribute__((always_inline))

typedef struct vparams {
  v128_t ky[3], ku[3], kv[3], y_off, c_off, max, zero, one, two23;
} vparams;

INLINE void vparams_of(const wide_params *k, vparams *p) {
  for (int c = 0; c < 3; c++) {
    p->ky[c] = wasm_f32x4_splat(k->ky[c]);
    p->ku[c] = wasm_f32x4_splat(k->ku[c]);
    p->kv[c] = wasm_f32x4_splat(k->kv[c]);
  }
  p->y_off = wasm_f32x4_splat(k->y_off), p->c_off = wasm_f32x4_splat(k->c_off), p->max = wasm_f32x4_splat(k->max);
  p->zero = wasm_f32x4_splat(0.0f), p->one = wasm_f32x4_splat(1.0f), p->two23 = wasm_f32x4_splat(8388608.0f);
}

/* Sixteen samples from x on, as four vectors. uint16 u becomes the float 2^23 + u by its bits (u in the low
 * mantissa bits of 2^23), minus 2^23: exact, and kept in SIMD where clang 14 would turn a zero-extend and
 * convert into lane-by-lane code. Floats are clamped to [0, 1] in an order that lets NaN
 * through (pmax(a, b) is a < b ? b : a, pmin(a, b) is b < a ? b : a: false for NaN, which keeps a): it
 * reaches every chroma value computed from it, where one test per chroma vector finds it. */
INLINE void load16(const vparams *p, const void *plane, int x, v128_t v[4], const int is_float) {
  for (int h = 0; h < 2 && !is_float; h++) {
    v128_t w = wasm_v128_load((const uint16_t *)plane + x + 8 * h);
    v[2 * h] = wasm_f32x4_sub(wasm_v128_or(wasm_u32x4_extend_low_u16x8(w), p->two23), p->two23);
    v[2 * h + 1] = wasm_f32x4_sub(wasm_v128_or(wasm_u32x4_extend_high_u16x8(w), p->two23), p->two23);
  }
  for (int q = 0; q < 4 && is_float; q++)
    v[q] = wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_v128_load((const float *)plane + x + 4 * q), p->zero), p->one);
}

/* off + k . rgb, added in the C kernel's order; then the code: clipped to max and truncated (the offset
 * holds the rounding half). */
INLINE v128_t value4(const v128_t k[3], v128_t off, v128_t r, v128_t g, v128_t b) {
  v128_t v = wasm_f32x4_add(off, wasm_f32x4_mul(k[0], r));
  v = wasm_f32x4_add(v, wasm_f32x4_mul(k[1], g));
  return wasm_f32x4_add(v, wasm_f32x4_mul(k[2], b));
}
INLINE v128_t code4(v128_t v, v128_t max) { return wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_pmin(v, max)); }
/* Luma needs no clipping: its exact value (with the half) lies in [0.5, 2^n - 0.5], float rounding stays
 * far inside (0, 2^n), and truncation does the rest. */
INLINE v128_t luma4(v128_t v) { return wasm_i32x4_trunc_sat_f32x4(v); }

/* Codes (int32 lanes, each in [0, 2^n - 1]) c[0..3] = samples 0-15 at sample x of row; PE_OUT_8 stores
 * 16 bytes, the others 16 uint16. */
INLINE void store16(uint8_t *row, int x, const v128_t c[4], const int out) {
  v128_t lo = wasm_u16x8_narrow_i32x4(c[0], c[1]), hi = wasm_u16x8_narrow_i32x4(c[2], c[3]);
  if (out == PE_OUT_8) {
    wasm_v128_store(row + x, wasm_u8x16_narrow_i16x8(lo, hi));
    return;
  }
  if (out == PE_OUT_P010) lo = wasm_i16x8_shl(lo, 6), hi = wasm_i16x8_shl(hi, 6);
  wasm_v128_store(row + 2 * x, lo);
  wasm_v128_store(row + 2 * x + 16, hi);
}

/* Eight 4:2:0 chroma codes u[0..1], v[0..1] (samples 0-3, 4-7) at chroma sample i. */
INLINE void store_chroma8(uint8_t *urow, uint8_t *vrow, int i, const v128_t u[2], const v128_t v[2], const int out) {
  if (out == PE_OUT_P010) { /* U, V interleaved: each int32 lane holds u << 6 | v << 22 */
    for (int h = 0; h < 2; h++)
      wasm_v128_store(urow + 4 * i + 16 * h, wasm_v128_or(wasm_i32x4_shl(u[h], 6), wasm_i32x4_shl(v[h], 22)));
    return;
  }
  v128_t uw = wasm_u16x8_narrow_i32x4(u[0], u[1]), vw = wasm_u16x8_narrow_i32x4(v[0], v[1]);
  if (out == PE_OUT_8) {
    v128_t bytes = wasm_u8x16_narrow_i16x8(uw, vw);
    wasm_v128_store64_lane(urow + i, bytes, 0);
    wasm_v128_store64_lane(vrow + i, bytes, 1);
    return;
  }
  wasm_v128_store(urow + 2 * i, uw);
  wasm_v128_store(vrow + 2 * i, vw);
}

/* Returns the first column left to the C kernel; *nan: a NaN was met. */
INLINE int rows_420(const wide_params *k, const wide_rows *r, int x0, int x1, int *nan, const int is_float,
                    const int out) {
  vparams p;
  vparams_of(k, &p);
  const void *src[2][3] = {{r->src[0][0], r->src[0][1], r->src[0][2]}, {r->src[1][0], r->src[1][1], r->src[1][2]}};
  uint8_t *y0 = r->y[0], *y1 = r->y[1], *u = r->u[0], *v = r->v[0];
  v128_t bad = wasm_i32x4_splat(0);
  int x = x0;
  for (; x + 16 <= x1; x += 16) {
    v128_t sum[3][4]; /* per channel, per quarter: row 0 + row 1 */
    v128_t y[2][4];
    for (int row = 0; row < 2; row++) {
      v128_t rgb[3][4];
      for (int c = 0; c < 3; c++) {
        load16(&p, src[row][c], x, rgb[c], is_float);
        for (int q = 0; q < 4; q++) sum[c][q] = row ? wasm_f32x4_add(sum[c][q], rgb[c][q]) : rgb[c][q];
      }
      for (int q = 0; q < 4; q++) y[row][q] = luma4(value4(p.ky, p.y_off, rgb[0][q], rgb[1][q], rgb[2][q]));
    }
    store16(y0, x, y[0], out);
    store16(y1, x, y[1], out);
    v128_t cu[2], cv[2];
    for (int h = 0; h < 2; h++) {
      v128_t s[3]; /* the 2x2 sums of chroma samples 4h .. 4h + 3: even columns + odd columns */
      for (int c = 0; c < 3; c++)
        s[c] = wasm_f32x4_add(wasm_i32x4_shuffle(sum[c][2 * h], sum[c][2 * h + 1], 0, 2, 4, 6),
                              wasm_i32x4_shuffle(sum[c][2 * h], sum[c][2 * h + 1], 1, 3, 5, 7));
      v128_t uf = value4(p.ku, p.c_off, s[0], s[1], s[2]);
      if (is_float) bad = wasm_v128_or(bad, wasm_f32x4_ne(uf, uf)); /* U takes R, G and B */
      cu[h] = code4(uf, p.max);
      cv[h] = code4(value4(p.kv, p.c_off, s[0], s[1], s[2]), p.max);
    }
    store_chroma8(u, v, x >> 1, cu, cv, out);
  }
  *nan = wasm_v128_any_true(bad);
  return x;
}

INLINE int rows_444(const wide_params *k, const wide_rows *r, int x0, int x1, int *nan, const int is_float,
                    const int out) {
  vparams p;
  vparams_of(k, &p);
  v128_t bad = wasm_i32x4_splat(0);
  int x = x0;
  for (int row = 0; row < 2; row++) {
    const void *src[3] = {r->src[row][0], r->src[row][1], r->src[row][2]};
    uint8_t *yr = r->y[row], *ur = r->u[row], *vr = r->v[row];
    for (x = x0; x + 16 <= x1; x += 16) {
      v128_t y[4], u[4], v[4], rgb[3][4];
      for (int c = 0; c < 3; c++) load16(&p, src[c], x, rgb[c], is_float);
      for (int q = 0; q < 4; q++) {
        v128_t uf = value4(p.ku, p.c_off, rgb[0][q], rgb[1][q], rgb[2][q]);
        if (is_float) bad = wasm_v128_or(bad, wasm_f32x4_ne(uf, uf));
        y[q] = luma4(value4(p.ky, p.y_off, rgb[0][q], rgb[1][q], rgb[2][q]));
        u[q] = code4(uf, p.max);
        v[q] = code4(value4(p.kv, p.c_off, rgb[0][q], rgb[1][q], rgb[2][q]), p.max);
      }
      store16(yr, x, y, out);
      store16(ur, x, u, out);
      store16(vr, x, v, out);
    }
  }
  *nan = wasm_v128_any_true(bad);
  return x;
}

#define KERNEL(name, body, is_float, out)                                                  \
  static int name(const wide_params *k, const wide_rows *r, int x0, int x1, int *nan) {    \
    return body(k, r, x0, x1, nan, is_float, out);                                         \
  }
KERNEL(u16_420_8, rows_420, 0, PE_OUT_8)
KERNEL(u16_420_16, rows_420, 0, PE_OUT_16)
KERNEL(u16_420_p010, rows_420, 0, PE_OUT_P010)
KERNEL(f32_420_8, rows_420, 1, PE_OUT_8)
KERNEL(f32_420_16, rows_420, 1, PE_OUT_16)
KERNEL(f32_420_p010, rows_420, 1, PE_OUT_P010)
KERNEL(u16_444_8, rows_444, 0, PE_OUT_8)
KERNEL(u16_444_16, rows_444, 0, PE_OUT_16)
KERNEL(f32_444_8, rows_444, 1, PE_OUT_8)
KERNEL(f32_444_16, rows_444, 1, PE_OUT_16)

/* v, opaque to the optimiser: clang 14 would turn RGB48's shuffles of whole loads back into 24 loads of
 * one lane each. */
INLINE v128_t opaque(v128_t v) {
  __asm__("" : "+r"(v));
  return v;
}

/* Eight pixels at a time: RGB48's three vectors r0 g0 b0 r1 g1 b1 r2 g2 | b2 r3 ... | g5 b5 r6 ... b7 give each
 * channel by two shuffles; RGBA64's four by two rounds of even / odd lanes. The rest one by one. */
void pe_wide_split_simd128(const uint16_t *p, int w, int nc, uint16_t *r, uint16_t *g, uint16_t *b, uint16_t *a) {
  int x = 0;
  if (nc == 3) {
    for (; x + 8 <= w; x += 8) {
      const uint16_t *q = p + 3 * x;
      v128_t v0 = opaque(wasm_v128_load(q)), v1 = opaque(wasm_v128_load(q + 8)), v2 = opaque(wasm_v128_load(q + 16));
      v128_t r6 = wasm_i16x8_shuffle(v0, v1, 0, 3, 6, 9, 12, 15, 0, 0); /* r0-r5 */
      v128_t g5 = wasm_i16x8_shuffle(v0, v1, 1, 4, 7, 10, 13, 0, 0, 0); /* g0-g4 */
      v128_t b5 = wasm_i16x8_shuffle(v0, v1, 2, 5, 8, 11, 14, 0, 0, 0); /* b0-b4 */
      wasm_v128_store(r + x, wasm_i16x8_shuffle(r6, v2, 0, 1, 2, 3, 4, 5, 10, 13));
      wasm_v128_store(g + x, wasm_i16x8_shuffle(g5, v2, 0, 1, 2, 3, 4, 8, 11, 14));
      wasm_v128_store(b + x, wasm_i16x8_shuffle(b5, v2, 0, 1, 2, 3, 4, 9, 12, 15));
    }
    for (; x < w; x++) r[x] = p[3 * x], g[x] = p[3 * x + 1], b[x] = p[3 * x + 2];
    return;
  }
  for (; x + 8 <= w; x += 8) {
    const uint16_t *q = p + 4 * x;
    v128_t v0 = wasm_v128_load(q), v1 = wasm_v128_load(q + 8);
    v128_t v2 = wasm_v128_load(q + 16), v3 = wasm_v128_load(q + 24);
    v128_t rb0 = wasm_i16x8_shuffle(v0, v1, 0, 2, 4, 6, 8, 10, 12, 14); /* r0 b0 r1 b1 .. b3 */
    v128_t ga0 = wasm_i16x8_shuffle(v0, v1, 1, 3, 5, 7, 9, 11, 13, 15);
    v128_t rb1 = wasm_i16x8_shuffle(v2, v3, 0, 2, 4, 6, 8, 10, 12, 14); /* r4 b4 .. b7 */
    v128_t ga1 = wasm_i16x8_shuffle(v2, v3, 1, 3, 5, 7, 9, 11, 13, 15);
    wasm_v128_store(r + x, wasm_i16x8_shuffle(rb0, rb1, 0, 2, 4, 6, 8, 10, 12, 14));
    wasm_v128_store(b + x, wasm_i16x8_shuffle(rb0, rb1, 1, 3, 5, 7, 9, 11, 13, 15));
    wasm_v128_store(g + x, wasm_i16x8_shuffle(ga0, ga1, 0, 2, 4, 6, 8, 10, 12, 14));
    wasm_v128_store(a + x, wasm_i16x8_shuffle(ga0, ga1, 1, 3, 5, 7, 9, 11, 13, 15));
  }
  for (; x < w; x++) r[x] = p[4 * x], g[x] = p[4 * x + 1], b[x] = p[4 * x + 2], a[x] = p[4 * x + 3];
}

int pe_wide_rows_simd128(const wide_params *k, const wide_rows *r, int x0, int x1) {
  typedef int (*fn)(const wide_params *, const wide_rows *, int, int, int *);
  static const fn sub420[2][3] = {{u16_420_8, u16_420_16, u16_420_p010}, {f32_420_8, f32_420_16, f32_420_p010}};
  static const fn full444[2][2] = {{u16_444_8, u16_444_16}, {f32_444_8, f32_444_16}};
  int nan = 0;
  int x = k->sub ? sub420[k->is_float][k->out](k, r, x0, x1, &nan) : full444[k->is_float][k->out](k, r, x0, x1, &nan);
  return (x < x1 ? pe_wide_rows_c(k, r, x, x1) : 0) | nan;
}

#endif
