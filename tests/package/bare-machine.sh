#!/usr/bin/env bash
# A machine with no FFmpeg, no compiler, no CMake and no pkg-config: a Debian minbase chroot made with
# debootstrap (cached), with this machine's node and npm copied in. There:
#   - the packed npm tarball installs with no network (npm --offline) and picks its prebuilt addon;
#   - Node encodes video + audio with the native backend, to a file and to memory, by `import` and
#     `require` (tests/package/bare-encode.cjs); the files are checked here with ffprobe (decoded frame counts);
#   - with GPU_BUNDLE, the GPU check runs there from its bundle (scripts/gpu-check.sh --run) and must end
#     cleanly with "no CUDA device" (this machine has no GPU and the chroot no NVIDIA driver).
# usage: tests/package/bare-machine.sh TARBALL [GPU_BUNDLE]     (as root: debootstrap, chroot, mount)
# POLYENC_CHROOT_CACHE: where the chroot is cached (default ~/.cache/polyenc/chroot).
set -euo pipefail
TGZ=$(realpath "${1:?usage: bare-machine.sh TARBALL [GPU_BUNDLE]}")
BUNDLE=${2:+$(realpath "$2")}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
log() { printf '[bare-machine] %s\n' "$*" >&2; }
die() { printf '[bare-machine] error: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount)"

# ---- the chroot: Debian's minbase of this machine's release, from this machine's Debian mirror
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
mirror=$(grep -rhoE 'https?://[^ ]*debian\.org/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
         | head -n1 | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}
cache=${POLYENC_CHROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/polyenc/chroot}
base="$cache/$suite-minbase"
if [ ! -e "$base/.complete" ]; then
  command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  log "debootstrap --variant=minbase $suite from $mirror (once; cached in $base)"
  rm -rf "$base.tmp"; mkdir -p "$cache"
  t0=$SECONDS
  debootstrap --variant=minbase "$suite" "$base.tmp" "$mirror" > "$cache/debootstrap.log" 2>&1 \
    || { tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
  rm -rf "$base.tmp/var/cache/apt/archives"/*.deb
  touch "$base.tmp/.complete"; rm -rf "$base"; mv "$base.tmp" "$base"
  log "chroot made in $((SECONDS - t0)) s"
fi

work=$(mktemp -d)
root="$work/root"
cleanup() {
  mountpoint -q "$root/proc" && umount "$root/proc"
  mountpoint -q "$root/dev" && umount "$root/dev"
  rm -rf "$work"
}
trap cleanup EXIT
cp -a "$base" "$root"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"

# node (one executable) and npm (JavaScript): this machine's, copied in
node=$(readlink -f "$(command -v node)")
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
install -D -m 755 "$node" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
in_root() { chroot "$root" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root "$@"; }

# what this machine lacks, checked
in_root sh -c 'for c in cc gcc cmake pkg-config ffmpeg ffprobe nvidia-smi; do command -v $c && exit 1; done
  ls /usr/lib/*/libavcodec* /usr/lib/*/libx264* /usr/lib/*/libyuv* /usr/lib/*/libcuda* 2>/dev/null && exit 1; exit 0' \
  || die "the chroot has a compiler, FFmpeg or CUDA: it is not the machine this test means"
log "chroot: Debian $suite minbase, node $(in_root node --version), npm $(in_root npm --version); no compiler, FFmpeg or CUDA"

# ---- the package: offline install, then encodes with the native backend
cp "$TGZ" "$root/tmp/polyenc.tgz"
mkdir -p "$root/app"
printf '{ "name": "app", "private": true }\n' > "$root/app/package.json"
install_log=$(in_root sh -c 'cd /app && npm install --offline --no-audit --no-fund --foreground-scripts /tmp/polyenc.tgz 2>&1') \
  || { printf '%s\n' "$install_log" >&2; die "npm install failed"; }
printf '%s\n' "$install_log" | grep -q '\[polyenc\] native backend: the prebuilt addon' \
  || { printf '%s\n' "$install_log" >&2; die "the install did not take the prebuilt addon"; }
log "npm install --offline: $(printf '%s\n' "$install_log" | grep '\[polyenc\]')"

cp "$ROOT/tests/package/bare-encode.cjs" "$root/app/encode.cjs"
esm="import * as p from 'polyenc'; import { createRequire } from 'node:module';
  console.log(await createRequire(import.meta.url)('./encode.cjs')(p, process.argv[1]));"
for kind in cjs mjs; do
  if [ $kind = cjs ]; then run=(node encode.cjs "/app/out-$kind.mp4"); else run=(node --input-type=module -e "$esm" "/app/out-$kind.mp4"); fi
  out=$(in_root sh -c 'cd /app && "$@"' sh "${run[@]}" 2>&1) || die "encode ($kind) failed: $out"
  log "$kind: $out"
  for f in "out-$kind.mp4" "out-$kind-memory.mp4"; do
    streams=$(ffprobe -v error -count_frames -show_entries stream=codec_name,nb_read_frames -of csv=p=0 "$root/app/$f" | tr '\n' ' ')
    [ "$streams" = "h264,30 aac,47 " ] || die "$f: expected 30 h264 frames and 47 aac frames, ffprobe says '$streams'"
  done
done
log "the prebuilt addon encodes in a machine without FFmpeg: files and memory checked with ffprobe"

# ---- the GPU check from its bundle
if [ -n "$BUNDLE" ]; then
  cp -a "$BUNDLE" "$root/opt/gpu-check"
  set +e
  gpu=$(in_root sh -c 'cd /opt/gpu-check && ./run.sh' 2>&1); rc=$?
  set -e
  printf '%s\n' "$gpu" | sed 's/^/[gpu-check] /' >&2
  [ $rc = 0 ] || die "the GPU bundle exited with $rc"
  printf '%s\n' "$gpu" | grep -q 'no CUDA device' || die "the GPU bundle did not say \"no CUDA device\""
  log "the GPU bundle runs without FFmpeg or a driver and says: no CUDA device"
fi
echo "bare machine: ok"
