//! # afmpeg-ffi
//!
//! The C ABI of [`afmpeg`]: FFmpeg 5.1 in memory on a WebAssembly
//! interpreter, for C, C++, Swift, Objective-C and Kotlin (JNI) callers.
//! Built as a static library (`libafmpeg_ffi.a`, for iOS and static C
//! builds) and a shared one (`libafmpeg_ffi.so`, for Android and dynamic
//! builds); the header is `ffi/include/afmpeg.h`, generated from this
//! crate by cbindgen (`tests/header.rs` fails when it is stale).
//!
//! Three opaque handles — [`AfmpegRuntime`] (the module, loaded once),
//! [`AfmpegFs`] (an in-memory filesystem) and [`AfmpegJob`] (limits,
//! progress, cancel, stop) — and plain structs for what is returned.
//! Every function that can fail returns an [`AfmpegStatus`] and may hand
//! back a message; every buffer it returns has its free function; no
//! panic crosses the boundary; every pointer is checked for NULL and every
//! string for UTF-8. `docs/reference/c-api.md` teaches ownership, threads
//! and errors.
//!
//! The examples are in Rust here (the header holds the C reference, and
//! `ffi/examples/transcode.c` is a C program); they call the functions the
//! way a C caller does. Files in and out, with the status and message of a
//! refused argument:
//!
//! ```
//! use afmpeg_ffi::*;
//! use std::ffi::{CStr, CString};
//!
//! let fs = afmpeg_fs_new();
//! let path = CString::new("/hello.txt").unwrap();
//! let mut bytes = AfmpegBytes { data: std::ptr::null_mut(), len: 0 };
//! let mut message = std::ptr::null_mut();
//! unsafe {
//!     let status = afmpeg_fs_put(fs, path.as_ptr(), b"hi".as_ptr(), 2, &mut message);
//!     assert_eq!(status, AfmpegStatus::Ok);
//!     assert!(message.is_null());
//!     let status = afmpeg_fs_get(fs, path.as_ptr(), &mut bytes, &mut message);
//!     assert_eq!(status, AfmpegStatus::Ok);
//!     assert_eq!(std::slice::from_raw_parts(bytes.data, bytes.len), b"hi");
//!     afmpeg_bytes_free(&mut bytes);
//!
//!     let status = afmpeg_fs_get(fs, std::ptr::null(), &mut bytes, &mut message);
//!     assert_eq!(status, AfmpegStatus::NullArgument);
//!     assert_eq!(CStr::from_ptr(message).to_str(), Ok("argument `path` is NULL"));
//!     afmpeg_string_free(message);
//!     afmpeg_fs_free(fs);
//! }
//! ```
//!
//! A job with limits, cancelled (from another thread, while `afmpeg_run`
//! uses it), and a runtime loaded from a module file:
//!
//! ```no_run
//! use afmpeg_ffi::*;
//! use std::ffi::CString;
//!
//! let module = CString::new("ffmpeg.wasm").unwrap();
//! let mut runtime = std::ptr::null_mut();
//! let job = afmpeg_job_new();
//! let mut limits = afmpeg_limits_default();
//! limits.timeout_ms = 30_000;
//! unsafe {
//!     let lazy = AfmpegValidation::Lazy as u32;
//!     let status = afmpeg_runtime_from_file(module.as_ptr(), lazy, &mut runtime, std::ptr::null_mut());
//!     assert_eq!(status, AfmpegStatus::Ok);
//!     assert_eq!(afmpeg_job_set_limits(job, &limits, std::ptr::null_mut()), AfmpegStatus::Ok);
//!     assert_eq!(afmpeg_job_cancel(job, std::ptr::null_mut()), AfmpegStatus::Ok);
//!     afmpeg_job_free(job);
//!     afmpeg_runtime_free(runtime);
//! }
//! ```

mod args;
pub mod buffers;
mod c_string;
pub mod fs;
mod handle;
pub mod job;
pub mod run;
pub mod runtime;
pub mod status;

pub use buffers::{
    afmpeg_bytes_free, afmpeg_dir_list_free, afmpeg_string_free, AfmpegBytes, AfmpegDirEntry,
    AfmpegDirList, AfmpegFileKind,
};
pub use fs::{
    afmpeg_fs_create_dir_all, afmpeg_fs_free, afmpeg_fs_get, afmpeg_fs_list, afmpeg_fs_new,
    afmpeg_fs_put, afmpeg_fs_remove, AfmpegFs,
};
pub use job::{
    afmpeg_job_cancel, afmpeg_job_free, afmpeg_job_new, afmpeg_job_set_limits,
    afmpeg_job_set_progress, afmpeg_job_set_strict, afmpeg_job_stop, afmpeg_limits_default,
    AfmpegJob, AfmpegLimits, AfmpegProgress, AfmpegProgressFn,
};
pub use run::{afmpeg_output_free, afmpeg_probe, afmpeg_run, AfmpegOutput, AfmpegTool};
pub use runtime::{
    afmpeg_runtime_builtin, afmpeg_runtime_free, afmpeg_runtime_from_bytes,
    afmpeg_runtime_from_default_location, afmpeg_runtime_from_file, AfmpegRuntime,
    AfmpegValidation,
};
pub use status::AfmpegStatus;

/// The version of this library (the afmpeg crate's), as a static
/// NUL-terminated string: never freed.
#[no_mangle]
pub extern "C" fn afmpeg_version() -> *const std::ffi::c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
