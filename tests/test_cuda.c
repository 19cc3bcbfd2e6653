/* CUDA video streams and DLPack input.
 *
 * Everywhere (no GPU needed):
 *  - the kernel's arithmetic (platform/cuda/yuv_math.h, the very function the kernel runs, here on the
 *    CPU) against a double-precision reference and against the CPU path (the library's own conversion,
 *    read back through the rawvideo codec), every layout x format x matrix x range, odd and even sizes;
 *  - cuda streams on a machine without driver / GPU: POLYENC_ERR_UNSUPPORTED naming the reason;
 *  - DLPack: CPU tensors encoded and decoded back, and every kind of bad tensor.
 * On a GPU (skipped with exit code 77 when polyenc_cuda_device_count() is 0): the real kernel against
 * its emulation, encodes from device memory decoded back, mixed CPU + CUDA streams, NVENC errors,
 * CUDA DLPack tensors, bad pointers, and frames still being written on another CUDA stream. */
#define _GNU_SOURCE
#include <dlfcn.h>

#include <dlpack/dlpack.h>

#include "../platform/cuda/yuv_math.h"
#include "helpers.h"

#define CASES(X)                          \
  X(math_vs_reference, QUICK)             \
  X(math_vs_cpu_path, SLOW)               \
  X(no_gpu_cuda_stream_unsupported, QUICK) \
  X(device_strings, QUICK)                \
  X(capabilities, QUICK)                  \
  X(dlpack_cpu_layouts, SLOW)             \
  X(dlpack_errors, QUICK)                 \
  X(gpu_kernel_vs_emulation, SLOW)        \
  X(gpu_encode_psnr, SLOW)                \
  X(gpu_mixed_streams_mkv, SLOW)          \
  X(gpu_nvenc_explicit, SLOW)             \
  X(gpu_dlpack, SLOW)                     \
  X(gpu_bad_input, SLOW)                  \
  X(gpu_producer_stream, SLOW)             \
  X(gpu_timestamps_key_frames, SLOW)
CHECK_MAIN(CASES)

static const char *const layout_names[] = {"rgb_planar", "rgb24", "rgba", "bgra"};
static const char *const format_names[] = {"nv12", "yuv420p", "yuv444p"};
static const char *const matrix_names[] = {"bt601", "bt709", "bt2020"};
static const char *const range_names[] = {"tv", "pc"};

/* ---- a frame in a layout, with padded (non-contiguous) strides ---- */
typedef struct test_frame {
  int layout, w, h;
  int64_t strides[4]; /* polyenc_frames order: {frame, ...} */
  size_t size;
  uint8_t *data;
} test_frame;

static test_frame make_frame(int layout, int w, int h, int n, uint32_t seed) {
  test_frame f = {layout, w, h, {0}, 0, NULL};
  if (layout == PE_RGB_PLANAR) {
    int64_t row = w + 5, channel = row * h + 11;
    f.strides[1] = channel, f.strides[2] = row, f.strides[3] = 1, f.strides[0] = 3 * channel + 3;
  } else {
    int bpp = layout == PE_RGB24 ? 3 : 4;
    int64_t row = (int64_t)w * bpp + 7;
    f.strides[1] = row, f.strides[2] = bpp, f.strides[3] = 1, f.strides[0] = row * h + 9;
  }
  f.size = (size_t)(f.strides[0] * n);
  f.data = malloc(f.size);
  CHECK(f.data != NULL);
  random_bytes(f.data, f.size, seed);
  return f;
}

static const uint8_t *pixel(const test_frame *f, int x, int y, int c) {
  if (f->layout == PE_RGB_PLANAR) return f->data + c * f->strides[1] + y * f->strides[2] + x * f->strides[3];
  if (f->layout == PE_BGRA) c = 2 - c;
  return f->data + y * f->strides[1] + x * f->strides[2] + c * f->strides[3];
}

/* ---- planes of a converted frame, packed without padding (the rawvideo layout) ---- */
typedef struct planes {
  int format, w, h, cw, ch; /* chroma plane size in samples (NV12: cw pairs) */
  uint8_t *data;
  size_t size;
} planes;

static planes make_planes(int format, int w, int h) {
  planes p = {format, w, h, format == PE_YUV444P ? w : (w + 1) / 2, format == PE_YUV444P ? h : (h + 1) / 2, NULL, 0};
  p.size = (size_t)w * h + 2 * (size_t)p.cw * p.ch;
  p.data = calloc(1, p.size);
  CHECK(p.data != NULL);
  return p;
}

static void kernel_args_for(pe_kernel_args *a, const test_frame *f, const uint8_t *frame, planes *p, int matrix, int range) {
  memset(a, 0, sizeof *a);
  a->src = (uint64_t)(uintptr_t)frame;
  memcpy(a->stride, f->strides + 1, sizeof a->stride);
  uint8_t *y = p->data, *u = y + (size_t)p->w * p->h, *v = u + (size_t)p->cw * p->ch;
  a->dst[0] = (uint64_t)(uintptr_t)y, a->dst[1] = (uint64_t)(uintptr_t)u, a->dst[2] = (uint64_t)(uintptr_t)v;
  a->pitch[0] = p->w;
  a->pitch[1] = p->format == PE_NV12 ? 2 * p->cw : p->cw;
  a->pitch[2] = p->cw;
  a->layout = f->layout, a->format = p->format, a->width = f->w, a->height = f->h;
  pe_make_coefficients(matrix, range, a);
}

