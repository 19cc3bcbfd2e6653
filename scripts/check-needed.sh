#!/usr/bin/env bash
# Checks that ELF files need no shared library but glibc's libc, libm, libpthread and libdl. --also REGEX
# allows more (the GPU check bundle's own libpolyenc). Prints each file's NEEDED list; exits 1 naming the first other library.
# usage: scripts/check-needed.sh [--also REGEX] FILE...
set -euo pipefail
also='^$'
if [ "${1:-}" = --also ]; then also=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: check-needed.sh [--also REGEX] FILE..." >&2; exit 2; }
for f in "$@"; do
  needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  for lib in $needed; do
    if ! [[ $lib =~ ^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2)$ ]] && ! [[ $lib =~ $also ]]; then
      echo "check-needed: $f needs $lib (NEEDED: $needed)" >&2
      exit 1
    fi
  done
  echo "$(basename "$f") needs only: ${needed:-nothing (static)}"
done
