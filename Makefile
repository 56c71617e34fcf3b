# afmpeg — the two Quick start commands are `make demo` and `make test`.
# Both set up what they need on a fresh Debian 12 machine (as root or with
# sudo), build the FFmpeg guest module (or take it from the cache outside the
# repo, keyed by a hash of its recipe) and then do their job.

include guest/guest.mk

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: all setup build demo test test-rust test-full lint doc bench bench-wasi fuzz-smoke clean-guest-cache

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

## The full guest profile's tests (libvpx, libwebp, libvorbis, libdav1d,
## drawtext, subtitles): builds the full module first (long: see
## docs/how-to/build-the-guest.md), so it is not part of `make test`.
test-full: setup
	$(GUEST_DIR)/build.sh --profile full
	AFMPEG_MODULE_FULL=$(GUEST_CACHE)/full/ffmpeg.wasm $(CARGO) test --locked --features full-profile-tests --test full_profile

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --locked

doc:
	$(CARGO) doc --workspace --no-deps --locked

## Criterion micro-benchmarks of the WASI layer (afmpeg vs wasi-common).
bench-wasi:
	$(CARGO) bench --locked --bench wasi

bench: bench-wasi