/* The kernel's arithmetic, run on the CPU. */
static planes emulate(const test_frame *f, const uint8_t *frame, int format, int matrix, int range) {
  planes p = make_planes(format, f->w, f->h);
  pe_kernel_args a;
  kernel_args_for(&a, f, frame, &p, matrix, range);
  pe_convert_frame_host(&a);
  return p;
}

/* Max difference per plane kind: [0] luma, [1] chroma. */
static void max_diff(const planes *a, const planes *b, int out[2]) {
  size_t luma = (size_t)a->w * a->h;
  out[0] = out[1] = 0;
  for (size_t i = 0; i < a->size; i++) {
    int d = abs(a->data[i] - b->data[i]);
    int k = i >= luma;
    if (d > out[k]) out[k] = d;
  }
}

/* ---- math_vs_reference: the fixed point against the textbook formula in double precision ---- */
static planes reference(const test_frame *f, int format, int matrix, int range) {
  static const double krs[] = {0.299, 0.2126, 0.2627}, kbs[] = {0.114, 0.0722, 0.0593};
  double kr = krs[matrix], kb = kbs[matrix], kg = 1 - kr - kb;
  double ys = range ? 1 : 219.0 / 255, cs = range ? 1 : 224.0 / 255, yo = range ? 0 : 16;
  planes p = make_planes(format, f->w, f->h);
  uint8_t *yp = p.data, *up = yp + (size_t)p.w * p.h, *vp = up + (size_t)p.cw * p.ch;
  int sub = format != PE_YUV444P;
  for (int y = 0; y < f->h; y++)
    for (int x = 0; x < f->w; x++) {
      double r = *pixel(f, x, y, 0), g = *pixel(f, x, y, 1), b = *pixel(f, x, y, 2);
      yp[y * f->w + x] = (uint8_t)fmin(255, fmax(0, floor((kr * r + kg * g + kb * b) * ys + yo + 0.5)));
    }
  for (int cy = 0; cy < p.ch; cy++)
    for (int cx = 0; cx < p.cw; cx++) {
      double s[3] = {0, 0, 0};
      int n = 0;
      for (int dy = 0; dy <= sub; dy++)
        for (int dx = 0; dx <= sub; dx++) {
          int x = (sub ? 2 * cx : cx) + dx, y = (sub ? 2 * cy : cy) + dy;
          if (x >= f->w || y >= f->h) continue;
          for (int c = 0; c < 3; c++) s[c] += *pixel(f, x, y, c);
          n++;
        }
      double r = s[0] / n, g = s[1] / n, b = s[2] / n, luma = kr * r + kg * g + kb * b;
      double u = (b - luma) / (2 * (1 - kb)) * cs + 128, v = (r - luma) / (2 * (1 - kr)) * cs + 128;
      uint8_t U = (uint8_t)fmin(255, fmax(0, floor(u + 0.5))), V = (uint8_t)fmin(255, fmax(0, floor(v + 0.5)));
      if (format == PE_NV12) up[cy * 2 * p.cw + 2 * cx] = U, up[cy * 2 * p.cw + 2 * cx + 1] = V;
      else up[cy * p.cw + cx] = U, vp[cy * p.cw + cx] = V;
    }
  return p;
}

static void case_math_vs_reference(void) {
  static const int sizes[][2] = {{64, 48}, {66, 34}, {17, 9}, {1, 1}, {2, 3}, {33, 2}};
  int worst[2] = {0, 0};
  for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
    for (int l = 0; l < 4; l++)
      for (int fm = 0; fm < 3; fm++)
        for (int m = 0; m < 3; m++)
          for (int r = 0; r < 2; r++) {
            test_frame f = make_frame(l, sizes[si][0], sizes[si][1], 1, (uint32_t)(si * 100 + l * 10 + fm + 1));
            planes got = emulate(&f, f.data, fm, m, r), want = reference(&f, fm, m, r);
            int d[2];
            max_diff(&got, &want, d);
            CHECK_MSG(d[0] <= 1 && d[1] <= 1, "%dx%d %s -> %s %s %s: max difference Y %d, chroma %d", f.w, f.h,
                      layout_names[l], format_names[fm], matrix_names[m], range_names[r], d[0], d[1]);
            worst[0] = d[0] > worst[0] ? d[0] : worst[0], worst[1] = d[1] > worst[1] ? d[1] : worst[1];
            free(got.data), free(want.data), free(f.data);
          }
  printf("kernel arithmetic vs double-precision reference, %d cases: max difference Y %d, chroma %d\n",
         (int)(sizeof sizes / sizeof *sizes) * 72, worst[0], worst[1]);
}

/* ---- math_vs_cpu_path: the library's CPU conversion, read back through the rawvideo codec ---- */
/* Where FFmpeg has no rawvideo encoder (the bundled one): the planes of the only frame of a lossless
 * libx264 file (qp 0), decoded; NV12's chroma interleaved again. */
static void lossless_planes(const char *path, planes *p) {
  video_frames vf;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &vf), 0);
  CHECK_EQ_INT(vf.num_frames, 1);
  CHECK_EQ_INT(vf.frame_size, p->size);
  size_t luma = (size_t)p->w * p->h, chroma = (size_t)p->cw * p->ch;
  memcpy(p->data, vf.data, p->format == PE_NV12 ? luma : p->size);
  for (size_t i = 0; p->format == PE_NV12 && i < chroma; i++)
    p->data[luma + 2 * i] = vf.data[luma + i], p->data[luma + 2 * i + 1] = vf.data[luma + chroma + i];
  video_frames_free(&vf);
}

