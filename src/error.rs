//! Every error the afmpeg API can return.
//!
//! One convention for every way to run a job ([`Runtime::run`](crate::Runtime::run),
//! `run_with`, `run_tool`, `run_command`, batches, the async API and the
//! task helpers): `Ok` means FFmpeg exited 0; a non-zero exit is always
//! [`Error::Ffmpeg`] (or, from [`Runtime::probe`](crate::Runtime::probe),
//! [`Error::Probe`]), carrying the exit code, the tail of stderr and the
//! whole [`RunOutput`]. A caller that wants the exit as a value — a CLI that
//! mirrors FFmpeg's exit code — asks for it with [`Error::into_exit_output`].
//! Errors are also what stopped a run from completing (a trap, a limit, a
//! cancellation) or from starting (a bad module, a bad argument).
//!
//! An error's message never repeats its [`source`](std::error::Error::source):
//! print the whole chain (each `source()` in turn) to see every cause.
//! `docs/reference/errors.md` lists them all; keep the two in step.

use crate::job::{RunOutput, Tool};
use std::path::PathBuf;
use std::time::Duration;

/// A limit that ended a run.
///
/// ```
/// use afmpeg::LimitKind;
/// use std::time::Duration;
///
/// let limit = LimitKind::Timeout(Duration::from_secs(30));
/// assert_eq!(limit.to_string(), "wall-clock timeout of 30s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitKind {
    /// Guest linear memory (bytes).
    Memory(u64),
    /// CPU budget (fuel units).
    Fuel(u64),
    /// Wall-clock time.
    Timeout(Duration),
    /// Bytes written to files.
    BytesWritten(u64),
    /// Files, directories and links created.
    FilesCreated(u64),
    /// Captured stdout (bytes).
    Stdout(u64),
    /// Captured stderr (bytes).
    Stderr(u64),
    /// Open file descriptors.
    OpenFiles(u32),
}

impl std::fmt::Display for LimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitKind::Memory(n) => write!(f, "guest memory limit of {n} bytes"),
            LimitKind::Fuel(n) => write!(f, "CPU budget of {n} fuel units"),
            LimitKind::Timeout(d) => write!(f, "wall-clock timeout of {d:?}"),
            LimitKind::BytesWritten(n) => write!(f, "limit of {n} bytes written to files"),
            LimitKind::FilesCreated(n) => write!(f, "limit of {n} files created"),
            LimitKind::Stdout(n) => write!(f, "stdout capture limit of {n} bytes"),
            LimitKind::Stderr(n) => write!(f, "stderr capture limit of {n} bytes"),
            LimitKind::OpenFiles(n) => write!(f, "limit of {n} open files"),
        }
    }
}

