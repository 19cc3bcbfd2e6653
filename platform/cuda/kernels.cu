// The colour-conversion kernel: one thread per 2x2 block of pixels, the arithmetic in yuv_math.h
// (shared with the CPU emulation in the tests). Compiled by nvcc to a fatbin (sm_90 code + PTX for
// every other GPU) that CMake embeds in the library; the host side loads it with cuModuleLoadData.
#include "yuv_math.h"

extern "C" __global__ void polyenc_rgb_to_yuv(const pe_kernel_args args) {
  int bx = blockIdx.x * blockDim.x + threadIdx.x;
  int by = blockIdx.y * blockDim.y + threadIdx.y;
  pe_convert_block(&args, bx, by);
}
