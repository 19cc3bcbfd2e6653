#!/usr/bin/env bash
# Runs every test: the C tests (Release, the bundled-FFmpeg build with its install and static CLI, the
# GPU check's bundle, then AddressSanitizer + UBSan, then valgrind on the quick set (or on the bundled CLI
# where valgrind cannot load the system FFmpeg: scripts/valgrind-cli.sh), then
# ThreadSanitizer on the concurrency cases), a short run of each fuzz target, the wasm build's
# deep-layout kernels and x264's checkasm under Node (wasm/wide/run.sh, wasm/x264-checkasm.sh), the JS
# suite (scripts/test-js.sh: both backends, the browser, the packed npm package) and the benchmark
# suite at a tiny size (bench/run.sh --quick). Installs what is missing.
# POLYENC_FUZZ_SECONDS sets the fuzz run per target (default 60; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
bash scripts/deps.sh test

echo "== C tests (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPOLYENC_TESTS=ON >/dev/null
cmake --build build -j"$jobs" >/dev/null
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== install, find_package and pkg-config"
bash scripts/check-install.sh

echo "== bundled FFmpeg: libpolyenc with FFmpeg, x264, libopus and libvpx inside (POLYENC_FFMPEG=bundled)"
cmake -S . -B build-bundled -DCMAKE_BUILD_TYPE=Release -DPOLYENC_FFMPEG=bundled -DPOLYENC_TESTS=ON >/dev/null
cmake --build build-bundled -j"$jobs" >/dev/null
ctest --test-dir build-bundled -L bundled --output-on-failure -j"$jobs"
bash scripts/check-install.sh build-bundled
bash scripts/check-static-cli.sh

echo "== the GPU check's bundle (scripts/gpu-check.sh; run here without a GPU in tests/package/bare-machine.sh)"
bash scripts/gpu-check.sh

echo "== C tests (AddressSanitizer + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPOLYENC_SANITIZE=ON -DPOLYENC_TESTS=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
# POLYENC_ENCODE_THREAD=1: every encoder's frames through its worker thread (the tests' frames are small,
# which by default are encoded on the caller's thread, as in the plain run above)
POLYENC_ENCODE_THREAD=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== C tests under valgrind (quick set)"
cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLYENC_TESTS=ON -DPOLYENC_TEST_VALGRIND=ON >/dev/null
cmake --build build-valgrind -j"$jobs" >/dev/null
# Debian's libavcodec loads libjxl's libhwy, whose initialiser runs rdtscp; on a CPU (or a virtual
# machine) that leaves rdtscp out of its CPUID flags, valgrind 3.19 stops there with SIGILL before any
# test starts. There the quick set runs against the bundled FFmpeg (built above, without libjxl).
if valgrind -q build-valgrind/polyenc info >/dev/null 2>build-valgrind/probe.txt; then
  # Not the libx265 cases: x265 3.5 hands out packets whose timestamps depend on fields of its encoder
  # object that it never initialises (valgrind --track-origins: "created by a heap allocation ... in
  # x265_encoder_open"), so memcheck reports them where polyenc rescales the timestamps. They run under
  # ASan above and in the Release suite.
  ctest --test-dir build-valgrind -L quick -E 'x265|hevc' -j"$jobs" --output-on-failure
elif grep -q "Illegal opcode" build-valgrind/probe.txt && grep -q libhwy build-valgrind/probe.txt; then
  echo "valgrind cannot load the system FFmpeg on this CPU (libhwy's rdtscp, not in its CPUID flags): the test" \
    "programs (which decode with it) are left to ASan above; the bundled CLI (libc only) runs under valgrind instead"
  bash scripts/valgrind-cli.sh build-bundled/polyenc
else
  cat build-valgrind/probe.txt >&2
  exit 1
fi

echo "== C concurrency tests under ThreadSanitizer"
bash scripts/tsan.sh

fuzz_seconds=${POLYENC_FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" != 0 ]; then
  echo "== libFuzzer targets, ${fuzz_seconds} s each"
  bash scripts/fuzz.sh "$fuzz_seconds" -j 3
fi

echo "== wasm: the deep layouts' SIMD128 kernel against the C kernel, and tests/test_wide.c, under Node (wasm/wide/run.sh)"
bash wasm/wide/run.sh

echo "== wasm: x264's checkasm built for wasm, every SIMD128 kernel of wasm/patches/x264 against x264's C (wasm/x264-checkasm.sh)"
bash wasm/x264-checkasm.sh --bit-depth all --seeds 2

echo "== JS: one front door over the native and the wasm backend, Node and Chromium, the npm package"
bash scripts/test-js.sh

echo "== bench/run.sh --quick: every benchmark's tools still run (timings are not checked)"
bash bench/run.sh --quick
