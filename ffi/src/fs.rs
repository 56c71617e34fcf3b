//! The filesystem handle: the in-memory tree a job reads its inputs from
//! and writes its outputs to, filled and read by the caller as bytes.

use crate::args::{self, Out};
use crate::buffers::{AfmpegBytes, AfmpegDirEntry, AfmpegDirList, AfmpegFileKind};
use crate::c_string::new_c_string;
use crate::handle::{free_handle, into_handle};
use crate::status::{guard, guard_value, AfmpegStatus, Failure};
use afmpeg::wasi_shim::fs::FileKind;
use afmpeg::Filesystem;
use std::ffi::c_char;

/// An in-memory filesystem (opaque): `/` of every job run over it.
/// Thread-safe: jobs on several threads may share one, and the caller may
/// put and get files while they run. Paths are absolute, NUL-terminated
/// UTF-8 (`/in/clip.mp4`). Free it with `afmpeg_fs_free`.
pub struct AfmpegFs(pub(crate) Filesystem);

/// The filesystem and path arguments of a call.
///
/// # Safety
/// `fs` is NULL or a live filesystem, `path` NULL or a NUL-terminated
/// string, both alive for the call.
unsafe fn fs_and_path<'a>(
    fs: *const AfmpegFs,
    path: *const c_char,
) -> Result<(&'a Filesystem, &'a str), Failure> {
    // SAFETY: the caller's contract.
    let fs = unsafe { args::handle(fs, "fs") }?;
    // SAFETY: the caller's contract.
    let path = unsafe { args::string(path, "path") }?;
    Ok((&fs.0, path))
}

/// A new, empty filesystem (just `/`). Never NULL (allocation failure
/// aborts, as in any Rust program).
#[no_mangle]
pub extern "C" fn afmpeg_fs_new() -> *mut AfmpegFs {
    guard_value(std::ptr::null_mut(), || {
        into_handle(AfmpegFs(Filesystem::new()))
    })
}

/// Frees a filesystem and every file in it. NULL is ignored. No job may be
/// running over it.
///
/// # Safety
/// `fs` is NULL or a filesystem from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_fs_free(fs: *mut AfmpegFs) {
    // SAFETY: the caller's contract.
    unsafe { free_handle(fs) }
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
            let (fs, path) = fs_and_path(fs, path)?;
            let data = args::bytes(data, len, "data")?;
            fs.write(path, data).map_err(afmpeg::Error::from)?;
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
            let (fs, path) = fs_and_path(fs, path)?;
            let data = fs.read(path).map_err(afmpeg::Error::from)?;
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
            let (fs, path) = fs_and_path(fs, path)?;
            let entries = fs.read_dir(path).map_err(afmpeg::Error::from)?;
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
            let (fs, path) = fs_and_path(fs, path)?;
            fs.remove_dir_all(path).map_err(afmpeg::Error::from)?;
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
            let (fs, path) = fs_and_path(fs, path)?;
            fs.create_dir_all(path).map_err(afmpeg::Error::from)?;
            Ok(())
        })
    }
}
