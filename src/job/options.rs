//! How one job runs: its limits, cancellation, progress, stdin, live
//! stdout/stderr views, and which of the two programs it runs.

use crate::cancel::CancelToken;
use crate::limits::Limits;
use crate::progress::{Progress, ProgressFn};
use crate::stop::StopToken;
use std::io::Read;
use std::sync::{Arc, Mutex};
use wasi_shim::backend::BackendDir;

/// Options of one job, built with chained calls from [`RunOptions::new`]
/// (or [`Default`]): limits, cancellation, a graceful stop, live progress,
/// stdin, live views of stdout and stderr, deterministic clocks, a
/// read-only mount.
///
/// ```no_run
/// use afmpeg::{CancelToken, Filesystem, Limits, RunOptions, Runtime};
/// use std::time::Duration;
///
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let cancel = CancelToken::new();
/// let opts = RunOptions::new()
///     .limits(Limits { timeout: Some(Duration::from_secs(60)), ..Limits::default() })
///     .cancel(cancel.clone())
///     .progress(|p| eprintln!("{:.0}%", 100.0 * p.fraction.unwrap_or(0.0)));
/// rt.run_with(&fs, &["-f", "lavfi", "-i", "testsrc=d=5", "/clip.mp4"], &opts)?;
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct RunOptions {
    pub(crate) limits: Limits,
    pub(crate) cancel: Option<CancelToken>,
    pub(crate) stop: Option<StopToken>,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) expected_duration: Option<f64>,
    pub(crate) stdin: Stdin,
    pub(crate) deterministic: Option<u64>,
    pub(crate) read_only: bool,
    pub(crate) stderr_sink: Option<OutputSink>,
    pub(crate) stdout: StdoutSink,
    pub(crate) strict: bool,
    pub(crate) mounts: Vec<Mount>,
}

/// A backend mounted for a job ([`RunOptions::mount`]).
#[derive(Clone)]
pub(crate) struct Mount {
    pub(crate) guest: String,
    pub(crate) dir: Arc<dyn BackendDir>,
    pub(crate) read_only: bool,
}

/// What the guest reads on stdin: one source at most, by construction.
#[derive(Clone, Default)]
pub(crate) enum Stdin {
    /// Nothing: stdin reads as ended.
    #[default]
    Empty,
    /// These bytes.
    Bytes(Arc<[u8]>),
    /// A reader, read as the guest asks.
    Stream(StdinStream),
}

/// Where stdout goes beside (or instead of) its capture.
#[derive(Clone, Default)]
pub(crate) enum StdoutSink {
    /// Only captured, up to `max_stdout`.
    #[default]
    Captured,
    /// Captured, and every chunk passed on to the sink too.
    Tee(OutputSink),
    /// Only passed on to the sink: nothing kept, no cap.
    Only(OutputSink),
}