/* The first packet of stream 0 of a file. */
static uint8_t *first_packet(const char *path, size_t *size) {
  AVFormatContext *fmt = NULL;
  CHECK_EQ_INT(avformat_open_input(&fmt, path, NULL, NULL), 0);
  AVPacket *pkt = av_packet_alloc();
  CHECK(pkt != NULL);
  CHECK_EQ_INT(av_read_frame(fmt, pkt), 0);
  uint8_t *data = malloc((size_t)pkt->size);
  CHECK(data != NULL);
  memcpy(data, pkt->data, (size_t)pkt->size);
  *size = (size_t)pkt->size;
  av_packet_free(&pkt);
  avformat_close_input(&fmt);
  return data;
}

/* One frame through a polyenc stream (cpu, or `device`) with codec rawvideo (else lossless libx264): the
 * converter's bytes. */
static planes convert_with_polyenc(const char *device, const test_frame *f, const void *data, int format, int matrix,
                                   int range) {
  static const char *const lossless[] = {"qp", "0", NULL};
  int raw = polyenc_has_encoder("rawvideo"); /* (the bundled FFmpeg has none) */
  const char *path = tmp_path(raw ? "raw.nut" : "lossless.mkv");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(f->w, f->h, 25);
  vc.codec = raw ? "rawvideo" : "libx264";
  vc.options = raw ? NULL : lossless;
  vc.device = device;
  vc.pixel_format = format_names[format];
  vc.color_space = matrix_names[matrix];
  vc.color_range = range_names[range];
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames fr = frames_of(data, (polyenc_layout)f->layout, 1, f->w, f->h);
  memcpy(fr.strides, f->strides, sizeof fr.strides);
  CHECK_OK(enc, polyenc_add_frames(s, &fr));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  planes p = make_planes(format, f->w, f->h);
  if (!raw) {
    lossless_planes(path, &p);
    return p;
  }
  size_t size;
  uint8_t *bytes = first_packet(path, &size);
  CHECK_EQ_INT(size, p.size);
  memcpy(p.data, bytes, size);
  free(bytes);
  return p;
}

/* Whether the CPU path converts with libyuv (platform/cpu/convert.c: try_libyuv), whose 2x2 mean is
 * pavgb-rounded and whose coefficients are 8-bit; otherwise swscale. */
static int cpu_uses_libyuv(int l, int fm, int m, int r) {
  if (m != PE_BT601) return 0;
  if (fm == PE_YUV420P) return 1; /* every layout, tv and pc (J420) */
  if (r) return 0;
  return (fm == PE_NV12 && (l == PE_RGBA || l == PE_BGRA)) || (fm == PE_YUV444P && l == PE_BGRA);
}

static void case_math_vs_cpu_path(void) {
  static const int sizes[][2] = {{64, 48}, {66, 34}, {17, 9}};
  int failures = 0;
  printf("max |kernel - CPU path| per case (Y, chroma); random frames, padded strides\n");
  for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
    for (int l = 0; l < 4; l++)
      for (int fm = 0; fm < 3; fm++)
        for (int m = 0; m < 3; m++)
          for (int r = 0; r < 2; r++) {
            int w = sizes[si][0], h = sizes[si][1];
            if ((w % 2 || h % 2) && fm != PE_YUV444P) continue; /* 4:2:0 streams need even sizes */
            test_frame f = make_frame(l, w, h, 1, (uint32_t)(7 + si * 100 + l * 10 + fm));
            planes got = emulate(&f, f.data, fm, m, r);
            planes cpu = convert_with_polyenc(NULL, &f, f.data, fm, m, r);
            int d[2];
            max_diff(&got, &cpu, d);
            int libyuv = cpu_uses_libyuv(l, fm, m, r), subsampled = fm != PE_YUV444P;
            /* Bounds: within 1 everywhere (swscale's SWS_AREA chroma is a 2x2 mean too), except libyuv's
             * own 4:2:0 chroma rounding on x86 (it rounds the average up twice): 2 at most. */
            int bound_c = subsampled && libyuv ? 2 : 1;
            printf("  %2dx%-2d %-10s %-7s %-6s %s  Y %d  C %2d\n", w, h, layout_names[l], format_names[fm],
                   matrix_names[m], range_names[r], d[0], d[1]);
            if (d[0] > 1 || d[1] > bound_c) failures++;
            free(got.data), free(cpu.data), free(f.data);
          }
  CHECK_EQ_INT(failures, 0);
}

/* ---- no GPU ---- */
static void case_no_gpu_cuda_stream_unsupported(void) {
  if (polyenc_cuda_device_count() > 0) SKIP("a CUDA device is present: the no-GPU errors cannot be seen here");
  static const char *const devices[] = {"cuda", "cuda:0", "cuda:1"};
  for (int i = 0; i < 3; i++) {
    polyenc_encoder *enc = polyenc_encoder_new();
    polyenc_video_config vc = video_cfg(64, 48, 30);
    vc.device = devices[i];
    polyenc_stream *s = NULL;
    CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_UNSUPPORTED);
    const char *msg = polyenc_last_error(enc);
    CHECK_CONTAINS(msg, devices[i]);
    CHECK_MSG(strstr(msg, "no CUDA driver") || strstr(msg, "no CUDA device") || strstr(msg, "no CUDA support") ||
                  strstr(msg, "failed to initialise"),
              "message names no reason: %s", msg);
    printf("%s: %s\n", devices[i], msg);
    /* the encoder stays usable: a cpu stream next */
    polyenc_video_config cpu = video_cfg(64, 48, 30);
    add_video_ok(enc, &cpu);
    polyenc_encoder_free(enc);
  }
}

