//! What every call returns: a status code, and the failure it stands for
//! with its message, handed to the caller through the `message` out
//! parameter every fallible function takes.

use crate::c_string::new_c_string;
use afmpeg::{Error, LimitKind};
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The outcome of a call. `AFMPEG_STATUS_OK` is 0; every other value is a
/// failure, named after the `afmpeg::Error` variant (or `LimitKind`) it
/// comes from. The numbers are part of the ABI: they never change, and new
/// ones are only ever added.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfmpegStatus {
    /// Success.
    Ok = 0,
    /// The job ran to completion after a graceful stop (`afmpeg_job_stop`):
    /// FFmpeg finished its outputs and exited (with 255). The output is set.
    Stopped = 1,
    /// FFmpeg ran to completion and exited non-zero. `afmpeg_run` still
    /// sets its output (exit code, stdout, stderr); the message holds the
    /// tail of stderr.
    Ffmpeg = 2,
    /// A pointer argument that must not be NULL was NULL; the message names it.
    NullArgument = 3,
    /// A string argument is not valid UTF-8; the message names it.
    InvalidUtf8 = 4,
    /// An argument is out of range (an unknown enum value, a length no
    /// buffer can have); the message says which.
    InvalidArgument = 5,
    /// The module file could not be read.
    ModuleIo = 6,
    /// No module was given and none was found where `make guest` puts it.
    ModuleNotFound = 7,
    /// The bytes are not a valid WebAssembly module.
    InvalidModule = 8,
    /// The module uses a WebAssembly proposal the interpreter lacks.
    UnsupportedFeature = 9,
    /// The module imports something afmpeg does not provide.
    UnknownImport = 10,
    /// The module could not be instantiated.
    Instantiate = 11,
    /// The module has no `_start`: it is not a WASI command.
    NoEntryPoint = 12,
    /// A run option is invalid.
    Config = 13,
    /// The guest trapped (crashed).
    Trap = 14,
    /// The job was cancelled (`afmpeg_job_cancel`).
    Cancelled = 15,
    /// ffprobe could not read the file.
    Probe = 16,
    /// ffprobe's JSON could not be parsed.
    ProbeParse = 17,
    /// Code running for the call panicked; the panic was caught.
    Panic = 18,
    /// The in-memory filesystem refused the operation (the message holds
    /// the errno, e.g. `ENOENT`).
    Fs = 19,
    /// A failure this version of the C ABI has no code for (the message
    /// says what it is).
    Other = 20,
    /// Strict mode (`afmpeg_job_set_strict`): FFmpeg ran and exited 0 but
    /// ignored an option it was given; the message names it. `afmpeg_run`
    /// still sets its output, and the files it wrote exist.
    UnusedOption = 21,
    /// A limit ended the job: guest memory (`max_memory`).
    LimitMemory = 40,
    /// A limit ended the job: the CPU budget (`fuel`).
    LimitFuel = 41,
    /// A limit ended the job: the wall-clock timeout (`timeout_ms`).
    LimitTimeout = 42,
    /// A limit ended the job: bytes written to files (`max_bytes_written`).
    LimitBytesWritten = 43,
    /// A limit ended the job: files created (`max_files_created`).
    LimitFilesCreated = 44,
    /// A limit ended the job: captured stdout (`max_stdout`).
    LimitStdout = 45,
    /// A limit ended the job: captured stderr (`max_stderr`).
    LimitStderr = 46,
    /// A limit ended the job: open file descriptors (`max_open_files`).
    LimitOpenFiles = 47,
    /// A limit this version has no code for ended the job.
    LimitOther = 48,
}

/// A failed call: its status and the message the caller gets.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: AfmpegStatus,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(status: AfmpegStatus, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::new(status_of(&e), e.to_string())
    }
}

/// The status code of a library error.
fn status_of(e: &Error) -> AfmpegStatus {
    use AfmpegStatus as S;
    match e {
        Error::ModuleIo { .. } => S::ModuleIo,
        Error::ModuleNotFound { .. } => S::ModuleNotFound,
        Error::InvalidModule { .. } => S::InvalidModule,
        Error::UnsupportedFeature { .. } => S::UnsupportedFeature,
        Error::UnknownImport { .. } => S::UnknownImport,
        Error::Instantiate(_) => S::Instantiate,
        Error::NoEntryPoint => S::NoEntryPoint,
        Error::Config(_) => S::Config,
        Error::Trap { .. } => S::Trap,
        Error::Limit { limit, .. } => limit_status(limit),
        Error::Cancelled { .. } => S::Cancelled,
        Error::Probe { .. } => S::Probe,
        Error::ProbeParse(_) => S::ProbeParse,
        Error::Ffmpeg { .. } => S::Ffmpeg,
        Error::UnusedOption { .. } => S::UnusedOption,
        Error::Panic(_) => S::Panic,
        Error::Fs(_) => S::Fs,
        // URL modules, commands and chunked transcodes are not reachable
        // through the C ABI; a variant added later is not known here.
        _ => S::Other,
    }
}

fn limit_status(limit: &LimitKind) -> AfmpegStatus {
    use AfmpegStatus as S;
    match limit {
        LimitKind::Memory(_) => S::LimitMemory,
        LimitKind::Fuel(_) => S::LimitFuel,
        LimitKind::Timeout(_) => S::LimitTimeout,
        LimitKind::BytesWritten(_) => S::LimitBytesWritten,
        LimitKind::FilesCreated(_) => S::LimitFilesCreated,
        LimitKind::Stdout(_) => S::LimitStdout,
        LimitKind::Stderr(_) => S::LimitStderr,
        LimitKind::OpenFiles(_) => S::LimitOpenFiles,
        _ => S::LimitOther,
    }
}

/// The text of a caught panic.
fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Runs the body of an exported function: no panic crosses the boundary
/// (it becomes `AFMPEG_STATUS_PANIC`), and a failure's message is stored in
/// `*message` when `message` is not NULL (NULL there on success).
///
/// # Safety
/// `message` is NULL or valid for one pointer write.
pub(crate) unsafe fn guard(
    message: *mut *mut c_char,
    body: impl FnOnce() -> Result<(), Failure>,
) -> AfmpegStatus {
    if !message.is_null() {
        // SAFETY: the caller's contract.
        unsafe { message.write(std::ptr::null_mut()) };
    }
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return AfmpegStatus::Ok,
        Ok(Err(f)) => f,
        Err(p) => Failure::new(AfmpegStatus::Panic, panic_text(p)),
    };
    if !message.is_null() {
        // Building the string cannot panic short of allocation failure,
        // which aborts rather than unwinds.
        // SAFETY: the caller's contract.
        unsafe { message.write(new_c_string(&failure.message)) };
    }
    failure.status
}

/// Runs the body of an exported function that returns a value rather than
/// a status: a panic yields `fallback`.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let mut message: *mut c_char = std::ptr::null_mut();
        let status = unsafe { guard(&mut message, || panic!("boom")) };
        assert_eq!(status, AfmpegStatus::Panic);
        let text = unsafe { std::ffi::CStr::from_ptr(message) }
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(text, "boom");
        drop(unsafe { std::ffi::CString::from_raw(message) });
    }

    #[test]
    fn limits_have_their_own_codes() {
        let e = Error::Limit {
            limit: LimitKind::Timeout(std::time::Duration::from_secs(1)),
            stderr_tail: String::new(),
        };
        assert_eq!(Failure::from(e).status, AfmpegStatus::LimitTimeout);
    }
}
