/* DLPack input (polyenc_add_frames_dlpack): a tensor of PyTorch, JAX, CuPy or NumPy, on the CPU or a CUDA
 * device, checked against its video stream and handed to the core as frames (pe_video_add_source). Its
 * device types are CUDA's (kDLCUDA, kDLCUDAHost, kDLCUDAManaged): it lives with the CUDA adapter, and is
 * built in every build (without CUDA, CPU tensors go to cpu streams as ever). */
#include "internal.h"
#include "platform.h"

#ifdef POLYENC_HAS_DLPACK
typedef DLTensor dl_tensor;
#else
/* Without <dlpack/dlpack.h> (e.g. a cross build): the same ABI, declared here. */
typedef struct {
  void *data;
  struct { int device_type, device_id; } device;
  int ndim;
  struct { uint8_t code, bits; uint16_t lanes; } dtype;
  int64_t *shape, *strides;
  uint64_t byte_offset;
} dl_tensor;
#endif
enum { DL_CPU = 1, DL_CUDA = 2, DL_CUDA_HOST = 3, DL_CUDA_MANAGED = 13, DL_UINT = 1, DL_FLOAT = 2 };

static const char *dtype_name(char *buf, size_t size, int code, int bits, int lanes) {
  static const char *const codes[] = {"int", "uint", "float", "opaque", "bfloat", "complex", "bool"};
  snprintf(buf, size, "%s%d%s", code >= 0 && code < 7 ? codes[code] : "code?", bits, lanes == 1 ? "" : " x lanes");
  return buf;
}

static polyenc_status check_tensor_device(polyenc_stream *s, const dl_tensor *t) {
  int device = pe_video_device(s), type = (int)t->device.device_type, id = t->device.device_id;
  if (type == DL_CUDA_HOST || type == DL_CUDA_MANAGED) return POLYENC_OK; /* reachable from host and GPU */
  if (type == DL_CPU && device >= 0)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                        "tensor is on the CPU, but stream %d is on cuda:%d: move the tensor to the GPU "
                        "(tensor.cuda()) or add the stream with device \"cpu\"", s->index, device);
  if (type == DL_CUDA && device < 0)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                        "tensor is on cuda:%d, but stream %d is a cpu stream: add the stream with device \"cuda:%d\" "
                        "or move the tensor to the CPU", id, s->index, id);
  if (type == DL_CUDA && id != device)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT, "tensor is on cuda:%d, but stream %d is on cuda:%d", id,
                        s->index, device);
  if (type != DL_CPU && type != DL_CUDA)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                        "tensor device_type %d is not supported: kDLCPU (1), kDLCUDA (2), kDLCUDAHost (3) or "
                        "kDLCUDAManaged (13)", type);
  return POLYENC_OK;
}

/* The layout of a tensor of `bytes`-byte elements (1 uint8, 2 uint16, 4 float32) and this shape for stream
 * s (h x w), or an error naming what would be valid. */
static polyenc_status tensor_layout(polyenc_stream *s, const int64_t *shape, int bytes, polyenc_layout *layout) {
  int h = s->codec_ctx->height, w = s->codec_ctx->width, nhwc = shape[1] == h && shape[2] == w;
  if (shape[1] == 3 && shape[2] == h && shape[3] == w)
    *layout = bytes == 1 ? POLYENC_RGB_PLANAR : bytes == 2 ? POLYENC_RGB_PLANAR16 : POLYENC_RGB_PLANAR_F32;
  else if (nhwc && (shape[3] == 3 || shape[3] == 4) && bytes == 4)
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                        "tensor of dtype float32 and shape (%lld, %d, %d, %lld) is channels-last, which float32 "
                        "frames cannot be: give (N, 3, %d, %d) (RGB_PLANAR_F32; tensor.permute(0, 3, 1, 2) is a "
                        "view, no copy), or a channels-last tensor of dtype uint8 or uint16",
                        (long long)shape[0], h, w, (long long)shape[3], h, w);
  else if (nhwc && shape[3] == 3) *layout = bytes == 1 ? POLYENC_RGB24 : POLYENC_RGB48;
  else if (nhwc && shape[3] == 4) *layout = bytes == 1 ? POLYENC_RGBA : POLYENC_RGBA64;
  else
    return pe_set_error(s->enc, POLYENC_ERR_ARGUMENT,
                        "tensor shape (%lld, %lld, %lld, %lld) is neither (N, 3, %d, %d) nor (N, %d, %d, 3|4) for "
                        "stream %d (height %d, width %d)",
                        (long long)shape[0], (long long)shape[1], (long long)shape[2], (long long)shape[3], h, w, h, w,
                        s->index, h, w);
  return POLYENC_OK;
}

POLYENC_API polyenc_status polyenc_add_frames_dlpack(polyenc_stream *s, const dl_tensor *t) {
  if (!s) return POLYENC_ERR_ARGUMENT;
  polyenc_encoder *enc = s->enc;
  if (!t) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "tensor must not be NULL");
  if (s->kind != STREAM_VIDEO)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "polyenc_add_frames_dlpack needs a video stream: stream %d is not one", s->index);
  polyenc_status st = pe_encoder_check_open(enc, "polyenc_add_frames_dlpack");
  if (st) return st;
  char name[32];
  int code = t->dtype.code, bits = t->dtype.bits, bytes = bits / 8;
  if (t->dtype.lanes != 1 || !((code == DL_UINT && (bits == 8 || bits == 16)) || (code == DL_FLOAT && bits == 32)))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "tensor dtype must be uint8, uint16 or float32 (torch.uint8, torch.uint16, torch.float32), "
                        "got %s", dtype_name(name, sizeof name, code, bits, t->dtype.lanes));
  if (t->ndim != 4 || !t->shape)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                        "tensor must have 4 dimensions, (N, 3, H, W) or (N, H, W, 3|4), got %d", t->ndim);
  if ((st = check_tensor_device(s, t))) return st;
  const int64_t *shape = t->shape;
  int h = s->codec_ctx->height, w = s->codec_ctx->width;
  polyenc_layout layout = POLYENC_RGB_PLANAR;
  if ((st = tensor_layout(s, shape, bytes, &layout))) return st;
  if (shape[0] < 0 || shape[0] > 0x7fffffff)
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "tensor shape[0] (the number of frames) must be >= 0, got %lld",
                        (long long)shape[0]);
  int64_t strides[4] = {shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1}; /* compact */
  for (int i = 0; t->strides && i < 4; i++) {
    if (t->strides[i] < 0)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "tensor strides[%d] must be >= 0, got %lld", i,
                          (long long)t->strides[i]);
    if (t->strides[i] > INT64_MAX / 4)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "tensor strides[%d] (%lld) is too large", i,
                          (long long)t->strides[i]);
    strides[i] = t->strides[i];
  }
  for (int i = 0; i < 4; i++) strides[i] *= bytes; /* DLPack counts elements, polyenc bytes */
  if (shape[0] == 0) return POLYENC_OK;
  if (!t->data) return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "tensor data must not be NULL");
  source_frame first = {layout, (const uint8_t *)t->data + t->byte_offset, {strides[1], strides[2], strides[3]}, w, h};
  return pe_video_add_source(s, &first, (int)shape[0], strides[0], NULL); /* pts: the running index */
}
