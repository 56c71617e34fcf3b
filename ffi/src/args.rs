//! Checking the caller's arguments before anything is done with them:
//! NULL pointers, UTF-8, lengths, enum values. Each failure names the
//! argument, so the message tells the C programmer which one was wrong.

use crate::status::{AfmpegStatus, Failure};
use std::ffi::{c_char, CStr};

fn null(name: &str) -> Failure {
    Failure::new(
        AfmpegStatus::NullArgument,
        format!("argument `{name}` is NULL"),
    )
}

/// A handle argument, borrowed for the call.
///
/// # Safety
/// `p` is NULL or points to a live `T` for the duration of the call.
pub(crate) unsafe fn handle<'a, T>(p: *const T, name: &str) -> Result<&'a T, Failure> {
    // SAFETY: the caller's contract.
    unsafe { p.as_ref() }.ok_or_else(|| null(name))
}

/// A NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string alive for the call.
pub(crate) unsafe fn string<'a>(p: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if p.is_null() {
        return Err(null(name));
    }
    // SAFETY: the caller's contract.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|e| {
        Failure::new(
            AfmpegStatus::InvalidUtf8,
            format!(
                "argument `{name}` is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// A byte-buffer argument: `data` may be NULL only when `len` is 0.
///
/// # Safety
/// `data` is NULL or valid for reads of `len` bytes for the call.
pub(crate) unsafe fn bytes<'a>(
    data: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(null(name));
    }
    if len > isize::MAX as usize {
        return Err(Failure::new(
            AfmpegStatus::InvalidArgument,
            format!("argument `{name}`: length {len} is larger than any buffer can be"),
        ));
    }
    // SAFETY: the caller's contract; non-null and the length checked.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// An argument vector of `argc` NUL-terminated UTF-8 strings; `argv` may
/// be NULL only when `argc` is 0.
///
/// # Safety
/// `argv` is NULL or valid for reads of `argc` pointers, each NULL or a
/// NUL-terminated string, alive for the call.
pub(crate) unsafe fn argv(argv: *const *const c_char, argc: usize) -> Result<Vec<String>, Failure> {
    if argc == 0 {
        return Ok(Vec::new());
    }
    if argv.is_null() {
        return Err(null("argv"));
    }
    if argc > isize::MAX as usize / std::mem::size_of::<*const c_char>() {
        return Err(Failure::new(
            AfmpegStatus::InvalidArgument,
            format!("argument `argc`: {argc} is larger than any array can be"),
        ));
    }
    // SAFETY: the caller's contract; non-null and the length checked.
    let ptrs = unsafe { std::slice::from_raw_parts(argv, argc) };
    ptrs.iter()
        .enumerate()
        // SAFETY: the caller's contract for each element.
        .map(|(i, &p)| unsafe { string(p, &format!("argv[{i}]")) }.map(str::to_owned))
        .collect()
}

/// An out parameter: checked for NULL, then written once the call has its
/// result.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Checks `p`, and stores `initial` there at once, so the caller sees
    /// a defined value (NULL, `{NULL, 0}`) whatever the call's outcome.
    ///
    /// # Safety
    /// `p` is NULL or valid for writes of a `T` for the call. What it
    /// points to is overwritten without being read or dropped.
    pub(crate) unsafe fn new(p: *mut T, name: &str, initial: T) -> Result<Self, Failure> {
        if p.is_null() {
            return Err(null(name));
        }
        // SAFETY: the caller's contract.
        unsafe { p.write(initial) };
        Ok(Out(p))
    }

    /// Stores the result.
    pub(crate) fn set(self, value: T) {
        // SAFETY: checked by `new`, valid for the call (which this is in);
        // the value there is the `initial` one, which owns nothing.
        unsafe { self.0.write(value) };
    }
}

/// An enum argument given as its number.
pub(crate) fn enum_value<T>(
    raw: u32,
    name: &str,
    parse: impl FnOnce(u32) -> Option<T>,
) -> Result<T, Failure> {
    parse(raw).ok_or_else(|| {
        Failure::new(
            AfmpegStatus::InvalidArgument,
            format!("argument `{name}`: {raw} is not one of its values"),
        )
    })
}
