#!/usr/bin/env bash
# The JS suite, the one entry point scripts/test.sh calls:
#   1. js/'s dev dependencies (npm ci: fast-check, typescript, playwright-core, vite, esbuild, ...);
#   2. the two backends: the Node addon (node/scripts/build.js) and the wasm build (wasm/build-deps.sh,
#      cached, then wasm/build.sh);
#   3. tests/js/ once per backend (POLYENC_BACKEND=native, then wasm): the same scenarios, the same checks;
#   4. tests/browser/ in headless Chromium (Debian's): the browser entry, direct and worker mode, WebCodecs,
#      the threaded build under COOP/COEP;
#   5. tests/package/: scripts/pack.sh (with the prebuilt addon), the tarball installed into an empty project,
#      used from Node (both backends, import and require) and from a Vite build and a static page in Chromium;
#   6. tests/package/bare-machine.sh: the tarball in a Debian chroot without FFmpeg or a compiler (the
#      prebuilt addon encodes there), and the GPU check's bundle there (it says "no CUDA device").
# POLYENC_JS_BROWSER=0 skips 4 and 5's browser part; POLYENC_JS_BACKENDS="wasm" runs 3 on one backend.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

echo "== js: dev dependencies"
(cd js && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

echo "== js: the native backend (node/scripts/build.js)"
node node/scripts/build.js >/dev/null

echo "== js: the wasm backend (wasm/build-deps.sh, wasm/build.sh)"
bash wasm/build-deps.sh --target wasm
bash wasm/build.sh --skip-deps

for backend in ${POLYENC_JS_BACKENDS:-native wasm}; do
  echo "== js: tests/js on the $backend backend"
  POLYENC_BACKEND=$backend node --expose-gc --test --test-concurrency=1 tests/js/*.test.mjs
done

if [ "${POLYENC_JS_BROWSER:-1}" = 1 ]; then
  echo "== js: tests/browser in Chromium"
  node --test --test-concurrency=1 tests/browser/*.test.mjs
fi
echo "== js: the npm package (scripts/pack.sh, with the prebuilt addon), installed as a user installs it"
tgz=$(bash scripts/pack.sh build-pack | tail -n 1)
if [ "${POLYENC_JS_BROWSER:-1}" = 1 ]; then
  POLYENC_PACKAGE_TGZ=$tgz node --test tests/package/package.test.mjs
fi
if [ "$(id -u)" = 0 ]; then
  echo "== js: the package on a machine without FFmpeg or a compiler (a Debian chroot), with the GPU check's bundle"
  bundle=build-gpu/bundle
  [ -x "$bundle/run.sh" ] || bundle=
  bash tests/package/bare-machine.sh "$tgz" $bundle
else
  echo "== js: tests/package/bare-machine.sh skipped (it needs root for debootstrap and chroot)"
fi
