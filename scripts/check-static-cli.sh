#!/usr/bin/env bash
# The single-file polyenc CLI: a bundled-FFmpeg build with POLYENC_STATIC_CLI (-static) in
# build-static-cli/. Checks that it is static, runs `polyenc demo` and `polyenc info` with an empty
# environment, and checks the demo with ffprobe. Prints its size.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-static-cli -DCMAKE_BUILD_TYPE=Release -DPOLYENC_FFMPEG=bundled -DPOLYENC_STATIC_CLI=ON \
  -DPOLYENC_TESTS=OFF -DPOLYENC_CUDA=OFF >/dev/null
cmake --build build-static-cli --target polyenc_cli -j"$(nproc)" >/dev/null
cli=build-static-cli/polyenc
if readelf -d "$cli" | grep -q '(NEEDED)'; then
  echo "static CLI: $cli needs shared libraries: $(readelf -d "$cli" | grep '(NEEDED)')"; exit 1
fi
readelf -l "$cli" | grep -q INTERP && { echo "static CLI: $cli has a program interpreter"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
strip -o "$out/polyenc" "$cli"
(cd "$out" && env -i ./polyenc demo demo.mp4 >/dev/null && env -i ./polyenc info > info.txt)
streams=$(ffprobe -v error -count_frames -show_entries stream=codec_name,nb_read_frames -of csv=p=0 "$out/demo.mp4" | tr '\n' ' ')
[ "$streams" = "h264,90 aac,141 " ] || { echo "static CLI: the demo has '$streams'"; exit 1; }
grep -q '^  libx264        yes' "$out/info.txt" || { echo "static CLI: info lacks libx264"; cat "$out/info.txt"; exit 1; }
echo "static CLI: $(stat -c %s "$cli") bytes ($(stat -c %s "$out/polyenc") stripped), no shared libraries; demo and info run with an empty environment"
