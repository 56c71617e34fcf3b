//! How one job runs: its limits, cancellation, progress, stdin, live
//! stdout/stderr views, and which of the two programs it runs.

use crate::cancel::CancelToken;
use crate::limits::Limits;
use crate::progress::{self, ProgressFn};
use crate::stop::StopToken;
use std::io::Read;
use std::sync::{Arc, Mutex};

/// Options of one job.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Resource limits (defaults: [`Limits::default`]).
    pub limits: Limits,
    /// Stops the job when cancelled.
    pub cancel: Option<CancelToken>,
    /// Asks the job to stop gracefully, finishing its outputs (see [`StopToken`]).
    pub stop: Option<StopToken>,
    /// Called with each progress report, live (ffmpeg only).
    pub progress: Option<ProgressFn>,
    /// The expected output duration in seconds, for `Progress::fraction`;
    /// by default taken from FFmpeg's report of the first input.
    pub expected_duration: Option<f64>,
    /// Bytes the guest reads on stdin (e.g. for `-i pipe:0`).
    pub stdin: Option<Arc<[u8]>>,
    /// A stream the guest reads on stdin as it asks, with bounded buffering
    /// (a pipe, a socket, a live source); at most one of `stdin` and
    /// `stdin_stream`. See [`StdinStream`].
    pub stdin_stream: Option<StdinStream>,
    /// Deterministic clocks and random bytes from this seed: identical
    /// inputs give byte-identical outputs.
    pub deterministic: Option<u64>,
    /// Mount the caller's filesystem read-only: the job can write only to `/tmp`.
    pub read_only: bool,
    /// Called with each chunk FFmpeg writes to stderr, live, while the job
    /// runs; [`RunOutput::stderr`](super::RunOutput::stderr) still holds the (capped) copy.
    pub stderr_sink: Option<OutputSink>,
    /// Called with each chunk FFmpeg writes to stdout (fd 1, `/dev/stdout`),
    /// live; [`RunOutput::stdout`](super::RunOutput::stdout) still holds the
    /// (capped) copy unless `stdout_sink_only` is set.
    pub stdout_sink: Option<OutputSink>,
    /// Stdout goes only to `stdout_sink`: nothing is kept
    /// ([`RunOutput::stdout`](super::RunOutput::stdout) is empty) and
    /// `max_stdout` does not apply, so a stream of any length costs no
    /// memory. Requires `stdout_sink`.
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    /// use std::io::Write;
    /// use std::sync::Arc;
    ///
    /// let rt = Runtime::from_default_location()?;
    /// let opts = RunOptions {
    ///     stdout_sink: Some(Arc::new(|chunk: &[u8]| {
    ///         let _ = std::io::stdout().write_all(chunk);
    ///     })),
    ///     stdout_sink_only: true,
    ///     ..RunOptions::default()
    /// };
    /// let args = ["-f", "lavfi", "-i", "testsrc=d=600", "-f", "mpegts", "pipe:1"];
    /// let out = rt.run_with(&Filesystem::new(), &args, &opts)?;
    /// assert!(out.stdout.is_empty());
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub stdout_sink_only: bool,
}

/// A reader the guest reads as its stdin, as it asks: a helper thread reads
/// ahead at most a few 64 KiB chunks (about 320 KiB), so an input of any
/// length costs bounded memory, and a job blocked waiting for it can still
/// be cancelled. A job that is stopped ([`StopToken`]) sees its stdin end.
///
/// One stream feeds one job: a clone handed to a second job makes that job
/// fail with [`Error::Config`](crate::Error::Config).
///
/// ```no_run
/// use afmpeg::job::StdinStream;
/// use afmpeg::{Filesystem, RunOptions, Runtime};
///
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let opts = RunOptions {
///     stdin_stream: Some(StdinStream::new(std::io::stdin())),
///     ..RunOptions::default()
/// };
/// rt.run_with(&fs, &["-i", "pipe:0", "-c", "copy", "/out.ts"], &opts)?;
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Clone)]
pub struct StdinStream(Arc<Mutex<Option<Box<dyn Read + Send>>>>);

impl StdinStream {
    /// A stream over `reader`.
    pub fn new(reader: impl Read + Send + 'static) -> Self {
        StdinStream(Arc::new(Mutex::new(Some(Box::new(reader)))))
    }

    /// The reader, for the one job that gets it.
    pub(super) fn take(&self) -> Option<Box<dyn Read + Send>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl std::fmt::Debug for StdinStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StdinStream")
    }
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
            .field("stop", &self.stop)
            .field("stdin_stream", &self.stdin_stream.is_some())
            .field("progress", &self.progress.is_some())
            .field("expected_duration", &self.expected_duration)
            .field("deterministic", &self.deterministic)
            .field("read_only", &self.read_only)
            .field("stderr_sink", &self.stderr_sink.is_some())
            .field("stdout_sink", &self.stdout_sink.is_some())
            .field("stdout_sink_only", &self.stdout_sink_only)
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
    /// The program's name, as its `argv[0]` and in the names it gives files
    /// (`ffmpeg-20260101-120000.log` of `-report`).
    ///
    /// ```
    /// assert_eq!(afmpeg::Tool::Ffprobe.argv0(), "ffprobe");
    /// ```
    pub fn argv0(self) -> &'static str {
        match self {
            Tool::Ffmpeg => "ffmpeg",
            Tool::Ffprobe => "ffprobe",
        }
    }
}
