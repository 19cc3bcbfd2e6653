#!/usr/bin/env bash
# Installs the build in build/ into a scratch prefix, builds the example against it with find_package
# (shared and static) and with pkg-config, runs each, and checks the file with ffprobe.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install build --prefix "$prefix" >/dev/null
cmake -S examples -B "$prefix/examples" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/examples" >/dev/null
pc_flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --define-variable=prefix="$prefix" --cflags --libs polyenc)
cc -std=c11 examples/video_audio.c $pc_flags -lm -o "$prefix/video_audio_pc"
for exe in "$prefix/examples/video_audio" "$prefix/examples/video_audio_static" "$prefix/video_audio_pc"; do
  LD_LIBRARY_PATH="$prefix/lib" "$exe" "$prefix/out.mp4" >/dev/null
  streams=$(ffprobe -v error -show_entries stream=index,codec_type,codec_name -of csv=p=0 "$prefix/out.mp4" | tr '\n' ' ')
  [ "$streams" = "0,h264,video 1,aac,audio " ] || { echo "install check: $exe wrote '$streams'"; exit 1; }
done
echo "install check: header, shared + static library, CMake package, pkg-config and CLI work from $prefix"
[ -x "$prefix/bin/polyenc" ] && [ -f "$prefix/include/polyenc/polyenc.h" ]
