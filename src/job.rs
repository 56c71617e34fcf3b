//! Running `ffmpeg` and `ffprobe` over an in-memory filesystem.
//!
//! Each job sees three mounts: `/` is the caller's [`Filesystem`] (shared,
//! so inputs are not copied and outputs are there when the job ends), `/tmp`
//! is a fresh private tree thrown away afterwards, and `/dev` holds `null`,
//! `zero`, `full`, `urandom`, `random` (FFmpeg reads `/dev/urandom` for seeds) and
//! the progress sink. stdout and stderr are captured up to their limits.

use crate::command::Command;
use crate::error::{Error, LimitKind, Result};
use crate::limits::Limits;
use crate::media_info::MediaInfo;
use crate::progress::{self, ProgressFn, ProgressParser};
use crate::runtime::{ExecLimits, Runtime};
use crate::CancelToken;
use std::sync::Arc;
use wasi_shim::fs::{Device, Filesystem};
use wasi_shim::stdio::{Capture, Input, Output as StdOutput};
use wasi_shim::{Preopen, WasiCtx};

/// Where FFmpeg writes `-progress` reports.
pub const PROGRESS_DEVICE: &str = "/dev/afmpeg-progress";

/// How much of stderr an error carries.
const STDERR_TAIL: usize = 4096;

/// What a finished job produced. A non-zero exit code is an `Output` too:
/// FFmpeg ran and said no (look at `stderr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// FFmpeg's exit code.
    pub exit_code: i32,
    /// What it wrote to stdout.
    pub stdout: Vec<u8>,
    /// What it wrote to stderr (logs, errors).
    pub stderr: Vec<u8>,
    /// The size the guest's linear memory reached, in bytes: most of the
    /// job's own memory (see `docs/explanation/performance.md`).
    pub guest_memory: u64,
}

impl Output {
    /// Whether the exit code is 0.
    pub fn success(&self) -> bool {
        self.exit_code == 0
    }

    /// stderr as text (lossy).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// stdout as text (lossy).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

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
    /// runs; [`Output::stderr`] still holds the (capped) copy.
    pub stderr_sink: Option<OutputSink>,
    /// Called with each chunk FFmpeg writes to stdout, live; [`Output::stdout`]
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
    fn argv0(self) -> &'static str {
        match self {
            Tool::Ffmpeg => "ffmpeg",
            Tool::Ffprobe => "ffprobe",
        }
    }
}

/// The last `STDERR_TAIL` bytes of stderr, starting at a line boundary.
pub(crate) fn tail(stderr: &[u8]) -> String {
    let from = stderr.len().saturating_sub(STDERR_TAIL);
    let mut s = &stderr[from..];
    if from > 0 {
        if let Some(nl) = s.iter().position(|&b| b == b'\n') {
            s = &s[nl + 1..];
        }
    }
    String::from_utf8_lossy(s).trim_end().to_owned()
}

/// `capture`, passing what it gets on to `sink` too.
fn tee(capture: Capture, sink: &Option<OutputSink>) -> Capture {
    match sink {
        Some(sink) => capture.with_tee(sink.clone()),
        None => capture,
    }
}

/// The value of the last `-t` option in `args`, in seconds.
fn output_duration_cap(args: &[String]) -> Option<f64> {
    args.windows(2)
        .rev()
        .filter(|w| w[0] == "-t")
        .find_map(|w| progress::parse_hms(&w[1]))
}

