#!/usr/bin/env bash
# Build polyenc's dependencies (x264, libopus, libvpx and a minimal FFmpeg) from source, for one
# target or several:
#   wasm-st   WebAssembly, single-threaded (emcc -O3 -msimd128)
#   wasm-mt   WebAssembly, threaded (-pthread)
#   native    this machine's compiler: static, PIC, symbols hidden, with SIMD (nasm); what
#             POLYENC_FFMPEG=bundled links into libpolyenc (plus NVENC's headers, and the
#             decoders and demuxers the self-checks read back with)
#
# Sources come from Debian source packages (`apt-get source ffmpeg x264 opus libvpx`; a deb-src entry is added when run as root) or from directories given in
# FFMPEG_SRC / X264_SRC / OPUS_SRC / LIBVPX_SRC; NVENC's headers from the binary package
# libffmpeg-nvenc-dev (or FFNVCODEC_SRC). Nothing else is downloaded.
# The patches in wasm/patches/<package>/ are applied to every target.
#
# Results are cached under ${POLYENC_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/polyenc/deps},
# one prefix per target, keyed on a hash of the source versions, the compiler, the patches and
# every flag below. A cache hit takes seconds.
#
# Usage:
#   wasm/build-deps.sh                      build (or reuse) wasm-st and wasm-mt
#   wasm/build-deps.sh --target T           T: wasm-st, wasm-mt, native, wasm (both wasm), all
#   wasm/build-deps.sh --print-prefix T     print the prefix of one target (the path a build with
#                                           the current sources and flags uses; builds nothing)
#   wasm/build-deps.sh --force              rebuild even on a cache hit
# Environment:
#   JOBS (default: the number of CPUs), POLYENC_DEPS_CACHE, the *_SRC directories above
#   POLYENC_WASM_VPX=0  leave libvpx (VP8/VP9) out of the wasm targets (~1.5 min faster)
#
# After a build, ${cache}/env.sh (also linked as wasm/.deps/env.sh) exports
# POLYENC_WASM_DEPS_ST, POLYENC_WASM_DEPS_MT and POLYENC_NATIVE_DEPS for the prefixes that are
# built; each prefix has include/, lib/ and lib/pkgconfig/.
set -euo pipefail

# Bump when the recipe changes in a way the flags below do not show.
RECIPE_REV=2

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PATCHES="$HERE/patches"
CACHE_ROOT=${POLYENC_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/polyenc/deps}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}   # Debian's emcc needs acorn from node-acorn
ALL_TARGETS=(wasm-st wasm-mt native)

log()  { printf '[build-deps] %s\n' "$*" >&2; }
die()  { printf '[build-deps] error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
is_wasm() { [ "${1%%-*}" = wasm ]; }
pkg_var() { local v=${1//-/_}; echo "${v^^}"; }   # nv-codec-headers -> NV_CODEC_HEADERS

# ---------------------------------------------------------------- arguments
TARGETS=(wasm-st wasm-mt)
PRINT_PREFIX=
FORCE=0
targets_of() { # $1 a --target value -> the targets it names
  case "$1" in
    wasm-st|wasm-mt|native) echo "$1" ;;
    wasm) echo wasm-st wasm-mt ;;
    all) echo "${ALL_TARGETS[@]}" ;;
    *) die "unknown target '$1' (wasm-st, wasm-mt, native, wasm or all)" ;;
  esac
}
while [ $# -gt 0 ]; do
  case "$1" in
    --print-prefix) PRINT_PREFIX=${2:-}; shift 2 || die "--print-prefix needs a target" ;;
    --print-prefix=*) PRINT_PREFIX=${1#*=}; shift ;;
    --target) read -r -a TARGETS <<<"$(targets_of "${2:-}")"; shift 2 ;;
    --target=*) read -r -a TARGETS <<<"$(targets_of "${1#*=}")"; shift ;;
    --force) FORCE=1; shift ;;
    -j) JOBS=$2; shift 2 ;;
    -h|--help) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
if [ -n "$PRINT_PREFIX" ]; then
  case "$PRINT_PREFIX" in wasm-st|wasm-mt|native) ;; *) die "--print-prefix wasm-st|wasm-mt|native, got '$PRINT_PREFIX'" ;; esac
fi