impl RunOptions {
    /// Default options: [`Limits::default`], no cancellation, no progress,
    /// empty stdin, stdout and stderr captured.
    ///
    /// ```
    /// let opts = afmpeg::RunOptions::new();
    /// assert_eq!(format!("{opts:?}"), format!("{:?}", afmpeg::RunOptions::default()));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Resource limits (default: [`Limits::default`]).
    ///
    /// ```
    /// use afmpeg::{Limits, RunOptions};
    /// let opts = RunOptions::new().limits(Limits { max_memory: 256 << 20, ..Limits::default() });
    /// # let _ = opts;
    /// ```
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Strict mode: a run of FFmpeg that says an option "has not been used
    /// for any stream" (set for an encoder or a decoder no stream opened, or
    /// for a stream kind the file does not have, so it had no effect) fails
    /// with [`Error::UnusedOption`](crate::Error::UnusedOption) even when
    /// FFmpeg exits 0. FFmpeg says so at log level `warning`; a run with a
    /// quieter `-loglevel` cannot be checked. Off by default.
    ///
    /// ```
    /// let opts = afmpeg::RunOptions::new().strict(true);
    /// # let _ = opts;
    /// ```
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Ends the job at once, as [`Error::Cancelled`](crate::Error::Cancelled),
    /// when `token` is cancelled (see [`CancelToken`]).
    ///
    /// ```
    /// use afmpeg::{CancelToken, RunOptions};
    /// let token = CancelToken::new();
    /// let opts = RunOptions::new().cancel(token.clone());
    /// # let _ = opts;
    /// token.cancel(); // from any thread, while the job runs
    /// ```
    pub fn cancel(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Asks the job to stop gracefully, finishing its outputs, when `token`
    /// is stopped (see [`StopToken`]).
    ///
    /// ```
    /// use afmpeg::{RunOptions, StopToken};
    /// let stop = StopToken::new();
    /// let opts = RunOptions::new().stop(stop.clone());
    /// # let _ = opts;
    /// ```
    pub fn stop(mut self, token: StopToken) -> Self {
        self.stop = Some(token);
        self
    }

    /// Calls `f` with each progress report, live, on the job's thread
    /// (ffmpeg jobs only; keep it quick, use a channel or a mutex for
    /// state). See [`progress_channel`](Self::progress_channel) for a
    /// receiver instead.
    ///
    /// ```
    /// use afmpeg::RunOptions;
    /// let opts = RunOptions::new().progress(|p| {
    ///     if let Some(f) = p.fraction {
    ///         eprintln!("{:.0}% done", f * 100.0);
    ///     }
    /// });
    /// # let _ = opts;
    /// ```
    pub fn progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// The expected output duration in seconds, for
    /// [`Progress::fraction`]; by default taken from FFmpeg's report of the
    /// first input (and bounded by an output `-t`).
    ///
    /// ```
    /// let opts = afmpeg::RunOptions::new().expected_duration(90.0);
    /// # let _ = opts;
    /// ```
    pub fn expected_duration(mut self, seconds: f64) -> Self {
        self.expected_duration = Some(seconds);
        self
    }

    /// Bytes the guest reads on stdin (e.g. for `-i pipe:0`); replaces a
    /// [`stdin_stream`](Self::stdin_stream).
    ///
    /// ```
    /// let wav: Vec<u8> = Vec::new(); // e.g. a WAV file's bytes
    /// let opts = afmpeg::RunOptions::new().stdin(wav);
    /// # let _ = opts;
    /// ```
    pub fn stdin(mut self, bytes: impl Into<Arc<[u8]>>) -> Self {
        self.stdin = Stdin::Bytes(bytes.into());
        self
    }

    /// A stream the guest reads on stdin as it asks, with bounded buffering
    /// (a pipe, a socket, a live source); replaces [`stdin`](Self::stdin)
    /// bytes. See [`StdinStream`].
    ///
    /// ```
    /// use afmpeg::{job::StdinStream, RunOptions};
    /// let opts = RunOptions::new().stdin_stream(StdinStream::new(std::io::stdin()));
    /// # let _ = opts;
    /// ```
    pub fn stdin_stream(mut self, stream: StdinStream) -> Self {
        self.stdin = Stdin::Stream(stream);
        self
    }

    /// Deterministic clocks and random bytes from `seed`: identical inputs
    /// give byte-identical outputs.
    ///
    /// ```
    /// let opts = afmpeg::RunOptions::new().deterministic(42);
    /// # let _ = opts;
    /// ```
    pub fn deterministic(mut self, seed: u64) -> Self {
        self.deterministic = Some(seed);
        self
    }

    /// Mounts the caller's filesystem read-only when `yes`: the job can
    /// write only to `/tmp`.
    ///
    /// ```
    /// let opts = afmpeg::RunOptions::new().read_only(true);
    /// # let _ = opts;
    /// ```
    pub fn read_only(mut self, yes: bool) -> Self {
        self.read_only = yes;
        self
    }

    /// Mounts a filesystem backend at the absolute guest path `guest`
    /// (beside the job's [`Filesystem`](crate::Filesystem) at `/`, `/tmp`
    /// and `/dev`, which it may not replace): a live host directory
    /// ([`backend::HostDir`](crate::backend::HostDir), nothing imported,
    /// O(1) whatever its size), an overlay of one
    /// ([`backend::OverlayDir`](crate::backend::OverlayDir): the host
    /// directory is only read, every change lands in an in-memory layer),
    /// or your own [`BackendDir`]. The guest cannot leave it (see
    /// `docs/how-to/custom-backend.md`). With `read_only`, every change
    /// through it fails with `EROFS`.
    ///
    /// ```
    /// use afmpeg::backend::HostDir;
    /// let media = std::env::temp_dir();
    /// let opts = afmpeg::RunOptions::new().mount("/media", HostDir::open_ambient(&media, true)?, true);
    /// # let _ = opts;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn mount(
        mut self,
        guest: impl Into<String>,
        dir: impl BackendDir + 'static,
        read_only: bool,
    ) -> Self {
        self.mounts.push(Mount {
            guest: guest.into(),
            dir: Arc::new(dir),
            read_only,
        });
        self
    }

    /// Calls `f` with each chunk FFmpeg writes to stderr, live, while the
    /// job runs (on the job's thread; keep it quick);
    /// [`RunOutput::stderr`](super::RunOutput::stderr) still holds the
    /// (capped) copy.
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    /// use std::io::Write;
    ///
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// // FFmpeg's log on our stderr as it is written, like native ffmpeg.
    /// let opts = RunOptions::new().stderr_sink(|chunk| {
    ///     let _ = std::io::stderr().write_all(chunk);
    /// });
    /// let out = rt.run_with(&fs, &["-f", "lavfi", "-i", "testsrc=d=1", "/clip.mp4"], &opts)?;
    /// assert!(out.stderr_text().contains("Output #0")); // still captured
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn stderr_sink(mut self, f: impl Fn(&[u8]) + Send + Sync + 'static) -> Self {
        self.stderr_sink = Some(Arc::new(f));
        self
    }

