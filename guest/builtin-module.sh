#!/usr/bin/env bash
# guest/builtin-module.sh — the lean module shipped in crate afmpeg-module-lean
# (modules/lean/) against the one this recipe builds.
#
# Usage: guest/builtin-module.sh check|update
#   check    build (or take from the cache) the lean module; fail unless its
#            SHA-256 is the one modules/lean/ffmpeg.wasm.sha256 records
#            (`make check-builtin-module`, part of `make test`)
#   update   write modules/lean/ from that module: ffmpeg.wasm.zst (zstd -19,
#            1 MiB window),
#            ffmpeg.wasm.sha256, provenance.json (`make update-builtin-module`);
#            then commit modules/lean/
#
# The crate's own tests check that ffmpeg.wasm.zst decompresses to the
# recorded hash and that provenance.json records the same module; this script
# ties the record to the recipe, so that `make guest` always reproduces the
# shipped bytes.
set -euo pipefail
GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CRATE="$GUEST_DIR/../modules/lean"
# The registry refuses packages over 10 MB; keep room for the rest.
MAX_COMPRESSED=9500000

die() { echo "builtin-module: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

json_field() {  # $1 = provenance.json, $2 = python expression on `d`
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

[ $# = 1 ] || { usage >&2; exit 2; }
module=$("$GUEST_DIR/build.sh" --profile lean --print-path)
built_dir=$(dirname "$module")
built_sha=$(sha256sum "$module" | cut -d' ' -f1)

case $1 in
  check)
    recorded_sha=$(cut -d' ' -f1 "$CRATE/ffmpeg.wasm.sha256")
    if [ "$built_sha" != "$recorded_sha" ]; then
      die "the lean module this recipe builds is not the one crate afmpeg-module-lean ships:
  built    $built_sha  (cache key $(json_field "$built_dir/provenance.json" 'd["cache_key"]'), $module)
  shipped  $recorded_sha  (cache key $(json_field "$CRATE/provenance.json" 'd["cache_key"]'), modules/lean/)
If the recipe changed on purpose, run \`make update-builtin-module\` and commit modules/lean/.
Otherwise the build is not reproducible on this machine (toolchain or source package versions: compare the two provenance.json files)."
    fi
    echo "builtin-module: modules/lean ships the module this recipe builds ($built_sha)" >&2
    ;;
  update)
    command -v zstd >/dev/null || die "zstd is missing (scripts/setup-debian.sh installs it)"
    tmp=$(mktemp "$CRATE/.ffmpeg.wasm.zst.XXXXXX")
    trap 'rm -f "$tmp"' EXIT
    # A 1 MiB window instead of level 19's 8 MiB: the decoder keeps a window
    # buffer, so this halves the peak memory of decompressing (+14 MiB instead
    # of +28 MiB, modules/lean/README.md) for 1 % more bytes.
    zstd -q -19 --zstd=wlog=20 -c "$module" >"$tmp"
    size=$(stat -c %s "$tmp")
    [ "$size" -le "$MAX_COMPRESSED" ] || die "compressed module is $size bytes, over $MAX_COMPRESSED (registry limit)"
    [ "$(zstd -dc "$tmp" | sha256sum | cut -d' ' -f1)" = "$built_sha" ] || die "zstd round trip changed the bytes"
    mv "$tmp" "$CRATE/ffmpeg.wasm.zst"
    echo "$built_sha  ffmpeg.wasm" >"$CRATE/ffmpeg.wasm.sha256"
    cp "$built_dir/provenance.json" "$CRATE/provenance.json"
    echo "builtin-module: modules/lean updated: $(stat -c %s "$module") bytes -> $size bytes ($built_sha); commit modules/lean/" >&2
    ;;
  *) usage >&2; exit 2 ;;
esac
