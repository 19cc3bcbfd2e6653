/* CUDA streams with the deep layouts (RGB48, RGBA64, RGB_PLANAR16, RGB_PLANAR_F32) and 10-bit formats.
 *
 * Everywhere (no GPU needed):
 *  - the kernel's arithmetic (platform/cuda/yuv_wide_math.h, the very function the kernel runs, here on
 *    the CPU) against the CPU path's (platform/cpu/wide.c, compiled in), every deep layout x {nv12,
 *    yuv420p, yuv444p, p010le, yuv420p10le, yuv444p10le, yuv444p16le} x matrix x range on random frames
 *    with extremes: at most 1 code apart, the samples 1 apart counted and printed; byte-exact with the
 *    AVX2 + FMA kernel where it runs (widths a multiple of 16);
 *  - 8-bit layouts into 10 bits, against the CPU path fed the same values as uint16 (v * 257);
 *  - the NaN search: the same first NaN, in the same order, as a cpu stream names;
 *  - DLPack: uint16 and float32 CPU tensors encoded and decoded back, and every wrong dtype.
 * On a GPU (skipped with exit code 77 when polyenc_cuda_device_count() is 0): the real kernels against
 * their emulation, NaN named from device memory, CUDA tensors, and NVENC with p010le. */
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/pixdesc.h>

#include "../platform/cuda/yuv_wide_math.h"
#include "cpu/wide.h"
#include "test_cuda_common.h"

#define CASES(X)                        \
  X(wide_math_vs_cpu_path, QUICK)       \
  X(eight_bit_into_ten_bits, QUICK)     \
  X(nan_search_order, QUICK)            \
  X(dlpack_cpu_deep, SLOW)              \
  X(dlpack_dtypes, QUICK)               \
  X(gpu_wide_kernel_vs_emulation, SLOW) \
  X(gpu_nan_named, SLOW)                \
  X(gpu_dlpack_deep, SLOW)              \
  X(gpu_nvenc_10bit, SLOW)
CHECK_MAIN(CASES)

static const int deep_layouts[] = {PE_DEEP_RGB48, PE_DEEP_RGBA64, PE_DEEP_PLANAR16, PE_DEEP_PLANAR_F32};
static const char *const deep_names[] = {"rgb48", "rgba64", "rgb-planar16", "rgb-planar-f32"};

/* The kernels' formats, and what the CPU path writes to compare them with (NV12: yuv420p's codes;
 * yuv444p16le: yuv444p10le's, << 6). */
static const struct out {
  int kernel;
  enum AVPixelFormat gpu, cpu;
} outs[] = {
    {PE_NV12, AV_PIX_FMT_NV12, AV_PIX_FMT_YUV420P},
    {PE_YUV420P, AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P},
    {PE_YUV444P, AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV444P},
    {PE_P010, AV_PIX_FMT_P010LE, AV_PIX_FMT_P010LE},
    {PE_YUV420P10, AV_PIX_FMT_YUV420P10LE, AV_PIX_FMT_YUV420P10LE},
    {PE_YUV444P10, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV444P10LE},
    {PE_YUV444P16, AV_PIX_FMT_YUV444P16LE, AV_PIX_FMT_YUV444P10LE},
};
enum { NUM_OUTS = sizeof outs / sizeof *outs };
static const enum AVColorSpace spaces[] = {AVCOL_SPC_SMPTE170M, AVCOL_SPC_BT709, AVCOL_SPC_BT2020_NCL};

/* ---- deep frames: padded strides, random samples with extremes ---- */
static uint32_t next_random(uint32_t *state) { return *state = *state * 1664525u + 1013904223u; }

