#!/usr/bin/env bash
# guest/wabt.sh — build wasm2c from wabt's source (Debian trixie's source
# package by default) for the native tier, when the machine's wabt is too old
# (Debian 12 ships 1.0.32; wasm2c translates SIMD only from 1.0.33).
#
# Usage: guest/wabt.sh [--source DIR] [--print-path] [--force]
#
#   --source DIR   build from this unpacked wabt source tree (e.g. a checkout
#                  of upstream's tag 1.0.36) instead of the Debian source package
#   --print-path   print only the install directory's absolute path on stdout
#   --force        build again even if the cache has it
#
# Output: ${XDG_CACHE_HOME:-$HOME/.cache}/afmpeg/tools/wabt-<version>-<key>/
#           bin/wasm2c   include/wasm-rt.h (and the other runtime files of wasm2c/)
#           build.json   (version, source, key, build time)   .complete
#         .../tools/wabt -> symlink to the above
# <key> = sha256 (16 hex) of: the source's version, the SHA-256 of its files
# (the .dsc's Checksums-Sha256 for the Debian package, every file of the tree
# for --source) and this script.
#
# The Debian source package comes through apt with a private state directory
# (sources list, lists, cache under the tools cache): the machine's apt
# configuration is not changed. Its URI and Signed-By are those of the
# machine's own Debian entry (/etc/apt/sources.list*), with the suite trixie.
# Needs: cmake ninja-build g++ libssl-dev dpkg-dev (guest/setup-debian.sh's
# optional packages).
set -euo pipefail
exec 3>&1 1>&2

# The source package this script builds; its .dsc must list exactly these
# checksums (apt verifies the files against the signed index; this pins them).
DEB_SUITE=trixie
DEB_VERSION='1.0.36+dfsg+~cs1.0.36-2'
DSC_SHA256='2e60ad634c76daf78020fa4ce75d46b09cd9ef73afbdd0abbe4c5483cfd61f67'

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE=
PRINT_PATH=0
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --source) SOURCE=${2:?--source needs a directory}; shift 2 ;;
    --source=*) SOURCE=${1#*=}; shift ;;
    --print-path) PRINT_PATH=1; shift ;;
    --force) FORCE=1; shift ;;
    -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "wabt.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

log() { printf '[wabt %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf '[wabt] ERROR: %s\n' "$*" >&2; exit 1; }

for t in cmake ninja c++ sha256sum flock; do
  command -v "$t" >/dev/null || die "$t missing (guest/setup-debian.sh installs the optional build tools)"
done

export LC_ALL=C
TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/afmpeg/tools"
mkdir -p "$TOOLS"
SELF_SHA=$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)

# ---- the machine's Debian archive entry: "URI SIGNED_BY" ------------------
# The first deb/deb-src entry of the machine's own release codename with the
# component main; its URI serves the other suites too.
debian_entry() {
  local codename f
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    awk -v cn="$codename" '
      function flush() {
        if (types ~ /(^| )deb(-src)?( |$)/ && (" " suites " ") ~ (" " cn " ") && (" " comps " ") ~ / main / && uri != "") {
          print uri, (sb == "" ? "-" : sb); found = 1; exit
        }
        types = suites = comps = uri = sb = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      /^Types:/ { $1 = ""; types = substr($0, 2) }
      /^Suites:/ { $1 = ""; suites = substr($0, 2) }
      /^Components:/ { $1 = ""; comps = substr($0, 2) }
      /^URIs:/ { uri = $2 }
      /^Signed-By:/ { sb = $2 }
      END { if (!found) flush() }
    ' "$f" | head -1
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -e "$f" ] || continue
    # deb [opts] URI SUITE COMPONENT...
    sed -n 's/^[[:space:]]*deb\(-src\)\{0,1\}[[:space:]]\+//p' "$f" | awk -v cn="$codename" '
      { sb = "-"
        if ($1 ~ /^\[/) { while ($1 !~ /\]$/) { if ($1 ~ /signed-by=/) { sb = $1; sub(/.*signed-by=/, "", sb) } ; $1 = ""; $0 = $0 }
                          if ($1 ~ /signed-by=/) { sb = $1; sub(/.*signed-by=/, "", sb); sub(/\]$/, "", sb) } ; $1 = ""; $0 = $0 }
        if ($2 == cn) for (i = 3; i <= NF; i++) if ($i == "main") { print $1, sb; exit } }'
  done
}

