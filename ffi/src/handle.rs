//! The lifetime of the opaque handles (runtime, filesystem, job): a box
//! handed to the caller as a pointer, and taken back by its free function.

use crate::status::guard_value;

/// Moves `value` to the heap and hands it to the caller.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Drops a handle made by [`into_handle`]; NULL is ignored, and a panic in
/// the drop does not cross the boundary.
///
/// # Safety
/// `handle` is NULL or came from [`into_handle`] for this `T`, not yet freed.
pub(crate) unsafe fn free_handle<T>(handle: *mut T) {
    guard_value((), || {
        if !handle.is_null() {
            // SAFETY: the caller's contract: made by `Box::into_raw`.
            drop(unsafe { Box::from_raw(handle) });
        }
    })
}