static test_frame make_deep_frame(int layout, int w, int h, int n, uint32_t seed) {
  int s = pe_layout_sample_size(layout);
  test_frame f = {layout, w, h, {0}, 0, NULL};
  if (pe_is_planar_layout(layout)) {
    int64_t row = (int64_t)(w + 3) * s, channel = row * h + 4 * s;
    f.strides[1] = channel, f.strides[2] = row, f.strides[3] = s, f.strides[0] = 3 * channel + 8 * s;
  } else {
    int nc = layout == PE_DEEP_RGBA64 ? 4 : 3;
    int64_t row = (int64_t)w * nc * 2 + 6;
    f.strides[1] = row, f.strides[2] = nc * 2, f.strides[3] = 2, f.strides[0] = row * h + 10;
  }
  f.size = (size_t)(f.strides[0] * n);
  f.data = malloc(f.size);
  CHECK(f.data != NULL);
  static const uint16_t u16_extremes[] = {0, 65535, 1, 65534, 32767, 32768, 257, 128};
  static const float f32_extremes[] = {0.0f, 1.0f, -0.0f, -1.0f, 2.0f, INFINITY, -INFINITY, 1e-9f, 0.99999994f, 0.5f};
  uint32_t state = seed;
  for (size_t i = 0; i + (size_t)s <= f.size; i += (size_t)s) {
    uint32_t r = next_random(&state), extreme = (r >> 8) % 8 == 0;
    if (s == 2) {
      uint16_t v = extreme ? u16_extremes[(r >> 12) % 8] : (uint16_t)(r >> 16);
      memcpy(f.data + i, &v, 2);
    } else {
      float v = extreme ? f32_extremes[(r >> 12) % 10] : -0.05f + 1.1f * (float)(r >> 8) / 16777216.0f;
      memcpy(f.data + i, &v, 4);
    }
  }
  return f;
}

static source_frame source_of(const test_frame *f, const uint8_t *frame) {
  source_frame s = {(polyenc_layout)f->layout, frame, {f->strides[1], f->strides[2], f->strides[3]}, f->w, f->h};
  return s;
}

static AVFrame *frame_new(enum AVPixelFormat format, int w, int h) {
  AVFrame *f = av_frame_alloc();
  CHECK(f != NULL);
  f->format = format, f->width = w, f->height = h;
  CHECK_EQ_INT(av_frame_get_buffer(f, 0), 0);
  for (int i = 0; i < 4 && f->buf[i]; i++) memset(f->buf[i]->data, 0, f->buf[i]->size);
  return f;
}

/* The kernel's arithmetic on the CPU: frame (of f's layout) into a frame of format out->gpu. */
static AVFrame *emulate_wide(const test_frame *f, const uint8_t *frame, const struct out *out, int matrix, int range) {
  AVFrame *dst = frame_new(out->gpu, f->w, f->h);
  pe_wide_args a;
  memset(&a, 0, sizeof a);
  a.src = (uint64_t)(uintptr_t)frame;
  memcpy(a.stride, f->strides + 1, sizeof a.stride);
  for (int i = 0; i < 3; i++) a.dst[i] = (uint64_t)(uintptr_t)dst->data[i], a.pitch[i] = dst->linesize[i];
  pe_wide_make_args(f->layout, out->kernel, matrix, range, &a);
  a.width = f->w, a.height = f->h;
  pe_wide_convert_frame_host(&a);
  return dst;
}

/* The CPU path (platform/cpu/wide.c) with one of its kernels. */
static AVFrame *cpu_wide(const test_frame *f, const uint8_t *frame, enum AVPixelFormat format, int matrix, int range,
                         pe_wide_kernel kernel) {
  AVFrame *dst = frame_new(format, f->w, f->h);
  source_frame src = source_of(f, frame);
  char err[256] = "";
  CHECK_MSG(pe_wide_convert_with(kernel, &src, dst, spaces[matrix], range, err, sizeof err) == 0, "%s", err);
  return dst;
}

