#!/usr/bin/env bash
# scripts/setup-debian.sh — everything `make test` needs on a fresh Debian 12
# machine, beyond the Rust toolchain: the guest toolchain (clang-19 for
# wasm32-wasi, wasi-libc; also used to compile the WASI conformance programs)
# via guest/setup-debian.sh, and Debian's native ffmpeg (the same 5.1 sources)
# for the parity tests (and the AV1 fixture of `make test-full`), and
# fonts-dejavu-core (the font of the full profile's drawtext/subtitles
# tests), and python3 (cli/tests/testsuite_adapter.rs loads the wasi-testsuite
# adapter the way the suite's Python runner does; its pip installs the Go and
# Zig toolchains of scripts/setup-wasi-toolchains.sh, which `make setup` runs
# next, as the user), and wabt (wasm2c 1.0.32 and wasm-rt.h: the native tier,
# crate afmpeg-native), valgrind (the C API's test, crate afmpeg-ffi, runs
# its C program under it), python3-venv (the venv of `make python`, where
# the Python package and its test tools go), and zstd (`make
# update-builtin-module` compresses the module crate afmpeg-module-lean
# ships). Idempotent; runs as root or
# through sudo.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$here/../guest/setup-debian.sh"

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
missing=()
for p in ffmpeg fonts-dejavu-core python3 python3-pip python3-venv valgrind wabt zstd; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
