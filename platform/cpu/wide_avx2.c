/* The AVX2 + FMA row kernel of pe_wide_convert (wide_kernels.h), for x86-64 CPUs that have both
 * (pe_wide_cpu_has_avx2: cpuid and the OS's saved state, checked at run time, no compiler flag needed).
 *
 * The arithmetic is the C kernel's (wide.c), eight float lanes at a time: samples to float (uint16 as is,
 * float clamped to [0, 1]), Y = y_off + ky . rgb by FMA, truncated; 4:2:0 chroma from the 2x2 sums (rows
 * added, then neighbouring columns by hadd). A row pair is done 16 columns at a time, one function per
 * sample type x output kind; the columns past the last multiple of 16 (an odd edge included) go to the
 * C kernel. FMA rounds once where the C kernel rounds twice: the two may differ by 1 where the exact value
 * (nearly) ties, each within 1 of it. */
#include "wide_kernels.h"

#ifdef PE_WIDE_HAVE_AVX2
#include <cpuid.h>
#include <stdatomic.h>
#include <immintrin.h>

static int cpu_has_avx2(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  const unsigned fma = 1u << 12, osxsave = 1u << 27, avx = 1u << 28;
  if ((c & (fma | osxsave | avx)) != (fma | osxsave | avx)) return 0;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  if ((lo & 6) != 6) return 0; /* the OS saves the xmm and ymm registers */
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  return (b >> 5) & 1; /* AVX2 */
}

int pe_wide_cpu_has_avx2(void) {
  static _Atomic int known = -1; /* cpuid traps to the hypervisor in a VM: once */
  int v = atomic_load_explicit(&known, memory_order_relaxed);
  if (v < 0) atomic_store_explicit(&known, v = cpu_has_avx2(), memory_order_relaxed);
  return v;
}

#define INLINE static inline __attribute__((always_inline, target("avx2,fma")))

typedef struct vparams {
  __m256 ky[3], ku[3], kv[3], y_off, c_off, max, zero, one;
} vparams;

INLINE void vparams_of(const wide_params *k, vparams *p) {
  for (int c = 0; c < 3; c++) {
    p->ky[c] = _mm256_set1_ps(k->ky[c]);
    p->ku[c] = _mm256_set1_ps(k->ku[c]);
    p->kv[c] = _mm256_set1_ps(k->kv[c]);
  }
  p->y_off = _mm256_set1_ps(k->y_off), p->c_off = _mm256_set1_ps(k->c_off), p->max = _mm256_set1_ps(k->max);
  p->zero = _mm256_setzero_ps(), p->one = _mm256_set1_ps(1.0f);
}

/* Eight samples from x on. Floats are clamped to [0, 1] in an order that lets NaN through (max and min
 * return their second operand when one is NaN): it reaches every luma and chroma value computed from it,
 * where one test per chroma vector finds it. */
INLINE __m256 load8(const vparams *p, const void *plane, int x, const int is_float) {
  if (!is_float)
    return _mm256_cvtepi32_ps(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)((const uint16_t *)plane + x))));
  return _mm256_min_ps(p->one, _mm256_max_ps(p->zero, _mm256_loadu_ps((const float *)plane + x)));
}

/* off + k . rgb; then the code: clipped to max and truncated (the offset holds the rounding half). */
INLINE __m256 value8(const __m256 k[3], __m256 off, __m256 r, __m256 g, __m256 b) {
  return _mm256_fmadd_ps(k[0], r, _mm256_fmadd_ps(k[1], g, _mm256_fmadd_ps(k[2], b, off)));
}
INLINE __m256i code8(__m256 v, __m256 max) { return _mm256_cvttps_epi32(_mm256_min_ps(v, max)); }
/* Luma needs no clipping: its exact value (with the half) lies in [0.5, 2^n - 0.5], float rounding stays
 * far inside (0, 2^n), and truncation does the rest. */
INLINE __m256i luma8(__m256 v) { return _mm256_cvttps_epi32(v); }

/* Sixteen codes (a: samples 0-7, b: 8-15) at sample x of row. */
INLINE void store16(uint8_t *row, int x, __m256i a, __m256i b, const int out) {
  if (out == PE_OUT_8) {
    __m256i w = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8); /* 0-7 | 8-15 as int16 */
    __m256i bytes = _mm256_permute4x64_epi64(_mm256_packus_epi16(w, w), 0x08);
    _mm_storeu_si128((__m128i *)(row + x), _mm256_castsi256_si128(bytes));
    return;
  }
  __m256i w = _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xD8);
  if (out == PE_OUT_P010) w = _mm256_slli_epi16(w, 6);
  _mm256_storeu_si256((__m256i *)(row + 2 * x), w);
}