/* Code value of component comp (0 Y, 1 U, 2 V) at (x, y) of its plane; yuv444p16le's as 10 bits. */
static int code_at(const AVFrame *f, int comp, int x, int y) {
  const AVComponentDescriptor *c = &av_pix_fmt_desc_get((enum AVPixelFormat)f->format)->comp[comp];
  const uint8_t *p = f->data[c->plane] + (ptrdiff_t)y * f->linesize[c->plane] + x * c->step + c->offset;
  if (c->depth + c->shift <= 8) return *p;
  int v = AV_RL16(p) >> c->shift;
  return f->format == AV_PIX_FMT_YUV444P16LE ? v >> 6 : v;
}

typedef struct diff_count {
  int max;
  long off_by_one, samples;
} diff_count;

static void compare_codes(const AVFrame *a, const AVFrame *b, diff_count *d) {
  const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get((enum AVPixelFormat)a->format);
  for (int comp = 0; comp < 3; comp++) {
    int w = comp ? AV_CEIL_RSHIFT(a->width, desc->log2_chroma_w) : a->width;
    int h = comp ? AV_CEIL_RSHIFT(a->height, desc->log2_chroma_h) : a->height;
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        int diff = abs(code_at(a, comp, x, y) - code_at(b, comp, x, y));
        d->max = diff > d->max ? diff : d->max;
        d->off_by_one += diff == 1;
        d->samples++;
      }
  }
}

/* ---- wide_math_vs_cpu_path ---- */
static void case_wide_math_vs_cpu_path(void) {
  static const int sizes[][2] = {{64, 48}, {66, 34}, {17, 9}};
  int avx2 = !strcmp(pe_wide_kernel_name(), "avx2+fma");
  printf("kernel emulation vs the CPU path (auto kernel: %s): samples 1 code apart / samples compared\n",
         pe_wide_kernel_name());
  printf("  %-15s %-12s %18s %18s\n", "layout", "format", "vs auto", "vs plain C");
  for (int l = 0; l < 4; l++)
    for (int o = 0; o < NUM_OUTS; o++) {
      diff_count vs_auto = {0, 0, 0}, vs_c = {0, 0, 0};
      for (int si = 0; si < 3; si++)
        for (int m = 0; m < 3; m++)
          for (int r = 0; r < 2; r++) {
            int w = sizes[si][0], h = sizes[si][1];
            uint32_t seed = (uint32_t)(1 + si * 1000 + l * 100 + o * 10 + m * 2 + r);
            test_frame f = make_deep_frame(deep_layouts[l], w, h, 1, seed);
            AVFrame *emu = emulate_wide(&f, f.data, &outs[o], m, r);
            AVFrame *cpu = cpu_wide(&f, f.data, outs[o].cpu, m, r, PE_WIDE_AUTO);
            AVFrame *plain = cpu_wide(&f, f.data, outs[o].cpu, m, r, PE_WIDE_PLAIN_C);
            diff_count exact = {0, 0, 0};
            compare_codes(emu, cpu, avx2 && w % 16 == 0 ? &exact : &vs_auto);
            CHECK_MSG(exact.max == 0, "%s -> %s %dx%d %s %s: %ld samples differ from the AVX2 kernel", deep_names[l],
                      av_get_pix_fmt_name(outs[o].gpu), w, h, matrix_names[m], range_names[r], exact.off_by_one);
            vs_auto.samples += exact.samples;
            compare_codes(emu, plain, &vs_c);
            av_frame_free(&emu), av_frame_free(&cpu), av_frame_free(&plain);
            free(f.data);
          }
      printf("  %-15s %-12s %8ld / %-7ld %8ld / %-7ld\n", deep_names[l], av_get_pix_fmt_name(outs[o].gpu),
             vs_auto.off_by_one, vs_auto.samples, vs_c.off_by_one, vs_c.samples);
      CHECK_MSG(vs_auto.max <= 1 && vs_c.max <= 1, "%s -> %s: max difference %d (auto), %d (plain C)", deep_names[l],
                av_get_pix_fmt_name(outs[o].gpu), vs_auto.max, vs_c.max);
    }
}

