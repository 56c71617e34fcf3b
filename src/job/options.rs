//! How one job runs: its limits, cancellation, progress, stdin, live
//! stdout/stderr views, and which of the two programs it runs.

use crate::cancel::CancelToken;
use crate::limits::Limits;
use crate::progress::{self, ProgressFn};
use std::sync::Arc;

/// Options of one job.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Resource limits (defaults: [`Limits::default`]).
    pub limits: Limits,
    /// Stops the job when cancelled.
    pub cancel: Option<CancelToken>,
    /// Called with each progress report, live (ffmpeg only).
    pub progress: Option<ProgressFn>,
    /// The expected output duration in seconds, for `Progress::fraction`;
    /// by default taken from FFmpeg's report of the first input.
    pub expected_duration: Option<f64>,
    /// Bytes the guest reads on stdin (e.g. for `-i pipe:0`).
    pub stdin: Option<Arc<[u8]>>,
    /// Deterministic clocks and random bytes from this seed: identical
    /// inputs give byte-identical outputs.
    pub deterministic: Option<u64>,
    /// Mount the caller's filesystem read-only: the job can write only to `/tmp`.
    pub read_only: bool,
    /// Called with each chunk FFmpeg writes to stderr, live, while the job
    /// runs; [`RunOutput::stderr`](super::RunOutput::stderr) still holds the (capped) copy.
    pub stderr_sink: Option<OutputSink>,
    /// Called with each chunk FFmpeg writes to stdout, live; [`RunOutput::stdout`](super::RunOutput::stdout)
    /// still holds the (capped) copy.
    pub stdout_sink: Option<OutputSink>,
}

/// A live view of a job's stdout or stderr: called with each chunk as the
/// guest writes it (on the job's thread; keep it quick). See
/// [`RunOptions::stderr_sink`].
///
/// ```no_run
/// use afmpeg::{Filesystem, RunOptions, Runtime};
/// use std::io::Write;
/// use std::sync::Arc;
///
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let opts = RunOptions {
///     // FFmpeg's log on our stderr as it is written, like native ffmpeg.
///     stderr_sink: Some(Arc::new(|chunk: &[u8]| {
///         let _ = std::io::stderr().write_all(chunk);
///     })),
///     ..RunOptions::default()
/// };
/// let out = rt.run_with(&fs, &["-f", "lavfi", "-i", "testsrc=d=1", "/clip.mp4"], &opts)?;
/// assert!(out.stderr_text().contains("Output #0")); // still captured
/// # Ok::<(), afmpeg::Error>(())
/// ```
pub type OutputSink = wasi_shim::stdio::Tee;

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("limits", &self.limits)
            .field("cancel", &self.cancel)
            .field("progress", &self.progress.is_some())
            .field("expected_duration", &self.expected_duration)
            .field("deterministic", &self.deterministic)
            .field("read_only", &self.read_only)
            .field("stderr_sink", &self.stderr_sink.is_some())
            .field("stdout_sink", &self.stdout_sink.is_some())
            .finish_non_exhaustive()
    }
}

impl RunOptions {
    /// Sends every progress report to a channel; returns its receiver.
    pub fn progress_channel(&mut self) -> std::sync::mpsc::Receiver<progress::Progress> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.progress = Some(Arc::new(move |p: &progress::Progress| {
            let _ = tx.send(p.clone());
        }));
        rx
    }
}

/// Which of the two programs in the module a job runs (chosen by `argv[0]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `ffmpeg`.
    Ffmpeg,
    /// `ffprobe`.
    Ffprobe,
}

impl Tool {
    pub(super) fn argv0(self) -> &'static str {
        match self {
            Tool::Ffmpeg => "ffmpeg",
            Tool::Ffprobe => "ffprobe",
        }
    }
}
