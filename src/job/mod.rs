//! Running `ffmpeg` and `ffprobe` over an in-memory filesystem.
//!
//! Each job sees three mounts: `/` is the caller's [`Filesystem`](crate::Filesystem) (shared,
//! so inputs are not copied and outputs are there when the job ends), `/tmp`
//! is a fresh private tree thrown away afterwards, and `/dev` holds `null`,
//! `zero`, `full`, `urandom`, `random` (FFmpeg reads `/dev/urandom` for seeds),
//! `stdout` and `stderr` (the guest's fd 1 and 2 streams), the progress sink
//! and the stop file ([`STOP_FILE`]). stdout and stderr are captured up to
//! their limits, or stdout only streamed ([`RunOptions::stdout_sink_only`]).
//!
//! Everything a job is lives here: [`RunOptions`] and [`Tool`] (how it
//! runs), [`RunOutput`] (what it produced), the run/probe methods of
//! [`Runtime`](crate::Runtime) (`run`), and many jobs at once ([`batch`]).

pub mod batch;
mod options;
mod output;
mod run;

pub use batch::{Job, WORKER_STACK};
pub use options::{OutputSink, RunOptions, StdinStream, Tool};
pub(crate) use output::tail;
pub use output::RunOutput;
pub use run::{PROGRESS_DEVICE, STOP_FILE};
