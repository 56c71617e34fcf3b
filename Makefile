# afmpeg — the two Quick start commands are `make demo` and `make test`.
# Both set up what they need on a fresh Debian 12 machine (as root or with
# sudo), build the FFmpeg guest module (or take it from the cache outside the
# repo, keyed by a hash of its recipe) and then do their job.

include guest/guest.mk

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: all setup build demo test test-rust lint doc bench bench-wasi bench-ffmpeg bench-ffmpeg-build fuzz-smoke clean-guest-cache

all: build

setup:
	scripts/setup-debian.sh

build:
	$(CARGO) build --release --locked

## The main job: an in-memory FFmpeg transcode, probed, with timings.
demo: setup guest
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) run --release --locked --example demo

## Every test: formatting, lints, docs, unit/integration/doc tests (the
## guest-dependent ones use the module built by `guest`), and the guest's
## reproducibility check.
test: setup guest lint test-rust guest-check-repro

test-rust:
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) test --workspace --locked

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --locked

doc:
	$(CARGO) doc --workspace --no-deps --locked

## Criterion micro-benchmarks of the WASI layer (afmpeg vs wasi-common).
bench-wasi:
	$(CARGO) bench --locked --bench wasi

## Whole FFmpeg jobs on every engine, one side-by-side table (issue #5):
## afmpeg vs wasmi+wasi-common, wasmtime Pulley and Cranelift, native FFmpeg.
## Its own workspace (bench/engines) because it builds wasmtime: never part
## of `make test`. Options: make bench-ffmpeg BENCH_ARGS="--quick --reps 1".
BENCH_ARGS ?=
bench-ffmpeg-build:
	cd bench/engines && $(CARGO) build --release --locked

bench-ffmpeg: guest bench-ffmpeg-build
	AFMPEG_MODULE=$(GUEST_MODULE) bench/engines/target/release/afmpeg-bench $(BENCH_ARGS)

bench: bench-wasi bench-ffmpeg
