//! # afmpeg
//!
//! Real FFmpeg, running entirely in memory, with no JIT: no temporary
//! files, no host FFmpeg. FFmpeg 5.1's own `ffmpeg` and `ffprobe`, compiled
//! to one wasm32-wasi module, run in [`wasmi`] (an interpreter) or — with
//! the cargo feature `native` — translated ahead of time to C and compiled
//! in, over the in-memory WASI layer of the [`wasi_shim`] crate either way
//! ([`Engine`]).
//!
//! The building block is [`Runtime`]: a module compiled once, then run as
//! many times — and on as many threads at once — as you like, each run with
//! its own memory and its own WASI world, over a [`Filesystem`] you fill
//! and read from Rust.
//!
//! ## Getting the module
//!
//! afmpeg runs an FFmpeg build compiled to WebAssembly; the crate does not
//! contain it. `make guest` builds it reproducibly from Debian's sources
//! (`docs/how-to/build-the-guest.md`) into
//! `~/.cache/afmpeg/guest/lean/ffmpeg.wasm`, where
//! [`Runtime::from_default_location`] finds it; the `AFMPEG_MODULE`
//! environment variable names another file. An application ships the
//! module its own way and loads it with [`Runtime::from_file`],
//! [`Runtime::from_bytes`] (e.g. `include_bytes!`), or
//! [`ModuleSource::url`] (downloaded once, pinned by SHA-256, cached;
//! feature `fetch`). Details: `docs/how-to/load-the-module.md`.
//!
//! ## Features
//!
//! The default dependency tree is lean: the interpreter, the WASI layer,
//! serde for ffprobe's JSON and SHA-256 for module pins; no HTTP, no TLS, no
//! async runtime, no thread-pool crate, nothing of the command line (that is
//! the `afmpeg-cli` crate, which installs the `afmpeg` binary). Batches
//! ([`Runtime::run_batch`]) and the chunked transcode run on std's scoped
//! threads.
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `fetch` | no | downloading modules over HTTP(S) for [`ModuleSource::url`] with ureq and rustls (without it, only an already cached, re-verified copy loads) |
//! | `builtin-module` | no | `Runtime::builtin()`: the default module and its font, shipped inside the crate `afmpeg-module-default`, checked against its SHA-256, the font mounted for every job (GPL v2+: it links x264; `docs/how-to/get-the-module.md`) |
//! | `builtin-module-lean` | no | `Runtime::builtin_lean()`: the lean module, shipped inside the crate `afmpeg-module-lean` (GPL v2+) |
//! | `native` | no | the native tier compiled in: the lean module translated to C (`make native-c`) and built by the platform's C compiler; [`Engine::Native`], the default for that module (`docs/explanation/native-tier.md`) |
//! | `tokio` | no | module `asynchronous`: `run_async`, `probe_async`, `Task::run_async` as futures on tokio's blocking pool; dropping one cancels its job |
//! | `simd` | no | modules built with `-msimd128` (wasmi's SIMD proposal) |
//!
//! ## A first job
//!
//! ```no_run
//! use afmpeg::{Filesystem, Runtime};
//!
//! let rt = Runtime::from_default_location()?; // compile once, reuse
//! let fs = Filesystem::new(); // FFmpeg sees it as `/`
//! fs.write("/in.wav", std::fs::read("in.wav").expect("in.wav"))?;
//! rt.run(&fs, &["-i", "/in.wav", "-c:a", "libopus", "/out.ogg"])?;
//! let info = rt.probe(&fs, "/out.ogg")?;
//! println!("{:?} s of Opus", info.duration());
//! std::fs::write("out.ogg", fs.read("/out.ogg")?).expect("out.ogg");
//! # Ok::<(), afmpeg::Error>(())
//! ```
//!
//! Beside raw argv, [`command::Command`] builds and validates an FFmpeg
//! command, and [`tasks`] has the everyday jobs as typed helpers
//! (transcode, remux, clip, stills, HLS, loudness, …).
//!
//! ## Limits, cancellation, progress
//!
//! Every job runs under [`Limits`] (memory, bytes and files written,
//! captured output, open files, an optional CPU budget and timeout — no
//! timeout by default) and may hold a [`CancelToken`] (ends it at once), a
//! [`StopToken`] (FFmpeg finishes its outputs, like Ctrl-C) and a progress
//! callback, all set with the [`RunOptions`] builder:
//!
//! ```no_run
//! use afmpeg::{CancelToken, Filesystem, Limits, RunOptions, Runtime};
//! use std::time::Duration;
//!
//! let rt = Runtime::from_default_location()?;
//! let fs = Filesystem::new();
//! let cancel = CancelToken::new(); // cancel() from any thread
//! let opts = RunOptions::new()
//!     .limits(Limits { max_memory: 512 << 20, timeout: Some(Duration::from_secs(60)), ..Limits::default() })
//!     .cancel(cancel.clone())
//!     .progress(|p| eprintln!("{:.0}%", 100.0 * p.fraction.unwrap_or(0.0)));
//! rt.run_with(&fs, &["-f", "lavfi", "-i", "testsrc=d=10", "/clip.mp4"], &opts)?;
//! # Ok::<(), afmpeg::Error>(())
//! ```
//!
//! ## Errors
//!
//! Every fallible call returns [`Result`] with [`Error`]. `Ok` means FFmpeg
//! exited 0; a non-zero exit is always [`Error::Ffmpeg`] — from `run`, a
//! batch, a future or a task helper alike — with the exit code, the tail of
//! FFmpeg's stderr (its own explanation) and the whole [`RunOutput`]. The
//! other variants say what stopped a run from starting (a bad module, a bad
//! command) or from completing (a trap, a limit, a cancellation). Messages
//! never repeat their `source()`: print the chain for every cause.
//!
//! ```no_run
//! use afmpeg::{Error, Filesystem, LimitKind, Runtime};
//!
//! let rt = Runtime::from_default_location()?;
//! match rt.run(&Filesystem::new(), &["-i", "/missing.mp4", "/out.mp4"]) {
//!     Ok(_) => println!("done"),
//!     Err(Error::Ffmpeg { exit_code, stderr_tail, .. }) => eprintln!("exit {exit_code}: {stderr_tail}"),
//!     Err(Error::Limit { limit: LimitKind::Memory(max), .. }) => eprintln!("needs more than {max} bytes"),
//!     Err(e) => eprintln!("{e}"),
//! }
//! # Ok::<(), afmpeg::Error>(())
//! ```
//!
//! The guides (tutorial, how-to pages, references, explanations) are in
//! the repository's `docs/`; every Rust block in them is compiled with
//! this crate's doctests.

