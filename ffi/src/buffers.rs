//! Memory the library hands to the caller, and the functions that give it
//! back: strings (`afmpeg_string_free`), byte buffers (`afmpeg_bytes_free`)
//! and directory listings (`afmpeg_dir_list_free`).

use crate::status::guard_value;
use std::ffi::{c_char, CString};

/// Bytes owned by the library, handed to the caller. Free them with
/// `afmpeg_bytes_free` (once). An empty buffer is `{NULL, 0}`.
#[repr(C)]
#[derive(Debug)]
pub struct AfmpegBytes {
    /// The first byte, or NULL when `len` is 0.
    pub data: *mut u8,
    /// How many bytes.
    pub len: usize,
}

impl AfmpegBytes {
    /// `{NULL, 0}`.
    pub(crate) const EMPTY: AfmpegBytes = AfmpegBytes {
        data: std::ptr::null_mut(),
        len: 0,
    };

    pub(crate) fn from_vec(v: Vec<u8>) -> Self {
        if v.is_empty() {
            return Self::EMPTY;
        }
        let len = v.len();
        let data = Box::into_raw(v.into_boxed_slice()).cast::<u8>();
        AfmpegBytes { data, len }
    }

    /// Frees the bytes and leaves `{NULL, 0}`.
    ///
    /// # Safety
    /// `self` is `EMPTY` or came from [`AfmpegBytes::from_vec`], unchanged.
    pub(crate) unsafe fn release(&mut self) {
        if !self.data.is_null() {
            let slice = std::ptr::slice_from_raw_parts_mut(self.data, self.len);
            // SAFETY: the caller's contract: made by `from_vec` from a boxed
            // slice of exactly this length.
            drop(unsafe { Box::from_raw(slice) });
        }
        *self = Self::EMPTY;
    }
}

/// The kind of a directory entry.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfmpegFileKind {
    /// A regular file.
    File = 0,
    /// A directory.
    Dir = 1,
    /// A symbolic link.
    Symlink = 2,
    /// A character device.
    CharDevice = 3,
}

/// One entry of a directory listing.
#[repr(C)]
#[derive(Debug)]
pub struct AfmpegDirEntry {
    /// The entry's name (not its path), NUL-terminated UTF-8.
    pub name: *mut c_char,
    /// What it is.
    pub kind: AfmpegFileKind,
}

/// A directory listing owned by the library. Free it with
/// `afmpeg_dir_list_free` (once), which frees the names too. An empty
/// listing is `{NULL, 0}`.
#[repr(C)]
#[derive(Debug)]
pub struct AfmpegDirList {
    /// The entries, in listing order, or NULL when `len` is 0.
    pub entries: *mut AfmpegDirEntry,
    /// How many entries.
    pub len: usize,
}

impl AfmpegDirList {
    pub(crate) const EMPTY: AfmpegDirList = AfmpegDirList {
        entries: std::ptr::null_mut(),
        len: 0,
    };

    pub(crate) fn from_vec(v: Vec<AfmpegDirEntry>) -> Self {
        if v.is_empty() {
            return Self::EMPTY;
        }
        let len = v.len();
        let entries = Box::into_raw(v.into_boxed_slice()).cast::<AfmpegDirEntry>();
        AfmpegDirList { entries, len }
    }
}

/// Frees a string the library returned (an error message, probe JSON).
/// NULL is ignored. Freeing a string twice, or one the library did not
/// return, is undefined behaviour.
///
/// # Safety
/// `s` is NULL or a string returned by this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_string_free(s: *mut c_char) {
    guard_value((), || {
        if !s.is_null() {
            // SAFETY: the caller's contract: made by `CString::into_raw`.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

/// Frees the bytes of `bytes` and sets it to `{NULL, 0}`, so a second call
/// is harmless. NULL, and `{NULL, 0}`, are ignored.
///
/// # Safety
/// `bytes` is NULL or points to an `AfmpegBytes` the library filled (or
/// `{NULL, 0}`), not modified since.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_bytes_free(bytes: *mut AfmpegBytes) {
    guard_value((), || {
        // SAFETY: the caller's contract.
        if let Some(b) = unsafe { bytes.as_mut() } {
            // SAFETY: the caller's contract.
            unsafe { b.release() };
        }
    })
}

/// Frees a directory listing and its names, and sets it to `{NULL, 0}`, so
/// a second call is harmless. NULL, and `{NULL, 0}`, are ignored.
///
/// # Safety
/// `list` is NULL or points to an `AfmpegDirList` the library filled (or
/// `{NULL, 0}`), not modified since.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_dir_list_free(list: *mut AfmpegDirList) {
    guard_value((), || {
        // SAFETY: the caller's contract.
        let Some(list) = (unsafe { list.as_mut() }) else {
            return;
        };
        if !list.entries.is_null() {
            let slice = std::ptr::slice_from_raw_parts_mut(list.entries, list.len);
            // SAFETY: made by `AfmpegDirList::from_vec` from a boxed slice
            // of exactly this length.
            let entries = unsafe { Box::from_raw(slice) };
            for e in entries.iter() {
                // SAFETY: each name came from `new_c_string`.
                unsafe { afmpeg_string_free(e.name) };
            }
        }
        *list = AfmpegDirList::EMPTY;
    })
}
