/* High-depth RGB sources (16-bit integer and 32-bit float) -> 8/10/12-bit YUV, at full precision.
 *
 * The conversion kernels behind the host converter (platform/cpu/convert.c) for the layouts POLYENC_RGB48,
 * POLYENC_RGBA64, POLYENC_RGB_PLANAR16 and POLYENC_RGB_PLANAR_F32 (API.md, "Depth, alpha, HDR").
 *
 * Strides are bytes, as for the 8-bit layouts (any value, negative included; uint16 and float are
 * native endian and may be unaligned):
 *   RGB48, RGBA64            {row, pixel, channel}   H x W x 3 (or 4) uint16
 *   RGB_PLANAR16, _F32       {channel, row, pixel}   3 x H x W uint16 / float32
 *
 * The arithmetic (ITU-T H.273 quantisation, the matrices and ranges of platform/cuda/yuv_math.h and
 * the 8-bit paths, generalised to n bits):
 *   E = the input in [0, 1]: uint16 / 65535, or the float clamped to [0, 1] (NaN is an error)
 *   Y' = kr R + kg G + kb B,  Pb = (B - Y') / (2 (1 - kb)),  Pr = (R - Y') / (2 (1 - kr))
 *   tv: Y = 2^(n-8) (16 + 219 Y'),  Cb/Cr = 2^(n-8) (128 + 224 P)
 *   pc: Y = (2^n - 1) Y',           Cb/Cr = 2^(n-1) + (2^n - 1) P
 *   each rounded to nearest once and clipped to [0, 2^n - 1]; no 8-bit step in between.
 *   4:2:0 chroma: P of the mean R, G, B of each 2x2 block (at an odd right or bottom edge, of the
 *   pixels that exist), computed before rounding.
 *   Alpha (RGBA64 into yuva420p / yuva444p10le): round(A (2^n - 1) / 65535), exact; the other
 *   layouts give opaque alpha. RGBA64 into a format without alpha drops it.
 * Computed in float32: at most 1 code value from the exact result, and only where the exact value lies
 * within ~3e-4 code of a rounding boundary (about 1 sample in 20000; tests/test_wide.c measures it).
 * libyuv has no conversion from 16-bit or float RGB (only AR64 <-> 8-bit ARGB): the kernels are ours. */
#ifndef POLYENC_WIDE_H
#define POLYENC_WIDE_H

#include <stddef.h>

#include "platform.h"

/* The public names of the layouts (polyenc.h), under the names the kernels were written with. */
enum {
  PE_RGB48 = POLYENC_RGB48,                   /* H x W x 3 uint16 */
  PE_RGBA64 = POLYENC_RGBA64,                 /* H x W x 4 uint16; alpha kept when the pixel format has alpha */
  PE_RGB_PLANAR16 = POLYENC_RGB_PLANAR16,     /* 3 x H x W uint16 */
  PE_RGB_PLANAR_F32 = POLYENC_RGB_PLANAR_F32, /* 3 x H x W float32 in [0, 1] (clamped; NaN is an error) */
};

/* Whether layout is one of the four above. */
int pe_wide_is_layout(polyenc_layout layout);

/* Whether dst can be this pixel format: yuv420p, yuv444p, yuv420p10le, yuv444p10le, yuv420p12le,
 * yuv444p12le, p010le, yuva420p, yuva444p10le. */
int pe_wide_can_produce(enum AVPixelFormat format);

/* src (a wide layout) -> dst, an allocated frame of a format above with src's width and height.
 * cs: AVCOL_SPC_SMPTE170M / BT470BG (BT.601), AVCOL_SPC_BT709 or AVCOL_SPC_BT2020_NCL; full_range: 0 tv,
 * 1 pc. Returns 0, or a negative AVERROR with the reason in err (may be NULL): AVERROR(EINVAL) for a
 * bad argument, AVERROR_INVALIDDATA for a NaN (the first in raster order: "NaN in channel G at pixel
 * (12, 7)"; dst is then partly written), AVERROR(ENOMEM). Thread-safe: no state besides the caller's buffers. */
int pe_wide_convert(const source_frame *src, AVFrame *dst, enum AVColorSpace cs, int full_range, char *err,
                    size_t errsize);

/* The first NaN of an RGB_PLANAR_F32 frame from row from_row on, in raster order (row, pixel, then channel R,
 * G, B): AVERROR_INVALIDDATA with "NaN in channel G at pixel (12, 7)" in err, or 0 when there is none. */
int pe_wide_first_nan(const source_frame *src, int from_row, char *err, size_t size);

/* The kernels: PE_WIDE_AUTO picks the fastest the CPU runs (AVX2 + FMA on x86-64 when cpuid says so,
 * SIMD128 in the wasm build); PE_WIDE_PLAIN_C forces the portable C code (what non-x86 hosts run), for
 * tests and benchmarks. */
typedef enum pe_wide_kernel { PE_WIDE_AUTO, PE_WIDE_PLAIN_C } pe_wide_kernel;
int pe_wide_convert_with(pe_wide_kernel kernel, const source_frame *src, AVFrame *dst, enum AVColorSpace cs,
                         int full_range, char *err, size_t errsize);
/* The kernel PE_WIDE_AUTO runs on this machine: "avx2+fma", "simd128" or "c". */
const char *pe_wide_kernel_name(void);

#endif
