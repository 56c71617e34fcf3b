//! `afmpeg run` accepts what users type for `wasmtime run`: `--env NAME`
//! (the host's value), `--env NAME=VALUE`, `--argv0`, `--timeout`
//! (`--dir HOST::GUEST`, `--fuel` and `--max-memory` are in cli_run.rs).

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_afmpeg");

/// Writes its argv[0], a NUL, then its environment (each `K=V` followed by
/// a NUL) to stdout.
const ECHO: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $asizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $aget (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $esizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $eget (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $print (param $at i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $at))
    (i32.store (i32.const 20) (local.get $len))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))
  (func (export "_start")
    (drop (call $asizes (i32.const 0) (i32.const 4)))
    (drop (call $aget (i32.const 1024) (i32.const 8192)))
    ;; argv[0] with its NUL: from the first pointer to the second (or the end).
    (call $print (i32.const 8192)
      (if (result i32) (i32.gt_u (i32.load (i32.const 0)) (i32.const 1))
        (then (i32.sub (i32.load (i32.const 1028)) (i32.const 8192)))
        (else (i32.load (i32.const 4)))))
    (drop (call $esizes (i32.const 32) (i32.const 36)))
    (drop (call $eget (i32.const 2048) (i32.const 16384)))
    (call $print (i32.const 16384) (i32.load (i32.const 36)))))"#;

const SPIN: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "_start") (loop $l (br $l))))"#;

fn run(wat: &str, before: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("m.wasm");
    std::fs::write(&wasm, wat::parse_str(wat).unwrap()).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("run").args(before).arg(&wasm).env_clear();
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// argv[0] and the environment the guest saw.
fn seen(o: &Output) -> (String, Vec<String>) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    let mut parts = text.split_terminator('\0').map(str::to_owned);
    let argv0 = parts.next().unwrap();
    (argv0, parts.collect())
}

#[test]
fn env_by_name_passes_the_hosts_value() {
    let o = run(
        ECHO,
        &[
            "--env",
            "FROM_HOST",
            "--env",
            "UNSET_ON_HOST",
            "--env",
            "SET=1",
        ],
        &[("FROM_HOST", "host value"), ("OTHER", "not passed")],
    );
    assert_eq!(seen(&o).1, ["FROM_HOST=host value", "SET=1"]);
}

#[test]
fn argv0_names_the_program() {
    assert_eq!(seen(&run(ECHO, &[], &[])).0, "m.wasm");
    assert_eq!(seen(&run(ECHO, &["--argv0", "tool"], &[])).0, "tool");
}

#[test]
fn timeout_stops_the_guest() {
    let o = run(SPIN, &["--timeout", "300ms"], &[]);
    assert_eq!(o.status.code(), Some(134));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("timeout"), "{err}");
    let o = run(SPIN, &["--timeout", "soon"], &[]);
    assert_eq!(o.status.code(), Some(2), "a bad duration is a usage error");
}
