#!/usr/bin/env bash
# guest/setup-debian.sh [EXTRA_PACKAGE...] — install the Debian 12 packages the
# guest build needs and make `apt-get source` work.
#
# * deb-src entries are derived at run time from the machine's own apt sources
#   (deb822 *.sources files and one-line *.list files): the same URIs, suites and
#   components, with type deb-src, written to separate files. No registry host
#   name is stored in this repository.
# * Idempotent: does nothing that is already done; needs root (or sudo) only
#   when it has something to install or write.
set -euo pipefail

log() { printf 'setup-debian: %s\n' "$*" >&2; }

# run a command as root (only when something has to change)
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else log "need root (or sudo) for: $*"; exit 1
  fi
}

# Packages of the toolchain and of the build helpers.
PKGS=(clang-19 lld-19 llvm-19 wasi-libc libclang-rt-19-dev-wasm32 dpkg-dev autotools-dev
      make python3 xz-utils bzip2 patch pkg-config file util-linux)
# Extra packages a profile needs (arguments), e.g. meson for the full profile.
PKGS+=("$@")
# Optional tools (wasm-objdump, wasm-opt): nice to have, not required.
# cmake, ninja, g++ and libssl-dev build wasm2c 1.0.36 (guest/wabt.sh);
# libsimde-dev is what its SIMD output includes.
OPT_PKGS=(wabt binaryen cmake ninja-build g++ libssl-dev libsimde-dev)

need_update=0
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

DEBSRC_822=/etc/apt/sources.list.d/afmpeg-deb-src.sources
DEBSRC_LIST=/etc/apt/sources.list.d/afmpeg-deb-src.list

have_debsrc() {
  # any deb-src entry already configured?
  grep -rqsE '^[[:space:]]*(Types:.*deb-src|deb-src[[:space:]])' \
    /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

if ! have_debsrc; then
  log "deriving deb-src entries from the existing apt sources"
  tmp822=$(mktemp); tmplist=$(mktemp)
  # deb822: copy every stanza whose Types include "deb", with Types: deb-src.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    awk '
      function flush() { if (isdeb && n) { print "Types: deb-src"; for (i = 1; i <= n; i++) print buf[i]; print "" } n = 0; isdeb = 0 }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      /^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") isdeb = 1; next }
      { n++; buf[n] = $0 }
      END { flush() }
    ' "$f" >>"$tmp822"
  done
  # one-line format: "deb [opts] uri suite comp..." -> "deb-src ..."
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -e "$f" ] || continue
    sed -n 's/^[[:space:]]*deb\([[:space:]]\)/deb-src\1/p' "$f" >>"$tmplist"
  done
  if [ -s "$tmp822" ]; then as_root install -m 0644 "$tmp822" "$DEBSRC_822"; log "wrote $DEBSRC_822"; fi
  if [ -s "$tmplist" ]; then as_root install -m 0644 "$tmplist" "$DEBSRC_LIST"; log "wrote $DEBSRC_LIST"; fi
  rm -f "$tmp822" "$tmplist"
  need_update=1
fi

# apt lists present at all? (a fresh container may have none)
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then need_update=1; fi
if ! ls /var/lib/apt/lists/*_Sources* >/dev/null 2>&1; then need_update=1; fi
if [ "${#missing[@]}" -gt 0 ]; then need_update=1; fi

if [ "$need_update" = 1 ]; then
  log "apt-get update"
  as_root apt-get update -qq >&2
fi

if [ "${#missing[@]}" -gt 0 ]; then
  log "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

opt_missing=()
for p in "${OPT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || opt_missing+=("$p")
done
if [ "${#opt_missing[@]}" -gt 0 ]; then
  log "installing optional: ${opt_missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${opt_missing[@]}" >&2 \
    || log "optional packages not installed (continuing)"
fi
log "ok"
