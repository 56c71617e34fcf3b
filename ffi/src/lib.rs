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
    afmpeg_job_set_progress, afmpeg_job_stop, afmpeg_limits_default, AfmpegJob, AfmpegLimits,
    AfmpegProgress, AfmpegProgressFn,
};
pub use run::{afmpeg_output_free, afmpeg_probe, afmpeg_run, AfmpegOutput, AfmpegTool};
pub use runtime::{
    afmpeg_runtime_free, afmpeg_runtime_from_bytes, afmpeg_runtime_from_default_location,
    afmpeg_runtime_from_file, AfmpegRuntime, AfmpegValidation,
};
pub use status::AfmpegStatus;

/// The version of this library (the afmpeg crate's), as a static
/// NUL-terminated string: never freed.
#[no_mangle]
pub extern "C" fn afmpeg_version() -> *const std::ffi::c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
