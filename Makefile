# afmpeg — the two Quick start commands are `make demo` and `make test`.
# Both set up what they need on a fresh Debian 12 machine (as root or with
# sudo), build the FFmpeg guest module (or take it from the cache outside the
# repo, keyed by a hash of its recipe) and then do their job.

include guest/guest.mk

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: all setup build demo test test-rust test-native test-ffi ffi-header python test-python test-python-native bench-ray test-full test-default test-lgpl test-wasi-external lint doc bench bench-wasi bench-ffmpeg bench-ffmpeg-build bench-chunked bench-startup bench-memory bench-latency bench-pipe fuzz-smoke soak load test-image-sequence install-cli bench-builtin-module test-package publish-dry-run check-builtin-module update-builtin-module native lint-native test-rust-native bench-mount

all: build

setup:
	scripts/setup-debian.sh
	scripts/setup-wasi-toolchains.sh

build:
	$(CARGO) build --release --locked -p afmpeg-cli

## Installs the `afmpeg` binary (cargo install --path cli) with its man page
## and bash/zsh/fish completions, generated from its clap definitions
## (`afmpeg manpage`, `afmpeg completions SHELL`), under PREFIX.
PREFIX ?= $(HOME)/.local
install-cli:
	$(CARGO) install --locked --path cli --root $(PREFIX)
	mkdir -p $(PREFIX)/share/man/man1 $(PREFIX)/share/bash-completion/completions \
		$(PREFIX)/share/zsh/site-functions $(PREFIX)/share/fish/vendor_completions.d
	$(PREFIX)/bin/afmpeg manpage > $(PREFIX)/share/man/man1/afmpeg.1
	$(PREFIX)/bin/afmpeg completions bash > $(PREFIX)/share/bash-completion/completions/afmpeg
	$(PREFIX)/bin/afmpeg completions zsh > $(PREFIX)/share/zsh/site-functions/_afmpeg
	$(PREFIX)/bin/afmpeg completions fish > $(PREFIX)/share/fish/vendor_completions.d/afmpeg.fish

## target/release/afmpeg with the native tier compiled in (cargo feature
## `native`): the lean module translated to C (`native-c`, cached) and
## compiled by the platform's C compiler — minutes the first time, the
## objects cached beside the C (docs/how-to/link-the-native-tier.md).
native: setup native-c
	$(CARGO) build --release --locked -p afmpeg-cli --features native --bin afmpeg

## The main job: an in-memory FFmpeg transcode with a drawtext caption,
## probed and checked, with timings, on the default module (the one crate
## afmpeg-module-default ships: no guest build) and its font, on the native
## tier compiled from that module (its first run translates and compiles
## it: see README). The release build of the demo then has the default
## module's C linked in, `make native`'s lean's: switching between the two
## rebuilds the release crates above afmpeg-native (minutes), not the C.
demo: setup native-c-default-crate
	AFMPEG_NATIVE_C_DIR=$(DEFAULT_CRATE_C) AFMPEG_MODULE=$(DEFAULT_CRATE_MODULE) \
		$(CARGO) run --release --locked --features native --example demo

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
## guest-dependent ones use the module built by `guest`), the Python
## package's tests (then its engine tests again on a wheel with the native
## tier: test-python-native), the default profile's tests and its catalogue
## of everyday jobs (the default module is built once, about 21 minutes on
## 2 cores, then cached), the guest's reproducibility check, and the check
## that crates afmpeg-module-lean and afmpeg-module-default ship the lean and
## default modules this recipe builds.
test: setup guest lint lint-native test-rust test-python test-python-native test-default guest-check-repro check-builtin-module

## Every suite with the native tier built in, FFmpeg on the interpreter
## (AFMPEG_ENGINE picks the tier of the suites that run FFmpeg and the
## default of the CLI's --engine); then `test-rust-native`. tests/tiers.rs
## and tests/jit_free.rs run both tiers in one process.
test-rust: fuzz-smoke native-c
	AFMPEG_MODULE=$(GUEST_MODULE) AFMPEG_ENGINE=interpreter $(CARGO) test --workspace --locked --features native,afmpeg-native/ffmpeg,afmpeg/native-guest-tests,afmpeg/fetch,afmpeg/builtin-module,afmpeg/builtin-module-lean,afmpeg-ffi/builtin-module,afmpeg/tokio
	$(MAKE) test-rust-native

