//! `afmpeg_runtime_builtin`: the default module inside the library with the
//! `builtin-module` feature, a typed refusal without it. The symbol exists
//! in both builds.

use afmpeg_ffi::{afmpeg_runtime_builtin, afmpeg_runtime_free, afmpeg_string_free, AfmpegStatus};
use std::ffi::{c_char, CStr};

#[test]
fn builtin_runtime_follows_the_feature() {
    let mut runtime = std::ptr::null_mut();
    let mut message: *mut c_char = std::ptr::null_mut();
    // SAFETY: both out-pointers are valid and written at most once.
    let status = unsafe { afmpeg_runtime_builtin(&mut runtime, &mut message) };
    if cfg!(feature = "builtin-module") {
        assert_eq!(status, AfmpegStatus::Ok);
        assert!(!runtime.is_null());
        assert!(message.is_null());
    } else {
        assert_eq!(status, AfmpegStatus::ModuleNotFound);
        assert!(runtime.is_null());
        // SAFETY: a failure sets a NUL-terminated message we own.
        let text = unsafe { CStr::from_ptr(message) }
            .to_str()
            .unwrap()
            .to_owned();
        assert!(text.contains("builtin-module"), "{text}");
    }
    // SAFETY: each is NULL or ours, freed once.
    unsafe {
        afmpeg_string_free(message);
        afmpeg_runtime_free(runtime);
    }
}
