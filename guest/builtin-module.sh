#!/usr/bin/env bash
# guest/builtin-module.sh — the modules shipped in crates afmpeg-module-lean
# (modules/lean/) and afmpeg-module-default (modules/default/) against the
# ones this recipe builds.
#
# Usage: guest/builtin-module.sh check|update|unpack [lean|default ...]   (default: both)
#   check    build (or take from the cache) the profile's module; fail unless
#            its SHA-256 is the one modules/<profile>/ffmpeg.wasm.sha256
#            records (`make check-builtin-module`, part of `make test`)
#   update   write modules/<profile>/ from that module: ffmpeg.wasm.zst
#            (zstd -19, 1 MiB window), ffmpeg.wasm.sha256, provenance.json,
#            and for default its companion font (fonts/: DejaVuSans.ttf,
#            COPYRIGHT, SHA256SUMS) (`make update-builtin-module`); then
#            commit modules/<profile>/
#   unpack   no build: decompress the module a crate ships (checked against
#            its recorded SHA-256) into the cache, as
#            <cache>/<profile>-crate-<recipe key>/ with its provenance.json and
#            companion data (or keep that entry when it is there already, or
#            else take the recipe's own build of it, when the cache has it),
#            and point <cache>/<profile>-crate at it; print
#            the module's path on stdout (`make demo`: a fresh machine runs
#            the default module without its 20-minute build). Its own
#            "<profile>-crate" flavor, never the recipe's entry, so `check`
#            still compares a real build with the crate.
#
# The crates' own tests check that ffmpeg.wasm.zst decompresses to the
# recorded hash and that provenance.json records the same module; this script
# ties the record to the recipe, so that `make guest` always reproduces the
# shipped bytes.
set -euo pipefail
GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The registry refuses packages over 10 MB; keep room for the rest (the
# default crate's font is ~0.4 MB in the gzip'd package).
MAX_COMPRESSED=9500000

die() { echo "builtin-module: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

json_field() {  # $1 = provenance.json, $2 = python expression on `d`
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

[ $# -ge 1 ] || { usage >&2; exit 2; }
action=$1; shift
profiles=("$@"); [ ${#profiles[@]} -gt 0 ] || profiles=(lean default)

check() {  # $1 = profile, $2 = module, $3 = crate dir
  local built_sha recorded_sha
  built_sha=$(sha256sum "$2" | cut -d' ' -f1)
  recorded_sha=$(cut -d' ' -f1 "$3/ffmpeg.wasm.sha256")
  if [ "$built_sha" != "$recorded_sha" ]; then
    die "the $1 module this recipe builds is not the one crate afmpeg-module-$1 ships:
  built    $built_sha  (cache key $(json_field "$(dirname "$2")/provenance.json" 'd["cache_key"]'), $2)
  shipped  $recorded_sha  (cache key $(json_field "$3/provenance.json" 'd["cache_key"]'), modules/$1/)
If the recipe changed on purpose, run \`make update-builtin-module\` and commit modules/$1/.
Otherwise the build is not reproducible on this machine (toolchain or source package versions: compare the two provenance.json files)."
  fi
  if [ -d "$(dirname "$2")/data/fonts" ]; then
    (cd "$3/fonts" && sha256sum --quiet -c SHA256SUMS) || die "modules/$1/fonts/ does not match its SHA256SUMS"
    cmp -s "$(dirname "$2")/data/fonts/SHA256SUMS" "$3/fonts/SHA256SUMS" \
      || die "the font this recipe ships is not the one crate afmpeg-module-$1 ships (make update-builtin-module)"
  fi
  echo "builtin-module: modules/$1 ships the module this recipe builds ($built_sha)" >&2
}

update() {  # $1 = profile, $2 = module, $3 = crate dir
  local built_sha tmp size
  command -v zstd >/dev/null || die "zstd is missing (scripts/setup-debian.sh installs it)"
  built_sha=$(sha256sum "$2" | cut -d' ' -f1)
  tmp=$(mktemp "$3/.ffmpeg.wasm.zst.XXXXXX")
  trap 'rm -f "$tmp"' EXIT
  # A 1 MiB window instead of level 19's 8 MiB: the decoder keeps a window
  # buffer, so this halves the peak memory of decompressing (+14 MiB instead
  # of +28 MiB, modules/lean/README.md) for 1 % more bytes.
  zstd -q -19 --zstd=wlog=20 -c "$2" >"$tmp"
  chmod 644 "$tmp"  # mktemp makes it 0600; the package is read by others
  size=$(stat -c %s "$tmp")
  [ "$size" -le "$MAX_COMPRESSED" ] || die "compressed $1 module is $size bytes, over $MAX_COMPRESSED (registry limit)"
  [ "$(zstd -dc "$tmp" | sha256sum | cut -d' ' -f1)" = "$built_sha" ] || die "zstd round trip changed the bytes"
  mv "$tmp" "$3/ffmpeg.wasm.zst"
  trap - EXIT
  echo "$built_sha  ffmpeg.wasm" >"$3/ffmpeg.wasm.sha256"
  cp "$(dirname "$2")/provenance.json" "$3/provenance.json"
  if [ -d "$(dirname "$2")/data/fonts" ]; then
    mkdir -p "$3/fonts"
    cp "$(dirname "$2")"/data/fonts/{DejaVuSans.ttf,COPYRIGHT,SHA256SUMS} "$3/fonts/"
  fi
  echo "builtin-module: modules/$1 updated: $(stat -c %s "$2") bytes -> $size bytes ($built_sha); commit modules/$1/" >&2
}

unpack() {  # $1 = profile, $2 = crate dir; prints the module's path
  local want key cache out tmp
  command -v zstd >/dev/null || die "zstd is missing (scripts/setup-debian.sh installs it)"
  want=$(cut -d' ' -f1 "$2/ffmpeg.wasm.sha256")
  key=$(json_field "$2/provenance.json" 'd["cache_key"]')
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/afmpeg/guest"
  # The recipe's key names the entry (and through it the native C's cache,
  # guest/native.sh): another recipe's module is another entry.
  out="$cache/$1-crate-$key"
  mkdir -p "$cache"
  exec 9>"$cache/.lock-$1-crate"
  flock 9
  # Which entry holds the module decides where guest/native.sh puts its C
  # (it keys the translation on the entry's name), so keep to the first one
  # used: an entry unpacked before wins, or else a build of the same recipe
  # already in the cache (the same bytes: the build is reproducible), or else
  # a fresh unpack. Switching from an unpacked entry to a later build of the
  # recipe would translate and compile the same module again (≈ 15 min).
  if [ -f "$out/.complete" ] && [ "$(sha256sum "$out/ffmpeg.wasm" | cut -d' ' -f1)" = "$want" ]; then
    :
  elif [ -f "$cache/$1-$key/.complete" ] \
     && [ "$(sha256sum "$cache/$1-$key/ffmpeg.wasm" | cut -d' ' -f1)" = "$want" ]; then
    out="$cache/$1-$key"
  else
    tmp="$out.tmp.$$"
    rm -rf "$tmp"; mkdir -p "$tmp"
    zstd -q -dc "$2/ffmpeg.wasm.zst" >"$tmp/ffmpeg.wasm"
    [ "$(sha256sum "$tmp/ffmpeg.wasm" | cut -d' ' -f1)" = "$want" ] \
      || { rm -rf "$tmp"; die "modules/$1/ffmpeg.wasm.zst does not decompress to its recorded SHA-256 $want"; }
    cp "$2/provenance.json" "$tmp/"
    if [ -d "$2/fonts" ]; then
      (cd "$2/fonts" && sha256sum --quiet -c SHA256SUMS) || { rm -rf "$tmp"; die "modules/$1/fonts/ does not match its SHA256SUMS"; }
      mkdir -p "$tmp/data/fonts"
      cp "$2"/fonts/{DejaVuSans.ttf,COPYRIGHT,SHA256SUMS} "$tmp/data/fonts/"
    fi
    touch "$tmp/.complete"
    rm -rf "$out"; mv "$tmp" "$out"
    echo "builtin-module: unpacked modules/$1 into $out ($want)" >&2
  fi
  ln -sfn "$(basename "$out")" "$cache/.$1-crate.tmp.$$"
  mv -Tf "$cache/.$1-crate.tmp.$$" "$cache/$1-crate"
  echo "$out/ffmpeg.wasm"
}

for p in "${profiles[@]}"; do
  case $p in lean|default) ;; *) die "no crate ships the $p module (lean or default)" ;; esac
  if [ "$action" = unpack ]; then
    unpack "$p" "$GUEST_DIR/../modules/$p"
    continue
  fi
  module=$("$GUEST_DIR/build.sh" --profile "$p" --print-path)
  case $action in
    check) check "$p" "$module" "$GUEST_DIR/../modules/$p" ;;
    update) update "$p" "$module" "$GUEST_DIR/../modules/$p" ;;
    *) usage >&2; exit 2 ;;
  esac
done
