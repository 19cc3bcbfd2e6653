#!/usr/bin/env bash
# A GPU check that travels: build the CUDA test programs and the two CUDA benchmarks here (no GPU needed), bundle
# them into one directory that runs on any x86-64 Linux machine with an NVIDIA driver, and run it there.
#
#   scripts/gpu-check.sh                  configure build-gpu/ (bundled FFmpeg, CUDA ON, tests ON,
#                                         Release), build test_cuda_gpu, test_cuda_wide,
#                                         polyenc_bench_cuda_kernels and
#                                         polyenc_bench_cuda_e2e, assemble build-gpu/bundle/ (bin/, lib/,
#                                         cases.txt, run.sh) and build-gpu/gpu-check.tar.gz; checks that the
#                                         programs need nothing but libc, libm, libpthread, libdl and the
#                                         bundle's libpolyenc, and that the bundle is under 64 MiB
#   scripts/gpu-check.sh --run [DIR] [run.sh options]
#                                         run DIR/run.sh (default build-gpu/bundle): every case of the test programs
#                                         (PASS / SKIP / FAIL), then the kernel and end-to-end benchmarks;
#                                         exit status non-zero only if a test case fails
#
# The bundle needs only the NVIDIA driver (libcuda.so.1, loaded at run time): no FFmpeg, compiler,
# CMake or ctest. Without a GPU or driver it says "no CUDA device" with polyenc's reason, the GPU cases
# SKIP, and it exits 0. Environment: POLYENC_GPU_CHECK_JOBS (build jobs, default nproc).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-gpu
tests=(test_cuda_gpu test_cuda_wide) # test_cuda.c needs no GPU: it runs in .ci/run
bundle=$build/bundle
max_bytes=$((64 * 1024 * 1024))

die() { echo "gpu-check: $*" >&2; exit 1; }

if [ "${1:-}" = "--run" ]; then
  shift
  dir=$bundle
  if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then dir=$1; shift; fi
  [ -x "$dir/run.sh" ] || die "no bundle in $dir (build it first: bash scripts/gpu-check.sh)"
  exec "$dir/run.sh" "$@"
