#!/usr/bin/env bash
# Build polyenc's WebAssembly dependencies (x264, libopus, libvpx, FFmpeg) from source
# with emscripten, in two variants:
#   st  single-threaded
#   mt  threaded (-pthread; x264 with threads, FFmpeg with pthreads)
#
# Sources come from Debian source packages (`apt-get source ffmpeg x264 opus
# libvpx`, a deb-src entry is added when run as root) or from directories given
# in FFMPEG_SRC / X264_SRC / OPUS_SRC / LIBVPX_SRC. Nothing else is downloaded.
#
# Results are cached under ${POLYENC_WASM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/polyenc/wasm-deps}
# in one prefix per variant, keyed on a hash of the source versions, the
# emscripten version and every flag below. A cache hit takes seconds.
#
# Usage:
#   wasm/build-deps.sh                  build (or reuse) both variants
#   wasm/build-deps.sh --variant st     only one variant (st|mt|all)
#   wasm/build-deps.sh --print-prefix st|mt
#                                       print the prefix path for that variant
#                                       (the path a build with the current
#                                       sources and flags uses; builds nothing)
#   wasm/build-deps.sh --force          rebuild even on a cache hit
# Environment:
#   JOBS (default 2), POLYENC_WASM_CACHE, FFMPEG_SRC, X264_SRC, OPUS_SRC, LIBVPX_SRC
#   POLYENC_WASM_VPX=0  leave libvpx (VP8/VP9) out (smaller, ~1.5 min faster)
#
# After a build, ${cache}/env.sh (also linked as wasm/.deps/env.sh) exports
# POLYENC_WASM_DEPS_ST and POLYENC_WASM_DEPS_MT; each prefix has include/,
# lib/ and lib/pkgconfig/.
set -euo pipefail

# Bump when the recipe changes in a way the flags below do not show.
RECIPE_REV=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_ROOT=${POLYENC_WASM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/polyenc/wasm-deps}
JOBS=${JOBS:-2}
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}   # Debian's emcc needs acorn from node-acorn

log()  { printf '[build-deps] %s\n' "$*" >&2; }
die()  { printf '[build-deps] error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# ---------------------------------------------------------------- arguments
VARIANTS=(st mt)
PRINT_PREFIX=
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --print-prefix) PRINT_PREFIX=${2:-}; shift 2 || die "--print-prefix needs st|mt" ;;
    --print-prefix=*) PRINT_PREFIX=${1#*=}; shift ;;
    --variant) case "${2:-}" in st|mt) VARIANTS=("$2") ;; all) VARIANTS=(st mt) ;; *) die "--variant st|mt|all" ;; esac; shift 2 ;;
    --force) FORCE=1; shift ;;
    -j) JOBS=$2; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
if [ -n "$PRINT_PREFIX" ]; then
  case "$PRINT_PREFIX" in st|mt) ;; *) die "--print-prefix st|mt, got '$PRINT_PREFIX'" ;; esac
fi

# ---------------------------------------------------------------- flags
# Everything that shapes the output lives here; all of it goes into the key.
COMMON_CFLAGS="-O3 -msimd128"
WITH_VPX=${POLYENC_WASM_VPX:-1}
case "$WITH_VPX" in 0|1) ;; *) die "POLYENC_WASM_VPX must be 0 or 1" ;; esac

variant_cflags() { if [ "$1" = mt ]; then echo "$COMMON_CFLAGS -pthread"; else echo "$COMMON_CFLAGS"; fi; }
variant_ldflags() { if [ "$1" = mt ]; then echo "-pthread"; else echo ""; fi; }

x264_args() { # $1 variant
  local a=(--host=i686-gnu --enable-static --disable-cli --disable-asm --bit-depth=8
           --chroma-format=all --disable-opencl --disable-avs --disable-swscale
           --disable-lavf --disable-ffms --disable-gpac --disable-lsmash
           --extra-cflags="$(variant_cflags "$1")" --extra-ldflags="$(variant_ldflags "$1")")
  [ "$1" = st ] && a+=(--disable-thread)
  printf '%s\n' "${a[@]}"
}

opus_args() { # $1 variant
  printf '%s\n' --host=i686-pc-linux-gnu --enable-static --disable-shared \
    --disable-doc --disable-extra-programs --disable-intrinsics --disable-rtcd \
    --disable-asm --disable-hardening --disable-stack-protector
}