static void case_device_strings(void) {
  static const char *const bad[] = {"gpu", "cuda:", "cuda:x", "cuda:-1", "cuda0", "CUDA", "cuda:1:2"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    polyenc_encoder *enc = polyenc_encoder_new();
    polyenc_video_config vc = video_cfg(64, 48, 30);
    vc.device = bad[i];
    polyenc_stream *s = NULL;
    CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_ARGUMENT);
    CHECK_CONTAINS(polyenc_last_error(enc), bad[i]);
    polyenc_encoder_free(enc);
  }
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(64, 48, 30);
  vc.device = "cuda:999";
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "cuda:999");
  vc.device = "cpu";
  add_video_ok(enc, &vc);
  polyenc_encoder_free(enc);
}

static void case_capabilities(void) {
  int n = polyenc_cuda_device_count();
  CHECK(n >= 0);
  char name[256] = "x";
  CHECK_EQ_INT(polyenc_cuda_device_name(-1, name, sizeof name), -1);
  CHECK_EQ_INT(polyenc_cuda_device_name(n, name, sizeof name), -1);
  CHECK_EQ_INT(polyenc_cuda_has_nvenc(n, "h264_nvenc"), 0);
  CHECK_EQ_INT(polyenc_cuda_has_nvenc(0, "libx264"), 0);
  CHECK_EQ_INT(polyenc_cuda_has_nvenc(0, NULL), 0);
  for (int i = 0; i < n; i++) {
    CHECK_EQ_INT(polyenc_cuda_device_name(i, name, sizeof name), 0);
    printf("cuda:%d %s, h264_nvenc %d\n", i, name, polyenc_cuda_has_nvenc(i, "h264_nvenc"));
  }
}

/* ---- DLPack on the CPU ---- */
static DLTensor tensor(void *data, int device_type, int64_t *shape, int64_t *strides) {
  DLTensor t;
  memset(&t, 0, sizeof t);
  t.data = data;
  t.device.device_type = (DLDeviceType)device_type;
  t.ndim = 4;
  t.dtype.code = kDLUInt, t.dtype.bits = 8, t.dtype.lanes = 1;
  t.shape = shape;
  t.strides = strides;
  return t;
}

/* n RGB24 frames (pattern) encoded from a tensor built by `fill` of one layout, decoded and compared. */
static void dlpack_roundtrip(const char *name, const char *device, uint8_t *tensor_data, DLTensor *t,
                             const uint8_t *rgb, int n, int w, int h) {
  const char *path = tmp_path(name);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(w, h, 30);
  vc.device = device;
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  (void)tensor_data;
  CHECK_OK(enc, polyenc_add_frames_dlpack(s, t));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  video_frames vf;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 0, "bt601", 0, &vf), 0);
  CHECK_EQ_INT(vf.num_frames, n);
  double psnr = psnr_u8(vf.data, rgb, (size_t)n * w * h * 3);
  printf("%s: %d frames, PSNR %.2f dB\n", name, vf.num_frames, psnr);
  CHECK_GT(psnr, 35);
  video_frames_free(&vf);
}

enum { DW = 96, DH = 64, DN = 6 };

/* The pattern in each tensor layout: NCHW, NHWC 3 and 4 channels, and an NHWC view of NCHW memory. */
static void fill_layouts(const uint8_t *rgb, uint8_t *nchw, uint8_t *nhwc4) {
  size_t plane = (size_t)DW * DH;
  for (int i = 0; i < DN; i++)
    for (size_t p = 0; p < plane; p++)
      for (int c = 0; c < 3; c++) {
        uint8_t v = rgb[(i * plane + p) * 3 + c];
        nchw[(i * 3 + c) * plane + p] = v;
        nhwc4[(i * plane + p) * 4 + c] = v;
        nhwc4[(i * plane + p) * 4 + 3] = 255;
      }
}

static void case_dlpack_cpu_layouts(void) {
  uint8_t *rgb = pattern_frames(DW, DH, DN);
  size_t plane = (size_t)DW * DH;
  uint8_t *nchw = malloc(DN * 3 * plane), *nhwc4 = malloc(DN * 4 * plane);
  CHECK(nchw && nhwc4);
  fill_layouts(rgb, nchw, nhwc4);
  int64_t s_nchw[4] = {DN, 3, DH, DW}, s_nhwc3[4] = {DN, DH, DW, 3}, s_nhwc4[4] = {DN, DH, DW, 4};
  DLTensor t = tensor(nchw, kDLCPU, s_nchw, NULL);
  dlpack_roundtrip("nchw.mp4", NULL, nchw, &t, rgb, DN, DW, DH);
  t = tensor(rgb, kDLCPU, s_nhwc3, NULL);
  dlpack_roundtrip("nhwc3.mp4", "cpu", rgb, &t, rgb, DN, DW, DH);
  t = tensor(nhwc4, kDLCPU, s_nhwc4, NULL);
  dlpack_roundtrip("nhwc4.mp4", NULL, nhwc4, &t, rgb, DN, DW, DH);
  /* NHWC view of NCHW memory (torch's permute(0, 2, 3, 1)), strides in elements */
  int64_t view[4] = {(int64_t)(3 * plane), DW, 1, (int64_t)plane};
  t = tensor(nchw, kDLCPU, s_nhwc3, view);
  dlpack_roundtrip("permuted.mp4", NULL, nchw, &t, rgb, DN, DW, DH);
  /* byte_offset: the tensor starts one frame in */
  int64_t rest[4] = {DN - 1, DH, DW, 3};
  t = tensor(rgb, kDLCPU, rest, NULL);
  t.byte_offset = plane * 3;
  dlpack_roundtrip("offset.mp4", NULL, rgb, &t, rgb + plane * 3, DN - 1, DW, DH);
  /* pinned and managed memory are host-readable: accepted on a cpu stream */
  t = tensor(rgb, kDLCUDAHost, s_nhwc3, NULL);
  dlpack_roundtrip("pinned.mp4", NULL, rgb, &t, rgb, DN, DW, DH);
  free(rgb), free(nchw), free(nhwc4);
}

