/* The GPU adapter: the CUDA Driver API, loaded at run time with dlopen("libcuda.so.1"), runs the
 * kernels of kernels.cu (embedded as a fatbin) on the caller's device memory: 8-bit RGB into 8-bit YUV in
 * fixed point (yuv_math.h), the deep layouts and every 10-bit format in float (yuv_wide_math.h), and the
 * NaN search of float frames.
 *
 *   host path:  kernel -> device YUV buffer -> cuMemcpyDtoHAsync -> pinned host buffer (an AVFrame from
 *               a pool of pinned buffers, handed to a CPU encoder without another copy); two slots, so
 *               the core encodes frame i while frame i + 1 is converted and copied.
 *   NVENC path: kernel -> the planes of an AV_PIX_FMT_CUDA frame from FFmpeg's hw frames pool.
 *
 * The few Driver API types and entry points are declared in driver_api.h (no cuda.h), so this file compiles
 * with any C compiler; every call's result is checked and turned into a message naming the call. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/hwcontext.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>

#include "driver_api.h"
#include "gpu.h"
#include "yuv_math.h"
#include "yuv_wide_math.h"

_Static_assert(sizeof(pe_kernel_args) == 144, "pe_kernel_args must have the layout nvcc gives it");
_Static_assert(sizeof(pe_wide_args) == 168, "pe_wide_args must have the layout nvcc gives it");
_Static_assert(sizeof(pe_nan_args) == 64, "pe_nan_args must have the layout nvcc gives it");
#ifndef POLYENC_CUDA_TOOLKIT
#define POLYENC_CUDA_TOOLKIT "?"
#endif

static struct cu_driver cu; /* the entry points, from libcuda.so.1 */

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int num_devices;        /* after load */
static char load_problem[256]; /* "" when the driver loaded and initialised */