# ---- fetch and unpack the Debian source package into $1 -------------------
fetch_debian_source() {
  local dest=$1 entry uri sb apt aptopts
  entry=$(debian_entry | head -1)
  [ -n "$entry" ] || die "no Debian entry with component main in the machine's apt sources"
  uri=${entry% *}; sb=${entry#* }
  apt="$TOOLS/apt-$DEB_SUITE"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts"
  if [ "$sb" = - ]; then
    echo "deb-src $uri $DEB_SUITE main" >"$apt/sources.list"
  else
    echo "deb-src [signed-by=$sb] $uri $DEB_SUITE main" >"$apt/sources.list"
  fi
  aptopts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/parts"
           -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "APT::Sandbox::User=root")
  log "apt-get update ($DEB_SUITE sources, private state in $apt)"
  apt-get "${aptopts[@]}" update -qq >&2
  mkdir -p "$dest.dl"
  (cd "$dest.dl" && apt-get "${aptopts[@]}" source --download-only "wabt=$DEB_VERSION" >&2) \
    || die "could not download the source package wabt=$DEB_VERSION (see above); use --source DIR with a wabt source tree"
  local dsc="$dest.dl/wabt_${DEB_VERSION#*:}.dsc"
  [ "$(sha256sum "$dsc" | cut -d' ' -f1)" = "$DSC_SHA256" ] || die "$dsc: unexpected SHA-256"
  dpkg-source --no-check -x "$dsc" "$dest" >&2
  # The key covers the .dsc's checksums of every file of the package.
  sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$dsc" | grep '^ ' | sort >"$dest.checksums"
}

# ---- version and key ------------------------------------------------------
if [ -n "$SOURCE" ]; then
  SOURCE=$(cd "$SOURCE" && pwd -P)
  [ -f "$SOURCE/CMakeLists.txt" ] && [ -f "$SOURCE/wasm2c/wasm-rt.h" ] || die "$SOURCE is not a wabt source tree"
  VERSION=$(sed -n 's/^project(WABT[^)]*VERSION \([0-9.]*\).*/\1/p' "$SOURCE/CMakeLists.txt" | head -1)
  [ -n "$VERSION" ] || die "no version in $SOURCE/CMakeLists.txt"
  SRC_SUM=$(cd "$SOURCE" && find . -type f ! -path './.git/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  SRC_DESC="tree $SRC_SUM"
else
  VERSION=${DEB_VERSION%%+*}
  SRC_DESC="debian $DEB_SUITE wabt $DEB_VERSION dsc $DSC_SHA256"
fi
KEY=$({ echo "afmpeg-wabt-key v1"; echo "version $VERSION"; echo "$SRC_DESC"; echo "script $SELF_SHA"; } | sha256sum | cut -c1-16)
OUT="$TOOLS/wabt-$VERSION-$KEY"

if [ "$FORCE" = 0 ] && [ -f "$OUT/.complete" ]; then
  log "cached: $OUT"
else
  exec 9>"$TOOLS/.lock-wabt"
  flock 9
  if [ "$FORCE" = 1 ] || [ ! -f "$OUT/.complete" ]; then
    rm -rf "$OUT.tmp"; mkdir -p "$OUT.tmp"
    work="$OUT.tmp/work"
    if [ -n "$SOURCE" ]; then
      src=$SOURCE
    else
      src="$work/src"; mkdir -p "$work"
      fetch_debian_source "$src"
    fi
    start=$(date +%s)
    # Only what wasm2c needs: no tests, no libwasm, no WASI, no fuzzers.
    # SHA-256 from OpenSSL (as Debian builds it; the PicoSHA2 submodule is
    # not in the source package). The prefix map keeps paths out of the binary.
    /usr/bin/time -f '%e %U %S' -o "$OUT.tmp/time.txt" sh -c '
      cmake -S "$1" -B "$2" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DBUILD_TESTS=OFF -DBUILD_LIBWASM=OFF -DWITH_WASI=OFF -DBUILD_FUZZ_TOOLS=OFF \
        -DUSE_INTERNAL_SHA256=OFF -DWABT_INSTALL_RULES=OFF \
        -DCMAKE_CXX_FLAGS="-ffile-prefix-map=$1=/wabt -ffile-prefix-map=$2=/build" >&2 &&
      ninja -C "$2" wasm2c >&2' sh "$src" "$work/build"
    mkdir -p "$OUT.tmp/bin" "$OUT.tmp/include"
    install -m 0755 "$work/build/wasm2c" "$OUT.tmp/bin/wasm2c"
    strip "$OUT.tmp/bin/wasm2c"
    # The runtime header(s) the generated C includes, and wabt's sample
    # runtime for reference (the native tier links its own, native/csrc).
    cp "$src"/wasm2c/wasm-rt*.h "$src"/wasm2c/wasm-rt*.c "$src"/wasm2c/wasm-rt*.inc "$OUT.tmp/include/"
    read -r wall user sys <"$OUT.tmp/time.txt"
    cat >"$OUT.tmp/build.json" <<EOF
{"version": "$VERSION", "wasm2c_version": "$("$OUT.tmp/bin/wasm2c" --version)", "key": "$KEY",
 "source": "$SRC_DESC", "build_wall_s": $wall, "build_cpu_s": $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')}
EOF
    log "wasm2c $VERSION built in ${wall} s wall, $user s user + $sys s sys CPU"
    rm -rf "$work" "$work.dl" "$OUT.tmp/time.txt"
    touch "$OUT.tmp/.complete"
    rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
  fi
fi
ln -sfn "$OUT" "$TOOLS/.wabt.tmp.$$"
mv -Tf "$TOOLS/.wabt.tmp.$$" "$TOOLS/wabt"
[ "$PRINT_PATH" = 0 ] || echo "$OUT" >&3