/* ---- eight_bit_into_ten_bits: u8 / 255 = (257 u8) / 65535 ---- */
static void case_eight_bit_into_ten_bits(void) {
  printf("8-bit layouts into 10 bits vs the CPU path fed v * 257 as RGB48: samples 1 code apart\n");
  for (int l = PE_RGB_PLANAR; l <= PE_BGRA; l++)
    for (int o = PE_P010; o < NUM_OUTS; o++) {
      diff_count d = {0, 0, 0};
      for (int m = 0; m < 3; m++)
        for (int r = 0; r < 2; r++) {
          test_frame f = make_frame(l, 34, 18, 1, (uint32_t)(l * 100 + o * 10 + m * 2 + r));
          test_frame wide = {PE_DEEP_RGB48, f.w, f.h, {0, (int64_t)f.w * 6, 6, 2}, (size_t)f.w * f.h * 6, NULL};
          wide.data = malloc(wide.size);
          CHECK(wide.data != NULL);
          for (int y = 0; y < f.h; y++)
            for (int x = 0; x < f.w; x++)
              for (int c = 0; c < 3; c++) {
                uint16_t v = (uint16_t)(*pixel(&f, x, y, c) * 257);
                memcpy(wide.data + y * wide.strides[1] + x * 6 + c * 2, &v, 2);
              }
          AVFrame *emu = emulate_wide(&f, f.data, &outs[o], m, r);
          AVFrame *cpu = cpu_wide(&wide, wide.data, outs[o].cpu, m, r, PE_WIDE_AUTO);
          compare_codes(emu, cpu, &d);
          av_frame_free(&emu), av_frame_free(&cpu);
          free(f.data), free(wide.data);
        }
      printf("  %-10s -> %-12s %5ld / %ld\n", layout_names[l], av_get_pix_fmt_name(outs[o].gpu), d.off_by_one,
             d.samples);
      CHECK_MSG(d.max <= 1, "%s -> %s: max difference %d", layout_names[l], av_get_pix_fmt_name(outs[o].gpu), d.max);
    }
}

/* ---- NaN: the same first one as the CPU path names ---- */
enum { NW = 20, NH = 12, NN = 3 };

/* NN float frames (contiguous) with NaNs of several bit patterns; the first in raster order (frame, row,
 * column, channel) is frame 1, channel B, pixel (3, 5). */
static float *nan_frames(void) {
  float *p = malloc(sizeof(float) * NN * 3 * NW * NH);
  CHECK(p != NULL);
  for (int i = 0; i < NN * 3 * NW * NH; i++) p[i] = (float)(i % 97) / 96.0f;
  uint32_t quiet = 0x7fc00000u, negative = 0xffc00001u, signalling = 0x7f800001u;
  static const int at[][4] = {{1, 1, 10, 5}, {1, 2, 3, 5}, {1, 0, 0, 7}, {2, 0, 0, 0}}; /* frame, c, x, y */
  const uint32_t bits[] = {quiet, signalling, negative, quiet};
  for (int i = 0; i < 4; i++)
    memcpy(&p[((at[i][0] * 3 + at[i][1]) * NH + at[i][3]) * NW + at[i][2]], &bits[i], 4);
  p[5] = INFINITY, p[6] = -INFINITY; /* not NaN */
  return p;
}

static void expect_nan_error(polyenc_encoder *enc, polyenc_stream *s, const void *data) {
  polyenc_frames fr = frames_of(data, POLYENC_RGB_PLANAR_F32, NN, NW, NH);
  CHECK_STATUS(enc, polyenc_add_frames(s, &fr), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "frame 1 of the call: NaN in channel B at pixel (3, 5)");
  printf("%s\n", polyenc_last_error(enc));
}

