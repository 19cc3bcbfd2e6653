#!/usr/bin/env bash
# The deep layouts' conversion (rgb48, rgba64, rgb-planar16, rgb-planar-f32 -> yuv420p10le and yuv420p,
# BT.709 tv) at 1080p in the wasm build under Node: bench/convert/wide.c compiled with emcc -O3 -msimd128
# against the wasm-st prefix of wasm/build-deps.sh. Columns: "polyenc" the kernel PE_WIDE_AUTO picks there
# (SIMD128, platform/cpu/wide_simd128.c), "C kernel" the plain C one (PE_WIDE_PLAIN_C, auto-vectorised by
# -msimd128), "swscale" sws_scale of the same wasm FFmpeg; ms per frame, the median of the rounds (wall time:
# bench/wasm/monotonic-clock.h).
# usage: bench/wasm/convert-wide.sh [W H [rounds [frames]]]   (default 1920 1080 9 10)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$(dirname "$HERE")")
OUT=${BENCH_OUT:-$ROOT/build-wasm/bench}
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
mkdir -p "$OUT"

"$ROOT/wasm/build-deps.sh" --target wasm-st >&2
prefix=$("$ROOT/wasm/build-deps.sh" --print-prefix wasm-st)
pc() { PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" PKG_CONFIG_PATH='' pkg-config --static "$@" libswscale libavutil; }
# shellcheck disable=SC2046
emcc -O3 -msimd128 -std=c11 -Wall -Wextra -include "$HERE/monotonic-clock.h" -I"$ROOT/include" -I"$ROOT/platform" \
  $(pc --cflags) "$ROOT/bench/convert/wide.c" "$ROOT/platform/cpu/wide.c" "$ROOT/platform/cpu/wide_simd128.c" \
  -o "$OUT/convert_wide.js" $(pc --libs) -sMODULARIZE=1 -sEXPORT_NAME=createBench -sENVIRONMENT=node \
  -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB -sTOTAL_STACK=2MB
echo "node $(node --version), $OUT/convert_wide.wasm"
node "$ROOT/wasm/smoke/run.js" "$OUT/convert_wide.js" "$@"
