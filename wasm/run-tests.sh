#!/usr/bin/env bash
# The WebAssembly suite, the single entry point scripts/test.sh calls:
#   1. the dependency build (wasm/build-deps.sh: FFmpeg + x264 + opus + libvpx with emcc; cached),
#   2. polyenc.wasm, both variants (wasm/build.sh),
#   3. npm dev dependencies (npm ci: playwright-core), Debian's chromium (installed when root),
#   4. the Node tests of the wasm build (tests/wasm/*.test.mjs) and the browser tests in headless
#      Chromium (tests/browser/*.test.mjs; screenshots in tests/browser/out/).
# POLYENC_WASM_BROWSER=0 skips the browser tests.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
is_root() { [ "$(id -u)" = 0 ]; }
apt_install() {
  if is_root; then
    echo "[wasm/run-tests] apt-get install -y $*"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "[wasm/run-tests] missing: $* (run: sudo apt-get install -y $*)" >&2
    return 1
  fi
}
command -v ffprobe >/dev/null || apt_install ffmpeg

echo "== wasm: dependencies (wasm/build-deps.sh)"
"$HERE/build-deps.sh" --variant all
echo "== wasm: polyenc.wasm (wasm/build.sh)"
"$HERE/build.sh" --skip-deps

echo "== wasm: npm dev dependencies"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)

browser=${POLYENC_WASM_BROWSER:-1}
if [ "$browser" = 1 ] && ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
  apt_install chromium || browser=0
fi

tests=("$ROOT"/tests/wasm/*.test.mjs)
[ "$browser" = 1 ] && tests+=("$ROOT"/tests/browser/*.test.mjs)
echo "== wasm: node --test (${#tests[@]} files)"
cd "$HERE"
node --test --test-concurrency=1 "${tests[@]}"