static void case_nan_search_order(void) {
  float *p = nan_frames();
  pe_nan_args a = {(uint64_t)(uintptr_t)p, {4 * NW * NH, 4 * NW, 4}, 12 * NW * NH, 0, NW, NH, NN, 0};
  uint64_t key = pe_find_nan_host(&a);
  int frame, c, x, y;
  pe_nan_position(&a, key, &frame, &c, &x, &y);
  CHECK_EQ_INT(frame, 1);
  CHECK_EQ_INT(c, 2);
  CHECK_EQ_INT(x, 3);
  CHECK_EQ_INT(y, 5);
  CHECK_EQ_INT(key, pe_nan_key(&a, 1, 2, 3, 5));
  a.frames = 1; /* frame 0 has none */
  CHECK(pe_find_nan_host(&a) == UINT64_MAX);
  /* a cpu stream names the same NaN */
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(NW, NH, 30);
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mkv"));
  expect_nan_error(enc, s, p);
  polyenc_encoder_free(enc);
  free(p);
}

/* ---- DLPack: uint16 and float32 tensors ---- */
/* The pattern as every deep tensor: u16 NHWC3, NHWC4, NCHW; f32 NCHW and NHWC. */
typedef struct deep_tensors {
  uint16_t *nhwc3, *nhwc4, *nchw;
  float *f_nchw, *f_nhwc;
  size_t bytes[5];
} deep_tensors;

static deep_tensors make_deep_tensors(const uint8_t *rgb) {
  size_t plane = (size_t)DW * DH, n = DN * plane;
  deep_tensors t = {malloc(n * 6), malloc(n * 8), malloc(n * 6), malloc(n * 12), malloc(n * 12),
                    {n * 6, n * 8, n * 6, n * 12, n * 12}};
  CHECK(t.nhwc3 && t.nhwc4 && t.nchw && t.f_nchw && t.f_nhwc);
  for (int i = 0; i < DN; i++)
    for (size_t p = 0; p < plane; p++) {
      for (int c = 0; c < 3; c++) {
        uint8_t v = rgb[(i * plane + p) * 3 + c];
        t.nhwc3[(i * plane + p) * 3 + c] = t.nhwc4[(i * plane + p) * 4 + c] = t.nchw[(i * 3 + c) * plane + p] =
            (uint16_t)(v * 257);
        t.f_nchw[(i * 3 + c) * plane + p] = t.f_nhwc[(i * plane + p) * 3 + c] = v / 255.0f;
      }
      t.nhwc4[(i * plane + p) * 4 + 3] = 65535;
    }
  return t;
}

static void free_deep_tensors(deep_tensors *t) {
  free(t->nhwc3), free(t->nhwc4), free(t->nchw), free(t->f_nchw), free(t->f_nhwc);
}

static DLTensor typed(DLTensor t, int code, int bits) {
  t.dtype.code = (uint8_t)code, t.dtype.bits = (uint8_t)bits;
  return t;
}

/* Every deep tensor (data[i] the host or device copy of the i-th of deep_tensors) through a stream on device. */
static void deep_roundtrips(const char *device, int device_type, void *const data[5], const uint8_t *rgb) {
  size_t plane = (size_t)DW * DH;
  int64_t nchw[4] = {DN, 3, DH, DW}, nhwc3[4] = {DN, DH, DW, 3}, nhwc4[4] = {DN, DH, DW, 4};
  int64_t f_view[4] = {(int64_t)(3 * plane), 1, 3 * DW, 3};  /* NHWC float memory as NCHW (permute) */
  int64_t u_view[4] = {(int64_t)(3 * plane), DW, 1, (int64_t)plane}; /* NCHW uint16 memory as NHWC */
  DLTensor t = typed(tensor(data[0], device_type, nhwc3, NULL), kDLUInt, 16);
  dlpack_roundtrip("rgb48.mp4", device, NULL, &t, rgb, DN, DW, DH);
  t = typed(tensor(data[1], device_type, nhwc4, NULL), kDLUInt, 16);
  dlpack_roundtrip("rgba64.mp4", device, NULL, &t, rgb, DN, DW, DH);
  t = typed(tensor(data[2], device_type, nchw, NULL), kDLUInt, 16);
  dlpack_roundtrip("planar16.mp4", device, NULL, &t, rgb, DN, DW, DH);
  t = typed(tensor(data[2], device_type, nhwc3, u_view), kDLUInt, 16);
  dlpack_roundtrip("planar16_as_rgb48.mp4", device, NULL, &t, rgb, DN, DW, DH);
  t = typed(tensor(data[3], device_type, nchw, NULL), kDLFloat, 32);
  dlpack_roundtrip("planar_f32.mp4", device, NULL, &t, rgb, DN, DW, DH);
  t = typed(tensor(data[4], device_type, nchw, f_view), kDLFloat, 32);
  dlpack_roundtrip("permuted_f32.mp4", device, NULL, &t, rgb, DN, DW, DH);
}