## The suites that run FFmpeg again, on the native tier (minutes: the
## native tier is 10-20x faster than the interpreter): the library's and
## the command line's.
FFMPEG_SUITES = api chunked limits load memory_limits parity soak streams tasks
FFMPEG_CLI_SUITES = cli cli_faults
test-rust-native: native-c
	AFMPEG_MODULE=$(GUEST_MODULE) AFMPEG_ENGINE=native $(CARGO) test --locked --features native $(addprefix --test ,$(FFMPEG_SUITES))
	AFMPEG_MODULE=$(GUEST_MODULE) AFMPEG_ENGINE=native $(CARGO) test --locked -p afmpeg-cli --features native $(addprefix --test ,$(FFMPEG_CLI_SUITES))

## The Python package (python/: PyO3 + maturin, an abi3 wheel for Python
## >= 3.11) built and installed into a venv of its own, target/py-venv,
## with pip packages from python/constraints.txt only (nothing global).
## PY_PROFILE=release builds an optimised wheel (slow: fat LTO). The wheel
## ships the lean module (`Runtime.builtin()`) and runs the interpreter
## only; PY_FEATURES=builtin-module,native adds the native tier (after
## `make native-c`; minutes of C compilation the first time).
PY_VENV ?= target/py-venv
PY_PROFILE ?= dev
PY_FEATURES ?= builtin-module
PY := $(PY_VENV)/bin/python
python:
	test -x $(PY) || python3 -m venv $(PY_VENV)
	$(PY) -m pip install -q -c python/constraints.txt maturin pytest mypy ray numpy
	$(PY_VENV)/bin/maturin build --locked --profile $(PY_PROFILE) --features $(PY_FEATURES) -m python/Cargo.toml --out target/wheels
	$(PY) -m pip install -q --force-reinstall --no-deps target/wheels/afmpeg-$$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)-cp311-abi3-*.whl

## The Python tests (python/tests), after mypy over the package (its stubs
## too), the tests and the bench: the bindings, and afmpeg.ray on a real
## 2-node Ray cluster on 127.0.0.1 that the tests start and stop (16 jobs
## probed, a worker killed mid-job, a chunked encode across the nodes; under
## a minute: docs/explanation/python-and-ray.md has the figures).
test-python: python guest
	cd python && ../$(PY) -m mypy afmpeg tests bench
	AFMPEG_MODULE=$(abspath $(GUEST_MODULE)) $(PY) -m pytest -q python/tests

## The wheel again with the native tier compiled in
## (PY_FEATURES=builtin-module,native: the lean module's C from `native-c`,
## its objects cached) and the tests that choose an engine: `engine="native"`
## runs a real transcode, probed, byte-identical to the interpreter's
## (python/tests/test_runtime_choices.py; AFMPEG_EXPECT_NATIVE=1 makes a wheel
## without the tier a failure). Leaves the native wheel in the venv (the
## next `make python` reinstalls the default one). In `make test`, after
## test-python: it adds 49 CPU-seconds (2 min 20 s wall at load 9–10; the
## module's C objects are the ones test-rust's native build cached), far
## inside the hour a fresh machine's `make test` may take.
test-python-native: guest native-c
	$(MAKE) python PY_FEATURES=builtin-module,native
	AFMPEG_EXPECT_NATIVE=1 AFMPEG_MODULE=$(abspath $(GUEST_MODULE)) $(PY) -m pytest -q \
		python/tests/test_runtime_choices.py python/tests/test_docs.py::test_reference_engines_example_runs

## Jobs/s of 64 small jobs on a 1-node vs a 2-node Ray cluster, and the Ray
## path's per-job overhead against a plain loop on one Runtime.
bench-ray: python guest
	AFMPEG_MODULE=$(abspath $(GUEST_MODULE)) $(PY) python/bench/ray_jobs.py

## An application built against the `cargo package` output of every
## publishable crate (found with `cargo metadata`: afmpeg, afmpeg-wasi-shim,
## afmpeg-module-unpack, each modules/* crate; afmpeg-native and afmpeg-cli
## are packaged, not built) — not the workspace — in a clean target dir,
## with `builtin-module`: Runtime::builtin(), a captioned transcode (the
## default module's font), a probe, then each
## module crate's wasm() through Runtime::from_bytes (scripts/test-package).
## Not in `make test` (its clean build is most of its time); run by the
## maintainers before a release and after packaging changes. Figures in
## docs/how-to/get-the-module.md.
test-package:
	scripts/test-package