    /// Calls `f` with each chunk FFmpeg writes to stdout (fd 1,
    /// `/dev/stdout`), live; [`RunOutput::stdout`](super::RunOutput::stdout)
    /// still holds the (capped) copy. Replaces a
    /// [`stdout_sink_only`](Self::stdout_sink_only).
    ///
    /// ```
    /// let opts = afmpeg::RunOptions::new().stdout_sink(|chunk| eprintln!("{} bytes", chunk.len()));
    /// # let _ = opts;
    /// ```
    pub fn stdout_sink(mut self, f: impl Fn(&[u8]) + Send + Sync + 'static) -> Self {
        self.stdout = StdoutSink::Tee(Arc::new(f));
        self
    }

    /// Sends stdout only to `f`: nothing is kept
    /// ([`RunOutput::stdout`](super::RunOutput::stdout) is empty) and
    /// `max_stdout` does not apply, so a stream of any length costs no
    /// memory. Replaces a [`stdout_sink`](Self::stdout_sink).
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    /// use std::io::Write;
    ///
    /// let rt = Runtime::from_default_location()?;
    /// let opts = RunOptions::new().stdout_sink_only(|chunk| {
    ///     let _ = std::io::stdout().write_all(chunk);
    /// });
    /// let args = ["-f", "lavfi", "-i", "testsrc=d=600", "-f", "mpegts", "pipe:1"];
    /// let out = rt.run_with(&Filesystem::new(), &args, &opts)?;
    /// assert!(out.stdout.is_empty());
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn stdout_sink_only(mut self, f: impl Fn(&[u8]) + Send + Sync + 'static) -> Self {
        self.stdout = StdoutSink::Only(Arc::new(f));
        self
    }

    /// Sends every progress report to a channel; returns its receiver.
    /// Replaces a [`progress`](Self::progress) callback.
    ///
    /// ```
    /// let mut opts = afmpeg::RunOptions::new();
    /// let reports = opts.progress_channel();
    /// // ... run the job on another thread, then:
    /// assert!(reports.try_recv().is_err()); // nothing yet
    /// ```
    pub fn progress_channel(&mut self) -> std::sync::mpsc::Receiver<Progress> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.progress = Some(Arc::new(move |p: &Progress| {
            let _ = tx.send(p.clone());
        }));
        rx
    }
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
/// let opts = RunOptions::new().stdin_stream(StdinStream::new(std::io::stdin()));
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

/// A live view of a job's stdout or stderr, as the job holds it: called
/// with each chunk as the guest writes it (on the job's thread). Set one
/// with [`RunOptions::stderr_sink`], [`RunOptions::stdout_sink`] or
/// [`RunOptions::stdout_sink_only`], which take the closure itself.
///
/// ```
/// use afmpeg::OutputSink;
/// use std::sync::{Arc, Mutex};
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let s = seen.clone();
/// let sink: OutputSink = Arc::new(move |chunk: &[u8]| s.lock().unwrap().extend_from_slice(chunk));
/// sink(b"frame=1\n");
/// assert_eq!(*seen.lock().unwrap(), b"frame=1\n");
/// ```
pub type OutputSink = wasi_shim::stdio::Tee;

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stdin = match &self.stdin {
            Stdin::Empty => "empty",
            Stdin::Bytes(_) => "bytes",
            Stdin::Stream(_) => "stream",
        };
        let stdout = match &self.stdout {
            StdoutSink::Captured => "captured",
            StdoutSink::Tee(_) => "captured and sink",
            StdoutSink::Only(_) => "sink only",
        };
        f.debug_struct("RunOptions")
            .field("limits", &self.limits)
            .field("cancel", &self.cancel)
            .field("stop", &self.stop)
            .field("progress", &self.progress.is_some())
            .field("expected_duration", &self.expected_duration)
            .field("stdin", &stdin)
            .field("deterministic", &self.deterministic)
            .field("read_only", &self.read_only)
            .field("stderr_sink", &self.stderr_sink.is_some())
            .field("stdout", &stdout)
            .field("strict", &self.strict)
            .finish()
    }
}

/// Which of the two programs in the module a job runs (chosen by `argv[0]`).
///
/// ```no_run
/// use afmpeg::{Filesystem, RunOptions, Runtime, Tool};
///
/// let rt = Runtime::from_default_location()?;
/// let out = rt.run_tool(Tool::Ffprobe, &Filesystem::new(), &["-version"], &RunOptions::new())?;
/// assert!(out.stdout_text().starts_with("ffprobe version"));
/// assert_eq!(Tool::Ffmpeg.to_string(), "ffmpeg");
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `ffmpeg`.
    Ffmpeg,
    /// `ffprobe`.
    Ffprobe,
}

impl std::fmt::Display for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.argv0())
    }
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