static void case_dlpack_cpu_deep(void) {
  uint8_t *rgb = pattern_frames(DW, DH, DN);
  deep_tensors t = make_deep_tensors(rgb);
  void *const data[5] = {t.nhwc3, t.nhwc4, t.nchw, t.f_nchw, t.f_nhwc};
  deep_roundtrips(NULL, kDLCPU, data, rgb);
  free_deep_tensors(&t);
  free(rgb);
}

static void case_dlpack_dtypes(void) {
  float buf[2 * 3 * 16 * 16] = {0};
  int64_t nchw[4] = {1, 3, 16, 16}, nhwc[4] = {1, 16, 16, 3}, wrong[4] = {1, 3, 16, 8};
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(16, 16, 30);
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mkv"));
  static const struct { int code, bits; const char *name; } bad[] = {
      {kDLInt, 16, "int16"}, {kDLFloat, 16, "float16"}, {kDLFloat, 64, "float64"}, {kDLBfloat, 16, "bfloat16"},
      {kDLUInt, 32, "uint32"}, {kDLInt, 8, "int8"}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    DLTensor t = typed(tensor(buf, kDLCPU, nchw, NULL), bad[i].code, bad[i].bits);
    CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
    CHECK_CONTAINS(polyenc_last_error(enc), bad[i].name);
    CHECK_CONTAINS(polyenc_last_error(enc), "uint8, uint16 or float32");
  }
  DLTensor t = typed(tensor(buf, kDLCPU, nhwc, NULL), kDLFloat, 32); /* channels-last float */
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "channels-last");
  CHECK_CONTAINS(polyenc_last_error(enc), "permute(0, 3, 1, 2)");
  printf("%s\n", polyenc_last_error(enc));
  t = typed(tensor(buf, kDLCPU, wrong, NULL), kDLUInt, 16);
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "(1, 3, 16, 8)");
  buf[100] = NAN; /* frame 0, channel R, pixel (4, 6) */
  t = typed(tensor(buf, kDLCPU, nchw, NULL), kDLFloat, 32);
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "NaN in channel R at pixel (4, 6)");
  buf[100] = 0.5f;
  CHECK_OK(enc, polyenc_add_frames_dlpack(s, &t));
  t = typed(tensor(buf, kDLCPU, nhwc, NULL), kDLUInt, 16);
  CHECK_OK(enc, polyenc_add_frames_dlpack(s, &t));
  CHECK_OK(enc, polyenc_close(enc));
  const uint8_t *out;
  size_t size;
  CHECK_OK(enc, polyenc_output(enc, &out, &size));
  CHECK_EQ_INT(media_count_packets(src_mem(out, size), 0), 2);
  polyenc_encoder_free(enc);
}

