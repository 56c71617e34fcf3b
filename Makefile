# afmpeg — the two Quick start commands are `make demo` and `make test`.
# Both set up what they need on a fresh Debian 12 machine (as root or with
# sudo), build the FFmpeg guest module (or take it from the cache outside the
# repo, keyed by a hash of its recipe) and then do their job.

include guest/guest.mk

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: all setup build demo test test-rust test-native test-full test-default test-lgpl test-wasi-external lint doc bench bench-wasi bench-ffmpeg bench-ffmpeg-build bench-chunked bench-startup bench-memory bench-latency bench-pipe fuzz-smoke soak load

all: build

setup:
	scripts/setup-debian.sh
	scripts/setup-wasi-toolchains.sh

build:
	$(CARGO) build --release --locked

## The main job: an in-memory FFmpeg transcode, probed, with timings.
demo: setup guest
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) run --release --locked --example demo

## The long bad-media soak: 10,000 mutated files, each probed and decoded
## to null with limits on (tests/soak.rs is the short CI variant).
## SOAK_ARGS="--replay SEED" replays one case.
## The dev profile is enough: the interpreter and every dependency are
## optimised in it (see Cargo.toml), and it skips a fat-LTO release build.
SOAK_ARGS ?= --cases 10000
soak: setup guest
	AFMPEG_MODULE=$(GUEST_MODULE) nice $(CARGO) run --locked --example soak -- $(SOAK_ARGS)

## Load: eight workers on one Runtime for ten minutes, every outcome compared
## with a single run, RSS sampled (tests/load.rs is the 500-sequential-jobs
## check). LOAD_ARGS="--sequential 500" runs that one instead.
LOAD_ARGS ?= --workers 8 --minutes 10
load: setup guest
	AFMPEG_MODULE=$(GUEST_MODULE) nice $(CARGO) run --locked --example load -- $(LOAD_ARGS)

## Every test: formatting, lints, docs, unit/integration/doc tests (the
## guest-dependent ones use the module built by `guest`), and the guest's
## reproducibility check.
test: setup guest lint test-rust guest-check-repro

test-rust: fuzz-smoke native-c
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) test --workspace --locked --features afmpeg-native/ffmpeg,afmpeg/tokio

## The native tier's own tests (crate afmpeg-native): the module translated
## to C (`native-c`, cached), compiled once per machine (a few CPU-minutes;
## the objects are cached beside the C), the trap tests and the parity of
## FFmpeg jobs with the interpreter.
test-native: native-c
	nice $(CARGO) test --locked -p afmpeg-native --features ffmpeg

## The fuzz targets' committed corpus (fuzz/corpus/<target>/) replayed
## through each target's body as an ordinary test: no libFuzzer, no
## nightly (fuzz/README.md has the real fuzzing runs).
fuzz-smoke:
	$(CARGO) test --manifest-path fuzz/Cargo.toml --no-default-features --locked --lib

## The full guest profile's tests (libvpx, libwebp, libvorbis, libdav1d,
## drawtext, subtitles): builds the full module first (long: see
## docs/how-to/build-the-guest.md), so it is not part of `make test`.
test-full: setup
	$(GUEST_DIR)/build.sh --profile full
	AFMPEG_MODULE_FULL=$(GUEST_CACHE)/full/ffmpeg.wasm $(CARGO) test --locked --features full-profile-tests --test full_profile

## The default guest profile's tests (drawtext with its default font, GIF
## with palettegen/paletteuse, WebP, DASH, avi/flv): builds the default
## module first (docs/how-to/build-the-guest.md has the time).
test-default: setup
	$(GUEST_DIR)/build.sh --profile default
	AFMPEG_MODULE_DEFAULT=$(GUEST_CACHE)/default/ffmpeg.wasm $(CARGO) test --locked --features default-profile-tests --test default_profile

## The LGPL/BSD-only guest profile's tests (H.264 through OpenH264, no GPL
## component in -buildconf and capabilities.json).
test-lgpl: setup
	$(GUEST_DIR)/build.sh --profile lgpl
	AFMPEG_MODULE_LGPL=$(GUEST_CACHE)/lgpl/ffmpeg.wasm $(CARGO) test --locked --features lgpl-profile-tests --test lgpl_profile