# ---------------------------------------------------------------- flags
# Everything that shapes the output lives here; all of it goes into the key.
WITH_VPX=${POLYENC_WASM_VPX:-1}
case "$WITH_VPX" in 0|1) ;; *) die "POLYENC_WASM_VPX must be 0 or 1" ;; esac
has_vpx() { ! is_wasm "$1" || [ "$WITH_VPX" = 1 ]; }

target_cflags() {
  case "$1" in
    wasm-st) echo "-O3 -msimd128" ;;
    wasm-mt) echo "-O3 -msimd128 -pthread" ;;
    native) echo "-O2 -fPIC -fvisibility=hidden" ;;
  esac
}
target_ldflags() { if [ "$1" = wasm-mt ]; then echo "-pthread"; fi; }
target_cc() { if is_wasm "$1"; then echo emcc; else echo "${CC:-cc}"; fi; }

x264_args() { # $1 target
  local a=(--enable-static --disable-cli --chroma-format=all --disable-opencl --disable-avs
           --disable-swscale --disable-lavf --disable-ffms --disable-gpac --disable-lsmash
           --extra-cflags="$(target_cflags "$1")" --extra-ldflags="$(target_ldflags "$1")")
  case "$1" in
    wasm-st) a+=(--host=i686-gnu --disable-asm --bit-depth=all --disable-thread) ;;
    wasm-mt) a+=(--host=i686-gnu --disable-asm --bit-depth=all) ;;
    native) a+=(--enable-pic --bit-depth=all) ;;
  esac
  printf '%s\n' "${a[@]}"
}

opus_args() { # $1 target
  if is_wasm "$1"; then
    printf '%s\n' --host=i686-pc-linux-gnu --enable-static --disable-shared \
      --disable-doc --disable-extra-programs --disable-intrinsics --disable-rtcd \
      --disable-asm --disable-hardening --disable-stack-protector
  else
    printf '%s\n' --enable-static --disable-shared --with-pic --disable-doc --disable-extra-programs
  fi
}

# libvpx: VP8 + VP9 encoders only (no decoders), full (not realtime-only)
# build so FFmpeg's default libvpx settings stay valid; VP9 at 10 and 12 bits too (yuv420p10le ...).
vpx_args() { # $1 target
  local a=(--enable-static --disable-shared --disable-examples
           --disable-tools --disable-docs --disable-unit-tests --disable-install-bins
           --disable-install-srcs --disable-vp8-decoder --disable-vp9-decoder
           --enable-vp8-encoder --enable-vp9-encoder
           --disable-webm-io --disable-libyuv --disable-debug-libs)
  case "$1" in
    wasm-st) a+=(--target=generic-gnu --disable-runtime-cpu-detect --disable-multithread --enable-vp9-highbitdepth) ;;
    wasm-mt) a+=(--target=generic-gnu --disable-runtime-cpu-detect --enable-multithread --enable-vp9-highbitdepth) ;;
    native) a+=(--target=x86_64-linux-gcc --enable-pic --enable-runtime-cpu-detect --enable-multithread --as=nasm
                --enable-vp9-highbitdepth) ;;
  esac
  printf '%s\n' "${a[@]}"
}

# What polyenc documents (README, "Bundled FFmpeg"); the native target adds NVENC and what the
# self-checks (tests, scripts/gpu-check.sh) decode with.
FF_ENCODERS=libx264,aac,libopus,flac,pcm_s16le,mpeg4
FF_MUXERS=mp4,mov,ipod,matroska,webm,ogg,opus,wav,flac,adts,avi,null
FF_PARSERS=h264,aac,opus,flac,mpeg4video
FF_BSFS=aac_adtstoasc,h264_mp4toannexb,extract_extradata,vp9_superframe,pgs_frame_merge
FF_NATIVE_ENCODERS=h264_nvenc,hevc_nvenc
FF_NATIVE_DECODERS=h264,hevc,aac,opus,flac,pcm_s16le
FF_NATIVE_DEMUXERS=mov,matroska,ogg,wav,flac,aac,avi
FF_NATIVE_PARSERS=hevc