/// An error of the afmpeg API.
///
/// ```no_run
/// use afmpeg::{Error, Filesystem, Runtime};
///
/// let rt = Runtime::from_default_location()?;
/// match rt.run(&Filesystem::new(), &["-i", "/missing.mp4", "/out.mp4"]) {
///     Ok(_) => println!("FFmpeg exited 0"),
///     Err(Error::Ffmpeg { exit_code, stderr_tail, .. }) => eprintln!("exit {exit_code}: {stderr_tail}"),
///     Err(e @ (Error::Trap { .. } | Error::Limit { .. } | Error::Cancelled { .. })) => eprintln!("did not complete: {e}"),
///     Err(e) => eprintln!("{e}"),
/// }
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The module file could not be read.
    #[error("cannot read module {path:?}")]
    ModuleIo {
        /// Where it was looked for.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },
    /// No module was given and none was found where `make` puts it.
    #[error("no FFmpeg module found (looked in: {searched}); build it with `make guest`, or set AFMPEG_MODULE to a module file")]
    ModuleNotFound {
        /// The places searched, comma-separated.
        searched: String,
    },
    /// The bytes are not a valid WebAssembly module. Found at load, or —
    /// with [`crate::Validation::Lazy`] — by the run that first calls an
    /// invalid function body (and every later run that calls it).
    #[error("{origin}: not a valid WebAssembly module: {reason}")]
    InvalidModule {
        /// Where the bytes came from.
        origin: String,
        /// What the validator said.
        reason: String,
    },
    /// The module uses a WebAssembly proposal the interpreter does not
    /// implement (today: `exception-handling`). Found at load, before
    /// anything runs.
    #[error("{origin}: uses the WebAssembly {feature} proposal ({used_by}), which the interpreter does not implement; {runs_on}")]
    UnsupportedFeature {
        /// Where the module came from.
        origin: String,
        /// The proposal, e.g. `exception-handling`.
        feature: &'static str,
        /// What in the module uses it (a section or an instruction).
        used_by: String,
        /// Which engine could run the module.
        runs_on: &'static str,
    },
    /// The module imports something afmpeg does not provide.
    #[error("{origin}: imports `{module}::{name}`, which afmpeg does not provide (only wasi_snapshot_preview1 functions are available)")]
    UnknownImport {
        /// Where the module came from.
        origin: String,
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// A module URL's SHA-256 pin is not 64 hexadecimal digits. Nothing was
    /// fetched.
    #[error("invalid SHA-256 pin {pin:?}: {reason}")]
    InvalidPin {
        /// The pin as given.
        pin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A module could not be downloaded: network failure, an HTTP status
    /// other than success, or a URL that is not `http://` or `https://`.
    #[error("cannot fetch module {url}: {reason}")]
    Fetch {
        /// The URL.
        url: String,
        /// The HTTP status, when the server answered with a failure.
        status: Option<u16>,
        /// What went wrong.
        reason: String,
    },
    /// A downloaded module is larger than its size cap; the download was
    /// stopped and nothing was cached.
    #[error("module {url} is larger than the limit of {limit} bytes{}", size.map(|s| format!(" ({s} bytes)")).unwrap_or_default())]
    ModuleTooLarge {
        /// The URL.
        url: String,
        /// The cap, in bytes.
        limit: u64,
        /// The size the server declared, when it declared one.
        size: Option<u64>,
    },
    /// Downloaded module bytes do not have the pinned SHA-256; they were
    /// discarded, nothing was cached.
    #[error("module {url} does not match its pin: expected SHA-256 {expected}, got {actual}")]
    ChecksumMismatch {
        /// The URL.
        url: String,
        /// The pinned SHA-256 (hex).
        expected: String,
        /// The SHA-256 of the bytes received (hex).
        actual: String,
    },
    /// The cache of downloaded modules could not be read or written.
    #[error("cannot use the module cache {path:?}")]
    ModuleCache {
        /// The cache entry or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The module is valid but cannot be instantiated (an import of the
    /// wrong type, an initial memory above the limit, …).
    #[error("cannot instantiate module: {0}")]
    Instantiate(String),
    /// [`Engine::Native`](crate::Engine::Native) was asked for, but the
    /// native tier cannot run this module: it is not compiled into this
    /// build, or the module is not the one it was compiled from. Nothing
    /// was run; [`Engine::Interpreter`](crate::Engine::Interpreter) runs
    /// any module.
    #[error("the native tier cannot run {origin}: {reason}")]
    NativeUnavailable {
        /// Where the module came from.
        origin: String,
        /// Why not.
        reason: NativeUnavailable,
    },
    /// The module has no `_start` export: it is not a WASI command.
    #[error("module has no `_start` function: it is not a WASI command module")]
    NoEntryPoint,
    /// A run option is invalid (e.g. a preopen that does not exist).
    #[error("invalid run configuration: {0}")]
    Config(String),
    /// The guest trapped (a crash: unreachable, out-of-bounds access, stack
    /// overflow, …), on either engine. The `Runtime` is fine: the next job
    /// runs normally.
    #[error("guest trapped ({kind}): {message}")]
    Trap {
        /// The trap, as the engine described it.
        message: String,
        /// Which kind of trap.
        kind: TrapKind,
        /// The last lines the guest wrote to stderr, if captured.
        stderr_tail: String,
    },
    /// A limit of the run was reached.
    #[error("job stopped: {limit} reached")]
    Limit {
        /// Which limit.
        limit: LimitKind,
        /// The last lines the guest wrote to stderr, if captured.
        stderr_tail: String,
    },
    /// The run was cancelled through its cancellation token.
    #[error("job cancelled")]
    Cancelled {
        /// The last lines the guest wrote to stderr, if captured.
        stderr_tail: String,
    },
    /// A job was not started: its [`StopToken`](crate::StopToken) had been
    /// stopped before its turn came (the queued jobs of a batch stopped
    /// gracefully, an ffmpeg job stopped before it ran). Nothing ran and
    /// nothing was written.
    #[error("job not started: a stop was asked before its turn")]
    NotStarted,
    /// A [`crate::command::Command`] failed validation; nothing was run.
    #[error(transparent)]
    Command(#[from] crate::command::CommandError),
    /// ffprobe could not read the file (it exited non-zero).
    #[error("cannot probe {path:?}: ffprobe exited with {exit_code}: {stderr_tail}")]
    Probe {
        /// The in-memory path probed.
        path: String,
        /// ffprobe's exit code.
        exit_code: i32,
        /// What ffprobe said.
        stderr_tail: String,
    },
    /// ffprobe's JSON could not be parsed.
    #[error(transparent)]
    ProbeParse(#[from] crate::media_info::ProbeParseError),
    /// FFmpeg (or ffprobe) ran to completion but the job failed: it exited
    /// non-zero — after a graceful stop ([`crate::StopToken`]) that is 255,
    /// outputs complete — or (with `exit_code` 0) it did not produce what a
    /// task helper of [`crate::tasks`] expected, such as an analysis report
    /// or output files.
    #[error("{tool} failed (exit code {exit_code}): {stderr_tail}")]
    Ffmpeg {
        /// Which program ran.
        tool: Tool,
        /// Its exit code.
        exit_code: i32,
        /// The last lines it wrote to stderr (and, for a missing result,
        /// what was missing).
        stderr_tail: String,
        /// Everything the run produced: its whole stdout and stderr.
        output: Box<RunOutput>,
    },
    /// With [`RunOptions::strict`](crate::RunOptions::strict): FFmpeg ran,
    /// but said an option "has not been used for any stream" — it had no
    /// effect (an encoder option for an encoder no stream uses, a video
    /// option for a file without video, …). The outputs may exist.
    #[error("option {option:?} was not used for any stream (strict mode)")]
    UnusedOption {
        /// The option's name as FFmpeg gives it (`crf`, `b`, …).
        option: String,
        /// FFmpeg's whole line about it.
        message: String,
        /// Everything the run produced: its whole stdout and stderr.
        output: Box<RunOutput>,
    },
    /// A [`crate::tasks::ChunkedTranscode`] refused its settings or its
    /// input before running any encode; nothing was written.
    #[error(transparent)]
    Chunked(#[from] ChunkError),
    /// Code running for the job panicked — a host function, an embedder
    /// callback (progress sink, batch `done`), or the job in a batch. The
    /// panic is caught: the process and the other jobs are not affected.
    #[error("job panicked: {0}")]
    Panic(String),
    /// The in-memory filesystem refused an operation of the embedder, or a
    /// host file could not be imported or exported.
    #[error(transparent)]
    Fs(#[from] wasi_shim::fs::FsError),
    /// An export could not be called with the arguments given
    /// ([`Runtime::invoke_wasi`](crate::Runtime::invoke_wasi)); the guest did
    /// not run.
    #[error(transparent)]
    Invoke(#[from] crate::engine::InvokeError),
}

impl Error {
    /// [`Error::UnusedOption`] for the first "has not been used for any
    /// stream" line of a run's stderr, if any.
    pub(crate) fn unused_option(output: RunOutput) -> std::result::Result<RunOutput, Self> {
        let text = output.stderr_text();
        let Some(line) = text
            .lines()
            .find(|l| l.contains("has not been used for any stream"))
        else {
            return Ok(output);
        };
        // "Codec AVOption crf (Select the quality …) specified for output file #0 …"
        let option = line
            .split_once("AVOption ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .unwrap_or("")
            .to_owned();
        let message = line.trim().to_owned();
        Err(Error::UnusedOption {
            option,
            message,
            output: Box::new(output),
        })
    }

    /// The error for a run of `tool` that exited non-zero.
    pub(crate) fn exited(tool: Tool, output: RunOutput) -> Self {
        Error::Ffmpeg {
            tool,
            exit_code: output.exit_code,
            stderr_tail: crate::job::tail(&output.stderr),
            output: Box::new(output),
        }
    }

    /// [`Error::Probe`] for a probe of `path` whose ffprobe exited
    /// non-zero; any other error as it is.
    pub(crate) fn probing(self, path: &str) -> Self {
        match self {
            Error::Ffmpeg {
                exit_code,
                stderr_tail,
                ..
            } if exit_code != 0 => Error::Probe {
                path: path.to_owned(),
                exit_code,
                stderr_tail,
            },
            other => other,
        }
    }

    /// The exit as a value: for an [`Error::Ffmpeg`] of a run that exited
    /// non-zero, its [`RunOutput`]; any other error as it is. For callers
    /// that treat the exit code themselves, as a command line mirroring
    /// FFmpeg's exit code does.
    ///
    /// ```no_run
    /// use afmpeg::{Error, Filesystem, Runtime};
    ///
    /// let rt = Runtime::from_default_location()?;
    /// let out = rt
    ///     .run(&Filesystem::new(), &["-i", "/missing.mp4", "/out.mp4"])
    ///     .or_else(Error::into_exit_output)?;
    /// assert_eq!(out.exit_code, 1);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn into_exit_output(self) -> Result<RunOutput> {
        match self {
            Error::Ffmpeg {
                exit_code, output, ..
            } if exit_code != 0 => Ok(*output),
            other => Err(other),
        }
    }

    /// The whole output of the run, for an [`Error::Ffmpeg`].
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, Runtime};
    ///
    /// let rt = Runtime::from_default_location()?;
    /// let err = rt.run(&Filesystem::new(), &["-i", "/missing.mp4", "/out.mp4"]).unwrap_err();
    /// let out = err.output().expect("FFmpeg ran");
    /// assert!(out.stderr_text().contains("No such file or directory"));
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn output(&self) -> Option<&RunOutput> {
        match self {
            Error::Ffmpeg { output, .. } | Error::UnusedOption { output, .. } => Some(output),
            _ => None,
        }
    }

    /// The guest's stderr tail, for errors of a running guest.
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, Runtime};
    ///
    /// let rt = Runtime::from_default_location()?;
    /// if let Err(e) = rt.run(&Filesystem::new(), &["-i", "/missing.mp4", "/out.mp4"]) {
    ///     eprintln!("{e}\nFFmpeg said:\n{}", e.stderr_tail().unwrap_or(""));
    /// }
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn stderr_tail(&self) -> Option<&str> {
        match self {
            Error::Trap { stderr_tail, .. }
            | Error::Limit { stderr_tail, .. }
            | Error::Cancelled { stderr_tail }
            | Error::Probe { stderr_tail, .. }
            | Error::Ffmpeg { stderr_tail, .. } => Some(stderr_tail),
            _ => None,
        }
    }
}

/// Why the native tier cannot run a module ([`Error::NativeUnavailable`]).
///
/// ```no_run
/// use afmpeg::{Engine, Error, ModuleSource, NativeUnavailable, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// match Runtime::builder(ModuleSource::default_location()?).engine(Engine::Native).build() {
///     Err(Error::NativeUnavailable { reason: NativeUnavailable::NotBuiltIn, .. }) => {
///         println!("rebuild with the `native` feature, or use the interpreter");
///     }
///     Err(Error::NativeUnavailable { reason: NativeUnavailable::OtherModule { loaded, .. }, .. }) => {
///         println!("module {loaded} is not the one compiled in");
///     }
///     other => {
///         other?;
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NativeUnavailable {
    /// This build has no native tier: build afmpeg with the cargo feature
    /// `native` (`make native`).
    #[error(
        "this build has no native tier (build afmpeg with the `native` feature: `make native`)"
    )]
    NotBuiltIn,
    /// The native tier runs only the module it was translated from; this is
    /// another one.
    #[error("it runs only the module it was compiled from (SHA-256 {compiled_in}); this one's SHA-256 is {loaded}")]
    OtherModule {
        /// The SHA-256 (hex) of the compiled-in module.
        compiled_in: String,
        /// The SHA-256 (hex) of the module loaded.
        loaded: String,
    },
}

/// What kind of trap ended a guest ([`Error::Trap`]), the same on both
/// engines.
///
/// ```
/// use afmpeg::{Error, TrapKind};
///
/// fn explain(err: &Error) -> &'static str {
///     match err {
///         Error::Trap { kind: TrapKind::StackExhausted, .. } => "raise the guest stack",
///         Error::Trap { kind: TrapKind::Unreachable, .. } => "the guest aborted",
///         _ => "see the message",
///     }
/// }
/// let err = Error::Trap {
///     message: "unreachable".into(),
///     kind: TrapKind::Unreachable,
///     stderr_tail: String::new(),
/// };
/// assert_eq!(explain(&err), "the guest aborted");
/// assert_eq!(TrapKind::DivisionByZero.to_string(), "division by zero");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapKind {
    /// Memory or a table was accessed past its end.
    OutOfBounds,
    /// `INT_MIN / -1`, or a float too large for the integer it was
    /// truncated to.
    IntegerOverflow,
    /// An integer was divided (or its remainder taken) by zero.
    DivisionByZero,
    /// A NaN was truncated to an integer.
    InvalidConversion,
    /// The guest executed `unreachable` (for FFmpeg: usually `abort()`).
    Unreachable,
    /// An indirect call hit a null, missing or wrongly typed table entry.
    IndirectCall,
    /// Guest recursion used up the stack.
    StackExhausted,
    /// A wasm exception was thrown and never caught.
    UncaughtException,
    /// Anything else the engine reported as a trap.
    Other,
}

impl std::fmt::Display for TrapKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TrapKind::OutOfBounds => "out of bounds",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::DivisionByZero => "division by zero",
            TrapKind::InvalidConversion => "invalid conversion",
            TrapKind::Unreachable => "unreachable",
            TrapKind::IndirectCall => "indirect call",
            TrapKind::StackExhausted => "stack exhausted",
            TrapKind::UncaughtException => "uncaught exception",
            TrapKind::Other => "other",
        })
    }
}

