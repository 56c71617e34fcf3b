#!/usr/bin/env bash
# guest/build.sh — reproducible build of the FFmpeg 5.1 guest module (ffmpeg.wasm,
# wasm32-wasi / WASI preview1) from Debian source packages with Debian's clang-19.
#
# Usage: guest/build.sh [--profile lean|default|lgpl|full] [--simd] [--print-path] [--check-repro]
#                       [--jobs N] [--no-setup] [--force]
#
#   --profile P     lean (the default), default, lgpl or full; see guest/profiles/P.sh
#                   (and guest/profiles/P.d/, files only that profile uses)
#   --simd          compile with -msimd128 (off by default)
#   --print-path    print only the module's absolute path on stdout
#   --check-repro   build a second time in another directory; fail unless the
#                   two modules are byte-identical
#   --jobs N        parallel make jobs (default: nproc)
#   --no-setup      do not run guest/setup-debian.sh (packages must be present)
#   --force         rebuild even if the cache has the module
#
# Output (outside the repo):
#   ${XDG_CACHE_HOME:-$HOME/.cache}/afmpeg/guest/<profile>[-simd]-<key>/
#       ffmpeg.wasm  provenance.json  capabilities.json  build.log
#       [data/...]   companion data a profile ships (e.g. default's font)
#   ${XDG_CACHE_HOME:-$HOME/.cache}/afmpeg/guest/<profile>[-simd]  -> symlink to the above
# <key> = sha256 (16 hex) of everything that shapes this profile's module:
# build.sh and deps-full.sh, the patches, the profile (and profiles/P.d/),
# the versions of its source packages, of the toolchain, of the extra Debian
# packages it builds with (PROFILE_PACKAGES) and of those whose files it
# ships (PROFILE_DATA_PACKAGES). Not sources.lock or setup-debian.sh as
# files: a line for another profile must not rebuild this one.
#
# All logs go to stderr; stdout carries only what --print-path asks for.
set -euo pipefail

exec 3>&1 1>&2   # fd 3 = real stdout; everything else goes to stderr

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROFILE=lean
SIMD=0
PRINT_PATH=0
CHECK_REPRO=0
FORCE=0
DO_SETUP=1
JOBS=${AFMPEG_GUEST_JOBS:-$(nproc 2>/dev/null || echo 2)}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --profile) PROFILE=${2:?--profile needs a value}; shift 2 ;;
    --profile=*) PROFILE=${1#*=}; shift ;;
    --simd) SIMD=1; shift ;;
    --print-path) PRINT_PATH=1; shift ;;
    --check-repro) CHECK_REPRO=1; shift ;;
    --jobs) JOBS=${2:?}; shift 2 ;;
    --jobs=*) JOBS=${1#*=}; shift ;;
    --no-setup) DO_SETUP=0; shift ;;
    --force) FORCE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build.sh: unknown argument: $1" >&2; usage; exit 2 ;;
  esac
done

