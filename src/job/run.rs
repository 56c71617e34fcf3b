//! Running one job: the three mounts, captured stdio, the progress device,
//! and the engine's outcome turned into a [`RunOutput`] or an [`Error`].

use super::output::tail;
use super::{OutputSink, RunOptions, RunOutput, Tool};
use crate::command::Command;
use crate::engine::{ExecLimits, Runtime};
use crate::error::{Error, LimitKind, Result};
use crate::limits::Limits;
use crate::media_info::MediaInfo;
use crate::progress::{self, ProgressParser};
use wasi_shim::fs::{Device, Filesystem};
use wasi_shim::stdio::{Capture, Input, Output};
use wasi_shim::{Preopen, WasiCtx};

/// Where FFmpeg writes `-progress` reports.
pub const PROGRESS_DEVICE: &str = "/dev/afmpeg-progress";

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
    pub fn run_with<S: AsRef<str>>(
        &self,
        fs: &Filesystem,
        args: &[S],
        opts: &RunOptions,
    ) -> Result<RunOutput> {
        self.run_tool(Tool::Ffmpeg, fs, args, opts)
    }

    /// Runs `ffprobe` with `args` over `fs`.
    pub fn ffprobe<S: AsRef<str>>(&self, fs: &Filesystem, args: &[S]) -> Result<RunOutput> {
        self.run_tool(Tool::Ffprobe, fs, args, &RunOptions::default())
    }

    /// Runs either program with options.
    pub fn run_tool<S: AsRef<str>>(
        &self,
        tool: Tool,
        fs: &Filesystem,
        args: &[S],
        opts: &RunOptions,
    ) -> Result<RunOutput> {
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
            .stdout(Output::Capture(stdout.clone()))
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
            Ok(exit) => Ok(RunOutput {
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
    fn duration_cap_takes_last_t() {
        let a: Vec<String> = ["-i", "x", "-t", "3", "-t", "00:00:02.5"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(output_duration_cap(&a), Some(2.5));
    }
}