# libvpx: VP8 + VP9 encoders only (no decoders), full (not realtime-only)
# build so FFmpeg's default libvpx settings stay valid.
vpx_args() { # $1 variant
  local a=(--target=generic-gnu --enable-static --disable-shared --disable-examples
           --disable-tools --disable-docs --disable-unit-tests --disable-install-bins
           --disable-install-srcs --disable-vp8-decoder --disable-vp9-decoder
           --enable-vp8-encoder --enable-vp9-encoder --disable-runtime-cpu-detect
           --disable-webm-io --disable-libyuv --disable-debug-libs)
  if [ "$1" = mt ]; then a+=(--enable-multithread); else a+=(--disable-multithread); fi
  printf '%s\n' "${a[@]}"
}

FF_ENCODERS=libx264,aac,libopus,flac,pcm_s16le,mpeg4
FF_MUXERS=mp4,mov,ipod,matroska,webm,ogg,opus,wav,flac,adts,null
FF_PARSERS=h264,aac,opus,flac,mpeg4video
if [ "$WITH_VPX" = 1 ]; then FF_ENCODERS+=,libvpx_vp8,libvpx_vp9; FF_PARSERS+=,vp8,vp9; fi
FF_BSFS=aac_adtstoasc,h264_mp4toannexb,extract_extradata,vp9_superframe,pgs_frame_merge

ffmpeg_args() { # $1 variant
  local a=(--target-os=none --arch=x86_32 --enable-cross-compile
           --cc=emcc --cxx=em++ --ar=emar --ranlib=emranlib --nm=emnm
           --pkg-config=pkg-config --pkg-config-flags=--static
           --disable-asm --disable-inline-asm --disable-x86asm --disable-runtime-cpudetect
           --disable-autodetect --disable-programs --disable-doc --disable-debug
           --disable-network --disable-iconv --disable-everything
           --enable-static --disable-shared --enable-gpl
           --enable-avcodec --enable-avformat --enable-avutil --enable-swscale --enable-swresample
           --disable-avfilter --disable-avdevice --disable-postproc
           --enable-libx264 --enable-libopus
           --enable-encoder=$FF_ENCODERS --enable-muxer=$FF_MUXERS
           --enable-parser=$FF_PARSERS --enable-bsf=$FF_BSFS
           --optflags=-O3
           --extra-cflags="$(variant_cflags "$1")" --extra-ldflags="$(variant_ldflags "$1")")
  if [ "$1" = mt ]; then a+=(--enable-pthreads); else a+=(--disable-pthreads); fi
  if [ "$WITH_VPX" = 1 ]; then a+=(--enable-libvpx); fi
  printf '%s\n' "${a[@]}"
}

# x264 with threads calls slicetype_slice_cost through x264_threadpool_run,
# whose callback type is void *(*)(void *); slicetype_slice_cost returns void,
# so wasm's call_indirect traps ("function signature mismatch"). Give it the
# right signature and drop the cast. Applied to every variant (harmless in st).
patch_x264() { # $1 source dir (a private copy)
  local f="$1/encoder/slicetype.c"
  grep -q 'static void slicetype_slice_cost( x264_slicetype_slice_t \*s )' "$f" \
    || die "x264 patch: slicetype_slice_cost definition not found in $f"
  sed -i \
    -e 's/^static void slicetype_slice_cost( x264_slicetype_slice_t \*s )$/static void *slicetype_slice_cost( void *arg )/' \
    -e 's/x264_threadpool_run( h->lookaheadpool, (void\*)slicetype_slice_cost, &s\[i\] );/x264_threadpool_run( h->lookaheadpool, slicetype_slice_cost, \&s[i] );/' \
    "$f"
  # body: declare s from arg, return NULL at the end of the function
  awk '
    /^static void \*slicetype_slice_cost\( void \*arg \)$/ { print; infn=1; next }
    infn && /^\{$/ { print; print "    x264_slicetype_slice_t *s = arg;"; next }
    infn && /^\}$/ { print "    return NULL;"; print; infn=0; next }
    { print }' "$f" > "$f.tmp" && mv "$f.tmp" "$f"
  grep -q 'x264_threadpool_run( h->lookaheadpool, slicetype_slice_cost, &s\[i\] );' "$f" \
    || die "x264 patch: x264_threadpool_run call not rewritten in $f"
}
PATCH_ID=$(declare -f patch_x264 | sha256sum | cut -c1-16)