log() { printf '[guest %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf '[guest] ERROR: %s\n' "$*" >&2; exit 1; }

PROFILE_FILE="$GUEST_DIR/profiles/$PROFILE.sh"
[ -f "$PROFILE_FILE" ] || die "unknown profile '$PROFILE' (no $PROFILE_FILE)"
# shellcheck source=/dev/null
. "$PROFILE_FILE"

export LC_ALL=C TZ=UTC
umask 022

# size-budgets is read here but kept out of the cache key (see that file).
PROFILE_SIZE_BUDGET=$(awk -v p="$PROFILE" '$1==p {print $2}' "$GUEST_DIR/size-budgets")
[ -n "$PROFILE_SIZE_BUDGET" ] || die "no size budget for profile '$PROFILE' in guest/size-budgets"

check_size_budget() {  # $1 = module file
  local size; size=$(stat -c %s "$1")
  log "module size: $size bytes (budget $PROFILE_SIZE_BUDGET, guest/size-budgets)"
  [ "$size" -le "$PROFILE_SIZE_BUDGET" ] || die "size budget exceeded: $size > $PROFILE_SIZE_BUDGET bytes (guest/size-budgets)"
}

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/afmpeg/guest"
SRC_CACHE="$CACHE_ROOT/sources"
mkdir -p "$CACHE_ROOT" "$SRC_CACHE"
FLAVOR="$PROFILE"; [ "$SIMD" = 1 ] && FLAVOR="$PROFILE-simd"

# ---------------------------------------------------------------- setup
if [ "$DO_SETUP" = 1 ]; then
  "$GUEST_DIR/setup-debian.sh" ${PROFILE_PACKAGES[@]+"${PROFILE_PACKAGES[@]}"}
fi
for t in clang-19 wasm-ld-19 llvm-ar-19 llvm-nm-19 llvm-ranlib-19 llvm-strip-19 llvm-strings-19 \
         dpkg-source apt-get python3 make patch pkg-config sha256sum flock; do
  command -v "$t" >/dev/null || die "missing tool $t (run guest/setup-debian.sh as root)"
done
[ -f /usr/lib/wasm32-wasi/libc.a ] || die "wasi-libc not installed"

# Serialise builds of one flavor (e.g. parallel make targets); different
# profiles may build at the same time.
exec 9>"$CACHE_ROOT/.lock-$FLAVOR"
flock 9

# ---------------------------------------------------------------- sources
ALL_PKGS=(ffmpeg "${PROFILE_DEPS[@]}")
declare -A SRC_VER

available_versions() { apt-cache showsrc "$1" 2>/dev/null | awk '/^Version: /{print $2}' | sort -u; }

resolve_version() {
  local pkg=$1 locked vers v best=""
  locked=$(awk -v p="$pkg" '$1==p {print $2}' "$GUEST_DIR/sources.lock")
  [ -n "$locked" ] || die "$pkg is not in guest/sources.lock"
  vers=$(available_versions "$pkg")
  [ -n "$vers" ] || die "no source package '$pkg' known to apt (deb-src entries missing? run guest/setup-debian.sh)"
  if grep -qxF "$locked" <<<"$vers"; then echo "$locked"; return; fi
  for v in $vers; do
    if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
  done
  log "WARNING: $pkg $locked (guest/sources.lock) is no longer in the archive; using $best" >&2
  echo "$best"
}

for p in "${ALL_PKGS[@]}"; do SRC_VER[$p]=$(resolve_version "$p"); done

# ---------------------------------------------------------------- cache key
toolchain_versions() {
  dpkg-query -W -f='${Package} ${Version}\n' clang-19 lld-19 llvm-19 wasi-libc \
    libclang-rt-19-dev-wasm32 2>/dev/null | sort
}

# Binary packages whose files a profile copies into its companion data
# (PROFILE_DATA_PACKAGES, see profile_companion_data in the profile).
# The Debian packages a profile's build uses beyond the toolchain (libc++
# for C++ dependencies, meson, …).
profile_package_versions() {
  [ -n "${PROFILE_PACKAGES[*]:-}" ] || return 0
  dpkg-query -W -f='${Package} ${Version}\n' "${PROFILE_PACKAGES[@]}" 2>/dev/null | sort
}

data_package_versions() {
  [ -n "${PROFILE_DATA_PACKAGES[*]:-}" ] || return 0
  dpkg-query -W -f='${Package} ${Version}\n' "${PROFILE_DATA_PACKAGES[@]}" | sort
}

# profiles/<profile>.d/ holds files only that profile uses (patches, compat
# headers); it is part of that profile's key and of no other's.
PROFILE_D="profiles/$PROFILE.d"

compute_key() {
  {
    echo "afmpeg-guest-key v1"
    echo "profile $PROFILE simd $SIMD"
    # Only what shapes this profile's module: not sources.lock (the versions
    # of this profile's packages are below), not setup-debian.sh (the
    # versions of what it installs are below), not the native tier's tools
    # (guest/native.sh keys its C on the module) — so adding a profile or a
    # tool does not rebuild every other profile.
    (cd "$GUEST_DIR" && find build.sh "profiles/$PROFILE.sh" \
        patches multicall tools/meta.py compat deps-full.sh -type f 2>/dev/null | LC_ALL=C sort | xargs sha256sum)
    if [ -d "$GUEST_DIR/$PROFILE_D" ]; then
      (cd "$GUEST_DIR" && find "$PROFILE_D" -type f | LC_ALL=C sort | xargs sha256sum)
    fi
    for p in "${ALL_PKGS[@]}"; do echo "source $p ${SRC_VER[$p]}"; done
    toolchain_versions
    profile_package_versions
    data_package_versions
  } | sha256sum | cut -c1-16
}
KEY=$(compute_key)
OUT="$CACHE_ROOT/$FLAVOR-$KEY"
MODULE="$OUT/ffmpeg.wasm"

module_ok() {
  [ -f "$1/.complete" ] && [ -f "$1/ffmpeg.wasm" ] && [ -f "$1/provenance.json" ] || return 1
  local want have
  want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["module"]["sha256"])' "$1/provenance.json") || return 1
  have=$(sha256sum "$1/ffmpeg.wasm" | cut -d' ' -f1)
  [ "$want" = "$have" ]
}

