#!/usr/bin/env bash
# The long run: encodes FRAMES small frames (64x64 @ 30 fps, ultrafast) plus matching audio through a
# writer that cannot seek (fragmented MP4), and prints RSS and open file descriptors at the start,
# after 1k, 10k and 100k frames and at the end; fails when RSS grows by more than 8 MiB after the
# first tenth of the run, or when file descriptors leak (tests/longrun.c explains the bound).
# Usage: scripts/longrun.sh [FRAMES]          (default 100000; about 1-2 minutes on 2 cores)
# The build directory is the normal Release build, build/ (POLYENC_BUILD_DIR=... to use another).
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-100000}
dir=${POLYENC_BUILD_DIR:-build}
jobs=$(( $(nproc) < 2 ? $(nproc) : 2 ))
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DPOLYENC_TESTS=ON >/dev/null
fi
cmake --build "$dir" -j"$jobs" --target polyenc_longrun >/dev/null
exec "$dir/tests/polyenc_longrun" "$frames"
