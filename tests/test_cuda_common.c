/* The helpers of the CUDA tests (test_cuda_common.h). */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "test_cuda_common.h"

const char *const layout_names[] = {"rgb_planar", "rgb24", "rgba", "bgra"};
const char *const format_names[] = {"nv12", "yuv420p", "yuv444p"};
const char *const matrix_names[] = {"bt601", "bt709", "bt2020"};
const char *const range_names[] = {"tv", "pc"};

/* ---- a frame in a layout, with padded (non-contiguous) strides ---- */

test_frame make_frame(int layout, int w, int h, int n, uint32_t seed) {
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

const uint8_t *pixel(const test_frame *f, int x, int y, int c) {
  if (f->layout == PE_RGB_PLANAR) return f->data + c * f->strides[1] + y * f->strides[2] + x * f->strides[3];
  if (f->layout == PE_BGRA) c = 2 - c;
  return f->data + y * f->strides[1] + x * f->strides[2] + c * f->strides[3];
}

/* ---- planes of a converted frame, packed without padding (the rawvideo layout) ---- */

planes make_planes(int format, int w, int h) {
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
planes emulate(const test_frame *f, const uint8_t *frame, int format, int matrix, int range) {
  planes p = make_planes(format, f->w, f->h);
  pe_kernel_args a;
  kernel_args_for(&a, f, frame, &p, matrix, range);
  pe_convert_frame_host(&a);
  return p;
}

/* Max difference per plane kind: [0] luma, [1] chroma. */
void max_diff(const planes *a, const planes *b, int out[2]) {
  size_t luma = (size_t)a->w * a->h;
  out[0] = out[1] = 0;
  for (size_t i = 0; i < a->size; i++) {
    int d = abs(a->data[i] - b->data[i]);
    int k = i >= luma;
    if (d > out[k]) out[k] = d;
  }
}

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
uint8_t *first_packet(const char *path, size_t *size) {
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
planes convert_with_polyenc(const char *device, const test_frame *f, const void *data, int format, int matrix,
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

/* ---- DLPack ---- */
DLTensor tensor(void *data, int device_type, int64_t *shape, int64_t *strides) {
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
void dlpack_roundtrip(const char *name, const char *device, uint8_t *tensor_data, DLTensor *t, const uint8_t *rgb,
                      int n, int w, int h) {
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

/* The pattern in each tensor layout: NCHW, NHWC 3 and 4 channels, and an NHWC view of NCHW memory. */
void fill_layouts(const uint8_t *rgb, uint8_t *nchw, uint8_t *nhwc4) {
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

/* ---- on a GPU: device memory through the CUDA driver, loaded like the library loads it ---- */

struct cuda_driver drv;

void need_gpu(void) {
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

devptr to_device(const void *host, size_t size) {
  devptr d = 0;
  CHECK_EQ_INT(drv.MemAlloc(&d, size), 0);
  CHECK_EQ_INT(drv.MemcpyHtoD(d, host, size), 0);
  return d;
}
