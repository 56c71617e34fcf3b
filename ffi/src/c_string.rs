//! Strings handed to the caller: NUL-terminated copies it frees with
//! `afmpeg_string_free` (in `buffers`).

use std::ffi::{c_char, CString};

/// A NUL-terminated copy of `s` the caller frees with `afmpeg_string_free`.
/// A NUL inside `s` (a file name or a guest message may hold one) is
/// replaced by U+FFFD so the C string is not cut short.
pub(crate) fn new_c_string(s: &str) -> *mut c_char {
    let owned = if s.contains('\0') {
        s.replace('\0', "\u{FFFD}")
    } else {
        s.to_owned()
    };
    CString::new(owned).unwrap_or_default().into_raw()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_inside_does_not_cut_the_string_short() {
        let p = new_c_string("a\0b");
        // SAFETY: just made by `CString::into_raw`.
        let back = unsafe { CString::from_raw(p) };
        assert_eq!(back.to_str().unwrap(), "a\u{FFFD}b");
    }
}