/// `Result` with [`Error`].
///
/// ```
/// fn load() -> afmpeg::Result<afmpeg::Runtime> {
///     afmpeg::Runtime::from_file("/no/such/ffmpeg.wasm")
/// }
/// assert!(matches!(load(), Err(afmpeg::Error::ModuleIo { .. })));
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a chunked transcode refused to start. Nothing was run or written.
///
/// ```no_run
/// use afmpeg::tasks::{ChunkError, ChunkedTranscode, Task};
/// use afmpeg::{Error, Filesystem, Runtime};
///
/// let rt = Runtime::from_default_location()?;
/// let r = ChunkedTranscode::new("/in.mp4", "/out.mp4").chunks(0).run(&rt, &Filesystem::new());
/// assert!(matches!(r, Err(Error::Chunked(ChunkError::NoChunks))));
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChunkError {
    /// `chunks(0)`.
    #[error("the number of chunks must be at least 1")]
    NoChunks,
    /// An option the chunked mode cannot apply piece by piece (it changes
    /// the frame count or timing, selects streams, or needs the whole
    /// stream at once).
    #[error("option {option} cannot be used in a chunked transcode: {reason}")]
    UnsupportedOption {
        /// The option as given.
        option: String,
        /// Why.
        reason: &'static str,
    },
    /// A video filter that keeps state across frames or changes timing.
    #[error("video filter {filter:?} cannot be used in a chunked transcode: it changes frame timing or depends on neighbouring frames, which the pieces do not see")]
    TemporalFilter {
        /// The filter's name.
        filter: String,
    },
    /// The output path has no extension to choose the container from.
    #[error("output {path:?} has no extension: the chunked mode chooses the container (of the output and of the pieces) from it")]
    NoExtension {
        /// The output path.
        path: String,
    },
    /// The input has no video stream.
    #[error("input {path:?} has no video stream")]
    NoVideo {
        /// The input path.
        path: String,
    },
    /// The input's video has no packet flagged as a keyframe, or no
    /// timestamps to seek to.
    #[error("input {path:?}: the video has no keyframes with timestamps to split at")]
    NoKeyframes {
        /// The input path.
        path: String,
    },
    /// A graceful stop ([`RunOptions::stop`](crate::RunOptions::stop))
    /// came before any piece had a frame: there is nothing to join, and
    /// the output was not written.
    #[error("stopped before any piece was encoded: the output was not written")]
    StoppedBeforeOutput,
    /// The working directory for the pieces already exists; it is not
    /// touched.
    #[error(
        "working directory {path:?} already exists; remove it or choose another with work_dir()"
    )]
    WorkDirExists {
        /// The directory.
        path: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::CommandError;
    use crate::media_info::ProbeParseError;
    use wasi_shim::fs::FsError;

    fn io() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::NotFound, "the io cause")
    }

    fn output() -> Box<RunOutput> {
        Box::new(RunOutput {
            exit_code: 1,
            stdout: Vec::new(),
            stderr: b"the stderr".to_vec(),
            guest_memory: 0,
        })
    }

    /// One value of every variant, the wrapped errors with a source of
    /// their own (a new variant fails to compile in `variant_is_listed`
    /// until it is added here).
    fn every_error() -> Vec<Error> {
        let json = serde_json::from_str::<u8>("x").unwrap_err();
        let s = String::from;
        vec![
            Error::ModuleIo {
                path: "/m.wasm".into(),
                source: io(),
            },
            Error::ModuleNotFound {
                searched: s("/a, /b"),
            },
            Error::InvalidModule {
                origin: s("/m.wasm"),
                reason: s("bad magic"),
            },
            Error::UnsupportedFeature {
                origin: s("/m.wasm"),
                feature: "exception-handling",
                used_by: s("the tag section"),
                runs_on: "wasmtime",
            },
            Error::UnknownImport {
                origin: s("/m.wasm"),
                module: s("env"),
                name: s("f"),
            },
            Error::InvalidPin {
                pin: s("xyz"),
                reason: s("not hex"),
            },
            Error::Fetch {
                url: s("https://m"),
                status: Some(404),
                reason: s("not found"),
            },
            Error::ModuleTooLarge {
                url: s("https://m"),
                limit: 1,
                size: Some(2),
            },
            Error::ChecksumMismatch {
                url: s("https://m"),
                expected: s("00"),
                actual: s("11"),
            },
            Error::ModuleCache {
                path: "/cache".into(),
                source: io(),
            },
            Error::Instantiate(s("bad import type")),
            Error::NoEntryPoint,
            Error::Config(s("bad")),
            Error::Trap {
                kind: TrapKind::Unreachable,
                message: s("unreachable"),
                stderr_tail: s("t"),
            },
            Error::NativeUnavailable {
                origin: s("/m.wasm"),
                reason: NativeUnavailable::NotBuiltIn,
            },
            Error::Limit {
                limit: LimitKind::Fuel(1),
                stderr_tail: s("t"),
            },
            Error::Cancelled {
                stderr_tail: s("t"),
            },
            Error::NotStarted,
            Error::Command(CommandError::NoOutputs),
            Error::Probe {
                path: s("/x"),
                exit_code: 1,
                stderr_tail: s("t"),
            },
            Error::ProbeParse(ProbeParseError::Json(json)),
            Error::Ffmpeg {
                tool: Tool::Ffmpeg,
                exit_code: 1,
                stderr_tail: s("the stderr"),
                output: output(),
            },
            Error::UnusedOption {
                option: s("crf"),
                message: s("Codec AVOption crf … has not been used for any stream."),
                output: output(),
            },
            Error::Chunked(ChunkError::NoChunks),
            Error::Invoke(crate::engine::InvokeError::NoSuchFunction { name: s("f") }),
            Error::Panic(s("boom")),
            Error::Fs(FsError::Host {
                op: "import",
                path: "/host".into(),
                source: io(),
            }),
        ]
    }

    #[test]
    fn variant_is_listed() {
        for e in every_error() {
            // Exhaustive on purpose: a new variant must join `every_error`.
            match e {
                Error::ModuleIo { .. }
                | Error::ModuleNotFound { .. }
                | Error::InvalidModule { .. }
                | Error::UnsupportedFeature { .. }
                | Error::UnknownImport { .. }
                | Error::InvalidPin { .. }
                | Error::Fetch { .. }
                | Error::ModuleTooLarge { .. }
                | Error::ChecksumMismatch { .. }
                | Error::ModuleCache { .. }
                | Error::Instantiate(_)
                | Error::NoEntryPoint
                | Error::NativeUnavailable { .. }
                | Error::Config(_)
                | Error::Trap { .. }
                | Error::Limit { .. }
                | Error::Cancelled { .. }
                | Error::NotStarted
                | Error::Command(_)
                | Error::Probe { .. }
                | Error::ProbeParse(_)
                | Error::Ffmpeg { .. }
                | Error::UnusedOption { .. }
                | Error::Chunked(_)
                | Error::Panic(_)
                | Error::Fs(_)
                | Error::Invoke(_) => {}
            }
        }
    }

    /// Walks each error's chain: no message contains the message of its
    /// source, so printing the chain says each cause once.
    #[test]
    fn no_message_repeats_its_source() {
        let mut with_a_source = 0;
        for e in every_error() {
            let mut at: &(dyn std::error::Error + 'static) = &e;
            while let Some(source) = at.source() {
                with_a_source += 1;
                let (msg, cause) = (at.to_string(), source.to_string());
                assert!(
                    !msg.contains(&cause),
                    "{e:?}: {msg:?} repeats its source {cause:?}"
                );
                at = source;
            }
        }
        // ModuleIo, ModuleCache, ProbeParse (JSON), Fs (host I/O).
        assert_eq!(with_a_source, 4, "the errors with a source were all walked");
    }
}