ffmpeg_args() { # $1 target
  local enc=$FF_ENCODERS parsers=$FF_PARSERS
  if has_vpx "$1"; then enc+=,libvpx_vp8,libvpx_vp9; parsers+=,vp8,vp9; fi
  local a=(--pkg-config=pkg-config --pkg-config-flags=--static
           --disable-autodetect --disable-programs --disable-doc --disable-debug
           --disable-network --disable-iconv --disable-everything
           --enable-static --disable-shared --enable-gpl
           --enable-avcodec --enable-avformat --enable-avutil --enable-swscale --enable-swresample
           --disable-avfilter --disable-avdevice --disable-postproc
           --enable-libx264 --enable-libopus
           --enable-muxer=$FF_MUXERS --enable-bsf=$FF_BSFS
           --extra-cflags="$(target_cflags "$1")" --extra-ldflags="$(target_ldflags "$1")")
  has_vpx "$1" && a+=(--enable-libvpx)
  case "$1" in
    wasm-*) a+=(--target-os=none --arch=x86_32 --enable-cross-compile
                --cc=emcc --cxx=em++ --ar=emar --ranlib=emranlib --nm=emnm
                --disable-asm --disable-inline-asm --disable-x86asm --disable-runtime-cpudetect
                --optflags=-O3 --enable-encoder=$enc --enable-parser=$parsers) ;;
  esac
  case "$1" in
    wasm-st) a+=(--disable-pthreads) ;;
    wasm-mt) a+=(--enable-pthreads) ;;
    native) a+=(--enable-pic --enable-pthreads --enable-ffnvcodec --enable-cuda --enable-nvenc
                --enable-encoder=$enc,$FF_NATIVE_ENCODERS --enable-decoder=$FF_NATIVE_DECODERS
                --enable-demuxer=$FF_NATIVE_DEMUXERS --enable-parser=$parsers,$FF_NATIVE_PARSERS
                --enable-protocol=file) ;;
  esac
  printf '%s\n' "${a[@]}"
}

target_parts() { # $1 target -> the packages it builds, in order
  local p=(x264 opus)
  has_vpx "$1" && p+=(libvpx)
  [ "$1" = native ] && p+=(ffnvcodec)
  p+=(ffmpeg)
  echo "${p[@]}"
}