static void case_dlpack_errors(void) {
  uint8_t buf[4 * 16 * 16 * 4] = {0};
  int64_t ok_shape[4] = {1, 16, 16, 3};
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(16, 16, 30);
  polyenc_stream *s = add_video_ok(enc, &vc);
  DLTensor t = tensor(buf, kDLCPU, ok_shape, NULL);
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_STATE); /* before open */
  CHECK_OK(enc, polyenc_open_memory(enc, "mkv"));
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(NULL, &t), POLYENC_ERR_ARGUMENT);
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, NULL), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "tensor");
  /* dtype */
  t.dtype.code = kDLFloat, t.dtype.bits = 32;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "uint8");
  CHECK_CONTAINS(polyenc_last_error(enc), "float32");
  t.dtype.code = kDLInt, t.dtype.bits = 8;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "int8");
  t.dtype.code = kDLUInt, t.dtype.lanes = 4;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  t.dtype.lanes = 1;
  /* shape */
  t.ndim = 3;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "4 dimensions");
  t.ndim = 4;
  int64_t wrong[4] = {1, 16, 8, 3}, two_channels[4] = {1, 16, 16, 2}, negative[4] = {-1, 16, 16, 3};
  t.shape = wrong;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "(1, 16, 8, 3)");
  t.shape = two_channels;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  t.shape = negative;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  t.shape = ok_shape;
  int64_t bad_strides[4] = {768, -48, 3, 1};
  t.strides = bad_strides;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "strides[1]");
  t.strides = NULL;
  /* device */
  t.device.device_type = kDLCUDA, t.device.device_id = 0;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "cuda:0");
  CHECK_CONTAINS(polyenc_last_error(enc), "cpu stream");
  t.device.device_type = kDLOpenCL;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "device_type 4");
  t.device.device_type = kDLCPU;
  t.data = NULL;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  /* zero frames: a no-op, even with NULL data */
  int64_t none[4] = {0, 16, 16, 3};
  t.shape = none;
  CHECK_OK(enc, polyenc_add_frames_dlpack(s, &t));
  /* after all that, the stream takes a good tensor and the file has exactly one frame */
  t = tensor(buf, kDLCPU, ok_shape, NULL);
  CHECK_OK(enc, polyenc_add_frames_dlpack(s, &t));
  CHECK_OK(enc, polyenc_close(enc));
  const uint8_t *out;
  size_t size;
  CHECK_OK(enc, polyenc_output(enc, &out, &size));
  CHECK_EQ_INT(media_count_packets(src_mem(out, size), 0), 1);
  /* an audio stream is not a video stream */
  polyenc_encoder *enc2 = polyenc_encoder_new();
  polyenc_audio_config ac = audio_cfg(48000, 1);
  polyenc_stream *a = add_audio_ok(enc2, &ac);
  CHECK_OK(enc2, polyenc_open_memory(enc2, "mkv"));
  CHECK_STATUS(enc2, polyenc_add_frames_dlpack(a, &t), POLYENC_ERR_ARGUMENT);
  polyenc_encoder_free(enc2);
  polyenc_encoder_free(enc);
}

/* ---- on a GPU: device memory through the CUDA driver, loaded like the library loads it ---- */
typedef unsigned long long devptr;
static struct {
  int (*Init)(unsigned);
  int (*DeviceGet)(int *, int);
  int (*PrimaryCtxRetain)(void **, int);
  int (*CtxPushCurrent)(void *);
  int (*MemAlloc)(devptr *, size_t);
  int (*MemFree)(devptr);
  int (*MemcpyHtoD)(devptr, const void *, size_t);
  int (*MemcpyHtoDAsync)(devptr, const void *, size_t, void *);
  int (*StreamCreate)(void **, unsigned);
  int (*StreamDestroy)(void *);
  int (*CtxSynchronize)(void);
} drv;