# ---------------------------------------------------------------- tools
need_tools() {
  local missing=()
  command -v emcc >/dev/null || missing+=(emscripten)
  command -v make >/dev/null || missing+=(make)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  command -v dpkg-source >/dev/null || missing+=(dpkg-dev)
  command -v xz >/dev/null || missing+=(xz-utils)
  command -v flock >/dev/null || missing+=(util-linux)
  [ -d /usr/share/nodejs/acorn ] || missing+=(node-acorn)
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
  is_root || die "no deb-src entry for Debian's sources; run as root once, or add one, or set FFMPEG_SRC/X264_SRC/OPUS_SRC"
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

resolve_source() { # $1 package, $2 env var name, $3 fetch (1) or only name (0)
  local pkg=$1 var=$2 fetch=$3 dir ver
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
  printf -v "SRC_${pkg^^}" '%s' "$dir"
  printf -v "VER_${pkg^^}" '%s' "$ver"
}

# ---------------------------------------------------------------- key
variant_key() { # $1 variant
  {
    echo "recipe=$RECIPE_REV"
    echo "emcc=$(emcc --version 2>/dev/null | head -n1)"
    echo "ffmpeg=$VER_FFMPEG x264=$VER_X264 opus=$VER_OPUS vpx=$WITH_VPX:${VER_LIBVPX:-}"
    echo "variant=$1 cflags=$(variant_cflags "$1") ldflags=$(variant_ldflags "$1")"
    echo "x264:"; x264_args "$1"; echo "x264patch=$PATCH_ID"
    echo "opus:"; opus_args "$1"
    if [ "$WITH_VPX" = 1 ]; then echo "vpx:"; vpx_args "$1"; fi
    echo "ffmpeg:"; ffmpeg_args "$1"
  } | sha256sum | cut -c1-12
}
variant_dir() { echo "$CACHE_ROOT/$1-$(variant_key "$1")"; }

# ---------------------------------------------------------------- builds
run_logged() { # $1 logfile, rest: command
  local logf=$1; shift
  if ! "$@" >>"$logf" 2>&1; then
    tail -n 40 "$logf" >&2
    die "failed: $* (full log: $logf)"
  fi
}

build_x264() { # $1 variant, $2 vdir
  local v=$1 vd=$2 b="$2/build/x264" logf="$2/logs/x264.log"
  rm -rf "$b"; mkdir -p "$b"
  cp -a "$SRC_X264/." "$b/"
  patch_x264 "$b"
  local args; mapfile -t args < <(x264_args "$v")
  (cd "$b" && run_logged "$logf" env CC=emcc AR=emar RANLIB=emranlib STRIP=: \
     ./configure --prefix="$vd/prefix" "${args[@]}")
  # x264's configure adds -fno-tree-vectorize, which cancels -msimd128 auto-vectorisation
  sed -i 's/ -fno-tree-vectorize//g' "$b/config.mak"
  if [ "$v" = mt ]; then grep -q '^#define HAVE_THREAD 1' "$b/config.h" || die "x264 configured without threads"; fi
  (cd "$b" && run_logged "$logf" make -j"$JOBS" && run_logged "$logf" make install-lib-static)
}

build_opus() { # $1 variant, $2 vdir
  local v=$1 vd=$2 b="$2/build/opus" logf="$2/logs/opus.log"
  rm -rf "$b"; mkdir -p "$b"
  cp -a "$SRC_OPUS/." "$b/"
  local args; mapfile -t args < <(opus_args "$v")
  (cd "$b" && run_logged "$logf" env CC=emcc AR=emar RANLIB=emranlib \
     CFLAGS="$(variant_cflags "$v")" LDFLAGS="$(variant_ldflags "$v")" ./configure --prefix="$vd/prefix" "${args[@]}")
  (cd "$b" && run_logged "$logf" make -j"$JOBS" && run_logged "$logf" make install)
}

build_vpx() { # $1 variant, $2 vdir
  local v=$1 vd=$2 b="$2/build/vpx" logf="$2/logs/vpx.log"
  rm -rf "$b"; mkdir -p "$b"
  local args; mapfile -t args < <(vpx_args "$v")
  (cd "$b" && run_logged "$logf" env CC=emcc CXX=em++ AR=emar LD=emcc NM=emnm RANLIB=emranlib STRIP=: \
     CFLAGS="$(variant_cflags "$v")" CXXFLAGS="$(variant_cflags "$v")" LDFLAGS="$(variant_ldflags "$v")" \
     "$SRC_LIBVPX/configure" --prefix="$vd/prefix" "${args[@]}")
  if [ "$v" = mt ]; then grep -q '^#define CONFIG_MULTITHREAD 1' "$b/vpx_config.h" || die "libvpx configured without threads"; fi
  (cd "$b" && run_logged "$logf" make -j"$JOBS" && run_logged "$logf" make install)
}

build_ffmpeg() { # $1 variant, $2 vdir
  local v=$1 vd=$2 b="$2/build/ffmpeg" logf="$2/logs/ffmpeg.log"
  rm -rf "$b"; mkdir -p "$b"
  local args; mapfile -t args < <(ffmpeg_args "$v")
  (cd "$b" && run_logged "$logf" env PKG_CONFIG_LIBDIR="$vd/prefix/lib/pkgconfig" PKG_CONFIG_PATH= \
     "$SRC_FFMPEG/configure" --prefix="$vd/prefix" "${args[@]}")
  (cd "$b" && run_logged "$logf" make -j"$JOBS" && run_logged "$logf" make install)
}

build_variant() { # $1 variant
  local v=$1 vd; vd=$(variant_dir "$v")
  if [ "$FORCE" = 0 ] && [ -e "$vd/.done" ]; then
    log "$v: cache hit $vd"
    return 0
  fi
  [ "$FORCE" = 1 ] && rm -rf "$vd"
  mkdir -p "$vd/logs" "$vd/build" "$vd/prefix"
  local t0=$SECONDS part
  local parts=(x264 opus); [ "$WITH_VPX" = 1 ] && parts+=(vpx); parts+=(ffmpeg)
  for part in "${parts[@]}"; do
    if [ -e "$vd/.done-$part" ]; then log "$v: $part already built"; continue; fi
    local t1=$SECONDS
    log "$v: building $part (log: $vd/logs/$part.log)"
    "build_$part" "$v" "$vd"
    touch "$vd/.done-$part"
    log "$v: $part done in $((SECONDS - t1)) s"
  done
  rm -rf "$vd/build"
  {
    echo "variant=$v"
    echo "ffmpeg=$VER_FFMPEG"; echo "x264=$VER_X264"; echo "opus=$VER_OPUS"
    [ "$WITH_VPX" = 1 ] && echo "libvpx=$VER_LIBVPX"
    echo "cflags=$(variant_cflags "$v")"
    echo "built=$(date -u +%FT%TZ) seconds=$((SECONDS - t0))"
  } > "$vd/BUILDINFO"
  touch "$vd/.done"
  log "$v: built in $((SECONDS - t0)) s -> $vd/prefix"
}

# ---------------------------------------------------------------- main
mkdir -p "$CACHE_ROOT/src"

if [ -n "$PRINT_PREFIX" ]; then
  command -v emcc >/dev/null || die "emcc not found"
  resolve_source ffmpeg FFMPEG_SRC 0; resolve_source x264 X264_SRC 0; resolve_source opus OPUS_SRC 0
  [ "$WITH_VPX" = 1 ] && resolve_source libvpx LIBVPX_SRC 0
  echo "$(variant_dir "$PRINT_PREFIX")/prefix"
  exit 0
fi

need_tools
exec 9>"$CACHE_ROOT/.lock"
flock 9 || die "cannot lock $CACHE_ROOT/.lock"

resolve_source ffmpeg FFMPEG_SRC 1
resolve_source x264 X264_SRC 1
resolve_source opus OPUS_SRC 1
[ "$WITH_VPX" = 1 ] && resolve_source libvpx LIBVPX_SRC 1
log "sources: ffmpeg $VER_FFMPEG, x264 $VER_X264, opus $VER_OPUS${VER_LIBVPX:+, libvpx $VER_LIBVPX}"

for v in "${VARIANTS[@]}"; do build_variant "$v"; done

# env.sh names the prefixes of the current sources and flags (a variant not
# built in this run is listed only if its prefix is complete).
ENV_SH="$CACHE_ROOT/env.sh"
{
  echo "# written by wasm/build-deps.sh; source this file"
  for v in st mt; do
    vd=$(variant_dir "$v")
    if [ -e "$vd/.done" ]; then
      echo "export POLYENC_WASM_DEPS_${v^^}='$vd/prefix'"
    fi
  done
} > "$ENV_SH.tmp" && mv "$ENV_SH.tmp" "$ENV_SH"

# convenience links inside the repo (wasm/.deps/ is git-ignored)
mkdir -p "$HERE/.deps"
ln -sfn "$ENV_SH" "$HERE/.deps/env.sh"
for v in st mt; do
  vd=$(variant_dir "$v")
  if [ -e "$vd/.done" ]; then ln -sfn "$vd/prefix" "$HERE/.deps/$v"; fi
done

echo "wasm dependency prefixes (source $ENV_SH):"
for v in st mt; do
  vd=$(variant_dir "$v")
  if [ -e "$vd/.done" ]; then
    echo "  $v: $vd/prefix   (include/, lib/, lib/pkgconfig/)"
  fi
done