update_pointer() {
  local link="$CACHE_ROOT/$FLAVOR" tmp="$CACHE_ROOT/.$FLAVOR.tmp.$$"
  ln -sfn "$FLAVOR-$KEY" "$tmp"
  if [ -e "$link" ] && [ ! -L "$link" ]; then rm -rf "$link"; fi
  mv -Tf "$tmp" "$link"
}

# ---------------------------------------------------------------- build steps
fetch_sources() {  # download (once) into $SRC_CACHE/<pkg>_<ver>/
  local p v d
  exec 8>"$SRC_CACHE/.lock"; flock 8
  for p in "${ALL_PKGS[@]}"; do
    v=${SRC_VER[$p]}; d="$SRC_CACHE/${p}_${v//:/%}"
    if [ -f "$d/.complete" ]; then continue; fi
    log "fetching source package $p $v"
    rm -rf "$d"; mkdir -p "$d"
    (cd "$d" && apt-get source -q --download-only "$p=$v") >"$SRC_CACHE/fetch-$p.log" 2>&1 \
      || { cat "$SRC_CACHE/fetch-$p.log" >&2; die "apt-get source $p=$v failed"; }
    touch "$d/.complete"
  done
  flock -u 8
}

dsc_of() { local p=$1 v=${SRC_VER[$1]}; ls "$SRC_CACHE/${p}_${v//:/%}"/*.dsc; }

verify_dsc_in_index() {  # the .dsc's sha256 must match apt's (signed) Sources index
  local p=$1 v=${SRC_VER[$1]} dsc want have
  dsc=$(dsc_of "$p"); have=$(sha256sum "$dsc" | cut -d' ' -f1)
  want=$(apt-cache showsrc "$p" | awk -v ver="$v" -v f="$(basename "$dsc")" '
      /^Package: /{inpkg=0} /^Version: /{inpkg=($2==ver)}
      /^Checksums-Sha256:/{ins=1; next} /^[^ ]/{ins=0}
      inpkg && ins && $3==f && !done {print $1; done=1}')
  [ -n "$want" ] || die "$p: $(basename "$dsc") not listed in apt's Sources index"
  [ "$want" = "$have" ] || die "$p: .dsc sha256 mismatch (index $want, file $have)"
}

unpack_sources() {  # $1 = work dir; dpkg-source checks every file against the .dsc
  local W=$1 p dsc f
  mkdir -p "$W/src"
  for p in "${ALL_PKGS[@]}"; do
    verify_dsc_in_index "$p"
    dsc=$(dsc_of "$p")
    log "unpacking $p ${SRC_VER[$p]} (checksums verified by dpkg-source against $(basename "$dsc"))"
    dpkg-source --require-strong-checksums -x "$dsc" "$W/src/$p" >/dev/null 2>"$W/dpkg-source-$p.log" \
      || { cat "$W/dpkg-source-$p.log" >&2; die "dpkg-source -x $p failed"; }
    for f in "$GUEST_DIR"/patches/"$p"-*.patch "$GUEST_DIR/$PROFILE_D"/patches/"$p"-*.patch; do
      [ -e "$f" ] || continue
      log "  patch $(basename "$f")"
      patch -d "$W/src/$p" -p1 --fuzz=0 --no-backup-if-mismatch -s <"$f" || die "patch $f failed"
    done
  done
}

setup_toolchain() {  # $1 = work dir: private sysroot + wrapper tools in $W/bin
  local W=$1 t extra=""
  mkdir -p "$W/sysroot/include" "$W/sysroot/lib" "$W/bin" "$W/prefix/include" "$W/prefix/lib/pkgconfig"
  ln -sfn /usr/include/wasm32-wasi "$W/sysroot/include/wasm32-wasi"
  ln -sfn /usr/lib/wasm32-wasi "$W/sysroot/lib/wasm32-wasi"
  [ "$SIMD" = 1 ] && extra=" -msimd128"
  # The wrapper keeps every path out of the configure lines (FFmpeg embeds its
  # configure line in the binary) and maps the work dir to a fixed name.
  local cc
  for cc in clang clang++; do
    cat >"$W/bin/wasm32-wasi-$cc" <<EOF
#!/bin/sh
# single-threaded target: drop -pthread (meson's threads dependency adds it)
for a do shift; [ "\$a" = -pthread ] || set -- "\$@" "\$a"; done
exec $cc-19 -Qunused-arguments --target=wasm32-wasi --sysroot="$W/sysroot" -I"$W/prefix/include" -L"$W/prefix/lib" \\
  -ffile-prefix-map="$W"=/afmpeg-build -no-canonical-prefixes$extra \\
  -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_GETPID "\$@"
EOF
    chmod +x "$W/bin/wasm32-wasi-$cc"
  done
  # compat headers (see compat/include/*.h) only for profiles that ask for them
  if [ "${PROFILE_COMPAT_HEADERS:-0}" = 1 ]; then cp "$GUEST_DIR"/compat/include/*.h "$W/prefix/include/"; fi
  for t in ar nm ranlib strip strings; do ln -sfn "/usr/bin/llvm-$t-19" "$W/bin/wasm32-wasi-$t"; done
}

record_configure() {  # pkg, then the configure command words
  local p=$1; shift
  local q; q=$(printf '%q ' "$@")
  printf '%s\t%s\n' "$p" "${q% }" >>"$W/configure-lines.tsv"
}

# Autotools packages: use Debian's current config.sub/config.guess (knows wasi).
refresh_config_sub() {
  local f
  for f in config.sub config.guess; do
    find "$1" -name "$f" -type f -exec cp /usr/share/misc/$f {} \;
  done
}

build_zlib() {
  cd "$W/src/zlib"
  local args=(--static --prefix="$W/prefix")
  record_configure zlib CHOST=wasm32-wasi CC=wasm32-wasi-clang CFLAGS=-O3 ./configure --static
  CHOST=wasm32-wasi CC=wasm32-wasi-clang AR=wasm32-wasi-ar RANLIB=wasm32-wasi-ranlib CFLAGS=-O3 \
    ./configure "${args[@]}"
  make -j"$JOBS" libz.a
  make install-libs-only 2>/dev/null || make install
}

build_x264() {
  cd "$W/src/x264"
  local args=(--host=wasm32-unknown-wasi --cross-prefix=wasm32-wasi- --enable-static --disable-cli
              --disable-asm --disable-thread --disable-opencl --disable-avs --disable-swscale
              --disable-lavf --disable-ffms --disable-gpac --disable-lsmash --disable-bashcompletion)
  record_configure x264 ./configure "${args[@]}"
  CC=wasm32-wasi-clang AR=wasm32-wasi-ar RANLIB=wasm32-wasi-ranlib STRIP=wasm32-wasi-strip \
    ./configure --prefix="$W/prefix" "${args[@]}"
  make -j"$JOBS"
  make install-lib-static
}

autotools_build() {  # pkg, configure args...
  local p=$1; shift
  cd "$W/src/$p"
  refresh_config_sub .
  record_configure "$p" ./configure --host=wasm32-unknown-wasi --disable-shared --enable-static "$@" "CFLAGS=-O3"
  CC=wasm32-wasi-clang AR=wasm32-wasi-ar RANLIB=wasm32-wasi-ranlib CFLAGS=-O3 \
    ./configure --host=wasm32-unknown-wasi --prefix="$W/prefix" --disable-shared --enable-static "$@"
  make -j"$JOBS"
  make install
}

build_lame() {
  autotools_build lame --disable-frontend --disable-gtktest --disable-decoder --disable-analyzer-hooks
}

build_opus() {
  autotools_build opus --disable-maintainer-mode --disable-doc --disable-extra-programs \
    --disable-rtcd --disable-intrinsics --disable-asm --disable-hardening
}

# full-profile libraries live in deps-full.sh (sourced when present)
if [ -f "$GUEST_DIR/deps-full.sh" ]; then
  # shellcheck source=/dev/null
  . "$GUEST_DIR/deps-full.sh"
fi

FFMPEG_COMMON_FLAGS=(
  --enable-cross-compile --target-os=none --arch=wasm32 --cpu=generic
  --cc=wasm32-wasi-clang --ar=wasm32-wasi-ar --nm=wasm32-wasi-nm --ranlib=wasm32-wasi-ranlib
  --strip=wasm32-wasi-strip --pkg-config=pkg-config
  --disable-asm --disable-inline-asm --disable-x86asm
  --disable-pthreads --disable-w32threads --disable-os2threads
  --disable-network --disable-autodetect --disable-doc --disable-debug
  --disable-runtime-cpudetect --disable-stripping
  --enable-ffmpeg --enable-ffprobe --disable-ffplay
)
FFMPEG_LINK_FLAGS=(
  "--extra-ldflags=-Wl,--stack-first -Wl,-z,stack-size=8388608 -Wl,--initial-memory=33554432 -Wl,--max-memory=4294967296"
  "--extra-libs=-lwasi-emulated-signal -lwasi-emulated-mman -lwasi-emulated-process-clocks -lwasi-emulated-getpid${PROFILE_EXTRA_LIBS:+ $PROFILE_EXTRA_LIBS}"
)

build_ffmpeg() {
  local src="$W/src/ffmpeg" b="$W/build/ffmpeg"
  cp "$GUEST_DIR/multicall/afmpeg_main.c" "$src/fftools/afmpeg_main.c"
  mkdir -p "$b"; cd "$b"
  cp "$GUEST_DIR/multicall/multicall.mk" "$b/multicall.mk"
  local args=("${FFMPEG_COMMON_FLAGS[@]}" "${PROFILE_FFMPEG_FLAGS[@]}" "${FFMPEG_LINK_FLAGS[@]}")
  record_configure ffmpeg ./configure "${args[@]}"
  "$src/configure" "${args[@]}" >"$W/ffmpeg-configure.log" 2>&1 \
    || { tail -40 "$W/ffmpeg-configure.log" >&2; tail -40 "$b/ffbuild/config.log" >&2; die "FFmpeg configure failed"; }
  grep '^WARNING' "$W/ffmpeg-configure.log" >&2 || true
  make -j"$JOBS" -f Makefile -f multicall.mk afmpeg_g.wasm
}

# Runs build function $1 in a subshell with its output in $2; returns its
# status. Not `( $1 ) || …`: bash ignores `set -e` inside anything on the
# left of `||`, so a failing step in the middle of a build function would go
# unnoticed and only its last command would count.
run_step() {
  local rc=0
  set +e
  ( set -e; "$1" ) >"$2" 2>&1
  rc=$?
  set -e
  return "$rc"
}

# One complete build in work dir $1; writes the stripped module to $2.
do_build() {
  W=$1; local out_module=$2 p t0 t1
  rm -rf "$W"; mkdir -p "$W"
  : >"$W/configure-lines.tsv"
  unpack_sources "$W"
  setup_toolchain "$W"
  export PATH="$W/bin:$PATH"
  export PKG_CONFIG_LIBDIR="$W/prefix/lib/pkgconfig" PKG_CONFIG_PATH=""
  SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$W/src/ffmpeg/debian/changelog" -STimestamp)
  export SOURCE_DATE_EPOCH
  for p in "${PROFILE_DEPS[@]}"; do
    t0=$(date +%s); log "building $p ${SRC_VER[$p]}"
    run_step "build_$p" "$W/build-$p.log" || { tail -60 "$W/build-$p.log" >&2; die "building $p failed (log: $W/build-$p.log)"; }
    t1=$(date +%s); log "  $p done in $((t1 - t0)) s"
  done
  t0=$(date +%s); log "building ffmpeg ${SRC_VER[ffmpeg]} (profile $PROFILE)"
  run_step build_ffmpeg "$W/build-ffmpeg.log" || { grep -E 'error|Error' "$W/build-ffmpeg.log" | tail -40 >&2; die "building ffmpeg failed (log: $W/build-ffmpeg.log)"; }
  t1=$(date +%s); log "  ffmpeg done in $((t1 - t0)) s"
  llvm-strip-19 --strip-all -o "$out_module" "$W/build/ffmpeg/afmpeg_g.wasm"
}

# ---------------------------------------------------------------- main
T_START=$(date +%s)
# leftovers of interrupted builds of this flavor (we hold its lock). Match
# exactly <flavor>-<16 hex>: a bare `lean-*` would also match `lean-simd-*`,
# whose build holds another lock and may be running right now.
KEY_GLOB=$(printf '[0-9a-f]%.0s' $(seq 16))
# shellcheck disable=SC2086  # KEY_GLOB is a glob on purpose
rm -rf "$CACHE_ROOT/work/$FLAVOR-"$KEY_GLOB "$CACHE_ROOT/$FLAVOR-"$KEY_GLOB.tmp

if [ "$FORCE" = 0 ] && module_ok "$OUT"; then
  log "cached: $MODULE"
  check_size_budget "$MODULE"
  update_pointer
else
  fetch_sources
  WORK="$CACHE_ROOT/work/$FLAVOR-$KEY"
  rm -rf "$OUT.tmp"; mkdir -p "$OUT.tmp"
  do_build "$WORK" "$OUT.tmp/ffmpeg.wasm"

  check_size_budget "$OUT.tmp/ffmpeg.wasm"

  # companion data (files the embedder mounts next to the module)
  if declare -F profile_companion_data >/dev/null; then
    log "companion data: $OUT.tmp/data"
    mkdir -p "$OUT.tmp/data"
    profile_companion_data "$OUT.tmp/data"
  fi

  # provenance.json and capabilities.json
  {
    echo "profile=$PROFILE"; echo "simd=$SIMD"; echo "key=$KEY"
    for p in "${ALL_PKGS[@]}"; do
      dsc=$(dsc_of "$p")
      echo "source=$p|${SRC_VER[$p]}|$(basename "$dsc")|$(sha256sum "$dsc" | cut -d' ' -f1)"
      for f in "$(dirname "$dsc")"/*; do
        [ "$f" = "$dsc" ] && continue
        echo "source_file=$p|$(basename "$f")|$(sha256sum "$f" | cut -d' ' -f1)"
      done
    done
    for f in "$GUEST_DIR"/patches/*.patch "$GUEST_DIR"/multicall/* "$GUEST_DIR"/compat/*/*; do
      [ -e "$f" ] && echo "patch=${f#"$GUEST_DIR"/}|$(sha256sum "$f" | cut -d' ' -f1)"
    done
    if [ -d "$GUEST_DIR/$PROFILE_D" ]; then  # any depth (lgpl.d/compat/openh264/*.h)
      (cd "$GUEST_DIR" && find "$PROFILE_D" -type f | LC_ALL=C sort | while read -r f; do
        echo "patch=$f|$(sha256sum "$f" | cut -d' ' -f1)"
      done)
    fi
    toolchain_versions | sed 's/^/toolchain=/'
    data_package_versions | sed 's/^/toolchain=/'
    echo "toolchain=clang $(clang-19 --version | head -1)"
    echo "source_date_epoch=$SOURCE_DATE_EPOCH"
    echo "build_seconds=$(( $(date +%s) - T_START ))"
  } >"$WORK/provenance.in"
  python3 "$GUEST_DIR/tools/meta.py" provenance "$WORK/provenance.in" "$WORK/configure-lines.tsv" \
    "$OUT.tmp/ffmpeg.wasm" >"$OUT.tmp/provenance.json"
  python3 "$GUEST_DIR/tools/meta.py" capabilities "$WORK/build/ffmpeg" "$WORK/src/ffmpeg" \
    >"$OUT.tmp/capabilities.json"
  cat "$WORK"/build-*.log >"$OUT.tmp/build.log" 2>/dev/null || true
  touch "$OUT.tmp/.complete"
  rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
  update_pointer
  if [ "${AFMPEG_GUEST_KEEP_WORK:-0}" != 1 ]; then rm -rf "$WORK"; fi
  log "built $MODULE in $(( $(date +%s) - T_START )) s"
fi

if [ "$CHECK_REPRO" = 1 ]; then
  fetch_sources
  TMPW=$(mktemp -d "${TMPDIR:-/tmp}/afmpeg-guest-repro.XXXXXX")
  log "reproducibility check: second build in $TMPW"
  do_build "$TMPW/w" "$TMPW/ffmpeg.wasm"
  a=$(sha256sum "$MODULE" | cut -d' ' -f1); b=$(sha256sum "$TMPW/ffmpeg.wasm" | cut -d' ' -f1)
  if [ "$a" = "$b" ]; then
    log "reproducible: both builds give sha256 $a"
    rm -rf "$TMPW"
  else
    log "NOT reproducible: $a (cache) vs $b ($TMPW/ffmpeg.wasm); work tree kept in $TMPW/w"
    exit 1
  fi
fi

if [ "$PRINT_PATH" = 1 ]; then
  echo "$MODULE" >&3
else
  log "module: $MODULE"
  log "stable path: $CACHE_ROOT/$FLAVOR/ffmpeg.wasm"
fi