static void load_driver(void) {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(load_problem, sizeof load_problem, "no CUDA driver (libcuda.so.1 not found)");
    return;
  }
  static const struct { const char *name; size_t offset; } syms[] = {
#define SYM(field, name) {name, offsetof(struct cu_driver, field)}
      SYM(Init, "cuInit"), SYM(DriverGetVersion, "cuDriverGetVersion"), SYM(DeviceGetCount, "cuDeviceGetCount"),
      SYM(DeviceGet, "cuDeviceGet"), SYM(DeviceGetName, "cuDeviceGetName"),
      SYM(DeviceGetAttribute, "cuDeviceGetAttribute"), SYM(DevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
      SYM(DevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2"), SYM(CtxPushCurrent, "cuCtxPushCurrent_v2"),
      SYM(CtxPopCurrent, "cuCtxPopCurrent_v2"), SYM(CtxSynchronize, "cuCtxSynchronize"),
      SYM(ModuleLoadData, "cuModuleLoadData"), SYM(ModuleUnload, "cuModuleUnload"),
      SYM(ModuleGetFunction, "cuModuleGetFunction"), SYM(LaunchKernel, "cuLaunchKernel"),
      SYM(StreamCreate, "cuStreamCreate"), SYM(StreamDestroy, "cuStreamDestroy_v2"),
      SYM(StreamSynchronize, "cuStreamSynchronize"), SYM(EventCreate, "cuEventCreate"),
      SYM(EventDestroy, "cuEventDestroy_v2"), SYM(EventRecord, "cuEventRecord"),
      SYM(EventSynchronize, "cuEventSynchronize"), SYM(MemAlloc, "cuMemAlloc_v2"), SYM(MemFree, "cuMemFree_v2"),
      SYM(MemsetD8, "cuMemsetD8_v2"), SYM(MemsetD32Async, "cuMemsetD32Async"), SYM(MemHostAlloc, "cuMemHostAlloc"),
      SYM(MemFreeHost, "cuMemFreeHost"),
      SYM(MemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2"), SYM(PointerGetAttribute, "cuPointerGetAttribute"),
      SYM(GetErrorName, "cuGetErrorName"),
#undef SYM
  };
  for (size_t i = 0; i < sizeof syms / sizeof *syms; i++) {
    void *fn = dlsym(lib, syms[i].name);
    if (!fn) {
      snprintf(load_problem, sizeof load_problem, "the CUDA driver (libcuda.so.1) is too old: it has no %s",
               syms[i].name);
      dlclose(lib);
      return;
    }
    memcpy((char *)&cu + syms[i].offset, &fn, sizeof fn);
  }
  CUresult r = cu.Init(0);
  if (r == CUDA_ERROR_NO_DEVICE) {
    snprintf(load_problem, sizeof load_problem, "no CUDA device");
    return;
  }
  const char *name = NULL;
  if (r != CUDA_SUCCESS || (r = cu.DeviceGetCount(&num_devices)) != CUDA_SUCCESS) {
    if (cu.GetErrorName(r, &name) != CUDA_SUCCESS) name = NULL;
    snprintf(load_problem, sizeof load_problem, "the CUDA driver failed to initialise: %s (%d)",
             name ? name : "unknown error", r);
    num_devices = 0;
    return;
  }
  if (num_devices <= 0) snprintf(load_problem, sizeof load_problem, "no CUDA device");
  /* the library stays loaded for the life of the process */
}

static int loaded(void) {
  pthread_once(&load_once, load_driver);
  return !load_problem[0];
}

int pe_gpu_device_count(void) { return loaded() ? num_devices : 0; }

const char *pe_gpu_device_problem(int index, char *buf, size_t size) {
  if (!loaded()) {
    snprintf(buf, size, "%s", load_problem);
    return buf;
  }
  if (index < 0 || index >= num_devices) {
    snprintf(buf, size, "device index %d out of range: %d CUDA device%s", index, num_devices,
             num_devices == 1 ? "" : "s");
    return buf;
  }
  return NULL;
}

void pe_gpu_device_name(int index, char *buf, size_t size) {
  CUdevice dev;
  buf[0] = '\0';
  if (size < 2 || !loaded() || index < 0 || index >= num_devices || cu.DeviceGet(&dev, index) != CUDA_SUCCESS) return;
  if (cu.DeviceGetName(buf, (int)(size > 256 ? 256 : size), dev) != CUDA_SUCCESS) buf[0] = '\0';
}

/* The kernels' name of a pixel format (yuv_math.h, yuv_wide_math.h), or -1. */
static int kernel_format(enum AVPixelFormat format) {
  static const enum AVPixelFormat formats[] = {AV_PIX_FMT_NV12,        AV_PIX_FMT_YUV420P,     AV_PIX_FMT_YUV444P,
                                               AV_PIX_FMT_P010LE,      AV_PIX_FMT_YUV420P10LE, AV_PIX_FMT_YUV444P10LE,
                                               AV_PIX_FMT_YUV444P16LE};
  for (int i = 0; i < (int)(sizeof formats / sizeof *formats); i++)
    if (formats[i] == format) return i; /* PE_NV12 ... PE_YUV444P16, in this order */
  return -1;
}

int pe_gpu_can_produce(enum AVPixelFormat format) { return kernel_format(format) >= 0; }

int pe_gpu_can_read(polyenc_layout layout) { return layout <= POLYENC_BGRA || pe_layout_sample_size((int)layout) > 1; }

/* ---- pinned host buffers: an AVBufferPool whose buffers are cuMemHostAlloc memory ---- */
typedef struct pinned_pool {
  CUcontext ctx; /* the device's primary context, retained until the pool and all its buffers are gone */
  CUdevice dev;
} pinned_pool;

static void pinned_free(void *opaque, uint8_t *data) {
  pinned_pool *p = opaque;
  CUcontext ignored;
  if (cu.CtxPushCurrent(p->ctx) != CUDA_SUCCESS) return; /* cannot happen while the context is retained */
  cu.MemFreeHost(data);
  cu.CtxPopCurrent(&ignored);
}

static AVBufferRef *pinned_alloc(void *opaque, size_t size) {
  pinned_pool *p = opaque;
  CUcontext ignored;
  void *data = NULL;
  if (cu.CtxPushCurrent(p->ctx) != CUDA_SUCCESS) return NULL;
  CUresult r = cu.MemHostAlloc(&data, size, 0);
  cu.CtxPopCurrent(&ignored);
  if (r != CUDA_SUCCESS) return NULL;
  memset(data, 0, size); /* the row padding the encoder may read is never written by the copy's source */
  AVBufferRef *buf = av_buffer_create(data, size, pinned_free, p, 0);
  if (!buf) pinned_free(p, data);
  return buf;
}

static void pinned_pool_free(void *opaque) {
  pinned_pool *p = opaque;
  cu.DevicePrimaryCtxRelease(p->dev);
  av_free(p);
}

/* ---- the converter ---- */
struct gpu_converter {
  conversion conv;
  int index;
  CUdevice dev;
  CUcontext ctx;
  int primary;           /* ctx is the retained primary context (host path), else FFmpeg's (NVENC path) */
  AVBufferRef *hw_device; /* NVENC path */
  CUmodule module;
  CUfunction kernel;      /* 8-bit RGB into 8-bit YUV (yuv_math.h) */
  CUfunction wide_kernel; /* the rest (yuv_wide_math.h) */
  CUfunction find_nan;
  CUdeviceptr nan_key;    /* the key of the first NaN that find_nan met */
  CUstream stream;
  CUevent done[2];
  CUdeviceptr yuv;       /* host path: the converted frame on the device, laid out like the host frame */
  AVBufferPool *pool;    /* host path: pinned frames */
  size_t frame_size;
  size_t offset[3];
  int linesize[3];
  char error[512];
};

extern const unsigned char polyenc_cuda_fatbin[]; /* generated from kernels.cu by CMake */

static int fail(gpu_converter *c, char *buf, size_t size, CUresult r, const char *format, ...)
    __attribute__((format(printf, 5, 6)));
/* Writes "<what>: <CUDA error name> (<code>)" to buf and returns an AVERROR. */
static int fail(gpu_converter *c, char *buf, size_t size, CUresult r, const char *format, ...) {
  char what[256];
  va_list ap;
  va_start(ap, format);
  vsnprintf(what, sizeof what, format, ap);
  va_end(ap);
  const char *name = NULL;
  if (r == CUDA_SUCCESS || cu.GetErrorName(r, &name) != CUDA_SUCCESS) name = NULL;
  if (!buf) buf = c->error, size = sizeof c->error;
  if (r == CUDA_SUCCESS) snprintf(buf, size, "%s", what);
  else snprintf(buf, size, "%s: %s (%d)", what, name ? name : "CUDA error", r);
  return r == CUDA_SUCCESS ? AVERROR(EINVAL) : AVERROR_EXTERNAL;
}

/* ---- FFmpeg's CUDA device on the primary context ----
 * The context is retained here and handed to FFmpeg as the device's own (FFmpeg does not release a context
 * it did not make); the device's free callback releases it. FFmpeg's primary_ctx option would refuse a
 * primary context that is already active with other flags than blocking sync (PyTorch's, for one). */
static void release_primary(AVHWDeviceContext *hw) { cu.DevicePrimaryCtxRelease((CUdevice)(intptr_t)hw->user_opaque); }

int pe_gpu_hw_device_new(int index, AVBufferRef **out, char *err, size_t size) {
  *out = NULL;
  if (pe_gpu_device_problem(index, err, size)) return AVERROR(ENODEV);
  CUdevice dev;
  CUcontext ctx;
  CUresult r = cu.DeviceGet(&dev, index);
  if (r != CUDA_SUCCESS) return fail(NULL, err, size, r, "cuDeviceGet(%d)", index);
  if ((r = cu.DevicePrimaryCtxRetain(&ctx, dev)) != CUDA_SUCCESS)
    return fail(NULL, err, size, r, "cuDevicePrimaryCtxRetain on device %d", index);
  AVBufferRef *ref = av_hwdevice_ctx_alloc(AV_HWDEVICE_TYPE_CUDA);
  if (!ref) {
    cu.DevicePrimaryCtxRelease(dev);
    snprintf(err, size, "out of memory");
    return AVERROR(ENOMEM);
  }
  AVHWDeviceContext *hw = (AVHWDeviceContext *)ref->data;
  ((AVCUDADeviceContext *)hw->hwctx)->cuda_ctx = ctx;
  hw->user_opaque = (void *)(intptr_t)dev;
  hw->free = release_primary; /* from here on, freeing the device releases the context */
  int ret = av_hwdevice_ctx_init(ref);
  if (ret < 0) {
    av_buffer_unref(&ref);
    snprintf(err, size, "FFmpeg cannot use cuda:%d: %s", index, av_err2str(ret));
    return ret;
  }
  *out = ref;
  return 0;
}

const char *pe_gpu_converter_error(const gpu_converter *c) { return c ? c->error : ""; }

/* Plane layout of the host / device YUV frame: rows aligned to 64 bytes, planes one after the other. */
static void plan_frame(gpu_converter *c) {
  const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(c->conv.format);
  int w = c->conv.width, h = c->conv.height, planes = av_pix_fmt_count_planes(c->conv.format);
  size_t at = 0;
  for (int i = 0; i < 3; i++) {
    int pw = i ? AV_CEIL_RSHIFT(w, d->log2_chroma_w) : w, ph = i ? AV_CEIL_RSHIFT(h, d->log2_chroma_h) : h;
    c->linesize[i] = i < planes ? FFALIGN(pw * d->comp[i].step, 64) : 0; /* step: bytes per (U, V pair of) sample */
    c->offset[i] = at;
    at += (size_t)c->linesize[i] * (size_t)(i < planes ? ph : 0);
  }
  c->frame_size = at + 64; /* encoders' SIMD may read a little past the last row */
}

static int module_error(gpu_converter *c, char *err, size_t size, CUresult r) {
  if (r != CUDA_ERROR_NO_BINARY_FOR_GPU && r != CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
    return fail(c, err, size, r, "loading the CUDA kernels (cuModuleLoadData) on device %d", c->index);
  int major = 0, minor = 0, version = 0;
  if (cu.DeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, c->dev) != CUDA_SUCCESS ||
      cu.DeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, c->dev) != CUDA_SUCCESS)
    major = minor = 0;
  if (cu.DriverGetVersion(&version) != CUDA_SUCCESS) version = 0;
  return fail(c, err, size, r,
              "the CUDA kernels of this polyenc (sm_90 code and compute_75 PTX, built with CUDA %s) cannot run on "
              "device %d (compute capability %d.%d) with this driver (CUDA %d.%d): a newer NVIDIA driver is needed",
              POLYENC_CUDA_TOOLKIT, c->index, major, minor, version / 1000, version % 1000 / 10);
}

static int make_pool(gpu_converter *c, char *err, size_t size) {
  pinned_pool *p = av_mallocz(sizeof *p);
  if (!p) return fail(c, err, size, CUDA_SUCCESS, "out of memory");
  p->dev = c->dev;
  CUresult r = cu.DevicePrimaryCtxRetain(&p->ctx, c->dev);
  if (r != CUDA_SUCCESS) {
    av_free(p);
    return fail(c, err, size, r, "cuDevicePrimaryCtxRetain on device %d", c->index);
  }
  if (!(c->pool = av_buffer_pool_init2(c->frame_size, p, pinned_alloc, pinned_pool_free))) {
    pinned_pool_free(p);
    return fail(c, err, size, CUDA_SUCCESS, "out of memory");
  }
  return 0;
}

/* Loads the kernels into the converter's context and creates its stream, events and buffers. */
static int setup(gpu_converter *c, char *err, size_t size) {
  CUcontext ignored;
  CUresult r = cu.CtxPushCurrent(c->ctx);
  if (r != CUDA_SUCCESS) return fail(c, err, size, r, "cuCtxPushCurrent on device %d", c->index);
  int ret = 0;
  if ((r = cu.ModuleLoadData(&c->module, polyenc_cuda_fatbin)) != CUDA_SUCCESS) ret = module_error(c, err, size, r);
  else if ((r = cu.ModuleGetFunction(&c->kernel, c->module, "polyenc_rgb_to_yuv")) != CUDA_SUCCESS)
    ret = fail(c, err, size, r, "cuModuleGetFunction(polyenc_rgb_to_yuv)");
  else if ((r = cu.ModuleGetFunction(&c->wide_kernel, c->module, "polyenc_wide_to_yuv")) != CUDA_SUCCESS)
    ret = fail(c, err, size, r, "cuModuleGetFunction(polyenc_wide_to_yuv)");
  else if ((r = cu.ModuleGetFunction(&c->find_nan, c->module, "polyenc_find_nan")) != CUDA_SUCCESS)
    ret = fail(c, err, size, r, "cuModuleGetFunction(polyenc_find_nan)");
  else if ((r = cu.MemAlloc(&c->nan_key, sizeof(uint64_t))) != CUDA_SUCCESS)
    ret = fail(c, err, size, r, "cuMemAlloc of 8 bytes on device %d", c->index);
  else if ((r = cu.StreamCreate(&c->stream, CU_STREAM_NON_BLOCKING)) != CUDA_SUCCESS)
    ret = fail(c, err, size, r, "cuStreamCreate on device %d", c->index);
  for (int i = 0; i < 2 && !ret; i++)
    if ((r = cu.EventCreate(&c->done[i], CU_EVENT_DISABLE_TIMING)) != CUDA_SUCCESS)
      ret = fail(c, err, size, r, "cuEventCreate on device %d", c->index);
  if (!ret && !c->hw_device) {
    plan_frame(c);
    if ((r = cu.MemAlloc(&c->yuv, c->frame_size)) != CUDA_SUCCESS)
      ret = fail(c, err, size, r, "cuMemAlloc of %zu bytes on device %d", c->frame_size, c->index);
    else if ((r = cu.MemsetD8(c->yuv, 0, c->frame_size)) != CUDA_SUCCESS)
      ret = fail(c, err, size, r, "cuMemsetD8 on device %d", c->index);
    else
      ret = make_pool(c, err, size);
  }
  cu.CtxPopCurrent(&ignored);
  return ret;
}

int pe_gpu_converter_new(int index, const conversion *conv, AVBufferRef *hw_device, gpu_converter **out, char *err,
                         size_t size) {
  *out = NULL;
  if (pe_gpu_device_problem(index, err, size)) return AVERROR(ENODEV);
  if (!pe_gpu_can_produce(conv->format)) {
    snprintf(err, size, "the CUDA kernels write nv12, yuv420p, yuv444p, p010le, yuv420p10le, yuv444p10le or "
             "yuv444p16le, not %s", av_get_pix_fmt_name(conv->format));
    return AVERROR(EINVAL);
  }
  gpu_converter *c = av_mallocz(sizeof *c);
  if (!c) {
    snprintf(err, size, "out of memory");
    return AVERROR(ENOMEM);
  }
  c->conv = *conv;
  c->index = index;
  int ret = 0;
  CUresult r = cu.DeviceGet(&c->dev, index);
  if (r != CUDA_SUCCESS) {
    ret = fail(c, err, size, r, "cuDeviceGet(%d)", index);
  } else if (hw_device) {
    AVHWDeviceContext *dc = (AVHWDeviceContext *)hw_device->data;
    const AVCUDADeviceContext *hw = dc->hwctx;
    if (dc->type != AV_HWDEVICE_TYPE_CUDA || !hw->cuda_ctx)
      ret = fail(c, err, size, CUDA_SUCCESS, "internal error: not a CUDA device context");
    else if (!(c->hw_device = av_buffer_ref(hw_device)))
      ret = fail(c, err, size, CUDA_SUCCESS, "out of memory");
    else
      c->ctx = hw->cuda_ctx;
  } else if ((r = cu.DevicePrimaryCtxRetain(&c->ctx, c->dev)) != CUDA_SUCCESS) {
    ret = fail(c, err, size, r, "cuDevicePrimaryCtxRetain on device %d", index);
  } else {
    c->primary = 1;
  }
  if (!ret) ret = setup(c, err, size);
  if (ret < 0) {
    pe_gpu_converter_free(c);
    return ret;
  }
  *out = c;
  return 0;
}

void pe_gpu_converter_free(gpu_converter *c) {
  if (!c) return;
  CUcontext ignored;
  if (c->ctx && cu.CtxPushCurrent(c->ctx) == CUDA_SUCCESS) {
    if (c->stream) cu.StreamSynchronize(c->stream); /* no copy into a pinned buffer is left running */
    av_buffer_pool_uninit(&c->pool); /* freed when the encoder has released its last pinned frame */
    for (int i = 0; i < 2; i++)
      if (c->done[i]) cu.EventDestroy(c->done[i]);
    if (c->yuv) cu.MemFree(c->yuv);
    if (c->nan_key) cu.MemFree(c->nan_key);
    if (c->stream) cu.StreamDestroy(c->stream);
    if (c->module) cu.ModuleUnload(c->module);
    cu.CtxPopCurrent(&ignored);
  }
  av_buffer_pool_uninit(&c->pool); /* (when the context could not be made current) */
  if (c->primary) cu.DevicePrimaryCtxRelease(c->dev);
  av_buffer_unref(&c->hw_device);
  av_free(c);
}

/* The lowest and one past the highest byte offset that n frames touch (alpha is never read). */
static void frame_extent(const source_frame *f, int n, int64_t frame_stride, int64_t *lo, int64_t *hi) {
  int64_t dims[4][2] = {{n, frame_stride}};
  if (pe_is_planar_layout((int)f->layout)) {
    dims[1][0] = 3, dims[1][1] = f->strides[0];
    dims[2][0] = f->height, dims[2][1] = f->strides[1];
    dims[3][0] = f->width, dims[3][1] = f->strides[2];
  } else {
    dims[1][0] = f->height, dims[1][1] = f->strides[0];
    dims[2][0] = f->width, dims[2][1] = f->strides[1];
    dims[3][0] = 3, dims[3][1] = f->strides[2];
  }
  *lo = 0, *hi = pe_layout_sample_size((int)f->layout);
  for (int i = 0; i < 4; i++) {
    int64_t span = (dims[i][0] - 1) * dims[i][1];
    if (span < 0) *lo += span;
    else *hi += span;
  }
}

static int check_memory(gpu_converter *c, const source_frame *first, int n, int64_t frame_stride) {
  CUdeviceptr ptr = (CUdeviceptr)(uintptr_t)first->data;
  unsigned int type = 0;
  CUresult r = cu.PointerGetAttribute(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, ptr);
  if (r != CUDA_SUCCESS)
    return fail(c, NULL, 0, CUDA_SUCCESS,
                "frames.data (%p) is not CUDA memory: a cuda stream takes device pointers (host memory goes to a "
                "stream with device \"cpu\")",
                (const void *)first->data);
  int ordinal = -1;
  if (type != CU_MEMORYTYPE_HOST && cu.PointerGetAttribute(&ordinal, CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL, ptr) ==
                                        CUDA_SUCCESS && ordinal >= 0 && ordinal != c->index)
    return fail(c, NULL, 0, CUDA_SUCCESS, "frames.data is memory of cuda:%d, but the stream is on cuda:%d", ordinal,
                c->index);
  CUdeviceptr start = 0;
  size_t range = 0;
  int64_t lo, hi;
  frame_extent(first, n, frame_stride, &lo, &hi);
  if (cu.PointerGetAttribute(&start, CU_POINTER_ATTRIBUTE_RANGE_START_ADDR, ptr) == CUDA_SUCCESS &&
      cu.PointerGetAttribute(&range, CU_POINTER_ATTRIBUTE_RANGE_SIZE, ptr) == CUDA_SUCCESS && range > 0) {
    int64_t from = (int64_t)(ptr - start) + lo, to = (int64_t)(ptr - start) + hi;
    if (from < 0 || to > (int64_t)range)
      return fail(c, NULL, 0, CUDA_SUCCESS,
                  "%d frames with these strides span bytes %lld to %lld of their CUDA allocation, which has %zu bytes",
                  n, (long long)from, (long long)to, range);
  }
  return 0;
}

/* RGB_PLANAR_F32: the first NaN of n frames (frame, row, column, channel), searched on the GPU, is an
 * error naming it. Context pushed; the frames written. */
static int find_nan(gpu_converter *c, const source_frame *first, int n, int64_t frame_stride) {
  pe_nan_args a = {(uint64_t)(uintptr_t)first->data, {first->strides[0], first->strides[1], first->strides[2]},
                   frame_stride, c->nan_key, first->width, first->height, n, 0};
  uint64_t key = UINT64_MAX;
  void *params[] = {&a};
  CUresult r = cu.MemsetD32Async(c->nan_key, 0xffffffffu, 2, c->stream);
  if (r == CUDA_SUCCESS)
    r = cu.LaunchKernel(c->find_nan, (unsigned)(first->width + 127) / 128, (unsigned)first->height, 3, 128, 1, 1, 0,
                        c->stream, params, NULL);
  if (r == CUDA_SUCCESS) r = cu.MemcpyDtoHAsync(&key, c->nan_key, sizeof key, c->stream);
  if (r == CUDA_SUCCESS) r = cu.StreamSynchronize(c->stream);
  if (r != CUDA_SUCCESS) return fail(c, NULL, 0, r, "looking for NaN in RGB_PLANAR_F32 frames on cuda:%d", c->index);
  if (key == UINT64_MAX) return 0;
  int frame, channel, x, y;
  pe_nan_position(&a, key, &frame, &channel, &x, &y);
  return fail(c, NULL, 0, CUDA_SUCCESS,
              "RGB_PLANAR_F32 frame %d of the call: NaN in channel %c at pixel (%d, %d) (nothing of the call was "
              "encoded)", frame, "RGB"[channel], x, y);
}

int pe_gpu_begin(gpu_converter *c, const source_frame *first, int n, int64_t frame_stride) {
  if (!pe_gpu_can_read(first->layout))
    return fail(c, NULL, 0, CUDA_SUCCESS,
                "layout %d cannot be read on a cuda stream: cuda streams take RGB_PLANAR, RGB24, RGBA, BGRA, RGB48, "
                "RGBA64, RGB_PLANAR16 or RGB_PLANAR_F32 (YUV420P is for cpu streams)",
                (int)first->layout);
  CUcontext ignored;
  CUresult r = cu.CtxPushCurrent(c->ctx);
  if (r != CUDA_SUCCESS) return fail(c, NULL, 0, r, "cuCtxPushCurrent on device %d", c->index);
  int ret = check_memory(c, first, n, frame_stride);
  /* the caller's kernels and copies that write the frames may still run, on any of its streams */
  if (!ret && (r = cu.CtxSynchronize()) != CUDA_SUCCESS)
    ret = fail(c, NULL, 0, r, "waiting for the work queued on cuda:%d (cuCtxSynchronize)", c->index);
  if (!ret && n > 0 && first->layout == POLYENC_RGB_PLANAR_F32) ret = find_nan(c, first, n, frame_stride);
  cu.CtxPopCurrent(&ignored);
  return ret;
}

/* Queues a conversion kernel: src into the planes dst (device addresses) with these pitches; 8-bit RGB
 * into 8-bit YUV in fixed point, anything else in float. Context pushed. */
static int launch(gpu_converter *c, const source_frame *src, const uint64_t dst[3], const int64_t pitch[3]) {
  pe_kernel_args a;
  pe_wide_args wa;
  memset(&a, 0, sizeof a);
  memset(&wa, 0, sizeof wa);
  int layout = (int)src->layout, format = kernel_format(c->conv.format);
  int wide = pe_layout_sample_size(layout) > 1 || format > PE_YUV444P;
  int matrix = c->conv.color_space == AVCOL_SPC_BT709 ? PE_BT709 : c->conv.color_space == AVCOL_SPC_BT2020_NCL ? PE_BT2020 : PE_BT601;
  if (wide) {
    wa.src = (uint64_t)(uintptr_t)src->data;
    memcpy(wa.stride, src->strides, sizeof wa.stride);
    memcpy(wa.dst, dst, sizeof wa.dst);
    memcpy(wa.pitch, pitch, sizeof wa.pitch);
    pe_wide_make_args(layout, format, matrix, c->conv.full_range, &wa);
    wa.width = src->width, wa.height = src->height;
  } else {
    a.src = (uint64_t)(uintptr_t)src->data;
    memcpy(a.stride, src->strides, sizeof a.stride);
    memcpy(a.dst, dst, sizeof a.dst);
    memcpy(a.pitch, pitch, sizeof a.pitch);
    a.layout = layout, a.format = format, a.width = src->width, a.height = src->height;
    pe_make_coefficients(matrix, c->conv.full_range, &a);
  }
  unsigned bw = (unsigned)(src->width + 1) / 2, bh = (unsigned)(src->height + 1) / 2;
  void *params[] = {wide ? (void *)&wa : (void *)&a};
  CUresult r = cu.LaunchKernel(wide ? c->wide_kernel : c->kernel, (bw + 15) / 16, (bh + 15) / 16, 1, 16, 16, 1, 0,
                               c->stream, params, NULL);
  return r == CUDA_SUCCESS ? 0 : fail(c, NULL, 0, r, "launching the conversion kernel (cuLaunchKernel)");
}

int pe_gpu_convert_to_host(gpu_converter *c, const source_frame *src, AVFrame *dst, int slot) {
  if (!c->pool || slot < 0 || slot > 1) return fail(c, NULL, 0, CUDA_SUCCESS, "internal error: not a host converter");
  AVBufferRef *buf = av_buffer_pool_get(c->pool);
  if (!buf)
    return fail(c, NULL, 0, CUDA_SUCCESS, "could not allocate %zu bytes of pinned host memory (cuMemHostAlloc)",
                c->frame_size);
  CUcontext ignored;
  CUresult r = cu.CtxPushCurrent(c->ctx);
  if (r != CUDA_SUCCESS) {
    av_buffer_unref(&buf);
    return fail(c, NULL, 0, r, "cuCtxPushCurrent on device %d", c->index);
  }
  uint64_t planes[3];
  int64_t pitch[3];
  for (int i = 0; i < 3; i++) planes[i] = c->yuv + c->offset[i], pitch[i] = c->linesize[i];
  int ret = launch(c, src, planes, pitch);
  if (!ret && (r = cu.MemcpyDtoHAsync(buf->data, c->yuv, c->frame_size, c->stream)) != CUDA_SUCCESS)
    ret = fail(c, NULL, 0, r, "copying the converted frame to the host (cuMemcpyDtoHAsync)");
  if (!ret && (r = cu.EventRecord(c->done[slot], c->stream)) != CUDA_SUCCESS)
    ret = fail(c, NULL, 0, r, "cuEventRecord");
  if (ret < 0) cu.StreamSynchronize(c->stream); /* nothing may still be copying into buf */
  cu.CtxPopCurrent(&ignored);
  if (ret < 0) {
    av_buffer_unref(&buf);
    return ret;
  }
  for (int i = 0; i < AV_NUM_DATA_POINTERS; i++) av_buffer_unref(&dst->buf[i]);
  memset(dst->data, 0, sizeof dst->data);
  memset(dst->linesize, 0, sizeof dst->linesize);
  dst->buf[0] = buf;
  for (int i = 0; i < 3 && c->linesize[i]; i++) dst->data[i] = buf->data + c->offset[i], dst->linesize[i] = c->linesize[i];
  return 0;
}

int pe_gpu_wait(gpu_converter *c, int slot) {
  CUcontext ignored;
  CUresult r = cu.CtxPushCurrent(c->ctx);
  if (r != CUDA_SUCCESS) return fail(c, NULL, 0, r, "cuCtxPushCurrent on device %d", c->index);
  r = cu.EventSynchronize(c->done[slot]);
  cu.CtxPopCurrent(&ignored);
  return r == CUDA_SUCCESS ? 0 : fail(c, NULL, 0, r, "converting a frame on cuda:%d", c->index);
}

int pe_gpu_convert_to_hw_frame(gpu_converter *c, const source_frame *src, AVFrame *dst) {
  if (!c->hw_device || dst->format != AV_PIX_FMT_CUDA)
    return fail(c, NULL, 0, CUDA_SUCCESS, "internal error: not an NVENC converter");
  uint64_t planes[3] = {0};
  int64_t pitch[3] = {0};
  for (int i = 0; i < 3 && dst->data[i]; i++) planes[i] = (uint64_t)(uintptr_t)dst->data[i], pitch[i] = dst->linesize[i];
  CUcontext ignored;
  CUresult r = cu.CtxPushCurrent(c->ctx);
  if (r != CUDA_SUCCESS) return fail(c, NULL, 0, r, "cuCtxPushCurrent on device %d", c->index);
  int ret = launch(c, src, planes, pitch);
  if (!ret && (r = cu.StreamSynchronize(c->stream)) != CUDA_SUCCESS)
    ret = fail(c, NULL, 0, r, "converting a frame on cuda:%d", c->index);
  cu.CtxPopCurrent(&ignored);
  return ret;
}