static void need_gpu(void) {
  if (polyenc_cuda_device_count() == 0) SKIP("no CUDA device (polyenc_cuda_device_count() is 0): GPU test skipped");
  void *lib = dlopen("libcuda.so.1", RTLD_NOW);
  CHECK(lib != NULL);
#define LOAD(field, name) CHECK((*(void **)&drv.field = dlsym(lib, name)) != NULL)
  LOAD(Init, "cuInit");
  LOAD(DeviceGet, "cuDeviceGet");
  LOAD(PrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  LOAD(CtxPushCurrent, "cuCtxPushCurrent_v2");
  LOAD(MemAlloc, "cuMemAlloc_v2");
  LOAD(MemFree, "cuMemFree_v2");
  LOAD(MemcpyHtoD, "cuMemcpyHtoD_v2");
  LOAD(MemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  LOAD(StreamCreate, "cuStreamCreate");
  LOAD(StreamDestroy, "cuStreamDestroy_v2");
  LOAD(CtxSynchronize, "cuCtxSynchronize");
#undef LOAD
  int dev;
  void *ctx;
  CHECK_EQ_INT(drv.Init(0), 0);
  CHECK_EQ_INT(drv.DeviceGet(&dev, 0), 0);
  CHECK_EQ_INT(drv.PrimaryCtxRetain(&ctx, dev), 0);
  CHECK_EQ_INT(drv.CtxPushCurrent(ctx), 0); /* the primary context, as the CUDA runtime (PyTorch) has it */
}

static devptr to_device(const void *host, size_t size) {
  devptr d = 0;
  CHECK_EQ_INT(drv.MemAlloc(&d, size), 0);
  CHECK_EQ_INT(drv.MemcpyHtoD(d, host, size), 0);
  return d;
}

static void case_gpu_kernel_vs_emulation(void) {
  need_gpu();
  static const int sizes[][2] = {{64, 48}, {66, 34}, {17, 9}};
  for (size_t si = 0; si < 3; si++)
    for (int l = 0; l < 4; l++)
      for (int fm = 0; fm < 3; fm++)
        for (int m = 0; m < 3; m++)
          for (int r = 0; r < 2; r++) {
            int w = sizes[si][0], h = sizes[si][1];
            if ((w % 2 || h % 2) && fm != PE_YUV444P) continue;
            test_frame f = make_frame(l, w, h, 1, (uint32_t)(3 + si * 100 + l * 10 + fm));
            devptr d = to_device(f.data, f.size);
            planes gpu = convert_with_polyenc("cuda", &f, (const void *)(uintptr_t)d, fm, m, r);
            planes emu = emulate(&f, f.data, fm, m, r);
            int diff[2];
            max_diff(&gpu, &emu, diff);
            CHECK_MSG(diff[0] == 0 && diff[1] == 0, "%dx%d %s -> %s %s %s: GPU differs from its emulation (%d, %d)", w,
                      h, layout_names[l], format_names[fm], matrix_names[m], range_names[r], diff[0], diff[1]);
            CHECK_EQ_INT(drv.MemFree(d), 0);
            free(gpu.data), free(emu.data), free(f.data);
          }
}

/* n pattern frames from device memory into path; returns the decoded PSNR. */
static double encode_from_device(const char *path, const char *codec, const char *pix_fmt, int w, int h, int n) {
  uint8_t *rgb = pattern_frames(w, h, n);
  devptr d = to_device(rgb, (size_t)n * w * h * 3);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(w, h, 30);
  vc.device = "cuda";
  vc.codec = codec;
  vc.pixel_format = pix_fmt;
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames f = frames_of((const void *)(uintptr_t)d, POLYENC_RGB24, n / 2, w, h);
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  f.data = (const void *)(uintptr_t)(d + (devptr)(n / 2) * w * h * 3), f.num_frames = n - n / 2;
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  CHECK_EQ_INT(drv.MemFree(d), 0);
  video_frames vf;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 0, "bt601", 0, &vf), 0);
  CHECK_EQ_INT(vf.num_frames, n);
  double psnr = psnr_u8(vf.data, rgb, (size_t)n * w * h * 3);
  printf("%s (codec %s, %s): %d frames, PSNR %.2f dB\n", path, codec ? codec : "default", pix_fmt ? pix_fmt : "default",
         n, psnr);
  video_frames_free(&vf);
  free(rgb);
  return psnr;
}

static void case_gpu_encode_psnr(void) {
  need_gpu();
  CHECK_GT(encode_from_device(tmp_path("default.mp4"), NULL, NULL, 320, 240, 20), 35);
  CHECK_GT(encode_from_device(tmp_path("x264.mp4"), "libx264", NULL, 320, 240, 20), 35);
  CHECK_GT(encode_from_device(tmp_path("x264_444.mkv"), "libx264", "yuv444p", 320, 240, 20), 35);
  CHECK_GT(encode_from_device(tmp_path("nv12.mp4"), "h264", "nv12", 320, 240, 20), 35);
  if (avcodec_find_decoder(AV_CODEC_ID_VP9)) /* (the bundled FFmpeg has no VP9 decoder) */
    CHECK_GT(encode_from_device(tmp_path("vp9.webm"), NULL, NULL, 160, 120, 10), 35);
}

