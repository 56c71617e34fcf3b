//! The filesystem handle: the in-memory tree a job reads its inputs from
//! and writes its outputs to, filled and read by the caller as bytes.

use crate::args::{self, Out};
use crate::buffers::{new_c_string, AfmpegBytes, AfmpegDirEntry, AfmpegDirList, AfmpegFileKind};
use crate::status::{guard, guard_value, AfmpegStatus};
use afmpeg::wasi_shim::fs::FileKind;
use afmpeg::Filesystem;
use std::ffi::c_char;

/// An in-memory filesystem (opaque): `/` of every job run over it.
/// Thread-safe: jobs on several threads may share one, and the caller may
/// put and get files while they run. Paths are absolute, NUL-terminated
/// UTF-8 (`/in/clip.mp4`). Free it with `afmpeg_fs_free`.
pub struct AfmpegFs(pub(crate) Filesystem);

/// A new, empty filesystem (just `/`). Never NULL (allocation failure
/// aborts, as in any Rust program).
#[no_mangle]
pub extern "C" fn afmpeg_fs_new() -> *mut AfmpegFs {
    guard_value(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(AfmpegFs(Filesystem::new())))
    })
}

/// Frees a filesystem and every file in it. NULL is ignored. No job may be
/// running over it.
///
/// # Safety
/// `fs` is NULL or a filesystem from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_fs_free(fs: *mut AfmpegFs) {
    guard_value((), || {
        if !fs.is_null() {
            // SAFETY: the caller's contract: made by `Box::into_raw`.
            drop(unsafe { Box::from_raw(fs) });
        }
    })
}

/// Creates or replaces the file `path` with a copy of `data[0..len]` (the
/// caller keeps its buffer). Its directory must exist
/// (`afmpeg_fs_create_dir_all`); `AFMPEG_STATUS_FS` otherwise.
///
/// # Safety
/// `fs` is NULL or a live filesystem; `path` NULL or a NUL-terminated
/// string; `data` NULL (only with `len` 0) or readable for `len` bytes;
/// `message` NULL or writable (see `afmpeg_runtime_from_file`).
#[no_mangle]
pub unsafe extern "C" fn afmpeg_fs_put(
    fs: *const AfmpegFs,
    path: *const c_char,
    data: *const u8,
    len: usize,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract, for all of the arguments.
    unsafe {
        guard(message, || {
            let fs = args::handle(fs, "fs")?;
            let path = args::string(path, "path")?;
            let data = args::bytes(data, len, "data")?;
            fs.0.write(path, data).map_err(afmpeg::Error::from)?;
            Ok(())
        })
    }
}

/// Copies the contents of the file `path` into `*out`, which the caller
/// frees with `afmpeg_bytes_free`. `*out` is `{NULL, 0}` on failure (and
/// for an empty file).
///
/// # Safety
/// `fs`, `path`, `message` as for `afmpeg_fs_put`; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_fs_get(
    fs: *const AfmpegFs,
    path: *const c_char,
    out: *mut AfmpegBytes,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract, for all of the arguments.
    unsafe {
        guard(message, || {
            let out = Out::new(out, "out", AfmpegBytes::EMPTY)?;
            let fs = args::handle(fs, "fs")?;
            let path = args::string(path, "path")?;
            let data = fs.0.read(path).map_err(afmpeg::Error::from)?;
            out.set(AfmpegBytes::from_vec(data));
            Ok(())
        })
    }
}

/// Lists the directory `path` (without `.` and `..`) into `*out`, which
/// the caller frees with `afmpeg_dir_list_free`. `*out` is `{NULL, 0}` on
/// failure (and for an empty directory).
///
/// # Safety
/// `fs`, `path`, `message` as for `afmpeg_fs_put`; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_fs_list(
    fs: *const AfmpegFs,
    path: *const c_char,
    out: *mut AfmpegDirList,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract, for all of the arguments.
    unsafe {
        guard(message, || {
            let out = Out::new(out, "out", AfmpegDirList::EMPTY)?;
            let fs = args::handle(fs, "fs")?;
            let path = args::string(path, "path")?;
            let entries = fs.0.read_dir(path).map_err(afmpeg::Error::from)?;
            let entries = entries
                .into_iter()
                .map(|e| AfmpegDirEntry {
                    name: new_c_string(&e.name),
                    kind: match e.kind {
                        FileKind::File => AfmpegFileKind::File,
                        FileKind::Dir => AfmpegFileKind::Dir,
                        FileKind::Symlink => AfmpegFileKind::Symlink,
                        FileKind::CharDevice => AfmpegFileKind::CharDevice,
                    },
                })
                .collect();
            out.set(AfmpegDirList::from_vec(entries));
            Ok(())
        })
    }
}

/// Removes the file `path`, or the directory `path` with everything in it.
///
/// # Safety
/// As for `afmpeg_fs_put`.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_fs_remove(
    fs: *const AfmpegFs,
    path: *const c_char,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract, for all of the arguments.
    unsafe {
        guard(message, || {
            let fs = args::handle(fs, "fs")?;
            let path = args::string(path, "path")?;
            fs.0.remove_dir_all(path).map_err(afmpeg::Error::from)?;
            Ok(())
        })
    }
}

/// Creates the directory `path` and any missing parents (`mkdir -p`).
///
/// # Safety
/// As for `afmpeg_fs_put`.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_fs_create_dir_all(
    fs: *const AfmpegFs,
    path: *const c_char,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract, for all of the arguments.
    unsafe {
        guard(message, || {
            let fs = args::handle(fs, "fs")?;
            let path = args::string(path, "path")?;
            fs.0.create_dir_all(path).map_err(afmpeg::Error::from)?;
            Ok(())
        })
    }
}
