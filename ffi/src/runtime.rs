//! The runtime handle: the FFmpeg module, loaded and compiled once, shared
//! by every job and every thread.

use crate::args::{self, Out};
use crate::handle::{free_handle, into_handle};
use crate::status::{guard, AfmpegStatus, Failure};
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

/// Stores the runtime `make` loads in `*out`: the one body of every
/// `afmpeg_runtime_*` constructor, whatever the module's source.
///
/// # Safety
/// `out` NULL or writable; `message` NULL or writable.
unsafe fn store_runtime(
    out: *mut *mut AfmpegRuntime,
    message: *mut *mut c_char,
    make: impl FnOnce() -> Result<Runtime, Failure>,
) -> AfmpegStatus {
    // SAFETY: the caller's contract for `message` and `out`.
    unsafe {
        guard(message, || {
            let out = Out::new(out, "out", std::ptr::null_mut())?;
            out.set(into_handle(AfmpegRuntime(make()?)));
            Ok(())
        })
    }
}

/// A runtime over `source`, validated as `validation` (an
/// `AfmpegValidation` number) says.
fn load(source: ModuleSource, validation: u32) -> Result<Runtime, Failure> {
    let validation = args::enum_value(validation, "validation", AfmpegValidation::from_raw)?;
    Ok(Runtime::builder(source).validation(validation).build()?)
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
    // SAFETY: the caller's contract, for all of the arguments.
    unsafe {
        store_runtime(out, message, || {
            let path = args::string(path, "path")?;
            load(ModuleSource::File(path.into()), validation)
        })
    }
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
    // SAFETY: the caller's contract, for all of the arguments.
    unsafe {
        store_runtime(out, message, || {
            let bytes = args::bytes(data, len, "data")?;
            load(ModuleSource::Bytes(bytes.into()), validation)
        })
    }
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
    // SAFETY: the caller's contract.
    unsafe { store_runtime(out, message, || Ok(Runtime::from_default_location()?)) }
}

/// Loads the default FFmpeg module built into this library (crate
/// afmpeg-module-default, verified by its SHA-256, its font mounted for
/// drawtext and subtitles; cargo feature `builtin-module` of afmpeg-ffi):
/// no module or font file is needed.
/// `AFMPEG_STATUS_MODULE_NOT_FOUND` in a build without that feature.
///
/// # Safety
/// `out` and `message` as for `afmpeg_runtime_from_file`.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_runtime_builtin(
    out: *mut *mut AfmpegRuntime,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract.
    unsafe { store_runtime(out, message, builtin) }
}

/// The built-in module's runtime. The symbol exists in every build, so a
/// C caller links the same way whether or not the module is inside.
#[cfg(feature = "builtin-module")]
fn builtin() -> Result<Runtime, Failure> {
    Ok(Runtime::builtin()?)
}

#[cfg(not(feature = "builtin-module"))]
fn builtin() -> Result<Runtime, Failure> {
    Err(Failure::new(
        AfmpegStatus::ModuleNotFound,
        "this build of afmpeg-ffi has no built-in module: build it with the cargo feature `builtin-module`",
    ))
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
