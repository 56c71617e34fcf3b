//! The `afmpeg` binary as the CLI tests run it: with the FFmpeg module
//! (failing, never skipping, when it is missing), in a directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_afmpeg");

/// The module the tests use; panics with the way to build it when missing.
pub fn module() -> PathBuf {
    if let Some(p) = std::env::var_os("AFMPEG_MODULE").filter(|v| !v.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "AFMPEG_MODULE={} does not exist; run `make guest`",
            p.display()
        );
        return p;
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .expect("HOME is not set");
    let p = cache.join("afmpeg/guest/lean/ffmpeg.wasm");
    assert!(
        p.is_file(),
        "the FFmpeg module is missing at {}: run `make guest` (or set AFMPEG_MODULE)",
        p.display()
    );
    p
}

/// Runs `afmpeg ARGS` in `dir` with the module.
pub fn afmpeg(dir: &Path, args: &[impl AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("AFMPEG_MODULE", module())
        .output()
        .expect("cannot start afmpeg")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn describe(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    )
}

/// A short quiet ffmpeg job writing nothing: `ffmpeg` + these arguments.
pub const QUIET_NULL_JOB: [&str; 9] = [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "testsrc=duration=0.1",
    "-f",
    "null",
    "-",
];

/// `ffmpeg` arguments encoding the lavfi `source` (plus `output_options`)
/// with x264 to `out.mp4`.
pub fn lavfi_x264_job<'a>(source: &'a str, output_options: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["ffmpeg", "-hide_banner", "-f", "lavfi", "-i", source];
    args.extend(output_options);
    args.extend(["-c:v", "libx264", "-preset", "ultrafast", "out.mp4"]);
    args
}
