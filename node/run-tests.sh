#!/bin/sh
# Builds the Node addon and runs its tests (node --test tests/node/).
#   node/run-tests.sh            from anywhere
# Needs: node >= 18, npm, cmake >= 3.16, a C compiler, FFmpeg dev packages (as the C library), ffmpeg/ffprobe.
set -eu
cd "$(dirname "$0")"
if [ ! -f node_modules/node-api-headers/include/node_api.h ] || [ ! -f node_modules/typescript/bin/tsc ] ||
  [ ! -f node_modules/fast-check/package.json ]; then
  # dev dependencies only (Node-API headers, TypeScript for the .d.ts check, fast-check for the fuzz
  # test); the build runs just below
  npm ci --ignore-scripts --no-audit --no-fund || npm install --ignore-scripts --no-audit --no-fund
fi
node scripts/build.js
cd ..
exec node --expose-gc --test tests/node/
