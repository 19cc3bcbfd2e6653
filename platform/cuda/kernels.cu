// The CUDA kernels, their arithmetic in yuv_math.h and yuv_wide_math.h (shared with the CPU emulation in
// the tests). Compiled by nvcc to a fatbin (sm_90 code + PTX for every other GPU) that CMake embeds in the
// library; the host side (cuda.c) loads it with cuModuleLoadData.
#include "yuv_math.h"
#include "yuv_wide_math.h"

// 8-bit RGB -> 8-bit YUV, fixed point: one thread per 2x2 block of pixels.
extern "C" __global__ void polyenc_rgb_to_yuv(const pe_kernel_args args) {
  int bx = blockIdx.x * blockDim.x + threadIdx.x;
  int by = blockIdx.y * blockDim.y + threadIdx.y;
  pe_convert_block(&args, bx, by);
}

// The deep layouts (uint16, float32), and any layout into 10 bits, in float32: one thread per 2x2 block.
extern "C" __global__ void polyenc_wide_to_yuv(const pe_wide_args args) {
  int bx = blockIdx.x * blockDim.x + threadIdx.x;
  int by = blockIdx.y * blockDim.y + threadIdx.y;
  pe_wide_convert_block(&args, bx, by);
}

// NaN in float frames: thread (x, row blockIdx.y, channel blockIdx.z) looks through every frame; the least
// key of a NaN (frame, row, column, channel) ends in *args.found.
extern "C" __global__ void polyenc_find_nan(const pe_nan_args args) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  if (x >= args.width) return;
  uint64_t key = pe_find_nan_at(&args, x, (int)blockIdx.y, (int)blockIdx.z);
  if (key != UINT64_MAX) atomicMin((unsigned long long *)(uintptr_t)args.found, (unsigned long long)key);
}
