#!/usr/bin/env bash
# The benchmark suite: polyenc against the tools users would pick instead, natively, in WebAssembly (Node), in
# the browser, with many small clips and for memory. Builds and installs what it needs, then runs
# bench/suite/main.py, which prints markdown tables (time, fps, size and PSNR in every row) and writes them to
# bench/RESULTS.md (with --quick: bench/out/RESULTS-quick.md). See bench/README.md.
#   bash bench/run.sh [--quick] [--sections native,clips,wasm,browser,memory] [--frames N] [--runs R]
#                     [--threads T] [--sizes 1280x720,1920x1080] [--presets ultrafast,veryfast,medium] [--out FILE]
# POLYENC_BENCH_BUILD: the CMake build folder (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
export POLYENC_BENCH_BUILD=${POLYENC_BENCH_BUILD:-$PWD/build}

sections=native,clips,wasm,browser,memory
quick=0
out=0
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --quick) quick=1 ;;
    --sections) sections=${args[i + 1]:-} ;;
    --sections=*) sections=${args[i]#--sections=} ;;
    --out | --out=*) out=1 ;;
  esac
done
wants() { [[ ",$sections," == *",$1,"* ]]; }
# a quick run leaves bench/RESULTS.md (the full run's) alone
[ "$quick" = 1 ] && [ "$out" = 0 ] && args+=(--out bench/out/RESULTS-quick.md)

echo "== bench: Debian packages"
bash scripts/deps.sh build
need=(ffmpeg python3-av python3-numpy time libx264-dev)
wants browser && need+=(chromium)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "the benchmarks need these Debian packages: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v node >/dev/null || { echo "the benchmarks need Node.js (20 or later) on PATH" >&2; exit 1; }

echo "== bench: the CLI and the native bench programs ($POLYENC_BENCH_BUILD)"
[ -f "$POLYENC_BENCH_BUILD/CMakeCache.txt" ] || cmake -S . -B "$POLYENC_BENCH_BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$POLYENC_BENCH_BUILD" -j"$(nproc)" \
  --target polyenc_cli polyenc_bench_api polyenc_bench_clips polyenc_bench_x264 >/dev/null

# npm ci where node_modules is missing or older than the lock file; a failure (offline) only makes that
# folder's peers 'not available'
npm_ci() {
  local dir=$1
  [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] &&
    return 0
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) ||
    echo "bench: npm ci in $dir failed: the tables say what is not available" >&2
}

if wants wasm || wants browser || wants memory; then
  echo "== bench: the Node package's backends and the JS peers"
  npm_ci js
  [ -f node/build/polyenc_node.node ] || node node/scripts/build.js >/dev/null
  if [ ! -f js/wasm/polyenc-st.wasm ] || [ ! -f js/wasm/polyenc-mt.wasm ]; then
    bash wasm/build-deps.sh --target wasm
    bash wasm/build.sh --skip-deps
  fi
  wants wasm && npm_ci bench/wasm
  wants browser && npm_ci bench/browser
fi

echo "== bench: running (bench/suite/main.py)"
exec /usr/bin/python3 -B bench/suite/main.py "${args[@]}"
