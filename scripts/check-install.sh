#!/usr/bin/env bash
# Usage: scripts/check-install.sh [BUILD_DIR]   (default: build)
# Installs the build in BUILD_DIR into a scratch prefix (outside the system directories), builds the example
# against it with find_package (shared and static) and with pkg-config, runs each, and checks the file
# with ffprobe; checks that both libraries make only polyenc_* global; then runs the installed CLI. No ldconfig, no LD_LIBRARY_PATH: the CLI
# finds its library through its run path ($ORIGIN/../lib), CMake-built programs through theirs.
# A POLYENC_FFMPEG=bundled build is also checked to need nothing but glibc (scripts/check-needed.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
if grep -q '^POLYENC_FFMPEG:STRING=bundled$' "$build/CMakeCache.txt"; then
  bash scripts/check-needed.sh "$prefix/lib/libpolyenc.so" "$prefix/bin/polyenc" | sed 's/^/install check: /'
fi
cmake -S examples -B "$prefix/examples" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/examples" >/dev/null
pc_flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --define-variable=prefix="$prefix" --cflags --libs polyenc)
cc -std=c11 examples/video_audio.c $pc_flags -Wl,-rpath,"$prefix/lib" -lm -o "$prefix/video_audio_pc"
for exe in "$prefix/examples/video_audio" "$prefix/examples/video_audio_static" "$prefix/video_audio_pc"; do
  env -u LD_LIBRARY_PATH "$exe" "$prefix/out.mp4" >/dev/null
  streams=$(ffprobe -v error -show_entries stream=index,codec_type,codec_name -of csv=p=0 "$prefix/out.mp4" | tr '\n' ' ')
  [ "$streams" = "0,h264,video 1,aac,audio " ] || { echo "install check: $exe wrote '$streams'"; exit 1; }
done
# only polyenc_* is global: the shared library's dynamic symbols, and the static library's symbols
for lib in "$prefix/lib/libpolyenc.so" "$prefix/lib/libpolyenc.a"; do
  case "$lib" in *.so) syms=$(nm -D --defined-only "$lib") ;; *) syms=$(nm -g --defined-only "$lib") ;; esac
  others=$(printf '%s\n' "$syms" | awk 'NF == 3 { print $3 }' | grep -v '^polyenc_' || true)
  [ -z "$others" ] || { echo "install check: $lib has global names other than polyenc_*: $(echo $others | head -c 300)"; exit 1; }
  printf '%s\n' "$syms" | awk 'NF == 3 { print $3 }' | grep -q '^polyenc_encoder_new$' || { echo "install check: $lib lacks polyenc_encoder_new"; exit 1; }
done
cli="$prefix/bin/polyenc"
[ -f "$prefix/include/polyenc/polyenc.h" ] || { echo "install check: no header"; exit 1; }
for args in "--help" "encode --help" "demo --help"; do
  # shellcheck disable=SC2086
  env -u LD_LIBRARY_PATH "$cli" $args | grep -q "polyenc encode \[options\] OUT" || { echo "install check: polyenc $args printed no usage"; exit 1; }
done
(cd "$prefix" && env -u LD_LIBRARY_PATH "$cli" demo "$prefix/demo.mp4" >/dev/null)
streams=$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$prefix/demo.mp4" | tr '\n' ' ')
[ "$streams" = "h264 aac " ] || { echo "install check: the installed CLI wrote '$streams'"; exit 1; }
[ ! -e "$prefix/--help" ] || { echo "install check: demo --help wrote a file named --help"; exit 1; }
echo "install check: header, shared + static library, CMake package, pkg-config and the CLI work from $prefix"