fi
[ $# -eq 0 ] || die "usage: scripts/gpu-check.sh [--run [BUNDLE_DIR] [run.sh options]]"

# ---- build ----
jobs=${POLYENC_GPU_CHECK_JOBS:-$(nproc 2>/dev/null || echo 2)}
echo "== configure $build (bundled FFmpeg, CUDA ON; a first build of the bundled FFmpeg takes minutes)"
mkdir -p "$build"
cmake -S "$root" -B "$build" -DPOLYENC_FFMPEG=bundled -DPOLYENC_CUDA=ON -DPOLYENC_TESTS=ON \
  -DCMAKE_BUILD_TYPE=Release -DPOLYENC_TEST_DECODER=bundled >"$build/gpu-check-configure.log" 2>&1 ||
  { tail -30 "$build/gpu-check-configure.log"; die "configure failed (log: build-gpu/gpu-check-configure.log)"; }
echo "== build ${tests[*]} polyenc_bench_cuda_kernels polyenc_bench_cuda_e2e (-j$jobs)"
cmake --build "$build" -j"$jobs" --target "${tests[@]}" polyenc_bench_cuda_kernels polyenc_bench_cuda_e2e

# ---- the bundle ----
rm -rf "$bundle"
mkdir -p "$bundle/bin" "$bundle/lib"
programs=("${tests[@]/#/$build/tests/}" "$build/bench/cuda/polyenc_bench_cuda_kernels"
          "$build/bench/cuda/polyenc_bench_cuda_e2e")
for p in "${programs[@]}"; do
  [ -x "$p" ] || die "$p was not built"
  strip -o "$bundle/bin/$(basename "$p")" "$p"
done
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
all_needed=$(for f in "$bundle"/bin/*; do needed "$f"; done)
if grep -q '^libpolyenc\.so' <<<"$all_needed"; then
  real=$(readlink -f "$build/libpolyenc.so")
  soname=$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  [ -n "$soname" ] || die "$real has no SONAME"
  strip --strip-unneeded -o "$bundle/lib/$soname" "$real"
  # the programs find it next to them: RUNPATH $ORIGIN/../lib (rewritten in place by CMake)
  cat >"$build/gpu-check-rpath.cmake" <<'EOF'
file(RPATH_SET FILE "${F}" NEW_RPATH "$ORIGIN/../lib")
EOF
  for f in "$bundle"/bin/*; do
    if needed "$f" | grep -q '^libpolyenc\.so'; then
      cmake -DF="$f" -P "$build/gpu-check-rpath.cmake" || die "could not set the run path of $f"
    fi
  done
fi

# the cases, "program case" a line, as each program lists them (the CASES X-macro of tests/PROGRAM.c)
: >"$bundle/cases.txt"
for t in "${tests[@]}"; do
  listed=$("$bundle/bin/$t" --list)
  src_cases=$(sed -n 's/^[[:space:]]*X(\([a-z0-9_]*\),.*/\1/p' "$root/tests/$t.c")
  [ "$src_cases" = "$listed" ] || die "$t --list differs from the CASES of tests/$t.c"
  printf '%s\n' "$listed" | sed "s/^/$t /" >>"$bundle/cases.txt"
done

version=$("$bundle/bin/polyenc_bench_cuda_e2e" --info | sed -n 's/^polyenc //p' | head -n1)
commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
toolkit=$(sed -n 's/^POLYENC_CUDA_TOOLKIT:[A-Z]*=//p' "$build/CMakeCache.txt" | head -n1)
[ -n "$toolkit" ] || toolkit=$(/usr/local/cuda/bin/nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p')
glibc=$(for f in "$bundle"/bin/* "$bundle"/lib/*; do objdump -T "$f"; done 2>/dev/null |
        grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n1)
info="polyenc ${version:-?} ($commit), built $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -m), CUDA ${toolkit:-?} kernels, needs glibc >= ${glibc:-?}"

cat >"$bundle/run.sh" <<'EOF'
#!/bin/sh
# polyenc GPU check. README: copy this directory (or gpu-check.tar.gz) to an x86-64 Linux machine with
# an NVIDIA GPU and driver and run ./run.sh; nothing else is needed (no FFmpeg, compiler, CMake, ctest).
# It runs every case of the CUDA test programs (PASS / SKIP / FAIL), then the kernel benchmark (GB/s of the colour
# conversion against a device copy) and the end-to-end benchmark (1080p libx264 encode from GPU memory:
# cuda stream against cpu stream, fps and PSNR). Exit status non-zero only when a test case fails.
# Without a GPU or driver: "no CUDA device" with the reason, the GPU cases SKIP, exit status 0.
# Options: --quick (shorter benchmarks), --tests-only; arguments after -- go to polyenc_bench_cuda_e2e.
# Bundle: @INFO@
set -u
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 2
bin=$here/bin
quick=0
tests_only=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --tests-only) tests_only=1 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (--quick, --tests-only, -- E2E_OPTIONS)" >&2; exit 2 ;;
  esac
  shift
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/polyenc-gpu-check.XXXXXX") || exit 2
keep=0
cleanup() { if [ "$keep" = 0 ]; then rm -rf "$tmp"; else echo "logs and test files kept in $tmp"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM
limit=
if command -v timeout >/dev/null 2>&1; then limit="timeout 900"; fi

echo "== polyenc GPU check"
echo "bundle: @INFO@"
echo "host: $(uname -srm)"
if [ -r /proc/driver/nvidia/version ]; then
  echo "NVIDIA driver: $(head -n 1 /proc/driver/nvidia/version | tr -s ' ')"
else
  echo "NVIDIA driver: not loaded (no /proc/driver/nvidia/version)"
fi
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader 2>&1 | sed 's/^/nvidia-smi: /'
fi
"$bin/polyenc_bench_cuda_e2e" --info

echo
echo "== tests: $(grep -c . "$here/cases.txt") cases of $(cut -d' ' -f1 "$here/cases.txt" | uniq | tr '\n' ' ')"
pass=0 skip=0 fail=0 failed=
while read -r prog name; do
  c=$prog.$name
  log=$tmp/$c.log
  start=$(date +%s)
  POLYENC_TEST_TMP=$tmp/tests $limit "$bin/$prog" "$name" </dev/null >"$log" 2>&1
  rc=$?
  secs=$(($(date +%s) - start))
  case $rc in
    0)
      pass=$((pass + 1))
      printf 'PASS  %-32s %4ss\n' "$c" "$secs"
      lines=$(grep -v ": passed\$" "$log" | grep -c .)
      if [ "$lines" -le 10 ]; then
        grep -v ": passed\$" "$log" | sed 's/^/      | /'
      else
        grep -v ": passed\$" "$log" | head -n 4 | sed 's/^/      | /'
        echo "      | ... ($lines lines)"
      fi ;;
    77)
      skip=$((skip + 1))
      printf 'SKIP  %-32s %s\n' "$c" "$(sed -n 's/.*SKIPPED: //p' "$log" | head -n 1)" ;;
    *)
      fail=$((fail + 1))
      failed="$failed $c"
      keep=1
      printf 'FAIL  %-32s exit %s after %ss\n' "$c" "$rc" "$secs"
      tail -n 60 "$log" | sed 's/^/      | /' ;;
  esac
done <"$here/cases.txt"
echo "tests: $pass passed, $skip skipped, $fail failed${failed:+ (failed:$failed)}"

if [ "$tests_only" = 0 ]; then
  kargs= eargs=
  if [ "$quick" = 1 ]; then kargs="--runs 5 --batch 10"; eargs="--frames 60 --runs 1"; fi
  echo
  echo "== kernel benchmark"
  "$bin/polyenc_bench_cuda_kernels" $kargs || echo "kernel benchmark: exit status $? (not a test failure)"
  echo
  echo "== end-to-end benchmark"
  "$bin/polyenc_bench_cuda_e2e" $eargs "$@" || echo "end-to-end benchmark: exit status $? (not a test failure)"
fi

echo
if [ "$fail" -gt 0 ]; then
  echo "polyenc GPU check: FAILED ($fail test case(s):$failed)"
  exit 1
fi
echo "polyenc GPU check: OK ($pass passed, $skip skipped)"
exit 0
EOF
# the bundle's description, into run.sh's header and banner
info_escaped=$(printf '%s' "$info" | sed 's/[&|\\]/\\&/g')
sed -i "s|@INFO@|$info_escaped|g" "$bundle/run.sh"
chmod 755 "$bundle/run.sh"

# ---- checks ----
echo "== checks"
bash "$root/scripts/check-needed.sh" --also '^libpolyenc\.so\.[0-9]+$' "$bundle"/bin/* "$bundle"/lib/* |
  sed 's/^/NEEDED: /' || die "a program of the bundle needs a library other than glibc's and libpolyenc"
bad=0
if command -v ldd >/dev/null 2>&1; then
  lib_dir=$(cd "$bundle/lib" && pwd -P)
  for f in "$bundle"/bin/*; do
    while read -r name arrow target _; do
      [ "$arrow" = "=>" ] || continue
      [ "$target" = "not" ] || target=$(readlink -f "$target")
      case $name:$target in
        libpolyenc.so.*:"$lib_dir"/*) ;;
        libc.so.6:/*|libm.so.6:/*|libpthread.so.0:/*|libdl.so.2:/*|ld-linux-x86-64.so.2:/*) ;;
        *) echo "  ldd $(basename "$f"): $name => $target" >&2; bad=1 ;;
      esac
    done < <(env -i PATH=/usr/bin:/bin ldd "$f")
  done
  [ "$bad" = 0 ] || die "ldd: a program of the bundle resolves a library outside the bundle and libc"
  echo "ldd: every program resolves only libc/libm (and libpthread, libdl) and the bundle's libpolyenc"
fi
bytes=$(du -sb "$bundle" | cut -f1)
echo "bundle $bundle: $(du -sh "$bundle" | cut -f1) ($bytes bytes)"
(cd "$bundle" && find . -type f | sort | while read -r f; do printf '  %10s  %s\n' "$(stat -c %s "$f")" "${f#./}"; done)
[ "$bytes" -lt "$max_bytes" ] || die "the bundle is $bytes bytes, over 64 MiB"
tar -C "$build" --transform 's,^bundle,polyenc-gpu-check,' -czf "$build/gpu-check.tar.gz" bundle
echo "archive $build/gpu-check.tar.gz: $(du -h "$build/gpu-check.tar.gz" | cut -f1) ($(stat -c %s "$build/gpu-check.tar.gz") bytes; unpacks to polyenc-gpu-check/)"
echo "run it: bash scripts/gpu-check.sh --run   (or copy the bundle / archive and run its run.sh)"
