//! Running one job: the three mounts, captured stdio, the progress device,
//! and the engine's outcome turned into a [`RunOutput`] or an [`Error`].

use super::options::{Stdin, StdoutSink};
use super::output::tail;
use super::{OutputSink, RunOptions, RunOutput, Tool};
use crate::command::Command;
use crate::engine::{ExecLimits, Runtime};
use crate::error::{Error, LimitKind, Result};
use crate::limits::Limits;
use crate::media_info::MediaInfo;
use crate::progress::{self, ProgressParser};
use crate::stop::{StopToken, StopWatch};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use wasi_shim::fs::device::Sink;
use wasi_shim::fs::{Device, Filesystem};
use wasi_shim::stdio::{Capture, Input, Output, Stream};
use wasi_shim::{Preopen, WasiCtx};

/// Where FFmpeg writes `-progress` reports.
pub const PROGRESS_DEVICE: &str = "/dev/afmpeg-progress";

/// The file the guest's transcode loop reads for a graceful stop (guest
/// patch `ffmpeg-0002`): empty while the job runs, then the signal number
/// (one byte) once a [`StopToken`](crate::StopToken) asks it to stop. A
/// file rather than a device so the hook needs nothing from the WASI layer.
pub const STOP_FILE: &str = "/dev/afmpeg-signal";

/// An [`OutputSink`] as a writer, for the guest's fd 1 and `/dev/stdout`.
struct SinkWriter(OutputSink);