apply_patches() { # $1 package, $2 source dir (a private copy)
  local f
  for f in "$PATCHES/$1"/*.patch; do
    [ -e "$f" ] || continue
    patch -d "$2" -p1 --forward --silent < "$f" >&2 || die "patch $f does not apply to $1"
  done
}
patches_id() { (cd "$PATCHES" && find . -name '*.patch' -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum | cut -c1-16; }

# ---------------------------------------------------------------- tools
need_tools() { # $@ targets
  local missing=() t wasm=0 native=0
  for t in "$@"; do if is_wasm "$t"; then wasm=1; else native=1; fi; done
  command -v make >/dev/null || missing+=(make)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  command -v dpkg-source >/dev/null || missing+=(dpkg-dev)
  command -v xz >/dev/null || missing+=(xz-utils)
  command -v flock >/dev/null || missing+=(util-linux)
  command -v patch >/dev/null || missing+=(patch)
  if [ "$wasm" = 1 ]; then
    command -v emcc >/dev/null || missing+=(emscripten)
    [ -d /usr/share/nodejs/acorn ] || missing+=(node-acorn)
  fi
  if [ "$native" = 1 ]; then
    command -v "${CC:-cc}" >/dev/null || missing+=(gcc)
    command -v nasm >/dev/null || missing+=(nasm)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  is_root || die "missing: ${missing[*]} (run as root to install them, or: sudo apt-get install ${missing[*]})"
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# ---------------------------------------------------------------- deb-src
have_deb_src() { apt-get source --print-uris -qq x264 2>/dev/null | grep -q '\.dsc'; }

ensure_deb_src() {
  have_deb_src && return 0
  is_root || die "no deb-src entry for Debian's sources; run as root once, or add one, or set FFMPEG_SRC/X264_SRC/OPUS_SRC/LIBVPX_SRC"
  local d=/etc/apt/sources.list.d out822=/etc/apt/sources.list.d/polyenc-deb-src.sources
  local outlist=/etc/apt/sources.list.d/polyenc-deb-src.list f
  : > "$out822.tmp"; : > "$outlist.tmp"
  # deb822 files: copy each enabled Debian stanza of Types: deb as Types: deb-src
  for f in "$d"/*.sources; do
    [ -e "$f" ] && [ "$f" != "$out822" ] || continue
    awk 'BEGIN { RS=""; ORS="\n\n" }
      {
        if ($0 !~ /(^|\n)Types:[^\n]*(^|[ \t])deb([ \t]|\n|$)/) next
        if ($0 ~ /(^|\n)Types:[^\n]*deb-src/) next
        if ($0 ~ /(^|\n)Enabled:[ \t]*no/) next
        if ($0 !~ /debian\.org|debian-archive-keyring/) next
        n = split($0, L, "\n"); s = ""
        for (i = 1; i <= n; i++) {
          if (L[i] ~ /^Types:/) L[i] = "Types: deb-src"
          s = s L[i] "\n"
        }
        printf "%s\n", s
      }' "$f" >> "$out822.tmp"
  done
  # one-line format
  for f in /etc/apt/sources.list "$d"/*.list; do
    [ -e "$f" ] && [ "$f" != "$outlist" ] || continue
    sed -n -E 's/^[[:space:]]*deb([[:space:]]+\[[^]]*\])?[[:space:]]+(.*debian\.org.*)$/deb-src\1 \2/p' "$f" >> "$outlist.tmp"
  done
  [ -s "$out822.tmp" ] && mv "$out822.tmp" "$out822" || rm -f "$out822.tmp"
  [ -s "$outlist.tmp" ] && mv "$outlist.tmp" "$outlist" || rm -f "$outlist.tmp"
  [ -e "$out822" ] || [ -e "$outlist" ] || die "found no Debian deb entry to mirror as deb-src"
  log "added deb-src entries ($(ls "$out822" "$outlist" 2>/dev/null | tr '\n' ' ')); apt-get update"
  apt-get update -qq >&2
  have_deb_src || die "apt-get source still finds no sources after adding deb-src"
}

# ---------------------------------------------------------------- sources
# Sets SRC_<PKG> (directory) and VER_<PKG> (version string for the key).
dir_fingerprint() { # a user-given directory: its file list with sizes and mtimes
  (cd "$1" && find . -type f ! -path './.git/*' -printf '%P %s %T@\n' | LC_ALL=C sort | sha256sum | cut -c1-16)
}

deb_version() { # $1 source package -> debian version apt-get source would fetch
  apt-get source --print-uris -qq "$1" 2>/dev/null | awk '{print $2}' | grep '\.dsc$' | head -n1 \
    | sed -E "s/^$1_(.*)\.dsc$/\1/"
}

# NVENC's headers: Debian's libffmpeg-nvenc-dev (headers only, architecture all), unpacked, or a
# directory holding include/ffnvcodec/ and ffnvcodec.pc (FFNVCODEC_SRC).
resolve_ffnvcodec() { # $1 fetch (1) or only name (0)
  local dir=${FFNVCODEC_SRC:-} ver deb=libffmpeg-nvenc-dev
  if [ -n "$dir" ]; then
    [ -e "$dir/include/ffnvcodec/nvEncodeAPI.h" ] || die "FFNVCODEC_SRC=$dir has no include/ffnvcodec/nvEncodeAPI.h"
    ver="dir:$dir:$(dir_fingerprint "$dir")"
  else
    ver=$(apt-cache policy "$deb" 2>/dev/null | awk '/Candidate:/ {print $2}')
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || die "apt knows no $deb (set FFNVCODEC_SRC)"
    dir="$CACHE_ROOT/src/${deb}_$ver"
    if [ "$1" = 1 ] && [ ! -e "$dir/.complete" ]; then
      log "apt-get download $deb ($ver)"
      local tmp; tmp=$(mktemp -d "$CACHE_ROOT/src/.fetch-$deb.XXXXXX")
      (cd "$tmp" && apt-get download -qq "$deb=$ver" >&2 && dpkg-deb -x ./*.deb x) || die "apt-get download $deb failed"
      rm -rf "$dir"; mkdir -p "$dir/include"
      mv "$tmp/x/usr/include/ffnvcodec" "$dir/include/" && mv "$tmp/x/usr/share/pkgconfig/ffnvcodec.pc" "$dir/" \
        || die "$deb has no ffnvcodec headers"
      touch "$dir/.complete"; rm -rf "$tmp"
    fi
  fi
  SRC_FFNVCODEC=$dir; VER_FFNVCODEC=$ver
}

resolve_source() { # $1 package, $2 env var name, $3 fetch (1) or only name (0)
  local pkg=$1 var=$2 fetch=$3 dir ver
  [ "$pkg" = ffnvcodec ] && { resolve_ffnvcodec "$fetch"; return; }
  dir=${!var:-}
  if [ -n "$dir" ]; then
    [ -d "$dir" ] || die "$var=$dir is not a directory"
    dir=$(cd "$dir" && pwd)
    ver="dir:$dir:$(dir_fingerprint "$dir")"
  else
    ver=$(deb_version "$pkg" || true)
    if [ -z "$ver" ]; then
      # no deb-src yet: reuse a source already in the cache if there is exactly one
      local cands=("$CACHE_ROOT"/src/"$pkg"_*/.complete)
      if [ "$fetch" = 0 ] && [ ${#cands[@]} -eq 1 ] && [ -e "${cands[0]}" ]; then
        dir=$(dirname "${cands[0]}"); ver=${dir##*/"$pkg"_}
      elif [ "$fetch" = 1 ]; then
        ensure_deb_src; ver=$(deb_version "$pkg")
      fi
      [ -n "$ver" ] || die "cannot tell which $pkg source to use (no deb-src entry; set $var or run the build as root once)"
    fi
    dir="$CACHE_ROOT/src/${pkg}_$ver"
    if [ "$fetch" = 1 ] && [ ! -e "$dir/.complete" ]; then
      log "apt-get source $pkg ($ver)"
      local tmp; tmp=$(mktemp -d "$CACHE_ROOT/src/.fetch-$pkg.XXXXXX")
      (cd "$tmp" && apt-get source -qq "$pkg" >&2) || die "apt-get source $pkg failed"
      [ -e "$tmp/${pkg}_$ver.dsc" ] || die "apt-get source $pkg fetched $(cd "$tmp" && ls ./*.dsc), expected ${pkg}_$ver.dsc"
      local sub; sub=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)
      [ -n "$sub" ] || die "apt-get source $pkg unpacked nothing"
      rm -rf "$dir"; mv "$sub" "$dir"; touch "$dir/.complete"; rm -rf "$tmp"
    fi
  fi
  printf -v "SRC_$(pkg_var "$pkg")" '%s' "$dir"
  printf -v "VER_$(pkg_var "$pkg")" '%s' "$ver"
}

# ---------------------------------------------------------------- key
target_key() { # $1 target
  local t=$1 part
  {
    echo "recipe=$RECIPE_REV target=$t"
    echo "cc=$($(target_cc "$t") --version 2>/dev/null | head -n1)"
    is_wasm "$t" || echo "nasm=$(nasm -v 2>/dev/null)"
    echo "patches=$(patches_id)"
    echo "cflags=$(target_cflags "$t") ldflags=$(target_ldflags "$t")"
    for part in $(target_parts "$t"); do
      local v="VER_$(pkg_var "$part")"; echo "$part=${!v}"
    done
    echo "x264:"; x264_args "$t"
    echo "opus:"; opus_args "$t"
    if has_vpx "$t"; then echo "vpx:"; vpx_args "$t"; fi
    echo "ffmpeg:"; ffmpeg_args "$t"
  } | sha256sum | cut -c1-12
}
target_dir() { echo "$CACHE_ROOT/$1-$(target_key "$1")"; }

# ---------------------------------------------------------------- builds
run_logged() { # $1 logfile, rest: command
  local logf=$1; shift
  if ! "$@" >>"$logf" 2>&1; then
    tail -n 40 "$logf" >&2
    die "failed: $* (full log: $logf)"
  fi
}

private_copy() { # $1 package, $2 source dir, $3 build dir: a patched copy of the sources
  rm -rf "$3"; mkdir -p "$3"
  cp -a "$2/." "$3/"
  apply_patches "$1" "$3"
}

build_x264() { # $1 target, $2 target dir
  local t=$1 td=$2 b="$2/build/x264" logf="$2/logs/x264.log" cc; cc=$(target_cc "$1")
  private_copy x264 "$SRC_X264" "$b"
  local args; mapfile -t args < <(x264_args "$t")
  local tools=(CC="$cc")
  is_wasm "$t" && tools+=(AR=emar RANLIB=emranlib STRIP=:)
  (cd "$b" && run_logged "$logf" env "${tools[@]}" ./configure --prefix="$td/prefix" "${args[@]}")
  # x264's configure adds -fno-tree-vectorize, which cancels -msimd128 auto-vectorisation
  is_wasm "$t" && sed -i 's/ -fno-tree-vectorize//g' "$b/config.mak"
  if [ "$t" != wasm-st ]; then grep -q '^#define HAVE_THREAD 1' "$b/config.h" || die "x264 configured without threads"; fi
  (cd "$b" && run_logged "$logf" make -j"$JOBS" && run_logged "$logf" make install-lib-static)
}

build_opus() { # $1 target, $2 target dir
  local t=$1 td=$2 b="$2/build/opus" logf="$2/logs/opus.log" cc; cc=$(target_cc "$1")
  private_copy opus "$SRC_OPUS" "$b"
  local args; mapfile -t args < <(opus_args "$t")
  local tools=(CC="$cc")
  is_wasm "$t" && tools+=(AR=emar RANLIB=emranlib)
  (cd "$b" && run_logged "$logf" env "${tools[@]}" CFLAGS="$(target_cflags "$t")" LDFLAGS="$(target_ldflags "$t")" \
     ./configure --prefix="$td/prefix" "${args[@]}")
  (cd "$b" && run_logged "$logf" make -j"$JOBS" && run_logged "$logf" make install)
}

build_libvpx() { # $1 target, $2 target dir
  local t=$1 td=$2 b="$2/build/vpx" src="$2/build/vpx-src" logf="$2/logs/libvpx.log"
  private_copy libvpx "$SRC_LIBVPX" "$src"
  mkdir -p "$b"
  local args; mapfile -t args < <(vpx_args "$t")
  local tools=()
  is_wasm "$t" && tools+=(CC=emcc CXX=em++ AR=emar LD=emcc NM=emnm RANLIB=emranlib STRIP=:)
  (cd "$b" && run_logged "$logf" env "${tools[@]}" \
     CFLAGS="$(target_cflags "$t")" CXXFLAGS="$(target_cflags "$t")" LDFLAGS="$(target_ldflags "$t")" \
     "$src/configure" --prefix="$td/prefix" "${args[@]}")
  if [ "$t" != wasm-st ]; then grep -q '^#define CONFIG_MULTITHREAD 1' "$b/vpx_config.h" || die "libvpx configured without threads"; fi
  (cd "$b" && run_logged "$logf" make -j"$JOBS" && run_logged "$logf" make install)
}

build_ffnvcodec() { # $1 target, $2 target dir: NVENC's API headers (FFmpeg dlopens the driver at run time)
  local td=$2
  mkdir -p "$td/prefix/include" "$td/prefix/lib/pkgconfig"
  cp -a "$SRC_FFNVCODEC/include/ffnvcodec" "$td/prefix/include/"
  sed "s|^prefix=.*|prefix=$td/prefix|" "$SRC_FFNVCODEC/ffnvcodec.pc" > "$td/prefix/lib/pkgconfig/ffnvcodec.pc"
}

build_ffmpeg() { # $1 target, $2 target dir
  local t=$1 td=$2 b="$2/build/ffmpeg" src="$2/build/ffmpeg-src" logf="$2/logs/ffmpeg.log"
  private_copy ffmpeg "$SRC_FFMPEG" "$src"
  mkdir -p "$b"
  local args; mapfile -t args < <(ffmpeg_args "$t")
  (cd "$b" && run_logged "$logf" env PKG_CONFIG_LIBDIR="$td/prefix/lib/pkgconfig" PKG_CONFIG_PATH= \
     "$src/configure" --prefix="$td/prefix" --cc="$(target_cc "$t")" "${args[@]}")
  if [ "$t" = native ]; then
    grep -q '^#define CONFIG_CUDA 1' "$b/config.h" || die "FFmpeg configured without CUDA hw frames"
    grep -q '^#define CONFIG_H264_NVENC_ENCODER 1' "$b/config_components.h" || die "FFmpeg configured without h264_nvenc"
  fi
  (cd "$b" && run_logged "$logf" make -j"$JOBS" && run_logged "$logf" make install)
}

build_target() { # $1 target
  local t=$1 td; td=$(target_dir "$t")
  if [ "$FORCE" = 0 ] && [ -e "$td/.done" ]; then
    log "$t: cache hit $td"
    return 0
  fi
  [ "$FORCE" = 1 ] && rm -rf "$td"
  mkdir -p "$td/logs" "$td/build" "$td/prefix"
  local t0=$SECONDS part
  for part in $(target_parts "$t"); do
    if [ -e "$td/.done-$part" ]; then log "$t: $part already built"; continue; fi
    local t1=$SECONDS
    log "$t: building $part (log: $td/logs/$part.log)"
    "build_$part" "$t" "$td"
    touch "$td/.done-$part"
    log "$t: $part done in $((SECONDS - t1)) s"
  done
  rm -rf "$td/build"
  {
    echo "target=$t"
    for part in $(target_parts "$t"); do local v="VER_$(pkg_var "$part")"; echo "$part=${!v}"; done
    echo "cflags=$(target_cflags "$t")"
    echo "built=$(date -u +%FT%TZ) seconds=$((SECONDS - t0))"
  } > "$td/BUILDINFO"
  touch "$td/.done"
  log "$t: built in $((SECONDS - t0)) s -> $td/prefix"
}

# ---------------------------------------------------------------- main
mkdir -p "$CACHE_ROOT/src"
resolve_all() { # $1 fetch (1) or only name (0), rest: targets
  local fetch=$1 part; shift
  local parts=() t
  for t in "$@"; do parts+=($(target_parts "$t")); done
  for part in $(printf '%s\n' "${parts[@]}" | awk '!seen[$0]++'); do
    resolve_source "$part" "$(pkg_var "$part")_SRC" "$fetch"
  done
}

if [ -n "$PRINT_PREFIX" ]; then
  is_wasm "$PRINT_PREFIX" && { command -v emcc >/dev/null || die "emcc not found"; }
  resolve_all 0 "$PRINT_PREFIX"
  echo "$(target_dir "$PRINT_PREFIX")/prefix"
  exit 0
fi

need_tools "${TARGETS[@]}"
exec 9>"$CACHE_ROOT/.lock"
flock 9 || die "cannot lock $CACHE_ROOT/.lock"

resolve_all 1 "${TARGETS[@]}"
for t in "${TARGETS[@]}"; do
  log "$t: sources $(for part in $(target_parts "$t"); do v="VER_$(pkg_var "$part")"; printf '%s %s, ' "$part" "${!v}"; done)"
  build_target "$t"
done

# env.sh names the prefixes of the current sources and flags (a target not built in this run is
# listed only if its prefix is complete).
ENV_SH="$CACHE_ROOT/env.sh"
env_name() { case "$1" in wasm-st) echo POLYENC_WASM_DEPS_ST ;; wasm-mt) echo POLYENC_WASM_DEPS_MT ;; native) echo POLYENC_NATIVE_DEPS ;; esac; }
complete_dir() { # $1 target -> its directory if complete (sources resolvable without fetching)
  local td
  td=$( (resolve_all 0 "$1" && target_dir "$1") 2>/dev/null) || return 1
  [ -e "$td/.done" ] && echo "$td"
}
{
  echo "# written by wasm/build-deps.sh; source this file"
  for t in "${ALL_TARGETS[@]}"; do
    if td=$(complete_dir "$t"); then echo "export $(env_name "$t")='$td/prefix'"; fi
  done
} > "$ENV_SH.tmp" && mv "$ENV_SH.tmp" "$ENV_SH"

# convenience links inside the repo (wasm/.deps/ is git-ignored)
mkdir -p "$HERE/.deps"
ln -sfn "$ENV_SH" "$HERE/.deps/env.sh"
echo "dependency prefixes (source $ENV_SH):"
for t in "${ALL_TARGETS[@]}"; do
  if td=$(complete_dir "$t"); then
    ln -sfn "$td/prefix" "$HERE/.deps/$t"
    echo "  $t: $td/prefix   (include/, lib/, lib/pkgconfig/)"
  fi
done
