#!/usr/bin/env bash
# Installs the Debian packages polyenc needs that are missing. As root it runs apt-get; otherwise it
# prints the command to run. Usage: scripts/deps.sh [build|test]
set -euo pipefail
want=${1:-build}
packages=(cmake make gcc pkg-config libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
          libswresample-dev libyuv-dev libdlpack-dev)
if [ "$want" = test ]; then
  packages+=(ffmpeg python3-av valgrind clang libclang-rt-14-dev chromium)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "polyenc needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
