#!/usr/bin/env bash
# Sets up and runs the main job: builds polyenc, encodes a test pattern + tone into demo.mp4 and
# prints what was written. Usage: scripts/demo.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
./build/polyenc demo "${1:-demo.mp4}"