/* ---- on a GPU ---- */
/* One frame through a cuda stream with codec rawvideo and pixel_format format: the converter's bytes. */
static AVFrame *gpu_convert(const test_frame *f, devptr data, enum AVPixelFormat format, int matrix, int range) {
  const char *path = tmp_path("raw.nut");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(f->w, f->h, 25);
  vc.codec = "rawvideo", vc.device = "cuda", vc.pixel_format = av_get_pix_fmt_name(format);
  vc.color_space = matrix_names[matrix], vc.color_range = range_names[range];
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames fr = frames_of((const void *)(uintptr_t)data, (polyenc_layout)f->layout, 1, f->w, f->h);
  memcpy(fr.strides, f->strides, sizeof fr.strides);
  CHECK_OK(enc, polyenc_add_frames(s, &fr));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  size_t size;
  uint8_t *bytes = first_packet(path, &size);
  AVFrame *out = frame_new(format, f->w, f->h);
  CHECK_EQ_INT(size, av_image_get_buffer_size(format, f->w, f->h, 1));
  uint8_t *planes[4];
  int linesize[4];
  CHECK(av_image_fill_arrays(planes, linesize, bytes, format, f->w, f->h, 1) >= 0);
  av_image_copy(out->data, out->linesize, (const uint8_t **)planes, linesize, format, f->w, f->h);
  free(bytes);
  return out;
}

static void case_gpu_wide_kernel_vs_emulation(void) {
  need_gpu();
  if (!polyenc_has_encoder("rawvideo")) SKIP("no rawvideo encoder in this FFmpeg");
  static const int layouts[] = {PE_DEEP_RGB48,      PE_DEEP_RGBA64, PE_DEEP_PLANAR16,
                                PE_DEEP_PLANAR_F32, PE_RGB24,       PE_RGB_PLANAR};
  for (int l = 0; l < 6; l++)
    for (int o = 0; o < NUM_OUTS; o++) {
      if (layouts[l] <= PE_BGRA && outs[o].kernel <= PE_YUV444P) continue; /* test_cuda_gpu.c */
      for (int m = 0; m < 3; m++)
        for (int r = 0; r < 2; r++) {
          test_frame f = layouts[l] <= PE_BGRA ? make_frame(layouts[l], 66, 34, 1, (uint32_t)(l + o + m + r))
                                               : make_deep_frame(layouts[l], 66, 34, 1, (uint32_t)(l * 7 + o + m + r));
          devptr d = to_device(f.data, f.size);
          AVFrame *gpu = gpu_convert(&f, d, outs[o].gpu, m, r), *emu = emulate_wide(&f, f.data, &outs[o], m, r);
          diff_count diff = {0, 0, 0};
          compare_codes(gpu, emu, &diff);
          CHECK_MSG(diff.max == 0, "layout %d -> %s %s %s: GPU differs from its emulation (%ld samples)", layouts[l],
                    av_get_pix_fmt_name(outs[o].gpu), matrix_names[m], range_names[r], diff.off_by_one);
          CHECK_EQ_INT(drv.MemFree(d), 0);
          av_frame_free(&gpu), av_frame_free(&emu);
          free(f.data);
        }
    }
}

static void case_gpu_nan_named(void) {
  need_gpu();
  float *p = nan_frames();
  size_t bytes = sizeof(float) * NN * 3 * NW * NH;
  devptr d = to_device(p, bytes);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(NW, NH, 30);
  vc.device = "cuda";
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mkv"));
  expect_nan_error(enc, s, (const void *)(uintptr_t)d);
  CHECK_CONTAINS(polyenc_last_error(enc), "nothing of the call was encoded");
  polyenc_frames fr = frames_of((const void *)(uintptr_t)d, POLYENC_RGB_PLANAR_F32, 1, NW, NH); /* frame 0: clean */
  CHECK_OK(enc, polyenc_add_frames(s, &fr));
  CHECK_OK(enc, polyenc_close(enc));
  const uint8_t *out;
  size_t size;
  CHECK_OK(enc, polyenc_output(enc, &out, &size));
  CHECK_EQ_INT(media_count_packets(src_mem(out, size), 0), 1);
  polyenc_encoder_free(enc);
  CHECK_EQ_INT(drv.MemFree(d), 0);
  free(p);
}

