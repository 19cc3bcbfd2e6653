#!/usr/bin/env bash
# Builds wasm/smoke/smoke.c against both dependency prefixes from
# wasm/build-deps.sh (building them first if needed), runs it under Node:
#   1. 320x240, 30 frames libx264 + 1 s 440 Hz aac -> MP4 in memory -> file,
#      checked with the host's ffprobe (h264 + aac, 30 video frames);
#      then VP9 + Opus in WebM when the prefix has libvpx
#      (mt: a second run with x264 sliced threads, which runs the lookahead's
#      slicetype_slice_cost through x264_threadpool_run, the patched call);
#   2. 1280x720, 60 frames libx264 ultrafast (st: 1 thread, mt: 2 threads),
#      fps printed (frames are converted before the timed encode).
# It links FFmpeg & co. only (not polyenc's core: that is wasm/build.sh, into js/wasm/).
# Outputs go to build-wasm/smoke/ (git-ignored; SMOKE_OUT=DIR elsewhere).
# usage: wasm/smoke/run.sh [st|mt ...]   (default: st mt)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WASM=$(dirname "$HERE")
OUT=${SMOKE_OUT:-$(dirname "$WASM")/build-wasm/smoke}
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
NODE=${NODE:-node}
variants=("$@"); [ ${#variants[@]} -gt 0 ] || variants=(st mt)
mkdir -p "$OUT"

"$WASM/build-deps.sh" --target wasm >&2

fail=0
summary=()
for v in "${variants[@]}"; do
  prefix=$("$WASM/build-deps.sh" --print-prefix "wasm-$v")
  pc() { PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" PKG_CONFIG_PATH= pkg-config --static "$@" \
           libavformat libavcodec libswscale libswresample libavutil; }
  cflags="-O3 -msimd128"
  ldflags=(-sMODULARIZE=1 -sEXPORT_NAME=createSmoke -sNODERAWFS=1 -sEXIT_RUNTIME=1 -sTOTAL_STACK=5MB)
  if [ "$v" = mt ]; then
    cflags="$cflags -pthread"; threads=2
    ldflags+=(-pthread -sPTHREAD_POOL_SIZE=4 -sINITIAL_MEMORY=512MB)
  else
    threads=1
    ldflags+=(-sENVIRONMENT=node -sINITIAL_MEMORY=64MB -sALLOW_MEMORY_GROWTH=1)
  fi
  echo "== $v: link against $prefix"
  # shellcheck disable=SC2046,SC2086
  emcc $cflags $(pc --cflags) "$HERE/smoke.c" -o "$OUT/smoke_$v.js" $(pc --libs) "${ldflags[@]}"
  raw=$(stat -c %s "$OUT/smoke_$v.wasm")
  gz=$(gzip -9 -c "$OUT/smoke_$v.wasm" | wc -c)
  echo "   smoke_$v.wasm: $raw bytes raw, $gz bytes gzip -9"

  runs=("smoke_$v::")
  [ "$v" = mt ] && runs+=("smoke_${v}_sliced:x264-params=sliced-threads=1")
  for r in "${runs[@]}"; do
    name=${r%%:*}; params=${r#*:}; params=${params#:}
    echo "== $v: 320x240 x 30 frames libx264 + aac -> $OUT/$name.mp4 ${params:+($params)}"
    rm -f "$OUT/$name.mp4"
    if ! "$NODE" "$HERE/run.js" "$OUT/smoke_$v.js" "$OUT/$name.mp4" 320 240 30 "$threads" medium 1 $params; then
      echo "   run FAILED"; fail=1; continue
    fi
    probe=$(ffprobe -v error -count_frames -show_entries stream=codec_name,width,height,nb_read_frames,sample_rate,channels \
              -show_entries format=format_name,duration -of compact "$OUT/$name.mp4")
    echo "$probe" | sed 's/^/   /'
    if echo "$probe" | grep -q 'codec_name=h264|width=320|height=240|.*nb_read_frames=30' &&
       echo "$probe" | grep -q 'codec_name=aac|sample_rate=48000|channels=2'; then
      echo "   ffprobe check: OK (h264 320x240 30 frames + aac)"
    else
      echo "   ffprobe check: FAILED"; fail=1
    fi
  done

  if [ -e "$prefix/lib/libvpx.a" ]; then
    echo "== $v: 320x240 x 30 frames libvpx-vp9 + libopus -> $OUT/smoke_$v.webm"
    rm -f "$OUT/smoke_$v.webm"
    if "$NODE" "$HERE/run.js" "$OUT/smoke_$v.js" "$OUT/smoke_$v.webm" 320 240 30 "$threads" - 1 \
         format=webm vcodec=libvpx-vp9 acodec=libopus; then
      probe=$(ffprobe -v error -count_frames -show_entries stream=codec_name,width,height,nb_read_frames,sample_rate,channels \
                -of compact "$OUT/smoke_$v.webm")
      echo "$probe" | sed 's/^/   /'
      if echo "$probe" | grep -q 'codec_name=vp9|width=320|height=240|.*nb_read_frames=30' &&
         echo "$probe" | grep -q 'codec_name=opus|sample_rate=48000|channels=2'; then
        echo "   ffprobe check: OK (vp9 320x240 30 frames + opus)"
      else
        echo "   ffprobe check: FAILED"; fail=1
      fi
    else
      echo "   run FAILED"; fail=1
    fi
  fi

  echo "== $v: 1280x720 x 60 frames libx264 ultrafast, threads=$threads"
  bench=$("$NODE" "$HERE/run.js" "$OUT/smoke_$v.js" - 1280 720 60 "$threads" ultrafast 0)
  echo "$bench" | sed 's/^/   /'
  summary+=("$v: smoke_$v.wasm ${raw} B (${gz} B gzip -9); 720p ultrafast x${threads} thread(s): $(echo "$bench" | sed -n 's/^encode: //p')")
done

echo "== summary"
printf '   %s\n' "${summary[@]}"
[ "$fail" = 0 ] && echo "smoke: all checks passed" || { echo "smoke: FAILED"; exit 1; }