impl Write for SinkWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        (self.0)(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where the guest's stdout goes: its fd 1 and the `/dev/stdout` device
/// share it, so neither is dropped and their bytes stay in order.
enum StdoutTarget {
    /// Kept up to `max_stdout` (and passed on to the sink, if any).
    Capture(Capture),
    /// Only passed on to the sink.
    SinkOnly(OutputSink),
}

impl StdoutTarget {
    fn new(opts: &RunOptions) -> Self {
        let capture = Capture::with_cap(opts.limits.max_stdout);
        match &opts.stdout {
            StdoutSink::Captured => StdoutTarget::Capture(capture),
            StdoutSink::Tee(sink) => StdoutTarget::Capture(capture.with_tee(sink.clone())),
            StdoutSink::Only(sink) => StdoutTarget::SinkOnly(sink.clone()),
        }
    }

    fn output(&self) -> Output {
        match self {
            StdoutTarget::Capture(c) => Output::Capture(c.clone()),
            StdoutTarget::SinkOnly(s) => Output::Writer(Box::new(SinkWriter(s.clone()))),
        }
    }

    fn device(&self) -> Device {
        match self {
            StdoutTarget::Capture(c) => Device::Sink(Sink::new(c.clone())),
            StdoutTarget::SinkOnly(s) => Device::Sink(Sink::new(SinkWriter(s.clone()))),
        }
    }

    /// What was kept, and whether bytes past the cap were dropped.
    fn finish(self) -> (Vec<u8>, bool) {
        match self {
            StdoutTarget::Capture(c) => (c.take(), c.dropped() > 0),
            StdoutTarget::SinkOnly(_) => (Vec::new(), false),
        }
    }
}

/// The guest's stdin from `opts`, and the flag that ends a stream early.
fn stdin_input(opts: &RunOptions, ended: &Arc<AtomicBool>) -> Result<Option<Input>> {
    match &opts.stdin {
        Stdin::Bytes(bytes) => Ok(Some(Input::bytes(bytes.clone()))),
        Stdin::Stream(stream) => {
            let reader = stream.take().ok_or_else(|| {
                Error::Config("this stdin_stream was already read by another job".into())
            })?;
            // The engine's deadline starts a little later, so a read blocked
            // past it gives up in time for the engine to report the timeout.
            let deadline = opts
                .limits
                .timeout
                .and_then(|t| std::time::Instant::now().checked_add(t));
            let mut s = Stream::new(reader)
                .map_err(|e| Error::Config(format!("cannot start the stdin reader: {e}")))?
                .end_on(ended.clone())
                .deadline(deadline);
            if let Some(cancel) = &opts.cancel {
                s = s.interrupt(cancel.flag());
            }
            Ok(Some(Input::Stream(s)))
        }
        Stdin::Empty => Ok(None),
    }
}

/// Makes a stop of `opts.stop` reach the job: the signal number written to
/// the [`STOP_FILE`] the guest polls, and its stdin stream ended.
fn watch_stop(opts: &RunOptions, dev: &Filesystem, ended: &Arc<AtomicBool>) -> Option<StopWatch> {
    let stop = opts.stop.as_ref()?;
    let (dev, ended) = (dev.clone(), ended.clone());
    Some(stop.watch(move |signal| {
        // The signal first, then the end of stdin: FFmpeg blocked reading
        // stdin wakes to its end, and its transcode loop polls the stop file
        // before it looks at anything else, so it finds the signal there and
        // exits as stopped (255). The other order lets a fast tier take the
        // end of stdin for the end of the job and exit 0, and a stop before
        // the first frame would then publish an unreadable file.
        //
        // The file exists (created with the mounts) and the guest only reads
        // it, so this write cannot fail short of a bug; a stop is best
        // effort either way and a failure must not panic the caller.
        let _ = dev.write(&STOP_FILE["/dev".len()..], vec![signal]);
        ended.store(true, Ordering::SeqCst);
    }))
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
    pub fn run<S: AsRef<str>>(&self, fs: &Filesystem, args: &[S]) -> Result<RunOutput> {
        self.run_with(fs, args, &RunOptions::default())
    }

    /// Runs `ffmpeg` with options.
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, Limits, RunOptions, Runtime};
    ///
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let opts = RunOptions::new().limits(Limits { max_memory: 256 << 20, ..Limits::default() });
    /// rt.run_with(&fs, &["-f", "lavfi", "-i", "sine=d=1", "/tone.flac"], &opts)?;
    /// assert!(fs.exists("/tone.flac"));
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn run_with<S: AsRef<str>>(
        &self,
        fs: &Filesystem,
        args: &[S],
        opts: &RunOptions,
    ) -> Result<RunOutput> {
        self.run_tool(Tool::Ffmpeg, fs, args, opts)
    }

    /// Runs `ffprobe` with `args` over `fs`.
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, Runtime};
    ///
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// rt.run(&fs, &["-f", "lavfi", "-i", "sine=d=1", "/tone.wav"])?;
    /// let out = rt.ffprobe(&fs, &["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", "/tone.wav"])?;
    /// assert_eq!(out.stdout_text().trim(), "1.000000");
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn ffprobe<S: AsRef<str>>(&self, fs: &Filesystem, args: &[S]) -> Result<RunOutput> {
        self.run_tool(Tool::Ffprobe, fs, args, &RunOptions::default())
    }

    /// Runs either program with options.
    ///
    /// An ffmpeg job whose [`StopToken`](crate::StopToken) was stopped
    /// before it starts does not run: [`Error::NotStarted`], nothing
    /// written. (Started only to stop at once, FFmpeg would finish outputs
    /// without a frame, and FFmpeg 5.1's matroska muxer writes such a file
    /// so that no demuxer reads it.)
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, RunOptions, Runtime, Tool};
    ///
    /// let rt = Runtime::from_default_location()?;
    /// let out = rt.run_tool(Tool::Ffmpeg, &Filesystem::new(), &["-hide_banner", "-encoders"], &RunOptions::new())?;
    /// assert!(out.stdout_text().contains("libx264"));
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn run_tool<S: AsRef<str>>(
        &self,
        tool: Tool,
        fs: &Filesystem,
        args: &[S],
        opts: &RunOptions,
    ) -> Result<RunOutput> {
        if tool == Tool::Ffmpeg && opts.stop.as_ref().is_some_and(StopToken::is_stopped) {
            return Err(Error::NotStarted);
        }
        let limits = &opts.limits;
        let mut argv: Vec<String> = args.iter().map(|a| a.as_ref().to_owned()).collect();
        let stdout = StdoutTarget::new(opts);
        let stderr = tee(Capture::with_cap(limits.max_stderr), &opts.stderr_sink);
        let stdin_ended = Arc::new(AtomicBool::new(false));
        let stdin = stdin_input(opts, &stdin_ended)?;

        let tmp = Filesystem::new();
        let dev = Filesystem::new();
        dev.add_standard_devices("/")?;
        dev.add_device("/stdout", stdout.device())?;
        dev.add_device("/stderr", Device::Sink(Sink::new(stderr.clone())))?;
        dev.write(&STOP_FILE["/dev".len()..], Vec::new())?;
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
            .stdout(stdout.output())
            .stderr(Output::Capture(stderr.clone()))
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
                fs: dev.clone(),
                dir: "/".into(),
                guest: "/dev".into(),
                read_only: false,
            })
            .max_open_fds(limits.max_open_files)
            .max_bytes_written(limits.max_bytes_written)
            .max_files_created(limits.max_files_created)
            .abort_on_limit(true);
        // after the job's own: the guest resolves a path by the longest
        // preopen that prefixes it, so these win inside their directory
        for m in self.mounts() {
            b = b.preopen(Preopen {
                fs: m.fs.clone(),
                dir: "/".into(),
                guest: m.guest.clone(),
                read_only: true,
            });
        }
        for m in &opts.mounts {
            crate::engine::check_mount_point(&m.guest)?;
            b = b.preopen_backend(m.dir.clone(), m.guest.clone(), m.read_only);
        }
        if let Some(input) = stdin {
            b = b.stdin(input);
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
        let stop_watch = match tool {
            Tool::Ffmpeg => watch_stop(opts, &dev, &stdin_ended),
            Tool::Ffprobe => None,
        };
        let (result, ctx) = self.run_wasi(ctx, &exec);
        drop((ctx, stop_watch));
        let stderr_bytes = stderr.take();
        let (stdout_bytes, stdout_dropped) = stdout.finish();
        match result {
            // FFmpeg was told no (`malloc` returned NULL) and may have gone
            // on to exit 0 with an incomplete output: a job that hit its
            // memory budget is never a success.
            Ok(exit) if exit.memory_limit_reached => Err(with_tail(
                Error::Limit {
                    limit: LimitKind::Memory(limits.max_memory),
                    stderr_tail: String::new(),
                },
                &stderr_bytes,
                limits,
            )),
            // Written past the cap through `/dev/stdout`, which cannot end
            // the run the way fd 1 does: still never a silent success.
            Ok(_) if stdout_dropped => Err(with_tail(
                Error::Limit {
                    limit: LimitKind::Stdout(0),
                    stderr_tail: String::new(),
                },
                &stderr_bytes,
                limits,
            )),
            Ok(exit) => {
                let out = RunOutput {
                    exit_code: exit.code,
                    stdout: stdout_bytes,
                    stderr: stderr_bytes,
                    guest_memory: exit.guest_memory,
                };
                match out.success() {
                    true if opts.strict && tool == Tool::Ffmpeg => Error::unused_option(out),
                    true => Ok(out),
                    false => Err(Error::exited(tool, out)),
                }
            }
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
        self.probe_with(fs, path, &RunOptions::default())
    }

    /// [`probe`](Self::probe) with options: its limits and cancellation
    /// apply (a probe of untrusted media under a memory or fuel budget);
    /// the progress callback, stop token and strict mode do not (ffprobe
    /// reports no progress and has no encoder options).
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, Limits, RunOptions, Runtime};
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// rt.run(&fs, &["-f", "lavfi", "-i", "sine=duration=1", "/tone.wav"])?;
    /// let opts = RunOptions::new().limits(Limits { fuel: Some(2_000_000_000), ..Limits::default() });
    /// let info = rt.probe_with(&fs, "/tone.wav", &opts)?;
    /// assert_eq!(info.audio_streams().count(), 1);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn probe_with(&self, fs: &Filesystem, path: &str, opts: &RunOptions) -> Result<MediaInfo> {
        let out = self
            .run_tool(Tool::Ffprobe, fs, &MediaInfo::probe_args(path), opts)
            .map_err(|e| e.probing(path))?;
        Ok(MediaInfo::from_json_bytes(&out.stdout)?)
    }

    /// Validates and runs a [`Command`].
    ///
    /// ```no_run
    /// use afmpeg::command::{Command, InputFile, OutputFile, Time};
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    ///
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let cmd = Command::new()
    ///     .input(InputFile::lavfi("testsrc=size=320x240:rate=25"))
    ///     .output(OutputFile::path("/clip.mp4").video_codec("libx264").duration(Time::from_secs(2)));
    /// rt.run_command(&fs, &cmd, &RunOptions::new())?;
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn run_command(
        &self,
        fs: &Filesystem,
        cmd: &Command,
        opts: &RunOptions,
    ) -> Result<RunOutput> {
        let args = cmd.args()?;
        self.run_with(fs, &args, opts)
    }
}

/// Attaches the stderr tail to a runtime error, and the configured value to
/// a capture limit.
fn with_tail(e: Error, stderr: &[u8], limits: &Limits) -> Error {
    let t = tail(stderr);
    match e {
        Error::Trap { message, kind, .. } => Error::Trap {
            message,
            kind,
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
    fn duration_cap_takes_last_t() {
        let a: Vec<String> = ["-i", "x", "-t", "3", "-t", "00:00:02.5"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(output_duration_cap(&a), Some(2.5));
    }
}