## `cargo publish --workspace --dry-run`: every publishable crate packaged
## and then built from its package's files alone, as the registry would
## (the build test-package leaves out: afmpeg-native, afmpeg-cli). Needs a
## committed tree and the registry's index. Not in `make test`: a dozen
## CPU-minutes of dev builds (docs/how-to/get-the-module.md).
publish-dry-run:
	nice $(CARGO) publish --workspace --dry-run --locked

## The native tier's own tests (crate afmpeg-native): the module translated
## to C (`native-c`, cached), compiled once per machine (a few CPU-minutes;
## the objects are cached beside the C), the trap tests and the parity of
## FFmpeg jobs with the interpreter. Then the trap and checkpoint tests
## again on the explicit-bounds-check variant (feature `bounds-checks`, small
## test modules only: seconds of C).
test-native: native-c
	nice $(CARGO) test --locked -p afmpeg-native --features ffmpeg
	nice $(CARGO) test --locked -p afmpeg-native --features bounds-checks --test traps --test checkpoints

## The C API alone (crate afmpeg-ffi, also part of `make test`): the header
## is current, and ffi/tests/c/api_test.c, built with cc against the static
## library, passes under valgrind with no error and no leak (50–95 s).
test-ffi: setup guest
	AFMPEG_MODULE=$(GUEST_MODULE) nice $(CARGO) test --locked -p afmpeg-ffi

## Regenerates ffi/include/afmpeg.h from ffi/src with cbindgen (commit it).
ffi-header:
	AFMPEG_WRITE_HEADER=1 $(CARGO) test --locked -p afmpeg-ffi --test header

## The fuzz targets' committed corpus (fuzz/corpus/<target>/) replayed
## through each target's body as an ordinary test: no libFuzzer, no
## nightly (fuzz/README.md has the real fuzzing runs).
fuzz-smoke:
	$(CARGO) test --manifest-path fuzz/Cargo.toml --no-default-features --locked --lib

## A 100,000-file PNG sequence through `afmpeg ffmpeg` (issue #15: inputs
## are read on demand, no mapping or descriptor per file). About a minute of
## encoding after writing the files; `make test` runs 3,000 of them.
test-image-sequence: setup
	AFMPEG_MODULE=$(GUEST_MODULE) nice $(CARGO) test --locked -p afmpeg-cli --features long-input-tests --test cli_image_sequence -- --nocapture

## The full guest profile's tests (libvpx, libwebp, libvorbis, libdav1d,
## drawtext, subtitles): builds the full module first (long: see
## docs/how-to/build-the-guest.md), so it is not part of `make test`.
test-full: setup
	$(GUEST_DIR)/build.sh --profile full
	AFMPEG_MODULE_FULL=$(GUEST_CACHE)/full/ffmpeg.wasm $(CARGO) test --locked --features full-profile-tests --test full_profile

## The default guest profile's tests (drawtext with its default font, GIF
## with palettegen/paletteuse, WebP, DASH, avi/flv): builds the default
## module first (docs/how-to/build-the-guest.md has the time), and the
## catalogue of everyday jobs on it (tests/catalogue.rs), whose deterministic
## jobs must also be byte-identical to native FFmpeg's output
## (tests/catalogue_parity.rs, Debian's ffmpeg from `setup`). Part of `make test`.
test-default: setup
	$(GUEST_DIR)/build.sh --profile default
	AFMPEG_MODULE_DEFAULT=$(GUEST_CACHE)/default/ffmpeg.wasm $(CARGO) test --locked --features default-profile-tests --test default_profile --test catalogue --test catalogue_parity

## The LGPL/BSD-only guest profile's tests (H.264 through OpenH264, no GPL
## component in -buildconf and capabilities.json).
test-lgpl: setup
	$(GUEST_DIR)/build.sh --profile lgpl
	AFMPEG_MODULE_LGPL=$(GUEST_CACHE)/lgpl/ffmpeg.wasm $(CARGO) test --locked --features lgpl-profile-tests --test lgpl_profile

## Go's and Zig's own file-system tests under `afmpeg run` and under the
## reference (wasmi + wasi-common): all ten Go packages of
## cli/tests/wasi_external.rs and the Zig scenarios; fails if a test passing under
## the reference does not pass under afmpeg, and prints the figures table of
## docs/reference/wasi.md. Long (minutes), so not part of `make test`, which
## runs the short subset (os TestRoot*, the Zig scenarios).
test-wasi-external: setup
	nice $(CARGO) test --locked -p afmpeg-cli --features wasi-external-tests --test wasi_external -- --nocapture full

