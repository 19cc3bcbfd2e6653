#!/usr/bin/env bash
# Build x264's tools/checkasm for WebAssembly (emcc -O3 -msimd128, configured as
# wasm/build-deps.sh configures x264 for wasm-st) against a patched x264 tree and
# run it in Node: every SIMD128 function is compared with the C version.
#
# Usage:
#   checkasm.sh [--src DIR] [--patches DIR] [--no-patch] [--bit-depth 8|10|all]
#               [--seeds N] [--keep DIR] [-j N]
#     --src DIR       x264 source (default: Debian's, from ~/.cache/polyenc/deps/src/x264_*
#                     or `apt-get source x264` into a temporary directory)
#     --patches DIR   directory of *.patch applied in name order with patch -p1
#                     (default: wasm/patches/x264, the patches every build applies)
#     --no-patch      DIR is already patched
#     --bit-depth     8 (default), 10 or all
#     --seeds N       run checkasm with N different random seeds (default 3)
#     --keep DIR      build in DIR and keep it (default: a temporary directory)
# Needs: emcc (Debian's emscripten 3.1.6 works), node, patch, make.
# Exit status 0 only if every run passed and SIMD128 functions were actually tested.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC= PATCHES="$HERE/patches/x264" DO_PATCH=1 BITDEPTH=8 SEEDS=3 KEEP= JOBS=${JOBS:-2}
while [ $# -gt 0 ]; do
  case "$1" in
    --src) SRC=$2; shift 2 ;;
    --patches) PATCHES=$2; shift 2 ;;
    --no-patch) DO_PATCH=0; shift ;;
    --bit-depth) BITDEPTH=$2; shift 2 ;;
    --seeds) SEEDS=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    -j) JOBS=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "x264-checkasm.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
die() { echo "x264-checkasm.sh: $*" >&2; exit 1; }
command -v emcc >/dev/null || die "emcc not found (apt-get install emscripten node-acorn)"
command -v node >/dev/null || die "node not found"
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}   # Debian's emcc needs acorn from node-acorn

if [ -n "$KEEP" ]; then B=$KEEP; rm -rf "$B"; mkdir -p "$B"; else B=$(mktemp -d); trap 'rm -rf "$B"' EXIT; fi

if [ -z "$SRC" ]; then
  SRC=$(ls -d "${POLYENC_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/polyenc/deps}"/src/x264_* 2>/dev/null | tail -n1 || true)
  if [ -z "$SRC" ]; then
    (cd "$B" && apt-get source -qq x264 >/dev/null 2>&1) || die "no x264 source: pass --src or add a deb-src entry"
    SRC=$(ls -d "$B"/x264-*/ | head -n1)
  fi
fi
[ -f "$SRC/x264.h" ] || die "$SRC is not an x264 source tree"

cp -a "$SRC/." "$B/x264/" 2>/dev/null || { mkdir -p "$B/x264"; cp -a "$SRC/." "$B/x264/"; }
if [ "$DO_PATCH" = 1 ]; then
  n=0
  for f in "$PATCHES"/*.patch; do
    [ -e "$f" ] || continue
    patch -d "$B/x264" -p1 --forward --silent < "$f" || die "patch $f does not apply"
    n=$((n+1))
  done
  [ $n -gt 0 ] || die "no patches in $PATCHES"
fi

cd "$B/x264"
CC=emcc AR=emar RANLIB=emranlib STRIP=: ./configure --enable-static --disable-cli --chroma-format=all \
  --disable-opencl --disable-avs --disable-swscale --disable-lavf --disable-ffms --disable-gpac --disable-lsmash \
  --extra-cflags="-O3 -msimd128" --extra-ldflags="-sENVIRONMENT=node -sWASM_ASYNC_COMPILATION=0 -sALLOW_MEMORY_GROWTH=1" \
  --host=i686-gnu --disable-asm --bit-depth="$BITDEPTH" --disable-thread > configure.out 2>&1 \
  || { tail -n 30 configure.out config.log >&2; die "configure failed"; }
sed -i 's/ -fno-tree-vectorize//g' config.mak
grep -q '^#define HAVE_WASM_SIMD128 1' config.h || die "configure did not enable HAVE_WASM_SIMD128 (are the patches applied?)"
make -j"$JOBS" checkasm > make.out 2>&1 || { tail -n 40 make.out >&2; die "build failed"; }

case "$BITDEPTH" in all) bins=(checkasm8 checkasm10) ;; *) bins=(checkasm$BITDEPTH) ;; esac
passed=0 failed=0
for bin in "${bins[@]}"; do
  for s in $(seq 1 "$SEEDS"); do
    seed=$((s * 7919 + 12345))
    out=$(node "$bin" "$seed" 2>&1) || true
    if echo "$out" | grep -q "All tests passed" && echo "$out" | grep -q "SIMD128"; then
      if [ "$bin" = checkasm8 ] && ! echo "$out" | grep -q '\[OK\]'; then
        echo "$bin seed $seed: no SIMD128 function was tested"; failed=$((failed+1)); continue
      fi
      echo "$bin seed $seed: $(echo "$out" | grep -c '\[OK\]') groups OK"
      passed=$((passed+1))
    else
      echo "$out" | grep -v '\[OK\]' >&2
      echo "$bin seed $seed: FAILED"
      failed=$((failed+1))
    fi
  done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
