#!/usr/bin/env bash
# The deep layouts' SIMD128 kernel (platform/cpu/wide_simd128.c) as the wasm build compiles it
# (emcc -O3 -msimd128, against the wasm-st prefix of wasm/build-deps.sh, built first when missing), under Node:
#   1. wasm/wide/check.c: against the plain C kernel, every layout x pixel format x matrix x range on
#      random frames with extremes; fails past 1 code value, prints how many samples differ;
#   2. tests/test_wide.c, every case: both kernels against a double-precision reference of wide.h's
#      formulas, NaN, clamping, odd sizes, strides, alpha, swscale.
# Outputs go to build-wasm/wide/ (WIDE_OUT=DIR elsewhere).
# usage: wasm/wide/run.sh
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WASM=$(dirname "$HERE")
ROOT=$(dirname "$WASM")
OUT=${WIDE_OUT:-$ROOT/build-wasm/wide}
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
NODE=${NODE:-node}
mkdir -p "$OUT"

"$WASM/build-deps.sh" --target wasm-st >&2
prefix=$("$WASM/build-deps.sh" --print-prefix wasm-st)
pc() { PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" PKG_CONFIG_PATH='' pkg-config --static "$@" libswscale libavutil; }
cflags=(-O3 -msimd128 -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Wno-unused-parameter
        -I"$ROOT/include" -I"$ROOT/platform" -I"$ROOT/tests")
ldflags=(-sMODULARIZE=1 -sEXPORT_NAME=createCheck -sENVIRONMENT=node -sNODERAWFS=1 -sEXIT_RUNTIME=1
         -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB -sTOTAL_STACK=2MB)
kernels=("$ROOT/platform/cpu/wide.c" "$ROOT/platform/cpu/wide_simd128.c")

link() { # $1 output name, rest: sources
  local name=$1; shift
  # shellcheck disable=SC2046
  emcc "${cflags[@]}" $(pc --cflags) "$@" "${kernels[@]}" -o "$OUT/$name.js" $(pc --libs) "${ldflags[@]}"
}

echo "== wide: build (emcc -O3 -msimd128) into $OUT"
link wide_check "$HERE/check.c"
link test_wide "$ROOT/tests/test_wide.c" "$ROOT/tests/check.c"

echo "== wide: the SIMD128 kernel against the C kernel"
"$NODE" "$WASM/smoke/run.js" "$OUT/wide_check.js"

echo "== wide: tests/test_wide.c"
fail=0
cd "$OUT" # the cases' temporary folders (polyenc-test-tmp/) go here
for c in $("$NODE" "$WASM/smoke/run.js" "$OUT/test_wide.js" --list); do
  "$NODE" "$WASM/smoke/run.js" "$OUT/test_wide.js" "$c" || { echo "   $c FAILED"; fail=1; }
done
if [ "$fail" != 0 ]; then echo "wide: FAILED"; exit 1; fi
echo "wide: all checks passed"
