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

pub mod batch;
pub mod cancel;
pub mod command;
pub mod error;
pub mod job;
pub mod limits;
pub mod media_info;
pub mod module;
pub mod module_fetch;
pub mod progress;
pub mod proposals;
pub mod runtime;
pub mod tasks;

pub use cancel::CancelToken;
pub use error::{Error, LimitKind, Result};
pub use job::{Output, OutputSink, RunOptions, Tool};
pub use limits::Limits;
pub use media_info::MediaInfo;
pub use module::ModuleSource;
pub use progress::Progress;
pub use runtime::{ExecLimits, Exit, Runtime, RuntimeBuilder, Validation};
pub use wasi_shim;
pub use wasi_shim::fs::Filesystem;
