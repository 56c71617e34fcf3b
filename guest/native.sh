#!/usr/bin/env bash
# guest/native.sh — translate a profile's guest module to C with wasm2c, split
# into several translation units, for the native tier (crate afmpeg-native).
#
# Usage: guest/native.sh [--profile lean|full] [--simd] [--units N] [--print-path] [--force]
#
#   --profile P     the module built by `guest/build.sh --profile P` (default lean)
#   --simd          the -msimd128 variant of that module
#   --units N       how many translation units the functions are split into
#                   (default 8; see docs/explanation/native-tier.md for the figures)
#   --print-path    print only the C directory's absolute path on stdout
#   --force         translate again even if the cache has it
#
# Input:  ${XDG_CACHE_HOME:-$HOME/.cache}/afmpeg/guest/<flavor>/ffmpeg.wasm (make guest)
# Output: .../guest/<flavor>-<key>/native-<nkey>/   ffmpeg.h ffmpeg-shared.h ffmpeg-main.c
#             ffmpeg-fn-0.c … ffmpeg-fn-<N-1>.c  native.json
#         (wasm2c >= 1.0.33 splits by itself: ffmpeg.h ffmpeg-impl.h ffmpeg_0.c …
#         ffmpeg_<N-1>.c, instrumented in place by the same splitter)
#         .../guest/<flavor>-native  -> symlink to the above (what the crate's build script reads)
# <nkey> = sha256 (16 hex) of: the module's own cache key (the recipe hash in its
# directory name) and sha256, wasm2c's version, this script, the splitter, N.
# The splitter also instruments the C (the checkpoints of the CPU budget and
# interrupt, native/RATIONALE.md), so its hash covers the instrumentation.
# $AFMPEG_WASM2C picks the translator (default: `wasm2c` on PATH, Debian 12's
# 1.0.32); `guest/wabt.sh --print-path`/bin/wasm2c is 1.0.36, which the
# SIMD module needs. The crate must be built with the same one (its
# build script reads the same variable).
# The C compiler is not part of the key: the C is compiled by the crate's build
# script (the `cc` crate), whose outputs cargo caches.
set -euo pipefail
exec 3>&1 1>&2

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROFILE=lean
SIMD=0
UNITS=8
PRINT_PATH=0
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) PROFILE=${2:?--profile needs a value}; shift 2 ;;
    --profile=*) PROFILE=${1#*=}; shift ;;
    --simd) SIMD=1; shift ;;
    --units) UNITS=${2:?--units needs a value}; shift 2 ;;
    --units=*) UNITS=${1#*=}; shift ;;
    --print-path) PRINT_PATH=1; shift ;;
    --force) FORCE=1; shift ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "native.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

log() { printf '[native %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf '[native] ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$UNITS" =~ ^[1-9][0-9]*$ ]] || die "--units must be a positive integer"
WASM2C=${AFMPEG_WASM2C:-wasm2c}
command -v "$WASM2C" >/dev/null || die "$WASM2C missing (Debian package wabt: apt-get install wabt; or guest/wabt.sh)"
command -v python3 >/dev/null || die "python3 missing"

export LC_ALL=C
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/afmpeg/guest"
FLAVOR="$PROFILE"; [ "$SIMD" = 1 ] && FLAVOR="$PROFILE-simd"
LINK="$CACHE_ROOT/$FLAVOR"
[ -f "$LINK/ffmpeg.wasm" ] && [ -f "$LINK/.complete" ] \
  || die "no $FLAVOR module in $LINK: build it first with 'make guest PROFILE=$PROFILE' (guest/build.sh)"
MODULE_DIR=$(cd "$LINK" && pwd -P)
MODULE="$MODULE_DIR/ffmpeg.wasm"

WASM2C_VERSION=$("$WASM2C" --version)
# 1.0.33 renamed everything the splitter and the crate's glue rely on and
# gained --num-outputs; from then on wasm2c splits the C itself.
case "$WASM2C_VERSION" in
  1.0.3[0-2]|1.0.[12][0-9]|1.0.[0-9]) WASM2C_SPLITS=0 ;;
  *) WASM2C_SPLITS=1 ;;
esac
[ "$SIMD" = 0 ] || [ "$WASM2C_SPLITS" = 1 ] \
  || die "the -msimd128 module needs wasm2c >= 1.0.33 (guest/wabt.sh; AFMPEG_WASM2C=<its path>/bin/wasm2c)"
nkey() {
  {
    echo "afmpeg-native-key v1"
    echo "module $(basename "$MODULE_DIR") $(sha256sum "$MODULE" | cut -d' ' -f1)"
    echo "wasm2c $WASM2C_VERSION"
    echo "units $UNITS"
    (cd "$GUEST_DIR" && sha256sum native.sh tools/split_wasm2c.py)
  } | sha256sum | cut -c1-16
}
NKEY=$(nkey)
OUT="$MODULE_DIR/native-$NKEY"

if [ "$FORCE" = 0 ] && [ -f "$OUT/.complete" ]; then
  log "cached: $OUT"
else
  exec 9>"$CACHE_ROOT/.lock-native-$FLAVOR"
  flock 9
  rm -rf "$OUT.tmp"; mkdir -p "$OUT.tmp"
  log "wasm2c $WASM2C_VERSION: $MODULE"
  start=$(date +%s)
  if [ "$WASM2C_SPLITS" = 1 ]; then
    units=$UNITS; [ "$units" -ge 2 ] || units=2
    "$WASM2C" "$MODULE" -n ffmpeg --num-outputs="$units" -o "$OUT.tmp/ffmpeg.c"
    c_bytes=$(cat "$OUT.tmp"/ffmpeg_*.c "$OUT.tmp/ffmpeg-impl.h" | wc -c)
  else
    "$WASM2C" "$MODULE" -n ffmpeg -o "$OUT.tmp/ffmpeg.c"
    c_bytes=$(stat -c %s "$OUT.tmp/ffmpeg.c")
  fi
  log "  $c_bytes bytes of C in $(( $(date +%s) - start )) s; splitting into $UNITS units"
  python3 "$GUEST_DIR/tools/split_wasm2c.py" "$OUT.tmp" ffmpeg "$UNITS"
  python3 - "$OUT.tmp/native.json" <<EOF
import json, sys
json.dump({"module_dir": "$(basename "$MODULE_DIR")", "key": "$NKEY", "wasm2c": "$WASM2C_VERSION",
           "units": $UNITS, "c_bytes": $c_bytes, "name": "ffmpeg"}, open(sys.argv[1], "w"), indent=1)
EOF
  touch "$OUT.tmp/.complete"
  rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
  # Older translations of this module by the same wasm2c are garbage now
  # (one by another wasm2c version may still be in use: 1.0.32 and 1.0.36
  # side by side while the SIMD module is measured).
  for d in "$MODULE_DIR"/native-*; do
    [ "$d" != "$OUT" ] || continue
    grep -qF "\"wasm2c\": \"$WASM2C_VERSION\"" "$d/native.json" 2>/dev/null && rm -rf "$d"
  done
  log "done in $(( $(date +%s) - start )) s: $OUT"
fi
ln -sfn "$OUT" "$CACHE_ROOT/.$FLAVOR-native.tmp.$$"
mv -Tf "$CACHE_ROOT/.$FLAVOR-native.tmp.$$" "$CACHE_ROOT/$FLAVOR-native"
[ "$PRINT_PATH" = 0 ] || echo "$OUT" >&3