/* Eight 4:2:0 chroma codes u, v at chroma sample i, in hadd's order: samples 0 1 4 5 | 2 3 6 7. */
INLINE void store_chroma8(uint8_t *urow, uint8_t *vrow, int i, __m256i u, __m256i v, const int out) {
  if (out == PE_OUT_P010) {
    __m256i uv = _mm256_or_si256(_mm256_slli_epi32(u, 6), _mm256_slli_epi32(v, 22));
    _mm256_storeu_si256((__m256i *)(urow + 4 * i), _mm256_permute4x64_epi64(uv, 0xD8));
    return;
  }
  /* packus: u01 u45 v01 v45 | u23 u67 v23 v67 (pairs of uint16) -> u0-7 | v0-7 */
  __m256i w = _mm256_permutevar8x32_epi32(_mm256_packus_epi32(u, v), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  if (out == PE_OUT_8) {
    __m256i bytes = _mm256_packus_epi16(w, w);
    _mm_storel_epi64((__m128i *)(urow + i), _mm256_castsi256_si128(bytes));
    _mm_storel_epi64((__m128i *)(vrow + i), _mm256_extracti128_si256(bytes, 1));
    return;
  }
  _mm_storeu_si128((__m128i *)(urow + 2 * i), _mm256_castsi256_si128(w));
  _mm_storeu_si128((__m128i *)(vrow + 2 * i), _mm256_extracti128_si256(w, 1));
}

/* Returns the first column left to the C kernel; *nan: a NaN was met. */
INLINE int rows_420(const wide_params *k, const wide_rows *r, int x0, int x1, int *nan, const int is_float,
                    const int out) {
  vparams p;
  vparams_of(k, &p);
  const void *src[2][3] = {{r->src[0][0], r->src[0][1], r->src[0][2]}, {r->src[1][0], r->src[1][1], r->src[1][2]}};
  uint8_t *y0 = r->y[0], *y1 = r->y[1], *u = r->u[0], *v = r->v[0];
  const int next = r->next[1][2] != NULL, size = is_float ? 4 : 2;
  __m256 bad = _mm256_setzero_ps();
  int x = x0;
  for (; x + 16 <= x1; x += 16) {
    __m256 sum[3][2]; /* per channel, per half: row 0 + row 1 */
    __m256i y[2][2];
    if (next && (is_float || !(x & 16))) /* these columns of the next row pair (a cache line), into L2 */
      for (int row = 0; row < 2; row++)
        for (int c = 0; c < 3; c++) _mm_prefetch((const char *)(r->next[row][c] + x * size), _MM_HINT_T1);
    for (int row = 0; row < 2; row++)
      for (int h = 0; h < 2; h++) {
        __m256 rgb[3];
        for (int c = 0; c < 3; c++) {
          rgb[c] = load8(&p, src[row][c], x + 8 * h, is_float);
          sum[c][h] = row ? _mm256_add_ps(sum[c][h], rgb[c]) : rgb[c];
        }
        y[row][h] = luma8(value8(p.ky, p.y_off, rgb[0], rgb[1], rgb[2]));
      }
    store16(y0, x, y[0][0], y[0][1], out);
    store16(y1, x, y[1][0], y[1][1], out);
    /* hadd: the 2x2 sums of chroma samples 0 1 4 5 | 2 3 6 7 */
    __m256 s[3];
    for (int c = 0; c < 3; c++) s[c] = _mm256_hadd_ps(sum[c][0], sum[c][1]);
    __m256 uf = value8(p.ku, p.c_off, s[0], s[1], s[2]);
    if (is_float) bad = _mm256_or_ps(bad, _mm256_cmp_ps(uf, uf, _CMP_UNORD_Q)); /* U takes R, G and B */
    store_chroma8(u, v, x >> 1, code8(uf, p.max), code8(value8(p.kv, p.c_off, s[0], s[1], s[2]), p.max), out);
  }
  *nan = _mm256_movemask_ps(bad) != 0;
  return x;
}

INLINE int rows_444(const wide_params *k, const wide_rows *r, int x0, int x1, int *nan, const int is_float,
                    const int out) {
  vparams p;
  vparams_of(k, &p);
  const int size = is_float ? 4 : 2;
  __m256 bad = _mm256_setzero_ps();
  int x = x0;
  for (int row = 0; row < 2; row++) {
    const void *src[3] = {r->src[row][0], r->src[row][1], r->src[row][2]};
    uint8_t *yr = r->y[row], *ur = r->u[row], *vr = r->v[row];
    for (x = x0; x + 16 <= x1; x += 16) {
      __m256i y[2], u[2], v[2];
      if (r->next[row][2] && (is_float || !(x & 16)))
        for (int c = 0; c < 3; c++) _mm_prefetch((const char *)(r->next[row][c] + x * size), _MM_HINT_T1);
      for (int h = 0; h < 2; h++) {
        __m256 rgb[3];
        for (int c = 0; c < 3; c++) rgb[c] = load8(&p, src[c], x + 8 * h, is_float);
        __m256 uf = value8(p.ku, p.c_off, rgb[0], rgb[1], rgb[2]);
        if (is_float) bad = _mm256_or_ps(bad, _mm256_cmp_ps(uf, uf, _CMP_UNORD_Q));
        y[h] = luma8(value8(p.ky, p.y_off, rgb[0], rgb[1], rgb[2]));
        u[h] = code8(uf, p.max);
        v[h] = code8(value8(p.kv, p.c_off, rgb[0], rgb[1], rgb[2]), p.max);
      }
      store16(yr, x, y[0], y[1], out);
      store16(ur, x, u[0], u[1], out);
      store16(vr, x, v[0], v[1], out);
    }
  }
  *nan = _mm256_movemask_ps(bad) != 0;
  return x;
}

#define KERNEL(name, body, is_float, out)                                                                  \
  static __attribute__((target("avx2,fma"))) int name(const wide_params *k, const wide_rows *r, int x0, int x1, \
                                                      int *nan) {                                           \
    return body(k, r, x0, x1, nan, is_float, out);                                                         \
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

int pe_wide_rows_avx2(const wide_params *k, const wide_rows *r, int x0, int x1) {
  typedef int (*fn)(const wide_params *, const wide_rows *, int, int, int *);
  static const fn sub420[2][3] = {{u16_420_8, u16_420_16, u16_420_p010}, {f32_420_8, f32_420_16, f32_420_p010}};
  static const fn full444[2][2] = {{u16_444_8, u16_444_16}, {f32_444_8, f32_444_16}};
  int nan = 0;
  int x = k->sub ? sub420[k->is_float][k->out](k, r, x0, x1, &nan) : full444[k->is_float][k->out](k, r, x0, x1, &nan);
  return (x < x1 ? pe_wide_rows_c(k, r, x, x1) : 0) | nan;
}

#endif