/* The tutorial: a 1920x1080 CPU stream, a 1280x720 CUDA stream and two audio streams in one mkv. */
static void case_gpu_mixed_streams_mkv(void) {
  need_gpu();
  enum { N_CPU = 8, N_CUDA = 11 };
  const char *path = tmp_path("multi_stream_output.mkv");
  uint8_t *cpu_frames = pattern_frames(1920, 1080, N_CPU), *cuda_host = pattern_frames(1280, 720, N_CUDA);
  devptr cuda_frames = to_device(cuda_host, (size_t)N_CUDA * 1280 * 720 * 3);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config v1 = video_cfg(1920, 1080, 30), v2 = video_cfg(1280, 720, 30);
  v1.device = "cpu", v2.device = "cuda";
  v1.preset = "ultrafast";
  polyenc_stream *cpu_video = add_video_ok(enc, &v1), *cuda_video = add_video_ok(enc, &v2);
  polyenc_audio_config ac = audio_cfg(44100, 2);
  polyenc_stream *en = add_audio_ok(enc, &ac), *fr = add_audio_ok(enc, &ac);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  add_rgb24_ok(enc, cpu_video, cpu_frames, N_CPU, 1920, 1080);
  polyenc_frames f = frames_of((const void *)(uintptr_t)cuda_frames, POLYENC_RGB24, N_CUDA, 1280, 720);
  CHECK_OK(enc, polyenc_add_frames(cuda_video, &f));
  float *tone = sine_planar(2, 44100, 44100, 440);
  add_samples_ok(enc, en, tone, 2, 44100);
  add_samples_ok(enc, fr, tone, 2, 44100);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  CHECK_EQ_INT(info.num_streams, 4);
  CHECK_EQ_INT(info.streams[0].width, 1920);
  CHECK_EQ_INT(info.streams[1].width, 1280);
  CHECK_EQ_INT(info.streams[2].type, AVMEDIA_TYPE_AUDIO);
  CHECK_EQ_INT(info.streams[3].type, AVMEDIA_TYPE_AUDIO);
  CHECK_EQ_INT(media_count_packets(src_file(path), 0), N_CPU);
  CHECK_EQ_INT(media_count_packets(src_file(path), 1), N_CUDA);
  video_frames vf;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 1, "bt601", 0, &vf), 0);
  CHECK_EQ_INT(vf.num_frames, N_CUDA);
  CHECK_GT(psnr_u8(vf.data, cuda_host, (size_t)N_CUDA * 1280 * 720 * 3), 35);
  video_frames_free(&vf);
  CHECK_EQ_INT(drv.MemFree(cuda_frames), 0);
  free(cpu_frames), free(cuda_host), free(tone);
}

static void case_gpu_nvenc_explicit(void) {
  need_gpu();
  char name[256];
  CHECK_EQ_INT(polyenc_cuda_device_name(0, name, sizeof name), 0);
  if (polyenc_cuda_has_nvenc(0, "h264_nvenc")) {
    printf("%s has NVENC: h264_nvenc from device memory\n", name);
    CHECK_GT(encode_from_device(tmp_path("nvenc.mp4"), "h264_nvenc", NULL, 320, 240, 20), 35);
    CHECK_GT(encode_from_device(tmp_path("nvenc444.mkv"), "h264_nvenc", "yuv444p", 320, 240, 20), 35);
    return;
  }
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(320, 240, 30);
  vc.device = "cuda";
  vc.codec = "h264_nvenc";
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "h264_nvenc");
  if (name[0]) CHECK_CONTAINS(polyenc_last_error(enc), name);
  printf("%s\n", polyenc_last_error(enc));
  polyenc_encoder_free(enc);
}

static void case_gpu_dlpack(void) {
  need_gpu();
  uint8_t *rgb = pattern_frames(DW, DH, DN);
  size_t plane = (size_t)DW * DH;
  uint8_t *nchw = malloc(DN * 3 * plane), *nhwc4 = malloc(DN * 4 * plane);
  CHECK(nchw && nhwc4);
  fill_layouts(rgb, nchw, nhwc4);
  devptr d_nchw = to_device(nchw, DN * 3 * plane), d_nhwc4 = to_device(nhwc4, DN * 4 * plane);
  int64_t s_nchw[4] = {DN, 3, DH, DW}, s_nhwc3[4] = {DN, DH, DW, 3}, s_nhwc4[4] = {DN, DH, DW, 4};
  DLTensor t = tensor((void *)(uintptr_t)d_nchw, kDLCUDA, s_nchw, NULL);
  dlpack_roundtrip("cuda_nchw.mp4", "cuda", NULL, &t, rgb, DN, DW, DH);
  t = tensor((void *)(uintptr_t)d_nhwc4, kDLCUDA, s_nhwc4, NULL);
  dlpack_roundtrip("cuda_nhwc4.mp4", "cuda:0", NULL, &t, rgb, DN, DW, DH);
  int64_t view[4] = {(int64_t)(3 * plane), DW, 1, (int64_t)plane};
  t = tensor((void *)(uintptr_t)d_nchw, kDLCUDA, s_nhwc3, view);
  dlpack_roundtrip("cuda_permuted.mp4", "cuda", NULL, &t, rgb, DN, DW, DH);
  /* wrong device id, and a CPU tensor on a cuda stream */
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(DW, DH, 30);
  vc.device = "cuda";
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mkv"));
  t = tensor((void *)(uintptr_t)d_nchw, kDLCUDA, s_nchw, NULL);
  t.device.device_id = 3;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "cuda:3");
  t = tensor(nchw, kDLCPU, s_nchw, NULL);
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "CPU");
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  CHECK_EQ_INT(drv.MemFree(d_nchw), 0);
  CHECK_EQ_INT(drv.MemFree(d_nhwc4), 0);
  free(rgb), free(nchw), free(nhwc4);
}

