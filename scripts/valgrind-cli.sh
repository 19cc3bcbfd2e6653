#!/usr/bin/env bash
# The polyenc CLI of a bundled build (FFmpeg inside: it loads nothing but libc) under valgrind memcheck, leaks
# an error: small encodes from standard input in several layouts, codecs and containers, with audio, to a file
# and to a pipe (fragmented mp4), and a pipe that closes half-way (the failure path, the encoder's worker
# thread stopped with a frame in flight). scripts/test.sh runs it where valgrind cannot load the system FFmpeg.
#   scripts/valgrind-cli.sh build-bundled/polyenc
set -euo pipefail
cli=${1:?usage: valgrind-cli.sh CLI}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite
    --suppressions="$(dirname "$0")/../tests/valgrind.supp")
head -c $((96 * 64 * 4 * 30)) /dev/urandom >"$out/frames.raw"
head -c $((48000 * 2 * 4)) /dev/zero >"$out/pcm.raw"
run() { # NAME ARGS...: the encode must succeed (its output is checked for bytes at the end)
  local name=$1
  shift
  "${vg[@]}" "$cli" encode "$@" || { echo "valgrind-cli: $name failed ($?)" >&2; exit 1; }
  echo "valgrind-cli: $name ok"
}
run "rgb24 h264 mp4" --video 96x64@25 --layout rgb24 --video-input "$out/frames.raw" --preset ultrafast \
  --audio 48000:2 --audio-input "$out/pcm.raw" "$out/a.mp4"
run "rgba h264 1 thread mkv" --video 96x64@25 --layout rgba --video-input "$out/frames.raw" --threads 1 "$out/b.mkv"
run "rgb-planar vp9 webm" --video 96x64@25 --layout rgb-planar --video-input "$out/frames.raw" --codec libvpx-vp9 \
  --option deadline=realtime --option cpu-used=8 "$out/c.webm"
"${vg[@]}" "$cli" encode --video 96x64@25 --layout rgb24 --video-input "$out/frames.raw" --preset ultrafast \
  --format mp4 - >"$out/d.mp4" || { echo "valgrind-cli: mp4 to a pipe failed" >&2; exit 1; }
echo "valgrind-cli: rgb24 h264 fragmented mp4 to a pipe ok"
# a reader that stops after 2 KB: the CLI must fail with an I/O error (exit 1), without a memcheck error
set +o pipefail
"${vg[@]}" "$cli" encode --video 96x64@25 --layout rgb24 --video-input "$out/frames.raw" --preset ultrafast \
  --format mp4 - 2>"$out/e.err" | head -c 2048 >/dev/null
status=${PIPESTATUS[0]}
set -o pipefail
[ "$status" = 1 ] || { echo "valgrind-cli: a pipe closed half-way gave exit $status, not 1" >&2; cat "$out/e.err" >&2; exit 1; }
echo "valgrind-cli: a pipe closed half-way: exit 1 ($(grep -o 'POLYENC_ERR_[A-Z]*' "$out/e.err" | head -1))"
for f in a.mp4 b.mkv c.webm d.mp4; do [ -s "$out/$f" ] || { echo "valgrind-cli: $f is empty" >&2; exit 1; }; done
