//! Escape suite: `..` chains, relative and absolute symlinks, symlink loops,
//! rename/link across preopens, closed-fd reuse and a directory renamed while
//! an fd is open inside it. The fixture puts `outside_sentinel.txt` next to
//! the preopened `sandbox/` (fd 3) and a second preopen `other/` (fd 4); the
//! guest programs (tests/wasi/c/escape_*.c) assert every escape is refused,
//! and this harness checks that nothing outside the guest's reach changed.

mod support;
use std::fs;
use support::wasi_programs;
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