static void case_gpu_bad_input(void) {
  need_gpu();
  uint8_t *host = pattern_frames(64, 48, 2);
  devptr d = to_device(host, 64 * 48 * 3 * 2);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(64, 48, 30);
  vc.device = "cuda";
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mkv"));
  polyenc_frames f = frames_of(host, POLYENC_RGB24, 1, 64, 48); /* a host pointer */
  CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "not CUDA memory");
  f = frames_of((const void *)(uintptr_t)d, POLYENC_RGB24, 3, 64, 48); /* one frame more than allocated */
  CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "allocation");
  f = frames_of((const void *)(uintptr_t)d, POLYENC_YUV420P, 1, 64, 48);
  CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT);
  f = frames_of((const void *)(uintptr_t)d, POLYENC_RGB24, 2, 64, 48); /* still usable */
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  const uint8_t *out;
  size_t size;
  CHECK_OK(enc, polyenc_output(enc, &out, &size));
  CHECK_EQ_INT(media_count_packets(src_mem(out, size), 0), 2);
  polyenc_encoder_free(enc);
  CHECK_EQ_INT(drv.MemFree(d), 0);
  free(host);
}

/* Frames still being copied on the caller's own non-blocking stream when polyenc is called. */
static void case_gpu_producer_stream(void) {
  need_gpu();
  enum { W = 640, H = 360, N = 30 };
  uint8_t *rgb = pattern_frames(W, H, N);
  devptr d = 0;
  CHECK_EQ_INT(drv.MemAlloc(&d, (size_t)N * W * H * 3), 0);
  void *stream;
  CHECK_EQ_INT(drv.StreamCreate(&stream, 1 /* CU_STREAM_NON_BLOCKING */), 0);
  const char *path = tmp_path("producer.mp4");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 30);
  vc.device = "cuda";
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  CHECK_EQ_INT(drv.MemcpyHtoDAsync(d, rgb, (size_t)N * W * H * 3, stream), 0); /* pageable: may still run */
  polyenc_frames f = frames_of((const void *)(uintptr_t)d, POLYENC_RGB24, N, W, H);
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  CHECK_EQ_INT(drv.CtxSynchronize(), 0);
  CHECK_EQ_INT(drv.StreamDestroy(stream), 0);
  video_frames vf;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 0, "bt601", 0, &vf), 0);
  CHECK_EQ_INT(vf.num_frames, N);
  CHECK_GT(psnr_u8(vf.data, rgb, (size_t)N * W * H * 3), 35);
  video_frames_free(&vf);
  CHECK_EQ_INT(drv.MemFree(d), 0);
  free(rgb);
}

/* polyenc_frames.pts and key_frames on cuda streams (NVENC where it works, and libx264 fed from the GPU's
 * pipelined conversion): every frame at its pts, key frames exactly on the flagged frames and frame 0,
 * rejected pts leave the stream usable. */
static void case_gpu_timestamps_key_frames(void) {
  need_gpu();
  enum { W = 160, H = 128, N = 16 };
  static const int64_t pts[N] = {0, 33, 67, 100, 500, 501, 502, 540, 900, 933, 967, 1000, 1400, 1433, 1467, 1500};
  uint8_t keys[N] = {0};
  keys[5] = keys[11] = 1;
  uint8_t *rgb = pattern_frames(W, H, N);
  devptr d = to_device(rgb, (size_t)N * W * H * 3);
  const char *codecs[] = {NULL, "libx264"}, *paths[] = {tmp_path("ts_default.mp4"), tmp_path("ts_x264.mkv")};
  for (int c = 0; c < 2; c++) {
    polyenc_encoder *enc = polyenc_encoder_new();
    polyenc_video_config vc = video_cfg(W, H, 30);
    vc.device = "cuda", vc.codec = codecs[c], vc.gop_size = 1000, vc.time_base_num = 1, vc.time_base_den = 1000;
    polyenc_stream *s = add_video_ok(enc, &vc);
    CHECK_OK(enc, polyenc_open_file(enc, paths[c], NULL));
    polyenc_frames f = frames_of((const void *)(uintptr_t)d, POLYENC_RGB24, N / 2, W, H);
    f.pts = pts, f.key_frames = keys;
    CHECK_OK(enc, polyenc_add_frames(s, &f));
    f.data = (const void *)(uintptr_t)(d + (devptr)(N / 2) * W * H * 3);
    CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT); /* pts[0] = 0 again */
    CHECK_CONTAINS(polyenc_last_error(enc), "pts[0] = 0 is not greater than 540");
    f.pts = pts + N / 2, f.key_frames = keys + N / 2;
    CHECK_OK(enc, polyenc_add_frames(s, &f));
    CHECK_OK(enc, polyenc_close(enc));
    polyenc_encoder_free(enc);
    char *p = ffprobe("-select_streams v:0 -show_entries frame=pts_time,key_frame -of default=noprint_wrappers=1",
                      paths[c]);
    CHECK(p);
    char buf[64];
    for (int i = 0; i < N; i++) {
      CHECK_MSG(kv_get(p, "pts_time", i, buf, sizeof buf), "%s: frame %d missing", paths[c], i);
      CHECK_NEAR(atof(buf), pts[i] / 1000.0, 0.0005);
      CHECK(kv_get(p, "key_frame", i, buf, sizeof buf));
      CHECK_MSG(atoi(buf) == (i == 0 || keys[i]), "%s: frame %d key_frame=%s", paths[c], i, buf);
    }
    CHECK(!kv_get(p, "pts_time", N, buf, sizeof buf));
    free(p);
  }
  CHECK_EQ_INT(drv.MemFree(d), 0);
  free(rgb);
}
