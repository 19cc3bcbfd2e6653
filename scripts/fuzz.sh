#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) into build-fuzz/ with clang and runs each for SECONDS.
#
#   bash scripts/fuzz.sh [SECONDS] [-j N] [--merge] [TARGET...]
#
#   SECONDS   per target (default 60)
#   -j N      run up to N targets at the same time (default 1)
#   --merge   merge what the run found into tests/fuzz/corpus/<target>/ (otherwise the committed
#             corpus is copied to a scratch directory and left as it is)
#   TARGET    fuzz_api, fuzz_output, fuzz_encoded (default: all three)
#
# Prints per target the execs, the final coverage (cov / ft) and the outcome; exits non-zero when
# a target crashed, hung (-timeout), ran out of memory (-rss_limit_mb) or leaked. Findings are kept
# in build-fuzz/findings/<target>/ (crash-*, timeout-*, oom-*, leak-*) with the target's log.
# Reproduce one: build-fuzz/tests/fuzz/<target> build-fuzz/findings/<target>/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

seconds=60 jobs=1 merge=0 targets=()
while (($#)); do
  case $1 in
    -j) jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    --merge) merge=1; shift ;;
    fuzz_*) targets+=("$1"); shift ;;
    *[!0-9]*) echo "usage: $0 [SECONDS] [-j N] [--merge] [TARGET...]" >&2; exit 2 ;;
    *) seconds=$1; shift ;;
  esac
done
((${#targets[@]})) || targets=(fuzz_api fuzz_output fuzz_encoded)

command -v clang >/dev/null || { echo "fuzz.sh: clang is needed (apt-get install clang)" >&2; exit 2; }
BUILD=$ROOT/build-fuzz
mkdir -p "$BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DPOLYENC_FUZZ=ON -DPOLYENC_CUDA=OFF -DPOLYENC_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=Release >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log"; exit 2; }
cmake --build "$BUILD" --target "${targets[@]}" -j2 >"$BUILD/build.log" 2>&1 || { tail -40 "$BUILD/build.log"; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}

run_target() { # target -> writes findings/<target>/log and status
  local t=$1 out=$BUILD/findings/$1
  rm -rf "$out" && mkdir -p "$out/corpus" "$out/cwd"
  local corpus=$out/corpus
  cp "$ROOT/tests/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
  # muxers that open files of their own (segment, hls, ...) write into the working directory
  local rc=0
  (cd "$out/cwd" && "$BUILD/tests/fuzz/$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=4096 \
    -dict="$ROOT/tests/fuzz/names.dict" -artifact_prefix="$out/" -print_final_stats=1 "$corpus" >"$out/log" 2>&1) || rc=$?
  echo $rc >"$out/status"
  if ((merge)); then
    "$BUILD/tests/fuzz/$t" -merge=1 -max_len=4096 "$ROOT/tests/fuzz/corpus/$t" "$corpus" >>"$out/log.merge" 2>&1 || true
  fi
}

running=0
for t in "${targets[@]}"; do
  run_target "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then wait -n || true; running=$((running - 1)); fi
done
wait || true

fail=0
printf '%-14s %10s %8s %8s %8s  %s\n' target execs exec/s cov ft result
for t in "${targets[@]}"; do
  out=$BUILD/findings/$t
  log=$out/log
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  last=$(grep -E '^#[0-9]+' "$log" | grep -o 'cov: [0-9]* ft: [0-9]*' | tail -1)
  cov=$(echo "$last" | awk '{print $2}') ft=$(echo "$last" | awk '{print $4}')
  findings=$(cd "$out" && ls crash-* timeout-* oom-* leak-* slow-unit-* 2>/dev/null | grep -v '^slow-unit' || true)
  result=ok
  if [[ -n $findings || $(cat "$out/status") != 0 ]]; then
    result="FAILED (exit $(cat "$out/status")): ${findings:-see $log}"
    fail=1
  fi
  printf '%-14s %10s %8s %8s %8s  %s\n' "$t" "${execs:-0}" "${rate:-0}" "${cov:-?}" "${ft:-?}" "$result"
  if [[ $result != ok ]]; then
    grep -E 'ERROR|SUMMARY|runtime error|^(open|polyenc|close|an encode).*' "$log" | head -8 | sed 's/^/    /'
  fi
done
exit $fail