## No import cycle between the modules of a crate (scripts/check-module-cycles,
## one crate directory at a time); the library's default dependency tree
## without CLI, HTTP or TLS crates (scripts/check-lean-tree). Also checks the two workspaces kept out
## of this one: the fuzz targets are linted without libFuzzer (no C++
## build), and the engine bench, which
## builds wasmtime and so is never built here, must at least have a lockfile
## that agrees with the crates it shares with this workspace. And public
## items of afmpeg without a rustdoc example (scripts/check-doc-examples):
## at most DOC_EXAMPLES_MISSING, the count still to be written (issue #18),
## which is 0: every public item has one.
DOC_EXAMPLES_MISSING = 0
lint:
	$(CARGO) fmt --all -- --check
	scripts/check-module-cycles --self-test
	scripts/check-module-cycles src
	scripts/check-module-cycles wasi-shim/src
	scripts/check-module-cycles ffi/src
	scripts/check-module-cycles python/src
	scripts/check-module-cycles cli/src
	scripts/check-lean-tree
	CARGO=$(CARGO) scripts/check-doc-examples --max $(DOC_EXAMPLES_MISSING)
	! scripts/check-lean-tree --features fetch >/dev/null 2>&1  # the check can fail
	$(CARGO) clippy --workspace --all-targets --locked --features afmpeg/fetch,afmpeg/tokio,afmpeg/builtin-module,afmpeg/builtin-module-lean,afmpeg-ffi/builtin-module,afmpeg-py/builtin-module -- -D warnings
	$(CARGO) clippy --manifest-path fuzz/Cargo.toml --all-targets --no-default-features --locked -- -D warnings
	$(CARGO) fetch --manifest-path bench/ffmpeg-engines/Cargo.toml --locked
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --locked --features afmpeg/tokio,afmpeg/builtin-module,afmpeg/builtin-module-lean

## The lints of the code behind the `native` feature (needs the module's C:
## `native-c`, hence not part of `lint`).
lint-native: native-c
	$(CARGO) clippy --workspace --all-targets --locked --features native -- -D warnings

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

bench: bench-wasi bench-ffmpeg bench-startup bench-memory bench-latency bench-pipe bench-mount

## Startup of the lean module, phase by phase, against the 20 ms target.
bench-startup: guest
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) run --release --locked --example startup

## How quickly a job stops: cancel latency (target 100 ms), timeout
## overshoot, a pre-cancelled token. The tests assert only that jobs stop
## (order and outcome); these are the figures. LATENCY_ITERS=N runs.
bench-latency: guest
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) run --release --locked --example latency

## What Runtime::builtin_lean() pays before compiling: decompressing and
## hashing the module shipped in crate afmpeg-module-lean (time, peak RSS
## growth).
bench-builtin-module:
	$(CARGO) run --release --locked -p afmpeg-module-lean --example decompress_cost

## Peak RSS of one job and of eight concurrent jobs on one 100 MB input.
bench-memory: guest
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) run --release --locked --example memory

## Peak RSS of `cat big.ts | afmpeg ffmpeg -i - -c copy -f mpegts - | cat`,
## sampled from /proc while it runs (target < 150 MB). PIPE_GB=N sizes the
## input (default 1).
bench-pipe: guest
	$(CARGO) build --release --locked -p afmpeg-cli --bin afmpeg
	AFMPEG_MODULE=$(GUEST_MODULE) $(CARGO) run --release --locked --example pipe

## What `afmpeg run --dir` of a 10,000-file tree adds to a run (wall, CPU,
## peak RSS), against the same guest without --dir in the same run
## (targets: under 20 ms and 5 MB added; issue #15). RUNS=N runs each.
bench-mount:
	$(CARGO) build --release --locked -p afmpeg-cli --bin afmpeg
	$(CARGO) run --release --locked --example mount_cost

## Whole FFmpeg jobs on every engine, one side-by-side table (issue #5):
## afmpeg vs wasmi+wasi-common, wasmtime Pulley and Cranelift, the native tier,
## native FFmpeg.
## Its own workspace (bench/ffmpeg-engines) because it builds wasmtime:
## never part of `make test`. Options: make bench-ffmpeg BENCH_ARGS="--quick --reps 1".
BENCH_ARGS ?=
## The native tier (crate afmpeg-native, from `native-c`) is one of the engines.
bench-ffmpeg-build: native-c
	cd bench/ffmpeg-engines && $(CARGO) build --release --locked --features native-tier

bench-ffmpeg: guest bench-ffmpeg-build
	AFMPEG_MODULE=$(GUEST_MODULE) bench/ffmpeg-engines/target/release/afmpeg-bench $(BENCH_ARGS)

