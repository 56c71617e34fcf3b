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
//! its own memory and its own WASI world.
//!
//! ## Cargo features
//!
//! The default dependency tree is lean: the interpreter, the WASI layer,
//! serde for ffprobe's JSON and SHA-256 for module pins; no HTTP, no TLS, no
//! thread-pool crate, nothing of the command line (that is the `afmpeg-cli`
//! crate, which installs the `afmpeg` binary).
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `fetch` | off | downloading a URL module ([`engine::fetch::UrlSource`]) over HTTP(S) with ureq and rustls; without it a URL source loads only from a verified cache |
//! | `simd` | off | modules built with `-msimd128` (wasmi's SIMD proposal) |
//!
//! Batches ([`Runtime::run_batch`]) and the chunked transcode need no
//! feature: they run on std's scoped threads.

#![deny(missing_docs)]

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

pub use cancel::CancelToken;
pub use engine::{Engine, ExecLimits, Exit, ModuleSource, Runtime, RuntimeBuilder, Validation};
pub use error::{ChunkError, Error, LimitKind, NativeUnavailable, Result, TrapKind};
pub use job::{Job, OutputSink, RunOptions, RunOutput, Tool};
pub use limits::Limits;
pub use media_info::MediaInfo;
pub use progress::Progress;
pub use stop::{StopSignal, StopToken};
pub use wasi_shim;
pub use wasi_shim::fs::Filesystem;
