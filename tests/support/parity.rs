//! Parity with native FFmpeg (Debian's 5.1, the sources the guest is built
//! from): the same argv run by `/usr/bin/ffmpeg` and by afmpeg, and their
//! outputs compared. Shared by `tests/parity.rs` (the lean module) and
//! `tests/catalogue_parity.rs` (the default profile); the former's module
//! docs explain the options that make the comparison fair.

use super::guest::{ffmpeg_ok, timed};
use afmpeg::{Filesystem, Runtime};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Options that put both FFmpegs on their plain, single-threaded C paths;
/// they go before the inputs.
pub const PLAIN: &[&str] = &[
    "-nostdin",
    "-y",
    "-hide_banner",
    "-cpuflags",
    "0",
    "-threads",
    "1",
    "-filter_threads",
    "1",
];
/// Output options of every x264 encode.
pub const X264_PLAIN: &[&str] = &["-c:v", "libx264", "-threads", "1", "-x264-params", "asm=0"];

/// The native ffmpeg binary (Debian's 5.1), or a failure saying how to get it.
pub fn native_ffmpeg() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let p = PathBuf::from("/usr/bin/ffmpeg");
        let out = Command::new(&p)
            .arg("-version")
            .output()
            .unwrap_or_else(|e| panic!("native ffmpeg not found at {}: {e}; install ffmpeg (scripts/setup-debian.sh)", p.display()));
        let v = String::from_utf8_lossy(&out.stdout);
        assert!(
            v.starts_with("ffmpeg version 5.1."),
            "native ffmpeg is not FFmpeg 5.1 ({}); install Debian 12's ffmpeg (scripts/setup-debian.sh)",
            v.lines().next().unwrap_or("")
        );
        p
    })
    .clone()
}

/// Runs the same argv natively (in `dir`) and in afmpeg (in `fs`), with the
/// given input files present on both sides, and returns the two versions of
/// each output file.
pub struct Both {
    pub dir: tempfile::TempDir,
    pub fs: Filesystem,
    rt: Runtime,
}

impl Both {
    /// Both sides, afmpeg's on `rt` (the lean module's runtime, or another
    /// profile's).
    pub fn new(rt: Runtime) -> Self {
        native_ffmpeg();
        Both {
            dir: tempfile::tempdir().unwrap(),
            fs: Filesystem::new(),
            rt,
        }
    }

    /// Gives both sides the same input file.
    pub fn input(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.dir.path().join(name), bytes).unwrap();
        self.fs.write(&format!("/{name}"), bytes.to_vec()).unwrap();
    }

    pub fn run(&self, args: &[&str]) {
        let mut full: Vec<&str> = PLAIN.to_vec();
        full.extend_from_slice(args);
        let (out, _) = timed(&format!("native ffmpeg {}", args.join(" ")), || {
            Command::new(native_ffmpeg())
                .args(&full)
                .current_dir(self.dir.path())
                .output()
                .unwrap()
        });
        assert!(
            out.status.success(),
            "native ffmpeg {full:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ffmpeg_ok(&self.rt, &self.fs, &full);
    }

    pub fn native(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join(name))
            .unwrap_or_else(|e| panic!("native output {name}: {e}"))
    }

    pub fn guest(&self, name: &str) -> Vec<u8> {
        self.fs
            .read(&format!("/{name}"))
            .unwrap_or_else(|e| panic!("afmpeg output {name}: {e}"))
    }

    /// Asserts the two versions of `name` are byte-identical.
    pub fn assert_identical(&self, name: &str) -> Vec<u8> {
        let (n, g) = (self.native(name), self.guest(name));
        assert_same_bytes(name, &n, &g, self.dir.path());
        g
    }
}

pub fn assert_same_bytes(name: &str, native: &[u8], guest: &[u8], dir: &Path) {
    if native == guest {
        eprintln!("[parity] {name}: identical ({} bytes)", native.len());
        return;
    }
    let at = native
        .iter()
        .zip(guest)
        .position(|(a, b)| a != b)
        .unwrap_or(native.len().min(guest.len()));
    // Keep the afmpeg version next to the native one for inspection.
    let kept = dir.join(format!("afmpeg-{}", name.replace('/', "-")));
    std::fs::write(&kept, guest).unwrap();
    let dir = std::mem::ManuallyDrop::new(dir.to_owned());
    panic!(
        "{name}: afmpeg's output differs from native ffmpeg's: native {} bytes, afmpeg {} bytes, first \
         difference at byte {at} (native {:02x?}, afmpeg {:02x?}); both kept in {}",
        native.len(),
        guest.len(),
        &native[at..native.len().min(at + 16)],
        &guest[at..guest.len().min(at + 16)],
        dir.display()
    );
}
