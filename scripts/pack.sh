#!/usr/bin/env bash
# Packs the npm package `polyenc` into OUTDIR/polyenc-VERSION.tgz (VERSION: the project's, from
# CMakeLists.txt). The package is js/ plus what is built for it:
#   src/, index.d.ts     the JS front door (ESM) and its types
#   dist/index.cjs       the same for require('polyenc'), bundled by esbuild from src/index.node.mjs
#   wasm/                the WebAssembly build (wasm/build.sh, run here when js/wasm/ lacks it)
#   prebuilds/linux-x64-glibc/polyenc_node.node
#                        the Node addon built here with POLYENC_FFMPEG=bundled (FFmpeg, x264, libopus,
#                        libvpx and libyuv linked in; it needs only libc), which install.cjs uses when
#                        it loads; packed on linux-x64 only (POLYENC_PACK_PREBUILT=0 leaves it out)
#   native/              the C sources of the library and of the Node addon, which install.cjs builds
#                        elsewhere when the machine has CMake, a C compiler and FFmpeg's development packages
# usage: scripts/pack.sh OUTDIR
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:?usage: scripts/pack.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
VERSION=$(sed -n 's/^project(polyenc VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
log() { printf '[pack] %s\n' "$*" >&2; }

for v in st mt; do
  [ -f "$ROOT/js/wasm/polyenc-$v.wasm" ] || { log "building the wasm files"; bash "$ROOT/wasm/build.sh" >&2; break; }
done
[ -x "$ROOT/js/node_modules/.bin/esbuild" ] ||
  (cd "$ROOT/js" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -r "$ROOT/js/package.json" "$ROOT/js/index.d.ts" "$ROOT/js/README.md" "$ROOT/js/install.cjs" "$ROOT/js/src" "$stage/"
mkdir -p "$stage/wasm"
cp "$ROOT"/js/wasm/polyenc-{st,mt}.{js,wasm,glue.mjs} "$ROOT/js/wasm/polyenc-mt.worker.js" "$stage/wasm/"
node -e '
  const fs = require("fs"), f = process.argv[1], p = JSON.parse(fs.readFileSync(f, "utf8"));
  p.version = process.argv[2];
  delete p.devDependencies;
  fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n");' "$stage/package.json" "$VERSION"

# require('polyenc'): one CommonJS file; import.meta.url becomes this file's URL (dist/ and src/ are siblings)
"$ROOT/js/node_modules/.bin/esbuild" "$ROOT/js/src/index.node.mjs" --bundle --platform=node --format=cjs \
  --target=node18 --outfile="$stage/dist/index.cjs" --log-level=warning \
  --banner:js="const __polyencUrl = require('node:url').pathToFileURL(__filename).href;" \
  --define:import.meta.url=__polyencUrl

# the sources install.cjs builds the addon from (no tests, CLI or benchmarks)
native="$stage/native"
mkdir -p "$native/platform" "$native/node"
cp -r "$ROOT/CMakeLists.txt" "$ROOT/cmake" "$ROOT/include" "$ROOT/src" "$native/"
cp -r "$ROOT/platform/cpu" "$ROOT/platform/cuda" "$ROOT/platform/platform.h" "$native/platform/"
cp -r "$ROOT/node/CMakeLists.txt" "$ROOT/node/src" "$native/node/"

# the prebuilt addon (linux-x64, glibc): bundled FFmpeg, checked to need only glibc's libraries
if [ "${POLYENC_PACK_PREBUILT:-1}" = 1 ] && [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  build="$ROOT/build-addon-bundled"
  log "building the prebuilt addon (POLYENC_FFMPEG=bundled) in $build"
  cmake -S "$ROOT/node" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPOLYENC_FFMPEG=bundled >/dev/null
  cmake --build "$build" --target polyenc_node -j"$(nproc)" >/dev/null
  pre="$stage/prebuilds/linux-x64-glibc"
  mkdir -p "$pre"
  strip --strip-unneeded -o "$pre/polyenc_node.node" "$build/polyenc_node.node"
  bash "$ROOT/scripts/check-needed.sh" "$pre/polyenc_node.node" >&2
  log "prebuilt addon: $(stat -c %s "$pre/polyenc_node.node") bytes"
fi

(cd "$stage" && npm pack --pack-destination "$OUT" --loglevel=warn >/dev/null)
tgz="$OUT/polyenc-$VERSION.tgz"
[ -f "$tgz" ] || { log "npm pack did not write $tgz"; exit 1; }
log "$tgz: $(stat -c %s "$tgz") bytes"
echo "$tgz"
