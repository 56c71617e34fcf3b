//! What the examples measure with: CPU time and the FFmpeg job's context.
// Each example uses part of it.
#![allow(dead_code)]

use wasi_shim::fs::Filesystem;
use wasi_shim::WasiCtx;

/// CPU seconds of the calling thread (other load on the machine does not count).
pub fn thread_cpu_seconds() -> f64 {
    rusage_seconds(libc::RUSAGE_THREAD)
}

/// CPU seconds of this whole process: for work done on a thread the caller
/// does not own (the interpreter runs each guest on a thread of its own).
pub fn process_cpu_seconds() -> f64 {
    rusage_seconds(libc::RUSAGE_SELF)
}

/// CPU seconds of the waited-for child processes.
pub fn children_cpu_seconds() -> f64 {
    rusage_seconds(libc::RUSAGE_CHILDREN)
}

fn rusage_seconds(who: libc::c_int) -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// `ffmpeg ARGS` over `fs` (preopened as `/`), deterministic.
pub fn context(args: &[String], fs: &Filesystem) -> WasiCtx {
    WasiCtx::builder()
        .arg("ffmpeg")
        .args(args.iter().cloned())
        .preopen_dir(fs, "/")
        .deterministic(7)
        .build()
        .expect("context")
}
