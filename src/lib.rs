//! # afmpeg
//!
//! Real FFmpeg, running entirely in memory, on a WebAssembly interpreter:
//! no JIT, no temporary files, no host FFmpeg. FFmpeg 5.1's own `ffmpeg` and
//! `ffprobe`, compiled to one wasm32-wasi module, run in [`wasmi`] over the
//! in-memory WASI layer of the [`wasi_shim`] crate.
//!
//! The building block is [`Runtime`]: a module compiled once, then run as
//! many times — and on as many threads at once — as you like, each run with
//! its own memory and its own WASI world.

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
pub use engine::{ExecLimits, Exit, ModuleSource, Runtime, RuntimeBuilder, Validation};
pub use error::{ChunkError, Error, LimitKind, Result};
pub use job::{Job, OutputSink, RunOptions, RunOutput, Tool};
pub use limits::Limits;
pub use media_info::MediaInfo;
pub use progress::Progress;
pub use stop::{StopSignal, StopToken};
pub use wasi_shim;
pub use wasi_shim::fs::Filesystem;
