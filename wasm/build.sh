#!/usr/bin/env bash
# Builds polyenc for WebAssembly into js/wasm/, the wasm files of the npm package (js/):
#   polyenc-st.{js,wasm}   single-threaded build (classic emscripten glue, MODULARIZE)
#   polyenc-mt.{js,wasm}   threaded build (pthreads; needs SharedArrayBuffer: Node, or a page
#   polyenc-mt.worker.js     served with COOP/COEP) + emscripten's pthread worker
#   polyenc-*.glue.mjs     the browser's glue (web and worker only) as an ES module, over the same .wasm
# The JS that drives them is js/src/ (wasm-backend.mjs, wasm-load-*.mjs).
# The core (src/*.c) and platform/wasm/*.c are compiled with emcc -O3 -msimd128 and linked against
# the FFmpeg + x264 + opus + libvpx prefixes of wasm/build-deps.sh (built first when missing).
#
# usage: wasm/build.sh [--variant st|mt|all] [--skip-deps]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${POLYENC_WASM_DIST:-$ROOT/js/wasm}
OBJ=${POLYENC_WASM_OBJ:-$ROOT/build-wasm}
JOBS=${JOBS:-2}
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

VARIANTS=(st mt)
SKIP_DEPS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --variant) case "${2:-}" in st|mt) VARIANTS=("$2") ;; all) VARIANTS=(st mt) ;; *) echo "--variant st|mt|all" >&2; exit 2 ;; esac; shift 2 ;;
    --skip-deps) SKIP_DEPS=1; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

log() { printf '[wasm/build] %s\n' "$*" >&2; }

[ "$SKIP_DEPS" = 1 ] || "$HERE/build-deps.sh" --target wasm >&2

VERSION=$(sed -n 's/^project(polyenc VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
[ -n "$VERSION" ] || VERSION=0.0.0
SOURCES=("$ROOT"/src/*.c "$ROOT"/platform/wasm/*.c "$ROOT"/platform/cpu/generic.c "$ROOT"/platform/cpu/stream.c
         "$ROOT"/platform/cpu/wide.c "$ROOT"/platform/cpu/wide_simd128.c
         "$ROOT"/platform/cuda/dlpack.c)
# no CUDA in wasm: the CUDA adapter's converter is the "no CUDA support" stub
[ -f "$ROOT/platform/cuda/none.c" ] && SOURCES+=("$ROOT/platform/cuda/none.c")
CFLAGS=(-O3 -msimd128 -std=c11 -D_DEFAULT_SOURCE -DPOLYENC_VERSION_STRING="\"$VERSION\""
        -I"$ROOT/include" -I"$ROOT/src" -I"$ROOT/platform" -Wall -Wextra -Wno-unused-parameter)

EXPORTS=(malloc free
  polyenc_version polyenc_status_name polyenc_encoder_new polyenc_encoder_free polyenc_last_error
  polyenc_stream_index polyenc_open_memory polyenc_close polyenc_has_encoder
  pew_add_video pew_add_audio pew_add_frames pew_add_samples pew_open_writer pew_output
  pew_output_data pew_output_size pew_heap_in_use
  pew_add_encoded_video pew_add_packet pew_default_video_codec
  polyenc_set_metadata polyenc_abort pew_get_stats pew_next_pts pew_check_pts pew_convert_frame pew_convert_error)
exports=$(printf '_%s,' "${EXPORTS[@]}"); exports=${exports%,}

mkdir -p "$OUT"
for v in "${VARIANTS[@]}"; do
  prefix=$("$HERE/build-deps.sh" --print-prefix "wasm-$v")
  [ -d "$prefix/lib" ] || { echo "wasm/build: no dependency prefix for $v at $prefix (run wasm/build-deps.sh)" >&2; exit 1; }
  pc() { PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" PKG_CONFIG_PATH= pkg-config --static "$@" \
           libavformat libavcodec libswscale libswresample libavutil; }
  obj="$OBJ/obj-$v"
  mkdir -p "$obj"
  vflags=()
  ldflags=(-O3 -msimd128 -sMODULARIZE=1 -sEXPORT_NAME=PolyencModule -sENVIRONMENT=web,worker,node
           -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB -sABORTING_MALLOC=0 -sTOTAL_STACK=2MB
           -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0 -sSTRICT_JS=1
           -sEXPORTED_FUNCTIONS="$exports"
           -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8
           --post-js "$HERE/js/post.js")
  if [ "$v" = mt ]; then
    vflags=(-pthread)
    # pool size: set by polyenc.mjs from the thread count it allows (x264: threads + lookahead);
    # STRICT=2: a pthread_create beyond the pool fails (EAGAIN) instead of waiting forever.
    ldflags+=(-pthread '-sPTHREAD_POOL_SIZE=Module["pthreadPoolSize"]||8' -sPTHREAD_POOL_SIZE_STRICT=2
              -sINITIAL_MEMORY=64MB -Wno-pthreads-mem-growth)
  else
    ldflags+=(-sINITIAL_MEMORY=32MB -sIMPORTED_MEMORY=1)
  fi
  log "$v: compiling ${#SOURCES[@]} files"
  objs=()
  pids=()
  for src in "${SOURCES[@]}"; do
    o="$obj/$(basename "$(dirname "$src")")_$(basename "${src%.c}").o"
    objs+=("$o")
    # shellcheck disable=SC2046
    emcc "${CFLAGS[@]}" "${vflags[@]}" $(pc --cflags) -c "$src" -o "$o" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$JOBS" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "$p"; done
  log "$v: linking $OUT/polyenc-$v.js"
  # shellcheck disable=SC2046
  emcc "${objs[@]}" -o "$OUT/polyenc-$v.js" $(pc --libs) "${ldflags[@]}"
  # the browser's glue, an ES module: linked again for web and worker only, so that it holds no
  # require('fs') for a bundler to trip on (Vite, webpack, esbuild); the .wasm must be the same bytes
  web="$OBJ/web-$v"
  mkdir -p "$web"
  log "$v: linking the browser glue"
  # shellcheck disable=SC2046
  emcc "${objs[@]}" -o "$web/polyenc-$v.js" $(pc --libs) "${ldflags[@]/-sENVIRONMENT=web,worker,node/-sENVIRONMENT=web,worker}"
  cmp -s "$web/polyenc-$v.wasm" "$OUT/polyenc-$v.wasm" ||
    { echo "wasm/build: the browser link of $v gave another .wasm than the first" >&2; exit 1; }
  { cat "$web/polyenc-$v.js"; printf '\nexport default PolyencModule;\n'; } > "$OUT/polyenc-$v.glue.mjs"
done


echo "sizes ($OUT):"
for v in "${VARIANTS[@]}"; do
  f="$OUT/polyenc-$v.wasm"
  printf '  %-18s %9d bytes raw  %9d bytes gzip -9\n' "polyenc-$v.wasm" "$(stat -c %s "$f")" "$(gzip -9 -c "$f" | wc -c)"
done