static void case_gpu_dlpack_deep(void) {
  need_gpu();
  uint8_t *rgb = pattern_frames(DW, DH, DN);
  deep_tensors t = make_deep_tensors(rgb);
  const void *host[5] = {t.nhwc3, t.nhwc4, t.nchw, t.f_nchw, t.f_nhwc};
  devptr d[5];
  void *data[5];
  for (int i = 0; i < 5; i++) d[i] = to_device(host[i], t.bytes[i]), data[i] = (void *)(uintptr_t)d[i];
  deep_roundtrips("cuda", kDLCUDA, data, rgb);
  for (int i = 0; i < 5; i++) CHECK_EQ_INT(drv.MemFree(d[i]), 0);
  free_deep_tensors(&t);
  free(rgb);
}

/* NVENC from RGB48 and RGB24 device frames into p010le; h264_nvenc refuses 10 bits by name. */
static void case_gpu_nvenc_10bit(void) {
  need_gpu();
  if (!polyenc_cuda_has_nvenc(0, "hevc_nvenc")) SKIP("no working hevc_nvenc on cuda:0");
  enum { W = 320, H = 240, N = 10 };
  uint8_t *rgb = pattern_frames(W, H, N);
  uint16_t *rgb48 = malloc(sizeof(uint16_t) * 3 * W * H * N);
  CHECK(rgb48 != NULL);
  for (size_t i = 0; i < (size_t)3 * W * H * N; i++) rgb48[i] = (uint16_t)(rgb[i] * 257);
  devptr d8 = to_device(rgb, (size_t)3 * W * H * N), d16 = to_device(rgb48, sizeof(uint16_t) * 3 * W * H * N);
  const struct { devptr data; polyenc_layout layout; const char *name; } inputs[] = {
      {d16, POLYENC_RGB48, "nvenc_p010_rgb48.mp4"}, {d8, POLYENC_RGB24, "nvenc_p010_rgb24.mp4"}};
  for (int i = 0; i < 2; i++) {
    const char *path = tmp_path(inputs[i].name);
    polyenc_encoder *enc = polyenc_encoder_new();
    polyenc_video_config vc = video_cfg(W, H, 30);
    /* 10 bits asked as P010 of hevc_nvenc, and as yuv420p10le of whichever encoder "hevc" gets (NVENC: P010) */
    vc.device = "cuda", vc.codec = i ? "hevc" : "hevc_nvenc", vc.pixel_format = i ? "yuv420p10le" : "p010le";
    polyenc_stream *s = add_video_ok(enc, &vc);
    CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
    polyenc_frames f = frames_of((const void *)(uintptr_t)inputs[i].data, inputs[i].layout, N, W, H);
    CHECK_OK(enc, polyenc_add_frames(s, &f));
    CHECK_OK(enc, polyenc_close(enc));
    polyenc_encoder_free(enc);
    video_frames vf;
    CHECK_EQ_INT(media_decode_rgb(src_file(path), 0, "bt601", 0, &vf), 0);
    CHECK_EQ_INT(vf.num_frames, N);
    double psnr = psnr_u8(vf.data, rgb, (size_t)N * W * H * 3);
    printf("%s: PSNR %.2f dB\n", path, psnr);
    CHECK_GT(psnr, 35);
    video_frames_free(&vf);
  }
  if (polyenc_cuda_has_nvenc(0, "h264_nvenc")) {
    polyenc_encoder *enc = polyenc_encoder_new();
    polyenc_video_config vc = video_cfg(W, H, 30);
    vc.device = "cuda", vc.codec = "h264_nvenc", vc.pixel_format = "p010le";
    polyenc_stream *s = NULL;
    CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_UNSUPPORTED);
    CHECK_CONTAINS(polyenc_last_error(enc), "10-bit");
    printf("%s\n", polyenc_last_error(enc));
    polyenc_encoder_free(enc);
  }
  CHECK_EQ_INT(drv.MemFree(d8), 0);
  CHECK_EQ_INT(drv.MemFree(d16), 0);
  free(rgb), free(rgb48);
}
