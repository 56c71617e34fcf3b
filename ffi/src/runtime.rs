//! The runtime handle: the FFmpeg module, loaded and compiled once, shared
//! by every job and every thread.

use crate::args::{self, Out};
use crate::handle::{free_handle, into_handle};
use crate::status::{guard, AfmpegStatus};
use afmpeg::{ModuleSource, Runtime, Validation};
use std::ffi::c_char;

/// A loaded FFmpeg module (opaque). Thread-safe: any number of threads may
/// run jobs on one runtime at the same time. Free it with
/// `afmpeg_runtime_free` once no job uses it any more.
pub struct AfmpegRuntime(pub(crate) Runtime);

/// When a module's function bodies are validated (`afmpeg::Validation`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfmpegValidation {
    /// All of them, at load: an invalid module is refused before anything
    /// runs. For module bytes that may come from anywhere.
    Eager = 0,
    /// Each one on its first call (an invalid body fails the job that calls
    /// it). Much faster to load; for a module you ship yourself.
    Lazy = 1,
}

impl AfmpegValidation {
    fn from_raw(raw: u32) -> Option<Validation> {
        match raw {
            0 => Some(Validation::Eager),
            1 => Some(Validation::Lazy),
            _ => None,
        }
    }
}

/// Loads `source` with `validation` (an `AfmpegValidation` number) into `*out`.
///
/// # Safety
/// As for the exported functions that call it.
unsafe fn load(
    source: impl FnOnce() -> Result<ModuleSource, crate::status::Failure>,
    validation: u32,
    out: *mut *mut AfmpegRuntime,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract for `message` and `out`.
    unsafe {
        guard(message, || {
            let out = Out::new(out, "out", std::ptr::null_mut())?;
            let validation =
                args::enum_value(validation, "validation", AfmpegValidation::from_raw)?;
            let runtime = Runtime::builder(source()?).validation(validation).build()?;
            out.set(into_handle(AfmpegRuntime(runtime)));
            Ok(())
        })
    }
}

/// Loads the module file at `path` (NUL-terminated UTF-8) and stores the
/// new runtime in `*out` (NULL on failure). `validation` is an
/// `AfmpegValidation`. Failures: `AFMPEG_STATUS_MODULE_IO` (cannot read the
/// file), `AFMPEG_STATUS_INVALID_MODULE`, `AFMPEG_STATUS_UNKNOWN_IMPORT`,
/// `AFMPEG_STATUS_UNSUPPORTED_FEATURE`, and the argument checks.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `out` is NULL or writable;
/// `message` is NULL or writable (on failure it receives a message the
/// caller frees with `afmpeg_string_free`; NULL on success).
#[no_mangle]
pub unsafe extern "C" fn afmpeg_runtime_from_file(
    path: *const c_char,
    validation: u32,
    out: *mut *mut AfmpegRuntime,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    let source = || {
        // SAFETY: the caller's contract.
        let path = unsafe { args::string(path, "path") }?;
        Ok(ModuleSource::File(path.into()))
    };
    // SAFETY: the caller's contract.
    unsafe { load(source, validation, out, message) }
}

/// Compiles the module in `data[0..len]` and stores the new runtime in
/// `*out` (NULL on failure). The bytes are copied: the caller may free them
/// when the call returns. `validation` is an `AfmpegValidation`.
///
/// # Safety
/// `data` is NULL (only with `len` 0) or readable for `len` bytes; `out`
/// and `message` as for `afmpeg_runtime_from_file`.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_runtime_from_bytes(
    data: *const u8,
    len: usize,
    validation: u32,
    out: *mut *mut AfmpegRuntime,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    let source = || {
        // SAFETY: the caller's contract.
        let bytes = unsafe { args::bytes(data, len, "data") }?;
        Ok(ModuleSource::Bytes(bytes.into()))
    };
    // SAFETY: the caller's contract.
    unsafe { load(source, validation, out, message) }
}

/// Loads the module named by the `AFMPEG_MODULE` environment variable, or
/// else the one `make guest` leaves in the user's cache directory, with
/// lazy validation. `AFMPEG_STATUS_MODULE_NOT_FOUND` when there is neither.
///
/// # Safety
/// `out` and `message` as for `afmpeg_runtime_from_file`.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_runtime_from_default_location(
    out: *mut *mut AfmpegRuntime,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    let source = || Ok(ModuleSource::default_location()?);
    // SAFETY: the caller's contract.
    unsafe { load(source, AfmpegValidation::Lazy as u32, out, message) }
}

/// Frees a runtime. NULL is ignored. No job may be running on it (jobs
/// running on other threads must have returned first).
///
/// # Safety
/// `runtime` is NULL or a runtime from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_runtime_free(runtime: *mut AfmpegRuntime) {
    // SAFETY: the caller's contract.
    unsafe { free_handle(runtime) }
}
