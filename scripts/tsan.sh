#!/usr/bin/env bash
# Runs the concurrency tests (tests/test_concurrency.c: eight encoders on eight threads at once, and
# the library's first calls made by eight threads at once) under ThreadSanitizer. Builds polyenc and
# the test with clang -fsanitize=thread into build-tsan/ and exits non-zero on any report.
# FFmpeg and the codec libraries are not instrumented; tests/tsan.supp lists, with a reason each, the
# few reports that come from inside them. polyenc's own frames are never suppressed.
# Usage: scripts/tsan.sh [extra ctest -R regex]   (default: every concurrency case)
set -euo pipefail
cd "$(dirname "$0")/.."
cc=$(command -v clang-14 || command -v clang || true)
if [ -z "$cc" ]; then
  echo "tsan.sh: clang not found (Debian: apt-get install clang-14)" >&2
  exit 1
fi
jobs=$(( $(nproc) < 2 ? $(nproc) : 2 ))
flags="-fsanitize=thread -g -O1 -fno-omit-frame-pointer"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLYENC_TESTS=ON -DPOLYENC_CUDA=OFF \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread >/dev/null
cmake --build build-tsan -j"$jobs" --target test_concurrency >/dev/null
# halt_on_error=0: every report is printed; exitcode=66 makes the case fail when there was one.
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=0 exitcode=66 second_deadlock_stack=1 history_size=4 ${TSAN_OPTIONS:-}"
export POLYENC_ENCODE_THREAD=1 # every encoder's frames through its worker thread, whatever their size
ctest --test-dir build-tsan -R "${1:-^concurrency\.}" --output-on-failure -j1