impl Runtime {
    /// Runs `ffmpeg` with `args` (without `argv[0]`) over `fs`, with default options.
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, Runtime};
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let out = rt.run(&fs, &["-f", "lavfi", "-i", "testsrc=duration=1", "/clip.mp4"])?;
    /// assert!(out.success(), "{}", out.stderr_text());
    /// assert!(fs.exists("/clip.mp4"));
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn run<S: AsRef<str>>(&self, fs: &Filesystem, args: &[S]) -> Result<Output> {
        self.run_with(fs, args, &RunOptions::default())
    }

    /// Runs `ffmpeg` with options.
    pub fn run_with<S: AsRef<str>>(
        &self,
        fs: &Filesystem,
        args: &[S],
        opts: &RunOptions,
    ) -> Result<Output> {
        self.run_tool(Tool::Ffmpeg, fs, args, opts)
    }

    /// Runs `ffprobe` with `args` over `fs`.
    pub fn ffprobe<S: AsRef<str>>(&self, fs: &Filesystem, args: &[S]) -> Result<Output> {
        self.run_tool(Tool::Ffprobe, fs, args, &RunOptions::default())
    }

    /// Runs either program with options.
    pub fn run_tool<S: AsRef<str>>(
        &self,
        tool: Tool,
        fs: &Filesystem,
        args: &[S],
        opts: &RunOptions,
    ) -> Result<Output> {
        let limits = &opts.limits;
        let mut argv: Vec<String> = args.iter().map(|a| a.as_ref().to_owned()).collect();
        let stdout = tee(Capture::with_cap(limits.max_stdout), &opts.stdout_sink);
        let stderr = tee(Capture::with_cap(limits.max_stderr), &opts.stderr_sink);

        let tmp = Filesystem::new();
        let dev = Filesystem::new();
        dev.add_standard_devices("/")?;
        if let (Tool::Ffmpeg, Some(cb)) = (tool, &opts.progress) {
            let parser = ProgressParser::new(
                cb.clone(),
                opts.expected_duration,
                output_duration_cap(&argv),
                stderr.clone(),
            );
            dev.add_device("/afmpeg-progress", Device::Sink(progress::sink(parser)))?;
            argv.splice(0..0, ["-progress".to_owned(), PROGRESS_DEVICE.to_owned()]);
        }

        let mut b = WasiCtx::builder()
            .arg(tool.argv0())
            .args(argv)
            .stdout(StdOutput::Capture(stdout.clone()))
            .stderr(StdOutput::Capture(stderr.clone()))
            .preopen(Preopen {
                fs: fs.clone(),
                dir: "/".into(),
                guest: "/".into(),
                read_only: opts.read_only,
            })
            .preopen(Preopen {
                fs: tmp,
                dir: "/".into(),
                guest: "/tmp".into(),
                read_only: false,
            })
            .preopen(Preopen {
                fs: dev,
                dir: "/".into(),
                guest: "/dev".into(),
                read_only: false,
            })
            .max_open_fds(limits.max_open_files)
            .max_bytes_written(limits.max_bytes_written)
            .max_files_created(limits.max_files_created)
            .abort_on_limit(true);
        if let Some(bytes) = &opts.stdin {
            b = b.stdin(Input::Bytes {
                data: bytes.clone(),
                pos: 0,
            });
        }
        if let Some(cancel) = &opts.cancel {
            b = b.interrupt(cancel.flag());
        }
        if let Some(seed) = opts.deterministic {
            b = b.deterministic(seed);
        }
        let ctx = b.build().map_err(|e| Error::Config(e.to_string()))?;
        let exec = ExecLimits {
            max_memory: Some(limits.max_memory),
            fuel: limits.fuel,
            timeout: limits.timeout,
            cancel: opts.cancel.clone(),
        };
        let (result, ctx) = self.run_wasi(ctx, &exec);
        drop(ctx);
        let stderr_bytes = stderr.take();
        match result {
            Ok(exit) => Ok(Output {
                exit_code: exit.code,
                stdout: stdout.take(),
                stderr: stderr_bytes,
                guest_memory: exit.guest_memory,
            }),
            Err(e) => Err(with_tail(e, &stderr_bytes, limits)),
        }
    }
}

impl Runtime {
    /// Probes `path` (an in-memory path) with ffprobe and returns its
    /// format, streams and chapters.
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, Runtime};
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// rt.run(&fs, &["-f", "lavfi", "-i", "sine=duration=1", "/tone.wav"])?;
    /// let info = rt.probe(&fs, "/tone.wav")?;
    /// assert_eq!(info.audio_streams().count(), 1);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn probe(&self, fs: &Filesystem, path: &str) -> Result<MediaInfo> {
        let out = self.run_tool(
            Tool::Ffprobe,
            fs,
            &MediaInfo::probe_args(path),
            &RunOptions::default(),
        )?;
        if !out.success() {
            return Err(Error::Probe {
                path: path.to_owned(),
                exit_code: out.exit_code,
                stderr_tail: tail(&out.stderr),
            });
        }
        Ok(MediaInfo::from_json_bytes(&out.stdout)?)
    }

    /// Validates and runs a [`Command`].
    pub fn run_command(&self, fs: &Filesystem, cmd: &Command, opts: &RunOptions) -> Result<Output> {
        let args = cmd.args()?;
        self.run_with(fs, &args, opts)
    }
}

/// Attaches the stderr tail to a runtime error, and the configured value to
/// a capture limit.
fn with_tail(e: Error, stderr: &[u8], limits: &Limits) -> Error {
    let t = tail(stderr);
    match e {
        Error::Trap { message, .. } => Error::Trap {
            message,
            stderr_tail: t,
        },
        Error::Limit { limit, .. } => {
            let limit = match limit {
                LimitKind::Stdout(_) => LimitKind::Stdout(limits.max_stdout as u64),
                LimitKind::Stderr(_) => LimitKind::Stderr(limits.max_stderr as u64),
                LimitKind::OpenFiles(_) => LimitKind::OpenFiles(limits.max_open_files),
                other => other,
            };
            Error::Limit {
                limit,
                stderr_tail: t,
            }
        }
        Error::Cancelled { .. } => Error::Cancelled { stderr_tail: t },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_starts_at_a_line() {
        let mut s = vec![b'x'; 5000];
        s.extend_from_slice(b"\nlast line\n");
        assert_eq!(tail(&s), "last line");
        assert_eq!(tail(b"short\n"), "short");
    }

    #[test]
    fn duration_cap_takes_last_t() {
        let a: Vec<String> = ["-i", "x", "-t", "3", "-t", "00:00:02.5"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(output_duration_cap(&a), Some(2.5));
    }
}