#![deny(missing_docs)]

#[cfg(feature = "tokio")]
pub mod asynchronous;
pub mod cancel;
pub mod command;
pub mod engine;
pub mod error;
pub mod job;
pub mod limits;
pub mod media_info;
pub mod progress;
pub mod stop;
pub mod tasks;

#[cfg(feature = "tokio")]
pub use asynchronous::JobFuture;
pub use cancel::CancelToken;
pub use engine::{Engine, ExecLimits, Exit, ModuleSource, Runtime, RuntimeBuilder, Validation};
pub use error::{ChunkError, Error, LimitKind, NativeUnavailable, Result, TrapKind};
pub use job::{Job, OutputSink, RunOptions, RunOutput, Tool};
pub use limits::Limits;
pub use media_info::MediaInfo;
pub use progress::Progress;
pub use stop::{StopSignal, StopToken};
pub use wasi_shim;
pub use wasi_shim::backend;
pub use wasi_shim::fs::Filesystem;

/// The pages of `docs/` (and the README), compiled as doctests: every Rust
/// block in them is a doctest of this crate, so the guides cannot drift
/// from the API. Exists only while rustdoc collects doctests; every page
/// is listed (`tests/docs_pages.rs` checks).
#[cfg(doctest)]
#[allow(missing_docs)]
pub mod docs_pages {
    #[doc = include_str!("../docs/tutorial/python.md")]
    pub struct TutorialPython;
    #[doc = include_str!("../docs/explanation/python-and-ray.md")]
    pub struct ExplanationPythonAndRay;
    #[doc = include_str!("../docs/explanation/backends.md")]
    pub struct ExplanationBackends;
    #[doc = include_str!("../docs/reference/c-api.md")]
    pub struct ReferenceCApi;
    #[doc = include_str!("../docs/reference/python.md")]
    pub struct ReferencePython;
    #[doc = include_str!("../docs/how-to/slideshow.md")]
    pub struct HowToSlideshow;
    #[doc = include_str!("../docs/how-to/get-the-module.md")]
    pub struct HowToGetTheModule;
    #[doc = include_str!("../docs/how-to/ray-folder-of-videos.md")]
    pub struct HowToRayFolderOfVideos;
    #[doc = include_str!("../docs/how-to/gif.md")]
    pub struct HowToGif;
    #[doc = include_str!("../docs/how-to/dash.md")]
    pub struct HowToDash;
    #[doc = include_str!("../docs/how-to/link-the-native-tier.md")]
    pub struct HowToLinkTheNativeTier;
    #[doc = include_str!("../docs/how-to/use-from-swift.md")]
    pub struct HowToUseFromSwift;
    #[doc = include_str!("../docs/how-to/use-from-android.md")]
    pub struct HowToUseFromAndroid;
    #[doc = include_str!("../docs/how-to/custom-backend.md")]
    pub struct HowToCustomBackend;
    #[doc = include_str!("../README.md")]
    pub struct CrateReadme;
    #[doc = include_str!("../docs/README.md")]
    pub struct Readme;
    #[doc = include_str!("../docs/explanation/architecture.md")]
    pub struct ExplanationArchitecture;
    #[doc = include_str!("../docs/explanation/guest-build.md")]
    pub struct ExplanationGuestBuild;
    #[doc = include_str!("../docs/explanation/licences.md")]
    pub struct ExplanationLicences;
    #[doc = include_str!("../docs/explanation/native-tier.md")]
    pub struct ExplanationNativeTier;
    #[doc = include_str!("../docs/explanation/performance.md")]
    pub struct ExplanationPerformance;
    #[doc = include_str!("../docs/explanation/security.md")]
    pub struct ExplanationSecurity;
    #[doc = include_str!("../docs/explanation/wasi-layer.md")]
    pub struct ExplanationWasiLayer;
    #[doc = include_str!("../docs/how-to/analysis.md")]
    pub struct HowToAnalysis;
    #[doc = include_str!("../docs/how-to/async-tokio.md")]
    pub struct HowToAsyncTokio;
    #[doc = include_str!("../docs/how-to/batches.md")]
    pub struct HowToBatches;
    #[doc = include_str!("../docs/how-to/build-the-guest.md")]
    pub struct HowToBuildTheGuest;
    #[doc = include_str!("../docs/how-to/chunked-encoding.md")]
    pub struct HowToChunkedEncoding;
    #[doc = include_str!("../docs/how-to/clip.md")]
    pub struct HowToClip;
    #[doc = include_str!("../docs/how-to/concat.md")]
    pub struct HowToConcat;
    #[doc = include_str!("../docs/how-to/extract-audio.md")]
    pub struct HowToExtractAudio;
    #[doc = include_str!("../docs/how-to/frames.md")]
    pub struct HowToFrames;
    #[doc = include_str!("../docs/how-to/hls.md")]
    pub struct HowToHls;
    #[doc = include_str!("../docs/how-to/limits-and-cancellation.md")]
    pub struct HowToLimitsAndCancellation;
    #[doc = include_str!("../docs/how-to/load-the-module.md")]
    pub struct HowToLoadTheModule;
    #[doc = include_str!("../docs/how-to/metadata-and-chapters.md")]
    pub struct HowToMetadataAndChapters;
    #[doc = include_str!("../docs/how-to/remux.md")]
    pub struct HowToRemux;
    #[doc = include_str!("../docs/how-to/run-wasi-module.md")]
    pub struct HowToRunWasiModule;
    #[doc = include_str!("../docs/how-to/share-inputs-between-jobs.md")]
    pub struct HowToShareInputsBetweenJobs;
    #[doc = include_str!("../docs/how-to/subtitles.md")]
    pub struct HowToSubtitles;
    #[doc = include_str!("../docs/how-to/transcode.md")]
    pub struct HowToTranscode;
    #[doc = include_str!("../docs/reference/api.md")]
    pub struct ReferenceApi;
    #[doc = include_str!("../docs/reference/batch-file.md")]
    pub struct ReferenceBatchFile;
    #[doc = include_str!("../docs/reference/cli.md")]
    pub struct ReferenceCli;
    #[doc = include_str!("../docs/reference/errors.md")]
    pub struct ReferenceErrors;
    #[doc = include_str!("../docs/reference/limits.md")]
    pub struct ReferenceLimits;
    #[doc = include_str!("../docs/reference/reliability-figures.md")]
    pub struct ReferenceReliabilityFigures;
    #[doc = include_str!("../docs/reference/wasi.md")]
    pub struct ReferenceWasi;
    #[doc = include_str!("../docs/tutorial/first-in-memory-transcode.md")]
    pub struct TutorialFirstInMemoryTranscode;
}