## Go's and Zig's own file-system tests under `afmpeg run` and under the
## reference (wasmi + wasi-common): all ten Go packages of
## tests/wasi_external.rs and the Zig scenarios; fails if a test passing under
## the reference does not pass under afmpeg, and prints the figures table of
## docs/reference/wasi.md. Long (minutes), so not part of `make test`, which
## runs the short subset (os TestRoot*, the Zig scenarios).
test-wasi-external: setup
	nice $(CARGO) test --locked --features wasi-external-tests --test wasi_external -- --nocapture full

## No import cycle between the modules of a crate (scripts/check-module-cycles,
## one crate directory at a time). Also checks the two workspaces kept out
## of this one: the fuzz targets are linted without libFuzzer (no C++
## build), and the engine bench, which
## builds wasmtime and so is never built here, must at least have a lockfile
## that agrees with the crates it shares with this workspace. And public
## items of afmpeg without a rustdoc example (scripts/check-doc-examples):
## at most DOC_EXAMPLES_MISSING, the count still to be written (issue #18),
## which only goes down, to 0.
DOC_EXAMPLES_MISSING = 110
lint:
	$(CARGO) fmt --all -- --check
	scripts/check-module-cycles --self-test
	scripts/check-module-cycles src
	scripts/check-module-cycles wasi-shim/src
	CARGO=$(CARGO) scripts/check-doc-examples --max $(DOC_EXAMPLES_MISSING)
	$(CARGO) clippy --workspace --all-targets --locked --features afmpeg/tokio -- -D warnings
	$(CARGO) clippy --manifest-path fuzz/Cargo.toml --all-targets --no-default-features --locked -- -D warnings
	$(CARGO) fetch --manifest-path bench/ffmpeg-engines/Cargo.toml --locked
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --locked --features afmpeg/tokio

doc:
	$(CARGO) doc --workspace --no-deps --locked

## Criterion micro-benchmarks of the WASI layer (afmpeg vs wasi-common):
## benches/wasi.rs. Not to be confused with bench-ffmpeg (whole FFmpeg jobs
## per engine, bench/ffmpeg-engines).
bench-wasi:
	$(CARGO) bench --locked --bench wasi

## Chunked encoding vs one job: 20 s 1280x720 testsrc2 -> x264 veryfast,
## both timed in the same run; prints the wall times and the speed-up.
## Arguments: CHUNKED_ARGS="SECONDS CHUNKS RUNS" (default 20 s, one chunk
## per core, 1 run).
bench-chunked: guest
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) run --release --locked --example chunked_speedup -- $(CHUNKED_ARGS)

bench: bench-wasi bench-ffmpeg bench-startup bench-memory bench-latency bench-pipe

## Startup of the lean module, phase by phase, against the 20 ms target.
bench-startup: guest
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) run --release --locked --example startup

## How quickly a job stops: cancel latency (target 100 ms), timeout
## overshoot, a pre-cancelled token. The tests assert only that jobs stop
## (order and outcome); these are the figures. LATENCY_ITERS=N runs.
bench-latency: guest
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) run --release --locked --example latency

## Peak RSS of one job and of eight concurrent jobs on one 100 MB input.
bench-memory: guest
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) run --release --locked --example memory

## Peak RSS of `cat big.ts | afmpeg ffmpeg -i - -c copy -f mpegts - | cat`,
## sampled from /proc while it runs (target < 150 MB). PIPE_GB=N sizes the
## input (default 1).
bench-pipe: guest
	$(CARGO) build --release --locked --bin afmpeg
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) run --release --locked --example pipe

## Whole FFmpeg jobs on every engine, one side-by-side table (issue #5):
## afmpeg vs wasmi+wasi-common, wasmtime Pulley and Cranelift, native FFmpeg.
## Its own workspace (bench/ffmpeg-engines) because it builds wasmtime:
## never part of `make test`. Options: make bench-ffmpeg BENCH_ARGS="--quick --reps 1".
BENCH_ARGS ?=
bench-ffmpeg-build:
	cd bench/ffmpeg-engines && $(CARGO) build --release --locked

bench-ffmpeg: guest bench-ffmpeg-build
	AFMPEG_MODULE=$(GUEST_MODULE) bench/ffmpeg-engines/target/release/afmpeg-bench $(BENCH_ARGS)

