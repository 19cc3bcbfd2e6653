/* CUDA video streams and DLPack input, everything that needs no GPU (the GPU cases: test_cuda_gpu.c):
 *  - the kernel's arithmetic (platform/cuda/yuv_math.h, the very function the kernel runs, here on the
 *    CPU) against a double-precision reference and against the CPU path (the library's own conversion,
 *    read back through the rawvideo codec), every layout x format x matrix x range, odd and even sizes;
 *  - cuda streams on a machine without driver / GPU: POLYENC_ERR_UNSUPPORTED naming the reason;
 *  - DLPack: CPU tensors encoded and decoded back, and every kind of bad tensor. */
#include "test_cuda_common.h"

#define CASES(X)                          \
  X(math_vs_reference, QUICK)             \
  X(math_vs_cpu_path, SLOW)               \
  X(no_gpu_cuda_stream_unsupported, QUICK) \
  X(device_strings, QUICK)                \
  X(capabilities, QUICK)                  \
  X(dlpack_cpu_layouts, SLOW)             \
  X(dlpack_errors, QUICK)
CHECK_MAIN(CASES)

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
