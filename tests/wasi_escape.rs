//! Escape suite: `..` chains, relative and absolute symlinks, symlink loops,
//! rename/link across preopens, closed-fd reuse and a directory renamed while
//! an fd is open inside it. The fixture puts `outside_sentinel.txt` next to
//! the preopened `sandbox/` (fd 3) and a second preopen `other/` (fd 4); the
//! guest programs (tests/wasi/c/escape_*.c) assert every escape is refused,
//! and this harness checks that nothing outside the guest's reach changed.

#[path = "support/wasi_programs.rs"]
mod wasi_programs;
use std::fs;
use wasi_programs::*;

/// Under afmpeg the host tree is imported into memory: nothing on the host
/// may change at all, and every guest check must pass.
fn afmpeg_escape(name: &str) {
    let fx = fixture();
    let before = snapshot(&fx.root);
    let out = run_afmpeg(&wasm_for(name), &fx, &RunSpec::default());
    assert_conformance(name, "afmpeg run", &out);
    assert_eq!(
        before,
        snapshot(&fx.root),
        "{name}: the host directory changed"
    );
    assert_eq!(
        fs::read_to_string(fx.root.join("outside_sentinel.txt")).unwrap(),
        OUTSIDE_SENTINEL
    );
}

/// Under the oracle (a real directory) the sandbox may change, but the
/// sentinel and the parent directory must not, and no guest check may have
/// read the sentinel or the other preopen's secret through an escape (the
/// escape programs print what a wrongly successful open read).
fn oracle_escape(name: &str) {
    let fx = fixture();
    let out = run_oracle(&wasm_for(name), &fx, &RunSpec::default());
    let mut top: Vec<String> = fs::read_dir(&fx.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    top.sort();
    assert_eq!(
        top,
        ["other", "outside_sentinel.txt", "sandbox"],
        "{name}: entries appeared next to the preopens\n{}",
        describe("oracle", &out)
    );
    assert_eq!(
        fs::read_to_string(fx.root.join("outside_sentinel.txt")).unwrap(),
        OUTSIDE_SENTINEL
    );
    assert_eq!(
        fs::read_to_string(fx.other.join("secret.txt")).unwrap(),
        OTHER_SECRET
    );
    assert!(
        !out.stdout.contains(OUTSIDE_SENTINEL.trim()) && !out.stdout.contains(OTHER_SECRET.trim()),
        "{name}: the oracle let the guest read outside\n{}",
        describe("oracle", &out)
    );
}

#[test]
fn escape_paths_afmpeg() {
    afmpeg_escape("escape_paths");
}

#[test]
fn escape_fds_afmpeg() {
    afmpeg_escape("escape_fds");
}

#[test]
fn escape_paths_oracle_sanity() {
    oracle_escape("escape_paths");
}

#[test]
fn escape_fds_oracle_sanity() {
    oracle_escape("escape_fds");
}

/// The guest name given with --dir is what the guest sees; a preopen named
/// like a host path does not give access to the host path.
#[test]
fn guest_cannot_see_host_paths() {
    let fx = fixture();
    // A module that tries fopen() on the host path of the sentinel.
    let wasm = wasm_for("fixture_import");
    let out = run_afmpeg(&wasm, &fx, &RunSpec::default());
    assert_conformance("fixture_import", "afmpeg run", &out);
    assert!(
        !out.stdout.contains(fx.root.to_str().unwrap()),
        "host path leaked to the guest\n{}",
        describe("afmpeg run", &out)
    );
}

// ---------------------------------------------------------------------------
// Write-back (`afmpeg run --dir … --write-back`): the three ways a guest was
// seen to make the export write outside its mount. The host tree outside
// the mount is snapshotted before and after; it must not change at all.

/// A mount `m/` next to `victim/secret.txt`, in a fresh directory.
struct WriteBack {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    m: std::path::PathBuf,
}

impl WriteBack {
    fn new() -> WriteBack {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let m = root.join("m");
        fs::create_dir(&m).unwrap();
        fs::create_dir(root.join("victim")).unwrap();
        fs::write(root.join("victim/secret.txt"), "victim").unwrap();
        WriteBack { _tmp: tmp, root, m }
    }

    /// `afmpeg run --write-back` of writeback_escape.c with `mode`, `m`
    /// mounted at each of `guests` (fd 3, 4, …).
    fn run(&self, mode: &str, guests: &[&str]) -> Outcome {
        let mut cmd = std::process::Command::new(afmpeg_bin());
        cmd.arg("run").arg("--write-back");
        for g in guests {
            cmd.arg("--dir").arg(format!("{}::{g}", self.m.display()));
        }
        cmd.arg(wasm_for("writeback_escape")).arg(mode);
        cmd.current_dir(&self.root);
        let out = run_command(cmd);
        assert!(
            out.code == 0 && out.failures().is_empty() && out.stdout.contains("done"),
            "{}",
            describe("afmpeg run --write-back", &out)
        );
        out
    }

    /// Everything outside the mount.
    fn outside(&self) -> std::collections::BTreeMap<std::path::PathBuf, String> {
        let mut s = snapshot(&self.root);
        s.retain(|p, _| !p.starts_with("m"));
        s
    }
}

/// Form 1: a symlink already in the mount points outside; the guest
/// replaces it by a directory holding a file.
#[test]
fn write_back_does_not_follow_a_host_symlink_the_guest_replaced() {
    let wb = WriteBack::new();
    std::os::unix::fs::symlink("../victim", wb.m.join("link")).unwrap();
    let before = wb.outside();
    wb.run("replace", &["/m"]);
    assert_eq!(
        before,
        wb.outside(),
        "the write-back wrote outside the mount"
    );
    assert!(fs::symlink_metadata(wb.m.join("link")).unwrap().is_dir());
    assert_eq!(
        fs::read_to_string(wb.m.join("link/secret.txt")).unwrap(),
        "guest"
    );
}

/// Form 2: a first run plants `link -> ../victim` (kept as a link on the
/// host), a second run replaces it by a directory.
#[test]
fn write_back_does_not_follow_a_symlink_planted_by_an_earlier_run() {
    let wb = WriteBack::new();
    let before = wb.outside();
    wb.run("plant", &["/m"]);
    assert_eq!(
        fs::read_link(wb.m.join("link")).unwrap(),
        std::path::Path::new("../victim")
    );
    wb.run("replace", &["/m"]);
    assert_eq!(
        before,
        wb.outside(),
        "the write-back wrote outside the mount"
    );
    assert!(fs::symlink_metadata(wb.m.join("link")).unwrap().is_dir());
}

/// Form 3: the same host directory mounted twice; the guest replaces the
/// link in one mount while the other still has it.
#[test]
fn write_back_of_a_directory_mounted_twice_stays_inside() {
    let wb = WriteBack::new();
    std::os::unix::fs::symlink("../victim", wb.m.join("link")).unwrap();
    let before = wb.outside();
    wb.run("replace", &["/m", "/again"]);
    assert_eq!(
        before,
        wb.outside(),
        "the write-back wrote outside the mount"
    );
}
