//! `afmpeg run`: every word after the module path goes to the guest
//! untouched, afmpeg's own flags included (`-V`, `--help`, `--dir`, `--`);
//! a grow refused by the module's own maximum is -1, not the end of the run.
//! (`tests/cli_run.rs` covers the run options themselves.)

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_afmpeg");

/// Writes its argv to stdout, each argument followed by a NUL.
const ECHO_ARGS: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (drop (call $get (i32.const 1024) (i32.const 4096)))
    (i32.store (i32.const 16) (i32.const 4096))
    (i32.store (i32.const 20) (i32.load (i32.const 4)))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))"#;

/// Runs `afmpeg run [before...] echo.wasm [after...]`; returns the guest's
/// argv after argv[0] and the exit code.
fn guest_argv(before: &[&str], after: &[&str]) -> (Vec<String>, i32) {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("echo.wasm");
    std::fs::write(&wasm, wat::parse_str(ECHO_ARGS).unwrap()).unwrap();
    let out = Command::new(BIN)
        .arg("run")
        .args(before)
        .arg(&wasm)
        .args(after)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut argv: Vec<String> = stdout.split_terminator('\0').map(str::to_owned).collect();
    assert_eq!(
        argv.first().map(String::as_str),
        Some("echo.wasm"),
        "argv[0]; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    argv.remove(0);
    (argv, out.status.code().unwrap_or(-1))
}

#[test]
fn afmpeg_flags_after_the_module_are_the_guests() {
    for flag in ["-V", "--version", "-h", "--help", "--dir", "--", "-"] {
        assert_eq!(
            guest_argv(&[], &[flag]),
            (vec![flag.to_owned()], 0),
            "{flag}"
        );
    }
    let many = [
        "--help", "-V", "--dir", "x", "--fuel=1", "--", "-x", "plain",
    ];
    assert_eq!(
        guest_argv(&[], &many),
        (many.iter().map(|s| s.to_string()).collect(), 0)
    );
    assert_eq!(guest_argv(&[], &[]), (vec![], 0));
}

#[test]
fn options_before_the_module_are_afmpegs() {
    // --env is consumed by afmpeg, not passed on.
    assert_eq!(
        guest_argv(&["--env", "A=1"], &["-V"]),
        (vec!["-V".to_owned()], 0)
    );
}

#[test]
fn afmpeg_flags_without_a_module_are_still_afmpegs() {
    let out = Command::new(BIN).args(["run", "-V"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("afmpeg-run {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = Command::new(BIN).arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("required arguments were not provided"));
}

/// Without a memory limit, a `memory.grow` the module's own maximum refuses
/// returns -1 to the guest (the spec's answer; Go's runtime relies on it)
/// instead of ending the run.
#[test]
fn refused_grow_without_a_limit_returns_minus_one() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1 2)
      (func (export "_start")
        ;; -1 + 100 = 99 when refused; 1 + 100 if it had grown.
        (call $exit (i32.add (memory.grow (i32.const 5)) (i32.const 100)))))"#;
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("grow.wasm");
    std::fs::write(&wasm, wat::parse_str(wat).unwrap()).unwrap();
    let out = Command::new(BIN).arg("run").arg(&wasm).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(99),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
